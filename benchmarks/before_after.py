"""Two versions of mlplab on the same benchmarks, interleaved: did a change cost speed?

Each benchmark (``ops.py``, ``train_step.py``, ``optim.py``) already measures mlplab against
PyTorch in one process and prints both times per case. This script runs it for the "before" and
the "after" source tree alternately (the order flips every round, so a load spike on a shared
machine does not always hit the same side), computes mlplab time / PyTorch time per case, and
prints per case the median ratio of each version and the change ``after / before - 1``. Comparing
ratios rather than raw times cancels most of the machine's drift: PyTorch is the yardstick that
runs next to mlplab in the same process.

    .venv/bin/python benchmarks/before_after.py --before ../old-checkout --rounds 3
    .venv/bin/python benchmarks/before_after.py --before OLD --after . --bench ops,optim

Each tree runs its own copy of the benchmark script with its own ``src`` first on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

BENCHES = {
    "ops": ["benchmarks/ops.py", "--repeat", "7"],
    "train_step": ["benchmarks/train_step.py", "--repeats", "5", "--optims", "all"],
    "optim": ["benchmarks/optim.py", "--repeats", "5"],
}
# optim.py prints its rows without the header line; this is the header of its table
HEADERS = {"optim": "| optimiser | dtype | mlplab (us/step) | torch (us/step) | ratio |"}


def ratio_rows(text: str, header: str | None = None) -> dict[str, float]:
    """``case -> mlplab time / PyTorch time`` from every markdown table in a benchmark's output.

    The case is the cells left of the first mlplab column. The ratio is recomputed from the two
    time columns (``mlplab (...)`` and ``PyTorch (...)``/``torch (...)``) rather than read from the
    printed ratio, which is rounded to two digits (5% of a 0.2x ratio). ``header``: the header
    line of a table printed without one."""
    rows: dict[str, float] = {}
    mine = theirs = None
    previous = ""
    for line in text.splitlines():
        if header and line.startswith("|") and not previous.startswith("|"):
            heads = [c.strip().lower() for c in header.strip().strip("|").split("|")]
            if not line.lower().startswith(header.lower()[:12]):
                mine, theirs = heads.index("mlplab (us/step)"), heads.index("torch (us/step)")
        previous = line
        if not line.startswith("|"):
            mine = theirs = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if mine is None:
            heads = [c.lower() for c in cells]
            ours = [i for i, h in enumerate(heads) if h.startswith("mlplab (")]
            torch = [i for i, h in enumerate(heads) if h.startswith(("pytorch (", "torch ("))]
            if ours and torch:
                mine, theirs = ours[0], torch[0]
            continue
        if set(cells[0]) <= set("-:"):
            continue
        try:
            rows[", ".join(cells[:mine])] = float(cells[mine]) / float(cells[theirs])
        except (ValueError, IndexError, ZeroDivisionError):
            continue
    return rows


def run_once(tree: Path, bench: str) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(tree / "src"))
    out = subprocess.run(
        [sys.executable, *BENCHES[bench]], cwd=tree, env=env, capture_output=True, text=True, check=True
    )
    return ratio_rows(out.stdout, HEADERS.get(bench))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, type=Path, help="checkout of the old version")
    ap.add_argument("--after", default=Path("."), type=Path, help="checkout of the new version (default .)")
    ap.add_argument("--rounds", type=int, default=3, help="before/after pairs per benchmark")
    ap.add_argument("--bench", default=",".join(BENCHES), help="comma list of: " + ", ".join(BENCHES))
    args = ap.parse_args()
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    print("| benchmark | case | before (mlplab/PyTorch) | after | change |")
    print("|---|---|---:|---:|---:|")
    for bench in args.bench.split(","):
        seen: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
        for r in range(args.rounds):
            order = ["before", "after"] if r % 2 == 0 else ["after", "before"]
            for side in order:
                for case, ratio in run_once(trees[side], bench).items():
                    seen[side].setdefault(case, []).append(ratio)
        for case, before in seen["before"].items():
            after = seen["after"].get(case)
            if not after:
                continue
            b, a = statistics.median(before), statistics.median(after)
            print(f"| {bench} | {case} | {b:.4f} | {a:.4f} | {a / b - 1:+.1%} |", flush=True)


if __name__ == "__main__":
    main()
