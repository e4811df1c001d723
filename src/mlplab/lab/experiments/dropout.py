r"""``dropout``: what ``nn.Dropout(p)`` does to its input, in training and in eval mode.

Inverted dropout (the notes' 4.3, and PyTorch's): in training each element is zeroed with
probability p and the survivors are divided by (1 - p),

    y_i = x_i m_i / (1 - p),   m_i ~ Bernoulli(1 - p),   so  E[y_i] = x_i,

and in eval mode y = x. Over N elements the zeroed fraction has standard deviation
sqrt(p (1 - p) / N), and the mean of y for x = 1 has sqrt(p / ((1 - p) N)); the claims allow five
of these standard deviations (a chance failure is below 1e-6).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ... import manual_seed, nn, ones, randn
from ..core import Claim, LabResult, experiment
from ..plotting import pyplot, save_figure

PS = (0.1, 0.2, 0.3, 0.5, 0.7, 0.9)


def apply_dropout(x: object, p: float, train: bool) -> np.ndarray:
    """``nn.Dropout(p)`` on ``x`` in training or eval mode, as a NumPy array."""
    layer = nn.Dropout(p)
    layer.train(train)
    return layer(x).detach().numpy()  # type: ignore[operator]


@experiment(
    "dropout",
    section="Dropout (4.3)",
    claim="dropout zeroes a fraction ~p, scales survivors by 1/(1-p) (mean kept), is the identity in eval",
)
def run(out_dir: Path, quick: bool, seed: int) -> LabResult:
    """nn.Dropout(p) for p in 0.1 ... 0.9 on N = 20,000 (quick) or 1,000,000 elements."""
    manual_seed(seed)
    n = 20_000 if quick else 1_000_000
    x = randn(n)
    xv = x.numpy()
    one = ones(n)
    rows = []
    for p in PS:
        y = apply_dropout(x, p, train=True)
        kept = y != 0
        y1 = apply_dropout(one, p, train=True)
        rows.append(
            {
                "p": p,
                "fraction zeroed": float(1 - kept.mean()),
                "z of the fraction": float((1 - kept.mean() - p) / np.sqrt(p * (1 - p) / n)),
                "survivor scale (y/x)": float(np.mean(y[kept] / xv[kept])),
                "max |y/x - 1/(1-p)|": float(np.max(np.abs(y[kept] / xv[kept] - 1 / (1 - p)))),
                "mean of y for x = 1": float(y1.mean()),
                "z of the mean": float((y1.mean() - 1) / np.sqrt(p / ((1 - p) * n))),
                "mean without the 1/(1-p) scaling": float(np.mean(y1 * (1 - p))),
                "eval: mean of y for x = 1": float(apply_dropout(one, p, train=False).mean()),
                "eval: max |y - x|": float(np.max(np.abs(apply_dropout(x, p, train=False) - xv))),
            }
        )

    # the notes' printout: Dropout on a 3 x 5 standard-normal input
    manual_seed(seed)
    example_x = randn(3, 5)
    example_y = apply_dropout(example_x, 0.5, train=True)
    example = [
        {"row": i, "x": [round(float(v), 4) for v in a], "Dropout(0.5)(x)": [round(float(v), 4) for v in b]}
        for i, (a, b) in enumerate(zip(example_x.numpy(), example_y))
    ]

    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4))
    grid = np.linspace(0, 1, 11)
    left.plot(grid, grid, "k--", lw=1, label="expected: fraction = p")
    left.plot(PS, [r["fraction zeroed"] for r in rows], "o", color="tab:red", ms=7, label="measured")
    left.set_xlabel("dropout probability p")
    left.set_ylabel("fraction of elements zeroed")
    left.set_title(f"nn.Dropout(p) in training mode, N = {n:,} elements")
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    right.axhline(1.0, color="k", ls="--", lw=1, label="input mean (x = 1)")
    right.plot(
        PS, [r["mean of y for x = 1"] for r in rows], "o-", color="tab:blue", label="train, y = x m / (1-p)"
    )
    right.plot(
        PS,
        [r["mean without the 1/(1-p) scaling"] for r in rows],
        "s--",
        color="tab:orange",
        label="train, mask only (no 1/(1-p))",
    )
    right.plot(
        PS,
        [r["eval: mean of y for x = 1"] for r in rows],
        "^",
        color="tab:green",
        ms=8,
        mfc="none",
        label="eval mode (identity)",
    )
    right.set_xlabel("dropout probability p")
    right.set_ylabel("mean output for input x = 1")
    right.set_ylim(0, 1.3)
    right.set_title("Scaling survivors by 1/(1-p) keeps the expected output")
    right.legend(fontsize=8, loc="lower left")
    right.grid(alpha=0.3)
    figure = save_figure(fig, out_dir, "dropout")

    claims = [
        Claim(
            "max |zeroed fraction - p| in standard deviations sqrt(p(1-p)/N)",
            max(abs(r["z of the fraction"]) for r in rows),
            "<",
            5.0,
        ),
        Claim(
            "max |survivor y/x - 1/(1-p)| over every p (float32 rounding)",
            max(r["max |y/x - 1/(1-p)|"] for r in rows),
            "<",
            1e-5,
        ),
        Claim(
            "max |mean output - 1| for x = 1, in standard deviations sqrt(p/((1-p)N))",
            max(abs(r["z of the mean"]) for r in rows),
            "<",
            5.0,
        ),
        Claim("max |y - x| in eval mode (identity)", max(r["eval: max |y - x|"] for r in rows), "<=", 0.0),
    ]
    return LabResult(
        "dropout",
        figures=[figure],
        tables={"dropout per p": rows, "the notes' example (p = 0.5)": example},
        claims=claims,
    )
