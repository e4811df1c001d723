r"""``descent``: gradient descent on L(w) = w1^2 + w2^2 + 5 from (2, 3), the notes' 15-row table.

The gradient is (2 w1, 2 w2), so one step with learning rate eta = 0.1 is

    w <- w - eta * grad L(w) = (1 - 2 eta) w = 0.8 w,

and after t steps w_t = 0.8^t (2, 3), L(w_t) = 13 * 0.64^t + 5 -> 5 (the minimum). The experiment
runs the step with mlplab's autograd and ``optim.SGD`` and checks every printed row of the notes
(section 3.1, three decimals) and the final weights they print in full.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ... import float64, optim, tensor
from ..core import Claim, LabResult, experiment
from ..plotting import pyplot, save_figure

START = (2.0, 3.0)
LR = 0.1
EPOCHS = 15

NOTES_TABLE: list[tuple[int, str, str, str]] = [
    (1, "1.600", "2.400", "13.320"),
    (2, "1.280", "1.920", "10.325"),
    (3, "1.024", "1.536", "8.408"),
    (4, "0.819", "1.229", "7.181"),
    (5, "0.655", "0.983", "6.396"),
    (6, "0.524", "0.786", "5.893"),
    (7, "0.419", "0.629", "5.572"),
    (8, "0.336", "0.503", "5.366"),
    (9, "0.268", "0.403", "5.234"),
    (10, "0.215", "0.322", "5.150"),
    (11, "0.172", "0.258", "5.096"),
    (12, "0.137", "0.206", "5.061"),
    (13, "0.110", "0.165", "5.039"),
    (14, "0.088", "0.132", "5.025"),
    (15, "0.070", "0.106", "5.016"),
]
"""The notes' printout ``epoch: t, w1=..., w2=..., loss=...`` (section 3.1), as printed."""

NOTES_FINAL = (0.07036874, 0.10555312)
"""The notes' last line, ``array([0.07036874, 0.10555312])`` (8 decimals)."""


def loss_fn(w: object) -> object:
    """L(w) = w1^2 + w2^2 + 5 (works on Tensors and NumPy arrays)."""
    return (w**2).sum() + 5  # type: ignore[operator]


def descend(lr: float | None = None, epochs: int = EPOCHS) -> np.ndarray:
    """Run ``epochs`` SGD steps (learning rate ``lr``, default :data:`LR`) from (2, 3); rows
    (w1, w2, loss after the step), float64."""
    lr = LR if lr is None else lr
    w = tensor(list(START), dtype=float64, requires_grad=True)
    opt = optim.SGD([w], lr=lr)
    rows = []
    for _ in range(epochs):
        opt.zero_grad()
        loss_fn(w).backward()  # type: ignore[attr-defined]
        opt.step()
        wv = w.detach().numpy().copy()
        rows.append((wv[0], wv[1], float(loss_fn(wv))))
    return np.array(rows)


@experiment(
    "descent",
    section="Gradient descent (3.1)",
    claim="gradient descent on w1^2 + w2^2 + 5 from (2, 3) reproduces the notes' 15-row table",
)
def run(out_dir: Path, quick: bool, seed: int) -> LabResult:
    """Deterministic (no randomness): the same 15 steps in quick and full runs."""
    path = descend()
    ours = [(f"{a:.3f}", f"{b:.3f}", f"{c:.3f}") for a, b, c in path]
    mismatches = sum(1 for (_, *theirs), mine in zip(NOTES_TABLE, ours) if tuple(theirs) != mine)
    final_error = float(np.max(np.abs(path[-1, :2] - np.array(NOTES_FINAL))))
    theory = np.array([[0.8**t * START[0], 0.8**t * START[1]] for t in range(1, EPOCHS + 1)])
    theory_error = float(np.max(np.abs(path[:, :2] - theory)))

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 5.4))
    g1, g2 = np.meshgrid(np.linspace(-3.2, 3.2, 241), np.linspace(-3.2, 3.2, 241))
    levels = np.array([5.1, 5.25, 5.5, 6, 7, 8, 10, 13, 17, 22])
    cs = ax.contour(g1, g2, g1**2 + g2**2 + 5, levels=levels, cmap="viridis", linewidths=0.9)
    ax.clabel(cs, fontsize=7, fmt="%g")
    xs = np.concatenate([[START[0]], path[:, 0]])
    ys = np.concatenate([[START[1]], path[:, 1]])
    ax.plot(xs, ys, "o-", color="tab:red", ms=4, lw=1.2, label=f"path, lr = {LR} ({EPOCHS} steps)")
    ax.plot(*START, "s", color="black", ms=7, label="start (2, 3), loss 18")
    ax.plot(0, 0, "*", color="gold", mec="black", ms=14, label="minimum (0, 0), loss 5")
    ax.set_aspect("equal")
    ax.set_xlabel("w1 (parameter, no unit)")
    ax.set_ylabel("w2 (parameter, no unit)")
    ax.set_title("Gradient descent on w1² + w2² + 5\n(contours: loss; each step w ← 0.8 w)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    figure = save_figure(fig, out_dir, "descent")

    rows = [
        {
            "epoch": t,
            "w1": float(a),
            "w2": float(b),
            "loss": float(c),
            "notes": f"w1={n1}, w2={n2}, loss={nl}",
            "match": (f"{a:.3f}", f"{b:.3f}", f"{c:.3f}") == (n1, n2, nl),
        }
        for (t, n1, n2, nl), (a, b, c) in zip(NOTES_TABLE, path)
    ]
    claims = [
        Claim("rows of the notes' table not reproduced to 3 decimals (of 15)", mismatches, "<=", 0),
        Claim(
            "max |final w - notes' array([0.07036874, 0.10555312])| (printed to 8 decimals)",
            final_error,
            "<",
            5e-9,
        ),
        Claim("max |w_t - 0.8^t (2, 3)| over the 15 steps (the closed form)", theory_error, "<", 1e-12),
        Claim("loss after 15 steps minus the minimum 5", float(path[-1, 2] - 5.0), "<", 0.02),
    ]
    return LabResult("descent", figures=[figure], tables={"the notes' 15 steps": rows}, claims=claims)
