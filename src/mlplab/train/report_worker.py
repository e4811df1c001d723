"""The report worker's side: a process that imports scikit-learn's metrics while the run trains,
then computes the test split's classification report and confusion matrix.

``import sklearn.metrics`` (with the SciPy it loads) costs about 1 s on the development machine,
ten times the default run's training; in the run's own process it comes after the last epoch.
Started at the beginning of the command (:mod:`mlplab.cli.report_process` starts it and talks to
it), the worker imports it on the machine's other core while the run trains; the run draws the
figures itself meanwhile (matplotlib, ~0.4 s, stays in the run's process: the two halves then take
about as long). The tables are scikit-learn's own (:func:`.render.classification_tables`), so the
report and the figure are the same as when the run computes them itself.

The worker loads this module, :mod:`.render` and :mod:`.figures` without running mlplab's
``__init__`` (which imports the whole library, ~0.4 s it does not need): they import nothing of
mlplab beyond each other.

Protocol: one JSON line on standard input (the job: ``y``, ``pred`` as :func:`array_to_json`
writes them, ``class_names``), one JSON line back on standard output: ``{"ok": true, "text": ...,
"cm": ...}`` or ``{"ok": false, "error": {...}}`` (the error's type, message, errno and file name,
and its traceback). The worker ignores SIGINT (Ctrl-C is the run's to handle; the run ends the
worker), exits when its standard input closes without a job (a run killed by SIGKILL leaves no
worker behind), and keeps its standard output for the reply.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import traceback
from typing import IO, Any

import numpy as np

__all__ = ["array_from_json", "array_to_json", "run_job", "serve"]


def array_to_json(a: np.ndarray) -> dict[str, Any]:
    """An array as JSON, exactly: ``tolist`` gives Python ints and floats, whose JSON text reads
    back to the same values (NaN and infinities included), with the dtype and shape beside them."""
    a = np.asarray(a)
    return {"dtype": a.dtype.str, "shape": list(a.shape), "data": a.tolist()}


def array_from_json(d: dict[str, Any]) -> np.ndarray:
    """The array :func:`array_to_json` wrote."""
    return np.asarray(d["data"], dtype=np.dtype(d["dtype"])).reshape(d["shape"])


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """scikit-learn's classification report and confusion matrix of the job's labels."""
    from .render import classification_tables

    y, pred = array_from_json(job["y"]), array_from_json(job["pred"])
    text, cm = classification_tables(y, pred, job["class_names"])
    return {"text": text, "cm": array_to_json(cm)}


def _warm_up() -> None:
    """Import what the job needs while the run trains (an import error shows when the job runs)."""
    try:
        import sklearn.metrics  # noqa: F401

        from . import render  # noqa: F401
    except ImportError:  # pragma: no cover - the job raises it again, and the run reports it
        pass


def error_record(e: BaseException) -> dict[str, Any]:
    """What the run needs to raise ``e`` again (see ``mlplab.cli.report_process``)."""
    rec: dict[str, Any] = {"type": type(e).__name__, "message": str(e)}
    if isinstance(e, OSError):
        rec.update(kind="OSError", errno=e.errno, strerror=e.strerror, filename=e.filename)
    elif isinstance(e, (MemoryError, ValueError)):
        rec["kind"] = "MemoryError" if isinstance(e, MemoryError) else "ValueError"
    else:
        rec["kind"] = "other"
    rec["traceback"] = "".join(traceback.format_exception(e))
    return rec


def serve(stdin: IO[str] | None = None) -> int:
    """The worker's main: warm up, read one job, reply. Returns the exit status."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    reply = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # a stray print goes to stderr and cannot corrupt the reply
    sys.stdout = sys.stderr
    _warm_up()
    line = (stdin or sys.stdin).readline()
    if not line.strip():
        return 0  # the run ended (or was killed) with no report to draw
    try:
        out: dict[str, Any] = {"ok": True, **run_job(json.loads(line))}
    except BaseException as e:  # noqa: BLE001 - every error goes back to the run
        out = {"ok": False, "error": error_record(e)}
    try:
        reply.write(json.dumps(out) + "\n")
        reply.flush()
    except OSError:  # the run went away
        return 1
    return 0
