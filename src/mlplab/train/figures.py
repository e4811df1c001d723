"""Figures of a run: learning curves, and on the test split a confusion matrix (classification)
or predicted-vs-true values (regression). matplotlib's Agg canvas (no pyplot), one style."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def _figure(figsize: tuple[float, float]) -> Any:
    """A matplotlib Figure drawn by the Agg canvas. pyplot is not used: a run draws its figures
    straight to files, and pyplot's global figure manager and backend selection only add import
    time (and a GUI backend where one is installed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def plot_curves(
    history: list[dict[str, float]], path: str | Path, task: str = "classification", title: str = ""
) -> None:
    """Loss and accuracy (or R^2 for regression) against epoch, train and validation."""
    epochs = [r["epoch"] for r in history]
    fig = _figure((11, 4.2))
    axes = fig.subplots(1, 2)
    ax = axes[0]
    ax.plot(epochs, [r["train_loss"] for r in history], "o-", ms=3, label="train")
    if any("val_loss" in r for r in history):
        ax.plot(epochs, [r.get("val_loss", np.nan) for r in history], "s-", ms=3, label="validation")
    ax.set_title("Loss")
    ax.set_xlabel("Epoch")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3)
    ax.legend()
    ax = axes[1]
    if task == "classification":
        ax.plot(epochs, [r["train_acc"] for r in history], "o-", ms=3, label="train")
        if any("val_acc" in r for r in history):
            ax.plot(epochs, [r.get("val_acc", np.nan) for r in history], "s-", ms=3, label="validation")
        ax.set_title("Accuracy")
        ax.set_ylabel("accuracy")
    else:
        ax.plot(
            epochs, [r.get("val_r2", np.nan) for r in history], "s-", ms=3, color="C1", label="validation"
        )
        ax.set_title("Validation R²")
        ax.set_ylabel("R²")
    ax.set_xlabel("Epoch")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.suptitle(title or "Learning curves")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_confusion(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    class_names: Sequence[str],
    path: str | Path,
    title: str = "",
    cm: np.ndarray | None = None,
) -> None:
    """Confusion matrix of the test split with counts in each cell: scikit-learn's
    ``confusion_matrix``, or ``cm`` where it was computed already (by the report worker)."""
    labels = list(range(len(class_names)))
    if cm is None:
        from sklearn.metrics import confusion_matrix

        cm = confusion_matrix(y_true, y_pred, labels=labels)
    n = len(labels)
    size = max(4.5, 0.55 * n + 2.5)
    fig = _figure((size + 1, size))
    ax = fig.subplots()
    im = ax.imshow(cm, cmap="Blues")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="samples")
    ax.set_xticks(labels, [str(c) for c in class_names], rotation=45 if n > 10 else 0)
    ax.set_yticks(labels, [str(c) for c in class_names])
    ax.set_xlabel("Predicted label")
    ax.set_ylabel("True label")
    thresh = cm.max() / 2 if cm.size else 0
    for i in range(n):
        for j in range(n):
            if cm[i, j]:
                ax.text(
                    j,
                    i,
                    str(cm[i, j]),
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="white" if cm[i, j] > thresh else "black",
                )
    acc = float(np.trace(cm) / cm.sum()) if cm.sum() else float("nan")
    ax.set_title(title or f"Confusion matrix (test accuracy {acc:.3f})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_pred_vs_true(y_true: np.ndarray, y_pred: np.ndarray, path: str | Path, title: str = "") -> None:
    """Regression: predicted against true values with the y = x line."""
    t = np.asarray(y_true, dtype=float).reshape(-1)
    p = np.asarray(y_pred, dtype=float).reshape(-1)
    fig = _figure((5.5, 5))
    ax = fig.subplots()
    ax.scatter(t, p, s=14, alpha=0.7, label="test samples")
    lo, hi = float(min(t.min(), p.min())), float(max(t.max(), p.max()))
    ax.plot([lo, hi], [lo, hi], "k--", lw=1, label="perfect prediction")
    ax.set_xlabel("True value")
    ax.set_ylabel("Predicted value")
    ax.set_title(title or "Predicted vs true (test split)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
