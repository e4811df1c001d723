r"""``ema``: exponential moving averages of a noisy series, with and without bias correction.

The notes' recursion (beta the weight of the history)::

    S_0 = x_0,   S_t = beta * S_{t-1} + (1 - beta) * x_t

gives [1, 1.9, 2.89, 3.889, 4.8889] (beta = 0.1) and [1, 1.1, 1.29, 1.561, 1.9049] (beta = 0.9) for
x = [1, 2, 3, 4, 5]. Started from V_0 = 0 (as Adam's moments are), V_t = (1 - beta) sum_k beta^(t-k)
x_k has weights summing to 1 - beta^t, so the first values are pulled towards 0; the correction
V_hat_t = V_t / (1 - beta^t) rescales the weights to sum to 1, and fades (-> 1) as t grows.

The series is a daily temperature (deg C): a slow seasonal curve plus Gaussian noise, seeded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...optim import ema
from ..core import Claim, LabResult, experiment
from ..plotting import pyplot, save_figure

NOTES_X = [1.0, 2.0, 3.0, 4.0, 5.0]
NOTES_EMA = {0.1: [1, 1.9, 2.89, 3.889, 4.8889], 0.9: [1, 1.1, 1.29, 1.561, 1.9049]}
"""The notes' worked example (section 2.4.1), as printed (at most 4 decimals)."""

BETAS = (0.5, 0.9, 0.98)
NOISE_STD = 3.0


def temperature(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(truth, noisy) for n days: truth 15 + 8 sin(2 pi t / 365) deg C, noise N(0, 3^2)."""
    t = np.arange(n)
    truth = 15.0 + 8.0 * np.sin(2 * np.pi * t / 365.0)
    noisy = truth + np.random.default_rng(seed).normal(0.0, NOISE_STD, size=n)
    return truth, noisy


def early_error(series: np.ndarray, truth: np.ndarray, steps: int) -> float:
    """Mean |series - truth| over the first ``steps`` values."""
    return float(np.mean(np.abs(series[:steps] - truth[:steps])))


@experiment(
    "ema",
    section="Exponential moving average (2.4.1)",
    claim="bias correction V_t / (1 - beta^t) brings a zero-started EMA's first values to the truth",
)
def run(out_dir: Path, quick: bool, seed: int) -> LabResult:
    """The notes' example; then a noisy year (quick: 120 days) smoothed with beta 0.5, 0.9, 0.98."""
    n = 120 if quick else 365
    truth, noisy = temperature(n, seed)
    notes_error = max(
        float(np.max(np.abs(ema(NOTES_X, beta) - np.array(expected)))) for beta, expected in NOTES_EMA.items()
    )
    plain = {b: ema(noisy, b, zero_init=True) for b in BETAS}
    corrected = {b: ema(noisy, b, bias_correction=True) for b in BETAS}
    # "the first steps": the average's memory, 1 / (1 - beta) values (2, 10, 50)
    window = {b: round(1 / (1 - b)) for b in BETAS}

    rows = []
    for b in BETAS:
        rows.append(
            {
                "beta": b,
                "first steps": window[b],
                "error without correction (deg C)": early_error(plain[b], truth, window[b]),
                "error with correction (deg C)": early_error(corrected[b], truth, window[b]),
                "error of the raw data (deg C)": early_error(noisy, truth, window[b]),
                "correction factor at the last step": float(1 / (1 - b**n)),
            }
        )

    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6))
    days = np.arange(1, n + 1)
    left.plot(days, noisy, ".", color="gray", ms=3, alpha=0.6, label="measured (truth + noise)")
    left.plot(days, truth, "k-", lw=1.5, label="truth")
    for b, color in zip(BETAS, ("tab:orange", "tab:blue", "tab:green")):
        left.plot(days, corrected[b], color=color, lw=1.2, label=f"EMA β = {b}, bias-corrected")
    left.set_xlabel("day t")
    left.set_ylabel("temperature (°C)")
    left.set_title("Smoothing a noisy series: larger β, smoother and later")
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    first = min(60, n)
    d = days[:first]
    right.plot(d, noisy[:first], ".", color="gray", ms=4, alpha=0.6, label="measured")
    right.plot(d, truth[:first], "k-", lw=1.5, label="truth")
    for b, color in zip((0.9, 0.98), ("tab:blue", "tab:green")):
        right.plot(d, plain[b][:first], "--", color=color, lw=1.2, label=f"β = {b}, V₀ = 0, no correction")
        right.plot(d, corrected[b][:first], "-", color=color, lw=1.5, label=f"β = {b}, ÷ (1 − β^t)")
    right.set_xlabel("day t")
    right.set_ylabel("temperature (°C)")
    right.set_title("The first days: V₀ = 0 starts near 0; the correction fixes it")
    right.legend(fontsize=8, loc="lower right")
    right.grid(alpha=0.3)
    figure = save_figure(fig, out_dir, "ema")

    late = slice(50, None)
    fade = float(np.max(np.abs(corrected[0.9][late] - plain[0.9][late]) / np.abs(plain[0.9][late])))
    claims = [
        Claim(
            "max |EMA - notes' values| for x = [1..5], beta 0.1 and 0.9 (printed to 4 decimals)",
            notes_error,
            "<",
            5e-5,
        ),
        *[
            Claim(
                f"beta {b}: early error with / without correction, first {window[b]} steps "
                "(correction at least halves it)",
                early_error(corrected[b], truth, window[b]) / early_error(plain[b], truth, window[b]),
                "<",
                0.5,
            )
            for b in (0.9, 0.98)
        ],
        Claim(
            "beta 0.9: max relative change made by the correction after step 50 (0.9^50 = 0.5%: it fades)",
            fade,
            "<",
            0.01,
        ),
        Claim(
            "beta 0.9: RMS error of the corrected EMA / of the raw data (smoothing removes noise)",
            float(np.sqrt(np.mean((corrected[0.9] - truth) ** 2)) / np.sqrt(np.mean((noisy - truth) ** 2))),
            "<",
            0.6,
        ),
    ]
    return LabResult("ema", figures=[figure], tables={"error over the first steps": rows}, claims=claims)
