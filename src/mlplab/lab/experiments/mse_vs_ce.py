r"""``mse-vs-ce``: the notes' three-class example, MSE after softmax against cross-entropy.

The network outputs logits (z1, z2, z3) with z3 = 0 fixed; p = softmax(z) and the answer is class
1 (y = [1, 0, 0]). Over the plane (z1, z2):

    CE  = -log p1,                          dCE/dz = p - y           (about [-1, 1, 0] when wrong)
    MSE = mean_k (p_k - y_k)^2,             dMSE/dz_j = (2/3) sum_k (p_k - y_k) p_k (delta_kj - p_j)

When z1 << 0 << z2 (badly wrong: p ~ [0, 1, 0]) every p_k (delta_kj - p_j) is ~0: MSE's surface is
flat exactly where the loss is largest, while CE's gradient keeps magnitude ~sqrt(2). From there
gradient descent with CE walks to the answer, MSE + SGD stays stuck, and MSE + Adam, which divides
by the gradient's running RMS, can still get out (the notes: 'if you use Adam ... still a chance').
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ... import float64, optim, tensor
from ...nn import functional as F
from ..core import Claim, LabResult, experiment
from ..plotting import pyplot, save_figure

BAD_START = (-8.0, 8.0)
"""(z1, z2) at the badly-wrong corner: p ~ [3e-7, 0.9997, 3e-4] for the true class 1."""

EMBED = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
"""(z1, z2) -> logits (z1, z2, 0)."""

TARGET = np.array([[1.0, 0.0, 0.0]])


def losses(z: Any) -> tuple[Any, Any]:
    """(MSE after softmax, CE) per row of the (N, 2) tensor z of (z1, z2)."""
    logits = z @ tensor(EMBED, dtype=float64)
    n = logits.shape[0]
    mse = F.mse_loss(F.softmax(logits, dim=1), tensor(np.repeat(TARGET, n, 0)), reduction="none").mean(1)
    ce = F.cross_entropy(logits, tensor(np.zeros(n, dtype=np.int64)), reduction="none")
    return mse, ce


def gradient(which: int, z: tuple[float, float]) -> np.ndarray:
    """d loss / d (z1, z2) at z by autograd; ``which`` 0 = MSE, 1 = CE."""
    zt = tensor([list(z)], dtype=float64, requires_grad=True)
    losses(zt)[which].sum().backward()
    return zt.grad.numpy()[0].copy()  # type: ignore[union-attr]


def train(which: int, optimiser: str, lr: float, steps: int) -> np.ndarray:
    """Descend loss ``which`` from :data:`BAD_START`; the (z1, z2) path, (steps + 1, 2)."""
    zt = tensor([list(BAD_START)], dtype=float64, requires_grad=True)
    opt = optim.SGD([zt], lr=lr) if optimiser == "sgd" else optim.Adam([zt], lr=lr)
    path = [np.array(BAD_START)]
    for _ in range(steps):
        opt.zero_grad()
        losses(zt)[which].sum().backward()
        opt.step()
        path.append(zt.detach().numpy()[0].copy())
    return np.array(path)


def p_true(z: np.ndarray) -> float:
    """softmax(z1, z2, 0)[0], the probability given to the true class."""
    logits = np.array([z[0], z[1], 0.0])
    e = np.exp(logits - logits.max())
    return float(e[0] / e.sum())


@experiment(
    "mse-vs-ce",
    section="MSE vs cross-entropy for classification",
    claim="MSE after softmax is flat where a classifier is badly wrong; "
    "CE trains from there, MSE + SGD stalls",
)
def run(out_dir: Path, quick: bool, seed: int) -> LabResult:
    """Deterministic. Surfaces on [-10, 10]^2; 100 (quick) or 300 steps from (-8, 8)."""
    steps = 100 if quick else 300
    grid = np.linspace(-10, 10, 121 if quick else 201)
    g1, g2 = np.meshgrid(grid, grid)
    flat = tensor(np.stack([g1.ravel(), g2.ravel()], 1), dtype=float64)
    mse_s, ce_s = (t.detach().numpy().reshape(g1.shape) for t in losses(flat))
    g_mse, g_ce = gradient(0, BAD_START), gradient(1, BAD_START)
    runs = {
        "CE + SGD (lr 1)": train(1, "sgd", 1.0, steps),
        "MSE + SGD (lr 1)": train(0, "sgd", 1.0, steps),
        "MSE + Adam (lr 0.1)": train(0, "adam", 0.1, steps),
    }

    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.9))
    colors = {
        "CE + SGD (lr 1)": "tab:blue",
        "MSE + SGD (lr 1)": "tab:red",
        "MSE + Adam (lr 0.1)": "tab:orange",
    }
    for ax, surface, title, keys in (
        (
            axes[0],
            mse_s,
            "MSE after softmax: flat in the wrong corner",
            ("MSE + SGD (lr 1)", "MSE + Adam (lr 0.1)"),
        ),
        (axes[1], ce_s, "Cross-entropy: steep in the wrong corner", ("CE + SGD (lr 1)",)),
    ):
        im = ax.contourf(g1, g2, surface, levels=20, cmap="viridis")
        fig.colorbar(im, ax=ax, label="loss")
        for k in keys:
            ax.plot(runs[k][:, 0], runs[k][:, 1], "o-", ms=2, color=colors[k], lw=1.2, label=k)
        ax.plot(*BAD_START, "ws", ms=7, mec="black", label="start (-8, 8)")
        ax.set_xlabel("z1 (logit of the true class)")
        ax.set_ylabel("z2 (logit of a wrong class)")
        ax.set_title(title)
        ax.set_xlim(-10, 10)
        ax.set_ylim(-10, 10)
        ax.legend(fontsize=8, loc="lower left")
    moved = float(np.linalg.norm(runs["MSE + SGD (lr 1)"][-1] - np.array(BAD_START)))
    axes[0].annotate(
        f"MSE + SGD moved only {moved:.1e}\nin {steps} steps (hidden by the start)",
        BAD_START,
        xytext=(-3.5, 8.6),
        fontsize=8,
        color="tab:red",
        arrowprops={"arrowstyle": "->", "color": "tab:red"},
    )
    ax = axes[2]
    for k, path in runs.items():
        ax.plot(range(len(path)), [p_true(z) for z in path], color=colors[k], label=k)
    ax.set_xlabel("step")
    ax.set_ylabel("p(true class)")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title(f"Training from the badly-wrong corner ({steps} steps)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    figure = save_figure(fig, out_dir, "mse-vs-ce")

    final = {k: p_true(path[-1]) for k, path in runs.items()}
    rows = [
        {"run": k, "p(true class) at the end": v, "final (z1, z2)": runs[k][-1].tolist()}
        for k, v in final.items()
    ]
    rows.append(
        {
            "run": "gradient at (-8, 8)",
            "|grad MSE|": float(np.linalg.norm(g_mse)),
            "|grad CE|": float(np.linalg.norm(g_ce)),
        }
    )
    claims = [
        Claim(
            "|grad MSE| / |grad CE| at the badly-wrong corner (-8, 8)",
            float(np.linalg.norm(g_mse) / np.linalg.norm(g_ce)),
            "<",
            0.01,
        ),
        Claim(f"CE + SGD: p(true class) after {steps} steps (trains)", final["CE + SGD (lr 1)"], ">", 0.9),
        Claim(f"MSE + SGD: p(true class) after {steps} steps (stalls)", final["MSE + SGD (lr 1)"], "<", 0.01),
        Claim(
            f"MSE + Adam: p(true class) after {steps} steps (gets out)",
            final["MSE + Adam (lr 0.1)"],
            ">",
            0.9,
        ),
    ]
    return LabResult(
        "mse-vs-ce", figures=[figure], tables={"from the badly-wrong corner": rows}, claims=claims
    )
