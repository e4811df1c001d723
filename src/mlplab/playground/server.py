"""The playground's web server: a Starlette app serving the static page, its menus (``/api/options``)
and one WebSocket (``/ws``) per browser tab, on uvicorn.

Messages are JSON objects with a ``type``. The page sends ``configure`` (``settings``: option names
and values), ``control`` (``action``: play, pause, step, epoch, reset), ``speed`` (``value``: batches
per second, 0 for as fast as possible) and ``export``. The server answers with ``ready`` (a new run:
its facts and points), ``epoch`` (one row of the curves), ``frame`` (the newest snapshot),
``export`` (command and script) and ``error`` (``message``: one line the page shows; the session
goes on as before).

Each tab's session trains in its own thread (:mod:`.session`); the event loop only moves messages.
Frames are coalesced: a slow page receives the newest frame, never a backlog.
"""

from __future__ import annotations

import asyncio
import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from ..errors import UserError
from ..registry import OptionError
from .build import build_run
from .export import export
from .session import SPEEDS, Session
from .settings import describe

STATIC = Path(str(resources.files("mlplab.playground") / "static"))
ACTIONS = ("play", "pause", "step", "epoch", "reset")
MAX_MESSAGE = 64 * 1024


class ProtocolError(ValueError):
    """A message the server cannot use; its text goes back to the page."""


def dumps(msg: dict[str, Any]) -> str:
    """``msg`` as JSON a browser can parse: NaN and infinities (a diverged run) become null."""
    try:
        return json.dumps(msg, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(msg), allow_nan=False)


def _finite(v: Any) -> Any:
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_finite(x) for x in v]
    return v


class Outbox:
    """Messages from a session's thread to its WebSocket: events queue up, frames coalesce."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.latest: str | None = None
        self.wake = asyncio.Event()

    def event(self, msg: dict[str, Any]) -> None:
        """Called from any thread: deliver ``msg`` in order."""
        self._call(self._put, dumps(msg))

    def frame(self, msg: dict[str, Any]) -> None:
        """Called from any thread: offer the newest frame (replaces an unsent one)."""
        self._call(self._offer, dumps(msg))

    def _call(self, fn: Any, text: str) -> None:
        try:
            self.loop.call_soon_threadsafe(fn, text)
        except RuntimeError:  # the loop is closed: the tab and its server are gone
            pass

    def _put(self, text: str) -> None:
        if text.startswith('{"type": "ready"'):
            self.latest = None  # a new run: the old run's unsent frame is stale
        self.queue.put_nowait(text)
        self.wake.set()

    def _offer(self, text: str) -> None:
        self.latest = text
        self.wake.set()

    async def pump(self, ws: WebSocket) -> None:
        """Send events first, then the newest frame, until cancelled."""
        while True:
            await self.wake.wait()
            self.wake.clear()
            while not self.queue.empty():
                await ws.send_text(self.queue.get_nowait())
            if self.latest is not None:
                text, self.latest = self.latest, None
                await ws.send_text(text)


def parse(text: Any) -> dict[str, Any]:
    """A page message as a dict with a known ``type`` and well-typed fields, else ProtocolError."""
    if not isinstance(text, str):
        raise ProtocolError("messages must be JSON text, got binary data")
    if len(text) > MAX_MESSAGE:
        raise ProtocolError(f"message too long ({len(text)} characters; at most {MAX_MESSAGE})")
    try:
        msg = json.loads(text)
    except ValueError as e:
        raise ProtocolError(f"malformed message (not JSON: {e})") from None
    if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
        raise ProtocolError('malformed message: expected an object with a "type", e.g. {"type": "control"}')
    kind = msg["type"]
    if kind == "configure":
        if not isinstance(msg.get("settings"), dict):
            raise ProtocolError('"configure" needs "settings": an object of options and values')
    elif kind == "control":
        if msg.get("action") not in ACTIONS:
            raise ProtocolError(
                f'"control" needs "action": one of {", ".join(ACTIONS)}; got {msg.get("action")!r}'
            )
    elif kind == "speed":
        v = msg.get("value")
        if isinstance(v, bool) or v not in SPEEDS:
            raise ProtocolError(f'"speed" needs "value": one of {", ".join(map(str, SPEEDS))}; got {v!r}')
    elif kind != "export":
        raise ProtocolError(f"unknown message type {kind!r}; valid: configure, control, speed, export")
    return msg


class Sessions:
    """The live sessions (tests read their count)."""

    def __init__(self) -> None:
        self.live: set[Session] = set()


async def _handle(msg: dict[str, Any], session: Session, out: Outbox) -> None:
    kind = msg["type"]
    if kind == "configure" or (kind == "control" and msg["action"] == "reset"):
        settings = (
            msg["settings"] if kind == "configure" else (session.built.settings if session.built else {})
        )
        try:
            built = await asyncio.to_thread(build_run, settings)
        except (UserError, OptionError, ValueError, TypeError) as e:
            out.event({"type": "error", "message": str(e)})
            return
        session.load(built)
    elif kind == "control":
        if session.built is None:
            out.event({"type": "error", "message": "no run yet: send the settings first"})
            return
        if session.status in ("finished", "diverged") and msg["action"] in ("play", "step", "epoch"):
            done = len(session.history)
            if session.status == "finished":
                text = f"this run finished its {done} epochs: raise epochs for a longer run, or Reset"
            else:
                text = "this run diverged: lower lr (or change the init) for a new run, or Reset"
            out.event({"type": "error", "message": text})
            return
        session.control(msg["action"])
    elif kind == "speed":
        session.set_speed(msg["value"])
    elif kind == "export":
        b = session.built
        if b is None:
            out.event({"type": "error", "message": "no run to export yet"})
            return
        out.event({"type": "export", **export(b.cfg, len(session.history))})


async def websocket(ws: WebSocket) -> None:
    """One tab: its session lives as long as the socket."""
    await ws.accept()
    out = Outbox(asyncio.get_running_loop())
    session = Session(out.event, out.frame)
    registry: Sessions = ws.app.state.sessions
    registry.live.add(session)
    pump = asyncio.create_task(out.pump(ws))
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            try:
                msg = parse(message.get("text") if message.get("text") is not None else message.get("bytes"))
            except ProtocolError as e:
                out.event({"type": "error", "message": str(e)})
                continue
            await _handle(msg, session, out)
    except WebSocketDisconnect:
        pass
    finally:
        pump.cancel()
        registry.live.discard(session)
        session.stop()  # the worker ends at its next pause point, within one batch
        await asyncio.to_thread(session.thread.join, 5.0)


async def index(request: Any) -> FileResponse:
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})


async def options(request: Any) -> JSONResponse:
    return JSONResponse(describe())


def create_app() -> Starlette:
    """The playground's ASGI app."""
    app = Starlette(
        routes=[
            Route("/", index),
            Route("/api/options", options),
            WebSocketRoute("/ws", websocket),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]
    )
    app.state.sessions = Sessions()
    return app


def _check_free(host: str, port: int) -> None:
    """Refuse in one line a port that another program holds (before anything is printed)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            raise UserError(f"cannot listen on {host}:{port} ({e.strerror}); pick another --port") from None


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = True) -> None:
    """Run the playground on uvicorn until Ctrl-C; opens the page in the default browser."""
    import threading
    import webbrowser

    import uvicorn

    _check_free(host, port)
    build_run({})  # import the data and training stack now, not while the first tab waits
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    if open_browser:
        threading.Timer(1.0, webbrowser.open, (url,)).start()
    print(f"mlplab playground on {url}  (Ctrl-C to stop)", flush=True)
    uvicorn.run(
        create_app(),
        host=host,
        port=port,
        log_level="warning",
        ws_max_size=MAX_MESSAGE * 2,
        timeout_graceful_shutdown=3,
    )
