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

import os
import signal
import sys

import typer

try:  # Typer >= 0.2x vendors Click; older releases depend on it
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover
    from click import exceptions as _cx

from ..train.report_worker import ReportWorker
from . import commands as commands
from . import playground_command as playground_command
from . import train_command
from .app import app
from .compare_command import describe_compare
from .guards import PipeGuard, describe_error, on_sigterm, stderr_line
from .train_command import describe_train

__all__ = ["app", "main"]

_Abort = getattr(typer, "Abort", KeyboardInterrupt)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the Typer app, turning user errors into one line and exit status 2.

    ``mlplab train`` run as a command (``argv`` None: the console script or ``python -m
    mlplab.cli``) starts a report worker process first (:mod:`mlplab.train.report_worker`): it
    imports matplotlib and scikit-learn's metrics while the run trains, then draws the figures and
    the report. ``MLPLAB_REPORT_WORKER=0`` turns it off, ``=1`` turns it on for ``main(argv)``."""
    args = sys.argv[1:] if argv is None else argv
    worker = _report_worker(args, default=argv is None)
    try:
        _main(args)
    finally:
        if worker is not None:
            train_command.use_report_worker(None)
            worker.close()


def _report_worker(args: list[str], default: bool) -> ReportWorker | None:
    """Start a report worker for a ``train`` command that will report (None otherwise)."""
    setting = os.environ.get("MLPLAB_REPORT_WORKER", "").strip()
    wanted = default if setting == "" else setting != "0"
    if not wanted or not args or args[0] != "train" or {"--help", "-h"} & set(args):
        return None
    worker = ReportWorker.start()
    train_command.use_report_worker(worker)
    return worker


def _main(args: list[str]) -> None:
    describe_train()
    describe_compare()
    cmd = typer.main.get_command(app)
    if not args:
        args = ["--help"]
    guard = PipeGuard(sys.stdout)
    sys.stdout = guard  # type: ignore[assignment]
    term = on_sigterm()
    try:
        rv = cmd.main(args=args, prog_name="mlplab", standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
    except typer.Exit as e:
        code = e.exit_code
    except _Abort:
        typer.echo("mlplab: aborted", err=True)
        code = 130
    except _cx.UsageError as e:
        msg = e.format_message().replace("\n", " ")
        typer.echo(f"mlplab: error: {msg}", err=True)
        code = 2
    except (ValueError, OSError, MemoryError) as e:
        stderr_line(f"mlplab: error: {describe_error(e)}")
        code = 2
    except KeyboardInterrupt:
        stderr_line("mlplab: interrupted")
        code = 130
    finally:
        sys.stdout = guard.stream
        if term is not None:
            signal.signal(signal.SIGTERM, term)
    sys.exit(code)
