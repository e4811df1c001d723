"""The report's text and its figure, from the test split's targets and predictions: what a run
writes at its end. scikit-learn's part of it (:func:`classification_tables`) can come from the
report worker (:mod:`.report_worker`).

This module and :mod:`.figures` import nothing of mlplab beyond each other (NumPy, matplotlib and
scikit-learn only), so that the report worker can load them without the library."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .figures import plot_confusion, plot_pred_vs_true

__all__ = ["classification_tables", "classification_text", "render_report"]


def classification_text(y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str]) -> str:
    """scikit-learn's classification report (precision, recall, f1, support per class)."""
    from sklearn.metrics import classification_report

    return classification_report(
        y_true,
        y_pred,
        labels=list(range(len(class_names))),
        target_names=[str(c) for c in class_names],
        zero_division=0,
    )


def classification_tables(
    y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str]
) -> tuple[str, np.ndarray]:
    """scikit-learn's classification report and confusion matrix (rows: true labels ``0..K-1``):
    all a classification report needs of scikit-learn (what the report worker computes)."""
    from sklearn.metrics import confusion_matrix

    text = classification_text(y_true, y_pred, class_names)
    return text, confusion_matrix(y_true, y_pred, labels=list(range(len(class_names))))


def render_report(
    task: str,
    metrics: dict[str, float],
    y: np.ndarray,
    pred: np.ndarray,
    class_names: Sequence[str],
    out_dir: Path,
    tables: tuple[str, np.ndarray] | None = None,
) -> str:
    """Draw the test split's figure into ``out_dir`` (``confusion.png``, or ``pred_vs_true.png``
    for regression) and return the report's text: scikit-learn's classification report, or the
    regression metrics (``metrics``, already in the data's own units). ``tables``: what
    :func:`classification_tables` returns, where it was computed already (by the report worker)."""
    out_dir = Path(out_dir)
    if task == "classification":
        text, cm = tables if tables is not None else classification_tables(y, pred, class_names)
        plot_confusion(y, pred, class_names, out_dir / "confusion.png", cm=cm)
        return text
    text = "regression metrics on the test split (original units)\n" + "".join(
        f"{k:>6}: {v:.4f}\n" for k, v in metrics.items()
    )
    plot_pred_vs_true(y, pred, out_dir / "pred_vs_true.png")
    return text
