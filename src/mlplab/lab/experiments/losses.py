r"""``losses``: the regression losses as functions of the error e = prediction - target.

    L1:        |e|                                   derivative sign(e) (jumps at 0)
    MSE:       e^2                                   derivative 2e (grows without bound)
    SmoothL1:  0.5 e^2 / beta   if |e| < beta,  |e| - 0.5 beta  otherwise   (beta = 1: the notes')
    Huber:     0.5 e^2          if |e| < delta, delta (|e| - 0.5 delta) otherwise  = delta * SmoothL1_delta

SmoothL1's derivative e / beta inside and sign(e) outside meet at |e| = beta: it is continuous, so
it behaves like MSE near the target and like L1 (bounded gradient) far from it. Fitting a line to
data with 10% outliers, MSE's unbounded derivative lets the outliers pull the fit furthest.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ... import float64, manual_seed, nn, optim, tensor, zeros
from ...nn import functional as F
from ..core import Claim, LabResult, experiment
from ..plotting import pyplot, save_figure

CLEAN = (2.0, 1.0)
"""The clean line y = 2 x + 1."""

LOSSES = {
    "L1": lambda p, t: F.l1_loss(p, t, reduction="none"),
    "MSE": lambda p, t: F.mse_loss(p, t, reduction="none"),
    "SmoothL1": lambda p, t: F.smooth_l1_loss(p, t, reduction="none", beta=1.0),
    "Huber (delta 2)": lambda p, t: F.huber_loss(p, t, reduction="none", delta=2.0),
}


def loss_and_derivative(name: str, errors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The loss of each error (target 0) and d loss / d prediction by autograd, float64."""
    pred = tensor(errors, dtype=float64, requires_grad=True)
    values = LOSSES[name](pred, zeros(len(errors), dtype=float64))
    values.sum().backward()
    return values.detach().numpy().copy(), pred.grad.numpy().copy()  # type: ignore[union-attr]


def outlier_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x ~ U(-3, 3), y = 2x + 1 + N(0, 0.3^2); 10% of the points lifted by 15 (outliers)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, size=n)
    y = CLEAN[0] * x + CLEAN[1] + rng.normal(0, 0.3, size=n)
    outlier = np.zeros(n, dtype=bool)
    outlier[rng.choice(n, size=n // 10, replace=False)] = True
    y[outlier] += 15.0
    return x, y, outlier


def fit_line(name: str, x: np.ndarray, y: np.ndarray, steps: int, seed: int) -> tuple[float, float]:
    """Fit nn.Linear(1, 1) under loss ``name`` (mean reduction) with full-batch Adam(lr 0.05)."""
    manual_seed(seed)
    model = nn.Linear(1, 1).double()
    opt = optim.Adam(model.parameters(), lr=0.05)
    xt = tensor(x[:, None], dtype=float64)
    yt = tensor(y[:, None], dtype=float64)
    for _ in range(steps):
        opt.zero_grad()
        LOSSES[name](model(xt), yt).mean().backward()
        opt.step()
    return float(model.weight.item()), float(model.bias.item())


@experiment(
    "losses",
    section="Regression losses: MAE, MSE, SmoothL1 (1.2)",
    claim="SmoothL1 is 0.5e^2 inside |e|<1, |e|-0.5 outside, with a continuous derivative; "
    "outliers pull the MSE fit furthest",
)
def run(out_dir: Path, quick: bool, seed: int) -> LabResult:
    """Curves over e in [-3, 3]; line fits on 200 points, 400 (quick) or 1500 Adam steps."""
    e = np.linspace(-3, 3, 601)
    curves = {name: loss_and_derivative(name, e) for name in LOSSES}
    smooth = np.where(np.abs(e) < 1, 0.5 * e**2, np.abs(e) - 0.5)
    huber2 = np.where(np.abs(e) < 2, 0.5 * e**2, 2 * (np.abs(e) - 1.0))
    at_one = np.array([-1 - 1e-7, -1 + 1e-7, 1 - 1e-7, 1 + 1e-7])
    _, d_one = loss_and_derivative("SmoothL1", at_one)
    _, d_zero = loss_and_derivative("L1", np.array([-1e-7, 1e-7]))

    x, y, outlier = outlier_data(200, seed)
    steps = 400 if quick else 1500
    fits = {name: fit_line(name, x, y, steps, seed) for name in LOSSES}
    distance = {name: float(np.hypot(w - CLEAN[0], b - CLEAN[1])) for name, (w, b) in fits.items()}
    others = max(d for name, d in distance.items() if name != "MSE")

    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    colors = {"L1": "tab:blue", "MSE": "tab:red", "SmoothL1": "tab:green", "Huber (delta 2)": "tab:purple"}
    for name, (value, grad) in curves.items():
        axes[0].plot(e, value, color=colors[name], label=name)
        axes[1].plot(e, grad, color=colors[name], label=name)
    axes[0].set_ylim(0, 5)
    axes[0].set_title("Loss of one prediction")
    axes[0].set_ylabel("loss")
    axes[1].set_title("Derivative: MSE's grows, the others are bounded")
    axes[1].set_ylabel("d loss / d prediction")
    for ax in axes[:2]:
        ax.axvspan(-1, 1, color="gray", alpha=0.1, label="|e| < 1 (SmoothL1 quadratic)")
        ax.set_xlabel("error e = prediction - target")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    ax = axes[2]
    ax.plot(x[~outlier], y[~outlier], ".", color="gray", ms=4, label="data")
    ax.plot(x[outlier], y[outlier], "x", color="black", ms=5, label="outliers (10%, +15)")
    grid = np.array([-3.0, 3.0])
    ax.plot(grid, CLEAN[0] * grid + CLEAN[1], "k--", lw=1.5, label="clean line y = 2x + 1")
    for name, (w, b) in fits.items():
        ax.plot(
            grid,
            w * grid + b,
            color=colors[name],
            lw=1.4,
            label=f"{name} fit, |Δ(w, b)| = {distance[name]:.2f}",
        )
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("Fitting a line through outliers")
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(alpha=0.3)
    figure = save_figure(fig, out_dir, "losses")

    rows = [
        {"loss": name, "slope": w, "intercept": b, "distance from (2, 1)": distance[name]}
        for name, (w, b) in fits.items()
    ]
    least_squares = np.polyfit(x, y, 1)
    claims = [
        Claim(
            "max |SmoothL1(e) - (0.5e^2 if |e|<1 else |e|-0.5)| over e in [-3, 3]",
            float(np.max(np.abs(curves["SmoothL1"][0] - smooth))),
            "<",
            1e-12,
        ),
        Claim(
            "max |Huber_2(e) - 0.5e^2 if |e|<2 else 2(|e|-1)| over e in [-3, 3]",
            float(np.max(np.abs(curves["Huber (delta 2)"][0] - huber2))),
            "<",
            1e-12,
        ),
        Claim(
            "SmoothL1 derivative jump at e = +-1 (continuous: below 1e-6)",
            float(max(abs(d_one[1] - d_one[0]), abs(d_one[3] - d_one[2]))),
            "<",
            1e-6,
        ),
        Claim("L1 derivative jump at e = 0 (sign(e): a jump of 2)", float(d_zero[1] - d_zero[0]), ">", 1.9),
        Claim(
            "distance of the MSE fit from the clean line / the largest other distance",
            distance["MSE"] / others,
            ">",
            2.0,
        ),
        Claim(
            "max |MSE fit - closed-form least squares| (slope, intercept): training converged",
            float(np.max(np.abs(np.array(fits["MSE"]) - least_squares))),
            "<",
            1e-3,
        ),
    ]
    return LabResult("losses", figures=[figure], tables={"line fits with 10% outliers": rows}, claims=claims)
