"""``optim.swa_utils`` against ``torch.optim.swa_utils``: AveragedModel on an nn model (state_dict,
running mean, EMA, buffers), update_bn, SWALR's lr sequence, and a whole SWA training loop."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from optim_helpers import tolerances
from torch.optim import swa_utils as tswa

import mlplab
import mlplab.nn as nn
import mlplab.optim as optim
from mlplab.optim import swa_utils


def _models(dtype):
    """The same Linear-BatchNorm-ReLU-Linear net in both libraries (torch's init, copied)."""
    torch.manual_seed(0)
    t = torch.nn.Sequential(
        torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6), torch.nn.ReLU(), torch.nn.Linear(6, 3)
    ).to(torch.float64 if dtype == np.float64 else torch.float32)
    m = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3))
    m.to(mlplab.float64 if dtype == np.float64 else mlplab.float32)
    m.load_state_dict({k: mlplab.tensor(v.numpy().copy()) for k, v in t.state_dict().items()})
    return m, t


def _batches(dtype, n=5, seed=1):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(8, 4)).astype(dtype), rng.integers(0, 3, 8)) for _ in range(n)]


def _assert_same(m_tensors, t_tensors, dtype):
    rtol, atol = tolerances(dtype)
    for k, v in t_tensors.items():
        np.testing.assert_allclose(m_tensors[k]._data, v.detach().numpy(), rtol=rtol, atol=atol, err_msg=k)
        assert m_tensors[k]._data.dtype == v.detach().numpy().dtype, k


def _train_step(m, t, om, ot, x, y):
    """One optimiser step on both from the same batch (cross-entropy)."""
    om.zero_grad()
    ot.zero_grad()
    nn.functional.cross_entropy(m(mlplab.tensor(x)), mlplab.tensor(y)).backward()
    torch.nn.functional.cross_entropy(t(torch.tensor(x)), torch.tensor(y)).backward()
    if x.dtype == np.float32:  # the same gradients, as in test_optimizers.py (see its docstring)
        for a, b in zip(m.parameters(), t.parameters()):
            a.grad._data[...] = b.grad.numpy()
    om.step()
    ot.step()


AVG = [
    ("swa", {}, {}),
    (
        "ema",
        {"multi_avg_fn": optim.get_ema_multi_avg_fn(0.8)},
        {"multi_avg_fn": tswa.get_ema_multi_avg_fn(0.8)},
    ),
    ("ema-single", {"avg_fn": optim.get_ema_avg_fn(0.6)}, {"avg_fn": tswa.get_ema_avg_fn(0.6)}),
    ("buffers", {"use_buffers": True}, {"use_buffers": True}),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize(("label", "kw_m", "kw_t"), AVG, ids=[a[0] for a in AVG])
def test_averaged_model_of_an_nn_model_matches_torch(label, kw_m, kw_t, dtype):
    """Trained side by side 6 steps, averaged after each: state_dicts equal (keys, values, dtypes)."""
    m, t = _models(dtype)
    am, at = swa_utils.AveragedModel(m, **kw_m), tswa.AveragedModel(t, **kw_t)
    om, ot = optim.SGD(m.parameters(), lr=0.1), torch.optim.SGD(t.parameters(), lr=0.1)
    for x, y in _batches(dtype, 6):
        _train_step(m, t, om, ot, x, y)
        am.update_parameters(m)
        at.update_parameters(t)
    sm, st = am.state_dict(), at.state_dict()
    assert list(sm) == list(st)  # n_averaged, module.0.weight, ...
    _assert_same(sm, st, dtype)
    assert int(am.n_averaged) == int(at.n_averaged) == 6
    assert isinstance(am, nn.Module) and am.module is not m
    assert len(list(am.parameters())) == len(list(at.parameters())) == 6
    x = _batches(dtype, 1, seed=9)[0][0]
    am.eval()
    at.eval()
    _assert_same({"out": am(mlplab.tensor(x))}, {"out": at(torch.tensor(x))}, dtype)


def test_averaged_model_refuses_two_averaging_functions():
    m, _ = _models(np.float32)
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn should be provided"):
        swa_utils.AveragedModel(m, avg_fn=optim.get_ema_avg_fn(), multi_avg_fn=optim.get_ema_multi_avg_fn())
    assert swa_utils.AveragedModel(m, device="cpu").module is not m  # the CPU is the one device


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_update_bn_matches_torch(dtype):
    """Running statistics recomputed over a loader of (x, y) batches; momentum and mode restored."""
    m, t = _models(dtype)
    om, ot = optim.SGD(m.parameters(), lr=0.1), torch.optim.SGD(t.parameters(), lr=0.1)
    for x, y in _batches(dtype, 4):
        _train_step(m, t, om, ot, x, y)
    m.eval()
    t.eval()
    loader = _batches(dtype, 3, seed=2)
    swa_utils.update_bn([(mlplab.tensor(x), mlplab.tensor(y)) for x, y in loader], m)
    tswa.update_bn([(torch.tensor(x), torch.tensor(y)) for x, y in loader], t)
    _assert_same(m.state_dict(), t.state_dict(), dtype)
    assert m[1].momentum == 0.1 and not m.training
    swa_utils.update_bn([mlplab.tensor(x) for x, _ in loader], m)  # plain tensors as batches too
    _assert_same(m.state_dict(), t.state_dict(), dtype)
    swa_utils.update_bn([], nn.Sequential(nn.Linear(2, 2)))  # no BatchNorm: nothing to do


SWALR_CASES = [
    {"swa_lr": 0.05},
    {"swa_lr": 0.3, "anneal_epochs": 4, "anneal_strategy": "linear"},
    {"swa_lr": [0.01, 0.02], "anneal_epochs": 0},
    {"swa_lr": 0.05, "anneal_epochs": 7, "anneal_strategy": "cos"},
]


@pytest.mark.parametrize("kw", SWALR_CASES, ids=[str(k) for k in SWALR_CASES])
def test_swalr_sequence_matches_torch(kw):
    """After 10 epochs of cosine annealing, SWALR takes over (as in PyTorch's SWA recipe); the
    lrs are equal to the last bit, also after a state_dict round trip at epoch 20."""
    pm, pt = [mlplab.zeros(2, requires_grad=True)], [torch.zeros(2, requires_grad=True)]
    groups_m = [{"params": pm}, {"params": [mlplab.zeros(1, requires_grad=True)], "lr": 0.2}]
    groups_t = [{"params": pt}, {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.2}]
    om, ot = optim.SGD(groups_m, lr=0.1, momentum=0.9), torch.optim.SGD(groups_t, lr=0.1, momentum=0.9)
    cm = optim.lr_scheduler.CosineAnnealingLR(om, T_max=30)
    ct = torch.optim.lr_scheduler.CosineAnnealingLR(ot, T_max=30)
    sm = st = None
    for epoch in range(40):
        om.step()
        ot.step()
        if epoch < 10:
            cm.step()
            ct.step()
            continue
        if sm is None:
            sm, st = swa_utils.SWALR(om, **kw), tswa.SWALR(ot, **kw)
            assert sm.get_last_lr() == st.get_last_lr()
        sm.step()
        st.step()
        assert sm.get_last_lr() == st.get_last_lr()
        assert [g["lr"] for g in om.param_groups] == [g["lr"] for g in ot.param_groups]
        if epoch == 20:
            saved = sm.state_dict()
            assert "anneal_func" not in saved
            sm = swa_utils.SWALR(om, **kw)
            sm.load_state_dict(saved)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"swa_lr": 0.1, "anneal_strategy": "step"}, "anneal_strategy must be one of 'cos' or 'linear'"),
        ({"swa_lr": 0.1, "anneal_epochs": -1}, "anneal_epochs must be equal or greater than 0, got -1"),
        ({"swa_lr": [0.1, 0.2]}, "swa_lr must have the same length as optimizer.param_groups"),
    ],
)
def test_swalr_bad_arguments(kw, message):
    for module, w in (
        (swa_utils, mlplab.zeros(1, requires_grad=True)),
        (tswa, torch.zeros(1, requires_grad=True)),
    ):
        opt = (optim if module is swa_utils else torch.optim).SGD([w], lr=0.1)
        with pytest.raises(ValueError, match=message):
            module.SWALR(opt, **kw)


def test_swa_training_loop_matches_torch():
    """PyTorch's SWA recipe end to end in float64: SGD, CosineAnnealingLR then SWALR from epoch 5,
    AveragedModel updated each SWA epoch, update_bn at the end; averaged weights equal to 1e-10."""
    m, t = _models(np.float64)
    am, at = swa_utils.AveragedModel(m), tswa.AveragedModel(t)
    om, ot = (
        optim.SGD(m.parameters(), lr=0.05, momentum=0.9),
        torch.optim.SGD(t.parameters(), lr=0.05, momentum=0.9),
    )
    cm, ct = (
        optim.lr_scheduler.CosineAnnealingLR(om, T_max=10),
        torch.optim.lr_scheduler.CosineAnnealingLR(ot, T_max=10),
    )
    sm, st = swa_utils.SWALR(om, swa_lr=0.02, anneal_epochs=2), tswa.SWALR(ot, swa_lr=0.02, anneal_epochs=2)
    data = _batches(np.float64, 4, seed=3)
    for epoch in range(8):
        for x, y in data:
            _train_step(m, t, om, ot, x, y)
        if epoch >= 5:
            am.update_parameters(m)
            at.update_parameters(t)
            sm.step()
            st.step()
        else:
            cm.step()
            ct.step()
    swa_utils.update_bn([mlplab.tensor(x) for x, _ in data], am)
    tswa.update_bn([torch.tensor(x) for x, _ in data], at)
    sd_m, sd_t = am.state_dict(), at.state_dict()
    for k, v in sd_t.items():
        np.testing.assert_allclose(sd_m[k]._data, v.numpy(), rtol=1e-10, atol=1e-12, err_msg=k)
