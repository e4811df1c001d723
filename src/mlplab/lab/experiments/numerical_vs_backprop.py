r"""``numerical-vs-backprop``: the same gradients two ways, and what each costs as the net grows.

Numerical (the notes' section 2.4): for each of the P parameters theta_j,

    dL/dtheta_j ~ (L(theta + h e_j) - L(theta - h e_j)) / (2h),   h = 1e-5

2P forward passes, each costing ~P multiply-adds: the work grows like P^2 (on these small nets a
forward pass costs mostly its fixed per-op overhead, so the loop's measured time grows about like P).
Backpropagation: one forward and one backward pass give all P derivatives, ~3x a forward pass.

Both on the notes' 64-H-10 Tanh net (cross-entropy, a batch of 32 digits images), in float64
(float32's rounding error, ~1e-7 / h, would swamp the comparison). h = 1e-5, not the notes' 1e-4:
the standardised digits pixels reach |x| ~ 10-30, so the truncation error h^2 f'''(theta) / 6 is
~1e-6 of the gradient at h = 1e-4 (measured); at 1e-5 it is 100x smaller, and rounding
(~1e-16 / h) is still negligible. Agreement and the cost claims use
``mlplab.autograd.numerical.numerical_grad`` (the loop, one parameter at a time, as in the notes),
against ``loss.backward()``. ``mlplab.train.numerical_gradients`` (the form ``mlplab train --grad
numerical`` uses) is timed beside them: it evaluates the same central differences but reuses the
unperturbed activations before the perturbed layer and carries a perturbation of W[j, i] as one
column to the next layer, so its cost grows far more slowly than the loop's; it shows what
arithmetic the loop repeats, not a cheaper formula.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ... import float64, manual_seed, nn, tensor
from ...autograd.numerical import numerical_grad
from ...train import LossSpec, build_mlp, numerical_gradients
from ..core import Claim, LabResult, experiment
from ..plotting import pyplot, save_figure
from ..training import digits

BATCH, H = 32, 1e-5


def net(hidden: int, seed: int) -> nn.Sequential:
    """64-hidden-10 Tanh in float64."""
    manual_seed(seed)
    return build_mlp(64, [hidden], 10, activation="tanh").double()


def batch(seed: int) -> tuple[np.ndarray, np.ndarray]:
    split = digits(seed)
    return split.X_train[:BATCH].astype(np.float64), split.y_train[:BATCH]


def backprop(model: nn.Sequential, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """dL/dtheta for every parameter by one forward and one backward pass."""
    model.zero_grad()
    nn.functional.cross_entropy(model(tensor(x, dtype=float64)), tensor(y)).backward()
    return [p.grad.numpy().copy() for p in model.parameters()]  # type: ignore[union-attr]


def agreement(hidden: int, seed: int) -> tuple[float, int]:
    """max |backprop - central difference| / max |backprop| over all parameters, and P."""
    model = net(hidden, seed)
    x, y = batch(seed)
    xt, yt = tensor(x, dtype=float64), tensor(y)
    params = list(model.parameters())
    numeric = numerical_grad(lambda: nn.functional.cross_entropy(model(xt), yt), params, h=H)
    exact = backprop(model, x, y)
    err = max(float(np.max(np.abs(a - b))) for a, b in zip(exact, numeric))
    scale = max(float(np.max(np.abs(a))) for a in exact)
    return err / scale, sum(p.numel() for p in params)


def timing(hidden: int, seed: int, repeats: int) -> tuple[int, float, float, float, float]:
    """P, median CPU seconds per gradient (this process's CPU time, so other programs running on
    the machine do not enter the costs) by backprop, by the notes' loop and by the batched central
    differences, and the largest difference between the batched and backprop gradients relative
    to the largest gradient."""
    model = net(hidden, seed)
    x, y = batch(seed)
    xt, yt = tensor(x, dtype=float64), tensor(y)
    params = list(model.parameters())
    spec = LossSpec("cross_entropy", "classification", n_classes=10)
    back, loop, num = [], [], []
    for _ in range(repeats):
        t0 = time.process_time()
        exact = backprop(model, x, y)
        back.append(time.process_time() - t0)
        t0 = time.process_time()
        numerical_grad(lambda: nn.functional.cross_entropy(model(xt), yt), params, h=H)
        loop.append(time.process_time() - t0)
        t0 = time.process_time()
        numeric = numerical_gradients(model, x, y, spec, h=H)
        num.append(time.process_time() - t0)
    err = max(float(np.max(np.abs(a - b))) for a, b in zip(exact, numeric))
    scale = max(float(np.max(np.abs(a))) for a in exact)
    return (
        sum(p.numel() for p in params),
        float(np.median(back)),
        float(np.median(loop)),
        float(np.median(num)),
        err / scale,
    )


def slope(p: np.ndarray, t: np.ndarray) -> float:
    """Least-squares slope of log t against log p."""
    return float(np.polyfit(np.log(p), np.log(t), 1)[0])


@experiment(
    "numerical-vs-backprop",
    section="Numerical differentiation vs backpropagation (2.4, VI)",
    claim="both give the same gradients (float64); the numerical one's cost grows with the parameter "
    "count, backprop's barely",
)
def run(out_dir: Path, quick: bool, seed: int) -> LabResult:
    """Hidden widths 2..50 (quick) or 2..200; agreement checked on the 64-10-10 net."""
    widths = [2, 5, 10, 20, 50] if quick else [2, 5, 10, 20, 50, 100]
    rel_loop, params_loop = agreement(10, seed)
    rows = []
    for w in widths:
        p, tb, tl, tn, err = timing(w, seed, 3)
        rows.append(
            {
                "hidden": w,
                "parameters P": p,
                "backprop (ms)": 1e3 * tb,
                "notes' loop (ms)": 1e3 * tl,
                "batched (ms)": 1e3 * tn,
                "loop / backprop": tl / tb,
                "max |difference| / max |gradient|": err,
            }
        )
    p = np.array([r["parameters P"] for r in rows], dtype=float)
    tb = np.array([r["backprop (ms)"] for r in rows])
    tl = np.array([r["notes' loop (ms)"] for r in rows])
    tn = np.array([r["batched (ms)"] for r in rows])
    errs = np.array([r["max |difference| / max |gradient|"] for r in rows])

    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    ax = axes[0]
    ax.loglog(p, tl, "s-", color="black", label=f"notes' loop (2P forwards), slope {slope(p, tl):.2f}")
    ax.loglog(
        p,
        tn,
        "o--",
        color="tab:red",
        label=f"batched (mlplab train --grad numerical), slope {slope(p, tn):.2f}",
    )
    ax.loglog(p, tb, "o-", color="tab:blue", label=f"backprop, slope {slope(p, tb):.2f}")
    for pi, w in zip(p, widths):
        ax.annotate(
            f"H={w}", (pi, tl[widths.index(w)]), textcoords="offset points", xytext=(-8, 6), fontsize=7
        )
    ax.set_xlabel("parameters P of the 64-H-10 net (log scale)")
    ax.set_ylabel("CPU time per gradient, batch of 32 (ms, log scale)")
    ax.set_title("Cost of one gradient as the network grows")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    ax = axes[1]
    ax.semilogy(p, errs, "o-", color="tab:purple", label="batched central differences vs backprop")
    ax.semilogy(
        [params_loop], [rel_loop], "s", color="black", ms=8, label="notes' loop (numerical_grad), H=10"
    )
    ax.axhline(1e-6, color="gray", ls=":", label="claim threshold 1e-6")
    ax.set_xscale("log")
    ax.set_xlabel("parameters P (log scale)")
    ax.set_ylabel("max |difference| / max |gradient| (log scale)")
    ax.set_title(f"The two gradients agree (float64, h = {H:g})")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    for ax in axes:
        ax.tick_params(axis="x", which="minor", labelbottom=False)
    figure = save_figure(fig, out_dir, "numerical_vs_backprop")

    claims = [
        Claim(
            f"notes' loop vs backprop, 64-10-10 net (P = {params_loop}): max rel. difference",
            rel_loop,
            "<",
            1e-6,
        ),
        Claim(
            "batched differences vs backprop, every size: max rel. difference", float(errs.max()), "<", 1e-6
        ),
        Claim(
            "time ratio notes' loop / backprop: largest net / smallest net",
            (tl[-1] / tb[-1]) / (tl[0] / tb[0]),
            ">",
            5.0,
        ),
        Claim("log-log slope of time vs P: notes' loop - backprop", slope(p, tl) - slope(p, tb), ">", 0.5),
        Claim("largest net: notes' loop / batched (the loop repeats work)", tl[-1] / tn[-1], ">", 5.0),
    ]
    return LabResult("numerical-vs-backprop", figures=[figure], tables={"cost": rows}, claims=claims)
