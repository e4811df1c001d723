"""Whole-process times: ``import mlplab`` and ``mlplab train --epochs 20`` on digits, as a user
meets them (a fresh interpreter each run), with ``import torch`` as context.

    python -m benchmarks process [--repeats 5] [--epochs 20] [--json out.json]

Each command runs in a new subprocess, the commands alternated run by run (so a load spike on a
shared machine hits each of them); the median of the repeats is reported, in wall seconds and in
CPU seconds (user + system of the child, which a loaded machine inflates less than wall time). The
first run of each command is also shown apart ("first"): it pays for cold file caches and, for
``mlplab train``, for anything mlplab caches on disk. The subprocesses import the mlplab of this
source tree (``src/`` is put first on ``PYTHONPATH``). Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path}


def commands(epochs: int, work: Path) -> dict[str, list[str]]:
    """The timed commands by name (``import torch`` only where torch is installed)."""
    py = sys.executable
    cmds = {
        "import mlplab": [py, "-c", "import mlplab"],
        f"mlplab train --epochs {epochs}": [
            py,
            "-m",
            "mlplab.cli",
            "train",
            "--epochs",
            str(epochs),
            "--quiet",
            "--out",
            str(work / "run"),
        ],
    }
    if importlib.util.find_spec("torch") is not None:
        cmds["import torch"] = [py, "-c", "import torch"]
    return cmds


def run_once(cmd: list[str], work: Path) -> tuple[float, float]:
    """Run ``cmd`` in a fresh process; returns (wall seconds, CPU seconds of the child)."""
    import shutil

    shutil.rmtree(work / "run", ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=_env(), cwd=work, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({out.returncode}): {out.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(repeats: int = 5, epochs: int = 20) -> dict[str, Any]:
    """Alternate the commands ``repeats`` times; the medians, the first runs and every run."""
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="mlplab-process-") as tmp:
        work = Path(tmp)
        cmds = commands(epochs, work)
        runs: dict[str, list[tuple[float, float]]] = {k: [] for k in cmds}
        order = list(cmds)
        for r in range(repeats):
            for name in order[r % len(order) :] + order[: r % len(order)]:
                runs[name].append(run_once(cmds[name], work))
    rows = {}
    for name, v in runs.items():
        rows[name] = {
            "wall_median_s": statistics.median(w for w, _ in v),
            "cpu_median_s": statistics.median(c for _, c in v),
            "first_wall_s": v[0][0],
            "runs_wall_s": [round(w, 4) for w, _ in v],
            "runs_cpu_s": [round(c, 4) for _, c in v],
        }
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return {"repeats": repeats, "rows": rows, "load_before": load_before, "load_after": load_after}


def table(result: dict[str, Any]) -> str:
    """A markdown table of :func:`measure`'s result."""
    head = (
        "| process | wall median (s) | CPU median (s) | first run wall (s) | load avg before -> after |\n"
        "|---|---:|---:|---:|---|\n"
    )
    lines = [
        f"| {name} | {r['wall_median_s']:.3f} | {r['cpu_median_s']:.3f} | {r['first_wall_s']:.3f} "
        f"| {result['load_before']} -> {result['load_after']} |"
        for name, r in result["rows"].items()
    ]
    return head + "\n".join(lines) + f"\n(median of {result['repeats']} fresh processes each)\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks process", description=__doc__)
    ap.add_argument("--repeats", type=int, default=5, help="runs of each command (default 5)")
    ap.add_argument("--epochs", type=int, default=20, help="epochs of the mlplab train run (default 20)")
    ap.add_argument("--json", default=None, help="also write the result here")
    a = ap.parse_args(argv)
    result = measure(a.repeats, a.epochs)
    print(table(result), end="")
    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=1) + "\n")
        print(f"wrote {a.json}")


if __name__ == "__main__":
    main()
