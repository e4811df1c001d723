"""``Tensor``: a NumPy array with PyTorch's surface and reverse-mode autograd.

The array lives in ``_data``; ``.data`` returns a detached Tensor sharing it (as PyTorch), so
``w.data = ...`` and ``w.data.zero_()`` work as in the notes. Every differentiable method is a thin
call into one ``Function`` in :mod:`mlplab.ops`.
"""

from __future__ import annotations

import numbers
from collections import namedtuple
from typing import Any

import numpy as np

from . import _dtype
from . import _format as _fmt
from . import random as _random
from .autograd import engine, function, grad_mode
from .ops import binary as B
from .ops import reduce as R
from .ops import shape as S
from .ops import unary as U

_gstate = grad_mode.state
_SWAP = (1, 0)
_ndarray = np.ndarray
_Number = numbers.Number


class _ValuesIndices(namedtuple("_ValuesIndices", ["values", "indices"])):
    """``(values, indices)`` of ``max(dim)``/``min(dim)``, printed as PyTorch prints it."""

    __slots__ = ()
    op = "max"

    def __repr__(self) -> str:
        return f"mlplab.return_types.{self.op}(\nvalues={self.values!r},\nindices={self.indices!r})"


class MaxResult(_ValuesIndices):
    __slots__ = ()


class MinResult(_ValuesIndices):
    __slots__ = ()
    op = "min"


class Size(tuple):
    """Tensor shape: a tuple that prints as ``mlplab.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"mlplab.Size({list(self)})"

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))


class Cast(function.Function):
    """y = x converted to another float dtype;  dL/dx = dL/dy converted back."""

    bw_name = "ToCopyBackward0"

    def forward(self, x, dt):
        self.dt = x.dtype
        return x.astype(dt)

    def backward(self, g):
        return g.astype(self.dt)


class Clone(function.Function):
    """y = copy of x;  dL/dx = dL/dy."""

    def forward(self, x):
        return x.copy()

    def backward(self, g):
        return g


def _norm_dim(dim: Any, ndim: int) -> tuple | None:
    """Normalise ``dim`` (None, int, or sequence) to a tuple of non-negative axes."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    if not dims:
        return None  # dim=() reduces over every dimension, as in PyTorch
    out = []
    for d in dims:
        d = int(d)
        n = max(ndim, 1)
        if not -n <= d < n:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})"
            )
        out.append(d % n if ndim else 0)
    return tuple(out) if ndim else None


def _one_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n


def _shape_args(args: tuple) -> tuple:
    if len(args) == 1 and isinstance(args[0], (tuple, list, Size)):
        return tuple(int(a) for a in args[0])
    return tuple(int(a) for a in args)


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


def _key_to_numpy(key: Any) -> tuple[Any, bool]:
    """Convert an index key (Tensors, lists, ranges allowed) to NumPy's, flagging advanced indexing."""
    if isinstance(key, tuple):
        parts = []
        adv = False
        for k in key:
            k2, a = _key_to_numpy(k)
            parts.append(k2)
            adv = adv or a
        return tuple(parts), adv
    if isinstance(key, Tensor):
        return key._data, True
    if isinstance(key, (list, range)):
        arr = np.asarray([k._data if isinstance(k, Tensor) else k for k in key])
        return arr, True
    if isinstance(key, np.ndarray):
        return key, True
    return key, False


class Tensor:
    """A multi-dimensional array with autograd (see module docstring)."""

    __slots__ = ("_data", "_rg", "grad", "grad_fn", "__weakref__")
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
        self._rg = False
        self.grad = None
        self.grad_fn = None
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _make(arr: np.ndarray, requires_grad: bool = False) -> Tensor:
        t = Tensor.__new__(Tensor)
        t._data = arr
        t._rg = requires_grad
        t.grad = None
        t.grad_fn = None
        return t

    # ------------------------------------------------------------------ attributes
    @property
    def requires_grad(self) -> bool:
        return self._rg

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
        self._rg = bool(requires_grad)
        return self

    @property
    def data(self) -> Tensor:
        """A detached tensor sharing this tensor's array (in-place changes show through)."""
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
    def device(self) -> str:
        return "cpu"

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:  # noqa: N802 - PyTorch's name
        n = self._data.ndim
        if n == 2:
            return S.Permute.apply1(self, _SWAP)
        return S.Permute.apply1(self, tuple(range(n - 1, -1, -1)))

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
        return self._data.reshape(()).item()

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        if self._rg:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
            )
        return self._data

    def tolist(self) -> Any:
        return self._data.tolist()

    def detach(self) -> Tensor:
        """A new leaf sharing the array, cut from the graph."""
        return Tensor._make(self._data)

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._rg = False
        return self

    def clone(self) -> Tensor:
        return Clone.apply1(self)

    def contiguous(self) -> Tensor:
        return self

    def cpu(self) -> Tensor:
        return self

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """Convert to a dtype (devices other than 'cpu' are refused)."""
        dt = kwargs.get("dtype")
        for a in args:
            if isinstance(a, _dtype.dtype):
                dt = a
            elif isinstance(a, Tensor):
                dt = a.dtype
            elif isinstance(a, str) and a != "cpu":
                raise RuntimeError(f"mlplab runs on the CPU only; got device {a!r}")
        return self if dt is None else self.type(dt)

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            return f"mlplab.{self.dtype.name}"
        npd = _dtype.to_np(dtype)
        if npd == self._data.dtype:
            return self
        if self._rg and npd.kind == "f":
            return Cast.apply1(self, npd)
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
        self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False
    ) -> None:
        """Accumulate d(self)/d(leaf) into each leaf's ``.grad`` (``gradient`` for non-scalars)."""
        if create_graph:
            raise NotImplementedError("mlplab does not support higher-order gradients (create_graph=True)")
        engine.backward(self, gradient, bool(retain_graph))

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn.retained = self

    # ------------------------------------------------------------------ conversion helpers
    def _other(self, o: Any) -> Tensor:
        if isinstance(o, Tensor):
            return o
        if isinstance(o, _Number) or isinstance(o, np.generic):
            return Tensor._make(_scalar_array(o, self._data.dtype))
        return Tensor._make(_to_array(o, None))

    def _binary(self, o: Any, fn: type, reverse: bool = False) -> Tensor:
        if isinstance(o, Tensor):
            a, b = (o, self) if reverse else (self, o)
            if a._data.dtype == b._data.dtype:
                try:
                    return fn.apply2(a, b)
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
            return fn.apply2(a, b)
        except ValueError:
            _raise_broadcast(a._data.shape, b._data.shape, fn.__name__)
            raise

    # ------------------------------------------------------------------ arithmetic
    # A float tensor with a Python int/float takes a one-tensor Function (no 0-d array, no
    # broadcasting in backward); NumPy keeps float32 with a Python scalar, as PyTorch does.
    def __add__(self, o: Any) -> Tensor:
        if (type(o) is float or type(o) is int) and self._data.dtype.kind == "f":
            return B.AddScalar.apply1(self, o)
        return self._binary(o, B.Add)

    def __radd__(self, o: Any) -> Tensor:
        if (type(o) is float or type(o) is int) and self._data.dtype.kind == "f":
            return B.AddScalar.apply1(self, o)
        return self._binary(o, B.Add, True)

    def __sub__(self, o: Any) -> Tensor:
        if (type(o) is float or type(o) is int) and self._data.dtype.kind == "f":
            return B.SubScalar.apply1(self, o)
        return self._binary(o, B.Sub)

    def __rsub__(self, o: Any) -> Tensor:
        if (type(o) is float or type(o) is int) and self._data.dtype.kind == "f":
            return B.RSubScalar.apply1(self, o)
        return self._binary(o, B.Sub, True)

    def __mul__(self, o: Any) -> Tensor:
        if (type(o) is float or type(o) is int) and self._data.dtype.kind == "f":
            return B.MulScalar.apply1(self, o)
        return self._binary(o, B.Mul)

    def __rmul__(self, o: Any) -> Tensor:
        if (type(o) is float or type(o) is int) and self._data.dtype.kind == "f":
            return B.MulScalar.apply1(self, o)
        return self._binary(o, B.Mul, True)

    def __truediv__(self, o: Any) -> Tensor:
        if self._data.dtype.kind != "f":
            if not (isinstance(o, Tensor) and o._data.dtype.kind == "f"):
                return self.type(_dtype.get_default_dtype())._binary(o, B.Div)
        elif type(o) is float or type(o) is int:
            return B.DivScalar.apply1(self, o)
        return self._binary(o, B.Div)

    def __rtruediv__(self, o: Any) -> Tensor:
        if self._data.dtype.kind != "f":
            return self.type(_dtype.get_default_dtype()).__rtruediv__(o)
        if type(o) is float or type(o) is int:
            return B.RDivScalar.apply1(self, o)
        return self._binary(o, B.Div, True)

    def __pow__(self, o: Any) -> Tensor:
        if isinstance(o, _Number) and not isinstance(o, bool):
            if self._data.dtype.kind != "f" and isinstance(o, float):
                return self.type(_dtype.get_default_dtype())._pow_scalar(o)
            return self._pow_scalar(o)
        return self._binary(o, B.Pow)

    def _pow_scalar(self, p: Any) -> Tensor:
        return B.PowScalar.apply1(self, p)

    def __rpow__(self, o: Any) -> Tensor:
        if isinstance(o, _Number) and not isinstance(o, bool):
            x = self
            if self._data.dtype.kind != "f" and not isinstance(o, (int, np.integer)):
                x = self.type(_dtype.get_default_dtype())
            return B.RPowScalar.apply1(x, o)
        return self._binary(o, B.Pow, True)

    def __neg__(self) -> Tensor:
        return U.Neg.apply1(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return U.Abs.apply1(self)

    def __matmul__(self, o: Any) -> Tensor:
        return self.matmul(o)

    def __rmatmul__(self, o: Any) -> Tensor:
        return self._other(o).matmul(self)

    def matmul(self, o: Tensor) -> Tensor:
        """Matrix product with NumPy/PyTorch semantics; shapes are checked with a clear message."""
        if isinstance(o, Tensor) and o._data.dtype == self._data.dtype:
            try:
                return B.MatMul.apply2(self, o)
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
            return B.MatMul.apply2(self.type(dt), o.type(dt))
        try:
            return B.MatMul.apply2(self, o)
        except ValueError:
            _raise_broadcast(a.shape[:-2], b.shape[:-2], "matmul batch dimensions", (a.shape, b.shape))
            raise

    mm = matmul

    def add(self, o: Any, alpha: float = 1) -> Tensor:
        return self + (o * alpha if alpha != 1 else o)

    def sub(self, o: Any, alpha: float = 1) -> Tensor:
        return self - (o * alpha if alpha != 1 else o)

    def mul(self, o: Any) -> Tensor:
        return self * o

    def div(self, o: Any) -> Tensor:
        return self / o

    def pow(self, o: Any) -> Tensor:
        return self**o

    def neg(self) -> Tensor:
        return U.Neg.apply1(self)

    def square(self) -> Tensor:
        return self._pow_scalar(2)

    def maximum(self, o: Any) -> Tensor:
        return self._binary(o, B.Maximum)

    def minimum(self, o: Any) -> Tensor:
        return self._binary(o, B.Minimum)

    # ------------------------------------------------------------------ unary
    def _f(self) -> Tensor:
        return self if self._data.dtype.kind == "f" else self.type(_dtype.get_default_dtype())

    def exp(self) -> Tensor:
        return U.Exp.apply1(self if self._data.dtype.kind == "f" else self._f())

    def log(self) -> Tensor:
        return U.Log.apply1(self if self._data.dtype.kind == "f" else self._f())

    def sqrt(self) -> Tensor:
        return U.Sqrt.apply1(self if self._data.dtype.kind == "f" else self._f())

    def abs(self) -> Tensor:
        return U.Abs.apply1(self)

    def sin(self) -> Tensor:
        return U.Sin.apply1(self if self._data.dtype.kind == "f" else self._f())

    def cos(self) -> Tensor:
        return U.Cos.apply1(self if self._data.dtype.kind == "f" else self._f())

    def tanh(self) -> Tensor:
        return U.Tanh.apply1(self if self._data.dtype.kind == "f" else self._f())

    def sigmoid(self) -> Tensor:
        return U.Sigmoid.apply1(self if self._data.dtype.kind == "f" else self._f())

    def relu(self) -> Tensor:
        return U.Relu.apply1(self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 - PyTorch's names
        """Limit values to [min, max]; the gradient is 1 inside the bounds (inclusive), 0 outside."""
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        return U.Clamp.apply1(self, min, max)

    clip = clamp

    # Piecewise-constant functions: their derivative is 0 almost everywhere, so the result is
    # not recorded in the graph (PyTorch records a zero gradient; the leaves' grads agree).
    def sign(self) -> Tensor:
        """-1, 0 or 1 elementwise (not differentiated)."""
        return Tensor._make(np.sign(self._data))

    def round(self, decimals: int = 0) -> Tensor:
        """Round half to even, as PyTorch (not differentiated)."""
        return Tensor._make(np.round(self._data, decimals))

    def floor(self) -> Tensor:
        return Tensor._make(np.floor(self._data))

    def ceil(self) -> Tensor:
        return Tensor._make(np.ceil(self._data))

    def __floordiv__(self, o: Any) -> Tensor:
        return Tensor._make(np.asarray(np.floor_divide(self._data, self._arr(o))))

    def __mod__(self, o: Any) -> Tensor:
        return Tensor._make(np.asarray(np.mod(self._data, self._arr(o))))

    def gather(self, dim: int, index: Tensor) -> Tensor:
        """Pick ``self[i][index[i][j]]`` along ``dim`` (``log_probs.gather(1, y.unsqueeze(1))``)."""
        idx = index._data if isinstance(index, Tensor) else np.asarray(index)
        n = self._data.ndim
        if idx.dtype.kind not in "iu":
            raise RuntimeError(f"gather(): Expected dtype int64 for index, got {idx.dtype}")
        if idx.ndim != n:
            raise RuntimeError(
                f"Index tensor must have the same number of dimensions as input tensor "
                f"(index shape {tuple(idx.shape)}, input shape {tuple(self._data.shape)})"
            )
        d = _one_dim(dim, n)
        bad = [k for k in range(n) if k != d and idx.shape[k] > self._data.shape[k]]
        if bad:
            raise RuntimeError(
                f"Size does not match at dimension {bad[0]} expected index {list(idx.shape)} to be "
                f"smaller than self {list(self._data.shape)} apart from dimension {d}"
            )
        try:
            return S.Gather.apply1(self, d, idx)
        except IndexError as e:
            raise RuntimeError(f"gather(): {e} (input shape {tuple(self._data.shape)})") from None

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """``value`` where ``mask`` is True, self elsewhere; the gradient flows where mask is False."""
        m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
        if m.dtype != np.bool_:
            raise RuntimeError(f"masked_fill only supports boolean masks, but got mask with dtype {m.dtype}")
        v = value if isinstance(value, Tensor) else Tensor._make(_scalar_array(value, self._data.dtype))
        if v._data.dtype != self._data.dtype:
            v = v.type(self.dtype)
        out = B.Where.apply(Tensor._make(m), v, self)
        if out._data.shape != self._data.shape:
            raise RuntimeError(
                f"masked_fill: mask of shape {tuple(m.shape)} does not broadcast to the tensor's shape "
                f"{tuple(self._data.shape)}"
            )
        return out

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        """In-place :meth:`masked_fill` (recorded when a graph is being built)."""
        if self._records(value):
            return self._rebind(self._old().masked_fill(mask, value))
        m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
        self._data[np.broadcast_to(m, self._data.shape)] = self._arr(value)
        return self

    def softmax(self, dim: int) -> Tensor:
        from .nn import functional as F

        return F.softmax(self, dim)

    def log_softmax(self, dim: int) -> Tensor:
        from .nn import functional as F

        return F.log_softmax(self, dim)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        """Sum of elements over ``dim`` (all when None)."""
        x = self if dtype is None else self.type(dtype)
        if x._data.dtype.kind == "b":
            x = x.long()
        return R.Sum.apply1(x, _norm_dim(dim, x._data.ndim), keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        """Arithmetic mean over ``dim`` (floating tensors only, as PyTorch)."""
        x = self if dtype is None else self.type(dtype)
        if x._data.dtype.kind != "f":
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be either a floating point "
                f"or complex dtype. Got: {x.dtype.name}"
            )
        return R.Mean.apply1(x, _norm_dim(dim, x._data.ndim), keepdim)

    def _correction(self, unbiased: Any, correction: Any) -> Any:
        if correction is not None:
            return correction
        return 1 if unbiased is None or unbiased else 0

    def var(
        self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *, correction: Any = None
    ) -> Tensor:
        """Variance over ``dim`` (all elements when None): sum (x - mean)^2 / (N - correction).

        Unbiased (N - 1, Bessel's correction) unless ``unbiased=False`` or ``correction=0``;
        ``x.var(False)`` is the biased variance of all elements, as in PyTorch.
        """
        if isinstance(dim, bool):
            dim, unbiased = None, dim
        c = self._correction(unbiased, correction)
        return R.Var.apply1(self._f(), _norm_dim(dim, self._data.ndim), c, keepdim)

    def std(
        self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *, correction: Any = None
    ) -> Tensor:
        """Standard deviation: sqrt of :meth:`var` (same arguments)."""
        if isinstance(dim, bool):
            dim, unbiased = None, dim
        c = self._correction(unbiased, correction)
        return R.Std.apply1(self._f(), _norm_dim(dim, self._data.ndim), c, keepdim)

    def _maxmin(self, dim: Any, keepdim: bool, is_min: bool) -> Any:
        if isinstance(dim, Tensor):
            return self.minimum(dim) if is_min else self.maximum(dim)
        if self._data.size == 0:
            raise RuntimeError("max(): Expected reduction dim to be specified for input.numel() == 0.")
        if dim is None:
            return (R.MinAll if is_min else R.MaxAll).apply1(self, None, False)
        d = _one_dim(dim, self._data.ndim)
        x = self if self._data.ndim else self.reshape(1)
        keep = keepdim and self._data.ndim > 0
        a = x._data
        idx = (a.argmin if is_min else a.argmax)(axis=d, keepdims=True)
        vals = (R.MinDim if is_min else R.MaxDim).apply1(x, d, keep, idx)
        if not keep:
            idx = idx.squeeze(d)
        if idx.dtype != np.int64:
            idx = idx.astype(np.int64)
        return (MinResult if is_min else MaxResult)(vals, Tensor._make(idx))

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """Largest element, or ``(values, indices)`` along ``dim``, or ``maximum`` with a tensor."""
        return self._maxmin(dim, keepdim, False)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """Smallest element, or ``(values, indices)`` along ``dim``, or ``minimum`` with a tensor."""
        return self._maxmin(dim, keepdim, True)

    def amax(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return R.AMax.apply1(self, _norm_dim(dim, self._data.ndim), keepdim)

    def amin(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return R.AMin.apply1(self, _norm_dim(dim, self._data.ndim), keepdim)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        """log(sum(exp(x))) over ``dim``, computed stably by shifting by the maximum."""
        return R.LogSumExp.apply1(self._f(), _norm_dim(dim, self._data.ndim), keepdim)

    def norm(self, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Vector p-norm over ``dim`` (all elements when None); ``p='fro'`` is the 2-norm."""
        if p == "fro" or p is None:
            p = 2
        if isinstance(p, str):
            raise ValueError(f"norm: unsupported p={p!r}; use a number, inf or 'fro'")
        return R.Norm.apply1(self._f(), float(p), _norm_dim(dim, self._data.ndim), keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the largest element (flattened when ``dim`` is None)."""
        if dim is None:
            return Tensor._make(np.asarray(np.argmax(self._data), dtype=np.int64))
        return Tensor._make(_argext(self._data, _one_dim(dim, self._data.ndim), keepdim, False))

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        if dim is None:
            return Tensor._make(np.asarray(np.argmin(self._data), dtype=np.int64))
        return Tensor._make(_argext(self._data, _one_dim(dim, self._data.ndim), keepdim, True))

    def all(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return Tensor._make(np.asarray(np.all(self._data, axis=dim, keepdims=keepdim)))

    def any(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return Tensor._make(np.asarray(np.any(self._data, axis=dim, keepdims=keepdim)))

    # ------------------------------------------------------------------ comparisons (no grad)
    def _cmp(self, o: Any, op: Any) -> Tensor:
        b = o._data if isinstance(o, Tensor) else o
        try:
            return Tensor._make(np.asarray(op(self._data, b)))
        except ValueError:
            _raise_broadcast(self._data.shape, np.shape(b), op.__name__)
            raise

    def __lt__(self, o: Any) -> Tensor:
        return self._cmp(o, np.less)

    def __le__(self, o: Any) -> Tensor:
        return self._cmp(o, np.less_equal)

    def __gt__(self, o: Any) -> Tensor:
        return self._cmp(o, np.greater)

    def __ge__(self, o: Any) -> Tensor:
        return self._cmp(o, np.greater_equal)

    def __eq__(self, o: Any) -> Tensor:  # type: ignore[override]
        return self._cmp(o, np.equal)

    def __ne__(self, o: Any) -> Tensor:  # type: ignore[override]
        return self._cmp(o, np.not_equal)

    def __invert__(self) -> Tensor:
        return Tensor._make(~self._data)

    def __and__(self, o: Any) -> Tensor:
        return self._cmp(o, np.bitwise_and)

    def __or__(self, o: Any) -> Tensor:
        return self._cmp(o, np.bitwise_or)

    lt, le, gt, ge, eq, ne = __lt__, __le__, __gt__, __ge__, __eq__, __ne__

    def equal(self, o: Tensor) -> bool:
        return self._data.shape == o._data.shape and bool(np.array_equal(self._data, o._data))

    def allclose(self, o: Tensor, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
        return bool(np.allclose(self._data, o._data, rtol=rtol, atol=atol))

    def isnan(self) -> Tensor:
        return Tensor._make(np.isnan(self._data))

    def isfinite(self) -> Tensor:
        return Tensor._make(np.isfinite(self._data))

    __hash__ = object.__hash__

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> Tensor:
        """Same elements in a new shape (one dimension may be -1)."""
        shp = _shape_args(shape)
        try:
            return S.Reshape.apply1(self, shp)
        except ValueError:
            raise RuntimeError(
                f"shape '{list(shp)}' is invalid for input of size {self._data.size}"
            ) from None

    view = reshape

    def view_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    reshape_as = view_as

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dimensions start_dim..end_dim into one."""
        shp = self._data.shape
        if not shp:
            return self.reshape(1)
        s = _one_dim(start_dim, len(shp))
        e = _one_dim(end_dim, len(shp))
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        new = shp[:s] + (int(np.prod(shp[s : e + 1], dtype=np.int64)),) + shp[e + 1 :]
        return S.Reshape.apply1(self, new)

    def permute(self, *dims: Any) -> Tensor:
        d = _shape_args(dims)
        n = self._data.ndim
        if len(d) != n:
            raise RuntimeError(
                f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal "
                f"to len(dims) = {len(d)}"
            )
        return S.Permute.apply1(self, tuple(_one_dim(x, n) for x in d))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        n = self._data.ndim
        axes = list(range(n))
        a, b = _one_dim(dim0, n), _one_dim(dim1, n)
        axes[a], axes[b] = axes[b], axes[a]
        return S.Permute.apply1(self, tuple(axes))

    def t(self) -> Tensor:
        if self._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self._data.ndim}D")
        return self.T

    def unsqueeze(self, dim: int) -> Tensor:
        n = self._data.ndim + 1
        d = _one_dim(dim, n)
        shp = self._data.shape
        return S.Reshape.apply1(self, shp[:d] + (1,) + shp[d:])

    def squeeze(self, dim: Any = None) -> Tensor:
        shp = self._data.shape
        if dim is None:
            return S.Reshape.apply1(self, tuple(s for s in shp if s != 1))
        dims = _norm_dim(dim, len(shp)) or ()
        return S.Reshape.apply1(self, tuple(s for i, s in enumerate(shp) if not (i in dims and s == 1)))

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to a larger shape without copying (-1 keeps a size)."""
        shp = _shape_args(sizes)
        cur = (1,) * (len(shp) - self._data.ndim) + self._data.shape
        target = tuple(c if s == -1 else s for s, c in zip(shp, cur))
        try:
            return S.Expand.apply1(self, target)
        except ValueError:
            raise RuntimeError(
                f"The expanded size of the tensor ({list(shp)}) must match the existing size "
                f"({list(self._data.shape)}) at each non-singleton dimension"
            ) from None

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def __getitem__(self, key: Any) -> Tensor:
        k, adv = _key_to_numpy(key)
        try:
            return S.Index.apply1(self, k, adv)
        except IndexError as e:
            raise IndexError(f"{e} (indexing a tensor of shape {tuple(self._data.shape)})") from None

    def __setitem__(self, key: Any, value: Any) -> None:
        k, adv = _key_to_numpy(key)
        if self._records(value):
            v = self._other(value)
            if v._data.dtype != self._data.dtype:
                v = v.type(self.dtype)
            self._rebind(S.SetItem.apply(self._old(), v, k))
            return
        self._data[k] = value._data if isinstance(value, Tensor) else value

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):  # type: ignore[no-untyped-def]
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        for i in range(self._data.shape[0]):
            yield self[i]

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self._data.size} values is ambiguous")
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

    # ------------------------------------------------------------------ in place
    # In-place ops change the array itself when no graph needs recording (the optimiser's
    # ``w -= lr * w.grad`` under no_grad). When one must be recorded (self is a non-leaf that
    # requires grad, or the other operand requires grad), the op runs out of place and ``self``
    # is rebound to the result, which is what PyTorch's in-place ops on non-leaves amount to.
    # In-place on a leaf that requires grad is refused outside no_grad, as in PyTorch.

    def _check_inplace(self) -> None:
        if self._rg and _gstate.enabled:
            if self.grad_fn is None:
                raise RuntimeError(
                    "a leaf Variable that requires grad is being used in an in-place operation."
                )
            raise RuntimeError(
                f"this in-place operation on a tensor that is part of an autograd graph "
                f"(grad_fn=<{self.grad_fn.name()}>) is not supported by mlplab; use the out-of-place form"
            )

    def _records(self, *others: Any) -> bool:
        """True when an in-place op on self with ``others`` must be recorded in the graph."""
        if not _gstate.enabled:
            return False
        if self._rg:
            if self.grad_fn is None:
                raise RuntimeError(
                    "a leaf Variable that requires grad is being used in an in-place operation."
                )
            return True
        for o in others:
            if isinstance(o, Tensor) and o._rg:
                return True
        return False

    def _rebind(self, result: Tensor) -> Tensor:
        """Make self the (recorded) result of an in-place op, keeping self's dtype and shape."""
        if result._data.dtype != self._data.dtype:
            result = result.type(self.dtype)
        if result._data.shape != self._data.shape:
            raise RuntimeError(
                f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                f"{list(result._data.shape)}"
            )
        self._data = result._data
        self._rg = result._rg
        self.grad_fn = result.grad_fn
        return self

    def _old(self) -> Tensor:
        """A handle on self's current value and graph node (the input of a recorded in-place op)."""
        t = Tensor._make(self._data, self._rg)
        t.grad_fn = self.grad_fn
        return t

    @staticmethod
    def _arr(o: Any) -> Any:
        return o._data if isinstance(o, Tensor) else o

    def add_(self, o: Any, alpha: float = 1) -> Tensor:
        """self += alpha * o, in place."""
        if self._records(o):
            return self._rebind(self._old().add(o, alpha=alpha))
        o = o._data if isinstance(o, Tensor) else o
        np.add(self._data, o if alpha == 1 else o * alpha, out=self._data, casting="unsafe")
        return self

    def sub_(self, o: Any, alpha: float = 1) -> Tensor:
        """self -= alpha * o, in place."""
        if self._records(o):
            return self._rebind(self._old().sub(o, alpha=alpha))
        o = o._data if isinstance(o, Tensor) else o
        np.subtract(self._data, o if alpha == 1 else o * alpha, out=self._data, casting="unsafe")
        return self

    def mul_(self, o: Any) -> Tensor:
        """self *= o, in place."""
        if self._records(o):
            return self._rebind(self._old() * o)
        np.multiply(self._data, o._data if isinstance(o, Tensor) else o, out=self._data, casting="unsafe")
        return self

    def div_(self, o: Any) -> Tensor:
        """self /= o, in place."""
        if self._records(o):
            return self._rebind(self._old() / o)
        np.divide(self._data, o._data if isinstance(o, Tensor) else o, out=self._data, casting="unsafe")
        return self

    def __iadd__(self, o: Any) -> Tensor:
        return self.add_(o)

    def __isub__(self, o: Any) -> Tensor:
        return self.sub_(o)

    def __imul__(self, o: Any) -> Tensor:
        return self.mul_(o)

    def __itruediv__(self, o: Any) -> Tensor:
        return self.div_(o)

    def addcmul_(self, a: Any, b: Any, value: float = 1) -> Tensor:
        """self += value * a * b."""
        if self._records(a, b):
            return self._rebind(self._old() + value * (self._other(a) * b))
        self._data += value * (self._arr(a) * self._arr(b))
        return self

    def addcdiv_(self, a: Any, b: Any, value: float = 1) -> Tensor:
        """self += value * a / b."""
        if self._records(a, b):
            return self._rebind(self._old() + value * (self._other(a) / b))
        self._data += value * (self._arr(a) / self._arr(b))
        return self

    def copy_(self, src: Any) -> Tensor:
        """Copy values from ``src`` (broadcast to this shape) into this tensor."""
        s = self._arr(src)
        try:
            b = np.broadcast_to(s, self._data.shape)
        except ValueError:
            raise RuntimeError(
                f"copy_: source of shape {tuple(np.shape(s))} cannot be broadcast to destination "
                f"of shape {tuple(self._data.shape)}"
            ) from None
        if self._records(src):
            src = self._other(src)
            return self._rebind(self._old() * 0 + src.expand(self._data.shape))
        np.copyto(self._data, b, casting="unsafe")
        return self

    def fill_(self, value: Any) -> Tensor:
        """Set every element to ``value``."""
        if self._records(value):
            return self._rebind(self._old() * 0 + value)
        self._data.fill(self._arr(value))
        return self

    def zero_(self) -> Tensor:
        """Set every element to 0."""
        if self._records():
            return self._rebind(self._old() * 0)
        self._data.fill(0)
        return self

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Limit the values to [min, max] in place."""
        if self._records():
            return self._rebind(self._old().clamp(min, max))
        np.clip(self._data, min, max, out=self._data)
        return self

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
        """Fill with samples from U(a, b)."""
        self._check_inplace()
        r = _random.rng(generator)
        self._data[...] = r.uniform(a, b, self._data.shape)
        return self

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
        """Fill with samples from N(mean, std^2)."""
        self._check_inplace()
        r = _random.rng(generator)
        self._data[...] = r.normal(mean, std, self._data.shape)
        return self

    def bernoulli_(self, p: float = 0.5, generator: Any = None) -> Tensor:
        self._check_inplace()
        self._data[...] = _random.rng(generator).random(self._data.shape) < p
        return self

    # ------------------------------------------------------------------ printing
    def __repr__(self) -> str:
        return _format(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return repr(self)


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
        self._rg = False
        self.grad = None
        self.grad_fn = None
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + _format(self)


def _argext(a: np.ndarray, dim: int, keepdim: bool, is_min: bool) -> np.ndarray:
    f = np.argmin if is_min else np.argmax
    return np.asarray(f(a, axis=dim, keepdims=keepdim), dtype=np.int64)


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
    elif t._rg:
        suffixes.append("requires_grad=True")
    return _fmt.add_suffixes("tensor(" + _fmt.array_str(a, 7), suffixes, 7)


function._Tensor = Tensor
