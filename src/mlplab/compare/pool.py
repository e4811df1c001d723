"""Where a grid's runs execute: local worker processes (:class:`LocalPool`) or a Dask distributed
cluster (:class:`DaskPool`). Both take the task dicts of :mod:`.worker` and hand each result to a
callback as it arrives; the caller orders results by the plan, so the order of arrival never shows.

Local workers are started with ``spawn`` (a fresh interpreter: no threads or locks inherited from
the parent) with one BLAS thread each (the environment variables are set before NumPy loads there).
A worker that dies mid-run (SIGKILL, the out-of-memory killer) is noticed through its process
sentinel: its run is reported and given to a new worker once more, where it resumes from its
checkpoint; a second death fails the run. Ctrl-C (or SIGTERM) in the parent sends SIGTERM to the
workers, which stop their runs as ``mlplab train`` stops on Ctrl-C (finished epochs kept).
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import threading
import uuid
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import wait
from typing import Any

from ..errors import UserError
from .worker import BLAS_ENV, run_task, worker_loop

Result = dict[str, Any]
OnResult = Callable[[Result], None]
OnDrained = Callable[[], None]

RETRIES_AFTER_A_KILL = 1


class _Worker:
    """One local worker process and the task it holds."""

    def __init__(self, ctx: Any) -> None:
        self.conn, child = ctx.Pipe()
        saved = {k: os.environ.get(k) for k in BLAS_ENV}
        os.environ.update({k: "1" for k in BLAS_ENV})
        # an ignored SIGINT survives exec: a Ctrl-C while the worker starts cannot reach it either
        old = None
        if threading.current_thread() is threading.main_thread():
            old = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            self.proc = ctx.Process(target=worker_loop, args=(child,), daemon=True)
            self.proc.start()
        finally:
            if old is not None:
                signal.signal(signal.SIGINT, old)
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        child.close()
        self.task: dict[str, Any] | None = None

    def give(self, task: dict[str, Any]) -> None:
        self.task = task
        with contextlib.suppress(OSError):  # a worker gone meanwhile is noticed by its sentinel
            self.conn.send(task)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the process to end (SIGTERM: its run stops like Ctrl-C), then make sure it did."""
        if self.proc.is_alive():
            with contextlib.suppress(OSError):
                self.proc.terminate()
            self.proc.join(timeout)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout)
        self.conn.close()


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exited with status {exitcode}"


class LocalPool:
    """``jobs`` worker processes on this machine."""

    def __init__(self, jobs: int) -> None:
        if jobs < 1:
            raise UserError(f"--jobs must be >= 1, got {jobs}")
        self.jobs = jobs
        self.notes: list[str] = []  # what happened to workers (kills, retries), for the report

    def run(
        self, tasks: list[dict[str, Any]], on_result: OnResult, on_drained: OnDrained | None = None
    ) -> None:
        """Run every task; ``on_result`` gets each result in the parent as it arrives, and
        ``on_drained`` is called once when every task has been handed to a worker (the last runs
        are in flight and cores come free: the caller may prepare its report meanwhile)."""
        ctx = mp.get_context("spawn")
        queue = deque(tasks)
        deaths: dict[str, int] = {}
        workers: list[_Worker] = []
        try:
            while queue or any(w.task is not None for w in workers):
                for w in [w for w in workers if w.task is None and not w.proc.is_alive()]:
                    workers.remove(w)  # died while idle: nothing was lost, a new one replaces it
                    w.stop()
                for w in workers:
                    if w.task is None and queue:
                        w.give(queue.popleft())
                while queue and len(workers) < self.jobs:
                    w = _Worker(ctx)
                    workers.append(w)
                    w.give(queue.popleft())
                if not queue and on_drained is not None:
                    on_drained()  # once: a retried run put back later does not call it again
                    on_drained = None
                busy = [w for w in workers if w.task is not None]
                wait([w.conn for w in busy] + [w.proc.sentinel for w in busy])
                for w in busy:
                    result = self._collect(w)
                    if result is None:
                        continue
                    task, w.task = w.task, None
                    if result.get("status") == "died":
                        workers.remove(w)
                        w.stop()
                        name = task["name"]  # type: ignore[index]
                        deaths[name] = deaths.get(name, 0) + 1
                        note = f"{name}: worker pid {w.proc.pid} {result['error']}"
                        if deaths[name] <= RETRIES_AFTER_A_KILL:
                            self.notes.append(note + "; retried")
                            queue.appendleft(task)  # type: ignore[arg-type]
                            continue
                        result = {
                            "name": name,
                            "status": "failed",
                            "error": f"its worker was {result['error']} {deaths[name]} times",
                        }
                        self.notes.append(note + "; not retried again")
                    if deaths.get(result["name"]):
                        result["retried"] = deaths[result["name"]]
                    on_result(result)
        finally:
            for w in workers:
                if w.task is None and w.proc.is_alive():
                    with contextlib.suppress(OSError, ValueError):
                        w.conn.send(None)
            for w in workers:
                w.stop(timeout=30.0 if w.task is None else 10.0)

    @staticmethod
    def _collect(w: _Worker) -> Result | None:
        """The worker's result if it sent one, a ``died`` record if it is gone, else None."""
        try:
            if w.conn.poll():
                return w.conn.recv()
        except (EOFError, OSError):
            pass
        if w.proc.is_alive():
            return None
        w.proc.join()
        return {"status": "died", "error": _death(w.proc.exitcode)}


class DaskPool:
    """The runs as tasks of a Dask distributed cluster (``tcp://HOST:PORT``); needs ``mlplab[dask]``.

    The workers import mlplab and write the run directories themselves, so they need mlplab
    installed and ``--out`` on a file system they share with this machine. A worker that dies is
    the scheduler's to handle: it reruns the task on another worker (up to its
    ``allowed-failures``), where it resumes from its checkpoint.
    """

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise UserError("--dask-scheduler needs Dask distributed: pip install 'mlplab[dask]'") from None
        self.address = address
        self.notes: list[str] = []
        try:
            self.client = Client(address, timeout="10s")
        except (OSError, TimeoutError, ValueError) as e:
            raise UserError(f"cannot reach the Dask scheduler at {address}: {e}") from None

    def run(
        self, tasks: list[dict[str, Any]], on_result: OnResult, on_drained: OnDrained | None = None
    ) -> None:
        """Submit every task; ``on_result`` gets each result as it completes; ``on_drained`` is
        called once every task is submitted (the cluster's workers run them, not this machine)."""
        from distributed import as_completed

        tag = uuid.uuid4().hex[:8]
        futures = {
            self.client.submit(run_task, t, key=f"mlplab-{tag}-{i}", pure=False): t
            for i, t in enumerate(tasks)
        }
        try:
            if on_drained is not None:
                on_drained()
            for fut in as_completed(futures):
                task = futures[fut]
                try:
                    result = fut.result()
                except Exception as e:  # noqa: BLE001 - KilledWorker, lost connection ...
                    result = {"name": task["name"], "status": "failed", "error": f"{type(e).__name__}: {e}"}
                on_result(result)
        except BaseException:
            with contextlib.suppress(Exception):
                self.client.cancel(list(futures))
            raise
        finally:
            with contextlib.suppress(Exception):
                self.client.close()
