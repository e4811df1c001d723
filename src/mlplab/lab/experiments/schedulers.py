r"""``schedulers``: the learning rate of every schedule in ``mlplab train``'s registry, and digits
training with and without decay.

The notes' schedules (lr_0 the optimiser's lr, e the epoch):

    StepLR           lr_e = lr_0 * gamma^floor(e / step_size)
    MultiStepLR      lr_e = lr_0 * gamma^(number of milestones <= e)
    ExponentialLR    lr_e = lr_0 * gamma^e
    CosineAnnealing  lr_e = eta_min + (lr_0 - eta_min) (1 + cos(pi e / T_max)) / 2

A large lr gets close fast but then bounces around the minimum; decaying it lets the weights
settle. The digits runs use SGD lr 2 with weight decay 0.01, so the minimum is not a perfect fit
of every sample (mini-batch gradients stay noisy there) and the bouncing shows in the loss on the
whole training split, measured after every epoch. Every entry of the scheduler registry is drawn
(a new schedule appears here by itself); those with a closed form above are checked against it.
A metric-driven schedule (ReduceLROnPlateau) is fed a loss that improves for 8 epochs, then stalls.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ... import manual_seed, optim, zeros
from ...train import REGISTRIES, Callback, build_mlp, evaluate
from ...train.schedulers import ScheduleContext
from ..core import Claim, LabResult, experiment
from ..plotting import pyplot, save_figure
from ..training import digits, loader, train_digits

LR0, BATCH, WEIGHT_DECAY = 2.0, 32, 0.01
DECAY = "cosine"
"""The schedule compared with a constant lr in the claims."""

OPTIONS: dict[str, dict[str, Any]] = {
    # options shown for the entries that take them (others keep their registry defaults)
    "step_size": 10,
    "gamma": 0.5,
    "milestones": (15, 25),
    "factor": 0.5,
    "plateau_patience": 2,
}
EXPONENTIAL_GAMMA = 0.9  # gamma 0.5 per epoch would leave nothing after ten epochs


def options(name: str) -> dict[str, Any]:
    """The keyword options given to scheduler ``name``: :data:`OPTIONS` it takes, else defaults."""
    entry = REGISTRIES["scheduler"].get(name)
    values = {**OPTIONS, "gamma": EXPONENTIAL_GAMMA} if name == "exponential" else OPTIONS
    return {k: v for k, v in entry.arguments(values).items()}


FORMULAS: dict[str, Callable[[float, dict[str, Any], int], float]] = {
    # name -> lr at (fractional) epoch e, from the options and the run's epochs
    "none": lambda e, o, n: LR0,
    "step": lambda e, o, n: LR0 * o["gamma"] ** math.floor(e / o["step_size"]),
    "multistep": lambda e, o, n: LR0 * o["gamma"] ** sum(m <= e for m in o["milestones"]),
    "exponential": lambda e, o, n: LR0 * o["gamma"] ** math.floor(e),
    "cosine": lambda e, o, n: (
        o["eta_min"] + (LR0 - o["eta_min"]) * (1 + math.cos(math.pi * math.floor(e) / (o["t_max"] or n))) / 2
    ),
}


def plateau_metric(epoch: int) -> float:
    """A validation loss for metric-driven schedules: improves for 8 epochs, then stalls."""
    return 1.0 / (1 + min(epoch, 8))


def lr_curve(name: str, epochs: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """The lr each batch of ``epochs`` epochs of ``steps`` batches sees under scheduler ``name``,
    stepped as the training loop steps it; returns (epoch of each batch, lr)."""
    entry = REGISTRIES["scheduler"].get(name)
    w = zeros(1, requires_grad=True)
    opt = optim.SGD([w], lr=LR0)
    sched = entry.factory(opt, ScheduleContext(epochs, steps), **options(name))
    per_batch = entry.properties.get("interval", "epoch") == "batch"
    at, lrs = [], []
    for e in range(epochs):
        for b in range(steps):
            at.append(e + b / steps)
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            if sched is not None and per_batch:
                sched.step()
        if sched is not None and not per_batch:
            sched.step(plateau_metric(e)) if entry.properties.get("steps_on_metric") else sched.step()
    return np.array(at), np.array(lrs)


class FullTrainLoss(Callback):
    """Cross-entropy on the whole training split after every epoch (eval mode)."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x, self.y, self.values = x, y, []  # type: list[float]

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, float]) -> None:
        self.values.append(evaluate(trainer.model, self.x, self.y, trainer.spec)["loss"])


def train_with(name: str, epochs: int, seed: int) -> tuple[Any, np.ndarray]:
    """The notes' 64-50-10 Tanh net on digits, SGD lr 2 with weight decay 0.01, under scheduler
    ``name``; returns the run and the whole training split's loss after each epoch."""
    entry = REGISTRIES["scheduler"].get(name)
    manual_seed(seed)
    model = build_mlp(64, [50], 10, activation="tanh")
    opt = optim.SGD(model.parameters(), lr=LR0, weight_decay=WEIGHT_DECAY)
    split = digits(seed)
    full = FullTrainLoss(split.X_train, split.y_train)
    steps = len(loader(split.X_train, split.y_train, BATCH, seed))
    sched = entry.factory(opt, ScheduleContext(epochs, steps), **options(name))
    run = train_digits(
        model,
        opt,
        epochs,
        seed,
        batch_size=BATCH,
        scheduler=sched,
        interval=entry.properties.get("interval", "epoch"),
        steps_on_metric=bool(entry.properties.get("steps_on_metric")),
        callbacks=[full],
    )
    return run, np.array(full.values)


@experiment(
    "schedulers",
    section="Learning-rate decay (3.5): StepLR, MultiStepLR, ExponentialLR and the rest",
    claim="each schedule follows its formula; with decay, training at a large lr settles lower and "
    "steadier than at a constant lr",
)
def run(out_dir: Path, quick: bool, seed: int) -> LabResult:
    """lr curves over 30 epochs; digits training 15 epochs x 2 seeds (quick) or 30 x 4."""
    names = REGISTRIES["scheduler"].names()
    curve_epochs = 30
    steps = len(loader(digits(seed).X_train, digits(seed).y_train, BATCH, seed))
    curves = {n: lr_curve(n, curve_epochs, steps) for n in names}
    epochs, seeds = (15, [seed, seed + 1]) if quick else (30, [seed + k for k in range(4)])
    runs = {n: [train_with(n, epochs, s) for s in seeds] for n in names}

    def final(n: str) -> float:
        """Mean over seeds of the whole training split's loss after the last epoch."""
        return float(np.mean([v[-1] if len(v) == epochs else np.nan for _, v in runs[n]]))

    def wobble(n: str) -> float:
        """Mean over seeds of the std of the last 5 epochs' whole-training-split loss."""
        return float(np.mean([np.std(v[-5:]) if len(v) == epochs else np.nan for _, v in runs[n]]))

    def val_acc(n: str) -> float:
        return float(np.mean([r.last("val_acc") for r, _ in runs[n]]))

    errors = {}
    for n in names:
        if n in FORMULAS:
            at, lrs = curves[n]
            expect = np.array([FORMULAS[n](e, options(n), curve_epochs) for e in at])
            errors[n] = float(np.max(np.abs(lrs - expect)))
    rows = [
        {
            "scheduler": n,
            "options": {k: list(v) if isinstance(v, tuple) else v for k, v in options(n).items()},
            "steps per": REGISTRIES["scheduler"].get(n).properties.get("interval", "epoch"),
            "lr at epoch 0": float(curves[n][1][0]),
            f"lr at epoch {curve_epochs - 1}": float(curves[n][1][-1]),
            "max |lr - formula|": errors.get(n, float("nan")),
            f"training-split loss after {epochs} epochs": final(n),
            "std of the last 5 epochs' training-split loss": wobble(n),
            f"val accuracy after {epochs} epochs": val_acc(n),
        }
        for n in names
    ]

    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.8))
    # one colour per schedule, however many the registry holds (tab10 runs out at ten)
    palette = plt.get_cmap("tab10" if len(names) <= 10 else "tab20").colors
    colors = {n: palette[i % len(palette)] for i, n in enumerate(names)}
    ax = axes[0]
    for n in names:
        ax.plot(*curves[n], color=colors[n], lw=1.6, label=n)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("learning rate (log scale)")
    ax.set_title(f"Every schedule of the registry, lr_0 = {LR0}\n(plateau: a loss that stalls after epoch 8)")
    ax.legend(fontsize=8, ncol=2)
    ax.grid(alpha=0.3, which="both")
    for ax, key, label in (
        (axes[1], "train_loss", "loss on the training split (cross-entropy)"),
        (axes[2], "val_acc", "validation accuracy"),
    ):
        for n in names:
            per_seed = [v if key == "train_loss" else r.curve(key) for r, v in runs[n]]
            mean = np.mean([c for c in per_seed if len(c) == epochs], axis=0)
            style = "-" if n in ("none", DECAY) else "--"
            lw = 2.2 if n in ("none", DECAY) else 1.0
            ax.plot(np.arange(1, len(mean) + 1), mean, style, color=colors[n], lw=lw, label=n)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8, ncol=2)
    axes[1].set_yscale("log")
    axes[1].set_ylabel("loss on the training split (cross-entropy, log scale)")
    axes[1].set_title(
        f"Digits 64-50-10, SGD lr {LR0}, weight decay {WEIGHT_DECAY} (mean of {len(seeds)} seeds)"
    )
    axes[2].set_ylim(0.8, 1.0)
    axes[2].set_title("Validation accuracy (bold: none and " + DECAY + ")")
    figure = save_figure(fig, out_dir, "schedulers")

    claims = [
        Claim(f"{n}: max |lr - formula| over {curve_epochs} epochs", e, "<", 1e-9) for n, e in errors.items()
    ]
    claims += [
        Claim(
            f"training-split loss after {epochs} epochs: {DECAY} decay / constant lr (settles lower)",
            final(DECAY) / final("none"),
            "<",
            0.9,
        ),
        Claim(
            f"std of the last 5 epochs' training-split loss: {DECAY} decay / constant lr (steadier)",
            wobble(DECAY) / wobble("none"),
            "<",
            0.3,
        ),
    ]
    return LabResult("schedulers", figures=[figure], tables={"schedules": rows}, claims=claims)
