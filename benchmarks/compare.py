"""``mlplab compare`` timings: the speed-up of ``--jobs 2`` over ``--jobs 1`` on a 16-run digits
grid, and the per-run overhead of the Dask path over local worker processes.

    python benchmarks/compare.py speedup          # 16 digits runs (2 optimisers x 4 lr x 2 seeds)
    python benchmarks/compare.py dask --runs 4    # tiny iris runs: one local worker vs one Dask worker

Each measurement is the wall time of the command (speed-up: a fresh ``mlplab compare`` process
each time) or the marginal time per run of a grid's execution (Dask: a one-worker LocalCluster on
127.0.0.1 against one local worker process). The machine's load (``os.getloadavg``) is printed
beside the numbers.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _cli(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time and CPU time (the command and its worker processes) of ``mlplab ARGS``."""
    env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0, c0 = time.perf_counter(), _cpu()
    subprocess.run([sys.executable, "-m", "mlplab.cli", *args], cwd=cwd, env=env, check=True)
    return time.perf_counter() - t0, _cpu() - c0


def speedup(epochs: int) -> None:
    """Wall time of the same 16-run grid with --jobs 1 and --jobs 2 (alternating, twice)."""
    grid = ["compare", "--optimizer", "sgd,adam", "--lr", "0.001,0.003,0.01,0.03", "--seeds", "2"]
    grid += ["--epochs", str(epochs), "--quiet"]
    times: dict[int, list[float]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(2):
            for jobs in (1, 2):
                print(f"[{_load()}] --jobs {jobs} ...", flush=True)
                wall, cpu = _cli([*grid, "--jobs", str(jobs), "--out", f"g{jobs}-{rep}"], Path(tmp))
                times[jobs].append(wall)
                # CPU / wall: the cores the grid actually got (2.0 at best with --jobs 2)
                print(f"  {wall:.1f} s wall, {cpu:.1f} s CPU, {cpu / wall:.2f} cores busy", flush=True)
    best1, best2 = min(times[1]), min(times[2])
    print(f"16 runs, {epochs} epochs: --jobs 1 {times[1]} s, --jobs 2 {times[2]} s")
    print(f"best of 2: {best1:.1f} s vs {best2:.1f} s -> speed-up {best1 / best2:.2f}x  ({_load()})")


def dask_overhead(runs: int) -> None:
    """Marginal wall time per tiny run (the slope between a grid of ``runs`` and one of 3 x
    ``runs``, so a worker's start-up drops out): one local worker process vs one Dask worker."""
    sys.path.insert(0, str(SRC))
    from distributed import LocalCluster

    from mlplab.compare import DaskPool, Grid, GridDir, LocalPool, axis_from_text

    def plan(n: int):  # type: ignore[no-untyped-def]
        g = Grid()
        for k, v in {"dataset": "iris", "epochs": "1", "batch_size": "30"}.items():
            g.set_axis(k, axis_from_text(k, v))
        g.set_seeds(n)
        return g.plan()

    def execute(pool, root: Path, n: int) -> float:  # type: ignore[no-untyped-def]
        d, _ = GridDir.create_or_resume(root, plan(n), 0.9)
        d.lock()
        t0 = time.perf_counter()
        d.execute(pool, quiet=True)
        d.release()
        return time.perf_counter() - t0

    env = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    small, big = runs, 3 * runs
    with (
        tempfile.TemporaryDirectory() as tmp,
        LocalCluster(
            host="127.0.0.1",
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            env=env,
        ) as cluster,
    ):
        root = Path(tmp)
        execute(DaskPool(cluster.scheduler_address), root / "warm", 2)  # the worker's first imports
        slope: dict[str, list[float]] = {"local": [], "dask": []}
        for rep in range(2):
            for name in ("local", "dask"):
                address = cluster.scheduler_address
                t_small = execute(
                    LocalPool(1) if name == "local" else DaskPool(address), root / f"{name}-{rep}-s", small
                )
                t_big = execute(
                    LocalPool(1) if name == "local" else DaskPool(address), root / f"{name}-{rep}-b", big
                )
                slope[name].append((t_big - t_small) / (big - small))
                print(
                    f"rep {rep} {name}: {small} runs {t_small:.2f} s, {big} runs {t_big:.2f} s -> "
                    f"{slope[name][-1] * 1e3:.0f} ms/run ({_load()})",
                    flush=True,
                )
    local, dask = min(slope["local"]), min(slope["dask"])
    print(
        f"tiny runs (iris, 1 epoch), marginal wall per run, best of 2: local worker {local * 1e3:.0f} ms, "
        f"Dask worker {dask * 1e3:.0f} ms; Dask - local = {(dask - local) * 1e3:+.0f} ms/run ({_load()})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["speedup", "dask"])
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--runs", type=int, default=4)
    a = ap.parse_args()
    speedup(a.epochs) if a.what == "speedup" else dask_overhead(a.runs)


if __name__ == "__main__":
    main()
