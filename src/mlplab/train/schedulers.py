"""The learning-rate schedules ``mlplab train`` offers: one factory and one registration each.

A factory takes the optimiser and the run's :class:`ScheduleContext` (epochs, batches per epoch)
positionally and its options by keyword; the defaults in its signature are the option defaults.
Properties the loop reads: ``steps_on_metric`` (``step(val_loss)``, ReduceLROnPlateau) and
``interval`` (``"epoch"``, or ``"batch"`` for OneCycleLR).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import UserError
from ..optim import lr_scheduler as sch
from ..registry import Option, Registry

PANEL = "Learning-rate schedule"


@dataclass(frozen=True)
class ScheduleContext:
    """What a schedule may need to know about the run."""

    epochs: int
    steps_per_epoch: int


STEP_SIZE = Option("step_size", "int", "step: epochs between decays", low=1, panel=PANEL)
GAMMA = Option(
    "gamma", "float", "step/multistep/exponential: decay factor", low=0, low_open=True, panel=PANEL
)
MILESTONES = Option(
    "milestones",
    "int_list",
    "multistep: epochs of the decays, comma list",
    low=1,
    example="10,20",
    panel=PANEL,
)
T_MAX = Option("t_max", "int", "cosine: period in epochs (default: --epochs)", low=1, panel=PANEL)
ETA_MIN = Option("eta_min", "float", "cosine: minimum lr", low=0, panel=PANEL)
FACTOR = Option(
    "factor", "float", "plateau: lr factor", low=0, high=1, low_open=True, high_open=True, panel=PANEL
)
PLATEAU_PATIENCE = Option(
    "plateau_patience", "int", "plateau: epochs without improvement", low=0, panel=PANEL
)
MAX_LR = Option("max_lr", "float", "onecycle: peak lr (default: --lr)", low=0, low_open=True, panel=PANEL)

SCHEDULERS = Registry("scheduler", "how the learning rate changes during training", error=UserError)


def constant(optimizer: Any, run: ScheduleContext) -> None:
    """No schedule: the learning rate stays."""
    return None


def step(optimizer: Any, run: ScheduleContext, *, step_size: int = 10, gamma: float = 0.1) -> Any:
    return sch.StepLR(optimizer, step_size=step_size, gamma=gamma)


def multistep(
    optimizer: Any, run: ScheduleContext, *, milestones: tuple[int, ...] = (10, 20), gamma: float = 0.1
) -> Any:
    return sch.MultiStepLR(optimizer, milestones=list(milestones), gamma=gamma)


def exponential(optimizer: Any, run: ScheduleContext, *, gamma: float = 0.1) -> Any:
    return sch.ExponentialLR(optimizer, gamma=gamma)


def cosine(optimizer: Any, run: ScheduleContext, *, t_max: int | None = None, eta_min: float = 0.0) -> Any:
    return sch.CosineAnnealingLR(optimizer, T_max=t_max or run.epochs, eta_min=eta_min)


def plateau(optimizer: Any, run: ScheduleContext, *, factor: float = 0.1, plateau_patience: int = 5) -> Any:
    return sch.ReduceLROnPlateau(optimizer, factor=factor, patience=plateau_patience)


def onecycle(optimizer: Any, run: ScheduleContext, *, max_lr: float | None = None) -> Any:
    peak = max_lr or optimizer.param_groups[0]["lr"]
    return sch.OneCycleLR(optimizer, max_lr=peak, epochs=run.epochs, steps_per_epoch=run.steps_per_epoch)


SCHEDULERS.add("none", constant, "constant learning rate")
SCHEDULERS.add("step", step, "multiply by gamma every step_size epochs", (STEP_SIZE, GAMMA))
SCHEDULERS.add("multistep", multistep, "multiply by gamma at each milestone epoch", (MILESTONES, GAMMA))
SCHEDULERS.add("exponential", exponential, "multiply by gamma every epoch", (GAMMA,))
SCHEDULERS.add("cosine", cosine, "cosine annealing to eta_min over t_max epochs", (T_MAX, ETA_MIN))
SCHEDULERS.add(
    "plateau",
    plateau,
    "multiply by factor when the validation loss stalls",
    (FACTOR, PLATEAU_PATIENCE),
    steps_on_metric=True,
)
SCHEDULERS.add(
    "onecycle", onecycle, "one cycle: warm up to max_lr, anneal (per batch)", (MAX_LR,), interval="batch"
)
