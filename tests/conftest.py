"""Shared test setup: every test starts from mlplab's default global state.

A test that changes the default dtype or the grad mode and then fails must not leak that change
into the tests after it (in any folder), so both are restored after each test.
"""

from __future__ import annotations

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
