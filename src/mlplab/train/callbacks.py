"""Callbacks for :class:`~mlplab.train.loop.Trainer`, each a small class.

- :class:`ProgressBar`: a tqdm bar per epoch with loss/accuracy in the postfix (as in the notes);
  one plain line per epoch when stdout is not a terminal.
- :class:`TensorBoard`: scalars (loss, metrics, lr) and weight/gradient histograms via tensorboardX.
- :class:`History`: ``history.csv`` and ``history.json`` rewritten after every epoch.
- :class:`EarlyStopping`: stop after ``patience`` epochs without improvement, restore the best weights.
- :class:`Checkpoint`: call a save function after every epoch (the run writes the checkpoint).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from .files import BackgroundWrites, atomic_open, atomic_write
from .loop import Callback, Trainer


def _fmt(logs: dict[str, float]) -> str:
    parts = []
    for k, v in logs.items():
        if k in ("epoch", "time"):
            continue
        parts.append(f"{k} {v:.4g}" if k == "lr" else f"{k} {v:.4f}")
    return "  ".join(parts)


#: seconds a failing or interrupted run waits for TensorBoard's writer to close (see close_writer)
ABANDON_AFTER = 10.0


class ProgressBar(Callback):
    """tqdm bar per epoch, or one line per epoch when ``stream`` is not a terminal."""

    def __init__(self, stream: TextIO | None = None, force_plain: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.plain = (not tty) if force_plain is None else force_plain
        self.bar: Any = None

    def on_epoch_begin(self, trainer: Trainer, epoch: int) -> None:
        if self.plain:
            return
        from tqdm import tqdm

        st = trainer.state
        self.bar = tqdm(
            total=st.n_batches,
            desc=f"Epoch {epoch:02d}/{st.epochs}",
            unit="batch",
            file=self.stream,
            leave=True,
            dynamic_ncols=True,
        )

    def on_batch_end(self, trainer: Trainer, batch: int, logs: dict[str, float]) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()}, refresh=False)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        shown = {k: v for k, v in logs.items() if k not in ("epoch", "time", "lr")}
        if self.bar is not None:
            self.bar.set_postfix({k.replace("train_", ""): f"{v:.4f}" for k, v in shown.items()})
            self.bar.close()
            self.bar = None
        else:
            print(
                f"Epoch {epoch:02d}/{trainer.state.epochs}  {_fmt(logs)}  ({logs.get('time', 0):.2f}s)",
                file=self.stream,
                flush=True,
            )

    def on_train_end(self, trainer: Trainer) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def on_exception(self, trainer: Trainer, exc: BaseException) -> None:
        self.on_train_end(trainer)


class TensorBoard(Callback):
    """Write TensorBoard events: ``loss/train``, ``loss/val``, ``accuracy/train``, ``accuracy/val``
    (or ``mae``/``r2`` for regression), ``lr``, and per-parameter ``weights/*`` and ``grads/*``
    histograms, with the epoch as the step.

    A histogram has ``HISTOGRAM_BINS`` equal-width buckets between the values' min and max, as
    TensorFlow 2's ``tf.summary.histogram`` makes them (30). tensorboardX's own default (~1500
    exponential TensorFlow 1 buckets) made each histogram event about 10 KB, whose pure-Python
    CRC took ~4.5 ms: half a second of a 20-epoch run on the default net."""

    HISTOGRAM_BINS = 30
    #: the writer's own thread flushes the event file (with an fsync) this often, so TensorBoard
    #: shows an epoch within seconds; a flush per epoch in the training thread cost ~12 ms each
    FLUSH_SECS = 2

    TAGS = {
        "train_loss": "loss/train",
        "val_loss": "loss/val",
        "train_acc": "accuracy/train",
        "val_acc": "accuracy/val",
        "val_mae": "mae/val",
        "val_mse": "mse/val",
        "val_r2": "r2/val",
        "lr": "lr",
    }

    def __init__(self, logdir: str | Path, histograms: bool = True) -> None:
        self.logdir = str(logdir)
        self.histograms = histograms
        self.writer: Any = None

    def on_train_begin(self, trainer: Trainer) -> None:
        self.writer = _summary_writer(self.logdir, flush_secs=self.FLUSH_SECS)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        # One event per epoch holding every value (a Summary may hold many, as TensorFlow's merged
        # summaries do), instead of an event per add_scalar / add_histogram: each event crosses
        # tensorboardX's queue to its writer thread: the digits net's 14 values an epoch took
        # 4.2-5.0 ms that way, 2.2-2.3 ms this way (``python -m benchmarks run_costs``; TensorBoard
        # reads both the same)
        from tensorboardX.proto.summary_pb2 import Summary
        from tensorboardX.summary import histogram, scalar

        values = []
        for k, tag in self.TAGS.items():
            if k in logs and math.isfinite(logs[k]):
                values.extend(scalar(tag, float(logs[k])).value)
        if self.histograms:
            bins = self.HISTOGRAM_BINS
            for name, p in trainer.model.named_parameters():
                tensors = [("weights", p._data)] + ([("grads", p.grad._data)] if p.grad is not None else [])
                for kind, a in tensors:
                    data = np.asarray(a, dtype=np.float64)
                    # a histogram needs finite bounds (tensorboardX raises otherwise); an overflowed
                    # tensor is left out of this epoch's histograms, the loop reports the divergence
                    if np.isfinite(data).all():
                        values.extend(histogram(f"{kind}/{name}", data, bins).value)
        if values:
            self.writer.file_writer.add_summary(Summary(value=values), epoch)

    def on_train_end(self, trainer: Trainer) -> None:
        writer, self.writer = self.writer, None
        if writer is not None:
            close_writer(writer)

    def on_exception(self, trainer: Trainer, exc: BaseException) -> None:
        # the run is failing already: its own error is the one to report, not the writer's;
        # and the close may not wait long (an interrupt can have broken the writer's queue)
        writer, self.writer = self.writer, None
        if writer is not None:
            with contextlib.suppress(Exception):
                close_writer(writer, timeout=ABANDON_AFTER)


def close_writer(writer: Any, timeout: float | None = None) -> None:
    """Close a SummaryWriter so that the process can always exit, then re-raise a close error.

    When tensorboardX's close fails (a full disk while flushing), its event queue's feeder thread
    and the ``atexit`` close it registered stay behind, and exit blocks joining them; they are
    cancelled here.

    ``timeout`` (for a run that is failing or interrupted): wait at most this long. A Ctrl-C or
    SIGTERM that lands inside tensorboardX's queue can lose the message that stops its worker
    thread, and the close would then wait for that thread forever (seen: SIGTERM right after an
    epoch's events were queued); after ``timeout`` the writer is abandoned as above.
    """
    if timeout is None:
        try:
            writer.close()
        except BaseException:
            _abandon(writer)
            raise
        return
    outcome: list[BaseException | None] = []

    def close() -> None:
        try:
            writer.close()
        except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
            outcome.append(e)
        else:
            outcome.append(None)

    closer = threading.Thread(target=close, name="close-tensorboard", daemon=True)
    closer.start()
    closer.join(timeout)
    if not outcome:  # still closing: its worker thread stays blocked, its queue must stay open
        _abandon(writer, close_queues=False)
    elif outcome[0] is not None:
        _abandon(writer)
        raise outcome[0]


def _abandon(writer: Any, close_queues: bool = True) -> None:
    """Cancel a SummaryWriter's queue feeder threads and its atexit close (see close_writer).

    ``close_queues=False`` for a writer still being closed. Either way a queue whose worker thread
    is still alive stays open (a Ctrl-C or SIGTERM inside tensorboardX's close can interrupt the
    join of that thread): closing it under the thread made the thread print an OSError traceback
    ("handle is closed"), seen once in a compare run stopped by Ctrl-C."""
    for fw in list((getattr(writer, "all_writers", None) or {}).values()):
        ev = getattr(fw, "event_writer", None)
        queue = getattr(ev, "_event_queue", None)
        thread = getattr(ev, "_worker", None)
        reading = thread is not None and thread.is_alive()
        if queue is not None:
            with contextlib.suppress(Exception):
                queue.cancel_join_thread()  # exit does not wait for its feeder thread
                if close_queues and not reading:
                    queue.close()
        if ev is not None:
            ev._closed = True  # its atexit close becomes a no-op
    with contextlib.suppress(Exception):
        writer.all_writers = writer.file_writer = None


def _summary_writer(logdir: str, flush_secs: float = 120) -> Any:
    """tensorboardX's SummaryWriter, imported without letting it import PyTorch.

    tensorboardX imports torch whenever it is installed (to accept torch tensors); mlplab never
    imports torch, and we only hand it NumPy arrays, so ``torch`` is hidden while it loads.
    """
    if "tensorboardX" not in sys.modules and "torch" not in sys.modules:
        sys.modules["torch"] = None  # type: ignore[assignment]  # makes ``import torch`` fail
        try:
            from tensorboardX import SummaryWriter
        finally:
            del sys.modules["torch"]
    else:
        from tensorboardX import SummaryWriter
    return SummaryWriter(logdir=logdir, flush_secs=flush_secs)


class History(Callback):
    """Rewrite ``history.csv`` and ``history.json`` (all epochs so far) after every epoch.

    The text is made at the epoch's end and the two files are written by a background thread
    while the next epoch trains (their file-system calls, slowed by the checkpoint thread's fsyncs,
    otherwise take the training thread's time). The end of training waits for the last write and
    raises its error."""

    def __init__(self, run_dir: str | Path) -> None:
        self.dir = Path(run_dir)
        self._writes = BackgroundWrites("mlplab-history")

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        texts = history_texts(trainer.state.history)
        if texts is not None:
            self._writes.start(lambda: _write_history_texts(self.dir, *texts))

    def on_train_end(self, trainer: Trainer) -> None:
        self._writes.wait()

    def on_exception(self, trainer: Trainer, exc: BaseException) -> None:
        self._writes.settle()


def history_texts(history: list[dict[str, float]]) -> tuple[str, str] | None:
    """The history table as CSV text (one column per key, in first-seen order) and as JSON text;
    None for no rows."""
    if not history:
        return None
    keys: list[str] = []
    for row in history:
        for k in row:
            if k not in keys:
                keys.append(k)
    buf = io.StringIO(newline="")
    wr = csv.DictWriter(buf, fieldnames=keys)
    wr.writeheader()
    for row in history:
        wr.writerow(row)
    return buf.getvalue(), json.dumps(history, indent=1)


def _write_history_texts(run_dir: Path, csv_text: str, json_text: str) -> None:
    with atomic_open(run_dir / "history.csv", "w", newline="") as f:
        f.write(csv_text)
    atomic_write(run_dir / "history.json", json_text)


def write_history(run_dir: Path, history: list[dict[str, float]]) -> None:
    """Write the history table as CSV and JSON (via temp file + rename, so never half-written)."""
    texts = history_texts(history)
    if texts is not None:
        _write_history_texts(Path(run_dir), *texts)


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs;
    at the end restore the weights of the best epoch (``restore_best=True``)."""

    def __init__(
        self, patience: int, monitor: str = "val_loss", min_delta: float = 0.0, restore_best: bool = True
    ) -> None:
        if patience < 1:
            from ..errors import UserError

            raise UserError(f"early-stopping patience must be >= 1, got {patience}")
        self.patience = patience
        self.monitor = monitor
        self.min_delta = min_delta
        self.restore_best = restore_best
        self.best = math.inf
        self.best_epoch = 0
        self.wait = 0
        self.best_state: dict[str, Any] | None = None
        self.stopped_epoch = 0

    def _value(self, logs: dict[str, float]) -> float:
        if self.monitor in logs:
            return logs[self.monitor]
        return logs["train_loss"]

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        v = self._value(logs)
        if v < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = v, epoch, 0
            self.best_state = {k: t._data.copy() for k, t in trainer.model.state_dict().items()}
        else:
            self.wait += 1
            if self.wait >= self.patience:
                trainer.state.stop = True
                self.stopped_epoch = epoch

    def on_train_end(self, trainer: Trainer) -> None:
        if self.restore_best and self.best_state is not None:
            from ..tensor import Tensor

            trainer.model.load_state_dict({k: Tensor._make(v) for k, v in self.best_state.items()})

    def get_state(self) -> dict[str, Any]:
        return {
            "best": self.best,
            "best_epoch": self.best_epoch,
            "wait": self.wait,
            "stopped_epoch": self.stopped_epoch,
        }

    def set_state(self, st: dict[str, Any], best_state: dict[str, Any] | None) -> None:
        self.best = float(st["best"])
        self.best_epoch = int(st["best_epoch"])
        self.wait = int(st["wait"])
        self.stopped_epoch = int(st.get("stopped_epoch", 0))
        self.best_state = best_state


class Checkpoint(Callback):
    """After every finished epoch, call ``save(trainer, epoch, logs)`` (writes the checkpoint files).

    ``wait`` (optional) finishes writes that ``save`` left running in the background: called at
    the end of training (raising a failed write's error) and, without raising, when training
    fails (so the files of every finished epoch are on disk before the run reports)."""

    def __init__(
        self,
        save: Callable[[Trainer, int, dict[str, float]], None],
        wait: Callable[[], None] | None = None,
        settle: Callable[[], None] | None = None,
    ) -> None:
        self.save = save
        self.wait = wait
        self.settle = settle

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        self.save(trainer, epoch, logs)

    def on_train_end(self, trainer: Trainer) -> None:
        if self.wait is not None:
            self.wait()

    def on_exception(self, trainer: Trainer, exc: BaseException) -> None:
        if self.settle is not None:
            self.settle()
