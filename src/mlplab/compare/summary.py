"""What a grid's runs gave, read back from their run directories alone: one row per configuration
(``summary.csv``) and the ranked table printed at the end.

Each statistic is over the configuration's finished seeds: the mean and the standard deviation
(n - 1 in the denominator; empty for a single seed) of the final and the best validation metrics
(``history.json``), the test metrics (``metrics.json``), the epochs to reach the target accuracy
(the first epoch whose validation accuracy is at least ``--target-acc``, among the seeds that
reached it), and the training time. Seeds that failed, or never ran, are listed with the first
error. Nothing here depends on which process trained a run or when, only the wall-time columns.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..train.files import atomic_write
from .grid import PlannedRun
from .worker import is_finished

TIMING_COLUMNS = ("wall_seconds_mean", "wall_seconds_std")
"""The only columns of ``summary.csv`` that may differ between two runs of the same grid."""

_LOWER_IS_BETTER = ("loss", "mae", "mse")


@dataclass
class RunRecord:
    """One run as found on disk: its plan, status, history and test metrics."""

    plan: PlannedRun
    status: str  # finished | failed | not run
    error: str = ""
    history: list[dict[str, float]] = field(default_factory=list)
    test: dict[str, float] = field(default_factory=dict)
    seconds: float = math.nan


def read_run(plan: PlannedRun, run_dir: Path, status: dict[str, Any]) -> RunRecord:
    """The record of one planned run: finished when its directory says so, else ``status.json``'s word."""
    if not is_finished(run_dir):
        known = status.get(plan.name, {})
        return RunRecord(plan, "failed" if known.get("error") else "not run", known.get("error", ""))
    history = json.loads((run_dir / "history.json").read_text())
    metrics = json.loads((run_dir / "metrics.json").read_text())
    return RunRecord(
        plan,
        "finished",
        "",
        history,
        dict(metrics.get("test", {})),
        float(metrics.get("train_seconds", math.nan)),
    )


def _first_reached(history: list[dict[str, float]], target: float) -> float:
    key = "val_acc" if any("val_acc" in r for r in history) else "train_acc"
    for r in history:
        if r.get(key, -math.inf) >= target:
            return float(r["epoch"])
    return math.nan


def _stats(values: list[float]) -> tuple[float, float]:
    v = np.array([x for x in values if not math.isnan(x)], dtype=np.float64)
    if v.size == 0:
        return math.nan, math.nan
    return float(v.mean()), float(v.std(ddof=1)) if v.size > 1 else math.nan


def summarise(records: list[RunRecord], target_acc: float) -> list[dict[str, Any]]:
    """One row per configuration, in plan order."""
    groups: dict[str, list[RunRecord]] = {}
    for r in records:
        groups.setdefault(r.plan.config, []).append(r)
    val_keys: list[str] = []
    test_keys: list[str] = []
    for r in records:
        for row in r.history:
            val_keys += [k for k in row if k.startswith("val_") and k not in val_keys]
        test_keys += [k for k in r.test if k not in test_keys]
    classification = any("train_acc" in row for r in records for row in r.history)
    rows = []
    for config, runs in groups.items():
        done = [r for r in runs if r.status == "finished"]
        bad = [r for r in runs if r.status != "finished"]
        row: dict[str, Any] = {
            "config": config,
            "seeds": len(runs),
            "finished": len(done),
            "failed_seeds": " ".join(str(r.plan.seed) for r in bad),
            "error": next((f"seed {r.plan.seed}: {r.error or r.status}" for r in bad), ""),
        }
        for k in val_keys:
            name = k[4:]
            lower = name in _LOWER_IS_BETTER
            finals = [r.history[-1].get(k, math.nan) for r in done]
            bests = [
                (min if lower else max)((h.get(k, math.nan) for h in r.history), default=math.nan)
                for r in done
            ]
            row[f"final_val_{name}_mean"], row[f"final_val_{name}_std"] = _stats(finals)
            row[f"best_val_{name}_mean"], row[f"best_val_{name}_std"] = _stats(bests)
        for k in test_keys:
            row[f"test_{k}_mean"], row[f"test_{k}_std"] = _stats([r.test.get(k, math.nan) for r in done])
        if classification:
            reached = [_first_reached(r.history, target_acc) for r in done]
            row["epochs_to_target_mean"], row["epochs_to_target_std"] = _stats(reached)
            row["reached_target"] = f"{sum(not math.isnan(x) for x in reached)}/{len(done)}"
        row["wall_seconds_mean"], row["wall_seconds_std"] = _stats([r.seconds for r in done])
        rows.append(row)
    return rows


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(v)
    return str(v)


def write_summary(rows: list[dict[str, Any]], path: Path) -> None:
    """``summary.csv``: full-precision numbers (``repr``), empty cells for what is undefined."""
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=keys, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: _cell(r.get(k, "")) for k in keys})
    atomic_write(path, buf.getvalue())


def rank_key(rows: list[dict[str, Any]]) -> tuple[str, bool]:
    """The column ranking the configurations and whether higher is better: the final validation
    accuracy (R^2 for regression; the loss when there is no validation split)."""
    for key, higher in (
        ("final_val_acc_mean", True),
        ("final_val_r2_mean", True),
        ("final_val_loss_mean", False),
    ):
        if any(key in r for r in rows):
            return key, higher
    return "test_loss_mean", False


def ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows best first by :func:`rank_key`; configurations with no finished run last."""
    key, higher = rank_key(rows)

    def order(r: dict[str, Any]) -> tuple[bool, float]:
        v = r.get(key, math.nan)
        bad = not isinstance(v, float) or math.isnan(v)
        return bad, 0.0 if bad else (-v if higher else v)

    return sorted(rows, key=order)


def _pm(row: dict[str, Any], base: str, digits: int = 4) -> str:
    m, s = row.get(f"{base}_mean", math.nan), row.get(f"{base}_std", math.nan)
    if not isinstance(m, float) or math.isnan(m):
        return "-"
    return f"{m:.{digits}f}" + ("" if math.isnan(s) else f" ± {s:.{digits}f}")


def ranked_table(rows: list[dict[str, Any]], target_acc: float) -> str:
    """The text table printed at the end of a grid: rank, configuration, seeds, metrics, time."""
    key, _ = rank_key(rows)
    metric = "acc" if any("test_acc_mean" in r for r in rows) else ("r2" if "r2" in key else "loss")
    cols = ["#", "configuration", "seeds ok", f"val {metric}", f"test {metric}"]
    if metric == "acc":
        cols.append(f"epochs to {target_acc:g}")
    cols.append("train s")
    table = []
    for i, r in enumerate(ranked(rows), 1):
        line = [
            str(i),
            r["config"],
            f"{r['finished']}/{r['seeds']}",
            _pm(r, f"final_val_{metric}"),
            _pm(r, f"test_{metric}"),
        ]
        if metric == "acc":
            line.append(_pm(r, "epochs_to_target", 1) + f" ({r.get('reached_target', '-')})")
        line.append(_pm(r, "wall_seconds", 1))
        table.append(line)
    widths = [max(len(c), *(len(t[j]) for t in table)) for j, c in enumerate(cols)]
    fmt = "  ".join(f"{{:<{w}}}" if j == 1 else f"{{:>{w}}}" for j, w in enumerate(widths))
    lines = [fmt.format(*cols), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*t) for t in table]
    return "\n".join(lines)
