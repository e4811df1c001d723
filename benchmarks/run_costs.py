"""Two costs at the end and inside an ``mlplab train`` run, each against what it replaced, in one
process (warm: matplotlib and tensorboardX imported, one untimed call first):

- the run's figures (``train/figures.py``: the digits run's learning curves and 10-class
  confusion matrix) with their axes placed from measured text, against the same module as it was
  at ``--before`` (a git revision of this checkout; default the commit before the change, whose
  figures were laid out by ``Figure.tight_layout``);
- one epoch's TensorBoard values for the digits net (6 scalars, weight and gradient histograms of
  its 4 parameters) written as one event (``TensorBoard.on_epoch_end``), against one event per
  value (``SummaryWriter.add_scalar`` / ``add_histogram``, what the run did before).

    python -m benchmarks run_costs [--repeats 15] [--before REV]

Prints the median over the repeats (alternated) of each, in ms. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
#: the commit before the run's figures and TensorBoard writes changed
BEFORE = "58b0d1f"


def _module_at(rev: str, path: str, name: str) -> types.ModuleType:
    """The module ``path`` of this checkout as it was at git revision ``rev`` (it must import
    nothing of mlplab, as ``train/figures.py`` does not)."""
    text = subprocess.run(
        ["git", "show", f"{rev}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType(name)
    exec(compile(text, f"{rev}:{path}", "exec"), module.__dict__)
    return module


def figures_cases(out: Path, before: str) -> dict[str, Callable[[], None]]:
    from mlplab.train import figures

    old = _module_at(before, "src/mlplab/train/figures.py", "figures_before")
    history = [
        {"epoch": i, "train_loss": 2.3 / i, "val_loss": 2.4 / i, "train_acc": 1 - 1 / (i + 1), "val_acc": 0.9}
        for i in range(1, 21)
    ]
    cm = np.random.default_rng(0).integers(0, 40, (10, 10))
    names = [str(i) for i in range(10)]

    def draw(module: types.ModuleType) -> Callable[[], None]:
        def run() -> None:
            module.plot_curves(history, out / "curves.png", title="digits: adam, lr 0.001")
            module.plot_confusion(None, None, names, out / "confusion.png", cm=cm)

        return run

    return {"figures, measured layout": draw(figures), f"figures as at {before} (tight_layout)": draw(old)}


def tensorboard_cases(out: Path) -> dict[str, Callable[[], None]]:
    import mlplab
    from mlplab import nn
    from mlplab.train.callbacks import TensorBoard

    mlplab.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 50), nn.Tanh(), nn.Linear(50, 10))
    nn.functional.cross_entropy(model(mlplab.randn(32, 64)), mlplab.randint(0, 10, (32,))).backward()

    class _Trainer:
        pass

    trainer = _Trainer()
    trainer.model = model  # type: ignore[attr-defined]
    logs = {"train_loss": 0.5, "train_acc": 0.9, "val_loss": 0.6, "val_acc": 0.88, "lr": 1e-3, "val_mae": 1.0}
    cb = TensorBoard(out / "tb")
    cb.on_train_begin(trainer)  # type: ignore[arg-type]
    epoch = [0]

    def one_event() -> None:
        epoch[0] += 1
        cb.on_epoch_end(trainer, epoch[0], logs)  # type: ignore[arg-type]

    def event_per_value() -> None:
        epoch[0] += 1
        w = cb.writer
        for k, tag in cb.TAGS.items():
            if k in logs:
                w.add_scalar(tag, float(logs[k]), epoch[0])
        for name, p in model.named_parameters():
            w.add_histogram(
                f"weights/{name}", np.asarray(p._data, np.float64), epoch[0], bins=cb.HISTOGRAM_BINS
            )
            w.add_histogram(
                f"grads/{name}", np.asarray(p.grad._data, np.float64), epoch[0], bins=cb.HISTOGRAM_BINS
            )

    return {"TensorBoard epoch, one event": one_event, "TensorBoard epoch, event per value": event_per_value}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks run_costs", description=(__doc__ or "").split("\n\n")[0]
    )
    ap.add_argument("--repeats", type=int, default=15, help="alternated repeats of each (default 15)")
    ap.add_argument(
        "--before", default=BEFORE, help=f"git revision whose figures.py to compare (default {BEFORE})"
    )
    a = ap.parse_args(argv)
    if a.repeats < 1:
        ap.error(f"expected --repeats >= 1, got {a.repeats}")
    with tempfile.TemporaryDirectory(prefix="mlplab-run-costs-") as tmp:
        cases = {**figures_cases(Path(tmp), a.before), **tensorboard_cases(Path(tmp))}
        times: dict[str, list[float]] = {k: [] for k in cases}
        for f in cases.values():
            f()  # untimed: first-call costs
        for r in range(a.repeats):
            for name in list(cases) if r % 2 == 0 else list(cases)[::-1]:
                t0 = time.perf_counter()
                cases[name]()
                times[name].append(time.perf_counter() - t0)
    print("| case | median ms |\n|---|---:|")
    for name, v in times.items():
        print(f"| {name} | {statistics.median(v) * 1e3:.1f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
