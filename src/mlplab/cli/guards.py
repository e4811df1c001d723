"""What keeps the command line to one line and an exit status: errors described in one line,
SIGTERM treated as Ctrl-C, and a standard output that survives its reader going away."""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

import typer


def describe_error(e: BaseException) -> str:
    """One line for a file-system or resource error: what failed, on which file."""
    if isinstance(e, MemoryError):
        return (
            f"out of memory{': ' + str(e) if str(e) else ''}; expected a model and data that fit in "
            "memory - try smaller --hidden or --batch-size"
        )
    if isinstance(e, OSError) and e.strerror:
        where = f": {e.filename}" if e.filename else ""
        return f"{e.strerror}{where}"
    text = str(e).splitlines()[0] if str(e) else ""
    return text or type(e).__name__


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def on_sigterm() -> Any:
    """Treat SIGTERM as Ctrl-C (last finished epoch kept, exit 130); returns the old handler."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _interrupt)


def stderr_line(text: str) -> None:
    """Write one line on stderr; a closed stderr is not worth a traceback."""
    try:
        typer.echo(text, err=True)
    except (OSError, ValueError):  # pragma: no cover
        pass


class PipeGuard:
    """Standard output that survives its reader going away (``mlplab train | head -1``).

    The first ``BrokenPipeError`` turns the stream into a sink (its descriptor is pointed at
    ``/dev/null`` so the interpreter's final flush is silent) and the command goes on: a training
    run finishes and writes its run directory rather than dying with the pipe.
    """

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.broken = False

    def _lost(self) -> None:
        self.broken = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return int(self.stream.write(text))
            except BrokenPipeError:
                self._lost()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._lost()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)
