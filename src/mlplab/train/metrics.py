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


def confusion_counts(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Confusion matrix C (n_classes x n_classes, int64): C[i, j] = #{samples of class i predicted
    as class j}; samples whose label or prediction is outside 0..n_classes-1 are not counted
    (scikit-learn's ``confusion_matrix(y, p, labels=range(n_classes))``)."""
    t = np.asarray(y_true).reshape(-1).astype(np.int64)
    p = np.asarray(y_pred).reshape(-1).astype(np.int64)
    keep = (t >= 0) & (t < n_classes) & (p >= 0) & (p < n_classes)
    flat = np.bincount(t[keep] * n_classes + p[keep], minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den elementwise in float64, 0 where den is 0 (scikit-learn's ``zero_division=0``)."""
    den = np.asarray(den, dtype=np.float64)
    out = np.zeros(np.shape(den), dtype=np.float64)
    nz = den != 0
    out[nz] = np.asarray(num, dtype=np.float64)[nz] / den[nz]
    return out


def classification_report_text(
    y_true: np.ndarray, y_pred: np.ndarray, class_names: list[str], digits: int = 2
) -> str:
    """Precision, recall, F1 and support per class, then accuracy and the macro and
    support-weighted averages, as the text table of scikit-learn's ``classification_report(y,
    p, labels=range(K), target_names=class_names, zero_division=0)`` (same numbers, same text).

    From the confusion matrix C (rows: true class, columns: predicted), for class k::

        precision_k = C[k, k] / sum_i C[i, k]      recall_k = C[k, k] / sum_j C[k, j]
        F1_k = 2 C[k, k] / (sum_j C[k, j] + sum_i C[i, k])   (= 2 P R / (P + R))
        support_k = sum_j C[k, j]                  accuracy = trace(C) / sum(C)

    A ratio whose denominator is 0 is 0. "macro avg" is the plain mean over classes, "weighted
    avg" the mean weighted by support. The accuracy row is scikit-learn's micro-averaged F1, which
    equals the accuracy when every sample's label and prediction is one of the K classes.
    """
    names = [str(c) for c in class_names]
    cm = confusion_counts(y_true, y_pred, len(names))
    tp = np.diag(cm)
    true_sum, pred_sum = cm.sum(axis=1), cm.sum(axis=0)
    precision, recall = _ratio(tp, pred_sum), _ratio(tp, true_sum)
    f1 = _ratio(2.0 * tp, true_sum + pred_sum)
    if not tp.any():  # scikit-learn then counts in floats, and prints the supports as 12.0
        true_sum = true_sum.astype(np.float64)
    width = max(max((len(n) for n in names), default=0), len("weighted avg"), digits)
    row = "{:>{w}s} " + " {:>9.{d}f}" * 3 + " {:>9}\n"
    text = ("{:>{w}s} " + " {:>9}" * 4).format("", "precision", "recall", "f1-score", "support", w=width)
    text += "\n\n"
    for name, p, r, f, s in zip(names, precision, recall, f1, true_sum):
        text += row.format(name, p, r, f, s, w=width, d=digits)
    text += "\n"
    support = true_sum.sum()
    micro_f1 = float(_ratio(2.0 * tp.sum(), true_sum.sum() + pred_sum.sum()))
    accuracy_row = "{:>{w}s} " + " {:>9.{d}}" * 2 + " {:>9.{d}f} {:>9}\n"
    text += accuracy_row.format("accuracy", "", "", micro_f1, support, w=width, d=digits)
    macro = [float(np.mean(v)) if len(v) else float("nan") for v in (precision, recall, f1)]
    text += row.format("macro avg", *macro, support, w=width, d=digits)
    w = true_sum.astype(np.float64)
    if w.sum() > 0:
        weighted = [float((v * w).sum() / w.sum()) for v in (precision, recall, f1)]
    else:
        weighted = macro
    text += row.format("weighted avg", *weighted, support, w=width, d=digits)
    return text
