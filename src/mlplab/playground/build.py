"""One playground run built as ``mlplab train`` builds it, and the lock that keeps sessions apart.

mlplab's grad mode and default random generator are process-wide, so the sessions' threads take
turns: every computation of a session (building, a training step, a snapshot) runs inside
:func:`computing`, which holds one lock and swaps the session's own generator in as the default.
A session therefore draws the same random numbers (initial weights, Dropout masks) as a lone
``mlplab train`` process with the same seed, whatever the other tabs do.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import random as _random
from ..train.build import (
    RunData,
    build_loader,
    build_loss,
    build_model,
    build_optimizer,
    build_scheduler,
    load_data,
)
from ..train.config import RunConfig
from ..train.losses import LossSpec
from ..train.optimizers import OPTIMIZERS
from .settings import check_settings

_LOCK = threading.Lock()


@contextmanager
def computing(gen: np.random.Generator) -> Iterator[None]:
    """Hold the compute lock with ``gen`` as mlplab's default generator (restored after)."""
    with _LOCK:
        saved = _random.default_generator.rng
        _random.default_generator.rng = gen
        try:
            yield
        finally:
            _random.default_generator.rng = saved


@dataclass
class Built:
    """Everything one run trains with, made from a checked config."""

    settings: dict[str, Any]
    cfg: RunConfig
    data: RunData
    spec: LossSpec
    model: Any
    optimizer: Any
    loader: Any
    scheduler: Any
    interval: str
    steps_on_metric: bool
    needs_closure: bool
    rng: np.random.Generator

    @property
    def two_d(self) -> bool:
        return self.data.x_train.shape[1] == 2


def build_run(settings: dict[str, Any]) -> Built:
    """Check ``settings`` and build the run in ``mlplab train``'s order (seed, data, loss, model,
    optimiser, loader, schedule), so the same settings give the same weights and batches."""
    cfg = check_settings(settings)
    gen = _random.Generator().manual_seed(cfg.seed).rng
    with computing(gen):
        data = load_data(cfg)
        spec = build_loss(cfg, data.task, data.n_classes, data.n_targets)
        cfg = cfg.resolved().merged({"loss": spec.name})
        model = build_model(cfg, data.x_train.shape[1], spec.out_features())
        optimizer = build_optimizer(cfg, model.parameters())
        loader, _ = build_loader(cfg, data, spec)
        scheduler, interval, on_metric = build_scheduler(cfg, optimizer, len(loader))
    needs_closure = bool(OPTIMIZERS.get(cfg.optimizer).properties.get("needs_closure"))
    return Built(
        dict(settings),
        cfg,
        data,
        spec,
        model,
        optimizer,
        loader,
        scheduler,
        interval,
        on_metric,
        needs_closure,
        gen,
    )
