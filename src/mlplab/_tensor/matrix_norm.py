"""Matrix norms, shared by ``mlplab.linalg.matrix_norm``/``linalg.norm`` and ``Tensor.norm(p='nuc')``.

    'fro'     sqrt(sum_ij a_ij^2)
    'nuc'     sum of the singular values;  2 / -2: the largest / smallest singular value
    1 / -1    max / min over columns of sum_i |a_ij|   (column sums)
    inf/-inf  max / min over rows of sum_j |a_ij|      (row sums)

The singular-value norms are one op (:class:`mlplab.ops.linalg.SingularNorm`); the others are
composed of abs, sum and amax/amin, as PyTorch composes them, so their gradients are those ops'.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..ops.linalg import SingularNorm
from .shape import _one_dim

if TYPE_CHECKING:  # type hints only, never imported at run time (mlplab.tensor imports this)
    from ..tensor import Tensor

_TYPE_NAMES = {
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
}


def matrix_norm(
    A: Tensor, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, dtype: Any = None
) -> Tensor:
    """The ``ord`` norm of the matrices spanned by the two dims ``dim`` (torch's checks and messages)."""
    if dtype is not None:
        A = A.type(dtype)
    n = A._data.ndim
    if n < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(str(d) for d in dims)}")
    d0, d1 = _one_dim(dims[0], n), _one_dim(dims[1], n)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dims[0]}, {dims[1]})")
    kind = A._data.dtype.kind
    if kind != "f":
        name = _TYPE_NAMES.get(A._data.dtype.name, A._data.dtype.name)
        raise RuntimeError(
            f"linalg.matrix_norm: Expected a floating point or complex tensor as input. Got {name}"
        )
    if ord == "fro":
        return A.norm(2, (d0, d1), keepdim)
    if ord == "nuc" or (not isinstance(ord, str) and ord in (2, -2)):
        return SingularNorm.apply(A, d0, d1, ord if isinstance(ord, str) else int(ord), keepdim)
    if not isinstance(ord, str) and ord in (1, -1, math.inf, -math.inf):
        summed, over = (d0, d1) if abs(ord) == 1 else (d1, d0)
        s = A.abs().sum(summed, keepdim=True)
        if s._data.shape[over] == 0:  # no column (row) sums: torch's max is 0, its min refused
            if ord < 0:
                d = over - (summed < over)  # the dim as torch numbers it after its sum
                raise IndexError(f"amin(): Expected reduction dim {d} to have non-zero size.")
            r = s.sum(over, keepdim=True)
        else:
            r = s.amax(over, keepdim=True) if ord > 0 else s.amin(over, keepdim=True)
        if keepdim:
            return r
        return r.reshape(tuple(k for i, k in enumerate(A._data.shape) if i not in (d0, d1)))
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
