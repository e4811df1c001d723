"""Shared helpers of the compare tests: run ``mlplab`` in this process or in a subprocess, read
a summary."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from mlplab import cli
from mlplab.compare import TIMING_COLUMNS

SRC = Path(__file__).resolve().parents[2] / "src"

# a tiny run: iris, two epochs of 30-sample batches
TINY = ["--dataset", "iris", "--epochs", "2", "--batch-size", "30", "--quiet"]


def main(*args: object, cwd: Path) -> tuple[int, str, str]:
    """``mlplab ARGS`` in this process, from ``cwd``; returns (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                cli.main([str(a) for a in args])
                code = 0
            except SystemExit as e:
                code = int(e.code or 0)
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


def env() -> dict[str, str]:
    """The environment of a subprocess that must import this checkout's mlplab."""
    e = dict(os.environ)
    e["PYTHONPATH"] = str(SRC) + os.pathsep + e.get("PYTHONPATH", "")
    return e


def spawn(*args: object, cwd: Path) -> subprocess.Popen:
    """``python -m mlplab.cli ARGS`` as a subprocess (stdout and stderr piped), leading a process
    group of its own as a command in a terminal does (Ctrl-C is ``os.killpg(pid, SIGINT)``)."""
    return subprocess.Popen(
        [sys.executable, "-m", "mlplab.cli", *map(str, args)],
        cwd=cwd,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def summary(path: Path, timing: bool = False) -> list[dict[str, str]]:
    """The rows of ``summary.csv``, without the timing columns unless ``timing``."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not timing:
        for r in rows:
            for k in TIMING_COLUMNS:
                r.pop(k, None)
    return rows


def one_error_line(res: tuple[int, str, str]) -> str:
    """The one stderr line of a call that must fail with exit status 2."""
    code, out, err = res
    assert code == 2, f"expected exit 2, got {code}\nstdout:\n{out}\nstderr:\n{err}"
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got:\n{err}"
    return lines[0]
