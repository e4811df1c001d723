"""``mlplab.mps`` as on a PyTorch build without Apple's Metal backend: no MPS device exists."""

from __future__ import annotations

from ._device import CPU_ONLY


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Does nothing (as torch without MPS)."""


def synchronize() -> None:
    raise RuntimeError(f"Cannot execute deviceSynchronize() without MPS backend. ({CPU_ONLY})")
