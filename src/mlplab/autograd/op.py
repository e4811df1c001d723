"""``Op``: one differentiable operation (mlplab's internal op base), forward and backward side by side.

A subclass implements ``forward(self, *arrays) -> ndarray`` on NumPy arrays, saving what backward
needs on ``self``, and ``backward(self, grad) -> array | tuple`` returning one gradient per tensor
input (``None`` where no gradient flows). :meth:`Op.apply` wraps it for tensors: the node is
recorded in the graph only when grad mode is on and some input requires grad, so inference pays
for nothing but the NumPy call.

Saved arrays are shared, not copied, so an op declares in ``saves`` which of its tensors backward
reads; a recorded node remembers the versions of its tensor arguments (only those ever changed in
place have a counter; the others are at version 0, for free), and the engine compares them before
the node runs (:mod:`mlplab.autograd.tensor_base` has the counters).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import grad_mode
from .tensor_base import TensorBase, sequence, version_counter
from .view_bases import MANY as _MANY_VIEWS
from .view_bases import ONE as _ONE_VIEW
from .view_bases import note_view_of_view
from .views import mark_no_grad_view

_state = grad_mode.state
_new = object.__new__  # a node without calling the class: no __init__ lookup
_ONE_INPUT_NEEDS_GRAD = (True,)
# creation order of recorded nodes: the engine runs them newest first (a valid topological order)
_sequence = sequence
# NumPy returns a scalar (np.float32, ...) instead of a 0-d array from a ufunc or reduction whose
# result is 0-d. A tensor must always hold an ndarray (in-place ops write into it), so apply turns
# such a result into a 0-d array: one type test per op, about 20 ns.
_ndarray = np.ndarray
_as_array = np.asarray

#: in ``Op.saves``: the op's output (its backward reads the array it returned)
OUTPUT = -1


class Op:
    """Base class of every differentiable op (see module docstring)."""

    # parents: the input tensors (emptied by backward once the graph is released);
    # needs_input_grad: which of them want a gradient (PyTorch's name);
    # sequence_number: creation order (the engine's topological order);
    # retained_output: the output tensor when ``retain_grad()`` was called on it.
    parents: tuple = ()
    needs_input_grad: tuple = ()
    sequence_number: int = -1
    retained_output: Any = None
    #: (tensor, {id: hook}) when ``register_hook`` was called on the output (autograd/hooks.py)
    grad_hooks: Any = None

    #: The fast path of :meth:`apply`: an op whose first ``arity`` (1, 2 or 3) arguments are always
    #: tensors, and whose other arguments never are, declares it; ``apply`` then takes those tensors
    #: by position instead of testing every argument. None: test every argument (the general path).
    arity: int | None = None

    #: True when ``backward`` returns arrays that nothing else references (results of fresh NumPy
    #: computations, never the incoming gradient or a saved array): a leaf then keeps such an array
    #: as its ``.grad`` without the defensive copy.
    returns_fresh_grads: bool = False

    #: the grad_fn name PyTorch prints for this op (default: the class name + "Backward0")
    backward_name: str | None = None

    #: The tensors whose arrays ``backward`` reads (PyTorch's saved tensors): positions among the
    #: tensor arguments, and ``OUTPUT``. One tuple for the whole op (``(OUTPUT,)`` for tanh), or one
    #: tuple per tensor argument naming what *its* gradient reads (``((1,), (0,))`` for x * y:
    #: dx reads y, dy reads x), so that only the gradients wanted are checked, as PyTorch saves
    #: only what they need. Where PyTorch saves a tensor that mlplab's backward does not read (e.g.
    #: relu's output), the op declares it too, so the same programs raise. Backward refuses to run
    #: the node when one of them changed in place since the node was recorded (see the engine).
    saves: tuple = ()
    #: True when ``saves`` names ``OUTPUT`` (set from it for each class)
    saves_output: bool = False
    #: True for an op whose output is a view of its one tensor argument (reshape, permute, basic
    #: indexing, expand): the output then shares the argument's version counter, and the op
    #: defines :meth:`replay` (in-place changes through the view: ``autograd/views.py``)
    is_view: bool = False
    #: the node this one displaced as its tensor's ``grad_fn`` (a recorded in-place op, which
    #: rebinds the tensor to its result): the engine sends older consumers' gradients there
    replaces: Any = None
    #: versions of the tensor arguments when the node was recorded; None when all were 0
    saved_versions: tuple | None = None
    #: (counter, dtype, shape) of the output, handed over when the output's version counter is
    #: created (:func:`~mlplab.autograd.tensor_base.version_counter`); None while it has none
    saved_output: tuple | None = None

    @property
    def freed(self) -> bool:
        """True once a backward pass without ``retain_graph`` has released this node."""
        return not self.parents

    def forward(self, *args: Any) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray) -> Any:
        raise NotImplementedError

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Bind ``apply`` to the fast path of the op's declared ``arity`` (see :meth:`apply`)."""
        super().__init_subclass__(**kwargs)
        saves = cls.saves
        flat = [j for part in saves for j in part] if saves and isinstance(saves[0], tuple) else saves
        cls.saves_output = OUTPUT in flat
        if "apply" not in cls.__dict__:
            if cls.is_view:
                if cls.arity != 1:
                    raise TypeError(f"{cls.__name__}: a view op takes one tensor (arity = 1)")
                if cls.replay is Op.replay:
                    raise TypeError(f"{cls.__name__}: a view op defines replay(x, shape)")
                cls.apply = classmethod(_apply_view)  # type: ignore[assignment]
            else:
                cls.apply = classmethod(_APPLY_BY_ARITY.get(cls.arity, _apply_general))  # type: ignore[assignment]

    def replay(self, x: np.ndarray, shape: tuple) -> np.ndarray:
        """A view op's view of another array ``x`` shaped as its input (``shape``: the output's).
        An in-place change through a view replays the chain of views on the base's element
        positions to find which elements it wrote (``CopySlices``)."""
        raise NotImplementedError

    def reads(self, i: int) -> tuple:
        """What the gradient of tensor argument ``i`` reads (from :attr:`saves`)."""
        saves = self.saves
        if saves and isinstance(saves[0], tuple):
            return saves[i] if i < len(saves) else ()
        return saves

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run ``forward`` on the tensors' arrays and wrap the result; record the node if a
        gradient may flow (grad mode on and some tensor argument requires grad).

        Tensor arguments become arrays (and graph parents); other arguments pass through as they
        are. ``backward`` returns one gradient per tensor argument, in order.

        Fast path (the only one): an op that declares ``arity`` = n (1, 2 or 3) gets, when its
        class is created, an ``apply`` that takes its first n arguments as the tensors without
        testing any argument and builds the output tensor right there (the five lines of
        ``Tensor._make``, written out: a call would add about 0.1 us, several per cent of a small
        op). Binding it per class spares every call the test of ``arity``. It gives exactly what
        the general path (:meth:`_apply_any`) gives, because such an op never receives a tensor
        elsewhere; ``tests/test_function_apply.py`` checks it op by op.
        """
        return _apply_general(cls, *args)

    @classmethod
    def _apply_any(cls, *args: Any) -> Any:
        """The general path of :meth:`apply`: any argument may be a tensor."""
        fn = _new(cls)
        arrays = []
        tensors = []
        for a in args:
            if isinstance(a, TensorBase):
                arrays.append(a._data)
                tensors.append(a)
            else:
                arrays.append(a)
        return _wrap(fn, fn.forward(*arrays), tuple(tensors))

    def name(self) -> str:
        return self.backward_name or type(self).__name__ + "Backward0"

    def __lt__(self, other: Any) -> bool:
        """Any fixed order: the engine's heap compares nodes only when two copies of view nodes
        (``autograd/views.py``) share a creation number."""
        return id(self) < id(other)

    def __repr__(self) -> str:
        return f"<{self.name()} object>"


def _apply_one(cls: type[Op], first: Any, *rest: Any) -> Any:
    """``apply`` of an op with one tensor argument, ``first`` (the fast path)."""
    fn = _new(cls)
    out = fn.forward(first._data, *rest)
    if out.__class__ is not _ndarray:
        out = _as_array(out)
    t = _new(first._output_type)
    t._data = out
    t.grad = None
    t._version_counter = None
    if first._requires_grad and _state.enabled:
        fn.parents = (first,)
        fn.needs_input_grad = _ONE_INPUT_NEEDS_GRAD
        fn.sequence_number = next(_sequence)
        v = first._version_counter
        if v is not None:  # the input was changed in place before: remember its version
            fn.saved_versions = (v[0],)
        t._requires_grad = True
        t.grad_fn = fn
    else:
        t._requires_grad = False
        t.grad_fn = None
    return t


def _apply_two(cls: type[Op], first: Any, second: Any, *rest: Any) -> Any:
    """``apply`` of an op whose first two arguments are its tensors (the fast path)."""
    fn = _new(cls)
    out = fn.forward(first._data, second._data, *rest)
    if out.__class__ is not _ndarray:
        out = _as_array(out)
    t = _new(first._output_type)
    t._data = out
    t.grad = None
    t._version_counter = None
    r1, r2 = first._requires_grad, second._requires_grad
    if (r1 or r2) and _state.enabled:
        fn.parents = (first, second)
        fn.needs_input_grad = (r1, r2)
        fn.sequence_number = next(_sequence)
        v1, v2 = first._version_counter, second._version_counter
        if v1 is not None or v2 is not None:
            fn.saved_versions = (0 if v1 is None else v1[0], 0 if v2 is None else v2[0])
        t._requires_grad = True
        t.grad_fn = fn
    else:
        t._requires_grad = False
        t.grad_fn = None
    return t


def _apply_three(cls: type[Op], first: Any, second: Any, third: Any, *rest: Any) -> Any:
    """``apply`` of an op whose first three arguments are its tensors (the fast path)."""
    fn = _new(cls)
    out = fn.forward(first._data, second._data, third._data, *rest)
    if out.__class__ is not _ndarray:
        out = _as_array(out)
    t = _new(first._output_type)
    t._data = out
    t.grad = None
    t._version_counter = None
    r1, r2, r3 = first._requires_grad, second._requires_grad, third._requires_grad
    if (r1 or r2 or r3) and _state.enabled:
        fn.parents = (first, second, third)
        fn.needs_input_grad = (r1, r2, r3)
        fn.sequence_number = next(_sequence)
        v1, v2, v3 = first._version_counter, second._version_counter, third._version_counter
        if v1 is not None or v2 is not None or v3 is not None:
            fn.saved_versions = (
                0 if v1 is None else v1[0],
                0 if v2 is None else v2[0],
                0 if v3 is None else v3[0],
            )
        t._requires_grad = True
        t.grad_fn = fn
    else:
        t._requires_grad = False
        t.grad_fn = None
    return t


def _apply_general(cls: type[Op], *args: Any) -> Any:
    """``apply`` of an op that declares no ``arity``: any argument may be a tensor."""
    return cls._apply_any(*args)


def _apply_view(cls: type[Op], first: Any, *rest: Any) -> Any:
    """``apply`` of a view op (``is_view``): the fast path, then the output shares the input's
    version counter when NumPy made it a view (a reshape may copy, as PyTorch's does)."""
    t = _apply_one(cls, first, *rest)
    base = t._data.base
    if base is not None:
        x = first._data
        if base is x or base is x.base or np.may_share_memory(t._data, x):
            vc = first._version_counter
            if vc is None:  # first is no view (a view has a counter): it is t's base
                vc = version_counter(first, True)
                if t.grad_fn is None:  # made outside the graph: remember its base (view_bases.py)
                    first._view_base = _ONE_VIEW
                    t._view_base = first if _state.enabled else (first, "no_grad")
                else:  # a view in the graph: counted for views.regenerate (2: one, 3: more)
                    vc[1] = 2
            elif t.grad_fn is not None:  # shared; one more view in the graph (as above)
                vc[1] = 3 if vc[1] > 1 else 2
            else:
                if not vc[1]:
                    vc[1] = True  # marked shared (tensor_base.share_version)
                try:
                    m = first._view_base
                except AttributeError:  # first has a counter but never had such a view
                    m = None
                if m is _MANY_VIEWS or m is _ONE_VIEW or m is None:  # first is t's base
                    if m is not _MANY_VIEWS:
                        first._view_base = _MANY_VIEWS if m is _ONE_VIEW else _ONE_VIEW
                    t._view_base = first if _state.enabled else (first, "no_grad")
                elif m.__class__ is not tuple and _state.enabled:  # a view of a view: same base
                    t._view_base = m
                    if m._view_base is not _MANY_VIEWS:
                        m._view_base = _MANY_VIEWS
                else:
                    note_view_of_view(m, t, _state.enabled, cls, first, rest)
            t._version_counter = vc
            if first._requires_grad and not _state.enabled:
                mark_no_grad_view(t)
    return t


_APPLY_BY_ARITY = {1: _apply_one, 2: _apply_two, 3: _apply_three}


def _wrap(fn: Op, out: np.ndarray, tensors: tuple) -> Any:
    """The output tensor of ``fn`` on ``tensors``, with ``fn`` recorded as its node if needed."""
    if not tensors:
        raise TypeError(f"{type(fn).__name__}.apply needs at least one tensor argument")
    if out.__class__ is not _ndarray:
        out = _as_array(out)
    if _state.enabled:
        needs = tuple([t._requires_grad for t in tensors])
        if True in needs:
            fn.parents = tensors
            fn.needs_input_grad = needs
            fn.sequence_number = next(_sequence)
            versions = tuple([0 if t._version_counter is None else t._version_counter[0] for t in tensors])
            if any(versions):
                fn.saved_versions = versions
            return tensors[0]._make(out, True, fn)
    return tensors[0]._make(out)


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
