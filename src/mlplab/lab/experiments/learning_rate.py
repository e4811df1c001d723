r"""``learning-rate``: too small crawls, too large oscillates then diverges; the limit is 2/L.

On a quadratic f(w) = 1/2 sum_i L_i w_i^2 gradient descent multiplies each coordinate by
(1 - lr L_i) per step:

    lr < 1/L_max           every coordinate shrinks monotonically (slowly when lr << 1/L)
    1/L_max < lr < 2/L_max the steep coordinate flips sign every step but shrinks: oscillates
    lr > 2/L_max           |1 - lr L_max| > 1: it grows every step: diverges

so the largest stable step is 2/L, L the largest curvature (the Lipschitz constant of the
gradient). Here L = (1, 10): 2/L = 0.2. The same picture on digits (64-50-10 Tanh, plain SGD,
batch 32) across learning rates from 1e-4 to 10, and a learning-rate range test: one epoch with the
lr growing exponentially from 1e-5 to 10 batch by batch; the suggestion is the lr of the lowest
(smoothed) loss divided by 10, a step that is still safely inside the stable range.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np

from ... import float64, manual_seed, nn, optim, tensor
from ...optim import lr_scheduler
from ...train import build_mlp
from ..core import Claim, LabResult, experiment
from ..plotting import pyplot, save_figure
from ..training import digits, loader, train_digits

CURVATURE = (1.0, 10.0)
START = (1.0, 1.0)
QUAD_LRS = (1e-4, 0.01, 0.1, 0.15, 0.21)
DIGITS_LRS = (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0)
RANGE = (1e-5, 10.0)
BATCH = 32


def quadratic_path(lr: float, steps: int) -> np.ndarray:
    """Gradient descent (optim.SGD) on 1/2 (w1^2 + 10 w2^2) from (1, 1): (steps + 1, 2)."""
    w = tensor(list(START), dtype=float64, requires_grad=True)
    lam = tensor(list(CURVATURE), dtype=float64)
    opt = optim.SGD([w], lr=lr)
    path = [np.array(START)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for _ in range(steps):
            opt.zero_grad()
            (0.5 * (lam * w * w).sum()).backward()
            opt.step()
            path.append(w.detach().numpy().copy())
    return np.array(path)


def f_of(path: np.ndarray) -> np.ndarray:
    return 0.5 * (CURVATURE[0] * path[:, 0] ** 2 + CURVATURE[1] * path[:, 1] ** 2)


def stable(lr: float, steps: int) -> bool:
    """Whether the steep coordinate has shrunk after ``steps`` steps at ``lr`` (by running it)."""
    return bool(abs(quadratic_path(lr, steps)[-1, 1]) < abs(START[1]))


def largest_stable(steps: int, tol: float = 1e-3) -> float:
    """The largest stable lr in [0, 1], to within ``tol`` from below, found by bisection on runs
    (stability is monotone in lr: stable below the limit, unstable above)."""
    lo, hi = 0.0, 1.0
    while hi - lo > tol:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if stable(mid, steps) else (lo, mid)
    return lo


def range_test(seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """One epoch, lr from 1e-5 to 10 exponentially (ExponentialLR stepped per batch); returns the
    lr and loss of each batch (stopping once the loss exceeds 4x its minimum) and the suggestion."""
    split = digits(seed)
    data = loader(split.X_train, split.y_train, BATCH, seed)
    manual_seed(seed)
    model = build_mlp(64, [50], 10, activation="tanh")
    opt = optim.SGD(model.parameters(), lr=RANGE[0])
    n = len(data)
    sched = lr_scheduler.ExponentialLR(opt, gamma=(RANGE[1] / RANGE[0]) ** (1 / (n - 1)))
    lrs, losses = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for x, y in data:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            v = float(loss.item())
            lrs.append(opt.param_groups[0]["lr"])
            losses.append(v)
            if not math.isfinite(v) or v > 4 * min(losses):
                break
            loss.backward()
            opt.step()
            sched.step()
    lrs_a, losses_a = np.array(lrs), np.array(losses)
    smooth = np.convolve(losses_a, np.ones(5) / 5, mode="same")
    smooth[:2], smooth[-2:] = losses_a[:2], losses_a[-2:]
    return lrs_a, losses_a, float(lrs_a[int(np.nanargmin(smooth))] / 10)


def train_at(lr: float, epochs: int, seed: int) -> tuple[float, list[float], float]:
    """Final training loss (inf when diverged), the loss per epoch, and the final validation
    accuracy (0 when diverged) of digits SGD at ``lr``."""
    manual_seed(seed)
    model = build_mlp(64, [50], 10, activation="tanh")
    run = train_digits(model, optim.SGD(model.parameters(), lr=lr), epochs, seed, batch_size=BATCH)
    curve = list(run.curve("train_loss")) if run.history else []
    if run.diverged:
        return math.inf, curve, 0.0
    return run.last("train_loss"), curve, run.last("val_acc")


@experiment(
    "learning-rate",
    section="Learning rate (3.1, 3.5; BP 2.1): too small, too large, the largest stable step",
    claim="the largest stable step on a quadratic is 2/L; on digits too small crawls and too large "
    "fails; a range test suggests a learning rate that trains",
)
def run(out_dir: Path, quick: bool, seed: int) -> LabResult:
    """Quadratic: 100 steps; digits: 3 epochs (quick) or 15 per lr; range test: one epoch."""
    steps, epochs = 100, (3 if quick else 15)
    paths = {lr: quadratic_path(lr, steps) for lr in QUAD_LRS}
    limit = largest_stable(steps)
    theory = 2 / max(CURVATURE)
    flips = np.mean(np.sign(paths[0.15][1:, 1]) != np.sign(paths[0.15][:-1, 1]))
    sweep = {lr: train_at(lr, epochs, seed) for lr in DIGITS_LRS}
    finals = {lr: v[0] for lr, v in sweep.items()}
    best = min(finals, key=lambda k: finals[k])
    lrs, losses, suggested = range_test(seed)
    at_suggested, _, acc_suggested = train_at(suggested, epochs, seed)
    rows = [
        {"problem": "quadratic", "lr": lr, "f after 100 steps": float(f_of(p)[-1]), "f0": float(f_of(p)[0])}
        for lr, p in paths.items()
    ] + [{"problem": "digits", "lr": lr, f"train loss after {epochs} epochs": v} for lr, v in finals.items()]
    rows.append(
        {
            "problem": "digits",
            "lr": suggested,
            "range-test suggestion": True,
            f"train loss after {epochs} epochs": at_suggested,
            "val accuracy": acc_suggested,
        }
    )

    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(18, 5))
    ax = axes[0]
    for lr, p in paths.items():
        ax.semilogy(np.arange(steps + 1), np.maximum(f_of(p), 1e-30), label=f"lr {lr:g}")
    ax.set_ylim(1e-12, 1e6)
    ax.set_xlabel("step")
    ax.set_ylabel("f(w) = (w1² + 10 w2²) / 2 (log scale)")
    ax.set_title(f"Quadratic, L = 10: stable below 2/L = {theory:g} (found: {limit:.3f})")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    ax = axes[1]
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(DIGITS_LRS)))
    for c, (lr, (final, curve, _)) in zip(colors, sweep.items()):
        label = f"lr {lr:g}" + (" (diverged)" if math.isinf(final) else "")
        ax.semilogy(np.arange(1, len(curve) + 1), curve, "o-", ms=3, color=c, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (cross-entropy, log scale)")
    ax.set_title("Digits 64-50-10 Tanh, plain SGD across learning rates")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    ax = axes[2]
    ax.semilogx(lrs, losses, color="tab:blue", lw=1, label="loss of each batch")
    ax.axvline(suggested, color="tab:green", ls="--", label=f"suggested lr {suggested:.3g} (min / 10)")
    ax.set_xlabel("learning rate (log scale), growing each batch")
    ax.set_ylabel("training loss of the batch (cross-entropy)")
    ax.set_title("Learning-rate range test: one epoch, lr 1e-5 -> 10")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    figure = save_figure(fig, out_dir, "learning_rate")

    f_small = f_of(paths[1e-4])
    claims = [
        Claim(
            f"quadratic: largest stable lr found (bisection to 0.001) / 2/L ({theory:g})",
            limit / theory,
            "in",
            (0.99, 1.0),
        ),
        Claim(
            "quadratic, lr 1e-4: f after 100 steps / f0 (crawls)", float(f_small[-1] / f_small[0]), ">", 0.5
        ),
        Claim(
            "quadratic, lr 0.15 (between 1/L and 2/L): fraction of steps where w2 flips sign (oscillates)",
            float(flips),
            ">=",
            1.0,
        ),
        Claim(
            "quadratic, lr 0.15: f after 100 steps / f0 (yet converges)",
            float(f_of(paths[0.15])[-1] / f_of(paths[0.15])[0]),
            "<",
            1e-6,
        ),
        Claim(
            "quadratic, lr 0.21 (> 2/L): f after 100 steps / f0 (diverges)",
            float(f_of(paths[0.21])[-1] / f_of(paths[0.21])[0]),
            ">",
            100.0,
        ),
        Claim(
            f"digits: train loss at lr 1e-4 / at the best lr {best:g} (crawls)",
            finals[1e-4] / finals[best],
            ">",
            3.0,
        ),
        Claim(
            f"digits: train loss at lr 10 / at the best lr {best:g} (too large)",
            finals[10.0] / finals[best],
            ">",
            3.0,
        ),
        Claim("digits: best lr of the sweep", best, "in", (1e-2, 1.0)),
        Claim(
            f"range test: decades between the suggested lr {suggested:.3g} and the sweep's best {best:g}",
            abs(math.log10(suggested / best)),
            "<=",
            1.0,
        ),
        Claim(
            f"range test: validation accuracy after {epochs} epochs at the suggested lr (it trains)",
            acc_suggested,
            ">",
            0.9,
        ),
    ]
    return LabResult("learning-rate", figures=[figure], tables={"learning rates": rows}, claims=claims)
