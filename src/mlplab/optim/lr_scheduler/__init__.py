"""Learning-rate schedules: ``LRScheduler`` and PyTorch's common schedulers, same numbers.

A scheduler rewrites ``group['lr']`` of its optimiser's parameter groups each time ``step()`` is
called (once per epoch, or per batch for ``OneCycleLR``), after ``optimizer.step()``. The notes'
example::

    optimizer = optim.SGD([w], lr=0.1)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.6)
    for epoch in range(10):
        optimizer.step()
        scheduler.step()
        print(scheduler.get_last_lr(), end=" ")   # [0.1] nine times, then [0.06]

Most schedules are computed recursively from the current lr, as PyTorch does (so they compose
with other schedulers and with manual lr changes); ``_get_closed_form_lr`` gives the closed form
used when ``SequentialLR`` restarts a scheduler at a milestone.
"""

from .base import LRScheduler, _LRScheduler
from .cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from .cyclic import CyclicLR
from .multiplicative import (
    ConstantLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from .one_cycle import OneCycleLR
from .plateau import ReduceLROnPlateau
from .sequential import ChainedScheduler, SequentialLR

__all__ = [
    "LRScheduler",
    "_LRScheduler",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "LambdaLR",
    "LinearLR",
    "SequentialLR",
    "OneCycleLR",
    "ReduceLROnPlateau",
    "MultiplicativeLR",
    "ConstantLR",
    "PolynomialLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ChainedScheduler",
]
