"""Compiled one-pass optimiser updates (numba), the fast path :mod:`mlplab.optim.executor` runs.

Each kernel does an optimiser's whole step -- its ``update`` and the executor's final
``w <- w + alpha * direction`` -- in one loop over the arrays, element by element, rounding every
line exactly as the readable NumPy reference does (tested bitwise, float32 and float64, every option).

This package is imported only when a kernel is first needed (numba's import costs ~0.3 s), never by
``import mlplab``. :func:`kernel_for` gives the kernel of an optimiser, or None when there is none:
numba missing, or a class whose ``update``, ``scalars`` or ``array_state`` is not the one a kernel
mirrors (a subclass that changes its update gets the reference path, never a wrong kernel).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["Kernel", "available", "kernel_for"]

Kernel = Callable[[np.ndarray, np.ndarray, list[np.ndarray], Any], None]

_TABLE: dict[str, Kernel] | None = None  # "module.Class" of the optimiser -> its kernel
_MISSING = False


def _load() -> dict[str, Kernel]:
    global _TABLE, _MISSING
    try:
        from . import adam, rms, sgd
    except (ImportError, RuntimeError):  # no numba, or numba finds no writable cache dir
        _MISSING = True  # the NumPy reference path only
        _TABLE = {}
        return _TABLE
    _TABLE = {  # by name: importing the optimiser classes here would close an import circle
        "mlplab.optim.adam.Adam": adam.adam,  # AdamW inherits Adam's update and scalars
        "mlplab.optim.nadam.NAdam": adam.nadam,
        "mlplab.optim.rmsprop.RMSprop": rms.rmsprop,
        "mlplab.optim.adagrad.Adagrad": rms.adagrad,
        "mlplab.optim.sgd.SGD": sgd.sgd,
        "mlplab.optim.momentum.Momentum": sgd.momentum,
    }
    return _TABLE


def available() -> bool:
    """Whether the kernels can run (numba importable); imports them on the first call."""
    if _TABLE is None:
        _load()
    return not _MISSING


def kernel_for(optimizer: Any) -> Kernel | None:
    """The kernel of ``optimizer``'s class, or None (see the module doc)."""
    table = _TABLE if _TABLE is not None else _load()
    cls = type(optimizer)
    for base in cls.__mro__:
        kernel = table.get(f"{base.__module__}.{base.__qualname__}")
        if kernel is not None:
            same = all(getattr(cls, name) is getattr(base, name) for name in _MIRRORED)
            return kernel if same else None
    return None


_MIRRORED = ("update", "scalars", "array_state", "reads_weights")
