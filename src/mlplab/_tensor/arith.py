"""Arithmetic operators of ``Tensor`` and PyTorch's type promotion.

``a + b``, ``-``, ``*``, ``/``, ``**``, ``@`` (and the named forms ``add``, ``mul``, ``matmul``, ...)
each call one ``Op`` in :mod:`mlplab.ops.binary`. Operands of different dtypes are promoted
as PyTorch does (:func:`_result_dtype`); shapes that do not broadcast raise PyTorch's message
(:func:`_raise_broadcast`).
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _dtype
from ..autograd.tensor_base import TensorBase
from ..ops import arithmetic as B
from ..ops import elementwise as U
from ..ops import linalg as LA
from ..ops import linear as L

if TYPE_CHECKING:  # type hints only, never imported at run time (mlplab.tensor imports this)
    from ..tensor import Tensor


_Number = numbers.Number


def _scalar_array(v: Any, like: np.dtype) -> np.ndarray:
    """A Python number as a 0-d array of the dtype PyTorch would give ``tensor op number``."""
    if isinstance(v, bool):
        return np.asarray(v, dtype=like if like.kind != "b" else np.bool_)
    if isinstance(v, (int, np.integer)):
        if like.kind not in "fiu":
            return np.asarray(v, dtype=np.int64)
        try:
            return np.asarray(v, dtype=like)
        except OverflowError:  # PyTorch wraps around (uint8 tensor + -3)
            return np.asarray(v).astype(like)
    if like.kind == "f":
        return np.asarray(v, dtype=like)
    return np.asarray(v, dtype=_dtype.default_np())


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def _result_dtype(a: np.ndarray, b: np.ndarray) -> np.dtype:
    """PyTorch's type promotion between two tensors (Python numbers arrive as 0-d arrays).

    Categories rank bool < integer < float. A 0-d operand only decides the dtype when its category
    is higher than the dimensioned operand's (int32 tensor + 0-d float64 -> float64; float32
    tensor + 0-d float64 -> float32); otherwise the wider type within the higher category wins.
    """
    da, db = a.dtype, b.dtype
    if da == db:
        return da
    za, zb = a.ndim == 0, b.ndim == 0
    if za != zb:
        d0, d1 = (da, db) if za else (db, da)
        return d0 if _CATEGORY[d0.kind] > _CATEGORY[d1.kind] else d1
    return _dtype.promote(da, db)


def _raise_broadcast(sa: tuple, sb: tuple, op: str, full: tuple | None = None) -> None:
    """Raise PyTorch's message for shapes that do not broadcast, naming both shapes
    (``full``: the operands' whole shapes when ``sa``/``sb`` are only their batch dimensions)."""
    ra, rb = sa[::-1], sb[::-1]
    fa, fb = full if full is not None else (sa, sb)
    for i in range(min(len(ra), len(rb))):
        if ra[i] != rb[i] and ra[i] != 1 and rb[i] != 1:
            dim = max(len(sa), len(sb)) - 1 - i
            raise RuntimeError(
                f"The size of tensor a ({ra[i]}) must match the size of tensor b ({rb[i]}) at "
                f"non-singleton dimension {dim} ({op} of shapes {tuple(fa)} and {tuple(fb)})"
            )


class ArithMixin:
    """Arithmetic operators and their named forms (mixed into ``Tensor``)."""

    __slots__ = ()

    def _binary(self, o: Any, fn: type, reverse: bool = False) -> Tensor:
        if isinstance(o, TensorBase):
            a, b = (o, self) if reverse else (self, o)
            if a._data.dtype == b._data.dtype:
                try:
                    return fn.apply(a, b)
                except ValueError:
                    _raise_broadcast(a._data.shape, b._data.shape, fn.__name__)
                    raise
        else:
            o = self._other(o)
            a, b = (o, self) if reverse else (self, o)
        da, db = a._data.dtype, b._data.dtype
        if da != db:
            dt = _result_dtype(a._data, b._data)
            a = a if da == dt else a.type(dt)
            b = b if db == dt else b.type(dt)
        try:
            return fn.apply(a, b)
        except ValueError:
            _raise_broadcast(a._data.shape, b._data.shape, fn.__name__)
            raise

    # ------------------------------------------------------------------ arithmetic
    # A float tensor with a Python int/float takes a one-tensor Op (no 0-d array, no
    # broadcasting in backward); NumPy keeps float32 with a Python scalar, as PyTorch does.
    def __add__(self, o: Any) -> Tensor:
        if (type(o) is float or type(o) is int) and self._data.dtype.kind == "f":
            return B.AddScalar.apply(self, o)
        return self._binary(o, B.Add)

    def __radd__(self, o: Any) -> Tensor:
        if (type(o) is float or type(o) is int) and self._data.dtype.kind == "f":
            return B.AddScalar.apply(self, o)
        return self._binary(o, B.Add, True)

    def __sub__(self, o: Any) -> Tensor:
        if (type(o) is float or type(o) is int) and self._data.dtype.kind == "f":
            return B.SubScalar.apply(self, o)
        return self._binary(o, B.Sub)

    def __rsub__(self, o: Any) -> Tensor:
        if (type(o) is float or type(o) is int) and self._data.dtype.kind == "f":
            return B.RSubScalar.apply(self, o)
        return self._binary(o, B.Sub, True)

    def __mul__(self, o: Any) -> Tensor:
        if (type(o) is float or type(o) is int) and self._data.dtype.kind == "f":
            return B.MulScalar.apply(self, o)
        return self._binary(o, B.Mul)

    def __rmul__(self, o: Any) -> Tensor:
        if (type(o) is float or type(o) is int) and self._data.dtype.kind == "f":
            return B.MulScalar.apply(self, o)
        return self._binary(o, B.Mul, True)

    def __truediv__(self, o: Any) -> Tensor:
        if self._data.dtype.kind != "f":
            if not (isinstance(o, TensorBase) and o._data.dtype.kind == "f"):
                return self.type(_dtype.get_default_dtype())._binary(o, B.Div)
        elif type(o) is float or type(o) is int:
            return B.DivScalar.apply(self, o)
        return self._binary(o, B.Div)

    def __rtruediv__(self, o: Any) -> Tensor:
        if self._data.dtype.kind != "f":
            return self.type(_dtype.get_default_dtype()).__rtruediv__(o)
        if type(o) is float or type(o) is int:
            return B.RDivScalar.apply(self, o)
        return self._binary(o, B.Div, True)

    def __pow__(self, o: Any) -> Tensor:
        if isinstance(o, _Number) and not isinstance(o, bool):
            if self._data.dtype.kind != "f" and isinstance(o, float):
                return self.type(_dtype.get_default_dtype())._pow_scalar(o)
            return self._pow_scalar(o)
        return self._binary(o, B.Pow)

    def _pow_scalar(self, p: Any) -> Tensor:
        return B.PowScalar.apply(self, p)

    def __rpow__(self, o: Any) -> Tensor:
        if isinstance(o, _Number) and not isinstance(o, bool):
            x = self
            if self._data.dtype.kind != "f" and not isinstance(o, (int, np.integer)):
                x = self.type(_dtype.get_default_dtype())
            return B.RPowScalar.apply(x, o)
        return self._binary(o, B.Pow, True)

    def __neg__(self) -> Tensor:
        return U.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return U.Abs.apply(self)

    def __matmul__(self, o: Any) -> Tensor:
        return self.matmul(o)

    def __rmatmul__(self, o: Any) -> Tensor:
        return self._other(o).matmul(self)

    def matmul(self, other: Tensor) -> Tensor:
        """Matrix product with NumPy/PyTorch semantics; shapes are checked with a clear message."""
        o = other
        if isinstance(o, TensorBase) and o._data.dtype == self._data.dtype:
            try:
                return L.MatMul.apply(self, o)
            except ValueError:
                pass  # explained below
        o = self._other(o)
        a, b = self._data, o._data
        if a.ndim == 0 or b.ndim == 0:
            raise RuntimeError(
                f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D"
            )
        ka = a.shape[-1]
        kb = b.shape[0] if b.ndim == 1 else b.shape[-2]
        if ka != kb:
            sa = "x".join(map(str, a.shape))
            sb = "x".join(map(str, b.shape))
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb}): inner dimensions "
                f"{ka} and {kb} differ"
            )
        if a.dtype != b.dtype:
            dt = _result_dtype(a, b)
            return L.MatMul.apply(self.type(dt), o.type(dt))
        try:
            return L.MatMul.apply(self, o)
        except ValueError:
            _raise_broadcast(a.shape[:-2], b.shape[:-2], "matmul batch dimensions", (a.shape, b.shape))
            raise

    def mm(self, mat2: Tensor) -> Tensor:
        """Matrix product of two matrices (as :meth:`matmul`)."""
        return self.matmul(mat2)

    def bmm(self, mat2: Tensor) -> Tensor:
        """Batched matrix product: out[b] = self[b] @ mat2[b] for (B, n, m) and (B, m, p) tensors."""
        a, b = self._data, mat2._data
        if a.ndim != 3 or b.ndim != 3:
            which = "batch1" if a.ndim != 3 else "batch2"
            raise RuntimeError(f"{which} must be a 3D tensor")
        if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
            raise RuntimeError(
                f"Expected size for first two dimensions of batch2 tensor to be: "
                f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}]."
            )
        self._same_dtype(mat2, "bmm")
        return LA.Bmm.apply(self, mat2)

    def dot(self, tensor: Tensor) -> Tensor:
        """Inner product of two 1-D tensors: sum_i x_i y_i."""
        a, b = self._data, tensor._data
        if a.ndim != 1 or b.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
        if a.shape[0] != b.shape[0]:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have "
                f"the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively"
            )
        self._same_dtype(tensor, "dot")
        return L.MatMul.apply(self, tensor)

    def _same_dtype(self, other: Tensor, name: str) -> None:
        if self._data.dtype != other._data.dtype:
            raise RuntimeError(
                f"expected m1 and m2 to have the same dtype, but got: {self.dtype} != {other.dtype}"
                if name == "bmm"
                else f"{name} : expected both vectors to have same dtype, but found {self.dtype} and "
                f"{other.dtype}"
            )

    def add(self, other: Any, *, alpha: float = 1) -> Tensor:
        """self + alpha * other."""
        return self + (other * alpha if alpha != 1 else other)

    def sub(self, other: Any, *, alpha: float = 1) -> Tensor:
        """self - alpha * other."""
        return self - (other * alpha if alpha != 1 else other)

    def mul(self, other: Any) -> Tensor:
        return self * other

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """self / other; ``rounding_mode`` "trunc" or "floor" rounds the quotient (not differentiated,
        as its derivative is 0 almost everywhere)."""
        if rounding_mode is None:
            return self / other
        if rounding_mode not in ("trunc", "floor"):
            raise RuntimeError(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                f"but found '{rounding_mode}'"
            )
        b = other._data if isinstance(other, TensorBase) else other
        a = self._data
        if a.dtype.kind in "biu" and np.asarray(b).dtype.kind in "biu":
            q = np.floor_divide(a, b) if rounding_mode == "floor" else np.trunc(np.true_divide(a, b))
            return self._make(np.asarray(q).astype(np.result_type(a, b)))
        with np.errstate(divide="ignore", invalid="ignore"):
            q = (self / other).detach()._data
        return self._make(np.floor(q) if rounding_mode == "floor" else np.trunc(q))

    def pow(self, exponent: Any) -> Tensor:
        return self**exponent

    def neg(self) -> Tensor:
        return U.Neg.apply(self)

    def square(self) -> Tensor:
        return self._pow_scalar(2)

    def maximum(self, other: Any) -> Tensor:
        return self._binary(other, B.Maximum)

    def minimum(self, other: Any) -> Tensor:
        return self._binary(other, B.Minimum)

    def __floordiv__(self, o: Any) -> Tensor:
        return self._make(np.asarray(np.floor_divide(self._data, self._arr(o))))

    def __mod__(self, o: Any) -> Tensor:
        return self._make(np.asarray(np.mod(self._data, self._arr(o))))
