"""``mlplab playground``'s command line, and the two 2-D data sets it added (xor, gaussians)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import numpy as np
import pytest

from mlplab import datasets
from mlplab.datasets.builtin import make_gaussians, make_xor


@pytest.fixture
def served(monkeypatch):
    """Replace the server with a recorder of its arguments."""
    calls = []
    monkeypatch.setattr("mlplab.playground.serve", lambda **kw: calls.append(kw))
    return calls


def test_playground_listens_on_this_machine_by_default(run_cli, served):
    code, out, err = run_cli("playground", "--no-browser")
    assert code == 0 and err == ""
    assert served == [{"host": "127.0.0.1", "port": 8765, "open_browser": False}]


def test_another_host_is_warned_about(run_cli, served):
    code, _, err = run_cli("playground", "--host", "0.0.0.0", "--port", "9000")
    assert code == 0 and served[0]["host"] == "0.0.0.0" and served[0]["port"] == 9000
    assert "warning: listening on 0.0.0.0" in err and "no login" in err


def test_a_bad_port_is_one_line(run_cli, served):
    code, _, err = run_cli("playground", "--port", "70000")
    assert code == 2 and "[0, 65535]" in err and served == []


def test_a_port_in_use_is_one_line(run_cli):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        code, out, err = run_cli("playground", "--no-browser", "--port", str(port))
    assert code == 2 and out == ""
    assert f"cannot listen on 127.0.0.1:{port} (Address already in use); pick another --port" in err


def test_xor_and_gaussians():
    X, y = make_xor(400, noise=0.0, seed=1)
    assert X.shape == (400, 2) and np.array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))
    X2, y2 = make_xor(400, noise=0.0, seed=1)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X, y = make_gaussians(301, noise=0.5, seed=0)
    assert (y == 0).sum() == 150 and (y == 1).sum() == 151
    assert np.allclose(X[y == 0].mean(axis=0), -1, atol=0.15) and np.allclose(
        X[y == 1].mean(axis=0), 1, atol=0.15
    )
    assert np.allclose(X[y == 1].std(axis=0), 0.5, atol=0.08)
    for name in ("xor", "gaussians"):
        s = datasets.load(name, n_samples=200, noise=0.1)
        assert s.n_features == 2 and s.n_classes == 2 and sum(s.sizes().values()) == 200


@pytest.mark.slow
def test_mlplab_train_takes_the_new_data_sets(run_cli):
    args = "--dataset xor --n-samples 200 --noise 0.05 --hidden 8 --activation relu --lr 0.05 --batch-size 8"
    code, _, err = run_cli("train", *args.split(), "--epochs", "10", "--quiet", "--out", "r")
    assert code == 0, err
    assert json.loads(Path("r/metrics.json").read_text())["test"]["acc"] >= 0.9
