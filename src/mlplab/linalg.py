"""``mlplab.linalg``: vector norms, the Frobenius norm of matrices, and ``solve``.

Matrix norms that need singular values or column/row sums (``ord`` = 1, 2, inf, 'nuc' on a
matrix) are not implemented: a fully-connected network's code uses the vector norms
(gradient clipping, weight norms, distances).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .ops.linalg import Solve
from .tensor import Tensor


class LinAlgError(RuntimeError):
    """A linear-algebra routine failed (e.g. a singular matrix), as ``torch.linalg.LinAlgError``."""


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B (``left=False``: X A = B); A square (with batch dims), B a vector or a
    matrix. dL/dB = A^{-T} dL/dX, dL/dA = -dL/dB X^T."""
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        dims = " by ".join(str(n) for n in A.shape[-2:])
        raise RuntimeError(
            f"linalg.solve: A must be batches of square matrices, but they are {dims} matrices"
        )
    if A.dtype != B.dtype:
        raise RuntimeError(
            f"linalg.solve: Expected A and B to have the same dtype, but found A of type {A.dtype} "
            f"and B of type {B.dtype} instead"
        )
    if not left:
        return solve(A.transpose(-2, -1), B.transpose(-2, -1)).transpose(-2, -1)
    try:
        return Solve.apply(A, B)
    except np.linalg.LinAlgError as e:
        raise LinAlgError("linalg.solve: The solver failed because the input matrix is singular.") from e


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
