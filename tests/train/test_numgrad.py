"""Numerical (central-difference) training gradients agree with backprop, and the notes' experiment."""

import json

import numpy as np
import pytest

import mlplab
from mlplab.errors import UserError
from mlplab.tensor import Tensor
from mlplab.train.losses import LossSpec
from mlplab.train.model import build_mlp
from mlplab.train.numgrad import numerical_gradients


def _backprop(model, x, y, spec, l1=0.0, l2=0.0):
    model.zero_grad()
    loss = spec.loss(model(Tensor._make(x)), Tensor._make(y))
    for p in model.parameters():
        if l1:
            loss = loss + l1 * p.abs().sum()
        if l2:
            loss = loss + l2 * (p * p).sum()
    loss.backward()
    return [p.grad.numpy() for p in model.parameters()]


@pytest.mark.parametrize(
    "loss,act,bn",
    [
        ("cross_entropy", "tanh", False),
        ("nll", "sigmoid", True),
        ("mse", "prelu", False),
        ("multi_margin", "gelu", False),
        ("kl_div", "softplus", True),
        ("bce_with_logits", "elu", False),
        ("bce", "tanh", False),
    ],
)
def test_numerical_matches_backprop_classification(loss, act, bn):
    mlplab.manual_seed(1)
    rng = np.random.default_rng(0)
    n_classes = 2 if loss.startswith("bce") else 3
    spec = LossSpec(loss, "classification", n_classes)
    model = build_mlp(4, [6], spec.out_features(), activation=act, batchnorm=bn).double()
    x = rng.normal(size=(9, 4))
    y = rng.integers(0, n_classes, size=9)
    num = numerical_gradients(model, x, y, spec, l1=1e-3, l2=1e-2, chunk=7)
    ana = _backprop(model, x, y, spec, l1=1e-3, l2=1e-2)
    for a, b in zip(num, ana):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("loss", ["mse", "l1", "smooth_l1", "huber"])
def test_numerical_matches_backprop_regression(loss):
    mlplab.manual_seed(2)
    rng = np.random.default_rng(1)
    spec = LossSpec(loss, "regression", 0, 1)
    model = build_mlp(3, [5, 4], 1, activation="relu").double()
    x = rng.normal(size=(7, 3))
    y = rng.normal(size=(7, 1))
    num = numerical_gradients(model, x, y, spec)
    ana = _backprop(model, x, y, spec)
    for a, b in zip(num, ana):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_numerical_refuses_dropout():
    model = build_mlp(4, [6], 3, dropout=0.5)
    with pytest.raises(UserError, match="Dropout"):
        numerical_gradients(
            model,
            np.zeros((2, 4)),
            np.zeros(2, dtype=np.int64),
            LossSpec("cross_entropy", "classification", 3),
        )


@pytest.mark.slow
def test_notes_numerical_experiment_reaches_095(run_cli, tmp_path):
    """The notes' section 2.4: 64-50-10 Tanh on digits, 5 epochs, gradients by central differences."""
    code, out, err = run_cli(
        "train", "--grad", "numerical", "--epochs", "5", "--lr", "0.01", "--quiet", "--out", "num"
    )
    assert code == 0, err
    m = json.loads((tmp_path / "num/metrics.json").read_text())
    assert m["test"]["acc"] >= 0.95, m
