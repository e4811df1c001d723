"""Compiled one-pass optimiser updates, the fast path :mod:`mlplab.optim.executor` runs.

Each kernel does an optimiser's whole step -- its ``update`` and the executor's final
``w <- w + alpha * direction`` -- in one loop over the arrays, element by element, rounding every
line exactly as the readable NumPy reference does (tested bitwise, float32 and float64, every option).

Two backends hold the same loops: ``"native"`` (C, ``native.c``, built once with the system C
compiler and called through ctypes; the default) and ``"numba"`` (``adam.py``, ``rms.py``,
``sgd.py``). They run about equally fast, but numba brings LLVM into the process (+120 MiB peak
RSS, see ``native.py``), so it runs only on request: ``MLPLAB_OPTIM_KERNELS=numba`` in the
environment, or ``kernel_for(optimizer, "numba")``. ``MLPLAB_OPTIM_KERNELS=none`` turns the kernels
off (the NumPy path). Where the chosen backend cannot load (no C compiler; numba not installed) the
NumPy path runs.

Plain SGD and Adam/AdamW (without amsgrad) also have a call over a whole group (``sgd_many``,
``adam_many``; C backend only): :func:`many_for` gives the factory of ``native.Many`` calls, bound
to a group's weight (and state) arrays (see ``Executor._step_many``, ``optim.many_step``).

This package is imported only when a kernel is first needed, never by ``import mlplab``.
:func:`kernel_for` gives the kernel of an optimiser, or None when there is none: the backend
missing, or a class whose ``update``, ``scalars`` or ``array_state`` is not the one a kernel mirrors
(a subclass that changes its update gets the reference path, never a wrong kernel).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["BACKENDS", "Kernel", "available", "cached", "default_backend", "kernel_for", "many_for"]

Kernel = Callable[[np.ndarray, np.ndarray, list[np.ndarray], Any], None]
BACKENDS = ("native", "numba", "none")

# "module.Class" of the optimiser below the top package -> its loop (by name: importing the classes
# here would close an import circle; without the package's own name, a copy of mlplab imported
# under another name, as benchmarks/ab_inprocess.py does, finds its kernels too); AdamW inherits
# Adam's update and scalars
_LOOPS = {
    "optim.adam.Adam": "adam",
    "optim.nadam.NAdam": "nadam",
    "optim.rmsprop.RMSprop": "rmsprop",
    "optim.adagrad.Adagrad": "adagrad",
    "optim.sgd.SGD": "sgd",
    "optim.momentum.Momentum": "momentum",
}
_TABLES: dict[str, dict[str, Any]] = {}  # backend -> loop name -> kernel or Many factory ({}: none load)


def default_backend() -> str:
    """``$MLPLAB_OPTIM_KERNELS`` (``native``, ``numba`` or ``none``), ``native`` when unset."""
    name = os.environ.get("MLPLAB_OPTIM_KERNELS", "").strip().lower() or "native"
    if name not in BACKENDS:
        raise ValueError(f"MLPLAB_OPTIM_KERNELS: expected one of {', '.join(BACKENDS)}, got {name!r}")
    return name


def _load(backend: str) -> dict[str, Any]:
    table: dict[str, Any] = {}
    if backend == "native":
        from . import native

        table = native.load() or {}
    elif backend == "numba":
        try:
            from . import adam, rms, sgd
        except (ImportError, RuntimeError):  # no numba, or numba finds no writable cache dir
            pass
        else:
            table = {"adam": adam.adam, "nadam": adam.nadam, "rmsprop": rms.rmsprop,
                     "adagrad": rms.adagrad, "sgd": sgd.sgd, "momentum": sgd.momentum}  # fmt: skip
    _TABLES[backend] = table
    return table


def available(backend: str | None = None) -> bool:
    """Whether ``backend``'s kernels (default: :func:`default_backend`) can run; loads them."""
    backend = backend or default_backend()
    table = _TABLES.get(backend)
    return bool(table if table is not None else _load(backend))


def cached(backend: str | None = None) -> bool:
    """Whether ``backend``'s kernels (default: :func:`default_backend`) load without a build: they are
    loaded in this process already, or (C) the library for this source, flags, compiler and CPU is in
    the on-disk cache where ``native.load`` would take it from (:func:`native.cached`). numba (whose
    cache is numba's) and ``none``: only when loaded. Builds and loads nothing."""
    backend = backend or default_backend()
    if _TABLES.get(backend):
        return True
    if backend == "native":
        from . import native

        return native.cached()
    return False


def kernel_for(optimizer: Any, backend: str | None = None) -> Kernel | None:
    """The kernel of ``optimizer``'s class in ``backend`` (default: :func:`default_backend`), or None
    (see the module doc)."""
    return _lookup(optimizer, backend, "")


def many_for(optimizer: Any, backend: str | None = None) -> Callable[..., Any] | None:
    """The factory of one-call updates of several parameters (``native.Many``) of ``optimizer``'s class
    in ``backend``, or None: only plain SGD (``sgd_many``) and Adam/AdamW (``adam_many``) have one,
    only in the C backend, and only for a class whose update is the one the loop mirrors (as
    :func:`kernel_for`). The factory takes a group's weight arrays and, per state entry (its
    ``states`` of them: 0 for SGD, ``exp_avg`` and ``exp_avg_sq`` for Adam), their state arrays; the
    call it makes, their gradients and the step's scalars."""
    return _lookup(optimizer, backend, "_many")


def _lookup(optimizer: Any, backend: str | None, suffix: str) -> Any:
    backend = backend or default_backend()
    table = _TABLES.get(backend)
    if table is None:
        table = _load(backend)
    cls = type(optimizer)
    for base in cls.__mro__:
        loop = _LOOPS.get(f"{base.__module__.partition('.')[2]}.{base.__qualname__}")
        if loop is not None:
            kernel = table.get(loop + suffix)
            same = all(getattr(cls, name) is getattr(base, name) for name in _MIRRORED)
            return kernel if same else None
    return None


_MIRRORED = ("update", "scalars", "array_state", "reads_weights")
