"""nn.init against torch.nn.init: deterministic initialisers exactly, random ones by bounds and by
mean/variance on a 1000x1000 tensor (within 2% of the formula), fans, gains, in-place contract."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import mlplab
import mlplab.nn as nn

init, tinit = nn.init, torch.nn.init


@pytest.mark.parametrize(
    "args",
    [
        ("linear",),
        ("sigmoid",),
        ("tanh",),
        ("relu",),
        ("leaky_relu",),
        ("leaky_relu", 0.2),
        ("leaky_relu", 3),
        ("selu",),
        ("conv2d",),
    ],
)
def test_calculate_gain_matches_torch(args):
    assert init.calculate_gain(*args) == pytest.approx(tinit.calculate_gain(*args), rel=1e-15)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)


@pytest.mark.parametrize("shape", [(4, 6), (3, 2, 5), (8, 4, 3, 3), (2, 1)])
def test_fans_match_torch(shape):
    assert init._calculate_fan_in_and_fan_out(mlplab.empty(*shape)) == tinit._calculate_fan_in_and_fan_out(
        torch.empty(*shape)
    )


def test_fans_need_two_dims():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(mlplab.empty(5))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(mlplab.empty(5))


def test_deterministic_initialisers_in_place():
    lin = nn.Linear(in_features=6, out_features=4)
    w = lin.weight
    arr = w._data
    for fn, val in [(init.zeros_, 0.0), (init.ones_, 1.0)]:
        out = fn(lin.weight)
        assert out is w and w._data is arr and (arr == val).all()
    out = init.constant_(lin.weight, 0.63)
    assert out is w and w.requires_grad and w.grad_fn is None
    t = torch.nn.Linear(6, 4)
    tinit.constant_(t.weight, 0.63)
    np.testing.assert_array_equal(w._data, t.weight.detach().numpy())
    # the notes' printout
    assert repr(w) == repr(t.weight)
    assert repr(w).startswith(
        "Parameter containing:\ntensor([[0.6300, 0.6300, 0.6300, 0.6300, 0.6300, 0.6300],"
    )
    assert w.shape == (4, 6)
    e = init.eye_(mlplab.empty(3, 4))
    np.testing.assert_array_equal(e._data, tinit.eye_(torch.empty(3, 4)).numpy())


def test_initialisers_work_on_leaves_that_require_grad_and_record_nothing():
    w = nn.Parameter(mlplab.empty(5, 5))
    for fn in [
        init.uniform_,
        init.normal_,
        init.xavier_uniform_,
        init.xavier_normal_,
        init.kaiming_uniform_,
        init.kaiming_normal_,
        init.trunc_normal_,
        init.orthogonal_,
    ]:
        assert fn(w) is w
        assert w.grad_fn is None and w.requires_grad and w.dtype == mlplab.float32


N = 1000


def _big():
    return mlplab.empty(N, N)


def _check(w, mean, var):
    a = w._data.astype(np.float64)
    assert abs(a.mean() - mean) < 0.02 * math.sqrt(var) + 1e-12  # 2% of a standard deviation
    assert a.var() == pytest.approx(var, rel=0.02)


def test_uniform_and_normal_statistics():
    mlplab.manual_seed(0)
    w = init.uniform_(_big(), -0.5, 1.5)
    assert w._data.min() >= -0.5 and w._data.max() <= 1.5
    _check(w, 0.5, 2.0**2 / 12)
    _check(init.normal_(_big(), mean=0.3, std=2.0), 0.3, 4.0)
    u = init.uniform_(mlplab.empty(4, 6))  # the notes' default U(0, 1)
    assert (u._data >= 0).all() and (u._data < 1).all()


@pytest.mark.parametrize("gain", [1.0, 5 / 3])
def test_xavier_statistics(gain):
    mlplab.manual_seed(1)
    shape = (N, N)
    var = gain**2 * 2 / (N + N)
    w = init.xavier_uniform_(mlplab.empty(*shape), gain=gain)
    a = gain * math.sqrt(6 / (N + N))
    assert np.abs(w._data).max() <= a
    tw = tinit.xavier_uniform_(torch.empty(*shape), gain=gain)
    assert np.abs(tw.numpy()).max() <= a
    _check(w, 0.0, var)
    _check(init.xavier_normal_(mlplab.empty(*shape), gain=gain), 0.0, var)


@pytest.mark.parametrize(
    "nonlinearity,a",
    [
        ("relu", 0),
        ("leaky_relu", 0),
        ("leaky_relu", 0.2),
        ("tanh", 0),
        ("linear", 0),
        ("leaky_relu", math.sqrt(5)),
    ],
)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("shape", [(N, N), (N // 2, N)])  # the second: fan_in != fan_out, the mode matters
def test_kaiming_statistics(nonlinearity, a, mode, shape):
    mlplab.manual_seed(2)
    fan = shape[1] if mode == "fan_in" else shape[0]
    gain = tinit.calculate_gain(nonlinearity, a)
    var = gain**2 / fan
    w = init.kaiming_uniform_(mlplab.empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity)
    bound = gain * math.sqrt(3 / fan)
    assert np.abs(w._data).max() <= bound * (1 + 1e-6) and np.abs(w._data).max() > 0.99 * bound
    tw = tinit.kaiming_uniform_(torch.empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity)
    assert np.abs(tw.numpy()).max() <= bound * (1 + 1e-6)
    _check(w, 0.0, var)
    _check(init.kaiming_normal_(mlplab.empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity), 0.0, var)


def test_kaiming_bad_mode():
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(mlplab.empty(3, 3), mode="fan_avg")


def test_trunc_normal():
    mlplab.manual_seed(3)
    w = init.trunc_normal_(_big(), mean=0.0, std=1.0, a=-2.0, b=2.0)
    assert w._data.min() >= -2 and w._data.max() <= 2
    # variance of N(0,1) truncated to [-2, 2]: 1 - 2 b phi(b) / (Phi(b) - Phi(-b))
    phi = math.exp(-2) / math.sqrt(2 * math.pi)
    z = math.erf(2 / math.sqrt(2))
    _check(w, 0.0, 1 - 4 * phi / z)
    w2 = init.trunc_normal_(mlplab.empty(100, 100), mean=1.0, std=0.5, a=0.5, b=3.0)
    assert w2._data.min() >= 0.5 and w2._data.max() <= 3.0
    tw = tinit.trunc_normal_(torch.empty(100, 100), mean=1.0, std=0.5, a=0.5, b=3.0)
    assert abs(float(tw.mean()) - float(w2._data.mean())) < 0.03


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (3, 2, 4)])
def test_orthogonal(shape):
    mlplab.manual_seed(4)
    w = init.orthogonal_(mlplab.empty(*shape), gain=2.0)
    flat = w._data.reshape(shape[0], -1).astype(np.float64)
    small = min(flat.shape)
    g = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(g, 4.0 * np.eye(small), atol=1e-5)
    t = tinit.orthogonal_(torch.empty(*shape), gain=2.0).reshape(shape[0], -1).double()
    tg = t @ t.T if t.shape[0] <= t.shape[1] else t.T @ t
    np.testing.assert_allclose(tg.numpy(), 4.0 * np.eye(small), atol=1e-5)


def test_notes_init_snippets_shapes():
    for fn, kw in [
        (init.uniform_, {}),
        (init.normal_, {"mean": 0, "std": 1}),
        (init.xavier_normal_, {}),
        (init.xavier_uniform_, {}),
        (init.kaiming_normal_, {"nonlinearity": "relu", "mode": "fan_in"}),
        (init.kaiming_uniform_, {"nonlinearity": "relu", "mode": "fan_out"}),
    ]:
        linear = nn.Linear(in_features=6, out_features=4)
        fn(linear.weight, **kw)
        assert linear.weight.shape == (4, 6)
        assert repr(linear.weight).startswith("Parameter containing:\ntensor([[")
        assert repr(linear.weight).endswith("requires_grad=True)")


def test_generator_argument():
    g1, g2 = mlplab.Generator().manual_seed(5), mlplab.Generator().manual_seed(5)
    a = init.normal_(mlplab.empty(3, 3), generator=g1)
    b = init.normal_(mlplab.empty(3, 3), generator=g2)
    assert a.tolist() == b.tolist()
