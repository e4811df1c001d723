"""A grid's directory and its life: claim it (or take it up again), run what is not finished on an
executor with one progress bar over runs, keep each run's status, and report.

Layout of ``--out DIR``::

    grid.json      the plan: every run's name, configuration, seed and options (resume reads it)
    status.json    each run's last result (finished / failed with its error, retries)
    runs/NAME/     one run directory per configuration x seed, the layout of ``mlplab train``
    tb/NAME/       the runs' TensorBoard events (each runs/NAME/tb links here):
                   ``tensorboard --logdir DIR/tb`` overlays them, named ``optimizer=adam,lr=0.01,seed=2``
    summary.csv    one row per configuration (see :mod:`.summary`)
    curves.png     mean +-1 std learning curves per configuration (see :mod:`.figures`)
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..train.files import LOCK_FILE, RunLock, atomic_write
from .figures import plot_grid_curves, warm_up
from .grid import PlannedRun
from .summary import RunRecord, ranked_table, read_run, summarise, write_summary
from .worker import is_finished

GRID_FILE, STATUS_FILE = "grid.json", "status.json"


@dataclass
class Report:
    """What a grid gave: the per-run records, the summary rows, the ranked table."""

    records: list[RunRecord]
    rows: list[dict[str, Any]]
    table: str
    figure: Path | None
    notes: list[str] = field(default_factory=list)

    @property
    def all_finished(self) -> bool:
        return all(r.status == "finished" for r in self.records)

    def failures(self) -> list[str]:
        return [f"{r.plan.name}: {r.error or r.status}" for r in self.records if r.status != "finished"]


class GridDir:
    """A grid's directory with its plan; hold it with :meth:`lock` while running."""

    def __init__(self, root: Path, plan: list[PlannedRun], target_acc: float) -> None:
        self.root = Path(root)
        self.plan = plan
        self.target_acc = target_acc
        self._lock: RunLock | None = None

    # ------------------------------------------------------------------ opening
    @classmethod
    def create_or_resume(cls, root: Path, plan: list[PlannedRun], target_acc: float) -> tuple[GridDir, bool]:
        """The directory for ``plan``: a new one, or the same grid started before (resumed).
        Refuses a directory that holds anything else, or another grid."""
        root = Path(root)
        saved = root / GRID_FILE
        if saved.is_file():
            other = cls.open(root)
            if [p.to_dict() for p in other.plan] != [p.to_dict() for p in plan]:
                raise UserError(
                    f"{root} holds another grid ({len(other.plan)} runs); choose another --out, or "
                    f"continue that one with --resume {root}"
                )
            return cls(root, plan, other.target_acc), True
        if root.exists() and (not root.is_dir() or any(q.name != LOCK_FILE for q in root.iterdir())):
            raise UserError(f"--out {root} exists and holds no mlplab grid; choose another --out")
        return cls(root, plan, target_acc), False

    @classmethod
    def open(cls, root: Path) -> GridDir:
        """A grid directory written before (for ``--resume`` and ``--report``)."""
        root = Path(root)
        f = root / GRID_FILE
        if not f.is_file():
            raise UserError(f"{root} is not an mlplab compare directory (no {GRID_FILE})")
        try:
            d = json.loads(f.read_text())
            plan = [PlannedRun.from_dict(r) for r in d["runs"]]
            target = float(d.get("target_acc", 0.9))
        except (ValueError, KeyError, TypeError) as e:
            raise UserError(f"{f} is damaged: {e}") from None
        return cls(root, plan, target)

    def lock(self) -> None:
        """Create the directory, hold its lock, write ``grid.json``."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as e:
            raise UserError(f"cannot create the grid directory {self.root}: {e}") from None
        self._lock = RunLock(self.root).acquire()
        d = {"version": 1, "target_acc": self.target_acc, "runs": [p.to_dict() for p in self.plan]}
        atomic_write(self.root / GRID_FILE, json.dumps(d, indent=1))

    def release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # ------------------------------------------------------------------ runs
    def run_dir(self, p: PlannedRun) -> Path:
        return self.root / "runs" / p.name

    def task(self, p: PlannedRun) -> dict[str, Any]:
        """The task dict a worker runs (absolute paths: a worker may start elsewhere)."""
        return {
            "name": p.name,
            "dir": str(self.run_dir(p).resolve()),
            "tb": str((self.root / "tb" / p.name).resolve()),
            "options": p.options,
        }

    def pending(self) -> list[PlannedRun]:
        """The runs not finished yet (failed and cut ones are tried again)."""
        return [p for p in self.plan if not is_finished(self.run_dir(p))]

    def status(self) -> dict[str, Any]:
        try:
            d = json.loads((self.root / STATUS_FILE).read_text())
        except (OSError, ValueError):
            return {}
        return d if isinstance(d, dict) else {}

    def execute(self, pool: Any, quiet: bool = False) -> list[str]:
        """Run the pending runs on ``pool`` with a progress bar; returns the pool's notes."""
        todo = self.pending()
        status = self.status()
        total, done = len(self.plan), len(self.plan) - len(todo)
        bar = _Progress(total, done, quiet)

        def on_result(res: dict[str, Any]) -> None:
            status[res["name"]] = {k: v for k, v in res.items() if k != "name"}
            atomic_write(self.root / STATUS_FILE, json.dumps(status, indent=1))
            bar.update(res)

        try:
            if todo:
                pool.run([self.task(p) for p in todo], on_result, on_drained=warm_up)
        finally:
            bar.close()
        return list(getattr(pool, "notes", []))

    # ------------------------------------------------------------------ report
    def report(self, notes: list[str] | None = None) -> Report:
        """Read every run back, write ``summary.csv`` and ``curves.png``; nothing is trained."""
        status = self.status()
        records = [read_run(p, self.run_dir(p), status) for p in self.plan]
        rows = summarise(records, self.target_acc)
        write_summary(rows, self.root / "summary.csv")
        fig = self.root / "curves.png"
        drawn = plot_grid_curves(records, fig, title=self.title())
        if not drawn:
            fig.unlink(missing_ok=True)
        return Report(records, rows, ranked_table(rows, self.target_acc), fig if drawn else None, notes or [])

    def title(self) -> str:
        first = self.plan[0].options
        data = Path(str(first["data"])).name if first.get("data") else first.get("dataset", "digits")
        configs = len({p.config for p in self.plan})
        seeds = len({p.seed for p in self.plan})
        epochs = {p.options.get("epochs", 30) for p in self.plan}
        ep = f", {epochs.pop()} epochs" if len(epochs) == 1 else ""
        return f"{data}: {configs} configurations x {seeds} seeds{ep} (mean ± 1 std over seeds)"


class _Progress:
    """One bar over runs (tqdm on a terminal), else one line per finished run."""

    def __init__(self, total: int, done: int, quiet: bool) -> None:
        self.total, self.done, self.quiet = total, done, quiet
        self.failed = 0
        self.bar: Any = None
        self.t0 = time.perf_counter()
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=done, unit="run", desc="mlplab compare", dynamic_ncols=True)

    def update(self, res: dict[str, Any]) -> None:
        self.done += 1
        ok = res.get("status") == "finished"
        self.failed += not ok
        what = "finished" if ok else f"FAILED: {res.get('error', '')}"
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(failed=self.failed, refresh=False)
            if not ok:
                self.bar.write(f"{res['name']}: {what}")
        elif not self.quiet:
            print(
                f"[{self.done}/{self.total}] {res['name']}: {what} ({res.get('seconds', 0):.1f}s)", flush=True
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
