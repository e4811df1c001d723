"""The playground's server over its WebSocket (Starlette's TestClient, no browser): menus from the
registries, bad settings and malformed messages answered with a message while the session goes on,
a closed tab's worker freed, memory flat over 100 sessions."""

from __future__ import annotations

import gc
import json
import os
import threading
import time
import warnings
import weakref

import pytest

with warnings.catch_warnings():  # Starlette 1.10 would rather have httpx2; httpx 0.28 works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from mlplab import optim
from mlplab.playground import create_app
from mlplab.playground.settings import MAX_WIDTH
from mlplab.train import ACTIVATIONS, INITIALIZERS, OPTIMIZERS, SCHEDULERS
from mlplab.train.optimizers import LR

SMALL = {"dataset": "spiral", "n_samples": 120, "hidden": [8, 8], "batch_size": 16, "epochs": 3}


def _not_json(name: str) -> None:
    raise AssertionError(f"the server sent {name}, which a browser's JSON.parse refuses")


def until(ws, kind: str, pred=lambda m: True, limit: int = 5000) -> dict:
    """The next message of type ``kind`` satisfying ``pred`` (errors for other kinds fail)."""
    for _ in range(limit):
        m = json.loads(ws.receive_text(), parse_constant=_not_json)
        if m["type"] == kind and pred(m):
            return m
        if m["type"] == "error" and kind != "error":
            raise AssertionError(f"unexpected error: {m['message']}")
    raise AssertionError(f"no {kind} message in {limit}")


@pytest.fixture
def client():
    with TestClient(create_app()) as c:
        yield c


def test_menus_come_from_the_registries(client):
    OPTIMIZERS.add("toy_sgd", optim.SGD, "a toy registered by a test", (LR,))
    try:
        d = client.get("/api/options").json()
    finally:
        OPTIMIZERS.remove("toy_sgd")
    assert [e["name"] for e in d["optimizers"]] == [*OPTIMIZERS.names(), "toy_sgd"]
    assert [e["name"] for e in d["schedulers"]] == SCHEDULERS.names()
    two_d = ["circles", "xor", "gaussians", "spiral", "moons", "blobs"]
    assert [e["name"] for e in d["datasets"]] == [*two_d, "digits"]
    adam = next(e for e in d["optimizers"] if e["name"] == "adam")
    assert {o["name"]: o["default"] for o in adam["options"]}["betas"] == [0.9, 0.999]
    assert client.get("/").status_code == 200 and "mlplab playground" in client.get("/").text
    for f in ("app.js", "draw.js", "form.js", "style.css"):
        assert client.get(f"/static/{f}").status_code == 200


def test_step_and_epoch_controls(client):
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "configure", "settings": SMALL})
        ready = until(ws, "ready")
        assert ready["run"]["batches_per_epoch"] == 6 and ready["run"]["sizes"] == {"train": 84, "test": 36}
        first = until(ws, "frame")
        assert first["steps"] == 0 and first["status"] == "paused"
        for _ in range(2):  # two quick clicks, two steps
            ws.send_json({"type": "control", "action": "step"})
        f = until(ws, "frame", lambda m: m["steps"] == 2 and m["status"] == "paused")
        assert f["epoch"] == 0 and f["batch"] == 2
        ws.send_json({"type": "control", "action": "epoch"})
        row = until(ws, "epoch")["row"]
        assert row["epoch"] == 1 and set(row) >= {"train_loss", "train_acc", "test_loss", "test_acc", "lr"}
        f = until(ws, "frame", lambda m: m["epoch"] == 1)
        assert f["steps"] == 6 and f["batch"] == 0 and f["status"] == "paused"
        assert len(f["layers"]) == 3 and 0 <= f["layers"][0]["dead"] <= 1
        assert f["boundary"]["size"] == 64 and len(f["units"]) == 2
        for _ in range(2):  # two quick clicks, two epochs; the last epoch finishes the run
            ws.send_json({"type": "control", "action": "epoch"})
        assert [until(ws, "epoch")["row"]["epoch"] for _ in range(2)] == [2, 3]
        assert until(ws, "frame", lambda m: m["status"] == "finished")["steps"] == 18


def test_invalid_settings_and_malformed_messages_get_a_message_and_the_session_goes_on(client):
    bad = [
        ({"type": "configure", "settings": {**SMALL, "lr": -0.1}}, "option 'lr' must be a finite number > 0"),
        ({"type": "configure", "settings": {**SMALL, "optimizer": "adamm"}}, "unknown optimizer 'adamm'"),
        ({"type": "configure", "settings": {**SMALL, "hidden": [1_000_000]}}, f"at most {MAX_WIDTH} units"),
        ({"type": "configure", "settings": {**SMALL, "hidden": [8] * 50}}, "at most 6 hidden layers"),
        ({"type": "configure", "settings": {**SMALL, "n_samples": 10**7}}, "samples must be in"),
        ({"type": "configure", "settings": {**SMALL, "loss": "bce"}}, "needs a binary task"),
        ({"type": "configure", "settings": {**SMALL, "val_size": 0.5}}, "the playground sets val_size"),
        ({"type": "configure", "settings": "lr=1"}, '"configure" needs "settings"'),
        ({"type": "control", "action": "fly"}, '"control" needs "action": one of play, pause'),
        ({"type": "speed", "value": -3}, '"speed" needs "value"'),
        ({"type": "teleport"}, "unknown message type 'teleport'"),
        ([1, 2], "malformed message"),
    ]
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "configure", "settings": SMALL})
        until(ws, "frame")
        for msg, expected in bad:
            ws.send_json(msg)
            assert expected in until(ws, "error")["message"], msg
        for raw in ("{not json", '"just a string"'):
            ws.send_text(raw)
            assert "malformed message" in until(ws, "error")["message"]
        ws.send_bytes(b"\x00\x01")
        assert "binary" in until(ws, "error")["message"]
        ws.send_json({"type": "control", "action": "step"})  # the run from before the errors goes on
        f = until(ws, "frame", lambda m: m["steps"] == 1)
        assert f["status"] == "paused"


def test_a_closed_tab_frees_its_worker(client):
    sessions = client.app.state.sessions.live
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "configure", "settings": {**SMALL, "epochs": 10_000}})
        until(ws, "frame")
        ws.send_json({"type": "control", "action": "play"})
        until(ws, "epoch", lambda m: m["row"]["epoch"] >= 2)
        (session,) = sessions
        assert session.thread.is_alive()
        model = weakref.ref(session.built.model)
    deadline = time.monotonic() + 10
    while (sessions or session.thread.is_alive()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not sessions and not session.thread.is_alive()
    assert session.built is None
    gc.collect()
    assert model() is None  # nothing holds the closed tab's model any more


def _rss_mib() -> float:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _open_train_close(client, n: int) -> None:
    for i in range(n):
        with client.websocket_connect("/ws") as ws:
            ws.send_json({"type": "configure", "settings": {**SMALL, "seed": i}})
            until(ws, "frame")
            ws.send_json({"type": "control", "action": "epoch"})
            until(ws, "frame", lambda m: m["epoch"] == 1)


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads memory from /proc")
def test_100_sessions_opened_and_closed_leave_memory_flat(client):
    sessions = client.app.state.sessions.live
    _open_train_close(client, 20)  # warm-up: imports, caches, allocator pools
    gc.collect()
    before = _rss_mib()
    t0 = time.perf_counter()
    _open_train_close(client, 100)
    seconds = time.perf_counter() - t0
    deadline = time.monotonic() + 10
    while sessions and time.monotonic() < deadline:
        time.sleep(0.02)
    gc.collect()
    after = _rss_mib()
    workers = [t for t in threading.enumerate() if t.name == "mlplab-playground-session"]
    print(f"100 sessions: {seconds:.1f} s, RSS {before:.1f} -> {after:.1f} MiB, {len(workers)} workers")
    assert not sessions and not workers
    assert after - before < 15, f"RSS grew {after - before:.1f} MiB over 100 sessions"


def _variants() -> list[dict]:
    """One run per optimiser, schedule, initialiser and activation of the registries, plus the
    switches and digits (new registry entries join automatically)."""
    out = [{"optimizer": n} for n in OPTIMIZERS.names()]
    out += [{"scheduler": n} for n in SCHEDULERS.names()]
    out += [{"init": n} for n in INITIALIZERS.names()]
    out += [{"activation": n} for n in ACTIVATIONS.names()]
    out += [
        {"batchnorm": True, "dropout": 0.3},
        {"loss": "mse", "l1": 1e-3, "l2": 1e-3},
        {"batch_size": "full"},
    ]
    out += [{"dataset": d} for d in ("circles", "xor", "gaussians", "moons", "blobs")]
    return out


def test_every_registry_entry_trains_an_epoch_in_one_session(client):
    with client.websocket_connect("/ws") as ws:
        for v in _variants():
            ws.send_json({"type": "configure", "settings": {**SMALL, **v}})
            assert until(ws, "ready")["settings"] == {**SMALL, **v}
            until(ws, "frame", lambda m: m["steps"] == 0)
            ws.send_json({"type": "control", "action": "epoch"})
            row = until(ws, "epoch")["row"]
            assert row["epoch"] == 1 and 0 <= row["test_acc"] <= 1, v
        ws.send_json({"type": "configure", "settings": {"dataset": "digits", "hidden": [16]}})
        ready = until(ws, "ready")
        assert ready["run"]["two_d"] is False and ready["points"] == {}
        f = until(ws, "frame")
        assert len(f["confusion"]) == 10 and sum(map(sum, f["confusion"])) == 540  # 30% of 1797
        assert f["units"][0]["size"] == 8 and f["units"][0]["units"] == 16
        assert len(f["mistakes"]["true"]) == 24  # untrained: at most 24 of the many mistakes


def test_a_diverged_run_says_so_and_a_new_one_trains(client):
    with client.websocket_connect("/ws") as ws:
        ws.send_json(
            {"type": "configure", "settings": {**SMALL, "optimizer": "sgd", "lr": 1e10, "init": "normal"}}
        )
        until(ws, "frame")
        ws.send_json({"type": "control", "action": "play"})
        assert "the run diverged - try a lower learning rate (lr)" in until(ws, "error")["message"]
        assert until(ws, "frame", lambda m: m["status"] == "diverged")["epoch"] == 0
        ws.send_json({"type": "control", "action": "play"})
        assert "this run diverged: lower lr" in until(ws, "error")["message"]
        ws.send_json({"type": "configure", "settings": SMALL})
        until(ws, "ready")
        ws.send_json({"type": "control", "action": "epoch"})
        assert until(ws, "epoch")["row"]["epoch"] == 1
