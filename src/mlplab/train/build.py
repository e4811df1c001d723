"""Everything a run is made of, built from a :class:`~mlplab.train.config.RunConfig`: the data
(splits, standardisation), the loss, the model, the optimiser, the schedule and the batch loader.

Each builder reads its choice from the registries (``OPTIMIZERS``, ``SCHEDULERS``, ``LOSSES``,
``ACTIVATIONS``, ``INITIALIZERS``, ``DATASETS``) and passes the chosen entry its options; none of
them knows an entry by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import datasets, nn
from ..random import Generator
from ..tensor import Tensor
from ..utils.data import DataLoader, TensorDataset
from .config import RunConfig
from .losses import LossSpec, default_loss
from .model import build_mlp
from .optimizers import OPTIMIZERS
from .schedulers import SCHEDULERS, ScheduleContext


@dataclass
class RunData:
    """Arrays of the three splits plus what predict needs to treat new data the same way.

    Regression targets are standardised with the training targets' mean/std for training (so the
    default lr suits any unit); metrics and plots convert predictions back to the original units.
    ``indices`` are the rows of the whole data set in each split; ``meta`` holds the data's facts
    (scaler, names, fingerprint) as saved in ``config.json``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    task: str
    n_classes: int
    class_names: list[str]
    feature_names: list[str]
    meta: dict[str, Any]
    target_scaler: Any = None
    indices: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_targets(self) -> int:
        return 1 if self.y_train.ndim == 1 else int(self.y_train.shape[1])

    def to_original(self, y: np.ndarray) -> np.ndarray:
        """Regression values back in the data's units (identity for classification)."""
        return to_original(y, self.target_scaler)


def to_original(y: np.ndarray, target_scaler: Any) -> np.ndarray:
    """Standardised regression values back in the data's units (unchanged without a scaler)."""
    if target_scaler is None:
        return y
    z = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    return target_scaler.inverse_transform(z).reshape(len(y), -1)


def dataset_options(cfg: RunConfig) -> dict[str, Any]:
    """The options of the chosen built-in data set that differ from its defaults."""
    if cfg.data is not None:
        return {}
    entry = datasets.DATASETS.get(cfg.dataset)
    return {k: v for k, v in entry.arguments(cfg.to_dict()).items() if v != entry.default(k)}


def load_data(cfg: RunConfig) -> RunData:
    """Load the configured dataset (built-in or CSV) and split/standardise it."""
    name = cfg.data if cfg.data is not None else cfg.dataset
    split = datasets.load(
        name,
        target=cfg.target,
        task=cfg.task,
        seed=cfg.seed,
        test_size=cfg.test_size,
        val_size=cfg.val_size,
        **dataset_options(cfg),
    )
    ys = [split.y_train, split.y_val, split.y_test]
    target_scaler = None
    if split.task == "regression":
        target_scaler = split.target_scaler or datasets.Standardizer.fit(
            split.y_train.reshape(len(split.y_train), -1)
        )
        ys = [target_scaler.transform(y.reshape(len(y), -1)) if len(y) else y.astype(np.float32) for y in ys]
    return RunData(
        x_train=split.X_train,
        y_train=ys[0],
        x_val=split.X_val,
        y_val=ys[1],
        x_test=split.X_test,
        y_test=ys[2],
        task=split.task,
        n_classes=split.n_classes or 0,
        class_names=[str(c) for c in (split.class_names or [])],
        feature_names=list(split.feature_names),
        meta=split.meta(),
        target_scaler=target_scaler,
        indices=dict(split.indices),
    )


def build_loss(cfg: RunConfig, task: str, n_classes: int, n_targets: int) -> LossSpec:
    """The configured loss (or the task's default) for this data."""
    return LossSpec(cfg.loss or default_loss(task), task, n_classes, n_targets)


def build_model(cfg: RunConfig, n_features: int, out_features: int) -> nn.Sequential:
    """The configured MLP."""
    return build_mlp(
        n_features,
        cfg.hidden,
        out_features,
        activation=cfg.activation,
        init=cfg.init,
        batchnorm=cfg.batchnorm,
        dropout=cfg.dropout,
        init_value=cfg.init_value,
    )


def build_optimizer(cfg: RunConfig, params: Any) -> Any:
    """The configured optimiser with its options (unset ones keep the optimiser's defaults)."""
    entry = OPTIMIZERS.get(cfg.optimizer)
    return entry.factory(params, **entry.arguments(cfg.to_dict()))


def build_scheduler(cfg: RunConfig, optimizer: Any, steps_per_epoch: int) -> tuple[Any, str, bool]:
    """The configured schedule, whether it steps per ``"epoch"`` or per ``"batch"``, and whether
    its ``step`` takes the validation loss (ReduceLROnPlateau)."""
    entry = SCHEDULERS.get(cfg.scheduler)
    sched = entry.factory(
        optimizer, ScheduleContext(cfg.epochs, steps_per_epoch), **entry.arguments(cfg.to_dict())
    )
    return sched, entry.properties.get("interval", "epoch"), bool(entry.properties.get("steps_on_metric"))


def build_loader(cfg: RunConfig, data: RunData, spec: LossSpec) -> tuple[DataLoader, Generator]:
    """A shuffling DataLoader over the training split and its own seeded Generator."""
    n = len(data.x_train)
    bs = n if cfg.batch_size == "full" else min(int(cfg.batch_size), n)
    gen = Generator().manual_seed(cfg.seed)
    x = Tensor._make(np.ascontiguousarray(data.x_train, dtype=np.float32))
    y = Tensor._make(spec.target(data.y_train))
    drop_last = cfg.batchnorm and n % bs == 1  # a batch of one cannot be batch-normalised
    loader = DataLoader(TensorDataset(x, y), batch_size=bs, shuffle=True, generator=gen, drop_last=drop_last)
    return loader, gen
