r"""``regularization``: overfit a small training subset, then rein it in six ways.

A 64-128-128-10 ReLU net trained with Adam (lr 1e-3) on 200 digits images, a quarter of them with
a wrong label, memorises them all, wrong labels included: the training loss goes to ~0 while the
validation loss climbs. The notes' remedies, each in its usual form:

    L1              loss + lambda_1 sum |w|      gradient lambda_1 sign(w): pushes weights to exactly 0
    L2              loss + lambda_2 sum w^2      gradient 2 lambda_2 w: shrinks weights, none to 0
    weight decay    w <- w - lr (g + lambda w), decoupled from Adam's scaling (AdamW)
    Dropout(p)      zero each hidden unit with probability p in training, scale survivors 1/(1-p)
    early stopping  stop when the validation loss has not improved for `patience` epochs, keep the
                    best epoch's weights

The generalisation gap is the validation loss minus the training loss (eval mode, cross-entropy),
measured on the weights each method ends with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ... import manual_seed, nn, optim
from ...train import CriterionSpec, EarlyStopping, build_mlp, evaluate
from ..core import Claim, LabResult, experiment
from ..plotting import pyplot, save_figure
from ..training import digits, train_digits

SUBSET, HIDDEN, LR, NOISE = 200, [128, 128], 1e-3, 0.25
L1, L2, DECAY, DROPOUT, PATIENCE = 3e-3, 1e-2, 5.0, 0.5, 10
SMALL = 1e-3
"""|w| below this counts as "~0" for the sparsity claim."""

METHODS = ("none", "L1", "L2", "weight decay", "dropout", "early stopping")


def noisy_labels(y: np.ndarray, seed: int) -> np.ndarray:
    """``y`` with a fraction NOISE of the labels replaced by a different random class."""
    rng = np.random.default_rng(seed)
    flip = rng.random(len(y)) < NOISE
    out = y.copy()
    out[flip] = (y[flip] + rng.integers(1, 10, flip.sum())) % 10
    return out


def fit_method(method: str, epochs: int, seed: int) -> dict[str, Any]:
    """Train with ``method``; returns the history, the final train/val loss and accuracy, and the
    weights of every Linear layer."""
    split = digits(seed)
    x, y = split.X_train[:SUBSET], noisy_labels(split.y_train[:SUBSET], seed)
    manual_seed(seed)
    model = build_mlp(64, HIDDEN, 10, activation="relu", dropout=DROPOUT if method == "dropout" else 0.0)
    params = model.parameters()
    opt = (
        optim.AdamW(params, lr=LR, weight_decay=DECAY)
        if method == "weight decay"
        else optim.Adam(params, lr=LR)
    )
    stop = EarlyStopping(PATIENCE, monitor="val_loss") if method == "early stopping" else None
    run = train_digits(
        model,
        opt,
        epochs,
        seed,
        x=x,
        y=y,
        l1=L1 if method == "L1" else 0.0,
        l2=L2 if method == "L2" else 0.0,
        callbacks=[stop] if stop else [],
    )
    criterion = CriterionSpec(nn.CrossEntropyLoss(), "classification")
    train = evaluate(model, x, y, criterion)
    val = evaluate(model, split.X_val, split.y_val, criterion)
    weights = np.concatenate([m.weight.detach().numpy().ravel() for m in model if isinstance(m, nn.Linear)])
    return {
        "run": run,
        "train": train,
        "val": val,
        "weights": weights,
        "stopped": stop.best_epoch if stop else len(run.history),
    }


@experiment(
    "regularization",
    section="Regularisation: L1, L2, weight decay, Dropout, early stopping (4, and the L1/L2 notes)",
    claim="every method narrows the train/validation gap of an overfitting net; L1 drives more weights "
    "to ~0 than L2",
)
def run(out_dir: Path, quick: bool, seed: int) -> LabResult:
    """200 training images (25% mislabelled), 60 epochs (quick) or 150; validation on the
    144-image validation split (correct labels)."""
    epochs = 60 if quick else 150
    fits = {m: fit_method(m, epochs, seed) for m in METHODS}
    gap = {m: f["val"]["loss"] - f["train"]["loss"] for m, f in fits.items()}
    zero = {m: float(np.mean(np.abs(f["weights"]) < SMALL)) for m, f in fits.items()}
    rows = [
        {
            "method": m,
            "train loss": f["train"]["loss"],
            "val loss": f["val"]["loss"],
            "gap (val - train loss)": gap[m],
            "train accuracy": f["train"]["acc"],
            "val accuracy": f["val"]["acc"],
            f"weights with |w| < {SMALL:g}": zero[m],
            "epochs (kept)": f["stopped"],
        }
        for m, f in fits.items()
    ]

    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.8))
    colors = dict(zip(METHODS, plt.get_cmap("tab10").colors))
    ax = axes[0]
    for m in [m for m in ("none", "L2", "dropout") if m in fits]:
        h = fits[m]["run"]
        ax.plot(
            h.curve("epoch"), h.curve("train_loss"), "--", color=colors[m], label=f"{m}: train (as optimised)"
        )
        ax.plot(h.curve("epoch"), h.curve("val_loss"), "-", color=colors[m], label=f"{m}: validation")
    if "early stopping" in fits:
        ax.axvline(
            fits["early stopping"]["stopped"],
            color=colors["early stopping"],
            ls=":",
            label="early stopping keeps this epoch",
        )
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy (log scale)")
    ax.set_title(f"{SUBSET} training images, {NOISE:.0%} mislabelled (64-128-128-10 ReLU, Adam)")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3, which="both")
    ax = axes[1]
    xs = np.arange(len(METHODS))
    ax.bar(xs - 0.2, [fits[m]["train"]["loss"] for m in METHODS], 0.4, color="tab:gray", label="train loss")
    ax.bar(
        xs + 0.2,
        [fits[m]["val"]["loss"] for m in METHODS],
        0.4,
        color=[colors[m] for m in METHODS],
        label="validation loss (coloured by method)",
    )
    for i, m in enumerate(METHODS):
        ax.annotate(
            f"gap\n{gap[m]:.2f}", (i + 0.2, fits[m]["val"]["loss"]), ha="center", va="bottom", fontsize=8
        )
    ax.set_xticks(xs, METHODS, fontsize=8, rotation=20)
    ax.set_ylabel("cross-entropy at the end (eval mode)")
    ax.set_ylim(0, max(fits[m]["val"]["loss"] for m in METHODS) * 1.3)
    ax.set_title("Train vs validation loss per method")
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(alpha=0.3, axis="y")
    ax = axes[2]
    bins = np.logspace(-7, 0, 50)
    for m in ("none", "L1", "L2"):
        ax.hist(
            np.abs(fits[m]["weights"]) + 1e-12, bins=bins, histtype="step", lw=1.5, color=colors[m], label=m
        )
    ax.axvline(SMALL, color="gray", ls=":", label=f"|w| = {SMALL:g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("|w| (log scale)")
    ax.set_ylabel("number of weights (log scale)")
    ax.set_title("Weight magnitudes: L1 piles weights up near 0")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    figure = save_figure(fig, out_dir, "regularization")

    claims = [
        Claim("none: gap (validation - train loss), the overfitting to fix", gap["none"], ">", 0.3),
        *[
            Claim(f"{m}: gap / gap without regularisation", gap[m] / gap["none"], "<", 0.8)
            for m in METHODS
            if m != "none"
        ],
        Claim(f"weights with |w| < {SMALL:g}: L1 / L2", zero["L1"] / max(zero["L2"], 1e-12), ">", 3.0),
    ]
    return LabResult("regularization", figures=[figure], tables={"methods": rows}, claims=claims)
