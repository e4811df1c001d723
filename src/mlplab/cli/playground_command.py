"""``mlplab playground``: the web page where a network trains live (see :mod:`mlplab.playground`)."""

from __future__ import annotations

import typer

from .app import app
from .guards import stderr_line

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@app.command()
def playground(
    port: int = typer.Option(8765, help="the port to listen on"),
    host: str = typer.Option(
        "127.0.0.1", help="the address to listen on; anything but this machine (127.0.0.1) is warned about"
    ),
    no_browser: bool = typer.Option(False, "--no-browser", help="do not open the page in a browser"),
) -> None:
    """Watch a network learn, live in the browser: pick data, layers, optimiser and schedule, press
    play; the decision boundary, every unit, the curves and the per-layer statistics update as it
    trains. Serves http://127.0.0.1:PORT/ until Ctrl-C."""
    from ..playground import serve

    if not 0 <= port <= 65535:
        raise typer.BadParameter(f"must be in [0, 65535], got {port}", param_hint="--port")
    if host not in LOCAL_HOSTS:
        stderr_line(
            f"mlplab: warning: listening on {host}: anyone who can reach this address can start training "
            "runs on this machine; the playground has no login"
        )
    serve(host=host, port=port, open_browser=not no_browser)
