"""BLAS-style and ternary functions (``torch.addmm``, ``torch.addcmul``, ``torch.mv``,
``torch.tensordot``, ``torch.kron`` ...): each calls the Tensor method of
:mod:`mlplab._tensor.blas` or composes differentiable methods."""

from __future__ import annotations

import warnings
from typing import Any

from ..tensor import Tensor
from ._common import public


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """input + value * tensor1 * tensor2."""
    return input.addcmul(tensor1, tensor2, value=value)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """input + value * tensor1 / tensor2."""
    return input.addcdiv(tensor1, tensor2, value=value)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2)."""
    return input.addmm(mat1, mat2, beta=beta, alpha=alpha)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * (mat @ vec)."""
    return input.addmv(mat, vec, beta=beta, alpha=alpha)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * outer(vec1, vec2)."""
    return input.addr(vec1, vec2, beta=beta, alpha=alpha)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * sum_b batch1[b] @ batch2[b]."""
    return input.addbmm(batch1, batch2, beta=beta, alpha=alpha)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * bmm(batch1, batch2)."""
    return input.baddbmm(batch1, batch2, beta=beta, alpha=alpha)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """input @ vec (matrix times vector)."""
    return input.mv(vec)


def ger(input: Tensor, vec2: Tensor) -> Tensor:
    """outer(input, vec2) of two vectors."""
    return input.ger(vec2)


def inner(input: Tensor, other: Tensor) -> Tensor:
    """sum_k input[..., k] * other[..., k] over the last dimension of both."""
    return input.inner(other)


def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a matrix."""
    return input.trace()


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product of input and other."""
    return input.kron(other)


def tensordot(a: Tensor, b: Tensor, dims: Any = 2, out: Any = None) -> Tensor:
    """sum over the paired dimensions of a[..., i] * b[i, ...]: ``dims`` an int n (a's last n with
    b's first n) or two lists of dimensions. Done as one matmul of the flattened operands."""
    if out is not None:
        raise TypeError("tensordot(): out= is not supported by mlplab (results are new tensors)")
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(-dims, 0)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {a.shape[i]} in dim {i} and "
                f"second has size {b.shape[j]} in dim {j}"
            )
    da = [d % a.dim() for d in da] if a.dim() else da
    db = [d % b.dim() for d in db] if b.dim() else db
    fa = [d for d in range(a.dim()) if d not in da]
    fb = [d for d in range(b.dim()) if d not in db]
    k = 1
    for d in da:
        k *= a.shape[d]
    am = a.permute(*fa, *da).reshape(-1, k)
    bm = b.permute(*db, *fb).reshape(k, -1)
    return am.matmul(bm).reshape(*[a.shape[d] for d in fa], *[b.shape[d] for d in fb])


_CHAIN_MATMUL = (
    "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
    "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
    "multiple parameters."
)


def chain_matmul(*matrices: Tensor, out: Any = None) -> Tensor:
    """matrices[0] @ matrices[1] @ ... (deprecated in torch, which warns, as here)."""
    warnings.warn(_CHAIN_MATMUL, UserWarning, stacklevel=2)
    if out is not None:
        raise TypeError("chain_matmul(): out= is not supported by mlplab (results are new tensors)")
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m.dim() != 2:
            raise RuntimeError(f"Tensor dimension is {m.dim()}, expected 2 instead.")
    r = matrices[0]
    for m in matrices[1:]:
        r = r.matmul(m)
    return r


__all__ = public(globals(), __name__)
