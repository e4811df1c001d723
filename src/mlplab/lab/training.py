"""Digits training for the lab's experiments, through the public API: ``mlplab.datasets.load``,
``DataLoader`` with its own seeded ``Generator``, and :func:`mlplab.train.fit`.

One call trains a model for some epochs with mini-batch updates

    for each batch (x, y):  loss = CE(model(x), y) [+ l1 sum|w| + l2 sum w^2];  w <- optimizer(w, dL/dw)

and returns the per-epoch history (train/validation loss and accuracy, lr). A run whose loss
becomes NaN or infinite stops there and is reported as diverged, never as an exception: "this
learning rate diverges" is a result the lab wants to show.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import datasets, nn, tensor
from ..errors import DivergenceError
from ..random import Generator
from ..train import Callback, fit
from ..utils.data import DataLoader, TensorDataset

__all__ = ["Trained", "digits", "loader", "train_digits"]

_CACHE: dict[int, Any] = {}


def digits(seed: int = 0) -> Any:
    """The notes' digits split (80/20 stratified test split, 10% of the rest for validation,
    standardised on the training part) for ``seed``; cached, it is read-only."""
    if seed not in _CACHE:
        _CACHE[seed] = datasets.load("digits", seed=seed)
    return _CACHE[seed]


def loader(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int) -> DataLoader:
    """A shuffling DataLoader over ``(x, y)`` whose order depends on ``seed`` only."""
    gen = Generator().manual_seed(seed)
    data = TensorDataset(tensor(np.ascontiguousarray(x)), tensor(y))
    return DataLoader(data, batch_size=min(batch_size, len(x)), shuffle=True, generator=gen)


@dataclass
class Trained:
    """A finished (or diverged) run: its history and, when it diverged, the epoch it happened."""

    history: list[dict[str, float]] = field(default_factory=list)
    diverged_at: int | None = None

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    def last(self, key: str) -> float:
        """The last epoch's ``key`` (NaN for a run that diverged or has no epoch)."""
        if self.diverged or not self.history:
            return math.nan
        return float(self.history[-1][key])

    def curve(self, key: str) -> np.ndarray:
        """``key`` per finished epoch."""
        return np.array([row[key] for row in self.history], dtype=np.float64)


def train_digits(
    model: nn.Module,
    optimizer: Any,
    epochs: int,
    seed: int,
    *,
    batch_size: int = 32,
    x: np.ndarray | None = None,
    y: np.ndarray | None = None,
    val: tuple[np.ndarray, np.ndarray] | None = None,
    scheduler: Any = None,
    interval: str = "epoch",
    steps_on_metric: bool = False,
    l1: float = 0.0,
    l2: float = 0.0,
    callbacks: Sequence[Callback] = (),
) -> Trained:
    """Train ``model`` with ``optimizer`` on the digits training split (or on ``x``, ``y``) for
    ``epochs`` epochs, cross-entropy loss, validating on the validation split (or ``val``)."""
    split = digits(seed)
    x = split.X_train if x is None else x
    y = split.y_train if y is None else y
    val = (split.X_val, split.y_val) if val is None else val
    out = Trained()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow on the way to a divergence
        try:
            out.history = fit(
                model,
                loader(x, y, batch_size, seed),
                optimizer,
                nn.CrossEntropyLoss(),
                epochs,
                val_data=val,
                scheduler=scheduler,
                scheduler_interval=interval,
                steps_on_metric=steps_on_metric,
                l1=l1,
                l2=l2,
                callbacks=list(callbacks),
            )
        except DivergenceError as e:
            out.diverged_at = int(e.epoch)
        if not out.diverged and not all(math.isfinite(r.get("val_loss", 0.0)) for r in out.history):
            out.diverged_at = len(out.history)
    return out
