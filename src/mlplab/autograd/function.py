r"""``Function``: PyTorch's contract for user-defined differentiable functions.

A subclass writes its own derivative::

    class MyReLU(mlplab.autograd.Function):
        @staticmethod
        def forward(ctx, x):                 # y = max(x, 0)
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):      # dL/dx = dL/dy * [x > 0]
            (x,) = ctx.saved_tensors
            g = grad_output.clone()
            g[x < 0] = 0
            return g

    y = MyReLU.apply(x)

``forward`` sees the user's tensors with grad mode off; ``backward`` gets one gradient per output
and returns one per forward argument (None for a non-tensor argument or one that needs none). The
newer style splits the first: ``forward(*args)`` without ctx plus ``setup_context(ctx, inputs,
output)``. The ``ctx`` is the graph node itself (its class is ``MyReLUBackward``, as in PyTorch),
so it also carries the four attributes the engine reads (``parents``, ``needs_input_grad``,
``sequence_number``, ``retained_output``); ``parents`` is aligned with the forward arguments,
holding None where an argument is not a tensor (its ``needs_input_grad`` is False, so the engine
never looks at it).

This is separate from :class:`~mlplab.autograd.op.Op`, mlplab's internal op base, which works on
NumPy arrays. A tuple output of several tensors gives each output its own small node
(:class:`_OutputNode`) that hands its gradient, tagged with the output's position, to the shared
node; so, unlike PyTorch, ``y1.grad_fn is y2.grad_fn`` is False (their names are the same).
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import numpy as np

from . import grad_mode
from .grad_mode import enable_grad, no_grad
from .op import _sequence
from .tensor_base import TensorBase
from .tensor_ops import sum_to

_state = grad_mode.state
_new = object.__new__
_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)


class FunctionCtx:
    """What ``forward``/``setup_context`` may call on ``ctx``; any other attribute may be set too."""

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep tensors (or None) for ``backward``, read back as ``ctx.saved_tensors``."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, TensorBase):
                raise TypeError(
                    f"save_for_backward can only save variables, but argument {i} is of type "
                    f"{type(t).__name__}"
                )
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward``; gone once backward has released the graph."""
        if self._recorded and not self.parents:
            raise RuntimeError(_FREED)
        return self._saved

    def mark_dirty(self, *tensors: Any) -> None:
        """Declare inputs that ``forward`` modified in place (and returns)."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors: Any) -> None:
        """Declare outputs that get no gradient (they do not require grad; backward sees zeros)."""
        self._non_diff = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """True (the default): gradients of unused outputs reach ``backward`` as zeros, not None."""
        self._materialize = bool(value)


class BackwardCFunction(FunctionCtx):
    """The graph node of one ``Function.apply`` call (and its ``ctx``)."""

    _forward_cls: type
    _saved: tuple = ()
    _dirty: tuple = ()
    _non_diff: tuple = ()
    _materialize = True
    _recorded = False
    parents: tuple = ()
    needs_input_grad: tuple = ()
    sequence_number = -1
    retained_output: Any = None
    grad_hooks: Any = None
    returns_fresh_grads = False

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<mlplab.autograd.function.{self.name()} object>"

    def _grads_in(self, g: Any, make: Any) -> list:
        slots = g.grads if isinstance(g, _Slots) else [g]
        out = list(slots)
        if self._materialize:
            for i, (gi, meta) in enumerate(zip(slots, self._out_meta)):
                if gi is None and meta is not None:
                    out[i] = make(np.zeros(meta[0], meta[1]))
        return out

    def _call(self, grads: list) -> list:
        """Run the user's backward and check its result against the forward arguments."""
        cls = self._forward_cls
        res = (cls.vjp if cls.backward is Function.backward else cls.backward)(self, *grads)
        if not isinstance(res, tuple):
            res = (res,)
        n = len(self.parents)
        if len(res) < n or any(r is not None for r in res[n:]):
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients "
                f"(expected {n}, got {len(res)})"
            )
        out: list = []
        for i, (r, t, needed) in enumerate(zip(res, self.parents, self.needs_input_grad)):
            if r is None:
                out.append(None)
                continue
            if t is None:
                raise RuntimeError(
                    f"function {self.name()} returned a gradient different than None at position "
                    f"{i + 1}, but the corresponding forward input was not a Variable"
                )
            if not isinstance(r, TensorBase):
                raise RuntimeError(f"expected Variable or None (got {type(r).__name__})")
            out.append(_check_grad(self, i, r, t) if needed else None)
        return out

    def backward(self, g: Any) -> tuple:
        """Engine entry (arrays in, arrays out): the user's backward under ``no_grad``."""
        make = self._make
        with no_grad():
            grads = self._grads_in(g, make)
            grads = [make(x) if x is not None and not isinstance(x, TensorBase) else x for x in grads]
            res = self._call(grads)
        return tuple(None if r is None else r._data for r in res)

    def backward_graph(self, g: Any) -> tuple:
        """Engine entry with ``create_graph`` (tensors in and out): the user's backward, recorded."""
        with enable_grad():
            return tuple(self._call(self._grads_in(g, self._make)))


def _check_grad(node: BackwardCFunction, i: int, r: Any, t: Any) -> Any:
    """PyTorch's checks on a returned gradient: summed to the input's shape when it broadcasts
    to the gradient's, cast to the input's dtype, otherwise an error naming both shapes."""
    if r.shape != t.shape:
        shape = tuple(t.shape)
        try:
            ok = np.broadcast_shapes(shape, tuple(r.shape)) == tuple(r.shape)
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {i} - got "
                f"{list(r.shape)} but expected shape compatible with {list(shape)}"
            )
        r = sum_to(r, shape)
    if r.dtype != t.dtype:
        r = r.to(t.dtype)
    return r


class _Slots:
    """The gradients of a multi-output node, one slot per output; ``+`` merges two of them."""

    __slots__ = ("grads",)

    def __init__(self, grads: list) -> None:
        self.grads = grads

    def __add__(self, other: _Slots) -> _Slots:
        merged = [a if b is None else b if a is None else a + b for a, b in zip(self.grads, other.grads)]
        return _Slots(merged)


class _OutputNode:
    """The node of output ``index`` of a multi-output Function: passes its gradient on, tagged."""

    returns_fresh_grads = False
    retained_output: Any = None
    grad_hooks: Any = None
    needs_input_grad = (True,)

    def __init__(self, core: BackwardCFunction, hidden: Any, index: int, n: int) -> None:
        self.core, self.index, self.n = core, index, n
        self.parents = (hidden,)
        self.sequence_number = next(_sequence)

    def backward(self, g: Any) -> _Slots:
        slots: list = [None] * self.n
        slots[self.index] = g
        return _Slots(slots)

    backward_graph = backward

    def name(self) -> str:
        return self.core.name()

    def __repr__(self) -> str:
        return repr(self.core)


class FunctionMeta(type):
    """Gives each Function subclass its node class, ``<Name>Backward`` (as PyTorch)."""

    def __init__(cls, name: str, bases: tuple, attrs: dict) -> None:
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        super().__init__(name, bases, attrs)


class Function(FunctionCtx, metaclass=FunctionMeta):
    """Base class of user-defined differentiable functions (see module docstring)."""

    @staticmethod
    def forward(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> Any:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom autograd.Function "
            "to use it with backward mode AD."
        )

    vjp = backward

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` with grad mode off and record one node for the outputs when a tensor
        argument requires grad (and grad mode is on)."""
        new_style = cls.setup_context is not Function.setup_context
        if new_style or kwargs:
            sig = inspect.signature(cls.forward)
            bound = sig.bind(*args, **kwargs) if new_style else sig.bind(None, *args, **kwargs)
            if new_style:
                bound.apply_defaults()
            args, kwargs = tuple(bound.args if new_style else bound.args[1:]), bound.kwargs
        node = _new(cls._backward_cls)
        enabled = _state.enabled
        needs = tuple([enabled and isinstance(a, TensorBase) and a._requires_grad for a in args])
        node.needs_input_grad = needs
        with no_grad():
            if new_style:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(node, args, out)
            else:
                out = cls.forward(node, *args, **kwargs)
        if True not in needs:
            return out
        return _record(node, args, needs, out)


def _record(node: BackwardCFunction, args: tuple, needs: tuple, out: Any) -> Any:
    """Attach ``node`` to the tensor outputs of ``forward`` (see the module docstring)."""
    parents = [a if isinstance(a, TensorBase) else None for a in args]
    for d in node._dirty:
        for j, a in enumerate(args):
            if a is d:
                if a.grad_fn is None and a._requires_grad:
                    raise RuntimeError(
                        "a leaf Variable that requires grad has been used in an in-place operation."
                    )
                alias = a._make(a._data, a._requires_grad, a.grad_fn)  # `a` as it was: the parent
                parents[j] = alias
    first = next(a for a in args if isinstance(a, TensorBase))
    node._make = first._make
    node.parents = tuple(parents)
    node.sequence_number = next(_sequence)
    node._recorded = True
    many = isinstance(out, tuple)
    outs = out if many else (out,)
    node._out_meta = [(o._data.shape, o._data.dtype) if isinstance(o, TensorBase) else None for o in outs]
    result = []
    for i, o in enumerate(outs):
        if not isinstance(o, TensorBase) or any(o is n for n in node._non_diff) or o._data.dtype.kind != "f":
            result.append(o)
            continue
        if any(o is a for a in args) and not any(o is d for d in node._dirty):
            o = o._make(o._data)  # an input returned as it is: a new tensor on the same data
        fn: Any = node
        if many:
            hidden = o._make(o._data, True, node)
            fn = _OutputNode(node, hidden, i, len(outs))
        o._requires_grad, o.grad_fn = True, fn
        result.append(o)
    return tuple(result) if many else result[0]


class _DelayedError:
    """Node standing for a ``once_differentiable`` backward's output: differentiating it raises."""

    returns_fresh_grads = False
    retained_output: Any = None
    grad_hooks: Any = None

    def __init__(self, parents: tuple) -> None:
        self.parents = parents
        self.needs_input_grad = tuple(p._requires_grad for p in parents)
        self.sequence_number = next(_sequence)

    def _fail(self, g: Any) -> Any:
        raise RuntimeError(
            "trying to differentiate twice a function that was marked with @once_differentiable"
        )

    backward = backward_graph = _fail

    def name(self) -> str:
        return "DelayedError"


def once_differentiable(fn: Any) -> Any:
    """Decorate a ``backward`` that is not itself differentiable: it runs under ``no_grad``, and
    differentiating its result (``create_graph=True``) raises instead of silently giving zero."""

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        with no_grad():
            outputs = fn(ctx, *args)
        if not _state.enabled:
            return outputs
        needing = tuple(a for a in args if isinstance(a, TensorBase) and a._requires_grad)
        if not needing:
            return outputs
        single = not isinstance(outputs, tuple)
        res = []
        for o in (outputs,) if single else outputs:
            if isinstance(o, TensorBase):
                o = o._make(o._data, True, _DelayedError(needing))
            res.append(o)
        return res[0] if single else tuple(res)

    return wrapper
