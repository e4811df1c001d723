r"""``weight-decay-vs-l2``: an L2 penalty in the loss and weight decay in the optimiser.

An L2 term L' = L + (lambda / 2) ||w||^2 adds lambda * w to the gradient, which is what
``weight_decay=lambda`` does in SGD and in Adam (coupled): the steps are identical. SGD's step
w <- w - lr (g + lambda w) = (1 - lr lambda) w - lr g is also "shrink the weights, then step":
for SGD, L2 and weight decay are one thing. Adam divides the whole gradient, lambda * w included,
by sqrt(v_hat): weights with large gradients are hardly decayed. AdamW decouples the decay,

    w <- w - lr * lambda * w - lr * m_hat / (sqrt(v_hat) + eps),

independently of the gradient's scale; no penalty in the loss reproduces it (the notes' 'for Adam,
weight decay and L2 regularisation are not the same').

Data: linear regression, 10 features whose scales range over 0.1 ... 10 (so Adam's per-weight
scaling matters), float64, seeded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ... import float64, manual_seed, nn, optim, tensor
from ...nn import functional as F
from ..core import Claim, LabResult, experiment
from ..plotting import pyplot, save_figure

LAMBDA = 0.1
LR = {"sgd": 0.002, "adam": 0.05}


def regression(seed: int) -> tuple[Any, Any]:
    """X (200, 10) with column scales logspace(-1, 1), y = X w* + noise, as float64 tensors."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(200, 10)) * np.logspace(-1, 1, 10)
    y = x @ rng.normal(size=10) + rng.normal(0, 0.1, size=200)
    return tensor(x, dtype=float64), tensor(y[:, None], dtype=float64)


def train(kind: str, steps: int, seed: int, data: tuple[Any, Any]) -> np.ndarray:
    """The weight vector after each full-batch step for one regularisation ``kind``:
    'sgd+l2', 'sgd+wd', 'adam+l2', 'adam+wd' (Adam's coupled decay), 'adamw', or 'sgd+none' and
    'adam+none' (no regularisation)."""
    x, y = data
    manual_seed(seed)
    model = nn.Linear(10, 1, bias=False).double()
    optimiser, how = kind.split("+") if "+" in kind else (kind, "wd")
    decay = LAMBDA if how == "wd" else 0.0
    if optimiser == "sgd":
        opt = optim.SGD(model.parameters(), lr=LR["sgd"], weight_decay=decay)
    elif optimiser == "adam":
        opt = optim.Adam(model.parameters(), lr=LR["adam"], weight_decay=decay)
    else:
        opt = optim.AdamW(model.parameters(), lr=LR["adam"], weight_decay=decay)
    path = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        if how == "l2":
            loss = loss + LAMBDA / 2 * optim.l2_penalty(model.parameters())
        loss.backward()
        opt.step()
        path.append(model.weight.detach().numpy().ravel().copy())
    return np.array(path)


def adamw_first_step_error(seed: int, data: tuple[Any, Any]) -> float:
    """|AdamW's first step - the decoupled formula|: with m_hat = g, v_hat = g^2 after one step,
    w1 = w0 - lr lambda w0 - lr g / (|g| + eps)."""
    x, y = data
    manual_seed(seed)
    model = nn.Linear(10, 1, bias=False).double()
    w0 = model.weight.detach().numpy().copy()
    opt = optim.AdamW(model.parameters(), lr=LR["adam"], weight_decay=LAMBDA)
    F.mse_loss(model(x), y).backward()
    g = model.weight.grad.numpy().copy()  # type: ignore[union-attr]
    opt.step()
    expected = w0 - LR["adam"] * LAMBDA * w0 - LR["adam"] * g / (np.abs(g) + 1e-8)
    return float(np.max(np.abs(model.weight.detach().numpy() - expected)))


@experiment(
    "weight-decay-vs-l2",
    section="Weight decay (4.2) and L2 regularisation",
    claim="an L2 penalty and weight decay take the same steps under SGD (and Adam's coupled decay); "
    "AdamW's decoupled decay differs",
)
def run(out_dir: Path, quick: bool, seed: int) -> LabResult:
    """Full-batch training, 150 (quick) or 600 steps, with each kind of regularisation."""
    steps = 150 if quick else 600
    data = regression(seed)
    kinds = ("sgd+l2", "sgd+wd", "adam+l2", "adam+wd", "adamw", "sgd+none", "adam+none")
    paths = {k: train(k, steps, seed, data) for k in kinds}
    gap = {
        "SGD: L2 in loss vs weight_decay": np.max(np.abs(paths["sgd+l2"] - paths["sgd+wd"]), axis=1),
        "Adam: L2 in loss vs weight_decay": np.max(np.abs(paths["adam+l2"] - paths["adam+wd"]), axis=1),
        "Adam + L2 vs AdamW": np.max(np.abs(paths["adam+l2"] - paths["adamw"]), axis=1),
    }

    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6))
    for (label, g), style in zip(gap.items(), ("-", "--", "-")):
        left.semilogy(np.arange(1, steps + 1), np.maximum(g, 1e-18), style, label=label)
    left.axhline(1e-12, color="gray", ls=":", lw=1, label="1e-12 (rounding level)")
    left.set_xlabel("step")
    left.set_ylabel("max |w_a - w_b| over the weights (log; 1e-18 = equal)")
    left.set_title("Same steps, or not: paired runs from the same init")
    left.legend(fontsize=8)
    left.grid(alpha=0.3, which="both")
    scales = np.logspace(-1, 1, 10)
    for k, base, marker in (
        ("adam+l2", "adam+none", "o"),
        ("adamw", "adam+none", "s"),
        ("sgd+wd", "sgd+none", "^"),
    ):
        shrink = np.abs(paths[k][-1]) / np.abs(paths[base][-1])
        right.plot(scales, shrink, marker + "-", label=f"{k} / {base}", ms=5)
    right.set_xscale("log")
    right.set_xlabel("scale of the feature (standard deviation, log)")
    right.set_ylabel("|w regularised| / |w unregularised|")
    right.set_title(f"Shrinkage of each weight after {steps} steps, λ = {LAMBDA}")
    right.legend(fontsize=8)
    right.grid(alpha=0.3, which="both")
    figure = save_figure(fig, out_dir, "weight-decay-vs-l2")

    rows = [
        {
            "kind": k,
            **{f"w{i}": float(v) for i, v in enumerate(paths[k][-1])},
            "norm": float(np.linalg.norm(paths[k][-1])),
        }
        for k in kinds
    ]
    claims = [
        Claim(
            "SGD: max |w(L2 in loss) - w(weight_decay)| over every step (same update)",
            float(gap["SGD: L2 in loss vs weight_decay"].max()),
            "<",
            1e-12,
        ),
        Claim(
            "Adam: max |w(L2 in loss) - w(weight_decay, coupled)| over every step (same update)",
            float(gap["Adam: L2 in loss vs weight_decay"].max()),
            "<",
            1e-12,
        ),
        Claim(
            "max |w(Adam + L2) - w(AdamW)| over every step (decoupled decay differs)",
            float(gap["Adam + L2 vs AdamW"].max()),
            ">",
            1e-3,
        ),
        Claim(
            "shrinkage of the smallest-scale feature's weight: Adam + L2 / AdamW "
            "(coupled decay / sqrt(v) is strong where gradients are small)",
            float(
                (abs(paths["adam+l2"][-1, 0]) / abs(paths["adam+none"][-1, 0]))
                / (abs(paths["adamw"][-1, 0]) / abs(paths["adam+none"][-1, 0]))
            ),
            "<",
            0.5,
        ),
        Claim(
            "AdamW's first step - (w - lr*lambda*w - lr*g/(|g|+eps)) (decoupled formula)",
            adamw_first_step_error(seed, data),
            "<",
            1e-12,
        ),
    ]
    return LabResult("weight-decay-vs-l2", figures=[figure], tables={"final weights": rows}, claims=claims)
