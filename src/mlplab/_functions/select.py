"""Sorting, counting and products: sort, argsort, topk, unique, bincount, histc, einsum, outer, diag."""

from __future__ import annotations

from typing import Any

from ..ops.select import Einsum
from ..tensor import Tensor
from ._common import as_tensor as _t
from ._common import public
from .einsum_check import check_equation


def sort(
    input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False, axis: int | None = None
) -> Any:
    return input.sort(dim, descending, stable=stable, axis=axis)


def argsort(
    input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False, axis: int | None = None
) -> Tensor:
    return input.argsort(dim, descending, stable=stable, axis=axis)


def topk(
    input: Tensor,
    k: int,
    dim: int = -1,
    largest: bool = True,
    sorted: bool = True,
    *,
    axis: int | None = None,
) -> Any:
    return input.topk(k, dim, largest, sorted, axis=axis)


def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: Any = None,
) -> Any:
    return input.unique(sorted, return_inverse, return_counts, dim)


def bincount(input: Tensor, weights: Any = None, minlength: int = 0) -> Tensor:
    return input.bincount(weights, minlength)


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    return input.histc(bins, min, max)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    return input.outer(vec2)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    return input.diag(diagonal)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    return input.diagonal(offset, dim1, dim2)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple:
    """Coordinate grids of 1-D tensors: out_k[i_1, ..., i_n] = tensors[k][i_k] ('ij'); 'xy' swaps
    the first two dimensions (Cartesian, as NumPy). Differentiable (each grid is an expand).
    indexing=None is 'ij', as PyTorch (which warns that it will change)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    ts = [_t(t) for t in tensors]
    for t in ts:
        if t.dim() > 1:
            raise RuntimeError(
                f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t.dim()}D"
            )
    ts = [t.reshape(-1) for t in ts]
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    sizes = [t.shape[0] for t in ts]
    grids = []
    for k, t in enumerate(ts):
        view = [1] * len(ts)
        view[k] = sizes[k]
        grids.append(t.reshape(view).expand(*sizes))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def _subscript(n: Any) -> str:
    """One entry of a sublist as a letter of the equation: 0-25 -> A-Z, 26-51 -> a-z, ``...``."""
    if n is Ellipsis:
        return "..."
    if n >= 0 and n < 26:
        return chr(ord("A") + n)
    if n >= 26 and n < 52:
        return chr(ord("a") + n - 26)
    raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")


def einsum(*args: Any) -> Tensor:
    """Einstein summation: ``einsum("ij,jk->ik", a, b)``, the operands as one list
    (``einsum("ij,jk", [a, b])``), or torch's sublist form ``einsum(a, [0, 1], b, [1, 2], [0, 2])``
    (each operand followed by its subscripts, integers in [0, 52) or ``...``; an optional output
    sublist last), which is the same equation with 0-25 written A-Z and 26-51 a-z. The gradient of
    each operand is another einsum (see :class:`mlplab.ops.select.Einsum`)."""
    if len(args) < 2:
        raise ValueError(
            "einsum(): must specify the equation string and at least one operand, "
            "or at least one operand and its subscripts list"
        )
    if isinstance(args[0], Tensor):  # the sublist form
        spec = ",".join("".join(_subscript(n) for n in sub) for sub in args[1::2])
        if len(args) % 2:
            spec += "->" + "".join(_subscript(n) for n in args[-1])
        args = (spec, *args[: len(args) - len(args) % 2 : 2])
    if not isinstance(args[0], str):
        raise TypeError("einsum(): the first argument must be the equation string")
    spec, ops = args[0], args[1:]
    if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
        ops = tuple(ops[0])
    ts = [_t(o) for o in ops]
    check_equation(spec, tuple(t._data.shape for t in ts))
    dts = {t._data.dtype for t in ts}
    if len(dts) > 1:
        raise RuntimeError(f"einsum(): expected operands of one dtype, got {sorted(str(d) for d in dts)}")
    return Einsum.apply(*ts, spec)


__all__ = public(globals(), __name__)
