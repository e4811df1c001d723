"""BatchNorm1d/2d and Dropout against torch 2.13: outputs, gradients (input, gamma, beta), running
statistics over several steps, momentum=None, train/eval switching, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from nn_helpers import check_grad, module_parity, mt, parity

import mlplab
import mlplab.nn as nn
import mlplab.nn.functional as F

TF = torch.nn.functional


def _pair(c=3, **kw):
    return nn.BatchNorm1d(c, **kw), torch.nn.BatchNorm1d(c, **kw)


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5)])
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"affine": False},
        {"bias": False},
        {"momentum": None},
        {"momentum": 0.3, "eps": 1e-3},
        {"track_running_stats": False},
    ],
)
def test_batchnorm1d_training_matches_torch(shape, kw):
    m, t = _pair(**kw)
    assert repr(m) == repr(t)
    assert list(m.state_dict()) == list(t.state_dict())
    if t.affine:
        with torch.no_grad():
            t.weight.uniform_(0.5, 1.5)
            if t.bias is not None:
                t.bias.uniform_(-0.5, 0.5)
    rng = np.random.default_rng(0)
    x = (rng.normal(size=shape) * 2 + 1).astype(np.float32)
    module_parity(m, t, x, atol=1e-5)
    for k, v in t.state_dict().items():
        np.testing.assert_allclose(m.state_dict()[k]._data, v.numpy(), rtol=1e-6, atol=1e-6, err_msg=k)


@pytest.mark.parametrize("kw", [{}, {"momentum": None}, {"momentum": 0.5}])
@pytest.mark.parametrize("shape", [(8, 3), (5, 3, 4)])
def test_running_stats_after_five_steps_then_eval(kw, shape):
    m, t = _pair(**kw)
    rng = np.random.default_rng(1)
    for step in range(5):
        x = (rng.normal(size=shape) * (step + 1) + step).astype(np.float32)
        m(mlplab.tensor(x))
        t(torch.tensor(x))
    np.testing.assert_allclose(m.running_mean._data, t.running_mean.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m.running_var._data, t.running_var.numpy(), rtol=1e-5, atol=1e-6)
    assert int(m.num_batches_tracked.item()) == int(t.num_batches_tracked) == 5
    m.eval(), t.eval()
    x = rng.normal(size=shape).astype(np.float32)
    module_parity(m, t, x, atol=1e-5)
    # eval does not move the running statistics
    np.testing.assert_allclose(m.running_mean._data, t.running_mean.numpy(), rtol=1e-5, atol=1e-6)


def test_train_eval_switch_changes_behaviour_like_torch():
    m, t = _pair(4)
    x = np.random.default_rng(2).normal(size=(6, 4)).astype(np.float32) * 3 + 2
    ytrain = m(mlplab.tensor(x))
    m.eval()
    yeval = m(mlplab.tensor(x))
    t(torch.tensor(x))
    t.eval()
    np.testing.assert_allclose(yeval._data, t(torch.tensor(x)).detach().numpy(), atol=1e-5)
    assert not np.allclose(ytrain._data, yeval._data)
    m.train()
    m(mlplab.tensor(x))
    assert int(m.num_batches_tracked.item()) == 2


def test_batchnorm_gradcheck():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, 3))
    w, b = rng.uniform(0.5, 1.5, 3), rng.normal(size=3)
    rm, rv = mt(np.zeros(3)), mt(np.ones(3))
    check_grad(lambda a, c, d: F.batch_norm(a, None, None, c, d, training=True), [x, w, b])
    check_grad(lambda a, c, d: F.batch_norm(a, rm, rv, c, d, training=False), [x, w, b])
    check_grad(lambda a: F.batch_norm(a, None, None, training=True), [rng.normal(size=(3, 2, 4))])


@pytest.mark.parametrize("training", [True, False])
def test_functional_batch_norm_matches_torch(training):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(6, 3, 2))
    w, b = rng.uniform(0.5, 1.5, 3), rng.normal(size=3)
    rm, rv = rng.normal(size=3), rng.uniform(0.5, 2, 3)
    mrm, mrv, trm, trv = mt(rm), mt(rv), torch.tensor(rm), torch.tensor(rv)
    parity(
        lambda a, c, d: F.batch_norm(a, mrm, mrv, c, d, training=training, momentum=0.2, eps=1e-4),
        lambda a, c, d: TF.batch_norm(a, trm, trv, c, d, training=training, momentum=0.2, eps=1e-4),
        [x, w, b],
        atol=1e-10,
    )
    np.testing.assert_allclose(mrm._data, trm.numpy(), atol=1e-12)
    np.testing.assert_allclose(mrv._data, trv.numpy(), atol=1e-12)


def test_batchnorm2d_matches_torch():
    m, t = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    assert repr(m) == repr(t)
    x = np.random.default_rng(5).normal(size=(2, 3, 4, 5)).astype(np.float32)
    module_parity(m, t, x, atol=1e-5)
    np.testing.assert_allclose(m.running_var._data, t.running_var.numpy(), rtol=1e-5)


def test_notes_batchnorm_repr_suffix():
    y = nn.BatchNorm1d(3)(mlplab.randn(8, 3))
    assert "grad_fn=<NativeBatchNormBackward0>" in repr(y)


def test_batchnorm_bad_input():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(
        ValueError, match=r"Expected more than 1 value per channel when training, got input size .*\[1, 3\]"
    ):
        bn(mlplab.randn(1, 3))
    assert int(bn.num_batches_tracked.item()) == 0
    bn(mlplab.randn(1, 3, 2))  # 2 values per channel: fine
    bn.eval()
    bn(mlplab.randn(1, 3))  # running statistics: fine
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        bn(mlplab.randn(2, 3, 4, 5))
    with pytest.raises(RuntimeError, match=r"BatchNorm1d\(3\) expected 3 channels.*\(4, 5\)"):
        bn(mlplab.randn(4, 5))


# ----------------------------------------------------------------------------- Dropout
def test_dropout_train_statistics_and_gradient():
    mlplab.manual_seed(0)
    d = nn.Dropout(0.3)
    x = mlplab.ones(200, 500, requires_grad=True)
    y = d(x)
    a = y._data
    kept = a != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(a[kept], 1 / 0.7, rtol=1e-6)
    assert y.dtype == mlplab.float32
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data, a)  # d(x*m)/dx = m
    assert repr(d) == repr(torch.nn.Dropout(0.3))


def test_dropout_eval_is_identity_and_extremes():
    d = nn.Dropout(0.5)
    x = mlplab.randn(4, 4)
    d.eval()
    assert d(x) is x
    d.train()
    assert (d(x)._data != x._data).any()
    assert (nn.Dropout(1.0)(x)._data == 0).all()
    assert nn.Dropout(0.0)(x) is x
    assert F.dropout(x, 0.5, training=False) is x
    tx = torch.randn(3, 3)
    assert (TF.dropout(tx, 1.0) == 0).all()


def test_dropout_reproducible_with_seed():
    mlplab.manual_seed(7)
    a = nn.Dropout()(mlplab.ones(10)).tolist()
    mlplab.manual_seed(7)
    assert nn.Dropout()(mlplab.ones(10)).tolist() == a


def test_dropout_gradcheck_with_fixed_mask():
    def fn(x):
        mlplab.manual_seed(11)  # the same mask on every evaluation
        return F.dropout(x, 0.4)

    check_grad(fn, [np.random.default_rng(0).normal(size=(4, 5))])


@pytest.mark.parametrize("p", [1.5, -0.1])
def test_dropout_bad_p(p):
    with pytest.raises(ValueError, match=f"dropout probability has to be between 0 and 1, but got {p}"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(mlplab.ones(2), p)
    with pytest.raises(ValueError, match="between 0 and 1"):
        torch.nn.Dropout(p)


def test_model_train_eval_switches_dropout_and_batchnorm_like_torch():
    m = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.Dropout(0.5), nn.Linear(6, 2))
    t = torch.nn.Sequential(
        torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6), torch.nn.Dropout(0.5), torch.nn.Linear(6, 2)
    )
    m.load_state_dict({k: v.numpy() for k, v in t.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(8, 4)).astype(np.float32)
    m(mlplab.tensor(x)), t(torch.tensor(x))  # one training step (random dropout, stats move)
    np.testing.assert_allclose(m[1].running_mean._data, t[1].running_mean.numpy(), atol=1e-6)
    m.eval(), t.eval()
    np.testing.assert_allclose(m(mlplab.tensor(x))._data, t(torch.tensor(x)).detach().numpy(), atol=1e-5)
    assert not m[2].training and not m[1].training
