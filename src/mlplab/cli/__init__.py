"""``mlplab`` command line: ``train`` (the main job), ``evaluate``, ``predict``, ``lab``,
``compare`` and ``playground``.

Every error a user can fix, and every file-system or resource failure (a full disk, a denied or
missing path, MemoryError), is printed as one line on stderr with exit status 2, naming the last
finished epoch that is kept; Ctrl-C during training keeps the last finished epoch, prints the resume
command and exits with 130. A new run that stops before its first epoch finishes leaves no run
directory behind.

A run directory is locked (``RUN/.lock``) while a run or a resume uses it; a second one is refused.
``--resume`` of a finished run says so and changes nothing.

When standard output is closed under a running command (``mlplab train | head -1``), the output is
dropped and the command goes on: the training finishes and its run directory is complete (exit 0).
"""

from __future__ import annotations

import atexit
import importlib
import os
import sys
from typing import Any

from .report_process import ReportWorker

__all__ = ["app", "command", "main"]

#: the Typer app and the modules that build it, imported on first use: ``mlplab train`` starts its
#: report worker before them
_LAZY = ("app", "commands", "compare_command", "entry", "guards", "playground_command", "train_command")


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    entry = importlib.import_module(".entry", __name__)
    globals()["app"] = entry.app  # the Typer app, not the module mlplab.cli.app of the same name
    return globals()[name] if name == "app" else importlib.import_module(f".{name}", __name__)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the Typer app, turning user errors into one line and exit status 2.

    ``mlplab train`` run as a command (``argv`` None: the console script or ``python -m
    mlplab.cli``) first starts a report worker process (:mod:`mlplab.train.report_worker`): it
    imports scikit-learn's metrics while the run trains, then computes the classification report
    and the confusion matrix. ``MLPLAB_REPORT_WORKER=0`` turns it off, ``=1`` turns it on for
    ``main(argv)``."""
    args = sys.argv[1:] if argv is None else list(argv)
    worker = _report_worker(args, default=argv is None)
    from . import entry, train_command

    train_command.use_report_worker(worker)
    try:
        entry.run_command_line(args)
    finally:
        if worker is not None:
            train_command.use_report_worker(None)
            worker.close()


def command() -> None:
    """The ``mlplab`` program (the console script, ``python -m mlplab.cli``): :func:`main`, then the
    end of the process without the interpreter's teardown (see :func:`_end_process`)."""
    atexit.register(_end_process)  # registered before the run's own handlers, so it runs after them
    try:
        main()
    except SystemExit as e:
        _EXIT_STATUS.append(e.code if isinstance(e.code, int) else 0 if e.code is None else 1)
        raise


#: the status of the command this process ran (see _end_process)
_EXIT_STATUS: list[int] = []


def _end_process() -> None:
    """The last exit handler of the ``mlplab`` program (:func:`command`): once the command has
    finished (its files closed, its threads joined, the other exit handlers run), flush the
    standard streams and end the process with the command's status, skipping the interpreter's
    teardown of every module it imported. That teardown does nothing a finished command needs and
    took ~0.35 s of a ``mlplab train`` (1 s when the run imported scikit-learn itself), measured
    under load. A command that did not finish (an uncaught error) exits the usual way."""
    if not _EXIT_STATUS:
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(_EXIT_STATUS[-1])


def _report_worker(args: list[str], default: bool) -> ReportWorker | None:
    """Start a report worker for a ``train`` command line (None for any other, for ``--help``,
    where ``MLPLAB_REPORT_WORKER=0``, or where no process can be started)."""
    setting = os.environ.get("MLPLAB_REPORT_WORKER", "").strip()
    wanted = default if setting == "" else setting != "0"
    if not wanted or not args or args[0] != "train" or {"--help", "-h"} & set(args):
        return None
    return ReportWorker.start()
