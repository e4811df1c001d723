"""Two versions of mlplab in ONE process, timed in alternating blocks: the finest before/after test.

``before_after.py`` runs each version in its own process, so a shared machine's drift between the
runs (often 5-10%) blurs a small change. Here both packages are imported side by side (as
``mlplab_before`` and ``mlplab_after``, from the ``src/mlplab`` of each checkout), and every case
alternates blocks of the two versions on the CPU-time clock, so drift and load hit both alike.
Cases: ``benchmarks/ops.py``'s per-op cases (forward + backward) and the notes' training step
(64-50-10 Tanh, CrossEntropyLoss, batch 32, float32) for every optimiser, and the batch-1 workload's
step (the same net, plain SGD, one sample a step). ``--only`` keeps the cases named
(``--only "train step: Adam" "batch-1 step: SGD"``: the digits step and the batch-1 step).

    .venv/bin/python benchmarks/ab_inprocess.py --before ../old-checkout [--after .] [--blocks 21]

Prints, per case, the median and the minimum over the blocks of each version, and after / before.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

OPS_CASES = ("add", "mul", "matmul", "tanh", "sum", "mlp", "mlp_nn")
OPTIMIZERS = {
    "Adam": {"lr": 1e-3},
    "SGD": {"lr": 0.01, "momentum": 0.9},
    "AdamW": {"lr": 1e-3},
    "RMSprop": {"lr": 1e-3},
    "Adagrad": {"lr": 1e-2},
    "NAdam": {"lr": 2e-3},
    "Momentum": {"lr": 0.1},
}


def load_package(alias: str, package_dir: Path) -> Any:
    """Import the package in ``package_dir`` under the module name ``alias``."""
    spec = importlib.util.spec_from_file_location(
        alias, package_dir / "__init__.py", submodule_search_locations=[str(package_dir)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[alias] = module
    spec.loader.exec_module(module)
    return module


def train_step(lib: Any, optimizer: str, kwargs: dict[str, float], batch: int = 32) -> Callable[[], None]:
    """``opt.zero_grad(); loss = crit(model(x), y); loss.backward(); opt.step()`` on the notes' net."""
    lib.manual_seed(0)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.normal(size=(batch, 64)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))
    model = lib.nn.Sequential(lib.nn.Linear(64, 50), lib.nn.Tanh(), lib.nn.Linear(50, 10))
    criterion = lib.nn.CrossEntropyLoss()
    opt = getattr(lib.optim, optimizer)(model.parameters(), **kwargs)

    def step() -> None:
        opt.zero_grad()
        criterion(model(x), y).backward()
        opt.step()

    for _ in range(30):  # warm up: state buffers allocated, flat buffers built
        step()
    return step


def compare(name: str, before: Callable[[], None], after: Callable[[], None], blocks: int) -> None:
    """Time ``blocks`` alternating blocks of each (about 0.1 s each) and print the summary."""
    start = time.thread_time()
    for _ in range(20):
        before()
    n = max(1, int(0.1 / ((time.thread_time() - start) / 20)))
    times: dict[str, list[float]] = {"before": [], "after": []}
    for b in range(blocks):
        order = [("before", before), ("after", after)]
        for side, fn in order if b % 2 == 0 else order[::-1]:
            t0 = time.thread_time()
            for _ in range(n):
                fn()
            times[side].append((time.thread_time() - t0) / n * 1e6)
    mb, ma = statistics.median(times["before"]), statistics.median(times["after"])
    lb, la = min(times["before"]), min(times["after"])
    print(
        f"| {name} | {mb:.1f} | {ma:.1f} | {ma / mb:.3f} | {lb:.1f} | {la:.1f} | {la / lb:.3f} |", flush=True
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, type=Path, help="checkout of the old version")
    ap.add_argument("--after", default=Path("."), type=Path, help="checkout of the new version (default .)")
    ap.add_argument("--blocks", type=int, default=21, help="alternating blocks per case")
    ap.add_argument("--only", nargs="*", default=None, help="run only the cases of these names")
    args = ap.parse_args()
    before = load_package("mlplab_before", args.before.resolve() / "src" / "mlplab")
    after = load_package("mlplab_after", args.after.resolve() / "src" / "mlplab")
    for lib in (before, after):
        for sub in ("nn", "optim"):
            importlib.import_module(f"{lib.__name__}.{sub}")
    spec = importlib.util.spec_from_file_location("bench_ops", args.after.resolve() / "benchmarks" / "ops.py")
    ops = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ops)
    print("| case | before median (us) | after median (us) | after/before | before min | after min | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")

    def wanted(name: str) -> bool:
        return args.only is None or name in args.only

    for case in OPS_CASES:
        if wanted(f"op: {case}"):
            make = getattr(ops, f"case_{case}")
            compare(f"op: {case}", make(before), make(after), args.blocks)
    for name, kwargs in OPTIMIZERS.items():
        if wanted(f"train step: {name}"):
            compare(
                f"train step: {name}",
                train_step(before, name, kwargs),
                train_step(after, name, kwargs),
                args.blocks,
            )
    if wanted("batch-1 step: SGD"):  # the batch1 workload's step (plain SGD, lr 0.01)
        sgd = {"lr": 0.01}
        compare(
            "batch-1 step: SGD",
            train_step(before, "SGD", sgd, batch=1),
            train_step(after, "SGD", sgd, batch=1),
            args.blocks,
        )


if __name__ == "__main__":
    main()
