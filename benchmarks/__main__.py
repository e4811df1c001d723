"""mlplab's benchmark suite: every workload on mlplab, PyTorch (when installed) and a NumPy floor.

    python -m benchmarks                      # all workloads, median of 5, one thread
    python -m benchmarks --quick              # smaller runs, median of 3 (under 3 minutes)
    python -m benchmarks --threads 2 --json out.json --only digits,mid
    python -m benchmarks ops [ARGS]           # a part: runs benchmarks/ops.py with ARGS
    python -m benchmarks list                 # the workloads and the parts

After the workloads the suite times whole processes (``benchmarks/process.py``: ``import mlplab``,
``mlplab train --epochs 20`` on digits, ``import torch`` for context; median of >= 5 fresh
processes; ``--no-process`` skips it).

Each workload (``benchmarks/workloads.py``) is built once per implementation in this process,
warmed up once, then timed run by run with the implementations alternated (the order rotates
every repeat, so a load spike on a shared machine hits each of them); the table shows the median.
BLAS runs on ``--threads`` threads for every implementation (threadpoolctl for NumPy,
``torch.set_num_threads`` for PyTorch). Peak memory is measured apart: a child process per
implementation builds and runs only that one and reports its own ``ru_maxrss``. The table and
a JSON file (``--json``, default ``benchmarks/results.json``) record the machine's load average
before and after each workload. Not part of the test suite; nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import runpy
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

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
    "two_threads": "digits epochs at one and two threads in one process, with or without torch there",
}
IMPLS = ("mlplab", "torch", "torch_fused", "floor")


def _has_torch() -> bool:
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def _set_threads(n: int, impl: str | None = None) -> Any:
    """Limit BLAS (and, for torch, its intra-op pool) to ``n`` threads; returns the limiter."""
    limiter = threadpool_limits(limits=n)
    if impl in (None, "torch", "torch_fused") and _has_torch():
        import torch

        torch.set_num_threads(n)
    return limiter


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _time(case: Any) -> float:
    t0 = time.perf_counter()
    case.run()
    return (time.perf_counter() - t0) / case.units


def _vm_hwm_mib() -> float | None:
    """This process's own peak RSS from /proc (Linux), as a cross-check of ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def child(workload: str, impl: str, threads: int, quick: bool) -> None:
    """Run one implementation of one workload (warm-up + one timed run); print peak RSS as JSON."""
    from .workloads import WORKLOADS

    _set_threads(threads, impl)
    case = WORKLOADS[workload].build(impl, quick)
    if case is not None:
        case.run()
        case.run()
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"maxrss_mib": rss_kib / 1024, "vm_hwm_mib": _vm_hwm_mib()}))


def peak_rss(workload: str, impl: str, threads: int, quick: bool) -> dict[str, float | None] | None:
    """Peak RSS (MiB) of a fresh process that runs only ``impl`` on ``workload``.

    Linux keeps a process's ru_maxrss across ``execve``: a child exec'd straight from this (large)
    process would report at least this process's RSS. So the child is started by a small ``sh``
    that forks it (``"$@"; exit $?`` is not a tail call, so sh cannot exec in place), and its
    ru_maxrss starts from sh's few hundred KiB. VmHWM from /proc is reported beside it.
    """
    cmd = [sys.executable, "-m", "benchmarks", "_child", workload, impl, "--threads", str(threads)]
    if quick:
        cmd.append("--quick")
    path = os.pathsep.join(p for p in (str(HERE.parent), os.environ.get("PYTHONPATH")) if p)
    out = subprocess.run(
        ["sh", "-c", '"$@"; exit $?', "sh", *cmd],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": path},
        cwd=HERE.parent,
        check=False,
    )
    if out.returncode != 0:
        print(
            f"  [memory child {workload}/{impl} failed: {out.stderr.strip().splitlines()[-1:]}]",
            file=sys.stderr,
        )
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(
    key: str, impls: list[str], repeats: int, threads: int, quick: bool, memory: bool
) -> dict[str, Any]:
    """Time every implementation of one workload, interleaved, and measure each one's peak RSS."""
    from .workloads import WORKLOADS

    w = WORKLOADS[key]
    load_before = _load()
    cases = {}
    for impl in impls:
        case = w.build(impl, quick)
        if case is not None:
            case.run()  # warm-up: first-call costs, allocator, BLAS threads
            cases[impl] = case
    runs: dict[str, list[float]] = {impl: [] for impl in cases}
    order = list(cases)
    for r in range(repeats):
        for impl in order[r % len(order) :] + order[: r % len(order)]:
            runs[impl].append(_time(cases[impl]) * w.scale)
    del cases
    result: dict[str, Any] = {
        "title": w.title,
        "unit": w.unit,
        "quick_note": w.quick_note if quick else "",
        "runs": runs,
        "median": {impl: statistics.median(v) for impl, v in runs.items()},
        "load_before": load_before,
        "load_after_timing": _load(),
    }
    if key == "numgrad" and "mlplab" in runs:
        from .workloads import numgrad_agreement

        result["numgrad_max_abs_diff"] = numgrad_agreement()
    if memory:
        result["peak_rss_mib"] = {impl: peak_rss(key, impl, threads, quick) for impl in runs}
    result["load_after"] = _load()
    return result


def _fmt(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


def table(results: dict[str, dict[str, Any]]) -> str:
    """The markdown table: medians, ratios mlplab/torch and mlplab/floor, peak RSS, load."""
    head = (
        "| workload | unit | PyTorch | PyTorch, Adam(fused=True) | floor | mlplab | mlplab / torch "
        "| mlplab / torch fused | mlplab / floor "
        "| peak RSS torch / floor / mlplab (MiB) | load avg (1/5/15 min) before -> after |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n"
    )
    lines = []
    for r in results.values():
        med = r["median"]
        m, t, f, tf = med.get("mlplab"), med.get("torch"), med.get("floor"), med.get("torch_fused")
        rss = r.get("peak_rss_mib", {})
        mem = " / ".join(
            f"{rss[k]['maxrss_mib']:.0f}" if rss.get(k) else "-" for k in ("torch", "floor", "mlplab")
        )
        title = r["title"] + (f" [quick: {r['quick_note']}]" if r["quick_note"] else "")
        ratio_t = f"{m / t:.2f}" if m and t else "-"
        ratio_tf = f"{m / tf:.2f}" if m and tf else "-"
        ratio_f = f"{m / f:.3f}" if m and f else "-"
        lines.append(
            f"| {title} | {r['unit']} | {_fmt(t)} | {_fmt(tf)} | {_fmt(f)} | {_fmt(m)} | {ratio_t} "
            f"| {ratio_tf} | {ratio_f} "
            f"| {mem} | {r['load_before']} -> {r['load_after']} |"
        )
    return head + "\n".join(lines) + "\n"


def environment(threads: int, repeats: int, quick: bool) -> dict[str, Any]:
    """What the numbers were measured on."""
    import numpy as np

    env: dict[str, Any] = {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "threads": threads,
        "repeats": repeats,
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


def main(argv: list[str] | None = None) -> None:
    """Parse the command line; run a part, a memory child, or the suite."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in PARTS:
        run_part(argv[0], argv[1:])
        return
    from .workloads import WORKLOADS

    if argv and argv[0] == "list":
        print("workloads (python -m benchmarks [--only KEY,...]):")
        for w in WORKLOADS.values():
            print(f"  {w.key:10s} {w.title} ({w.unit})")
        print("parts (python -m benchmarks PART [ARGS], or python benchmarks/PART.py [ARGS]):")
        for k, v in PARTS.items():
            print(f"  {k:20s} {v}")
        return
    if argv and argv[0] == "_child":
        ap = argparse.ArgumentParser(prog="python -m benchmarks _child")
        ap.add_argument("workload", choices=list(WORKLOADS))
        ap.add_argument("impl", choices=IMPLS)
        ap.add_argument("--threads", type=int, default=1)
        ap.add_argument("--quick", action="store_true")
        a = ap.parse_args(argv[1:])
        child(a.workload, a.impl, a.threads, a.quick)
        return
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--quick", action="store_true", help="smaller runs, median of 3 (each row says what changed)"
    )
    ap.add_argument(
        "--threads", type=int, choices=(1, 2), default=1, help="BLAS/torch threads for every implementation"
    )
    ap.add_argument(
        "--repeats", type=int, default=None, help="timed runs per implementation (default 5, --quick 3)"
    )
    ap.add_argument("--only", default="", help="comma list of workloads (see `list`)")
    ap.add_argument("--impls", default=",".join(IMPLS), help="comma list of implementations")
    ap.add_argument("--no-memory", action="store_true", help="skip the peak-memory child processes")
    ap.add_argument("--no-process", action="store_true", help="skip the whole-process times")
    ap.add_argument("--json", default=str(HERE / "results.json"), help="where to write the results")
    a = ap.parse_args(argv)
    repeats = a.repeats or (3 if a.quick else 5)
    keys = [k for k in a.only.split(",") if k] or list(WORKLOADS)
    for k in keys:
        if k not in WORKLOADS:
            ap.error(f"unknown workload {k!r}; valid: {', '.join(WORKLOADS)}")
    impls = [i for i in a.impls.split(",") if i and (not i.startswith("torch") or _has_torch())]
    _set_threads(a.threads)
    t0 = time.perf_counter()
    env = environment(a.threads, repeats, a.quick)
    print(f"# {env}", flush=True)
    results: dict[str, dict[str, Any]] = {}
    for k in keys:
        results[k] = measure(k, impls, repeats, a.threads, a.quick, not a.no_memory)
        med = ", ".join(f"{i} {_fmt(v)}" for i, v in results[k]["median"].items())
        print(f"{k}: {med} {results[k]['unit']} (load {results[k]['load_after']})", flush=True)
    process = None
    if not a.no_process:
        from . import process as process_part

        process = process_part.measure(max(5, repeats))
    env["wall_s"] = round(time.perf_counter() - t0, 1)
    print()
    print(table(results), end="")
    if process is not None:
        print()
        print(process_part.table(process), end="")
    extra = results.get("numgrad", {}).get("numgrad_max_abs_diff")
    if extra is not None:
        print(f"\nnumerical gradients, mlplab vs the per-parameter loop: max |diff| = {extra:.3g}")
    kind = "quick run: " if a.quick else ""
    print(f"\n{kind}median of {repeats}, {a.threads} thread(s), wall {env['wall_s']} s")
    doc = {"environment": env, "results": results, "process": process}
    Path(a.json).write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {a.json}")


if __name__ == "__main__":
    main()
