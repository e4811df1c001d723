r"""``optimizers``: the registry's optimisers on three 2-D surfaces, with their paths.

    bowl        f = x^2 / 20 + y^2          from (-7, 2)      elongated: curvature 1/10 vs 2
    saddle      f = x^2 - y^2 + y^4 / 2     from (1, 1e-3)    saddle at 0, valleys at y = +-1
    Rosenbrock  f = (1 - x)^2 + 100 (y - x^2)^2   from (-1.2, 1)   minimum at (1, 1)

Near the saddle the y-gradient is -2y: plain SGD multiplies y by (1 + 2 lr) per step and crawls
(lr 0.01: x50 in 200 steps). Heavy-ball momentum (PyTorch's b <- mu b + g, w <- w - lr b) grows
y by the root of z^2 - (1 + mu + 2 lr) z + mu = 0, 1.107 per step for mu = 0.9: it leaves the
saddle. (The notes' EMA form v <- a v + (1-a) g is the same with lr scaled by (1-a), see
``optim.Momentum``; at equal lr it is no faster than SGD.) AdaGrad's per-coordinate step
lr / (sqrt(sum g^2) + eps) can only shrink; RMSprop's lr / (sqrt(EMA g^2) + eps) grows again once
the gradients get small. L-BFGS (quasi-Newton, strong-Wolfe line search) solves the quadratic bowl
in a handful of iterations.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ... import float64, tensor
from ...train import REGISTRIES
from ..core import Claim, LabResult, experiment
from ..plotting import pyplot, save_figure

MOMENTUM = 0.9
"""The momentum of the saddle comparison (SGD with and without it, same lr)."""

SADDLE_LR = 0.01
SADDLE_STEPS = 200


def bowl(w: Any) -> Any:
    """x^2 / 20 + y^2."""
    return w[0] ** 2 / 20 + w[1] ** 2


def saddle(w: Any) -> Any:
    """x^2 - y^2 + y^4 / 2."""
    return w[0] ** 2 - w[1] ** 2 + w[1] ** 4 / 2


def rosenbrock(w: Any) -> Any:
    """(1 - x)^2 + 100 (y - x^2)^2."""
    return (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2


PROBLEMS: dict[str, tuple[Callable[[Any], Any], tuple[float, float], tuple[float, float], float]] = {
    # name: (f, start, minimiser, minimum)
    "bowl": (bowl, (-7.0, 2.0), (0.0, 0.0), 0.0),
    "saddle": (saddle, (1.0, 1e-3), (0.0, 1.0), -0.5),
    "rosenbrock": (rosenbrock, (-1.2, 1.0), (1.0, 1.0), 0.0),
}

SETTINGS: dict[str, dict[str, dict[str, Any]]] = {
    # optimiser -> problem -> keyword arguments (learning rates picked per surface, as one would)
    "sgd": {"bowl": {"lr": 0.9}, "saddle": {"lr": SADDLE_LR}, "rosenbrock": {"lr": 1e-3}},
    "momentum": {"bowl": {"lr": 1.0}, "saddle": {"lr": 0.1}, "rosenbrock": {"lr": 1e-2}},
    "adagrad": {"bowl": {"lr": 1.5}, "saddle": {"lr": 0.1}, "rosenbrock": {"lr": 0.5}},
    "rmsprop": {"bowl": {"lr": 0.1}, "saddle": {"lr": 0.01}, "rosenbrock": {"lr": 0.01}},
    "adam": {"bowl": {"lr": 0.3}, "saddle": {"lr": 0.01}, "rosenbrock": {"lr": 0.05}},
    "adamw": {"bowl": {"lr": 0.3}, "saddle": {"lr": 0.01}, "rosenbrock": {"lr": 0.05}},
    "nadam": {"bowl": {"lr": 0.3}, "saddle": {"lr": 0.01}, "rosenbrock": {"lr": 0.05}},
    "lbfgs": {
        p: {"lr": 1.0, "max_iter": 1, "max_eval": 25, "line_search_fn": "strong_wolfe"} for p in PROBLEMS
    },
}


def descend(
    name: str, problem: str, steps: int, **overrides: Any
) -> tuple[np.ndarray, list[float], list[float]]:
    """Run optimiser ``name`` (registry) on ``problem`` for ``steps`` steps (one iteration each).

    Returns the path (steps + 1, 2), f after each step, and the y-coordinate's effective step
    lr / (sqrt(state) + eps) for AdaGrad ('sum') and RMSprop ('square_avg'), else [].
    """
    f, start, _, _ = PROBLEMS[problem]
    w = tensor(list(start), dtype=float64, requires_grad=True)
    kwargs = {**SETTINGS[name][problem], **overrides}
    opt = REGISTRIES["optimizer"].get(name).factory([w], **kwargs)

    def closure() -> Any:
        opt.zero_grad()
        loss = f(w)
        loss.backward()
        return loss

    path, values, effective = [np.array(start)], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for _ in range(steps):
            opt.step(closure)
            wv = w.detach().numpy().copy()
            path.append(wv)
            values.append(float(f(wv)))
            for key in ("sum", "square_avg"):
                if key in opt.state[w]:
                    acc = opt.state[w][key].numpy()[1]
                    group = opt.param_groups[0]
                    effective.append(float(group["lr"] / (np.sqrt(acc) + group["eps"])))
    return np.array(path), values, effective


def steps_to(values: list[float], minimum: float, tol: float) -> int:
    """First step (1-based) with f - f* < tol; len(values) + 1 when never reached."""
    hit = [i + 1 for i, v in enumerate(values) if v - minimum < tol]
    return hit[0] if hit else len(values) + 1


@experiment(
    "optimizers",
    section="Optimisers: Momentum, AdaGrad, RMSprop, Adam (2.4)",
    claim="momentum leaves a saddle where SGD stalls; AdaGrad's step only shrinks, RMSprop's does not; "
    "L-BFGS solves the bowl in far fewer iterations",
)
def run(out_dir: Path, quick: bool, seed: int) -> LabResult:
    """Deterministic (no randomness). Bowl: 200 steps; saddle: 200; Rosenbrock: 500 (quick) / 3000."""
    budget = {"bowl": 200, "saddle": SADDLE_STEPS, "rosenbrock": 500 if quick else 3000}
    runs = {(o, p): descend(o, p, budget[p]) for p in PROBLEMS for o in SETTINGS}
    sgd_path = descend("sgd", "saddle", SADDLE_STEPS, lr=SADDLE_LR)[0]
    heavy_path = descend("sgd", "saddle", SADDLE_STEPS, lr=SADDLE_LR, momentum=MOMENTUM)[0]
    tol = {"bowl": 1e-6, "saddle": 1e-3, "rosenbrock": 1e-4}
    rows = []
    for (o, p), (path, values, _) in runs.items():
        _, _, where, minimum = PROBLEMS[p]
        rows.append(
            {
                "problem": p,
                "optimizer": o,
                **SETTINGS[o][p],
                "steps to f - f* < tol": steps_to(values, minimum, tol[p]),
                "tol": tol[p],
                "final f": values[-1],
                "final distance to the minimiser": float(np.hypot(*(path[-1] - np.array(where)))),
            }
        )
    steps = {(r["optimizer"], r["problem"]): r["steps to f - f* < tol"] for r in rows}
    first_order = min(steps[(o, "bowl")] for o in SETTINGS if o != "lbfgs")
    ada = np.array(runs[("adagrad", "bowl")][2])
    rms = np.array(runs[("rmsprop", "bowl")][2])

    plt = pyplot()
    fig, axes = plt.subplots(2, 3, figsize=(18, 10))
    colors = dict(zip(SETTINGS, plt.get_cmap("tab10").colors))
    views = {
        "bowl": ((-8, 8), (-3, 3)),
        "saddle": ((-1.2, 1.2), (-1.5, 1.5)),
        "rosenbrock": ((-2, 2), (-1, 3)),
    }
    for ax, p in zip(axes[0], PROBLEMS):
        f, start, where, _ = PROBLEMS[p]
        (x0, x1), (y0, y1) = views[p]
        gx, gy = np.meshgrid(np.linspace(x0, x1, 300), np.linspace(y0, y1, 300))
        z = f(np.array([gx, gy]))
        levels = np.logspace(-1, 3.3, 14) if p == "rosenbrock" else 20
        ax.contour(gx, gy, z, levels=levels, colors="gray", linewidths=0.5, alpha=0.7)
        for o in SETTINGS:
            path = runs[(o, p)][0]
            ax.plot(path[:, 0], path[:, 1], "-", color=colors[o], lw=1.2, label=o, alpha=0.9)
        ax.plot(*start, "ks", ms=6)
        ax.plot(*where, "*", color="gold", mec="black", ms=13)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel("x (parameter)")
        ax.set_ylabel("y (parameter)")
        ax.set_title(f"{p}: {budget[p]} steps from {start} (square), minimum: star")
        ax.legend(fontsize=7, ncol=2, loc="upper right" if p != "saddle" else "lower left")
    ax = axes[1, 0]
    ax.semilogy(np.arange(1, len(ada) + 1), ada, color=colors["adagrad"], label="AdaGrad: lr / (√Σg² + ε)")
    ax.semilogy(
        np.arange(1, len(rms) + 1), rms, color=colors["rmsprop"], label="RMSprop: lr / (√EMA(g²) + ε)"
    )
    ax.set_xlabel("step")
    ax.set_ylabel("effective learning rate on y (log scale)")
    ax.set_title("Bowl: AdaGrad's step only shrinks, RMSprop's grows back")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    ax = axes[1, 1]
    ax.semilogy(np.abs(sgd_path[:, 1]), "--", color=colors["sgd"], label=f"SGD lr {SADDLE_LR}")
    ax.semilogy(
        np.abs(heavy_path[:, 1]), "-", color="black", label=f"SGD lr {SADDLE_LR}, momentum {MOMENTUM}"
    )
    ax.axhline(1.0, color="gray", ls=":", lw=1, label="valley floor |y| = 1")
    ax.set_xlabel("step")
    ax.set_ylabel("|y|, distance from the saddle's ridge (log scale)")
    ax.set_title("Saddle from (1, 1e-3): momentum escapes, SGD crawls")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    ax = axes[1, 2]
    names = list(SETTINGS)
    counts = [steps[(o, "bowl")] for o in names]
    ax.bar(range(len(names)), counts, color=[colors[o] for o in names])
    for i, c in enumerate(counts):
        ax.annotate(str(c), (i, c), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(names)), names, fontsize=8, rotation=30)
    ax.set_ylabel("iterations to f < 1e-6")
    ax.set_title("Bowl: iterations to converge (L-BFGS: second order)")
    ax.grid(alpha=0.3, axis="y")
    figure = save_figure(fig, out_dir, "optimizers")

    claims = [
        Claim(
            f"saddle: |y| after {SADDLE_STEPS} steps of SGD lr {SADDLE_LR} (still at the saddle)",
            float(abs(sgd_path[-1, 1])),
            "<",
            0.1,
        ),
        Claim(
            f"saddle: |y| after {SADDLE_STEPS} steps of SGD lr {SADDLE_LR} with momentum {MOMENTUM} "
            "(in a valley, |y| ~ 1)",
            float(abs(heavy_path[-1, 1])),
            ">",
            0.5,
        ),
        Claim(
            "bowl: AdaGrad's effective step on y, largest step-to-step increase (never grows)",
            float(np.max(np.diff(ada))),
            "<=",
            0.0,
        ),
        Claim(
            "bowl: RMSprop's effective step on y, last / smallest along the run (grows back)",
            float(rms[-1] / rms.min()),
            ">",
            2.0,
        ),
        Claim(
            "bowl: L-BFGS iterations to f < 1e-6 / fewest of the first-order optimisers",
            steps[("lbfgs", "bowl")] / first_order,
            "<",
            0.25,
        ),
    ]
    return LabResult("optimizers", figures=[figure], tables={"steps to tolerance": rows}, claims=claims)
