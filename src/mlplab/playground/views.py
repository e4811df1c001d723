"""What the page draws, computed from a run's model: one JSON-able snapshot per update.

Everything here runs in eval mode without a graph and draws no random number, so looking never
changes the training. Images travel as base64 bytes (one byte per pixel) to keep a frame small:

- ``boundary``: the predicted class and its confidence on a GRID x GRID lattice over the input plane
  (2-D data), drawn under the points;
- ``units``: every hidden unit's output over the plane (UNIT_GRID x UNIT_GRID, scaled by its largest
  magnitude), or for digits each first-layer unit's 8x8 weights;
- ``layers``: per Linear layer the weight histogram and gradient norm, per hidden layer the
  activation histogram (on the training inputs) and the fraction of dead units (0 for every input);
- ``confusion`` and ``mistakes`` for digits.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from .. import nn
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from ..train.loop import evaluate
from .build import Built

GRID = 64
UNIT_GRID = 32
BINS = 16
MAX_MISTAKES = 24


def _b64(a: np.ndarray) -> str:
    a = np.nan_to_num(np.asarray(a, dtype=np.float64), nan=128.0, posinf=255.0, neginf=0.0)
    return base64.b64encode(np.ascontiguousarray(np.clip(a, 0, 255), dtype=np.uint8).tobytes()).decode(
        "ascii"
    )


def extent(b: Built) -> list[float]:
    """``[x_min, x_max, y_min, y_max]`` of all points (standardised), padded by 10%."""
    xs = np.concatenate([b.data.x_train, b.data.x_test])
    lo, hi = xs.min(axis=0), xs.max(axis=0)
    pad = 0.1 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    return [float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])]


def plane(ext: list[float], n: int) -> np.ndarray:
    """``n * n`` points covering ``ext``, row-major from the top-left (y decreasing)."""
    xs = np.linspace(ext[0], ext[1], n, dtype=np.float32)
    ys = np.linspace(ext[3], ext[2], n, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()]).astype(np.float32)


def forward_layers(model: nn.Sequential, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """The output of ``model`` (eval mode, no graph) and each hidden layer's output: the input of
    every Linear layer after the first."""
    hidden: list[np.ndarray] = []
    was = model.training
    model.eval()
    try:
        with no_grad():
            t = Tensor._make(np.asarray(x, dtype=np.float32))
            for i, layer in enumerate(model):
                if isinstance(layer, nn.Linear) and i > 0:
                    hidden.append(t._data)
                t = layer(t)
    finally:
        model.train(was)
    return t._data, hidden


def _hist(a: np.ndarray, symmetric: bool = False) -> dict[str, Any]:
    a = np.asarray(a, dtype=np.float64).ravel()
    a = a[np.isfinite(a)]  # a diverged layer's infinities are left out
    lo, hi = (float(a.min()), float(a.max())) if a.size else (0.0, 0.0)
    if symmetric:
        m = max(abs(lo), abs(hi))
        lo, hi = -m, m
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    counts, _ = np.histogram(a, bins=BINS, range=(lo, hi))
    return {"lo": lo, "hi": hi, "counts": counts.tolist()}


def layer_stats(b: Built, hidden_train: list[np.ndarray]) -> list[dict[str, Any]]:
    """Per Linear layer: weight histogram, gradient norm, and for a hidden layer's output its
    activation histogram and dead fraction."""
    linears = [m for m in b.model if isinstance(m, nn.Linear)]
    out = []
    for i, lin in enumerate(linears):
        grads = [p.grad for p in (lin.weight, lin.bias) if p is not None and p.grad is not None]
        gnorm = float(np.sqrt(sum(float((g._data.astype(np.float64) ** 2).sum()) for g in grads)))
        row: dict[str, Any] = {
            "name": f"Linear {lin.in_features}->{lin.out_features}",
            "weights": _hist(lin.weight._data, symmetric=True),
            "grad_norm": gnorm,
        }
        if i < len(hidden_train):
            h = hidden_train[i]
            row["activations"] = _hist(h)
            row["dead"] = float(np.mean(np.all(h == 0, axis=0))) if len(h) else 0.0
        out.append(row)
    return out


def unit_images(b: Built, hidden_grid: list[np.ndarray]) -> list[dict[str, Any]]:
    """Each hidden layer's units as images: the output over the plane (2-D data, every second grid
    point), else the first layer's weights (digits: 8x8)."""
    layers = []
    if b.two_d:
        step = GRID // UNIT_GRID
        for h in hidden_grid:
            img = h.reshape(GRID, GRID, -1)[::step, ::step, :]
            m = np.abs(img).max(axis=(0, 1))
            scaled = np.where(m > 0, img / np.where(m > 0, m, 1), 0.0)
            byte = np.clip(np.rint(scaled * 127 + 128), 0, 255).transpose(2, 0, 1)
            layers.append({"size": UNIT_GRID, "units": int(byte.shape[0]), "pixels": _b64(byte)})
    else:
        lin = next(m for m in b.model if isinstance(m, nn.Linear))
        w = lin.weight._data
        side = int(round(np.sqrt(w.shape[1])))
        m = np.abs(w).max(axis=1, keepdims=True)
        scaled = np.where(m > 0, w / np.where(m > 0, m, 1), 0.0)
        byte = np.clip(np.rint(scaled * 127 + 128), 0, 255)
        layers.append({"size": side, "units": int(w.shape[0]), "pixels": _b64(byte), "weights": True})
    return layers


def boundary(b: Built, out: np.ndarray) -> dict[str, Any]:
    """The predicted class and confidence (0 at chance, 255 at certainty) of every grid point."""
    k = max(b.data.n_classes, 2)
    p = b.spec.probabilities(out)
    cls = p.argmax(axis=1)
    conf = (p.max(axis=1) - 1.0 / k) / (1.0 - 1.0 / k)
    return {"size": GRID, "classes": _b64(cls), "confidence": _b64(np.clip(np.rint(conf * 255), 0, 255))}


def digits_views(b: Built, out_test: np.ndarray) -> dict[str, Any]:
    """Confusion matrix of the test split and its first misclassified digits (raw 0..16 pixels)."""
    k = b.data.n_classes
    pred = b.spec.predict(out_test)
    y = b.data.y_test
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (y, pred), 1)
    scaler = b.data.meta.get("scaler") or {}
    mean = np.asarray(scaler.get("mean", 0.0))
    std = np.asarray(scaler.get("std", 1.0))
    raw = b.data.x_test * std + mean
    wrong = np.flatnonzero(pred != y)[:MAX_MISTAKES]
    pix = np.clip(np.rint(raw[wrong] / 16.0 * 255), 0, 255)
    return {
        "confusion": cm.tolist(),
        "mistakes": {"pixels": _b64(pix), "true": y[wrong].tolist(), "pred": pred[wrong].tolist()},
    }


def scores_on_test(b: Built) -> dict[str, float]:
    """Loss and accuracy on the test split, computed as ``mlplab train`` reports them."""
    return evaluate(b.model, b.data.x_test, b.spec.target(b.data.y_test), b.spec)


def snapshot(b: Built, grid: np.ndarray | None) -> dict[str, Any]:
    """One frame's views of the current model (call inside the session's compute lock); a diverged
    model's infinities are drawn, not warned about."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        return _snapshot(b, grid)


def _snapshot(b: Built, grid: np.ndarray | None) -> dict[str, Any]:
    _, hidden_train = forward_layers(b.model, b.data.x_train)
    frame: dict[str, Any] = {"test": scores_on_test(b), "layers": layer_stats(b, hidden_train)}
    if grid is not None:
        out_grid, hidden_grid = forward_layers(b.model, grid)
        frame["boundary"] = boundary(b, out_grid)
        frame["units"] = unit_images(b, hidden_grid)
    else:
        out_test, _ = forward_layers(b.model, b.data.x_test)
        frame.update(digits_views(b, out_test))
        frame["units"] = unit_images(b, [])
    return frame


def points(b: Built) -> dict[str, Any]:
    """The data the page plots under the boundary (2-D data only)."""
    if not b.two_d:
        return {}
    r = lambda a: np.round(a.astype(np.float64), 4).tolist()  # noqa: E731
    return {
        "extent": extent(b),
        "train": {"x": r(b.data.x_train), "y": b.data.y_train.tolist()},
        "test": {"x": r(b.data.x_test), "y": b.data.y_test.tolist()},
    }
