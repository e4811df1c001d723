"""Utilities, as ``torch.utils``: ``mlplab.utils.data`` holds Dataset, DataLoader and friends."""

from . import data

__all__ = ["data"]
