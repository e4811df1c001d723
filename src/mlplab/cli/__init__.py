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
import gc
import importlib
import os
import sys
from typing import Any

from .report_process import ReportWorker

__all__ = ["FULL_COLLECTION_EVERY", "app", "command", "main"]

#: the ``mlplab`` program's third threshold of Python's cyclic garbage collector
#: (:func:`gc.set_threshold`): a full (generation-2) collection is considered once every this many
#: generation-1 collections, instead of Python's default 10. See :func:`_collect_rarely`.
FULL_COLLECTION_EVERY = 100

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
    end of the process without the interpreter's teardown (see :func:`_end_process`), with full
    garbage collections made rarer (:func:`_collect_rarely`)."""
    _collect_rarely()
    atexit.register(_end_process)  # registered before the run's own handlers, so it runs after them
    try:
        main()
    except SystemExit as e:
        _EXIT_STATUS.append(e.code if isinstance(e.code, int) else 0 if e.code is None else 1)
        raise


def _collect_rarely() -> None:
    """Make the ``mlplab`` program's full garbage collections rarer: the collector's thresholds
    ``(g0, g1, g2)`` become ``(g0, g1, FULL_COLLECTION_EVERY)``, so a full collection, which walks
    every tracked object of the process (all that Typer, matplotlib and tensorboardX left), is
    considered once every ``g0 * g1 * FULL_COLLECTION_EVERY`` net allocations of tracked objects
    instead of every ``g0 * g1 * 10``. Young collections, which free the cycles a training step
    leaves, are unchanged. A ``mlplab train --epochs 20`` on digits made two full collections after
    its start (0.07-0.20 s together, measured under load) and makes none with it; its files are the
    same. Only
    :func:`command` calls it: importing :mod:`mlplab` or :mod:`mlplab.cli` leaves the collector as
    Python set it."""
    g0, g1, _ = gc.get_threshold()
    gc.set_threshold(g0, g1, FULL_COLLECTION_EVERY)


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
