"""``mlplab.backends.cudnn``: cuDNN is not available; its flags can be set (programs set them for
reproducibility) and change nothing, as on a CPU-only PyTorch build."""

from __future__ import annotations

enabled = True
deterministic = False
benchmark = False


def is_available() -> bool:
    return False


def version() -> None:
    return None
