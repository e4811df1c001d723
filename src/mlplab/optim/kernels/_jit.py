"""What every compiled update kernel shares: numba's ``njit`` as the kernels need it, and ``fma``.

- ``jit``: ``njit(cache=True, error_model="numpy", nogil=True)``, fastmath off (numba's default).
  ``error_model="numpy"`` makes ``x / 0`` IEEE (inf/nan) instead of a Python ZeroDivisionError, which
  is also what lets LLVM vectorise a loop with a division. With fastmath off LLVM neither reorders
  nor contracts: ``a * b + c`` is two roundings (checked: no ``vfmadd`` in such a loop's machine
  code), exactly as NumPy's two ufunc passes round it. ``cache=True`` keeps the machine code on disk
  (beside this file when it is writable, else in numba's user-wide cache dir or
  ``NUMBA_CACHE_DIR``), so a process after the first loads it instead of compiling.
- ``fma(a, b, c)``: ``a * b + c`` rounded once (LLVM's ``llvm.fma``), where the reference rounds
  once: :func:`mlplab.optim.inplace.add_` (PyTorch's ``add_(alpha=)``).
- ``axpy(a, x, y)``: ``add_``'s rule for one element: ``y`` itself when ``a == 0`` (BLAS returns at
  once then), else ``fma(a, x, y)`` (which is ``x + y`` when ``a == 1``).
- ``gradient(g, w, maximize, weight_decay)``: the preamble every update shares.
- ``lerp(a, b, from_b, coefficient)``: :func:`mlplab.optim.inplace.lerp_`'s rule, its branch and
  coefficient chosen by :func:`.args.lerp_coefficient` (outside the kernel, from the Python weight).
"""

from __future__ import annotations

from typing import Any

from numba import njit
from numba.extending import intrinsic, register_jitable

__all__ = ["axpy", "fma", "gradient", "jit", "lerp"]


def jit(function: Any) -> Any:
    """Compile ``function`` as every kernel is compiled (see the module doc)."""
    return njit(cache=True, error_model="numpy", nogil=True)(function)


@intrinsic
def fma(typingctx: Any, a: Any, b: Any, c: Any) -> Any:
    """``a * b + c`` with one rounding, in ``a``'s type (all three share it)."""
    signature = a(a, b, c)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        return builder.fma(*args)

    return signature, codegen


@register_jitable(inline="always")
def axpy(a: Any, x: Any, y: Any) -> Any:
    """``y + a * x`` rounded once, as ``inplace.add_`` (``y`` unchanged when ``a == 0``)."""
    if a == 0:
        return y
    return fma(a, x, y)


@register_jitable(inline="always")
def gradient(gi: Any, wi: Any, maximize: bool, weight_decay: Any) -> Any:
    """The gradient an update uses: ``-g`` when maximising, then ``g + weight_decay w`` (L2, rounded
    as ``axpy``), as every reference update starts."""
    if maximize:
        gi = -gi
    if weight_decay != 0:
        gi = axpy(weight_decay, wi, gi)  # g <- g + weight_decay w
    return gi


@register_jitable(inline="always")
def lerp(a: Any, b: Any, from_b: bool, coefficient: Any) -> Any:
    """``a + weight * (b - a)`` as ``inplace.lerp_`` rounds it (``from_b, coefficient`` as given by
    :func:`lerp_coefficient`)."""
    if from_b:
        return axpy(coefficient, b - a, b)
    return axpy(coefficient, b - a, a)
