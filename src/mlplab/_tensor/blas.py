"""BLAS-style and ternary methods of ``Tensor``: addcmul/addcdiv, addmm, addmv, addr, addbmm,
baddbmm (``beta * self + alpha * product``), mv, ger, inner, kron, trace, and their in-place forms.

Each is written with the differentiable methods it amounts to (matmul, bmm, outer, sum, ...), so
its gradient, and its second derivative, are theirs. As PyTorch, ``beta == 0`` ignores ``self``
(NaN and inf in it do not propagate) and ``alpha``/``beta`` of 1 add no multiplication.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..ops import arithmetic as B
from .binary_inplace import BinaryInplaceMixin

if TYPE_CHECKING:  # type hints only, never imported at run time (mlplab.tensor imports this)
    from ..tensor import Tensor


def _dims(t: Tensor, n: int, what: str) -> None:
    if t.dim() != n:
        raise RuntimeError(f"{what}, got {t.dim()}-D tensor")


def _shape_str(t: Tensor) -> str:
    return "x".join(str(s) for s in t.shape)


class BlasMixin(BinaryInplaceMixin):
    """``beta * self + alpha * product`` methods and small products (mixed into ``Tensor``)."""

    __slots__ = ()

    def _scaled_sum(self, product: Tensor, beta: Any, alpha: Any) -> Tensor:
        """beta * self + alpha * product, self broadcast to the product's shape (PyTorch's rule:
        self expands to the result, never the other way round)."""
        p = product if alpha == 1 else product * alpha
        try:
            fits = tuple(np.broadcast_shapes(self.shape, p.shape)) == tuple(p.shape)
        except ValueError:
            fits = False
        if not fits:
            raise RuntimeError(
                f"The expanded size of the tensor ({p.shape[-1]}) must match the existing size "
                f"({self.shape[-1]}) at non-singleton dimension {self.dim() - 1}.  Target sizes: "
                f"{list(p.shape)}.  Tensor sizes: {list(self.shape)}"
            )
        if beta == 0:  # self's values are ignored; its gradient is 0 (a where keeps it exactly so)
            return B.Where.apply(self._make(np.ones(p.shape, np.bool_)), p, self.type(p.dtype))
        return p + (self if beta == 1 else self * beta)

    def addcmul(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        """self + value * tensor1 * tensor2."""
        p = tensor1 * tensor2
        return self + (p if value == 1 else p * value)

    def addcdiv(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        """self + value * tensor1 / tensor2 (integer tensor1 and tensor2 are refused, as PyTorch)."""
        a1, a2 = self._other(tensor1)._data, self._other(tensor2)._data
        if a1.dtype.kind in "biu" and a2.dtype.kind in "biu":
            raise RuntimeError(
                "Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
                "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
                "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
                "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
                "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
                "for all dtypes."
            )
        q = tensor1 / tensor2
        return self + (q if value == 1 else q * value)

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """beta * self + alpha * (mat1 @ mat2), mat1 (n, m), mat2 (m, p), self broadcast to (n, p)."""
        _dims(mat1, 2, "mat1 must be a matrix")
        _dims(mat2, 2, "mat2 must be a matrix")
        if mat1.shape[1] != mat2.shape[0]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(mat1)} and {_shape_str(mat2)})"
            )
        return self._scaled_sum(mat1.matmul(mat2), beta, alpha)

    def addmv(self, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """beta * self + alpha * (mat @ vec), mat (n, m), vec (m,)."""
        if mat.dim() != 2 or vec.dim() != 1 or self.dim() > 1:
            raise RuntimeError(
                f"vector + matrix @ vector expected, got {self.dim()}, {mat.dim()}, {vec.dim()}"
            )
        if mat.shape[1] != vec.shape[0] or self.shape not in ((), (1,), (mat.shape[0],)):
            raise RuntimeError(
                f"size mismatch, got input ({_shape_str(self) or 1}), mat ({_shape_str(mat)}), "
                f"vec ({_shape_str(vec)})"
            )
        return self._scaled_sum(mat.matmul(vec), beta, alpha)

    def addr(self, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """beta * self + alpha * outer(vec1, vec2)."""
        for name, v in (("vec1", vec1), ("vec2", vec2)):
            if v.dim() != 1:
                raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v.dim()}-D")
        return self._scaled_sum(vec1.outer(vec2), beta, alpha)

    def _batches(self, batch1: Tensor, batch2: Tensor) -> None:
        for b in (batch1, batch2):
            if b.dim() < 3:  # torch reads the third size first
                n = max(b.dim(), 1)
                raise IndexError(
                    f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got 2)"
                )
        _dims(batch1, 3, "batch1 must be a 3D tensor")
        _dims(batch2, 3, "batch2 must be a 3D tensor")
        b, n, m = batch1.shape
        if batch2.shape[:2] != (b, m):
            raise RuntimeError(
                f"Expected size for first two dimensions of batch2 tensor to be: [{b}, {m}] but got: "
                f"[{batch2.shape[0]}, {batch2.shape[1]}]."
            )

    def baddbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """beta * self + alpha * bmm(batch1, batch2), one product per batch."""
        self._batches(batch1, batch2)
        return self._scaled_sum(batch1.bmm(batch2), beta, alpha)

    def addbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """beta * self + alpha * sum_b batch1[b] @ batch2[b] (the products summed over the batch)."""
        self._batches(batch1, batch2)
        return self._scaled_sum(batch1.bmm(batch2).sum(0), beta, alpha)

    def mv(self, vec: Tensor) -> Tensor:
        """self @ vec for a matrix self (n, m) and a vector vec (m,)."""
        if self.dim() != 2 or vec.dim() != 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got 1, {self.dim()}, {vec.dim()}")
        if self.shape[1] != vec.shape[0]:
            raise RuntimeError(
                f"size mismatch, got input ({self.shape[0]}), mat ({_shape_str(self)}), vec ({vec.shape[0]})"
            )
        return self.matmul(vec)

    def ger(self, vec2: Tensor) -> Tensor:
        """outer(self, vec2) (torch's older name) of two vectors."""
        for name, v in (("self", self), ("vec2", vec2)):
            if v.dim() != 1:
                raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v.dim()}-D")
        return self.outer(vec2)

    def inner(self, other: Tensor) -> Tensor:
        """sum over the last dimension of self[..., k] * other[..., k]; result shape
        self.shape[:-1] + other.shape[:-1] (a product when either is 0-d)."""
        if self.dim() == 0 or other.dim() == 0:
            return self * other
        if self.shape[-1] != other.shape[-1]:
            raise RuntimeError(
                f"inner() the last dimension must match on both input tensors but got shapes "
                f"{list(self.shape)} and {list(other.shape)}"
            )
        a = self.reshape(-1, self.shape[-1])
        b = other.reshape(-1, other.shape[-1])
        return a.matmul(b.t()).reshape(*self.shape[:-1], *other.shape[:-1])

    def kron(self, other: Tensor) -> Tensor:
        """Kronecker product: result[i*q + k, ...] = self[i, ...] * other[k, ...] per dimension
        (the fewer-dimensional operand gets leading 1s)."""
        n = max(self.dim(), other.dim())
        a = self.reshape(*([1] * (n - self.dim())), *self.shape)
        b = other.reshape(*([1] * (n - other.dim())), *other.shape)
        ai = [d for k in range(n) for d in (a.shape[k], 1)]
        bi = [d for k in range(n) for d in (1, b.shape[k])]
        out = [a.shape[k] * b.shape[k] for k in range(n)]
        return (a.reshape(*ai) * b.reshape(*bi)).reshape(*out)

    def trace(self) -> Tensor:
        """The sum of the main diagonal of a matrix (integers sum to int64, as PyTorch)."""
        if self.dim() != 2:
            raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {self.dim()}")
        return self.diagonal().sum()

    def addmm_(self, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """self <- beta * self + alpha * (mat1 @ mat2), in place."""
        return self._into(lambda t: t.addmm(mat1, mat2, beta=beta, alpha=alpha), mat1, mat2)

    def addmv_(self, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """self <- beta * self + alpha * (mat @ vec), in place."""
        return self._into(lambda t: t.addmv(mat, vec, beta=beta, alpha=alpha), mat, vec)

    def addr_(self, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """self <- beta * self + alpha * outer(vec1, vec2), in place."""
        return self._into(lambda t: t.addr(vec1, vec2, beta=beta, alpha=alpha), vec1, vec2)

    def baddbmm_(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """self <- beta * self + alpha * bmm(batch1, batch2), in place."""
        return self._into(lambda t: t.baddbmm(batch1, batch2, beta=beta, alpha=alpha), batch1, batch2)

    def addbmm_(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """self <- beta * self + alpha * sum_b batch1[b] @ batch2[b], in place."""
        return self._into(lambda t: t.addbmm(batch1, batch2, beta=beta, alpha=alpha), batch1, batch2)
