"""``mlplab.cuda`` as on a CPU-only PyTorch build: no CUDA device exists.

Queries answer as torch's do there (``is_available()`` False, ``device_count()`` 0, seeding and
``empty_cache`` do nothing); anything that needs a device raises torch's
``AssertionError: Torch not compiled with CUDA enabled``, with mlplab's reason appended.
"""

from __future__ import annotations

from typing import Any

from ._device import not_compiled


def is_available() -> bool:
    """False: mlplab has no GPU backend."""
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Does nothing (as torch without CUDA): seed the CPU generator with ``mlplab.manual_seed``."""


def manual_seed_all(seed: int) -> None:
    """Does nothing (as torch without CUDA)."""


def seed() -> None:
    """Does nothing (as torch without CUDA)."""


def seed_all() -> None:
    """Does nothing (as torch without CUDA)."""


def empty_cache() -> None:
    """Does nothing: there is no CUDA cache."""


def memory_allocated(device: Any = None) -> int:
    return 0


def max_memory_allocated(device: Any = None) -> int:
    return 0


def init() -> None:
    raise not_compiled()


def current_device() -> int:
    raise not_compiled()


def synchronize(device: Any = None) -> None:
    raise not_compiled()


def get_device_name(device: Any = None) -> str:
    raise not_compiled()


def set_device(device: Any) -> None:
    raise not_compiled()
