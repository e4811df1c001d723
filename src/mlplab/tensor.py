"""``Tensor``: a NumPy array with PyTorch's surface and reverse-mode autograd.

The array lives in ``_data``; ``.data`` returns a detached Tensor sharing it (as PyTorch), so
``w.data = ...`` and ``w.data.zero_()`` work as in the notes. Every differentiable method is a thin
call into one ``Op`` in :mod:`mlplab.ops`.

This module holds the class itself (storage, construction, attributes, dtypes, autograd entry points,
printing) and ``Parameter``; the method families are one mixin per concept in :mod:`mlplab._tensor`.
"""

from __future__ import annotations

import copy
import numbers
from typing import Any

import numpy as np

from . import _dtype
from . import _format as _fmt
from ._tensor import arith as _arith
from ._tensor import compare as _compare
from ._tensor import compat as _compat
from ._tensor import device as _device
from ._tensor import index as _index
from ._tensor import inplace as _inplace
from ._tensor import new as _new_mixin
from ._tensor import reduce as _reduce
from ._tensor import select as _select
from ._tensor import shape as _shape
from ._tensor import unary as _unary
from ._tensor.arith import _raise_broadcast, _result_dtype, _scalar_array  # noqa: F401 - re-exported
from ._tensor.reduce import MaxResult, MinResult  # noqa: F401 - re-exported
from ._tensor.shape import Size, _norm_dim, _one_dim, _shape_args  # noqa: F401 - re-exported
from .autograd import differentiate, engine, hooks, view_bases
from .autograd.tensor_base import TensorBase, share_version
from .ops.elementwise import Cast, Clone

_Number = numbers.Number
_new = object.__new__
_ndarray = np.ndarray


class Tensor(
    TensorBase,
    _arith.ArithMixin,
    _unary.UnaryMixin,
    _compare.CompareMixin,
    _device.DeviceMixin,
    _reduce.ReduceMixin,
    _shape.ShapeMixin,
    _index.IndexMixin,
    _select.SelectMixin,
    _new_mixin.NewMixin,
    _inplace.InplaceMixin,
    _compat.CompatMixin,
):
    """A multi-dimensional array with autograd (see module docstring)."""

    __slots__ = ()  # the slots are TensorBase's
    __array_priority__ = 1000  # NumPy defers to Tensor's reflected operators

    def __init__(self, *data: Any, dtype: Any = None, requires_grad: bool = False) -> None:
        """``Tensor(data)`` copies ``data`` as the default float dtype (as ``torch.Tensor`` does);
        ``Tensor(2, 3)`` makes an uninitialised 2x3 tensor; use :func:`mlplab.tensor` to infer dtypes."""
        if dtype is None:
            dtype = _dtype.get_default_dtype()
        if data and all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in data):
            arr = np.empty(tuple(int(d) for d in data), dtype=_dtype.to_np(dtype))
        elif len(data) > 1:
            raise TypeError(f"Tensor() takes one data argument or integer sizes, got {data!r}")
        else:
            arr = _to_array(data[0] if data else [], dtype)
        self._data = arr
        self._requires_grad = False
        self.grad = None
        self.grad_fn = None
        self._version_counter = None
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _make(array: np.ndarray, requires_grad: bool = False, grad_fn: Any = None) -> Tensor:
        """The one constructor every op and helper uses: wrap ``array`` (not copied), no checks.

        (Two hot spots write these lines out in place, each saying so: ``Op.apply``'s fast
        path, for every op's output, and the engine, for a leaf's new ``.grad``.)
        """
        t = _new(Tensor)
        # a NumPy scalar (a 0-d result of a ufunc, reduction or index) becomes a 0-d array:
        # every tensor holds an ndarray, so in-place ops can write into it
        t._data = array if array.__class__ is _ndarray else np.asarray(array)
        t._requires_grad = requires_grad
        t.grad = None
        t.grad_fn = grad_fn
        t._version_counter = None
        return t

    # ------------------------------------------------------------------ attributes
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad is not False  # a bool, or a view_bases.RefusedUse (True)

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place (floating-point leaves only); returns self."""
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"Only Tensors of floating point dtype can require gradients (got dtype "
                f"{_dtype.from_numpy_dtype(self._data.dtype)!r})"
            )
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        view_bases.set_requires_grad(self, bool(requires_grad))
        return self

    @property
    def data(self) -> Tensor:
        """A detached tensor sharing this tensor's array (in-place changes show through).

        Unlike :meth:`detach`, it has a version counter of its own, as in PyTorch: a change made
        through ``.data`` is not seen by autograd's check of saved tensors."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value: Any) -> None:
        arr = value._data if isinstance(value, Tensor) else np.asarray(value)
        self._data = arr

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        """The shape, or its length along ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_one_dim(dim, self._data.ndim)]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype.from_numpy_dtype(self._data.dtype)

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None if self._requires_grad.__class__ is bool else self._requires_grad.refuse()

    def numel(self) -> int:
        return int(self._data.size)

    def nelement(self) -> int:
        return int(self._data.size)

    def element_size(self) -> int:
        return int(self._data.itemsize)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item()  # one element: ndarray.item() takes it whatever the shape

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The underlying array (shared, not copied); ``force=True`` detaches first."""
        if self._requires_grad is not False and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
            )
        return self._data

    def tolist(self) -> Any:
        return self._data.tolist()

    def detach(self) -> Tensor:
        """A new leaf sharing the array (and the version counter, as PyTorch), cut from the graph."""
        t = Tensor._make(self._data)
        share_version(self, t)
        return t

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._requires_grad = False
        return self

    def clone(self) -> Tensor:
        return Clone.apply(self)

    def contiguous(self, memory_format: Any = None) -> Tensor:
        return self

    def type(self, dtype: Any = None, non_blocking: bool = False) -> Any:
        """The type name (no argument) or a copy converted to ``dtype``."""
        if dtype is None:
            return f"mlplab.{self.dtype.name}"
        npd = _dtype.to_np(dtype)
        if npd == self._data.dtype:
            return self
        if self._requires_grad and npd.kind == "f":
            return Cast.apply(self, npd)
        return Tensor._make(self._data.astype(npd))

    def type_as(self, other: Tensor) -> Tensor:
        return self.type(other.dtype)

    def float(self) -> Tensor:
        return self.type(_dtype.float32)

    def double(self) -> Tensor:
        return self.type(_dtype.float64)

    def half(self) -> Tensor:
        return self.type(_dtype.float16)

    def long(self) -> Tensor:
        return self.type(_dtype.int64)

    def int(self) -> Tensor:
        return self.type(_dtype.int32)

    def bool(self) -> Tensor:
        return self.type(_dtype.bool_)

    # ------------------------------------------------------------------ autograd
    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) into each leaf's ``.grad`` (``gradient`` for non-scalars);
        only into ``inputs``' when given; as a differentiable graph with ``create_graph``."""
        if create_graph or inputs is not None:
            differentiate.backward(self, gradient, retain_graph, create_graph, inputs=inputs)
            return
        engine.backward(self, gradient, bool(retain_graph))

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` in backward (a returned tensor replaces grad); see autograd/hooks.py."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        return hooks.register(self, hook)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if self._requires_grad is False:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn.retained_output = self

    # ------------------------------------------------------------------ conversion helpers
    def _other(self, o: Any) -> Tensor:
        if isinstance(o, Tensor):
            return o
        if isinstance(o, _Number) or isinstance(o, np.generic):
            return Tensor._make(_scalar_array(o, self._data.dtype))
        return Tensor._make(_to_array(o, None))

    # ------------------------------------------------------------------ Python conversions
    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise _compare.ambiguous(self._data.size)
        return bool(self._data.reshape(()))

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self._data if dtype is None else self._data.astype(dtype)

    # ------------------------------------------------------------------ printing
    def __repr__(self) -> str:
        return _format(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return repr(self)


# Every tensor an op or ``_make`` creates is a plain Tensor (see TensorBase._output_type).
Tensor._output_type = Tensor


class Parameter(Tensor):
    """A Tensor that a Module registers as a learnable parameter (requires_grad=True)."""

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            arr = np.empty(0, dtype=_dtype.default_np())
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            arr = _to_array(data, None)
        self._data = arr
        self._requires_grad = False
        self.grad = None
        self.grad_fn = None
        self._version_counter = None
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + _format(self)

    def __deepcopy__(self, memo: dict) -> Parameter:
        """A new Parameter on a copy of the data, at version 0 as in PyTorch (whose Parameter
        deep-copies through ``data.clone()``); the gradient is deep-copied too."""
        new = Parameter(self._data.copy(), self._requires_grad)
        memo[id(self)] = new
        if self.grad is not None:
            new.grad = copy.deepcopy(self.grad, memo)
        return new


def _to_array(data: Any, dtype: Any) -> np.ndarray:
    """Convert Python data / NumPy arrays / Tensors to an array with PyTorch's dtype inference:
    Python floats become the default dtype, ints int64, bools bool; NumPy arrays keep theirs."""
    npd = _dtype.to_np(dtype)
    if isinstance(data, Tensor):
        arr = data._data
        return arr.copy() if npd is None else arr.astype(npd)
    if isinstance(data, (np.ndarray, np.generic)):
        if npd is None:
            _dtype.from_numpy_dtype(data.dtype)  # validates the kind
            return np.array(data)
        return np.asarray(data).astype(npd)
    if isinstance(data, (list, tuple)):
        data = _unwrap(data)
    try:
        arr = np.array(data)
    except ValueError as e:
        raise ValueError(f"could not build a tensor from a ragged nested sequence: {e}") from None
    if arr.dtype == object:
        raise TypeError(f"could not build a tensor from {type(data).__name__}: non-numeric data")
    if npd is not None:
        return arr.astype(npd)
    if arr.dtype.kind == "f":
        return arr.astype(_dtype.default_np())
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    if arr.dtype.kind == "b":
        return arr
    if arr.size == 0:
        return arr.astype(_dtype.default_np())
    raise TypeError(f"could not build a tensor from data of type {arr.dtype}")


def _unwrap(seq: Any) -> Any:
    if isinstance(seq, Tensor):
        return seq._data
    if isinstance(seq, (list, tuple)):
        return [_unwrap(s) for s in seq]
    return seq


def _format(t: Tensor) -> str:
    """PyTorch's repr: body, then dtype (if not default), then grad_fn or requires_grad."""
    a = t._data
    dt = a.dtype
    suffixes = []
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if dt != _dtype.default_np():
            suffixes.append(f"dtype={_dtype.from_numpy_dtype(dt)!r}")
    elif not (dt == _dtype.default_np() or dt == np.int64 or dt == np.bool_):
        suffixes.append(f"dtype={_dtype.from_numpy_dtype(dt)!r}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad is not False:
        suffixes.append("requires_grad=True")
    return _fmt.add_suffixes("tensor(" + _fmt.array_str(a, 7), suffixes, 7)
