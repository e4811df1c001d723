"""``mlplab.backends``: the backend flags programs read (``backends.mps.is_available()``,
``backends.cudnn.deterministic = True``), answering as a CPU-only PyTorch build does."""

from . import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
