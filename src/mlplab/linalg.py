"""``mlplab.linalg``: vector norms, and the Frobenius norm of matrices.

Matrix norms that need singular values or column/row sums (``ord`` = 1, 2, inf, 'nuc' on a
matrix) are not implemented: a fully-connected network's code uses the vector norms
(gradient clipping, weight norms, distances).
"""

from __future__ import annotations

from typing import Any

from .tensor import Tensor


def vector_norm(
    input: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """||x||_ord = (sum_i |x_i|^ord)^(1/ord) over ``dim`` (every element when None); ord = inf is
    max |x_i|, -inf min |x_i|."""
    return input.norm(float(ord), dim, keepdim, dtype)


def norm(
    input: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """The 2-norm of the flattened input (ord None), the Frobenius norm of a matrix (ord 'fro'), or
    the vector ``ord``-norm along one dimension (``dim`` an int, or a 1-D input)."""
    two_dims = (dim is None and input.ndim == 2) or (isinstance(dim, (tuple, list)) and len(dim) == 2)
    if ord is None or (ord == "fro" and two_dims):
        return input.norm(2, dim, keepdim, dtype)
    if two_dims or isinstance(ord, str):
        raise NotImplementedError(
            f"linalg.norm: the matrix norm ord={ord!r} is not supported by mlplab (it needs singular "
            f"values or column sums); use ord=None, 'fro', or vector_norm along one dimension"
        )
    return vector_norm(input, ord, dim, keepdim, dtype=dtype)
