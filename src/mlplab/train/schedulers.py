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
    "gamma",
    "float",
    "step/multistep/exponential/cyclic exp_range: decay factor",
    low=0,
    low_open=True,
    panel=PANEL,
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
ETA_MIN = Option("eta_min", "float", "cosine/cosine_restarts: minimum lr", low=0, panel=PANEL)
FACTOR = Option(
    "factor", "float", "plateau: lr factor", low=0, high=1, low_open=True, high_open=True, panel=PANEL
)
PLATEAU_PATIENCE = Option(
    "plateau_patience", "int", "plateau: epochs without improvement", low=0, panel=PANEL
)
MAX_LR = Option(
    "max_lr", "float", "onecycle/cyclic: peak lr (default: --lr)", low=0, low_open=True, panel=PANEL
)
TOTAL_ITERS = Option(
    "total_iters", "int", "constant/linear/polynomial: epochs of the warm-up or decay", low=1, panel=PANEL
)
WARMUP_FACTOR = Option(
    "warmup_factor",
    "float",
    "constant/linear: lr factor at the start",
    low=0,
    high=1,
    low_open=True,
    panel=PANEL,
)
POWER = Option("power", "float", "polynomial: power of the decay", low=0, panel=PANEL)
RESTART_PERIOD = Option(
    "restart_period", "int", "cosine_restarts: epochs to the first restart (T_0)", low=1, panel=PANEL
)
PERIOD_MULT = Option(
    "period_mult", "int", "cosine_restarts: growth of the period (T_mult)", low=1, panel=PANEL
)
BASE_LR = Option("base_lr", "float", "cyclic: lowest lr (default: --lr / 10)", low=0, panel=PANEL)
CYCLE_EPOCHS = Option(
    "cycle_epochs", "float", "cyclic: epochs of the rising half-cycle", low=0, low_open=True, panel=PANEL
)
CYCLE_MODE = Option(
    "cycle_mode",
    "str",
    "cyclic: amplitude per cycle",
    choices=("triangular", "triangular2", "exp_range"),
    panel=PANEL,
)

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


def warmup_constant(
    optimizer: Any, run: ScheduleContext, *, warmup_factor: float = 1.0 / 3, total_iters: int = 5
) -> Any:
    return sch.ConstantLR(optimizer, factor=warmup_factor, total_iters=total_iters)


def linear(
    optimizer: Any, run: ScheduleContext, *, warmup_factor: float = 1.0 / 3, total_iters: int = 5
) -> Any:
    return sch.LinearLR(optimizer, start_factor=warmup_factor, total_iters=total_iters)


def polynomial(
    optimizer: Any, run: ScheduleContext, *, total_iters: int | None = None, power: float = 1.0
) -> Any:
    return sch.PolynomialLR(optimizer, total_iters=total_iters or run.epochs, power=power)


def cosine_restarts(
    optimizer: Any,
    run: ScheduleContext,
    *,
    restart_period: int = 10,
    period_mult: int = 1,
    eta_min: float = 0.0,
) -> Any:
    return sch.CosineAnnealingWarmRestarts(optimizer, T_0=restart_period, T_mult=period_mult, eta_min=eta_min)


def cyclic(
    optimizer: Any,
    run: ScheduleContext,
    *,
    base_lr: float | None = None,
    max_lr: float | None = None,
    cycle_epochs: float = 2.0,
    cycle_mode: str = "triangular",
    gamma: float = 1.0,
) -> Any:
    peak = max_lr or optimizer.param_groups[0]["lr"]
    low = peak / 10 if base_lr is None else base_lr
    cycles_momentum = "momentum" in optimizer.defaults or "betas" in optimizer.defaults
    return sch.CyclicLR(
        optimizer,
        base_lr=low,
        max_lr=peak,
        step_size_up=max(1, round(cycle_epochs * run.steps_per_epoch)),
        mode=cycle_mode,
        gamma=gamma,
        cycle_momentum=cycles_momentum,
    )


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
SCHEDULERS.add(
    "constant",
    warmup_constant,
    "warm up at lr * warmup_factor for total_iters epochs",
    (WARMUP_FACTOR, TOTAL_ITERS),
)
SCHEDULERS.add(
    "linear",
    linear,
    "warm up linearly from lr * warmup_factor over total_iters",
    (WARMUP_FACTOR, TOTAL_ITERS),
)
SCHEDULERS.add(
    "polynomial",
    polynomial,
    "decay to 0 as (1 - t/total_iters)^power (default: --epochs)",
    (TOTAL_ITERS, POWER),
)
SCHEDULERS.add(
    "cosine_restarts",
    cosine_restarts,
    "cosine annealing, restarted after restart_period * period_mult^k epochs (SGDR)",
    (RESTART_PERIOD, PERIOD_MULT, ETA_MIN),
)
SCHEDULERS.add(
    "cyclic",
    cyclic,
    "triangle wave between base_lr and max_lr, momentum opposite (per batch)",
    (BASE_LR, MAX_LR, CYCLE_EPOCHS, CYCLE_MODE, GAMMA),
    interval="batch",
)
