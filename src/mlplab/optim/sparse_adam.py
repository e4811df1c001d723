"""``SparseAdam``: refused, with the reason and what to use instead."""

from __future__ import annotations

from typing import Any

__all__ = ["SparseAdam"]


class SparseAdam:
    """PyTorch's Adam for sparse gradients (``nn.Embedding(sparse=True)``): not supported.

    mlplab's tensors are dense NumPy arrays, so no gradient is ever sparse, and PyTorch's own
    SparseAdam refuses dense gradients ("SparseAdam does not support dense gradients"). Constructing
    one raises RuntimeError at once, instead of at the first ``step()`` as PyTorch would.
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, maximize: bool = False) -> None:  # fmt: skip
        raise RuntimeError(
            "mlplab does not support SparseAdam: it updates sparse gradients "
            "(nn.Embedding(sparse=True)) and mlplab's tensors and gradients are dense; "
            "use optim.Adam instead"
        )
