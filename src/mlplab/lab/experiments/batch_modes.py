r"""``batch-modes``: batch, stochastic and mini-batch gradient descent on the notes' regression.

The notes train ``nn.Linear(10, 1)`` with ``MSELoss`` and ``SGD(lr=0.01)`` on 1000 samples with
three DataLoaders that differ only in ``batch_size``:

    batch GD       batch_size = 1000   1 update per epoch     w <- w - lr * mean_{all i} grad_i
    stochastic GD  batch_size = 1      1000 updates per epoch  w <- w - lr * grad_i
    mini-batch GD  batch_size = 100    10 updates per epoch    w <- w - lr * mean_{batch} grad_i

Every update follows the same expected gradient; they differ in how many updates an epoch buys
and how noisy each is. The notes draw targets as pure noise (``y = randn``); here
``y = x w* + b* + 0.5 noise`` so that there is a line to find (the best MSE is 0.25).
The noise of a loss curve is the standard deviation of the step-to-step change of the per-update
loss, relative to its mean, over the last epochs. Stochastic GD gets near the best MSE within one
epoch but, at a constant lr, keeps bouncing a little above it (each step follows one sample).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ... import manual_seed, nn, optim, randn, tensor
from ...random import Generator
from ...utils.data import DataLoader, TensorDataset
from ..core import Claim, LabResult, experiment
from ..plotting import pyplot, save_figure

N, FEATURES, LR, NOISE = 1000, 10, 0.01, 0.5
MODES = {"batch GD (1000)": 1000, "stochastic GD (1)": 1, "mini-batch GD (100)": 100}


def make_data(seed: int) -> tuple[object, object, np.ndarray]:
    """x ~ N(0, 1)^(1000 x 10), y = x w* + b* + 0.5 e; returns x, y and w* (for reference)."""
    manual_seed(seed)
    x = randn(N, FEATURES)
    w_true = np.linspace(-1.0, 1.0, FEATURES).astype(np.float32)
    y = x.numpy() @ w_true[:, None] + 0.5 + NOISE * randn(N, 1).numpy()
    return x, tensor(y.astype(np.float32)), w_true


def train_mode(
    batch_size: int, x: object, y: object, epochs: int, seed: int
) -> tuple[list[float], list[float], float]:
    """The notes' loop with ``batch_size``: per-update loss, full-data loss after each epoch, and
    the median CPU time of an epoch's updates (this process's, so other programs on the machine do
    not enter it; seconds; the median skips a first-call warm-up)."""
    manual_seed(seed)
    model = nn.Linear(FEATURES, 1)
    criterion = nn.MSELoss()
    opt = optim.SGD(model.parameters(), lr=LR)
    data = DataLoader(
        TensorDataset(x, y), batch_size=batch_size, shuffle=True, generator=Generator().manual_seed(seed)
    )
    per_update, per_epoch, seconds = [], [], []
    for _ in range(epochs):
        t0 = time.process_time()
        for bx, by in data:
            opt.zero_grad()
            loss = criterion(model(bx), by)
            loss.backward()
            opt.step()
            per_update.append(float(loss.item()))
        seconds.append(time.process_time() - t0)
        per_epoch.append(float(criterion(model(x), y).item()))
    return per_update, per_epoch, float(np.median(seconds))


def noise(losses: list[float], last: int) -> float:
    """std of the step-to-step change of the last ``last`` per-update losses / their mean."""
    tail = np.array(losses[-last:])
    return float(np.std(np.diff(tail)) / np.mean(tail)) if len(tail) > 2 else 0.0


@experiment(
    "batch-modes",
    section="Batch, stochastic and mini-batch gradient descent (BP basics 2.2)",
    claim="an epoch is 1, 1000 or 10 updates; per epoch SGD and mini-batch get further than batch GD, "
    "and the smaller the batch the noisier the loss curve",
)
def run(out_dir: Path, quick: bool, seed: int) -> LabResult:
    """10 epochs (quick) or 50 of each mode on the same data and initial weights."""
    epochs = 10 if quick else 50
    x, y, _ = make_data(seed)
    runs = {name: train_mode(bs, x, y, epochs, seed) for name, bs in MODES.items()}
    updates = {name: len(r[0]) // epochs for name, r in runs.items()}
    # noise over the last 10 epochs' updates (at least 3 points for batch GD)
    noisy = {name: noise(r[0], max(3, 10 * updates[name])) for name, r in runs.items()}
    b, s, m = MODES
    rows = [
        {
            "mode": name,
            "batch size": MODES[name],
            "updates per epoch": updates[name],
            "updates in all": len(r[0]),
            "full-data MSE after epoch 1": r[1][0],
            f"full-data MSE after epoch {epochs}": r[1][-1],
            "loss-curve noise": noisy[name],
            "CPU time per epoch (ms)": 1000 * r[2],
        }
        for name, r in runs.items()
    ]

    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.6))
    colors = {b: "tab:blue", s: "tab:red", m: "tab:green"}
    ax = axes[0]
    for name, r in runs.items():
        ax.plot(np.arange(1, epochs + 1), r[1], "o-", ms=3, color=colors[name], label=name)
    ax.axhline(NOISE**2, color="gray", ls=":", lw=1, label=f"noise floor {NOISE**2:g}")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE on all 1000 samples (log scale)")
    ax.set_title(f"Per epoch: loss after each epoch (SGD lr {LR})")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    ax = axes[1]
    for name, r in sorted(runs.items(), key=lambda kv: -len(kv[1][0])):
        ax.plot(
            np.arange(1, len(r[0]) + 1),
            r[0],
            lw=0.6 if len(r[0]) > 1000 else 1.5,
            color=colors[name],
            label=name,
            alpha=0.8,
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 30)
    ax.set_xlabel("update (log scale)")
    ax.set_ylabel("MSE of the update's batch (log scale, cut at 1e-3)")
    ax.set_title("Per update: the loss each step saw")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    ax = axes[2]
    names = list(MODES)
    times = [1000 * runs[n][2] for n in names]
    ax.bar(range(3), times, color=[colors[n] for n in names])
    for i, n in enumerate(names):
        ax.annotate(
            f"{times[i]:.1f} ms\n{updates[n]} update{'s' if updates[n] > 1 else ''}",
            (i, times[i]),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xticks(range(3), names, fontsize=8)
    ax.set_ylabel("CPU time per epoch (ms)")
    ax.set_ylim(0, max(times) * 1.25)
    ax.set_title("Cost of an epoch (one Python step per update)")
    ax.grid(alpha=0.3, axis="y")
    figure = save_figure(fig, out_dir, "batch_modes")

    claims = [
        Claim(f"updates per epoch, {b}", updates[b], "in", (1, 1)),
        Claim(f"updates per epoch, {s}", updates[s], "in", (1000, 1000)),
        Claim(f"updates per epoch, {m}", updates[m], "in", (10, 10)),
        Claim(
            f"full-data MSE after {epochs} epochs: mini-batch / batch GD (more updates per epoch)",
            runs[m][1][-1] / runs[b][1][-1],
            "<",
            0.5,
        ),
        Claim(
            f"full-data MSE after ONE epoch: stochastic GD (1000 updates) / noise floor {NOISE**2:g}",
            runs[s][1][0] / NOISE**2,
            "<",
            1.3,
        ),
        Claim("loss-curve noise: stochastic / mini-batch", noisy[s] / noisy[m], ">", 2.0),
        Claim("loss-curve noise: mini-batch / batch GD", noisy[m] / max(noisy[b], 1e-12), ">", 2.0),
        Claim(
            "CPU time per epoch: stochastic / batch GD (1000 steps vs 1)", runs[s][2] / runs[b][2], ">", 10.0
        ),
    ]
    return LabResult("batch-modes", figures=[figure], tables={"modes": rows}, claims=claims)
