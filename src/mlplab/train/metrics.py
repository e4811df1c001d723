"""Metrics on NumPy arrays: accuracy for classification; MAE, MSE and R^2 for regression."""

from __future__ import annotations

import numpy as np


def accuracy(pred: np.ndarray, target: np.ndarray) -> float:
    """Fraction of predictions equal to the target: (1/N) sum [pred_i == y_i]."""
    pred = np.asarray(pred).reshape(-1)
    target = np.asarray(target).reshape(-1)
    return float((pred == target).mean()) if target.size else float("nan")


def mae(pred: np.ndarray, target: np.ndarray) -> float:
    """Mean absolute error (1/N) sum |y_hat - y|."""
    d = np.asarray(pred, dtype=np.float64).reshape(-1) - np.asarray(target, dtype=np.float64).reshape(-1)
    return float(np.abs(d).mean())


def mse(pred: np.ndarray, target: np.ndarray) -> float:
    """Mean squared error (1/N) sum (y_hat - y)^2."""
    d = np.asarray(pred, dtype=np.float64).reshape(-1) - np.asarray(target, dtype=np.float64).reshape(-1)
    return float((d * d).mean())


def r2(pred: np.ndarray, target: np.ndarray) -> float:
    """Coefficient of determination R^2 = 1 - SS_res / SS_tot."""
    y = np.asarray(target, dtype=np.float64).reshape(-1)
    p = np.asarray(pred, dtype=np.float64).reshape(-1)
    ss_res = float(((y - p) ** 2).sum())
    ss_tot = float(((y - y.mean()) ** 2).sum())
    return 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")


def regression_metrics(pred: np.ndarray, target: np.ndarray) -> dict[str, float]:
    return {"mae": mae(pred, target), "mse": mse(pred, target), "r2": r2(pred, target)}
