"""The playground in a real browser (headless Chromium via Playwright, the ``browser`` fixture),
against ``mlplab playground`` started as a user starts it."""

from __future__ import annotations

import contextlib
import io
import json
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

SPIRAL = "dataset=spiral&n_samples=500&hidden=8,8&activation=relu&optimizer=adam&lr=0.01&batch_size=16"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """``mlplab playground --no-browser`` in a subprocess (same PYTHONPATH as the tests); its URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlplab.cli", "playground", "--no-browser", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "api/options", timeout=1).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"the playground did not start: {proc.communicate()[0]}")
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def page(browser, server):
    """A 1400x900 tab that records console errors and page errors in ``page.errors``."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    p = context.new_page()
    p.errors = []
    p.on("console", lambda m: p.errors.append(m.text) if m.type == "error" else None)
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    yield p
    context.close()


def open_page(page, server: str, query: str = SPIRAL) -> None:
    page.goto(f"{server}?{query}")
    page.wait_for_function("window.playground.frames > 0 && window.playground.status === 'paused'")


def drawn(page) -> None:
    """Wait until the page has drawn what it received (it draws on the next animation frame)."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())))")


def state(page, expr: str):
    return page.evaluate(f"window.playground.{expr}")


def play_until(page, condition: str, timeout: float = 30_000) -> None:
    page.click("#play")
    page.wait_for_function(condition, timeout=timeout)
    page.click("#play")  # pause
    page.wait_for_function("window.playground.status === 'paused'")


def test_page_loads_without_console_errors(page, server):
    open_page(page, server)
    assert page.title() == "mlplab playground"
    assert page.input_value("#f-dataset") == "spiral" and page.input_value("#f-optimizer") == "adam"
    names = page.eval_on_selector_all("#f-optimizer option", "os => os.map(o => o.value)")
    assert names[:3] == ["sgd", "momentum", "adagrad"] and "lbfgs" in names
    assert page.errors == []


def _distinct_colours(page, selector: str) -> int:
    return page.eval_on_selector(
        selector,
        """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, s = new Set();
                   for (let i = 0; i < d.length; i += 4 * 97) s.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]);
                   return s.size; }""",
    )


def test_spiral_reaches_test_accuracy_0_9_and_pause_stops_updates(page, server):
    open_page(page, server)
    play_until(page, "Number(document.querySelector('#test-acc').textContent) >= 0.9")
    assert float(page.inner_text("#test-acc")) >= 0.9
    assert _distinct_colours(page, "#boundary") > 20  # the heat map under the points, not a blank canvas
    assert page.locator("#units canvas").count() == 16  # 2 layers x 8 units
    time.sleep(0.3)
    frames, steps = state(page, "frames"), state(page, "frame.steps")
    time.sleep(1.0)
    assert (state(page, "frames"), state(page, "frame.steps")) == (frames, steps)
    assert page.inner_text("#status") == "paused" and page.errors == []


def test_reset_reinitialises(page, server):
    open_page(page, server)
    initial = state(page, "frame.test.loss")
    play_until(page, "window.playground.history.length >= 3")
    assert state(page, "frame.test.loss") != initial
    page.click("#reset")
    page.wait_for_function("window.playground.frame && window.playground.frame.steps === 0")
    assert state(page, "frame.test.loss") == initial  # the same seed: the same first weights
    drawn(page)
    assert state(page, "history.length") == 0 and page.inner_text("#epoch-count") == "0"


def test_two_tabs_train_independently(page, browser, server):
    other = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        open_page(page, server)
        open_page(other, server, "dataset=xor&hidden=4&optimizer=sgd&lr=0.1")
        page.click("#play")
        page.wait_for_function("window.playground.history.length >= 3")
        assert state(other, "frame.steps") == 0 and state(other, "status") == "paused"
        other.click("#play")
        other.wait_for_function("window.playground.history.length >= 2")
        page.click("#play")  # pausing one tab leaves the other running
        page.wait_for_function("window.playground.status === 'paused'")
        steps = state(other, "frame.steps")
        other.wait_for_function(f"window.playground.frame.steps > {steps}")
        assert state(other, "run.params") == 2 * 4 + 4 + 4 * 2 + 2  # xor: 2-4-2
        assert state(page, "run.params") == 2 * 8 + 8 + 8 * 8 + 8 + 8 * 3 + 3
    finally:
        other.close()


def test_invalid_setting_shows_a_message_and_the_session_goes_on(page, server):
    open_page(page, server)
    page.fill("#f-lr", "-1")
    page.press("#f-lr", "Tab")
    page.wait_for_selector("#message:not([hidden])")
    assert "option 'lr' must be a finite number > 0, got -1.0" in page.inner_text("#message-text")
    page.fill("#f-lr", "0.03")
    page.press("#f-lr", "Tab")
    page.wait_for_selector("#message", state="hidden")
    assert "lr=0.03" in page.url  # the URL holds the settings
    page.click("#step")
    page.wait_for_function("window.playground.frame.steps === 1")
    assert page.errors == []


@pytest.mark.slow
def test_the_exported_command_reproduces_the_final_loss(page, server, run_cli):
    open_page(page, server, SPIRAL + "&epochs=6&n_samples=300")
    page.click("#play")
    page.wait_for_function("window.playground.status === 'finished'", timeout=30_000)
    drawn(page)
    loss = float(page.get_attribute("#test-loss", "data-value"))
    acc = float(page.get_attribute("#test-acc", "data-value"))
    page.click("#export")
    page.wait_for_selector("#export-dialog[open]")
    command = page.inner_text("#export-command")
    assert command.startswith("mlplab train --dataset spiral") and "--epochs 6" in command
    code, _, err = run_cli(*shlex.split(command)[1:], "--out", "run", "--quiet")
    assert code == 0, err
    metrics = json.loads(Path("run/metrics.json").read_text())["test"]
    assert metrics["loss"] == loss and metrics["acc"] == acc
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(page.inner_text("#export-script"), "exported.py", "exec"), {"__name__": "__main__"})
    assert f"epochs 6: test loss {loss!r}," in out.getvalue()


def test_the_url_holds_the_settings_and_pin_keeps_a_run_beside_the_next(page, server):
    open_page(page, server, "dataset=moons&hidden=4,4,4&optimizer=sgd&lr=0.3&momentum=0.9&epochs=4")
    assert page.input_value("#f-dataset") == "moons" and page.input_value("#f-optimizer") == "sgd"
    assert page.input_value("#f-lr") == "0.3" and page.input_value("#f-momentum") == "0.9"
    assert page.locator("#f-betas").count() == 0  # only the chosen optimiser's options
    assert page.locator("#layers .width").all_inner_texts() == ["4", "4", "4"]
    assert state(page, "run.params") == 2 * 4 + 4 + 2 * (4 * 4 + 4) + 4 * 2 + 2
    page.click("#play")
    page.wait_for_function("window.playground.status === 'finished'")
    page.click("#play")  # a finished run says what to do
    page.wait_for_selector("#message:not([hidden])")
    assert "finished its 4 epochs" in page.inner_text("#message-text")
    page.click("#pin")
    page.select_option("#f-optimizer", "adam")
    page.wait_for_function(
        "window.playground.run && window.playground.frame && window.playground.frame.steps === 0"
    )
    assert "optimizer=adam" in page.url and "momentum" not in page.url
    page.click("#remove-layer")
    page.wait_for_function("window.playground.frame && window.playground.run.params === 2*4+4+4*4+4+4*2+2")
    page.click("#play")
    page.wait_for_function("window.playground.status === 'finished'")
    assert state(page, "pinned.length") == 1 and state(page, "pinned[0].history.length") == 4
    assert state(page, "history.length") == 4
    assert "pinned: sgd lr 0.3" in page.inner_text("#chart-legend")
    assert page.errors == []


def test_digits_shows_a_confusion_matrix_and_the_misclassified_digits(page, server):
    open_page(page, server, "dataset=digits&hidden=16&lr=0.01&batch_size=64")
    assert page.is_hidden("#plane-view") and page.is_visible("#digits-view")
    page.click("#epoch")
    page.wait_for_function("window.playground.history.length === 1 && window.playground.status === 'paused'")
    drawn(page)
    assert _distinct_colours(page, "#confusion") > 5
    shown = page.locator("#mistakes figure").count()
    wrong = round((1 - float(page.get_attribute("#test-acc", "data-value"))) * 540)
    assert shown == min(24, wrong) and shown > 0
    assert page.locator("#units canvas").count() == 16  # each first-layer unit's 8x8 weights
    assert page.errors == []
