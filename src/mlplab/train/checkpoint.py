"""Checkpoints of a run: after every finished epoch ``checkpoints/epoch_NNN.npz`` (weights,
optimiser, scheduler, both RNG states, history, early-stopping state) and ``best.npz`` (the best
weights so far); resume loads the newest one that verifies, so it continues bit for bit.

Files are mlplab's pickle-free ``.npz`` with a checksum, written atomically.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UserError
from ..random import default_generator
from ..serialization import load, save
from ..tensor import Tensor
from .files import BackgroundWrites, durable_write

_EPOCH_FILE = re.compile(r"epoch_(\d+)\.npz$")


def serialisable(obj: Any) -> Any:
    """Drop what cannot go into a checkpoint (callables such as a LambdaLR's lambda)."""
    if isinstance(obj, dict):
        return {k: serialisable(v) for k, v in obj.items() if not callable(v) or isinstance(v, Tensor)}
    if isinstance(obj, (list, tuple)):
        return type(obj)(serialisable(v) for v in obj)
    return obj


def epoch_files(directory: Path) -> list[tuple[int, Path]]:
    """``(epoch, path)`` of every epoch checkpoint in ``directory``, oldest first."""
    found = [(int(m.group(1)), p) for p in directory.glob("epoch_*.npz") if (m := _EPOCH_FILE.search(p.name))]
    return sorted(found)


class Checkpoints:
    """Saves and restores everything a run needs to continue: the objects are held by reference."""

    def __init__(
        self,
        directory: Path,
        model: Any,
        optimizer: Any,
        scheduler: Any,
        loader_generator: Any,
        state: Any,
        early: Any = None,
    ) -> None:
        self.dir = Path(directory)
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.loader_generator, self.state, self.early = loader_generator, state, early
        self.skipped: list[str] = []  # checkpoints the last restore could not use, newest first
        self._writes = BackgroundWrites("mlplab-checkpoint")  # the last save's files

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to continue bit for bit: weights, optimiser, scheduler, RNGs, history."""
        return {
            "epoch": self.state.epoch,
            "model": self.model.state_dict(),
            "optimizer": serialisable(self.optimizer.state_dict()),
            "scheduler": serialisable(self.scheduler.state_dict()) if self.scheduler is not None else None,
            "rng": {"global": default_generator.get_state(), "loader": self.loader_generator.get_state()},
            "history": self.state.history,
            "early_stopping": self.early.get_state() if self.early else None,
        }

    def save(self, trainer: Any, epoch: int, logs: dict[str, float]) -> None:
        """Write ``epoch_NNN.npz``, and ``best.npz`` when this epoch is the best so far.

        The files' bytes are made here (a copy of the state as it is now); the disk writes, whose
        fsyncs took ~20 ms a file, run in a background thread while the next epoch trains. One
        epoch's writes are finished (and a failed one raises) before the next epoch's start, and
        :meth:`wait` ends them; :meth:`saved_epoch` and :meth:`restore` wait first."""
        self.wait()
        self.dir.mkdir(parents=True, exist_ok=True)
        if self.early is not None:
            best = self.early.best_epoch == epoch
        else:
            key = "val_loss" if "val_loss" in logs else "train_loss"
            best = logs.get(key, np.inf) <= min(r.get(key, np.inf) for r in self.state.history)
        files = []
        if best:
            files.append((self.dir / "best.npz", _packed({"epoch": epoch, "model": self.model.state_dict()})))
        files.append((self.dir / f"epoch_{epoch:03d}.npz", _packed(self.snapshot())))
        self._writes.start(lambda: _write_files(files))

    def wait(self) -> None:
        """Finish the checkpoint writes in flight; raise the error of one that failed."""
        self._writes.wait()

    def settle(self) -> None:
        """Finish the writes in flight without raising (for a run that is failing already: its own
        error is the one to report; a failed write just leaves that epoch unsaved)."""
        self._writes.settle()

    def saved_epoch(self) -> int:
        """The newest epoch with a checkpoint on disk (0 if none)."""
        self._writes.join()
        files = epoch_files(self.dir)
        return files[-1][0] if files else 0

    def restore(self) -> int:
        """Load the newest checkpoint that verifies and fits the model; returns its epoch (0 if
        none). Newer files that fail are listed in :attr:`skipped` (name and reason); when every
        checkpoint fails, raises :class:`UserError` naming each."""
        self.skipped = []
        self._writes.join()
        files = epoch_files(self.dir)
        if not files:
            return 0
        for epoch, path in reversed(files):
            try:
                snap = load(path)
                self._apply(snap)
            except _UNFIT as e:
                self.skipped.append(f"{path.name} ({_reason(e)})")
                continue
            return epoch
        raise UserError(f"no checkpoint in {self.dir} could be loaded: {'; '.join(self.skipped)}")

    def _apply(self, snap: dict[str, Any]) -> None:
        self.model.load_state_dict(snap["model"])
        self.optimizer.load_state_dict(snap["optimizer"])
        if self.scheduler is not None and snap.get("scheduler") is not None:
            self.scheduler.load_state_dict(snap["scheduler"])
        default_generator.set_state(snap["rng"]["global"])
        self.loader_generator.set_state(snap["rng"]["loader"])
        self.state.epoch = int(snap["epoch"])
        self.state.history = [dict(r) for r in snap["history"]]
        self.state.stop = False
        if self.early is not None and snap.get("early_stopping"):
            best_state = None
            best_path = self.dir / "best.npz"
            if best_path.exists():
                best_state = {k: v._data.copy() for k, v in load(best_path)["model"].items()}
            self.early.set_state(snap["early_stopping"], best_state)
            if self.early.stopped_epoch:
                self.state.stop = True


def _write_files(files: list[tuple[Path, bytes]]) -> None:
    for path, data in files:
        durable_write(path, data)


def _packed(obj: Any) -> bytes:
    """The bytes :func:`mlplab.save` writes for ``obj`` (so a copy of its state as it is now)."""
    buf = io.BytesIO()
    save(obj, buf)
    return buf.getvalue()


# what a damaged checkpoint, or one of another model, raises while it is loaded and applied
_UNFIT = (ValueError, OSError, KeyError, TypeError, RuntimeError, IndexError, AttributeError)


def _reason(e: BaseException) -> str:
    text = str(e).splitlines()[0] if str(e) else ""
    if isinstance(e, KeyError):
        return f"no entry {text}"
    return text or type(e).__name__


def load_weights(run_dir: Path, model: Any) -> None:
    """Load a finished run's weights into ``model``: ``model.npz``, else the newest checkpoint."""
    weights = run_dir / "model.npz"
    files = epoch_files(run_dir / "checkpoints")
    if weights.exists():
        path, key = weights, None
    elif files:
        path, key = files[-1][1], "model"
    else:
        raise UserError(f"{run_dir} has neither model.npz nor a checkpoint to load")
    try:
        state = load(path)
    except (ValueError, OSError) as e:
        raise UserError(f"{path} is damaged and was not loaded: {e}") from None
    try:
        model.load_state_dict(state if key is None else state[key])
    except _UNFIT as e:
        raise UserError(f"{path} does not fit the model of config.json: {_reason(e)}") from None
