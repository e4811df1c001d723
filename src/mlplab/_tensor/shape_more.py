"""More dimension handling and selection on ``Tensor``: movedim/moveaxis, swapaxes/swapdims,
ravel, flipud/fliplr, rot90, unflatten, broadcast_to, nonzero/argwhere, masked_select, take, and
the introspection methods (stride, is_contiguous, nbytes, ...) as a C-ordered NumPy array has them.

Each is written with the differentiable methods it amounts to (permute, reshape, flip, expand,
indexing), so its gradient is theirs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.tensor_base import bump_version
from .inplace_view import is_shared
from .shape import _one_dim, _shape_args

if TYPE_CHECKING:  # type hints only, never imported at run time (mlplab.tensor imports this)
    from ..tensor import Tensor


def _dims_list(d: Any) -> list[int]:
    return [int(d)] if isinstance(d, (int, np.integer)) else [int(i) for i in d]


class ShapeMoreMixin:
    """Dimension moves, flips, selections and introspection (mixed into ``Tensor``)."""

    __slots__ = ()

    def movedim(self, source: Any, destination: Any) -> Tensor:
        """Move dimensions ``source`` to positions ``destination``; the others keep their order."""
        n = self._data.ndim
        src = [_one_dim(d, n) for d in _dims_list(source)]
        dst = [_one_dim(d, n) for d in _dims_list(destination)]
        if len(src) != len(dst):
            raise RuntimeError(
                f"movedim: Invalid source or destination dims: source ({_dims_list(source)} dims) should "
                f"contain the same number of dims as destination ({_dims_list(destination)} dims)"
            )
        if len(set(src)) != len(src):
            raise RuntimeError(f"movedim: repeated dim in `source` ({_dims_list(source)})")
        if len(set(dst)) != len(dst):
            raise RuntimeError(f"movedim: repeated dim in `destination` ({_dims_list(destination)})")
        order = [d for d in range(n) if d not in src]
        for s, t in sorted(zip(dst, src)):
            order.insert(s, t)
        return self if order == list(range(n)) else self.permute(*order)

    moveaxis = movedim

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        """``transpose(axis0, axis1)`` (NumPy's name)."""
        return self.transpose(axis0, axis1)

    def swapdims(self, dim0: int, dim1: int) -> Tensor:
        """``transpose(dim0, dim1)``."""
        return self.transpose(dim0, dim1)

    def _transpose_(self, dim0: int, dim1: int, name: str) -> Tensor:
        """self becomes its transpose (its shape changes; the memory is the same)."""
        if self._records():
            if is_shared(self):
                raise RuntimeError(
                    f"{name}: mlplab does not support an in-place transpose of a tensor that shares its "
                    "memory with a view while recording (use the out-of-place form)"
                )
            r = self._old().transpose(dim0, dim1)
            bump_version(self)
            r.grad_fn.replaces = self.grad_fn
            self._data, self.grad_fn, self._requires_grad = r._data, r.grad_fn, True
            return self
        self._data = self._data.swapaxes(_one_dim(dim0, self._data.ndim), _one_dim(dim1, self._data.ndim))
        return self._changed()

    def t_(self) -> Tensor:
        """self <- self.t(), in place (at most 2-D)."""
        if self._data.ndim > 2:
            raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {self._data.ndim}D")
        return self._transpose_(0, -1 if self._data.ndim else 0, "t_")

    def swapaxes_(self, axis0: int, axis1: int) -> Tensor:
        """self <- self.transpose(axis0, axis1), in place."""
        return self._transpose_(axis0, axis1, "swapaxes_")

    def swapdims_(self, dim0: int, dim1: int) -> Tensor:
        """self <- self.transpose(dim0, dim1), in place."""
        return self._transpose_(dim0, dim1, "swapdims_")

    def ravel(self) -> Tensor:
        """The elements as one dimension (``reshape(-1)``)."""
        return self.reshape(-1)

    def flipud(self) -> Tensor:
        """Reverse dimension 0 (at least 1-D)."""
        if self._data.ndim < 1:
            raise RuntimeError("Input must be >= 1-d.")
        return self.flip(0)

    def fliplr(self) -> Tensor:
        """Reverse dimension 1 (at least 2-D)."""
        if self._data.ndim < 2:
            raise RuntimeError("Input must be >= 2-d.")
        return self.flip(1)

    def rot90(self, k: int = 1, dims: Any = (0, 1)) -> Tensor:
        """Rotate by 90 degrees ``k`` times in the plane ``dims``, from the first axis towards the second."""
        dims = list(dims)
        n = self._data.ndim
        if len(dims) != 2:
            raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
        if n < 2:
            raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
        a, b = _one_dim(dims[0], n), _one_dim(dims[1], n)
        if a == b:
            raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {a} and dim1 = {b}")
        k %= 4
        if k == 1:
            return self.flip(b).transpose(a, b)
        if k == 2:
            return self.flip(a, b)
        if k == 3:
            return self.flip(a).transpose(a, b)
        return self.clone()

    def unflatten(self, dim: int, sizes: Any) -> Tensor:
        """Split dimension ``dim`` into ``sizes`` (one of them may be -1)."""
        n = self._data.ndim
        d = _one_dim(dim, n)
        sizes = [int(s) for s in sizes]
        given = list(sizes)
        if not sizes:
            raise RuntimeError("unflatten: sizes must be non-empty")
        shape = list(self._data.shape)
        known = int(np.prod([s for s in sizes if s != -1]))
        if sizes.count(-1) > 1:
            raise RuntimeError("only one dimension can be inferred")
        if -1 in sizes:
            sizes[sizes.index(-1)] = shape[d] // known if known else 0
        if int(np.prod(sizes)) != shape[d]:
            raise RuntimeError(
                f"unflatten: Provided sizes {given} don't multiply up to the size of dim {dim} "
                f"({shape[d]}) in the input tensor"
            )
        return self.reshape(*shape[:d], *sizes, *shape[d + 1 :])

    def broadcast_to(self, *size: Any) -> Tensor:
        """``expand(size)``: the tensor seen with ``size`` (-1 keeps a dimension)."""
        return self.expand(*_shape_args(size))

    def tensor_split(self, tensor_indices_or_sections: Any, dim: int = 0) -> tuple:
        """Views along ``dim``: n sections (the first size % n one element longer) for an int n,
        or the pieces between the given indices for a list (or a 1-D tensor) of them."""
        d = _one_dim(dim, self._data.ndim)
        size = self._data.shape[d]
        s = tensor_indices_or_sections
        s = s._data.tolist() if hasattr(s, "_data") else s
        if isinstance(s, (int, np.integer)):
            if s <= 0:
                raise RuntimeError(f"number of sections must be larger than 0, got {s}")
            q, r = divmod(size, int(s))
            bounds = np.cumsum([0] + [q + 1] * r + [q] * (int(s) - r)).tolist()
        else:
            idx = [min(max(int(i) if i >= 0 else int(i) + size, 0), size) for i in s]
            bounds = [0, *idx, size]
        return tuple(self.narrow(d, a, max(b - a, 0)) for a, b in zip(bounds[:-1], bounds[1:]))

    def _split_nd(self, name: str, dim: int, need: int, sections: Any) -> tuple:
        if self._data.ndim < need:
            raise RuntimeError(
                f"torch.{name} requires a tensor with at least {need} dimension, but got a tensor with "
                f"{self._data.ndim} dimensions!"
            )
        if isinstance(sections, (int, np.integer)) and self._data.shape[dim] % sections:
            raise RuntimeError(
                f"torch.{name} attempted to split along dimension {dim}, but the size of the dimension "
                f"{self._data.shape[dim]} is not divisible by the split_size {sections}!"
            )
        return self.tensor_split(sections, dim)

    def hsplit(self, sections: Any) -> tuple:
        """``tensor_split`` along dimension 1 (0 for a 1-D tensor); an int must divide the size."""
        return self._split_nd("hsplit", 1 if self._data.ndim > 1 else 0, 1, sections)

    def vsplit(self, sections: Any) -> tuple:
        """``tensor_split`` along dimension 0 of a tensor of at least 2 dimensions."""
        return self._split_nd("vsplit", 0, 2, sections)

    def dsplit(self, sections: Any) -> tuple:
        """``tensor_split`` along dimension 2 of a tensor of at least 3 dimensions."""
        return self._split_nd("dsplit", 2, 3, sections)

    # ------------------------------------------------------------------ selection
    def nonzero(self, *, as_tuple: bool = False) -> Any:
        """The indices of the nonzero elements: an (n, ndim) int64 tensor, or with ``as_tuple`` one
        1-D tensor per dimension (a 0-d input counts as 1-D)."""
        a = self._data
        if as_tuple:
            return tuple(self._make(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(a)))
        return self._make(np.argwhere(a).astype(np.int64))

    def argwhere(self) -> Tensor:
        """``nonzero()``: the indices of the nonzero elements, one row each."""
        return self.nonzero()

    def masked_select(self, mask: Tensor) -> Tensor:
        """The elements where ``mask`` (broadcast with self) is True, as a 1-D tensor."""
        m = mask._data if hasattr(mask, "_data") else np.asarray(mask)
        if m.dtype != np.bool_:
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        shape = np.broadcast_shapes(self._data.shape, m.shape)
        x = self if self._data.shape == shape else self.expand(*shape)
        return x[self._make(np.broadcast_to(m, shape))]

    def take(self, index: Tensor) -> Tensor:
        """The elements of the flattened tensor at ``index`` (result shaped like ``index``)."""
        i = index._data
        if i.dtype != np.int64:
            names = {"int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
            t = names.get(
                i.dtype.name, {"float32": "Float", "float64": "Double"}.get(i.dtype.name, i.dtype.name)
            )
            raise RuntimeError(f"take(): Expected a long tensor for index, but got {t}")
        n = self._data.size
        if i.size and (i.max() >= n or i.min() < -n):
            bad = int(i.max()) if i.max() >= n else int(i.min())
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
        return self.reshape(-1)[self._make(i % max(n, 1))]

    # ------------------------------------------------------------------ introspection
    def stride(self, dim: int | None = None) -> Any:
        """Elements to step in memory per index of each dimension (a C-ordered array's)."""
        a = self._data
        st = tuple(s // a.itemsize for s in a.strides)
        return st if dim is None else st[_one_dim(dim, a.ndim)]

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """True when the elements lie in C order without gaps."""
        return bool(self._data.flags.c_contiguous)

    def storage_offset(self) -> int:
        """Elements between the start of the memory the array views and its first element."""
        a = self._data
        b = a
        while isinstance(b.base, np.ndarray):
            b = b.base
        start = b.__array_interface__["data"][0]
        return (a.__array_interface__["data"][0] - start) // a.itemsize

    @property
    def nbytes(self) -> int:
        """The number of bytes of the elements."""
        return int(self._data.nbytes)

    @property
    def itemsize(self) -> int:
        """The bytes of one element."""
        return int(self._data.itemsize)

    def ndimension(self) -> int:
        """``dim()``: the number of dimensions."""
        return self._data.ndim

    def is_signed(self) -> bool:
        """True for signed dtypes (floats and signed integers; not uint8 or bool)."""
        return self._data.dtype.kind in "fi"

    def is_nonzero(self) -> bool:
        """The one element's truth (a tensor of one element only)."""
        if self._data.size == 0:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
        if self._data.size > 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def is_same_size(self, other: Tensor) -> bool:
        """True when both shapes are equal."""
        return self._data.shape == other._data.shape

    def data_ptr(self) -> int:
        """The address of the first element."""
        return int(self._data.__array_interface__["data"][0])

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf tensor whose ``retain_grad()`` was called."""
        fn = self.grad_fn
        return fn is not None and getattr(fn, "retained_output", None) is self
