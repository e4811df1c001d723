"""Indexing of ``Tensor``: ``x[key]`` (basic and advanced, incl. ``x[range(n), y]``),
``x[key] = v``, ``len``/iteration, ``gather``, ``take_along_dim`` and ``masked_fill``."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.tensor_base import TensorBase, bump_version
from ..autograd.view_bases import overlaps, writable
from ..ops import arithmetic as B
from ..ops import shape as S
from .arith import _scalar_array
from .inplace_view import _OVERLAP
from .shape import _dim_and_index, _one_dim

# PyTorch's names of NumPy dtypes, for its messages
_INDEX_PUT_EXPANDED = (
    "Use of index_put_ on expanded tensors is deprecated. Please clone() the tensor before "
    "performing this operation. This also applies to advanced indexing e.g. tensor[indices] = tensor"
)
_TORCH_TYPE = {
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "float32": "Float",
    "float64": "Double",
    "bool": "Bool",
}

if TYPE_CHECKING:  # type hints only, never imported at run time (mlplab.tensor imports this)
    from ..tensor import Tensor


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
    if isinstance(key, TensorBase):
        return key._data, True
    if isinstance(key, (list, range)):
        arr = np.asarray([k._data if isinstance(k, TensorBase) else k for k in key])
        return arr, True
    if isinstance(key, np.ndarray):
        return key, True
    return key, False


class IndexMixin:
    """Indexing, item assignment, iteration, gather and masked_fill (mixed into ``Tensor``)."""

    __slots__ = ()

    def __getitem__(self, key: Any) -> Tensor:
        k, adv = _key_to_numpy(key)
        try:
            return S.Index.apply(self, k, adv)
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
        v = value._data if isinstance(value, TensorBase) else value
        try:
            self._data[k] = v
        except ValueError as e:  # read-only: an expanded tensor or a view of one (as _unwritable)
            a = self._data
            if a.flags.writeable:
                raise
            if adv:
                if overlaps(a):
                    warnings.warn(_INDEX_PUT_EXPANDED, UserWarning, stacklevel=2)
            elif isinstance(a[k], np.ndarray) and overlaps(a[k]):  # the elements written
                raise RuntimeError(_OVERLAP) from None
            w = writable(a)
            if w is None:
                raise e from None
            w[k] = v
        bump_version(self)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):  # type: ignore[no-untyped-def]
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        for i in range(self._data.shape[0]):
            yield self[i]

    def gather(
        self, dim: Any = None, index: Any = None, *, sparse_grad: bool = False, axis: int | None = None
    ) -> Tensor:
        """Pick ``self[i][index[i][j]]`` along ``dim`` (``log_probs.gather(1, y.unsqueeze(1))``);
        ``axis``: NumPy's name for ``dim``, which torch also takes."""
        if axis is not None or dim is None or index is None:
            dim = _dim_and_index("gather", dim, index, axis)
        idx = index._data if isinstance(index, TensorBase) else np.asarray(index)
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
            return S.Gather.apply(self, d, idx)
        except IndexError as e:
            raise RuntimeError(f"gather(): {e} (input shape {tuple(self._data.shape)})") from None

    def take_along_dim(self, indices: Tensor, dim: int | None = None) -> Tensor:
        """out = gather(self, dim, indices) after broadcasting the two in every other dim
        (``dim=None``: the flattened tensor at the flattened indices)."""
        idx = indices._data if isinstance(indices, TensorBase) else np.asarray(indices)
        if dim is None:  # torch's flat path goes straight to gather, which takes int32 too
            if idx.dtype not in (np.int32, np.int64):
                raise RuntimeError("gather(): Expected dtype int32/int64 for index")
            return self.reshape(-1).gather(0, self._make(idx.reshape(-1)))
        if idx.dtype != np.int64:
            found = _TORCH_TYPE.get(idx.dtype.name, idx.dtype.name)
            raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got {found}")
        n = self._data.ndim
        if idx.ndim != n:
            raise RuntimeError(
                "torch.take_along_dim(): input and indices should have the same number of dimensions, "
                f"but got {n} dimensions for input, and {idx.ndim} dimensions for indices"
            )
        d = _one_dim(dim, n)
        xs, ks = self._data.shape, idx.shape
        rest = np.broadcast_shapes(xs[:d] + (1,) + xs[d + 1 :], ks[:d] + (1,) + ks[d + 1 :])
        x_shape = rest[:d] + (xs[d],) + rest[d + 1 :]
        k_shape = rest[:d] + (ks[d],) + rest[d + 1 :]
        x = self if x_shape == xs else self.expand(*x_shape)
        return x.gather(d, self._make(np.ascontiguousarray(np.broadcast_to(idx, k_shape))))

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """``value`` where ``mask`` is True, self elsewhere; the gradient flows where mask is False."""
        m = mask._data if isinstance(mask, TensorBase) else np.asarray(mask)
        if m.dtype != np.bool_:
            raise RuntimeError(f"masked_fill only supports boolean masks, but got mask with dtype {m.dtype}")
        v = value if isinstance(value, TensorBase) else self._make(_scalar_array(value, self._data.dtype))
        if v._data.dtype != self._data.dtype:
            v = v.type(self.dtype)
        out = B.Where.apply(self._make(m), v, self)
        if out._data.shape != self._data.shape:
            raise RuntimeError(
                f"masked_fill: mask of shape {tuple(m.shape)} does not broadcast to the tensor's shape "
                f"{tuple(self._data.shape)}"
            )
        return out
