"""``Function``: one differentiable operation, its forward and its backward side by side.

A subclass implements ``forward(self, *arrays, **kw) -> ndarray`` on NumPy arrays, saving what
backward needs on ``self``, and ``backward(self, grad) -> array | tuple`` returning one gradient
per tensor input (``None`` where no gradient flows). ``apply`` wraps it for tensors: the node is
recorded in the graph only when grad mode is on and some input requires grad, so inference pays
for nothing but the NumPy call.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from . import grad_mode

_state = grad_mode.state
# set by mlplab.tensor once Tensor exists (avoids an import cycle on the hot path)
_Tensor: Any = None
_TRUE1 = (True,)
# creation order of recorded nodes: the engine runs them newest first (a valid topological order)
_seq = itertools.count()


class Function:
    """Base class of every differentiable op (see module docstring)."""

    # parents: the input Tensors (emptied by backward once the graph is released);
    # needs: which of them want a gradient; seq: creation order (the engine's topological order);
    # retained: the output tensor when ``retain_grad()`` was called on it.
    parents: tuple = ()
    needs: tuple = ()
    seq: int = -1
    retained: Any = None

    @property
    def freed(self) -> bool:
        """True once a backward pass without ``retain_graph`` has released this node."""
        return not self.parents

    def forward(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Any, **kwargs: Any) -> Any:
        """Run forward on the inputs' arrays; record the node if a gradient may flow.

        Tensor arguments become arrays (and graph parents); other arguments pass through as-is.
        ``backward`` returns one gradient per Tensor argument, in order.
        """
        fn = cls()
        T = _Tensor
        args = []
        ts = []
        for a in inputs:
            if isinstance(a, T):
                args.append(a._data)
                ts.append(a)
            else:
                args.append(a)
        out = fn.forward(*args, **kwargs)
        t = T.__new__(T)
        t._data = out
        t.grad = None
        if _state.enabled:
            needs = tuple([x._rg for x in ts])
            if True in needs:
                fn.parents = tuple(ts)
                fn.needs = needs
                fn.seq = next(_seq)
                t._rg = True
                t.grad_fn = fn
                return t
        t._rg = False
        t.grad_fn = None
        return t

    @classmethod
    def apply1(cls, x: Any, *args: Any) -> Any:
        """``apply`` for one Tensor ``x`` followed by non-tensor arguments (the hot path)."""
        fn = cls()
        T = _Tensor
        t = T.__new__(T)
        t._data = fn.forward(x._data, *args)
        t.grad = None
        if x._rg and _state.enabled:
            fn.parents = (x,)
            fn.needs = _TRUE1
            fn.seq = next(_seq)
            t._rg = True
            t.grad_fn = fn
        else:
            t._rg = False
            t.grad_fn = None
        return t

    @classmethod
    def apply2(cls, x: Any, y: Any, *args: Any) -> Any:
        """``apply`` for two Tensors ``x``, ``y`` followed by non-tensor arguments (the hot path)."""
        fn = cls()
        T = _Tensor
        t = T.__new__(T)
        rx, ry = x._rg, y._rg
        if (rx or ry) and _state.enabled:
            fn.parents = (x, y)
            fn.needs = (rx, ry)
            fn.seq = next(_seq)
            t._data = fn.forward(x._data, y._data, *args)
            t._rg = True
            t.grad_fn = fn
        else:
            t._data = fn.forward(x._data, y._data, *args)
            t._rg = False
            t.grad_fn = None
        t.grad = None
        return t

    @classmethod
    def apply3(cls, x: Any, y: Any, z: Any, *args: Any) -> Any:
        """``apply`` for three Tensors followed by non-tensor arguments (e.g. linear's x, W, b)."""
        fn = cls()
        T = _Tensor
        t = T.__new__(T)
        t._data = fn.forward(x._data, y._data, z._data, *args)
        t.grad = None
        rx, ry, rz = x._rg, y._rg, z._rg
        if (rx or ry or rz) and _state.enabled:
            fn.parents = (x, y, z)
            fn.needs = (rx, ry, rz)
            fn.seq = next(_seq)
            t._rg = True
            t.grad_fn = fn
        else:
            t._rg = False
            t.grad_fn = None
        return t

    #: True when ``backward`` returns arrays that nothing else references (results of fresh NumPy
    #: computations, never the incoming gradient or a saved array): a leaf then keeps such an array
    #: as its ``.grad`` without the defensive copy.
    owns_grads: bool = False

    #: the grad_fn name PyTorch prints for this op (default: the class name + "Backward0")
    bw_name: str | None = None

    def name(self) -> str:
        return self.bw_name or type(self).__name__ + "Backward0"

    def __repr__(self) -> str:
        return f"<{self.name()} object>"


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` down to ``shape``: the adjoint of NumPy broadcasting.

    Leading axes that broadcasting added are summed away; axes where the input had size 1 are
    summed with keepdims.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)
