"""One run of a grid, in whatever process runs it (a local worker or a Dask worker): exactly what
``mlplab train`` does (:class:`mlplab.train.run.Run`, the same run directory), or, when the run
directory holds checkpoints, what ``mlplab train --resume`` does.

A task is a plain dict (``name``, ``dir``, ``tb``, ``options``) and its result too (``status``
``finished`` or ``failed``, ``error``, ``seconds``, ``pid``), so any executor can carry them. A run
that fails (divergence, options that do not go together, any exception) returns its error instead
of raising: one bad cell never stops a grid.

Numbers do not depend on the executor: each run seeds itself from its options, uses one BLAS
thread, and a process runs one run at a time (a lock, for executors that run tasks on threads),
since mlplab's random generator and grad mode are per process.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

from ..errors import DivergenceError, UserError
from ..train.checkpoint import epoch_files
from ..train.config import RunConfig
from ..train.files import RunLock
from ..train.run import Run, claim_run_dir, read_run_config, remove_unfinished_run

_ONE_RUN_AT_A_TIME = threading.Lock()

BLAS_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
"""Environment variables that give a process one BLAS thread when set before NumPy loads."""


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Train (or resume, or skip when finished) the run of ``task``; never raises for a failed run."""
    from threadpoolctl import threadpool_limits

    t0 = time.perf_counter()
    out: dict[str, Any] = {"name": task["name"], "pid": os.getpid()}
    with _ONE_RUN_AT_A_TIME, threadpool_limits(limits=1):
        try:
            out["how"] = _run(task)
            out["status"] = "finished"
        except (UserError, DivergenceError) as e:
            out.update(status="failed", error=_one_line(e))
        except (OSError, MemoryError) as e:
            out.update(status="failed", error=f"{type(e).__name__}: {_one_line(e)}")
        except Exception as e:  # noqa: BLE001 - any failure of one run is that run's result
            out.update(status="failed", error=f"{type(e).__name__}: {_one_line(e)}")
    out["seconds"] = time.perf_counter() - t0
    return out


def _one_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__


def is_finished(run_dir: Path) -> bool:
    """Whether the run wrote its final report after its newest checkpoint (as ``train`` checks)."""
    files = epoch_files(run_dir / "checkpoints")
    try:
        metrics = json.loads((run_dir / "metrics.json").read_text())
    except (OSError, ValueError):
        return False
    done = files[-1][0] if files else 0
    return isinstance(metrics, dict) and metrics.get("epochs") == done and (run_dir / "model.npz").is_file()


def _run(task: dict[str, Any]) -> str:
    run_dir, tb = Path(task["dir"]), Path(task["tb"])
    if is_finished(run_dir):
        return "already finished"
    if (run_dir / "config.json").is_file() and epoch_files(run_dir / "checkpoints"):
        with RunLock(run_dir):
            cfg, _ = read_run_config(run_dir)
            run = Run(cfg, run_dir, quiet=True)
            done = run.restore()
            run.train()
        return f"resumed after epoch {done}"
    if run_dir.exists():
        remove_unfinished_run(run_dir)  # no epoch finished: start it again from nothing
    shutil.rmtree(tb, ignore_errors=True)
    run_dir, lock = claim_run_dir(str(run_dir), task["name"])
    run = None
    try:
        tb.mkdir(parents=True, exist_ok=True)
        # the run's tb/ is the grid's tb/NAME, so that every run overlays in one TensorBoard
        (run_dir / "tb").symlink_to(os.path.relpath(tb, run_dir), target_is_directory=True)
        cfg = RunConfig().merged(task["options"])
        run = Run(cfg, run_dir, quiet=True)
        run.write_config()
        run.train()
    except BaseException:
        if run is None or not run.saved_epoch():
            remove_unfinished_run(run_dir)
        raise
    finally:
        lock.release()
    return "trained"


def worker_loop(conn: Any) -> None:
    """A local worker process: receive tasks, send results, until ``None`` or SIGTERM.

    Ctrl-C reaches the whole process group; the parent alone decides, so SIGINT is ignored here
    and SIGTERM (sent by the parent) stops the run in progress like Ctrl-C stops ``mlplab train``:
    its finished epochs stay in its checkpoints.
    """
    import signal

    running = [False]

    def _stop(signum: int, frame: Any) -> None:
        # Inside a run: stop it like Ctrl-C (its finished epochs are kept). Anywhere else (idle,
        # unwinding, or already leaving): exit at once, quietly; an exception raised there would
        # print a traceback from the worker's shutdown (seen when a SIGTERM met the loop's exit).
        if running[0]:
            running[0] = False
            raise KeyboardInterrupt
        os._exit(0)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    with contextlib.suppress(KeyboardInterrupt, EOFError, BrokenPipeError):
        while True:
            task = conn.recv()
            if task is None:
                break
            running[0] = True
            try:
                result = run_task(task)
            finally:
                running[0] = False
            conn.send(result)
    # End here without the interpreter's teardown (every result is sent, every run's files are
    # closed or abandoned by now): a run stopped by SIGTERM may have abandoned its TensorBoard
    # writer, whose daemon thread still reads its queue, and the teardown's collection of that
    # queue under the thread printed the thread's OSError traceback ("handle is closed") into the
    # grid's output, seen in a CI run of a compare stopped by Ctrl-C.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)
