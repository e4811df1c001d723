"""One browser tab's training: a worker thread running mlplab's own ``Trainer`` under the page's
controls (play, pause, one step, one epoch, speed), publishing snapshots as it goes.

The training is ``Trainer.fit`` itself, so a page's run is step for step the run ``mlplab train``
makes with the same options. The page steers it through a callback, :class:`_Gate`, that the loop
calls after every batch and epoch: there it publishes a frame (at most ``FPS`` a second while
playing, fewer when a snapshot is costly), paces the run to the chosen speed, and waits while the
run is paused. A new run (new settings, reset) or a closed tab ends the current ``fit`` by raising
from the gate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import random as _random
from ..errors import DivergenceError
from ..train.loop import Callback, Trainer
from .build import _LOCK, Built
from .views import GRID, extent, plane, points, scores_on_test, snapshot

FPS = 20
SPEEDS = (1, 3, 10, 30, 100, 300, 0)
"""Batches per second the page may choose; 0 is as fast as the machine goes."""


class _RestartRun(Exception):  # noqa: N818 - control flow, not an error
    """A new run replaces the current one."""


class _TabClosed(Exception):  # noqa: N818 - control flow, not an error
    """The tab is gone."""


class Session:
    """A tab's run and the worker thread that trains it.

    ``event(msg)`` delivers a message that must arrive (``ready``, ``epoch``, ``status``, ``error``);
    ``frame(msg)`` offers the newest snapshot, which may replace an unsent older one. Both are
    called from the worker thread.
    """

    def __init__(
        self, event: Callable[[dict[str, Any]], None], frame: Callable[[dict[str, Any]], None]
    ) -> None:
        self.event, self.frame = event, frame
        self.cond = threading.Condition()
        self.mode = "paused"  # paused | play
        self.requests: list[str] = []  # step and epoch clicks not yet begun, in order
        self.cancel = False
        self.speed = 0
        self.pending: Built | None = None
        self.closed = False
        self.built: Built | None = None
        self.status = "empty"
        self.history: list[dict[str, float]] = []
        self.thread = threading.Thread(target=self._main, name="mlplab-playground-session", daemon=True)
        self.thread.start()

    # ------------------------------------------------------------ called by the server
    def load(self, built: Built) -> None:
        """Replace the run (paused at step 0)."""
        with self.cond:
            self.pending = built
            self.status = "paused"  # no longer the old run's finished or diverged
            self.mode = "paused"
            self.requests.clear()
            self.cond.notify_all()

    def control(self, action: str) -> None:
        """``play``, ``pause``, ``step`` (one batch) or ``epoch`` (to the end of this epoch)."""
        with self.cond:
            if action in ("step", "epoch"):
                self.requests.append(action)  # each click counts, however quickly they come
            else:
                self.mode = "play" if action == "play" else "paused"
                if action == "pause":
                    self.requests.clear()
                    self.cancel = True  # also ends the step or epoch under way
            self.cond.notify_all()

    def set_speed(self, speed: float) -> None:
        with self.cond:
            self.speed = speed
            self.cond.notify_all()

    def stop(self) -> None:
        """Ask the worker to end (it does at its next pause point, within one batch)."""
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def close(self, timeout: float = 5.0) -> bool:
        """End the worker; returns whether it ended within ``timeout`` seconds."""
        self.stop()
        self.thread.join(timeout)
        return not self.thread.is_alive()

    # ------------------------------------------------------------ the worker
    def _main(self) -> None:
        while True:
            with self.cond:
                while self.pending is None and not self.closed:
                    self.cond.wait()
                if self.closed:
                    break
                built, self.pending = self.pending, None
            try:
                self._train(built)
            except _TabClosed:
                break
            except Exception as e:  # noqa: BLE001 - a failed run must not kill the tab's worker
                self.status = "failed"
                self.event({"type": "error", "message": f"the run stopped: {type(e).__name__}: {e}"})
        self.built = None

    def _train(self, b: Built) -> None:
        self.built, self.history = b, []
        self.status = "paused"  # before "ready", which a control may follow at once
        grid = plane(extent(b), GRID) if b.two_d else None
        gate = _Gate(self, b, grid)
        self.event({"type": "ready", "settings": b.settings, "run": _run_facts(b), "points": points(b)})
        trainer = Trainer(
            b.model,
            b.loader,
            b.optimizer,
            b.spec,
            scheduler=b.scheduler,
            scheduler_interval=b.interval,
            l1=b.cfg.l1,
            l2=b.cfg.l2,
            callbacks=[gate],
            needs_closure=b.needs_closure,
            steps_on_metric=b.steps_on_metric,
        )
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                trainer.fit(b.cfg.epochs)
            self.status = "finished"
        except _RestartRun:
            return
        except DivergenceError as e:
            self.status = "diverged"
            self.event({"type": "error", "message": str(e).replace("(--lr)", "(lr)")})
        finally:  # fit calls no hook for an exception raised in on_train_begin
            gate._let_go()
        gate.publish(force=True)
        self._idle()

    def _idle(self) -> None:
        """After the run ended: wait for a new run or the close."""
        with self.cond:
            while self.pending is None and not self.closed:
                self.mode = "paused"
                self.requests.clear()
                self.cond.wait()
            if self.closed:
                raise _TabClosed


def _run_facts(b: Built) -> dict[str, Any]:
    d = b.data
    return {
        "two_d": b.two_d,
        "n_classes": d.n_classes,
        "class_names": d.class_names,
        "sizes": {"train": len(d.x_train), "test": len(d.x_test)},
        "batches_per_epoch": len(b.loader),
        "epochs": b.cfg.epochs,
        "model": repr(b.model),
        "params": int(sum(p.numel() for p in b.model.parameters())),
    }


class _Gate(Callback):
    """The loop's hooks where the page's controls act (see the module docstring)."""

    def __init__(self, s: Session, b: Built, grid: np.ndarray | None) -> None:
        self.s, self.b, self.grid = s, b, grid
        self.held = False
        self.last_publish = 0.0
        self.cost = 0.0  # seconds the last snapshot took
        self.last_step = time.perf_counter()
        self.ran = False  # a batch ran since the last pause point
        self.task: str | None = None  # the step or epoch request under way
        self.epoch, self.batch, self.steps = 0, 0, 0
        self.train_logs: dict[str, float] = {}

    # the compute lock, with this run's generator as mlplab's default
    def _hold(self) -> None:
        if not self.held:
            _LOCK.acquire()
            self.saved = _random.default_generator.rng
            _random.default_generator.rng = self.b.rng
            self.held = True

    def _let_go(self) -> None:
        if self.held:
            self.b.rng = _random.default_generator.rng
            _random.default_generator.rng = self.saved
            self.held = False
            _LOCK.release()

    # hooks
    def on_train_begin(self, trainer: Trainer) -> None:
        self._hold()
        self._pause_point(boundary=True)

    def on_batch_end(self, trainer: Trainer, batch: int, logs: dict[str, float]) -> None:
        self.batch, self.steps = batch, self.steps + 1
        self.train_logs = dict(logs)
        if batch < trainer.state.n_batches:  # the last batch pauses after its epoch is recorded
            self._pause_point(boundary=False)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        self.epoch, self.batch = epoch, 0
        test = scores_on_test(self.b)
        row = {k: float(v) for k, v in logs.items() if k != "time"}
        row.update({"test_loss": float(test["loss"]), "test_acc": float(test["acc"])})
        self.s.history.append(row)
        self.s.event({"type": "epoch", "row": row})
        if epoch < trainer.state.epochs:  # after the last epoch the run finishes instead
            self._pause_point(boundary=True)

    def on_train_end(self, trainer: Trainer) -> None:
        self._let_go()

    def on_exception(self, trainer: Trainer, exc: BaseException) -> None:
        self._let_go()

    # the controls
    def publish(self, force: bool = False) -> None:
        """Offer a frame: always when ``force``, else at most FPS a second and so that drawing
        takes at most a quarter of the time (a big network's frames would starve its training)."""
        now = time.perf_counter()
        if not force and now - self.last_publish < max(1.0 / FPS, 3.0 * self.cost):
            return
        self.last_publish = now
        was = self.held
        if not was:
            self._hold()
        try:
            frame = snapshot(self.b, self.grid)
        finally:
            if not was:
                self._let_go()
        self.cost = time.perf_counter() - now
        lr = float(self.b.optimizer.param_groups[0]["lr"])
        frame.update(
            type="frame",
            epoch=self.epoch,
            batch=self.batch,
            steps=self.steps,
            lr=lr,
            train=self.train_logs,
            status=self.s.status,
        )
        self.s.frame(frame)

    def _pause_point(self, boundary: bool) -> None:
        """Publish, then wait as the controls say; ``boundary``: an epoch just ended (or none began)."""
        s = self.s
        with s.cond:
            if s.cancel or (self.task and self.ran and (self.task == "step" or boundary)):
                self.task, s.cancel = None, False  # the step or epoch is done (or paused)
            paused = s.mode == "paused" and self.task is None and not s.requests
            s.status = "paused" if paused else "running"
        self.publish(force=paused)
        self._let_go()
        try:
            self._wait()
        finally:
            self._hold()
        self.ran = True

    def _wait(self) -> None:
        s = self.s
        while True:
            with s.cond:
                if s.closed:
                    raise _TabClosed
                if s.pending is not None:
                    raise _RestartRun
                if s.cancel:
                    self.task, s.cancel = None, False
                if s.mode == "paused" and self.task is None and s.requests:
                    self.task = s.requests.pop(0)
                if s.mode == "play" or self.task is not None:
                    delay = self.last_step + 1.0 / s.speed - time.perf_counter() if s.speed else 0.0
                    if delay > 0:
                        s.cond.wait(delay)
                        continue
                    s.status = "running"
                    break
                if s.status == "paused":
                    s.cond.wait()
                    continue
                s.status = "paused"
            self.publish(force=True)  # paused while pacing: show where the run stands
        self.last_step = time.perf_counter()
