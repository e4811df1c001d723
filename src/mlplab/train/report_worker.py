"""A report worker: a second process that imports matplotlib and scikit-learn's metrics while the
run trains, then draws the run's figures and writes its report text.

Those imports cost more than the default run's training (about 1 s for ``sklearn.metrics`` with the
SciPy it loads, 0.3 s for matplotlib, on the development machine); in the run's own process they
come after the last epoch, so a run costs their sum. Started at the beginning of the command, the
worker imports them on the machine's other core while this process trains, and a run costs about
the larger of the two instead. The figures and the text come from the same functions as in the
run's own process (:func:`.figures.plot_curves`, :func:`.report.render_report`), so the files are
the same.

Protocol: one JSON line on the worker's standard input (the job), one JSON line back on its
standard output (``{"ok": true, "text": ...}`` or ``{"ok": false, "error": {...}}``). The worker:

- runs in its own session and ignores SIGINT: Ctrl-C is the run's to handle, and the run kills the
  worker when it stops (:meth:`ReportWorker.close`);
- exits when its standard input closes without a job, so a run killed by SIGKILL leaves no worker
  behind once the worker's imports end;
- keeps its standard output for the reply (anything printed while it works goes to its stderr).

An error in the job comes back as the error the run's own process would have raised (an
``OSError`` with its errno, file name and message; ``MemoryError``; ``ValueError``); any other
error as a ``RuntimeError`` carrying the worker's traceback. A worker that dies before it replies
raises :class:`ReportWorkerError` (an ``OSError``: the command prints it on one line, keeps the
finished epochs and says how to resume).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from typing import IO, Any

import numpy as np

__all__ = ["ReportWorker", "ReportWorkerError", "array_to_json", "array_from_json", "run_job"]


class ReportWorkerError(OSError):
    """The report worker process stopped without replying (killed, or it could not start)."""


def array_to_json(a: np.ndarray) -> dict[str, Any]:
    """An array as JSON (exact: ``tolist`` gives Python ints and floats, whose JSON text reads back
    to the same values), with its dtype and shape."""
    a = np.asarray(a)
    return {"dtype": a.dtype.str, "shape": list(a.shape), "data": a.tolist()}


def array_from_json(d: dict[str, Any]) -> np.ndarray:
    """The array :func:`array_to_json` wrote."""
    return np.asarray(d["data"], dtype=np.dtype(d["dtype"])).reshape(d["shape"])


def run_job(job: dict[str, Any]) -> str:
    """Draw the job's learning curves and its test report; returns the report's text."""
    from .figures import plot_curves
    from .report import render_report

    curves = job.get("curves")
    if curves is not None:
        plot_curves(curves["history"], curves["path"], curves["task"], title=curves["title"])
    r = job["report"]
    return render_report(
        r["task"],
        r["metrics"],
        array_from_json(r["y"]),
        array_from_json(r["pred"]),
        r["class_names"],
        Path(r["out_dir"]),
    )


def _warm_up() -> None:
    """Import what the job needs, while the run trains (an import error shows when the job runs)."""
    try:
        import matplotlib.backends.backend_agg  # noqa: F401
        import matplotlib.figure  # noqa: F401
        import sklearn.metrics  # noqa: F401

        from . import report  # noqa: F401
    except ImportError:  # pragma: no cover - the job raises it again, where the run sees it
        pass


def _error_record(e: BaseException) -> dict[str, Any]:
    rec: dict[str, Any] = {"type": type(e).__name__, "message": str(e)}
    if isinstance(e, OSError):
        rec.update(errno=e.errno, strerror=e.strerror, filename=e.filename)
    rec["kind"] = (
        "OSError"
        if isinstance(e, OSError)
        else "MemoryError"
        if isinstance(e, MemoryError)
        else "ValueError"
        if isinstance(e, ValueError)
        else "other"
    )
    rec["traceback"] = "".join(traceback.format_exception(e))
    return rec


def _raise_error(rec: dict[str, Any]) -> None:
    """Raise, in the run's process, the error the worker reported."""
    kind, message = rec.get("kind"), rec.get("message", "")
    if kind == "OSError":
        if rec.get("errno") is not None and rec.get("strerror"):
            args = (rec["errno"], rec["strerror"]) + ((rec["filename"],) if rec.get("filename") else ())
            raise OSError(*args)  # OSError(errno, ...) gives the errno's subclass, as raised
        raise OSError(message)
    if kind == "MemoryError":
        raise MemoryError(message)
    if kind == "ValueError":
        raise ValueError(message)
    raise RuntimeError(
        f"the report worker failed: {rec.get('type')}: {message}\n"
        f"worker traceback:\n{rec.get('traceback', '')}"
    )


def serve(stdin: IO[str] | None = None) -> int:
    """The worker's main: warm up, read one job, reply. Returns the exit status."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    reply = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # a stray print must not corrupt the reply
    sys.stdout = sys.stderr
    _warm_up()
    line = (stdin or sys.stdin).readline()
    if not line.strip():
        return 0  # the run ended (or was killed) without a report to draw
    try:
        out: dict[str, Any] = {"ok": True, "text": run_job(json.loads(line))}
    except BaseException as e:  # noqa: BLE001 - every error goes back to the run
        out = {"ok": False, "error": _error_record(e)}
    try:
        reply.write(json.dumps(out) + "\n")
        reply.flush()
    except OSError:  # the run went away
        return 1
    return 0


class ReportWorker:
    """The run's side of a report worker process (see the module's docstring).

    ``ReportWorker.start()`` starts it (None where no process can be started: the run then draws
    in its own process); :meth:`render` sends the job and waits for the text; :meth:`close` ends
    the process if it still runs (always call it: the command does, in a ``finally``)."""

    def __init__(self, proc: subprocess.Popen[str], errfile: IO[bytes]) -> None:
        self.proc = proc
        self.errfile = errfile
        self.used = False

    @classmethod
    def start(cls) -> ReportWorker | None:
        """Start the worker process (``python -m mlplab.train.report_worker``) with this mlplab
        first on its path; None if it cannot be started."""
        package_root = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
        errfile = tempfile.TemporaryFile()
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "mlplab.train.report_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errfile,
                env={**os.environ, "PYTHONPATH": path},
                text=True,
                encoding="utf-8",
                start_new_session=True,
            )
        except OSError:
            errfile.close()
            return None
        return cls(proc, errfile)

    def render(self, job: dict[str, Any]) -> str:
        """Send ``job`` (see :func:`run_job`), wait for the worker, return the report's text; the
        worker's error is raised here. A worker renders one job."""
        if self.used:
            raise RuntimeError("a report worker renders one job; this one was used")
        self.used = True
        try:
            assert self.proc.stdin is not None and self.proc.stdout is not None
            self.proc.stdin.write(json.dumps(job) + "\n")
            self.proc.stdin.close()
            line = self.proc.stdout.readline()
        except BrokenPipeError:
            line = ""
        if not line:
            raise ReportWorkerError(self._died())
        reply = json.loads(line)
        self.close()
        if not reply.get("ok"):
            _raise_error(reply.get("error", {}))
        return str(reply["text"])

    def _died(self) -> str:
        """Why the worker stopped, in one line."""
        status = self.proc.wait()
        self.errfile.seek(0)
        lines = [ln.strip() for ln in self.errfile.read().decode("utf-8", "replace").splitlines()]
        last = next((ln for ln in reversed(lines) if ln), "")
        how = f"was killed by signal {-status}" if status < 0 else f"exited with status {status}"
        return f"the report worker process (pid {self.proc.pid}) {how} before it wrote the report" + (
            f": {last}" if last else ""
        )

    def close(self) -> None:
        """End the worker process if it still runs, and wait for it (no process is left behind)."""
        proc = self.proc
        if proc.poll() is None:
            proc.kill()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
        proc.wait()
        self.errfile.close()


if __name__ == "__main__":
    sys.exit(serve())
