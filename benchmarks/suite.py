"""The suite's machinery: one worker process per implementation, timed in interleaved rounds.

For each workload the coordinator (this module, in the ``python -m benchmarks`` process) starts one
worker process per implementation (mlplab, torch, torch_fused, floor). Each worker builds its
:class:`~benchmarks.workloads.Case` once and then waits for orders on its stdin: ``warm N`` (set N
threads, run once untimed), ``run N`` (set N threads, run once, report the seconds), ``end``
(report the process's peak RSS and exit). The coordinator runs ``repeats`` rounds; in each round
every thread count asked for (``--threads 1,2``) and, inside it, every implementation runs once, in
an order shuffled per round with a fixed seed (mlplab and the floor always next to each other, see
:func:`round_order`), so a load spike, a cache or a sibling's idle thread pool hits every
implementation and every thread count alike. The shared 2-core machine this was written on runs
in phases of a second or more at up to ~1.8x the usual time per run (seen in every implementation
at once): that is why the short workloads take many rounds and why ratios are paired per round.

Settling. At more than one thread a worker's idle BLAS threads keep spinning for ~0.1 s after its
run (OpenBLAS busy-waits before it sleeps; measured ~105 ms of CPU after a GEMM on two threads); in
one process the next call reuses them, but here they would compete for the two cores with the next
worker's run. So at more than one thread the coordinator waits ``SETTLE_S`` after every run of
a workload whose matrix products are large enough for OpenBLAS to thread (``Workload.settle``: the
784-wide nets). The small nets' products run on one thread (measured: no CPU used in the 0.3 s
after a two-thread run of digits, batch-1 or numerical gradients, mlplab or floor), and a pause
there would only put time, and so the machine's speed changes, between mlplab's and the floor's runs.

Re-warming. A run of another process between two runs of a worker evicts its code and data from
the caches and retrains the branch predictors; a workload of a few milliseconds per run (digits,
batch-1, numerical gradients: ``Workload.rewarm``) then times part of that refill, and the more
Python-heavy implementation pays more of it: mlplab / floor on digits was 1.109 with torch's runs in
the rotation and 1.03 without them (measured). A training loop runs back to back, never between
another process's runs, so for these workloads each timed run comes right after an untimed run
of the same worker (digits 1.005, batch-1 1.029 in the run that first did this, against 1.109 and
1.117 without; ``--no-rewarm`` times them cold). The long workloads (seconds per run) pay the refill
once per run, and are not re-warmed.

Why processes: in one process, PyTorch's OpenMP pool and NumPy's OpenBLAS pool (two threads each at
``--threads 2``) share the two cores and each other's allocator and caches, so whatever ran last
perturbs the next run; in its own process each implementation meets a machine as its users do.
A worker's peak RSS is its whole life's (build, warm-ups and every timed run), from ``ru_maxrss``
(a worker is forked by a small ``sh``, so it does not inherit the coordinator's high-water mark
across ``execve``) with ``VmHWM`` from /proc beside it.

Ratios are paired: ``mlplab / floor`` is computed in each round from the two runs of that round and
thread count, and the table shows the median over rounds (as is the median of each column's
times). The thread effect of ``n`` threads is, per round, (ratio at n) / (ratio at the first count
asked for), and its median: below 1 means the ratio is better at n threads.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
IMPLS = ("mlplab", "torch", "torch_fused", "floor")
#: seconds to wait after a run on more than one thread before the next worker runs: OpenBLAS's
#: idle threads spin (busy-wait) before they sleep, measured at ~105 ms of CPU after a GEMM on two
#: threads (torch's pool: ~8 ms); in another process they would take a core from the next run
SETTLE_S = 0.15
#: the paired ratios the table reports: name -> (numerator, denominator)
RATIOS = {
    "mlplab/torch": ("mlplab", "torch"),
    "mlplab/torch_fused": ("mlplab", "torch_fused"),
    "mlplab/floor": ("mlplab", "floor"),
}


def load() -> str:
    """The 1, 5 and 15 minute load averages, as text."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# ------------------------------------------------------------------------------------ worker side
def set_threads(n: int, impl: str) -> None:
    """BLAS on ``n`` threads (threadpoolctl, every implementation) and torch's intra-op pool."""
    from threadpoolctl import threadpool_limits

    global _LIMITER
    _LIMITER = threadpool_limits(limits=n)
    if impl.startswith("torch"):
        import torch

        torch.set_num_threads(n)


_LIMITER: Any = None


def _vm_hwm_mib() -> float | None:
    """This process's own peak RSS from /proc (Linux), a cross-check of ``ru_maxrss``."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def worker(workload: str, impl: str, quick: bool, rewarm: bool = True) -> None:
    """A worker's life: build the case, then obey ``warm N`` / ``run N`` / ``end`` lines on stdin,
    answering one JSON line each on the original stdout (anything the case prints goes to stderr).
    With ``rewarm`` and a workload that asks for it (:attr:`Workload.rewarm`), each ``run`` first
    runs the case once untimed (see the module doc)."""
    from .workloads import WORKLOADS

    reply = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints of the libraries must not corrupt the protocol
    sys.stdout = sys.stderr
    w = WORKLOADS[workload]
    rewarm = rewarm and w.rewarm
    case = w.build(impl, quick)
    reply.write(json.dumps({"ready": case is not None}) + "\n")
    if case is None:
        return
    threads = 0
    for line in sys.stdin:
        cmd, *arg = line.split()
        if cmd in ("warm", "run"):
            n = int(arg[0])
            if n != threads:
                set_threads(n, impl)
                threads = n
            if cmd == "run" and rewarm:
                case.run()  # untimed: this process's caches and predictors back after the others' runs
            t0 = time.perf_counter()
            case.run()
            dt = time.perf_counter() - t0
            reply.write(json.dumps({"seconds": dt / case.units * w.scale}) + "\n")
        elif cmd == "end":
            rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
            reply.write(json.dumps({"maxrss_mib": rss_kib / 1024, "vm_hwm_mib": _vm_hwm_mib()}) + "\n")
            return


# ------------------------------------------------------------------------------------ coordinator
class Worker:
    """The coordinator's handle on one worker process."""

    def __init__(self, workload: str, impl: str, quick: bool, rewarm: bool = True) -> None:
        cmd = [sys.executable, "-m", "benchmarks", "_worker", workload, impl]
        if quick:
            cmd.append("--quick")
        if not rewarm:
            cmd.append("--no-rewarm")
        path = os.pathsep.join(p for p in (str(HERE.parent), os.environ.get("PYTHONPATH")) if p)
        self.impl = impl
        self.proc = subprocess.Popen(
            ["sh", "-c", '"$@"; exit $?', "sh", *cmd],  # not a tail call: sh forks the worker
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            env={**os.environ, "PYTHONPATH": path},
            cwd=HERE.parent,
        )

    def _ask(self, line: str | None) -> dict[str, Any]:
        stdin: IO[str] = self.proc.stdin  # type: ignore[assignment]
        stdout: IO[str] = self.proc.stdout  # type: ignore[assignment]
        if line is not None:
            stdin.write(line + "\n")
            stdin.flush()
        answer = stdout.readline()
        if not answer:
            self.proc.wait()
            raise RuntimeError(f"the {self.impl} worker ended (exit status {self.proc.returncode})")
        return json.loads(answer)

    def ready(self) -> bool:
        """Wait for the build; False when the implementation has no such workload."""
        ok = bool(self._ask(None)["ready"])
        if not ok:
            self.proc.wait()
        return ok

    def run(self, threads: int, warm: bool = False) -> float:
        """One run of the case on ``threads`` threads; its time in the workload's unit."""
        return float(self._ask(f"{'warm' if warm else 'run'} {threads}")["seconds"])

    def end(self) -> dict[str, Any]:
        """Stop the worker; its peak RSS."""
        out = self._ask("end")
        self.proc.wait()
        return out


def round_order(impls: list[str], rng: random.Random) -> list[str]:
    """One round's order: the implementations shuffled, except that mlplab and the floor (when both
    run) stay next to each other (in a shuffled order of the two), so that the ratio the suite is
    most about is the least likely to straddle a change of the machine's speed."""
    pair = [i for i in ("mlplab", "floor") if i in impls]
    units = [[i] for i in impls if len(pair) < 2 or i not in pair]
    if len(pair) == 2:
        rng.shuffle(pair)
        units.append(pair)
    rng.shuffle(units)
    return [i for unit in units for i in unit]


def paired(runs: dict[str, list[float]]) -> dict[str, list[float]]:
    """Per-round ratios (each :data:`RATIOS` whose two implementations ran) from per-round times."""
    return {
        name: [a / b for a, b in zip(runs[num], runs[den])]
        for name, (num, den) in RATIOS.items()
        if num in runs and den in runs
    }


def measure(
    key: str, impls: list[str], repeats: int, threads: list[int], quick: bool, rewarm: bool = True
) -> dict[str, Any]:
    """Time every implementation of workload ``key`` at every thread count, in interleaved rounds
    (``rewarm``: an untimed run before each timed one, where the workload asks for it)."""
    from .workloads import WORKLOADS

    w = WORKLOADS[key]
    load_before = load()
    started = [Worker(key, impl, quick, rewarm) for impl in impls]  # they build side by side (untimed)
    workers = {wk.impl: wk for wk in started if wk.ready()}
    try:
        for n in threads:
            for wk in workers.values():
                wk.run(n, warm=True)  # first-call costs, allocator, the BLAS pool of n threads
                if n > 1 and w.settle:
                    time.sleep(SETTLE_S)
        runs: dict[int, dict[str, list[float]]] = {n: {i: [] for i in workers} for n in threads}
        rng = random.Random(key)
        for r in range(repeats):
            for n in threads if r % 2 == 0 else threads[::-1]:
                for impl in round_order(list(workers), rng):
                    runs[n][impl].append(workers[impl].run(n))
                    if n > 1 and w.settle:
                        time.sleep(SETTLE_S)  # the BLAS threads of that worker spin down
        rss = {impl: wk.end() for impl, wk in workers.items()}
    finally:
        for wk in started:
            if wk.proc.poll() is None:
                wk.proc.kill()
    per_thread = {}
    for n in threads:
        ratio_runs = paired(runs[n])
        per_thread[str(n)] = {
            "runs": runs[n],
            "median": {impl: statistics.median(v) for impl, v in runs[n].items()},
            "ratio_runs": ratio_runs,
            "ratios": {name: statistics.median(v) for name, v in ratio_runs.items()},
        }
    effect = {}
    base = per_thread[str(threads[0])]["ratio_runs"]
    for n in threads[1:]:
        at_n = per_thread[str(n)]["ratio_runs"]
        effect[str(n)] = {
            name: statistics.median(a / b for a, b in zip(at_n[name], base[name])) for name in base
        }
    result: dict[str, Any] = {
        "title": w.title,
        "unit": w.unit,
        "quick_note": w.quick_note if quick else "",
        "repeats": repeats,
        "rewarm": rewarm and w.rewarm,
        "settle_s_above_one_thread": SETTLE_S if w.settle else 0.0,
        "threads": per_thread,
        "thread_effect": effect,
        "peak_rss_mib": rss,
        "load_before": load_before,
        "load_after": load(),
    }
    if key == "numgrad" and "mlplab" in workers:
        from .workloads import numgrad_agreement

        result["numgrad_max_abs_diff"], result["numgrad_loss"] = numgrad_agreement()
    return result


# ------------------------------------------------------------------------------------ tables
def fmt(x: float | None) -> str:
    """A time for the table: three significant digits, whole numbers from 100 up."""
    if x is None:
        return "-"
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


def table(results: dict[str, dict[str, Any]], threads: int) -> str:
    """The markdown table at ``threads`` threads: medians, paired ratios, peak RSS, load."""
    head = (
        "| workload | unit | runs | PyTorch | PyTorch, Adam(fused=True) | floor | mlplab | mlplab / torch "
        "| mlplab / torch fused | mlplab / floor | peak RSS torch / floor / mlplab (MiB) "
        "| load avg before -> after |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n"
    )
    lines = []
    for r in results.values():
        at = r["threads"][str(threads)]
        med, rat = at["median"], at["ratios"]
        rss = r["peak_rss_mib"]
        mem = " / ".join(
            f"{rss[k]['maxrss_mib']:.0f}" if rss.get(k) else "-" for k in ("torch", "floor", "mlplab")
        )
        title = r["title"] + (f" [quick: {r['quick_note']}]" if r["quick_note"] else "")
        title += " (re-warmed)" if r.get("rewarm") else ""

        def ratio(name: str, digits: int, rat: dict[str, float] = rat) -> str:
            return f"{rat[name]:.{digits}f}" if name in rat else "-"

        lines.append(
            f"| {title} | {r['unit']} | {r['repeats']} | {fmt(med.get('torch'))} "
            f"| {fmt(med.get('torch_fused'))} | {fmt(med.get('floor'))} | {fmt(med.get('mlplab'))} "
            f"| {ratio('mlplab/torch', 2)} | {ratio('mlplab/torch_fused', 2)} | {ratio('mlplab/floor', 3)} "
            f"| {mem} | {r['load_before']} -> {r['load_after']} |"
        )
    return head + "\n".join(lines) + "\n"


def thread_table(results: dict[str, dict[str, Any]], threads: list[int]) -> str:
    """Each ratio at every thread count, and the thread effect (median per-round quotient)."""
    base, others = threads[0], threads[1:]
    cols = [f"{name} at {n}" for name in RATIOS for n in threads]
    cols += [f"{name} effect {n}/{base}" for name in RATIOS for n in others]
    head = "| workload | " + " | ".join(cols) + " |\n|---|" + "---:|" * len(cols) + "\n"
    lines = []
    for r in results.values():
        cells = []
        for name in RATIOS:
            for n in threads:
                v = r["threads"][str(n)]["ratios"].get(name)
                cells.append("-" if v is None else f"{v:.3f}")
        for name in RATIOS:
            for n in others:
                v = r["thread_effect"][str(n)].get(name)
                cells.append("-" if v is None else f"{v:.3f}")
        lines.append(f"| {r['title']} | " + " | ".join(cells) + " |")
    return head + "\n".join(lines) + "\n"
