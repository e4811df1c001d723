"""The Typer side of :func:`mlplab.cli.main`: the app with every command registered, and the
run of one command line (errors to one line and an exit status)."""

from __future__ import annotations

import signal
import sys

import typer

try:  # Typer >= 0.2x vendors Click; older releases depend on it
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover
    from click import exceptions as _cx

from . import commands as commands
from . import playground_command as playground_command
from .app import app
from .compare_command import describe_compare
from .guards import PipeGuard, describe_error, on_sigterm, stderr_line
from .train_command import describe_train

__all__ = ["app", "run_command_line"]

_Abort = getattr(typer, "Abort", KeyboardInterrupt)


def run_command_line(args: list[str]) -> None:
    """Run one command line (``mlplab ARGS``); exits with its status (SystemExit)."""
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
