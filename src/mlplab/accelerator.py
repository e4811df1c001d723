"""``mlplab.accelerator`` as on a CPU-only PyTorch build: there is no accelerator."""

from __future__ import annotations

from ._device import NO_ACCELERATOR, device


def is_available() -> bool:
    return False


def current_accelerator(check_available: bool = False) -> device | None:
    """None: the CPU is not an accelerator."""
    return None


def device_count() -> int:
    return 0


def current_device_index() -> int:
    raise RuntimeError(NO_ACCELERATOR)


def synchronize(device: object = None) -> None:
    raise RuntimeError(NO_ACCELERATOR)
