"""``index_add``, ``index_copy``, ``index_fill`` (and their in-place forms) and
``repeat_interleave`` on ``Tensor``: each is a scatter or an index_select along one dimension with
the index spread over the other dimensions, so its gradient is the scatter's or the selection's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .shape import _one_dim

if TYPE_CHECKING:  # type hints only, never imported at run time (mlplab.tensor imports this)
    from ..tensor import Tensor


_NAMES = {"int64": "Long", "int32": "Int", "float32": "Float", "float64": "Double", "bool": "Bool"}
# op -> (index dtypes taken, error for an index of more than one dimension, error for another dtype),
# each error torch's type and message
_INDEX_RULES = {
    "index_add_": (
        ("int64", "int32"),
        (
            IndexError,
            "index_add_(): Index is supposed to be a vector, but got dim: {nd} with type: {t} and size: {s}",
        ),
        (RuntimeError, "index_add_(): Expected dtype int32/int64 for index but got: {t}"),
    ),
    "index_copy_": (
        ("int64",),
        (IndexError, "index_copy_(): Index should have dimension 1 or 0 (got {nd})"),
        (RuntimeError, "index_copy_(): Expected a long tensor for index, but got {t}"),
    ),
    "index_fill_": (
        ("int64",),
        (RuntimeError, "Index has to be a vector/scalar"),
        (IndexError, "index_fill_(): Expected dtype int64 for index."),
    ),
}


def _spread(name: str, index: Any, d: int, shape: tuple) -> np.ndarray:
    """The 1-D ``index`` laid along dimension ``d`` of an array of ``shape`` (len(index) there)."""
    i = np.asarray(index._data if hasattr(index, "_data") else index)
    kinds, (dim_err, dim_msg), (type_err, type_msg) = _INDEX_RULES[name]
    t = _NAMES.get(i.dtype.name, i.dtype.name)
    if i.ndim > 1:
        raise dim_err(dim_msg.format(nd=i.ndim, t=t, s=list(i.shape)))
    if i.dtype.name not in kinds:
        raise type_err(type_msg.format(t=t))
    view = [1] * len(shape)
    if view:
        view[d] = i.size
    target = list(shape)
    if target:
        target[d] = i.size
    return np.ascontiguousarray(np.broadcast_to(i.reshape(view) if view else i.reshape(()), target))


class IndexMoreMixin:
    """index_add/index_copy/index_fill and repeat_interleave (mixed into ``Tensor``)."""

    __slots__ = ()

    def _index_check(self, name: str, dim: int, index: Any, source: Any) -> int:
        d = _one_dim(dim, self._data.ndim)
        n = np.asarray(index._data).size
        if source is not None and self._data.ndim and source.shape[d] != n:
            if name == "index_add_":
                raise RuntimeError(
                    f"{name}(): Number of indices ({n}) should be equal to source.size(dim): "
                    f"({source.shape[d]}), for dim: {d}"
                )
            raise IndexError(
                f"{name}(): Number of indices ({n}) should be equal to source.size(dim) ({source.shape[d]})"
            )
        return d

    def index_add(self, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
        """self with ``alpha * source[.., k, ..]`` added at ``self[.., index[k], ..]`` along ``dim``
        (repeated indices accumulate)."""
        d = self._index_check("index_add_", dim, index, source)
        src = source if alpha == 1 else source * alpha
        return self.scatter_add(d, self._make(_spread("index_add_", index, d, tuple(source.shape))), src)

    def index_copy(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        """self with ``source[.., k, ..]`` copied to ``self[.., index[k], ..]`` along ``dim``."""
        d = self._index_check("index_copy_", dim, index, source)
        return self.scatter(d, self._make(_spread("index_copy_", index, d, tuple(source.shape))), source)

    def index_fill(self, dim: int, index: Tensor, value: Any) -> Tensor:
        """self with ``value`` at every ``self[.., index[k], ..]`` along ``dim``."""
        d = _one_dim(dim, self._data.ndim)
        v = value.item() if hasattr(value, "_data") else value
        return self.scatter(d, self._make(_spread("index_fill_", index, d, tuple(self.shape))), v)

    def index_add_(self, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
        """``index_add`` in place."""
        return self._into(lambda t: t.index_add(dim, index, source, alpha=alpha), source)

    def index_copy_(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        """``index_copy`` in place."""
        return self._into(lambda t: t.index_copy(dim, index, source), source)

    def index_fill_(self, dim: int, index: Tensor, value: Any) -> Tensor:
        """``index_fill`` in place."""
        return self._into(lambda t: t.index_fill(dim, index, value), value)

    def repeat_interleave(
        self, repeats: Any, dim: int | None = None, *, output_size: int | None = None
    ) -> Tensor:
        """Each element (each slice along ``dim``) repeated ``repeats`` times in place
        (``repeats`` an int or one count per slice); the input is flattened when ``dim`` is None."""
        x = self.reshape(-1) if dim is None else self
        d = 0 if dim is None else _one_dim(dim, x._data.ndim)
        n = x.shape[d] if x._data.ndim else 1
        r = np.asarray(repeats._data if hasattr(repeats, "_data") else repeats)
        if r.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if (r < 0).any():
            raise RuntimeError("repeats can not be negative")
        if r.ndim == 1 and r.size not in (1, n):
            raise RuntimeError("repeats must have the same size as input along dim")
        idx = np.repeat(np.arange(n), r if r.ndim == 0 or r.size == n else int(r[0]))
        if output_size is not None and idx.size != output_size:
            raise RuntimeError("allocated size does not match required size")
        return x.index_select(d, self._make(idx.astype(np.int64)))
