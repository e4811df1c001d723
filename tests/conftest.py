"""Shared test setup: every test starts from mlplab's default global state.

A test that changes the default dtype or the grad mode and then fails must not leak that change
into the tests after it (in any folder), so both are restored after each test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

import mlplab
from mlplab import cli


@pytest.fixture(autouse=True)
def _restore_mlplab_globals() -> Iterator[None]:
    dtype, grad = mlplab.get_default_dtype(), mlplab.is_grad_enabled()
    yield
    mlplab.set_default_dtype(dtype)
    mlplab.set_grad_enabled(grad)


@pytest.fixture
def run_cli(capsys, monkeypatch, tmp_path):
    """Run ``mlplab ARGS`` in-process from tmp_path; returns (exit_code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def go(*args: str):
        with pytest.raises(SystemExit) as e:
            cli.main([str(a) for a in args])
        out, err = capsys.readouterr()
        return e.value.code, out, err

    return go


def _chromium_path() -> str | None:
    """Debian's chromium (apt-get install chromium); Playwright's own browser download cannot work here."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Chromium driven by Playwright, shared by the session's browser tests.

    Where no browser can be started, the test is skipped with the reason, except when
    ``MLPLAB_REQUIRE_BROWSER=1`` (set by ``.ci/run``): there it fails, so CI cannot pass
    without having run the browser tests.
    """
    required = os.environ.get("MLPLAB_REQUIRE_BROWSER") == "1"
    path = _chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:  # pragma: no cover - depends on the machine
        reason = f"playwright is not installed ({e}); pip install -e '.[test]'"
        pytest.fail(reason) if required else pytest.skip(reason)
    if path is None:
        reason = "no Chromium on PATH: apt-get install chromium (Debian)"
        pytest.fail(reason) if required else pytest.skip(reason)
    manager = sync_playwright().start()
    try:
        chromium = manager.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
    except Exception as e:  # noqa: BLE001 - any launch failure means "no browser here"
        manager.stop()
        reason = f"Chromium at {path} could not be started: {e}"
        pytest.fail(reason) if required else pytest.skip(reason)
    yield chromium
    chromium.close()
    manager.stop()
