"""``mlplab.linalg``: vector norms, matrix norms (Frobenius, nuclear, spectral, max column and
row sums) and ``solve``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._tensor.matrix_norm import matrix_norm as _matrix_norm
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


def matrix_norm(
    A: Tensor, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """The ``ord`` norm of the matrices on the dims ``dim``: 'fro' sqrt(sum a_ij^2), 'nuc' the sum of
    the singular values, 2 / -2 the largest / smallest singular value, 1 / -1 the max / min column
    sum of |a_ij|, inf / -inf the max / min row sum. Gradients: U V^T ('nuc'), u_1 v_1^T (2)."""
    return _matrix_norm(A, ord, dim, keepdim, dtype)


def norm(
    input: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """``ord`` None: the 2-norm of the flattened input, or over ``dim`` (one dim, or two: the
    Frobenius norm). Otherwise a matrix norm (:func:`matrix_norm`) of a 2-D input or over two dims,
    and a vector norm (:func:`vector_norm`) of a 1-D input or along one dim."""
    if ord is None:
        return input.norm(2, dim, keepdim, dtype)
    if dim is None:
        if input.ndim not in (1, 2):
            n = input.ndim
            raise RuntimeError(
                f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {n}D."
            )
        if input.ndim == 2 or isinstance(ord, str):
            return matrix_norm(input, ord, (-2, -1), keepdim, dtype=dtype)
        return vector_norm(input, ord, None, keepdim, dtype=dtype)
    if isinstance(ord, str) or (isinstance(dim, (tuple, list)) and len(dim) == 2):
        return matrix_norm(input, ord, dim, keepdim, dtype=dtype)
    return vector_norm(input, ord, dim, keepdim, dtype=dtype)
