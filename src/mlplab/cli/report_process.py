"""The run's side of the report worker (:mod:`mlplab.train.report_worker`): ``mlplab train``
starts it first thing, before the command line's own imports, and the run hands it the test
split's labels at the end (``Run(..., reporter=worker)``) for scikit-learn's report and confusion
matrix.

An error in the worker's job is raised here as the run's own process would have raised it (an
``OSError`` with its errno, message and file name, a ``MemoryError``, a ``ValueError``), any other
as a ``RuntimeError`` carrying the worker's traceback. A worker that stops without replying raises
:class:`ReportWorkerError`, an ``OSError``: the command prints it on one line, exits with status
2, keeps the finished epochs and says how to resume (the resumed run writes the report).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

__all__ = ["ReportWorker", "ReportWorkerError"]

#: the worker's main: mlplab and mlplab.train as bare packages (their ``__init__`` imports the
#: whole library, which the worker does not need), then report_worker.serve(). ``-c`` puts the
#: current directory first on sys.path; mlplab's own root takes its place. The cyclic garbage
#: collector is off: the worker lives for one job, and its collections while importing
#: scikit-learn's metrics cost ~5% of its CPU time (measured under load).
_BOOT = """\
import gc, os, sys, types
gc.disable()
root = sys.argv[1]
sys.path[0] = root
for name in ("mlplab", "mlplab.train"):
    package = types.ModuleType(name)
    package.__path__ = [os.path.join(root, *name.split("."))]
    sys.modules[name] = package
from mlplab.train.report_worker import serve
sys.exit(serve())
"""


class ReportWorkerError(OSError):
    """The report worker process stopped without replying."""


class ReportWorker:
    """A report worker process. :meth:`start` starts one (None where no process can be started:
    the run then computes everything itself); :meth:`submit` sends the job, :meth:`result` waits
    for the reply; :meth:`close` ends the process if it still runs (the command always calls it)."""

    def __init__(self, proc: subprocess.Popen[str], errfile: IO[bytes]) -> None:
        self.proc = proc
        self.errfile = errfile
        self.used = False

    @classmethod
    def start(cls) -> ReportWorker | None:
        """Start the worker on this mlplab (the package's own root), in its own session so that
        the terminal's Ctrl-C reaches the run only; its stderr goes to a temporary file."""
        root = str(Path(__file__).resolve().parents[2])
        errfile = tempfile.TemporaryFile()
        try:
            proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT, root],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errfile,
                text=True,
                encoding="utf-8",
                start_new_session=True,
            )
        except OSError:
            errfile.close()
            return None
        return cls(proc, errfile)

    def submit(self, job: dict[str, Any]) -> None:
        """Send ``job`` (see ``mlplab.train.report_worker.run_job``); :meth:`result` waits for the
        reply. A worker takes one job."""
        if self.used:
            raise RuntimeError("a report worker takes one job; this one has had its job")
        self.used = True
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(job) + "\n")
            self.proc.stdin.close()
        except BrokenPipeError:
            pass  # it is gone: result() says how

    def result(self) -> dict[str, Any]:
        """Wait for the reply to the job :meth:`submit` sent; the job's error is raised here."""
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise ReportWorkerError(self._died())
        reply = json.loads(line)
        self.close()
        if not reply.get("ok"):
            _raise(reply.get("error") or {})
        return dict(reply)

    def _died(self) -> str:
        """Why the worker stopped, in one line (its exit status, its last line on stderr)."""
        status = self.proc.wait()
        self.errfile.seek(0)
        lines = self.errfile.read().decode("utf-8", "replace").splitlines()
        last = next((ln.strip() for ln in reversed(lines) if ln.strip()), "")
        how = f"was killed by signal {-status}" if status < 0 else f"exited with status {status}"
        return f"the report worker process (pid {self.proc.pid}) {how} before it wrote the report" + (
            f": {last}" if last else ""
        )

    def close(self) -> None:
        """End the worker if it still runs, and reap it: no process is left behind."""
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


def _raise(rec: dict[str, Any]) -> None:
    """Raise, in the run's process, the error the worker's job raised."""
    kind, message = rec.get("kind"), rec.get("message", "")
    if kind == "OSError":
        if rec.get("errno") is not None and rec.get("strerror"):
            args = (rec["errno"], rec["strerror"]) + ((rec["filename"],) if rec.get("filename") else ())
            raise OSError(*args)  # OSError(errno, ...) is the errno's subclass, as the job raised
        raise OSError(message)
    if kind == "MemoryError":
        raise MemoryError(message)
    if kind == "ValueError":
        raise ValueError(message)
    raise RuntimeError(
        f"the report worker failed: {rec.get('type')}: {message}\n"
        f"worker traceback:\n{rec.get('traceback', '')}"
    )
