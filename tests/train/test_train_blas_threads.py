"""``mlplab train --threads N``: BLAS runs on N threads while the run trains (default one), the
value is saved in config.json, and the process's own setting is restored afterwards."""

import json

import pytest
from threadpoolctl import threadpool_info, threadpool_limits
from train_helpers import err as _err
from train_helpers import ok as _ok

from mlplab.train.loop import Trainer


def _blas_threads() -> int:
    return max(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")


@pytest.fixture
def seen_threads(monkeypatch):
    """The BLAS thread count each Trainer.fit call ran under."""
    seen: list[int] = []
    fit = Trainer.fit

    def recording_fit(self, *args, **kwargs):
        seen.append(_blas_threads())
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(Trainer, "fit", recording_fit)
    return seen


def test_default_is_one_blas_thread_and_the_setting_is_restored(run_cli, tmp_path, seen_threads):
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        _ok(run_cli("train", "--epochs", "1", "--quiet", "--out", "r1"))
        after = _blas_threads()
    assert seen_threads == [1]
    assert after == before
    assert json.loads((tmp_path / "r1" / "config.json").read_text())["config"]["threads"] == 1


def test_threads_option_is_used_and_saved(run_cli, tmp_path, seen_threads):
    _ok(run_cli("train", "--epochs", "1", "--quiet", "--threads", "2", "--out", "r2"))
    assert seen_threads == [2]
    assert json.loads((tmp_path / "r2" / "config.json").read_text())["config"]["threads"] == 2


def test_threads_must_be_positive(run_cli, tmp_path):
    msg = _err(run_cli("train", "--epochs", "1", "--quiet", "--threads", "0", "--out", "r0"))
    assert "threads" in msg and ">= 1" in msg
    assert not (tmp_path / "r0").exists()
