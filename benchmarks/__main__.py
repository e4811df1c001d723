"""mlplab's benchmark suite: every workload on mlplab, PyTorch (when installed) and a NumPy floor.

    python -m benchmarks                      # all workloads, one thread
    python -m benchmarks --threads 1,2        # one and two threads, timed in the same rounds
    python -m benchmarks --quick              # smaller runs, fewer rounds (under 3 minutes)
    python -m benchmarks --json out.json --only digits,mid --impls mlplab,floor
    python -m benchmarks ops [ARGS]           # a part: runs benchmarks/ops.py with ARGS
    python -m benchmarks list                 # the workloads (with their rounds) and the parts

Each workload (``benchmarks/workloads.py``) runs in one worker process per implementation, all built
from the same weights and data; the workers are timed in interleaved rounds
(``benchmarks/suite.py``): every round runs each implementation once at each thread count, in a
shuffled order. BLAS runs on the same number of threads for every implementation (threadpoolctl for
NumPy, ``torch.set_num_threads`` for PyTorch). The table shows, per thread count, each
implementation's median time, the median over rounds of the paired ratios (mlplab / torch, mlplab /
torch fused, mlplab / floor, each from the runs of one round) and each worker's peak RSS; the short
workloads are timed warm (an untimed run before each timed one; ``--no-rewarm`` times them cold; see
``benchmarks/suite.py``). With several thread counts a second table gives the ratios side by side
and the thread effect. After the workloads the suite times whole processes
(``benchmarks/process.py``: ``import mlplab``, ``mlplab train --epochs 20`` on digits, ``import
torch`` for context; ``--no-process`` skips it). Everything, with every run's time and the machine's
load average, goes to a JSON file (``--json``, default ``benchmarks/results.json``). Not part of the
test suite; nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import runpy
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PARTS = {
    "ops": "per-op forward+backward, mlplab vs torch vs NumPy",
    "train_step": "the notes' training step and digits epoch, mlplab vs torch vs NumPy",
    "optim": "one optimiser step over 784-256-256-10 parameters, mlplab vs torch",
    "compare": "mlplab compare: --jobs speed-up and the Dask path's overhead",
    "playground_updates": "the playground's frames per second in Chromium",
    "before_after": "a benchmark's ratios in two source trees",
    "ab_inprocess": "two mlplab trees' training step in one process",
    "process": "whole-process times: import mlplab, mlplab train --epochs 20, import torch",
    "run_costs": "mlplab train's figures and TensorBoard epoch, against what they replaced",
    "thread_steps": "the two-thread effect on one training step, mlplab vs the floor, in one process",
}


def _has_torch() -> bool:
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def environment(threads: list[int], repeats: int | None, quick: bool) -> dict[str, Any]:
    """What the numbers were measured on."""
    import numpy as np

    env: dict[str, Any] = {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "threads": threads,
        "repeats": repeats or "per workload",
        "quick": quick,
    }
    if _has_torch():
        import torch

        env["torch"] = torch.__version__
    import mlplab

    env["mlplab"] = getattr(mlplab, "__version__", "?")
    return env


def run_part(name: str, args: list[str]) -> None:
    """Run ``benchmarks/NAME.py`` as if it were called as a script with ``args``."""
    sys.argv = [str(HERE / f"{name}.py"), *args]
    sys.path.insert(0, str(HERE))
    runpy.run_path(str(HERE / f"{name}.py"), run_name="__main__")


def _threads(text: str) -> list[int]:
    """``--threads``: a comma list of distinct thread counts, each 1 or more."""
    try:
        counts = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected thread counts like 1 or 1,2, got {text!r}") from None
    if not counts or min(counts) < 1 or len(set(counts)) != len(counts):
        raise argparse.ArgumentTypeError(f"expected distinct positive thread counts, got {text!r}")
    return counts


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return n


def main(argv: list[str] | None = None) -> None:
    """Parse the command line; run a part, a worker, or the suite."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in PARTS:
        run_part(argv[0], argv[1:])
        return
    from . import suite
    from .workloads import WORKLOADS

    if argv and argv[0] == "list":
        print("workloads (python -m benchmarks [--only KEY,...]):")
        for w in WORKLOADS.values():
            warm = ", re-warmed" if w.rewarm else ""
            print(f"  {w.key:10s} {w.title} ({w.unit}; {w.repeats} rounds, --quick {w.quick_repeats}{warm})")
        print("parts (python -m benchmarks PART [ARGS], or python benchmarks/PART.py [ARGS]):")
        for k, v in PARTS.items():
            print(f"  {k:20s} {v}")
        return
    if argv and argv[0] == "_worker":
        ap = argparse.ArgumentParser(prog="python -m benchmarks _worker")
        ap.add_argument("workload", choices=list(WORKLOADS))
        ap.add_argument("impl", choices=suite.IMPLS)
        ap.add_argument("--quick", action="store_true")
        ap.add_argument("--no-rewarm", action="store_true")
        a = ap.parse_args(argv[1:])
        suite.worker(a.workload, a.impl, a.quick, not a.no_rewarm)
        return
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="smaller runs, fewer rounds (each row says what)")
    ap.add_argument(
        "--threads",
        type=_threads,
        default=[1],
        help="BLAS/torch thread counts, e.g. 1 or 1,2 (all timed in the same rounds; default 1)",
    )
    ap.add_argument(
        "--repeats",
        type=_positive,
        default=None,
        help="rounds for every workload (default: each workload's own, see `list`; at least 5)",
    )
    ap.add_argument("--only", default="", help="comma list of workloads (see `list`)")
    ap.add_argument("--impls", default=",".join(suite.IMPLS), help="comma list of implementations")
    ap.add_argument(
        "--no-rewarm",
        action="store_true",
        help="time the short workloads cold, without an untimed run before each timed one",
    )
    ap.add_argument("--no-process", action="store_true", help="skip the whole-process times")
    ap.add_argument("--json", default=str(HERE / "results.json"), help="where to write the results")
    a = ap.parse_args(argv)
    keys = [k for k in a.only.split(",") if k] or list(WORKLOADS)
    for k in keys:
        if k not in WORKLOADS:
            ap.error(f"unknown workload {k!r}; valid: {', '.join(WORKLOADS)}")
    impls = [i for i in a.impls.split(",") if i]
    for i in impls:
        if i not in suite.IMPLS:
            ap.error(f"unknown implementation {i!r}; valid: {', '.join(suite.IMPLS)}")
    if not _has_torch():
        impls = [i for i in impls if not i.startswith("torch")]
    t0 = time.perf_counter()
    env = environment(a.threads, a.repeats, a.quick)
    print(f"# {env}", flush=True)
    results: dict[str, dict[str, Any]] = {}
    for k in keys:
        w = WORKLOADS[k]
        repeats = a.repeats or (w.quick_repeats if a.quick else w.repeats)
        results[k] = r = suite.measure(k, impls, repeats, a.threads, a.quick, not a.no_rewarm)
        for n, at in r["threads"].items():
            med = ", ".join(f"{i} {suite.fmt(v)}" for i, v in at["median"].items())
            print(f"{k} ({n} thread(s)): {med} {r['unit']} (load {r['load_after']})", flush=True)
    process = None
    if not a.no_process:
        from . import process as process_part

        process = process_part.measure(max(5, a.repeats or 5))
    env["wall_s"] = round(time.perf_counter() - t0, 1)
    for n in a.threads:
        print(f"\n{n} thread(s):\n")
        print(suite.table(results, n), end="")
    if len(a.threads) > 1:
        print("\nratios at each thread count, and the thread effect (median of per-round quotients):\n")
        print(suite.thread_table(results, a.threads), end="")
    if process is not None:
        print()
        print(process_part.table(process), end="")
    extra = results.get("numgrad", {}).get("numgrad_max_abs_diff")
    if extra is not None:
        print(f"\nnumerical gradients, mlplab vs the per-parameter loop: max |diff| = {extra:.3g}")
    from . import verdict

    print("\nissue 14's must-holds in this run (benchmarks/verdict.py):\n")
    print(verdict.table(results, process, a.threads, quick=a.quick), end="")
    kind = "quick run, " if a.quick else ""
    print(f"\n{kind}threads {a.threads}, wall {env['wall_s']} s")
    doc = {"environment": env, "results": results, "process": process}
    Path(a.json).write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {a.json}")


if __name__ == "__main__":
    main()
