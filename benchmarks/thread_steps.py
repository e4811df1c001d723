"""The two-thread effect on one training step, mlplab against the floor, in ONE process.

The suite (``python -m benchmarks --threads 1,2``) times whole epochs in separate worker
processes; on a shared 2-core machine a run at two threads meets whatever else wants a core, so
per-round ratios scatter widely (mid-size net: a quarter of the rounds below 0.75 and a quarter
above 1.1 of their median) and with 9 rounds the median thread effect lands on either side of 1.
This part asks the same question more finely: mlplab's and the floor's training step on one
fixed batch, built from the same weights, alternated in one process at one and two BLAS threads
(threadpoolctl), each sample the median of ``--steps`` back-to-back steps. Per round,

    effect = (mlplab_2 / floor_2) / (mlplab_1 / floor_1)

below 1 when two threads favour mlplab; the median over rounds with its order-statistic interval
(``verdict.median_interval``). What to expect: both run the same matrix products, which are the
only work OpenBLAS spreads over two threads, and mlplab's other work (fused elementwise kernels,
its optimiser) is the smaller, so halving the shared product time can only bring mlplab / floor
further below 1 (or leave it, for the small nets whose products stay on one thread).

    python -m benchmarks thread_steps [--rounds 40] [--only digits,batch1,mid] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from benchmarks import floor  # noqa: E402
from benchmarks.verdict import median_interval  # noqa: E402
from benchmarks.workloads import _model  # noqa: E402

#: name: (layer sizes, batch, activation, optimiser, steps per sample)
CASES: dict[str, tuple[list[int], int, str, str, int]] = {
    "digits": ([64, 50, 10], 32, "tanh", "adam", 45),
    "batch1": ([64, 50, 10], 1, "tanh", "sgd", 100),
    "mid": ([784, 256, 256, 10], 128, "relu", "adam", 7),
}


def steps(sizes: list[int], batch: int, act: str, opt: str) -> dict[str, Callable[[], None]]:
    """One training step of each implementation on a fixed random batch, same initial weights."""
    import mlplab

    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], batch)
    net = floor.FloorMLP(sizes, act, opt, 1e-3)
    model = _model(mlplab, sizes, act)
    optim = (mlplab.optim.Adam if opt == "adam" else mlplab.optim.SGD)(model.parameters(), lr=1e-3)
    crit = mlplab.nn.CrossEntropyLoss()
    xt, yt = mlplab.from_numpy(x), mlplab.from_numpy(y)

    def lib_step() -> None:
        optim.zero_grad()
        crit(model(xt), yt).backward()
        optim.step()

    return {"mlplab": lib_step, "floor": lambda: net.step(x, y)}


def measure(name: str, rounds: int) -> dict[str, Any]:
    """Alternate thread counts and implementations for ``rounds`` rounds (orders flipped every
    other round); every sample is the median time of the case's steps per sample."""
    sizes, batch, act, opt, per_sample = CASES[name]
    fns = steps(sizes, batch, act, opt)
    times: dict[str, dict[int, list[float]]] = {i: {1: [], 2: []} for i in fns}
    for n in (1, 2):  # warm: first calls, the allocator, the BLAS pool of n threads
        with threadpool_limits(limits=n, user_api="blas"):
            for f in fns.values():
                for _ in range(5):
                    f()
    order = list(fns)
    for r in range(rounds):
        for n in (1, 2) if r % 2 == 0 else (2, 1):
            with threadpool_limits(limits=n, user_api="blas"):
                for impl in order if r % 3 else order[::-1]:
                    f, ts = fns[impl], []
                    for _ in range(per_sample):
                        t0 = time.perf_counter()
                        f()
                        ts.append(time.perf_counter() - t0)
                    times[impl][n].append(statistics.median(ts))
    m, fl = times["mlplab"], times["floor"]
    effect = [(a / b) / (c / d) for a, b, c, d in zip(m[2], fl[2], m[1], fl[1])]
    lo, hi, cover = median_interval(effect)
    return {
        "net": "-".join(map(str, sizes)),
        "batch": batch,
        "optimizer": opt,
        "rounds": rounds,
        "steps_per_sample": per_sample,
        "median_step_ms": {
            impl: {n: statistics.median(v) * 1e3 for n, v in per_n.items()} for impl, per_n in times.items()
        },
        "effect_median": statistics.median(effect),
        "effect_interval": [lo, hi],
        "coverage": cover,
        "effect_runs": effect,
    }


def main(argv: list[str] | None = None) -> None:
    first = (__doc__ or "").split("\n\n")[0]
    ap = argparse.ArgumentParser(prog="python -m benchmarks thread_steps", description=first)
    ap.add_argument("--rounds", type=int, default=40, help="alternation rounds per case (default 40)")
    ap.add_argument("--only", default=",".join(CASES), help=f"comma list of cases ({', '.join(CASES)})")
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args(argv)
    names = [s for s in a.only.split(",") if s]
    unknown = [s for s in names if s not in CASES]
    if unknown or a.rounds < 2:
        ap.error(f"expected cases among {', '.join(CASES)} and --rounds >= 2, got {a.only!r}, {a.rounds}")
    print(
        "| case | mlplab ms/step at 1 / 2 threads | floor ms/step at 1 / 2 "
        "| effect on mlplab / floor | interval | coverage |"
    )
    print("|---|---:|---:|---:|---|---:|")
    out = {}
    for name in names:
        r = out[name] = measure(name, a.rounds)
        ms = r["median_step_ms"]
        lo, hi = r["effect_interval"]
        print(
            f"| {name} ({r['net']}, b{r['batch']}, {r['optimizer']}) "
            f"| {ms['mlplab'][1]:.3f} / {ms['mlplab'][2]:.3f} "
            f"| {ms['floor'][1]:.3f} / {ms['floor'][2]:.3f} | {r['effect_median']:.3f} "
            f"| [{lo:.3f}, {hi:.3f}] | {r['coverage']:.3f} |"
        )
    if a.json:
        Path(a.json).write_text(json.dumps(out, indent=1))
        print(f"wrote {a.json}")


if __name__ == "__main__":
    main()
