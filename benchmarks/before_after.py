"""Two versions of mlplab on the same benchmarks, interleaved: did a change cost speed?

Each benchmark (``ops.py``, ``train_step.py``, ``optim.py``) already measures mlplab against
PyTorch in one process and prints the ratio mlplab / PyTorch per case. This script runs it for the
"before" and the "after" source tree alternately (the order flips every round, so a load spike on a
shared machine does not always hit the same side), reads the ratio column of each table, and
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


def ratio_rows(text: str) -> dict[str, float]:
    """``case -> mlplab/PyTorch ratio`` from every markdown table in a benchmark's output.

    The case is the cells left of the first mlplab column; the ratio is the column whose header
    says ``/ PyTorch`` or ``ratio`` (a trailing ``x`` is dropped)."""
    rows: dict[str, float] = {}
    key_cells = ratio_col = None
    for line in text.splitlines():
        if not line.startswith("|"):
            key_cells = ratio_col = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if ratio_col is None:
            heads = [c.lower() for c in cells]
            found = [i for i, h in enumerate(heads) if "/ pytorch" in h or h == "ratio"]
            mlplab = [i for i, h in enumerate(heads) if h.startswith("mlplab")]
            if found and mlplab:
                ratio_col, key_cells = found[0], mlplab[0]
            continue
        if set(cells[0]) <= set("-:"):
            continue
        try:
            rows[" | ".join(cells[:key_cells])] = float(cells[ratio_col].rstrip("x"))
        except (ValueError, IndexError):
            continue
    return rows


def run_once(tree: Path, bench: str) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(tree / "src"))
    out = subprocess.run(
        [sys.executable, *BENCHES[bench]], cwd=tree, env=env, capture_output=True, text=True, check=True
    )
    return ratio_rows(out.stdout)


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
            print(f"| {bench} | {case} | {b:.3f} | {a:.3f} | {a / b - 1:+.1%} |", flush=True)


if __name__ == "__main__":
    main()
