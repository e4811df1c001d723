"""Shared test setup: every test starts from mlplab's default global state.

A test that changes the default dtype or the grad mode and then fails must not leak that change
into the tests after it (in any folder), so both are restored after each test.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

import mlplab
from mlplab import cli

# the data cache (mlplab.datasets.cache) of this test session: never the user's own
os.environ.setdefault("MLPLAB_CACHE_DIR", tempfile.mkdtemp(prefix="mlplab-test-cache-"))


@pytest.fixture(autouse=True)
def _restore_mlplab_globals() -> Iterator[None]:
    dtype, grad = mlplab.get_default_dtype(), mlplab.is_grad_enabled()
    yield
    mlplab.set_default_dtype(dtype)
    mlplab.set_grad_enabled(grad)


@pytest.fixture
def torch_one_thread() -> Iterator[None]:
    """PyTorch on one thread for the test (its kernels' summation order), restored afterwards so
    later tests in the same worker see torch's default again."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


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

    Debian's ``chromium`` is a system package that ``pip install -e '.[test]'`` cannot bring, so
    ``.ci/run`` installs it. Without it the browser tests fail, saying how to install it: what a
    browser shows is tested in a real one, and a missing browser must not pass silently.
    """
    from playwright.sync_api import sync_playwright

    path = _chromium_path()
    if path is None:
        pytest.fail("the browser tests need Chromium on PATH: apt-get install chromium (Debian)")
    manager = sync_playwright().start()
    try:
        chromium = manager.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
    except Exception:
        manager.stop()
        raise
    yield chromium
    chromium.close()
    manager.stop()
