"""Digits epochs at one and two BLAS threads, in one process: mlplab and the floor (optionally torch
too) alternated, median wall and thread CPU time per epoch, and mlplab / floor.

    python -m benchmarks two_threads                      # mlplab and the floor only
    python -m benchmarks two_threads --with-torch         # torch's digits case in the rotation
    python -m benchmarks two_threads --with-torch --settle 0.05   # an untimed pause after each run

The suite (``python -m benchmarks --threads 2``) shows mlplab slower against the floor at two
threads than at one on the small workloads; this probe separates mlplab's own threading from the
presence of torch's thread pool in the same process. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import time

from threadpoolctl import threadpool_limits

from benchmarks import workloads  # run from the repository root, as python -m benchmarks is


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--with-torch", action="store_true", help="torch's digits case in the rotation")
    ap.add_argument("--settle", type=float, default=0.0, help="untimed pause after each run (s)")
    ap.add_argument("--repeats", type=int, default=15, help="timed epochs per implementation and round")
    args = ap.parse_args(argv)
    impls = ["mlplab", "torch", "floor"] if args.with_torch else ["mlplab", "floor"]
    cases = {impl: workloads.build_digits(impl, False) for impl in impls}
    for case in cases.values():
        case.run()
    times: dict[tuple[int, str], list[tuple[float, float]]] = {}
    for threads in (1, 2, 1, 2):
        if args.with_torch:
            import torch

            torch.set_num_threads(threads)
        with threadpool_limits(threads):
            for rep in range(args.repeats):
                order = impls[rep % len(impls) :] + impls[: rep % len(impls)]
                for impl in order:
                    t0, c0 = time.perf_counter(), time.thread_time()
                    cases[impl].run()
                    times.setdefault((threads, impl), []).append(
                        (time.perf_counter() - t0, time.thread_time() - c0)
                    )
                    time.sleep(args.settle)
    for threads in (1, 2):
        wall = {i: statistics.median(t[0] for t in times[(threads, i)]) for i in ("mlplab", "floor")}
        cpu = {i: statistics.median(t[1] for t in times[(threads, i)]) for i in ("mlplab", "floor")}
        m, f = "mlplab", "floor"
        print(
            f"threads={threads}: wall mlplab {wall[m] * 1e3:.2f} ms, floor {wall[f] * 1e3:.2f} ms,"
            f" ratio {wall[m] / wall[f]:.3f} | thread CPU mlplab {cpu[m] * 1e3:.2f} ms,"
            f" floor {cpu[f] * 1e3:.2f} ms, ratio {cpu[m] / cpu[f]:.3f}"
        )


if __name__ == "__main__":
    main()
