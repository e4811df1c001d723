"""``curves.png`` of a grid: per configuration the mean learning curve over its finished seeds with a
band of +-1 standard deviation, one colour each; panels train/validation loss and accuracy (R^2 of
the validation split for regression). The same style as ``mlplab train``'s figures (Agg, grid
alpha 0.3, 110 dpi)."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .summary import RunRecord

_warming: list[threading.Thread] = []


def warm_up() -> None:
    """Import matplotlib and pyplot now, on a background thread, so that the figure drawn after the
    last run does not wait for them (a few tenths of a second of CPU that would otherwise run alone
    after every worker has finished). The figure is the same either way."""
    if not _warming:
        _warming.append(threading.Thread(target=_quiet_plt, name="mlplab-warm-up-matplotlib", daemon=True))
        _warming[0].start()


def _quiet_plt() -> None:
    with contextlib.suppress(Exception):  # the figure's own import reports any failure
        _plt()


def _plt() -> Any:
    if _warming and _warming[0] is not threading.current_thread():
        _warming[0].join()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _curve(runs: list[RunRecord], key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Epochs, mean and std (n - 1; 0 for one run) of ``key`` over runs; runs may differ in length."""
    n = max(len(r.history) for r in runs)
    table = np.full((len(runs), n), np.nan)
    for i, r in enumerate(runs):
        for j, row in enumerate(r.history):
            table[i, j] = row.get(key, np.nan)
    counts = np.sum(~np.isnan(table), axis=0)
    keep = counts > 0
    table = table[:, keep]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(table, axis=0)
        std = np.nanstd(table, axis=0, ddof=1) if len(runs) > 1 else np.zeros_like(mean)
    std = np.nan_to_num(std)
    return np.arange(1, n + 1)[keep], mean, std


def plot_grid_curves(records: list[RunRecord], path: str | Path, title: str = "") -> bool:
    """Draw the grid's curves into ``path``; False (nothing drawn) when no run finished."""
    groups: dict[str, list[RunRecord]] = {}
    for r in records:
        if r.status == "finished" and r.history:
            groups.setdefault(r.plan.config, []).append(r)
    if not groups:
        return False
    classification = any("train_acc" in row for rs in groups.values() for r in rs for row in r.history)
    panels = [("train_loss", "Training loss", "loss"), ("val_loss", "Validation loss", "loss")]
    if classification:
        panels += [
            ("train_acc", "Training accuracy", "accuracy"),
            ("val_acc", "Validation accuracy", "accuracy"),
        ]
    else:
        panels += [("val_r2", "Validation R²", "R²")]
    plt = _plt()
    cols = 2
    rows = (len(panels) + 1) // 2
    fig, axes = plt.subplots(rows, cols, figsize=(12, 4.0 * rows + 0.6), squeeze=False)
    cmap = plt.get_cmap("tab10" if len(groups) <= 10 else "tab20")
    for ax, (key, name, unit) in zip(axes.flat, panels):
        for i, (config, runs) in enumerate(groups.items()):
            if not any(key in row for r in runs for row in r.history):
                continue
            x, mean, std = _curve(runs, key)
            colour = cmap(i % cmap.N)
            ax.plot(x, mean, "-", lw=1.6, color=colour, label=f"{config} (n={len(runs)})")
            ax.fill_between(x, mean - std, mean + std, color=colour, alpha=0.2, lw=0)
        ax.set_title(name)
        ax.set_xlabel("Epoch")
        ax.set_ylabel(unit)
        if unit == "loss":
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="lower center",
        ncol=min(len(labels), 3),
        fontsize=9,
        title="configuration (seeds): mean, band = ±1 std",
        title_fontsize=9,
    )
    fig.suptitle(title or "Learning curves over seeds")
    legend_height = (0.03 + 0.027 * ((len(labels) + 2) // 3)) * 9.0 / fig.get_figheight()
    fig.tight_layout(rect=(0, legend_height, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
