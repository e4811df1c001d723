"""The report on the test split, written at the end of a run and by ``mlplab evaluate``: metrics
(``metrics.json``), scikit-learn's classification report or regression metrics (``report.txt``)
and the confusion matrix or predicted-vs-true figure."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .build import to_original
from .files import atomic_write
from .loop import predict_outputs, score
from .losses import LossSpec
from .metrics import regression_metrics
from .render import classification_text, render_report

__all__ = [
    "classification_text",
    "render_report",
    "report_on_test_split",
    "score_test_split",
    "write_metrics",
]


def report_on_test_split(
    model: Any,
    spec: LossSpec,
    x_test: np.ndarray,
    y_test: np.ndarray,
    class_names: Sequence[str],
    out_dir: Path,
    target_scaler: Any = None,
) -> tuple[dict[str, float], str]:
    """Score ``model`` on the test split, write ``report.txt`` and the figure into ``out_dir``;
    returns the metrics and the report text. Regression: the loss stays in standardised units
    (what was minimised), MAE/MSE/R^2 are in the data's own units."""
    metrics, y, pred = score_test_split(model, spec, x_test, y_test, target_scaler)
    text = render_report(spec.task, metrics, y, pred, class_names, out_dir)
    atomic_write(out_dir / "report.txt", text)
    return metrics, text


def score_test_split(
    model: Any, spec: LossSpec, x_test: np.ndarray, y_test: np.ndarray, target_scaler: Any = None
) -> tuple[dict[str, float], np.ndarray, np.ndarray]:
    """The model's metrics on the test split, the targets and the predictions (labels; or values in
    the data's own units for regression): what :func:`render_report` needs, computed with the model."""
    y = spec.target(y_test)
    out = predict_outputs(model, x_test)
    metrics = score(out, y, spec)
    pred = spec.predict(out)
    if spec.task == "classification":
        return metrics, y, pred
    y0, p0 = to_original(y, target_scaler), to_original(pred, target_scaler)
    return {"loss": metrics["loss"], **regression_metrics(p0, y0)}, y0, p0


def write_metrics(path: Path, content: dict[str, Any]) -> None:
    """``metrics.json``."""
    atomic_write(path, json.dumps(content, indent=2))
