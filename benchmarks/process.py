"""Whole-process times: ``import mlplab`` and ``mlplab train --epochs 20`` on digits, as a user
meets them (a fresh interpreter each run), with ``import torch`` as context.

    python -m benchmarks process [--repeats 5] [--epochs 20] [--no-compile] [--before TREE]
                                 [--json out.json]

Each command runs in a new subprocess, the commands alternated run by run (so a load spike on a
shared machine hits each of them); the median of the repeats is reported, in wall seconds and in
CPU seconds (user + system of the child and of the processes it waited for, which a loaded machine
inflates less than wall time). The first run of each command is also shown apart ("first"): it
pays for cold file caches and, for ``mlplab train``, for anything mlplab caches on disk. Nothing
here asserts a time.

Bytecode: a user's interpreter compiles mlplab's sources once and reads the ``.pyc`` files from
then on, but an editable install does not precompile them, and a shell with
``PYTHONDONTWRITEBYTECODE=1`` never writes them, so every timed process would compile the whole
package again. The subprocesses therefore import a copy of the tree's ``src/`` (made in a temporary
directory, without its ``__pycache__``; the tree itself is not written to) that is compiled first
(``compileall``), and run with ``PYTHONDONTWRITEBYTECODE=1``: they read those ``.pyc`` files and
write none. ``--no-compile`` leaves the copy uncompiled, so each process compiles mlplab's sources
from scratch (the old behaviour of this benchmark). The installed dependencies' ``.pyc`` files are
used in both modes (pip compiles them at install time).

``--before TREE`` also times ``import mlplab`` and ``mlplab train`` for another source tree (a
checkout of mlplab: its ``src/``, copied and compiled the same way), alternated with this one in
every round, and reports for each command the median over the rounds of the paired ratio
(this tree's time / TREE's time of the same round).
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _env(src: Path) -> dict[str, str]:
    """The subprocesses' environment: ``src`` first on ``PYTHONPATH``, no bytecode written."""
    path = os.pathsep.join(p for p in (str(src), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"}


def prepare(tree: Path, dest: Path, compile_bytecode: bool = True) -> Path:
    """Copy ``tree/src`` to ``dest/src`` (without ``__pycache__``) and, with ``compile_bytecode``,
    compile every module of the copy to its ``.pyc`` (quietly); returns the copy's ``src``."""
    src = tree / "src"
    if not (src / "mlplab" / "__init__.py").is_file():
        raise SystemExit(f"{tree} is not an mlplab source tree (no src/mlplab/__init__.py)")
    copy = dest / "src"
    shutil.copytree(src, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    if compile_bytecode and not compileall.compile_dir(copy, quiet=2, workers=1):
        raise SystemExit(f"compileall failed on a copy of {src}")
    return copy


def commands(epochs: int, work: Path, torch: bool = True) -> dict[str, list[str]]:
    """The timed commands by name (``import torch`` only with ``torch`` and where it is installed)."""
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
    if torch and importlib.util.find_spec("torch") is not None:
        cmds["import torch"] = [py, "-c", "import torch"]
    return cmds


def run_once(cmd: list[str], work: Path, src: Path) -> tuple[float, float]:
    """Run ``cmd`` in a fresh process importing mlplab from ``src``; returns (wall seconds, CPU
    seconds of the child and of the processes it waited for)."""
    shutil.rmtree(work / "run", ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=_env(src), cwd=work, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({out.returncode}): {out.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(
    repeats: int = 5, epochs: int = 20, compile_bytecode: bool = True, before: Path | None = None
) -> dict[str, Any]:
    """Alternate the commands ``repeats`` times (with ``before``, each mlplab command also for that
    tree, in the same rotation); the medians, the first runs, every run and the paired ratios."""
    load_before = _load()
    with tempfile.TemporaryDirectory(prefix="mlplab-process-") as tmp:
        work = Path(tmp)
        trees = {"": ROOT} if before is None else {"": ROOT, "before: ": before.resolve()}
        srcs = {
            label: prepare(tree, work / f"tree{i}", compile_bytecode)
            for i, (label, tree) in enumerate(trees.items())
        }
        jobs: dict[str, tuple[list[str], Path]] = {}
        for label, src in srcs.items():
            for name, cmd in commands(epochs, work, torch=label == "").items():
                jobs[label + name] = (cmd, src)
        runs: dict[str, list[tuple[float, float]]] = {k: [] for k in jobs}
        order = list(jobs)
        for r in range(repeats):
            for name in order[r % len(order) :] + order[: r % len(order)]:
                cmd, src = jobs[name]
                runs[name].append(run_once(cmd, work, src))
    rows = {}
    for name, v in runs.items():
        rows[name] = {
            "wall_median_s": statistics.median(w for w, _ in v),
            "cpu_median_s": statistics.median(c for _, c in v),
            "first_wall_s": v[0][0],
            "runs_wall_s": [round(w, 4) for w, _ in v],
            "runs_cpu_s": [round(c, 4) for _, c in v],
        }
    ratios = {}
    if before is not None:
        for name in commands(epochs, Path(), torch=False):
            now, then = runs[name], runs["before: " + name]
            ratios[name] = {
                "wall_ratio_median": statistics.median(a[0] / b[0] for a, b in zip(now, then)),
                "cpu_ratio_median": statistics.median(a[1] / b[1] for a, b in zip(now, then)),
            }
    return {
        "repeats": repeats,
        "bytecode": "compiled" if compile_bytecode else "not compiled",
        "tree": str(ROOT),
        "before": None if before is None else str(before.resolve()),
        "rows": rows,
        "ratios": ratios,
        "load_before": load_before,
        "load_after": _load(),
    }


def mode(result: dict[str, Any]) -> str:
    """One line saying how mlplab's bytecode was handled in :func:`measure`'s result."""
    if result.get("bytecode", "compiled") == "compiled":
        return "bytecode: src/ compiled first (compileall); each process reads the .pyc files"
    return "bytecode: not compiled (--no-compile); each process compiles mlplab's sources"


def table(result: dict[str, Any]) -> str:
    """A markdown table of :func:`measure`'s result (and the paired ratios, with ``--before``)."""
    head = (
        "| process | wall median (s) | CPU median (s) | first run wall (s) | load avg before -> after |\n"
        "|---|---:|---:|---:|---|\n"
    )
    lines = [
        f"| {name} | {r['wall_median_s']:.3f} | {r['cpu_median_s']:.3f} | {r['first_wall_s']:.3f} "
        f"| {result['load_before']} -> {result['load_after']} |"
        for name, r in result["rows"].items()
    ]
    text = (
        head + "\n".join(lines) + f"\n(median of {result['repeats']} fresh processes each; {mode(result)})\n"
    )
    if result.get("ratios"):
        text += (
            f"\nthis tree ({result['tree']}) / before ({result['before']}), median of the per-round ratios:\n"
            "| process | wall after/before | CPU after/before |\n|---|---:|---:|\n"
        )
        text += "\n".join(
            f"| {name} | {r['wall_ratio_median']:.3f} | {r['cpu_ratio_median']:.3f} |"
            for name, r in result["ratios"].items()
        )
        text += "\n"
    return text


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks process",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--repeats", type=int, default=5, help="runs of each command (default 5)")
    ap.add_argument("--epochs", type=int, default=20, help="epochs of the mlplab train run (default 20)")
    ap.add_argument(
        "--no-compile",
        action="store_true",
        help="do not compile mlplab's bytecode first: every process compiles its sources (old behaviour)",
    )
    ap.add_argument(
        "--before", type=Path, default=None, help="another mlplab source tree, timed alternated with this one"
    )
    ap.add_argument("--json", default=None, help="also write the result here")
    a = ap.parse_args(argv)
    result = measure(a.repeats, a.epochs, not a.no_compile, a.before)
    print(table(result), end="")
    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=1) + "\n")
        print(f"wrote {a.json}")


if __name__ == "__main__":
    main()
