"""In-place array arithmetic that rounds as PyTorch's fused tensor ops do: the words updates are written in.

An optimiser's update is plain NumPy on arrays (``v *= beta2``, ``np.sqrt(v, out=denom)``) except
where PyTorch computes a line with one fused kernel whose rounding two NumPy passes would not
reproduce. Those lines call the functions here, named after the PyTorch op they stand for:

- ``add_(y, x, alpha)``:        ``y <- y + alpha * x`` rounded once    (``y.add_(x, alpha=alpha)``, an FMA)
- ``add(x, alpha, y, out)``:    ``out <- x + alpha * y`` rounded once   (``x.add(y, alpha=alpha)``)
- ``lerp_(a, b, weight)``:      ``a <- a + weight * (b - a)``           (``a.lerp_(b, weight)``)
- ``addcmul_(y, x1, x2, value)``: ``y <- y + (value * x1) * x2``        (``y.addcmul_(x1, x2, value=value)``)
- ``addcdiv(x1, x2, value, out)``: ``out <- (value * x1) / x2``, what ``y.addcdiv_(x1, x2, value)`` adds

and :func:`gradient`, the first two lines every PyTorch update starts with (``maximize``, coupled
weight decay).

Each takes the scratch array(s) it may overwrite as arguments; none allocates.

:func:`padded_zeros` makes the arrays an optimiser's flat buffers are made of: ``add_`` on two of
them runs over whole blocks, without the padded copy of the tail (see there).
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import numpy as np

__all__ = ["add", "add_", "addcdiv", "addcmul_", "gradient", "lerp_", "padded_zeros", "whole_block_axpy"]

BLAS_PIECE = 8192  # OpenBLAS runs an axpy of more than 10000 elements on a thread pool: slower here
TAIL_BLOCK = 64  # axpy's kernels fuse the multiply-add on whole blocks of 16/32 elements, see add_

_AXPY: dict[np.dtype, Any] | None = None  # dtype -> BLAS axpy, loaded on first use
_PADS = threading.local()  # dtype char -> (x, y) padding arrays of TAIL_BLOCK elements, per thread
# id -> a weak reference to each live array made by padded_zeros (its .base, whole TAIL_BLOCKs, is
# only ever its padding); the entry goes when the array does (a plain dict: 4x faster to look up)
_PADDED: dict[int, weakref.ref[np.ndarray]] = {}
_NOT_PADDED = weakref.ref(np.empty(0))  # a dead reference: what the lookup of another array finds


def padded_zeros(n: int, dtype: Any) -> np.ndarray:
    """``n`` zeros, the start of a buffer of whole ``TAIL_BLOCK``-element blocks that nothing else sees.

    :func:`add_` with two such arrays of one size (``y`` the one written) runs ``axpy`` over their
    whole buffers: every element is rounded once and the elements past ``n``, which no one reads,
    take whatever comes; that saves the padded copy of the last ``n % TAIL_BLOCK`` elements (~4 us).
    """
    array = np.zeros(-(-n // TAIL_BLOCK) * TAIL_BLOCK, dtype=dtype)[:n]
    key = id(array)
    _PADDED[key] = weakref.ref(array, lambda _: _PADDED.pop(key, None))
    return array


def _load_axpy() -> dict[np.dtype, Any]:
    """SciPy's BLAS axpy (SciPy comes with scikit-learn), loaded on first use."""
    global _AXPY
    try:
        fblas = _scipy_fblas()
        _AXPY = {np.dtype(np.float32): fblas.saxpy, np.dtype(np.float64): fblas.daxpy}
    except ImportError:  # pragma: no cover - NumPy fallback
        _AXPY = {}
    return _AXPY


def _scipy_fblas() -> Any:
    """SciPy's f2py wrappers of BLAS (``scipy.linalg._fblas``, whose functions ``scipy.linalg.blas``
    re-exports), loaded from their extension file without importing ``scipy.linalg``: the
    package's ``__init__`` imports all of SciPy's linear algebra (~0.3 s, most of a small run's
    training time), the extension ~10 ms. Where the file is not found or does not load alone, the
    package's import gives it (the same functions)."""
    import importlib.machinery
    import importlib.util
    import sys
    from pathlib import Path

    loaded = sys.modules.get("scipy.linalg._fblas")
    if loaded is not None:
        return loaded
    spec = importlib.util.find_spec("scipy")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        for root in locations:
            path = Path(root) / "linalg" / f"_fblas{suffix}"
            if not path.is_file():
                continue
            try:
                loader = importlib.machinery.ExtensionFileLoader("scipy.linalg._fblas", str(path))
                module_spec = importlib.util.spec_from_file_location(
                    "scipy.linalg._fblas", path, loader=loader
                )
                if module_spec is None:
                    break
                module = importlib.util.module_from_spec(module_spec)
                loader.exec_module(module)
                return module
            except (ImportError, OSError):
                break
    from scipy.linalg import _fblas

    return _fblas


def whole_block_axpy(dtype: np.dtype, n: int) -> Any:
    """BLAS ``axpy(x, y, a=alpha)`` for ``n`` elements of ``dtype`` on contiguous 1-D arrays of whole
    ``TAIL_BLOCK``-element blocks (``y <- y + alpha * x``, rounded once as :func:`add_`), to call
    without :func:`add_`'s checks; None where :func:`add_` must do it (no SciPy, another dtype, an
    empty array, or more than ``BLAS_PIECE`` elements)."""
    if n == 0 or n % TAIL_BLOCK or n > BLAS_PIECE:
        return None
    table = _AXPY if _AXPY is not None else _load_axpy()
    return table.get(np.dtype(dtype))


def add_(y: np.ndarray, x: np.ndarray, alpha: float, spare: np.ndarray) -> np.ndarray:
    """``y <- y + alpha * x`` in place, rounded once, as PyTorch's ``y.add_(x, alpha=alpha)``.

    PyTorch's CPU kernel computes ``y + alpha*x`` with a fused multiply-add on every element; BLAS
    ``axpy`` does the same in one pass over memory instead of NumPy's two, but only on whole blocks:
    OpenBLAS's Haswell kernels round the last ``n % 32`` (float32) or ``n % 16`` (float64) elements
    twice (measured). So ``axpy`` runs on the first ``n - n % TAIL_BLOCK`` elements, in pieces of at
    most ``BLAS_PIECE`` (see there), and the rest through a zero-padded ``TAIL_BLOCK``-element copy:
    every element rounded once, wherever it sits (bitwise PyTorch's ``add_``, tested); where ``y`` and
    ``x`` come from :func:`padded_zeros`, their padded buffers instead (no copy). ``alpha == 1``
    is a plain add (the product is exact, so the one rounding is the sum's). Without SciPy, for
    other dtypes or for non-contiguous arrays: two NumPy passes through ``spare`` (rounded twice).
    """
    if alpha == 1.0:
        return np.add(y, x, out=y)
    n = y.size
    table = _AXPY if _AXPY is not None else _load_axpy()
    axpy = table.get(y.dtype) if (x.dtype == y.dtype and y.ndim == 1 and y.flags.c_contiguous) else None
    if axpy is None or not x.flags.c_contiguous or n == 0:
        np.multiply(x, alpha, out=spare)
        return np.add(y, spare, out=y)
    whole = n - n % TAIL_BLOCK
    if (
        whole < n
        and _PADDED.get(id(y), _NOT_PADDED)() is y
        and _PADDED.get(id(x), _NOT_PADDED)() is x
        and x.size == n
    ):  # the padded buffers: whole blocks only
        _axpy_blocks(axpy, y.base, x.base, alpha, y.base.size)
        return y
    _axpy_blocks(axpy, y, x, alpha, whole)
    if whole < n:
        _padded_axpy(axpy, y[whole:], x[whole:], alpha)
    return y


def _axpy_blocks(axpy: Any, y: np.ndarray, x: np.ndarray, alpha: float, whole: int) -> None:
    """``y <- y + alpha * x`` by ``axpy`` on the first ``whole`` elements (whole ``TAIL_BLOCK``-element
    blocks), in pieces of at most ``BLAS_PIECE``."""
    if whole == y.size and whole <= BLAS_PIECE:
        if axpy(x, y, a=alpha) is not y:  # pragma: no cover - f2py copies only arrays we never pass
            raise RuntimeError("axpy did not update in place")
        return
    for start in range(0, whole, BLAS_PIECE):
        end = min(start + BLAS_PIECE, whole)
        axpy(x[start:end], y[start:end], a=alpha)


def _padded_axpy(axpy: Any, y: np.ndarray, x: np.ndarray, alpha: float) -> None:
    """``y <- y + alpha * x`` for fewer than ``TAIL_BLOCK`` elements, as one whole block of ``axpy``
    on this thread's two padding arrays (what lies past the k elements is computed and dropped)."""
    k = y.size
    pads = getattr(_PADS, y.dtype.char, None)
    if pads is None:
        pads = (np.zeros(TAIL_BLOCK, dtype=y.dtype), np.zeros(TAIL_BLOCK, dtype=y.dtype))
        setattr(_PADS, y.dtype.char, pads)
    pad_x, pad_y = pads
    pad_x[:k] = x
    pad_y[:k] = y
    axpy(pad_x, pad_y, a=alpha)
    y[...] = pad_y[:k]


def add(x: np.ndarray, alpha: float, y: np.ndarray, out: np.ndarray, spare: np.ndarray) -> np.ndarray:
    """``out <- x + alpha * y`` rounded once, leaving ``x`` alone (``x.add(y, alpha=alpha)``).

    ``out`` may be ``x`` itself (then it is updated in place); ``spare`` as in :func:`add_`.
    """
    if x is not out:
        np.copyto(out, x)
    return add_(out, y, alpha, spare)


def lerp_(a: np.ndarray, b: np.ndarray, weight: float, diff: np.ndarray, spare: np.ndarray) -> np.ndarray:
    """``a <- a + weight * (b - a)`` in place, as PyTorch's ``a.lerp_(b, weight)`` rounds it.

    PyTorch computes ``a + w*(b-a)`` if ``|w| < 0.5``, else ``b + (w-1)*(b-a)`` (w-1 rounded in the
    array's dtype), each with one fused multiply-add. ``diff`` receives ``b - a``; ``spare`` as in
    :func:`add_`.
    """
    np.subtract(b, a, out=diff)
    if abs(weight) < 0.5:
        return add_(a, diff, weight, spare)
    np.copyto(a, b)
    return add_(a, diff, float(a.dtype.type(weight) - a.dtype.type(1)), spare)


def addcmul_(y: np.ndarray, x1: np.ndarray, x2: np.ndarray, value: float, spare: np.ndarray) -> np.ndarray:
    """``y <- y + (value * x1) * x2`` in place, in PyTorch's order (``y.addcmul_(x1, x2, value=value)``)."""
    np.multiply(x1, value, out=spare)
    spare *= x2
    return np.add(y, spare, out=y)


def addcdiv(x1: np.ndarray, x2: np.ndarray, value: float, out: np.ndarray) -> np.ndarray:
    """``out <- (value * x1) / x2``: the term PyTorch's ``y.addcdiv_(x1, x2, value=value)`` adds to y.

    Its kernel adds it without a fused multiply-add, so ``y += addcdiv(...)`` rounds as it does.
    ``out`` may be ``x1``.
    """
    np.multiply(x1, value, out=out)
    return np.divide(out, x2, out=out)


def gradient(
    g: np.ndarray,
    w: np.ndarray | None,
    maximize: bool,
    weight_decay: float,
    out: np.ndarray,
    spare: np.ndarray,
) -> np.ndarray:
    """The gradient an update follows: ``g <- -g`` if maximize, then ``g <- g + weight_decay * w``
    (coupled L2 decay, as ``g.add(w, alpha=weight_decay)``), in ``out``; ``g`` itself is never
    written. Returns ``g`` unchanged when neither applies."""
    if maximize:
        g = np.negative(g, out=out)
    if weight_decay != 0:
        g = add(g, weight_decay, w, out=out, spare=spare)
    return g
