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


# Margins are laid out here from measured text instead of by ``Figure.tight_layout``: that draws
# every tick label of the figure once more to find its extent: the digits run's two figures took
# 0.52-0.55 s with it, 0.36-0.40 s this way (``python -m benchmarks run_costs``), at the end of
# every ``mlplab train``. What decides the margins is known
# before drawing (tick labels, class names, the fonts of titles and axis labels), so each is
# measured once with the Agg renderer and the axes are placed in inches.

_PT = 1 / 72  # inches per point
_EDGE = 0.08  # inches of blank space at the figure's edge
_TICK = 7 * _PT  # a tick (3.5 pt) and the pad between it and its label (3.5 pt)
_LABELPAD = 4 * _PT  # axis label to tick labels
_TITLEPAD = 6 * _PT  # axes title to the axes


def _text_size(fig: Any, texts: Sequence[str], size: Any, rotation: float = 0.0) -> tuple[float, float]:
    """Width and height (inches) of the box that holds each of ``texts`` at font size ``size``
    (points or a name like ``"large"``), as the figure's Agg canvas draws them, rotated by
    ``rotation`` degrees: the widest width and the tallest height. (0, 0) for no text."""
    from matplotlib.font_manager import FontProperties

    renderer = fig.canvas.get_renderer()
    prop = FontProperties(size=size)
    a = np.deg2rad(rotation)
    c, s = abs(float(np.cos(a))), abs(float(np.sin(a)))
    w = h = 0.0
    for t in texts:
        if not t:
            continue
        tw, th, _ = renderer.get_text_width_height_descent(t, prop, ismath=False)
        w, h = max(w, tw * c + th * s), max(h, tw * s + th * c)
    return w / fig.dpi, h / fig.dpi


def _rc(name: str) -> Any:
    import matplotlib

    return matplotlib.rcParams[name]


def _tick_labels(axis: Any) -> list[str]:
    """The labels the axis will draw at its major ticks (the formatter's offset text apart)."""
    locs = list(axis.get_majorticklocs())
    labels = axis.get_major_formatter().format_ticks(locs)
    lo, hi = sorted(axis.get_view_interval())
    tol = 1e-9 * max(abs(lo), abs(hi), 1.0)
    return [t for v, t in zip(locs, labels) if lo - tol <= v <= hi + tol]


def _offset(axis: Any) -> str:
    """The formatter's offset text (``1e5``, ``+3.2e2``) of the axis's ticks; "" for none."""
    get = getattr(axis.get_major_formatter(), "get_offset", None)
    return get() if get is not None else ""


def _place_row(fig: Any, axes: Sequence[Any], suptitle: bool) -> None:
    """Place a row of axes (each with a title, x and y labels and numeric tick labels) with room
    for what surrounds them: the y tick labels as the data gave them, measured; the titles, axis
    labels and the suptitle from their fonts."""
    W, H = fig.get_size_inches()
    line = _text_size(fig, ["0"], _rc("xtick.labelsize"))[1]
    label_h = _text_size(fig, ["Epoch"], _rc("axes.labelsize"))[1]
    title_h = _text_size(fig, ["Loss"], _rc("axes.titlesize"))[1]
    top = _EDGE + title_h + _TITLEPAD
    if suptitle:
        top += _text_size(fig, ["Loss"], _rc("figure.titlesize"))[1] + 0.2
    bottom = _EDGE + label_h + _LABELPAD + line + _TICK
    fig.subplots_adjust(bottom=bottom / H, top=1 - top / H)  # y ticks depend on the height only
    lefts, x_w = [], 0.0
    y_offset = x_offset = False
    for ax in axes:
        # _tick_labels formats the ticks, which is what sets the formatter's offset text
        width = _text_size(fig, _tick_labels(ax.yaxis), _rc("ytick.labelsize"))[0]
        lefts.append(_EDGE + label_h + _LABELPAD + width + _TICK)
        x_w = max(x_w, _text_size(fig, _tick_labels(ax.xaxis), _rc("xtick.labelsize"))[0])
        y_offset |= bool(_offset(ax.yaxis))  # "1e5" above the axes
        x_offset |= bool(_offset(ax.xaxis))  # below the tick labels at the right
    if y_offset:
        top += line
    if x_offset:
        bottom += line
    # the last x tick label is centred on the axes' right edge: half of it lies beyond
    right = _EDGE + max(0.1, x_w / 2)
    gap = max(lefts[1:], default=0.0) + 0.15
    n = len(axes)
    axes_w = (W - lefts[0] - right - gap * (n - 1)) / n
    fig.subplots_adjust(
        left=lefts[0] / W,
        right=1 - right / W,
        bottom=bottom / H,
        top=1 - top / H,
        wspace=gap / axes_w if n > 1 else 0.2,
    )


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
    _place_row(fig, axes, suptitle=True)
    fig.savefig(path, dpi=110)


def _place_matrix(fig: Any, ax: Any, cax: Any, names: Sequence[str], rotation: float) -> float:
    """Place a square matrix's axes (class names as tick labels on both sides, the x ones turned
    by ``rotation`` and ending at their ticks; a title above) and its colorbar beside it, as large
    as the figure allows, with room for the measured class names and the colorbar's tick labels.
    Returns the matrix's side (inches)."""
    W, H = fig.get_size_inches()
    label_h = _text_size(fig, ["True label"], _rc("axes.labelsize"))[1]
    title_h = _text_size(fig, ["Confusion"], _rc("axes.titlesize"))[1]
    name_w = _text_size(fig, names, _rc("ytick.labelsize"))[0]
    xw, xh = _text_size(fig, names, _rc("xtick.labelsize"), rotation)
    # a turned label runs left from its tick: the first may reach past the y labels
    left = max(_EDGE + label_h + _LABELPAD + name_w + _TICK, _EDGE + xw if rotation else 0.0)
    bottom = _EDGE + label_h + _LABELPAD + xh + _TICK
    top = _EDGE + title_h + _TITLEPAD
    gap, bar = 0.15, 0.18
    for _ in range(2):  # the colorbar's ticks depend on its height, which depends on their width
        bar_w = _text_size(fig, _tick_labels(cax.yaxis), _rc("ytick.labelsize"))[0]
        right = gap + bar + _TICK + bar_w + _LABELPAD + label_h + _EDGE
        side = min(W - left - right, H - bottom - top)
        x0 = left + (W - left - right - side) / 2
        y0 = bottom + (H - bottom - top - side) / 2
        ax.set_position((x0 / W, y0 / H, side / W, side / H))
        cax.set_position(((x0 + side + gap) / W, y0 / H, bar / W, side / H))
    return side


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
    names = [str(c) for c in class_names]
    size = max(4.5, 0.55 * n + 2.5)
    fig = _figure((size + 1, size))
    ax = fig.add_axes((0.1, 0.1, 0.6, 0.8))
    cax = fig.add_axes((0.8, 0.1, 0.04, 0.8))
    im = ax.imshow(cm, cmap="Blues")
    fig.colorbar(im, cax=cax, label="samples")
    ax.set_yticks(labels, names)
    ax.set_xlabel("Predicted label")
    ax.set_ylabel("True label")
    # the x labels are turned (each ending at its tick) when there are many or one is wider than
    # its column
    rotation = 45 if n > 10 else 0
    side = _place_matrix(fig, ax, cax, names, rotation)
    if not rotation and _text_size(fig, names, _rc("xtick.labelsize"))[0] > 0.95 * side / n:
        rotation = 45
        _place_matrix(fig, ax, cax, names, rotation)
    if rotation:
        ax.set_xticks(labels, names, rotation=rotation, ha="right", rotation_mode="anchor")
    else:
        ax.set_xticks(labels, names)
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
    _place_row(fig, [ax], suptitle=False)
    fig.savefig(path, dpi=110)
