"""Every optimiser and option against torch.optim 2.13, step by step on a 10-8-3 tanh MLP.

float64: the whole loop (mlplab forward/backward + mlplab optimiser) against torch's, 50 steps, weights
equal to 1e-10 relative after every step -- this pins every formula and its operation order.

float32: both optimisers get the *same* gradients (torch's, copied into ``p.grad`` after mlplab's own
backward), 50 steps, 1e-5. Why not mlplab's own float32 gradients: mlplab's and torch's float32
gradients of this MLP both sit within ~2e-7 (relative to the largest entry) of the float64 truth, but
they differ from each other at that level, and Adagrad/RMSprop's ``g / sqrt(G)`` turns that into
relative changes of order one on coordinates whose gradient is near zero (measured: up to 3.5e-4
relative after 50 steps for RMSprop). Fed the same gradients, the float32 trajectories stay within
0.15x the tolerance; the residual is PyTorch's fused multiply-add in ``add_(alpha=)``/``addcdiv_``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from optim_helpers import Pair, tolerances

import mlplab
import mlplab.optim as optim

STEPS = 50

CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}),
    ("SGD", {"lr": 0.01, "momentum": 0.5, "maximize": True}),
    ("Adam", {"lr": 1e-2}),
    ("Adam", {"lr": 1e-2, "amsgrad": True, "weight_decay": 0.01}),
    ("Adam", {"lr": 1e-2, "betas": (0.8, 0.99), "eps": 1e-6, "maximize": True}),
    ("AdamW", {"lr": 1e-2}),
    ("AdamW", {"lr": 1e-2, "weight_decay": 0.1, "amsgrad": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.01, "initial_accumulator_value": 0.1}),
    ("Adagrad", {"lr": 0.05, "eps": 1e-8, "maximize": True}),
    ("RMSprop", {"lr": 1e-2}),
    ("RMSprop", {"lr": 1e-2, "centered": True}),
    ("RMSprop", {"lr": 1e-3, "momentum": 0.9, "centered": True, "weight_decay": 0.01}),
    ("RMSprop", {"lr": 1e-3, "alpha": 0.9, "momentum": 0.5, "maximize": True}),
    ("NAdam", {"lr": 1e-2}),
    ("NAdam", {"lr": 1e-2, "weight_decay": 0.01}),
    ("NAdam", {"lr": 1e-2, "weight_decay": 0.1, "decoupled_weight_decay": True, "momentum_decay": 1e-2}),
    ("NAdam", {"lr": 1e-2, "maximize": True}),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for n, kw in CASES]
DTYPES = [np.float64, np.float32]


def _run(name, kwargs, dtype, make_params=lambda p: p, roundtrip_at=None):
    """Train both sides STEPS steps, comparing weights after each; optionally reload mid-run.

    In float32 torch's gradients replace mlplab's before each step (see the module docstring).
    """
    pair = Pair(dtype)
    rtol, atol = tolerances(dtype)
    om = getattr(optim, name)(make_params(pair.m), **kwargs)
    ot = getattr(torch.optim, name)(make_params(pair.t), **kwargs)
    for step in range(STEPS):
        om.zero_grad()
        ot.zero_grad()
        pair.backward_m()
        pair.backward_t()
        if dtype == np.float32:
            for a, b in zip(pair.m, pair.t):
                a.grad._data[...] = b.grad.numpy()
        om.step()
        ot.step()
        pair.assert_close(rtol, atol, f"after step {step + 1}")
        if step + 1 == roundtrip_at:
            sd = om.state_dict()
            om = getattr(optim, name)(make_params(pair.m), **kwargs)
            om.load_state_dict(sd)
    return om, ot


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_trajectory_matches_torch(name, kwargs, dtype):
    om, ot = _run(name, kwargs, dtype)
    # the state itself matches too (same keys, same values)
    sm, st = om.state_dict(), ot.state_dict()
    assert sm["state"].keys() == st["state"].keys()
    rtol, atol = tolerances(dtype)
    for i in st["state"]:
        assert sm["state"][i].keys() == st["state"][i].keys()
        for k, v in st["state"][i].items():
            np.testing.assert_allclose(sm["state"][i][k]._data, v.numpy(), rtol=rtol, atol=atol, err_msg=k)
            assert sm["state"][i][k]._data.dtype == v.numpy().dtype, k
    assert [g.keys() for g in sm["param_groups"]] == [g.keys() for g in st["param_groups"]]


def _two_groups(p):
    return [{"params": p[:2], "lr": 0.003}, {"params": p[2:]}]


FAMILIES = [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("Momentum", None),
    ("Adam", {"lr": 1e-2, "amsgrad": True}),
    ("AdamW", {"lr": 1e-2}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ("RMSprop", {"lr": 1e-2, "momentum": 0.5, "centered": True}),
    ("NAdam", {"lr": 1e-2}),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
@pytest.mark.parametrize(("name", "kwargs"), [f for f in FAMILIES if f[1] is not None], ids=lambda x: str(x))
def test_param_groups_with_different_lrs(name, kwargs, dtype):
    kwargs = dict(kwargs)
    _run(name, kwargs, dtype, make_params=_two_groups)


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
@pytest.mark.parametrize(("name", "kwargs"), [f for f in FAMILIES if f[1] is not None], ids=lambda x: str(x))
def test_state_dict_round_trip_mid_run(name, kwargs, dtype):
    """A fresh optimiser loading the state dict at step 25 continues PyTorch's exact trajectory."""
    _run(name, kwargs, dtype, make_params=_two_groups, roundtrip_at=25)


def test_state_dict_layout_matches_torch():
    pair = Pair(np.float64)
    om = optim.Adam(_two_groups(pair.m), lr=0.01)
    ot = torch.optim.Adam(_two_groups(pair.t), lr=0.01)
    pair.backward_m()
    pair.backward_t()
    om.step()
    ot.step()
    sm, st = om.state_dict(), ot.state_dict()
    assert [g["params"] for g in sm["param_groups"]] == [[0, 1], [2, 3]]
    assert [g["params"] for g in st["param_groups"]] == [[0, 1], [2, 3]]
    for gm, gt in zip(sm["param_groups"], st["param_groups"]):
        assert gm == gt
    assert isinstance(sm["state"][0]["step"], mlplab.Tensor)
    assert float(sm["state"][0]["step"]) == 1.0
    # the snapshot is a copy: further steps leave it alone
    before = sm["state"][0]["exp_avg"]._data.copy()
    pair.backward_m()
    om.step()
    np.testing.assert_array_equal(sm["state"][0]["exp_avg"]._data, before)


def test_load_state_dict_accepts_numpy_arrays_and_casts_dtype():
    """A state dict read back from .npz (NumPy arrays, float64) loads into float32 parameters."""
    pair = Pair(np.float32)
    om = optim.Adam(pair.m, lr=0.01)
    pair.backward_m()
    om.step()
    sd = om.state_dict()
    for s in sd["state"].values():
        for k in list(s):
            s[k] = s[k]._data.astype(np.float64)
    om2 = optim.Adam(pair.m, lr=0.01)
    om2.load_state_dict(sd)
    assert om2.state[pair.m[0]]["exp_avg"]._data.dtype == np.float32
    assert om2.state[pair.m[0]]["step"]._data.dtype == np.float64  # step keeps its own dtype


def test_load_state_dict_mismatch_raises():
    pair = Pair(np.float64)
    om = optim.SGD(_two_groups(pair.m), lr=0.1)
    other = optim.SGD(pair.m, lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        other.load_state_dict(om.state_dict())
    om2 = optim.SGD([{"params": pair.m[:1]}, {"params": pair.m[1:]}], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size"):
        om2.load_state_dict(om.state_dict())


def test_float32_stays_float32():
    pair = Pair(np.float32)
    for name, kw in CASES:
        for p in pair.m:
            p.grad = None
        o = getattr(optim, name)(pair.m, **kw)
        pair.backward_m()
        o.step()
        for p in pair.m:
            assert p._data.dtype == np.float32, name
        for s in o.state.values():
            for k, v in s.items():
                if k not in ("step", "mu_product"):
                    assert v._data.dtype == np.float32, (name, k)


def test_closure_loss_is_returned_and_params_without_grad_are_skipped():
    pair = Pair(np.float64)
    o = optim.Adam(pair.m, lr=0.1)
    before = [p._data.copy() for p in pair.m]
    loss = o.step(pair.closure_m(o))
    assert isinstance(loss, mlplab.Tensor)
    assert float(loss) == pytest.approx(Pair(np.float64).backward_t(), rel=1e-12)
    assert all(not np.array_equal(p._data, b) for p, b in zip(pair.m, before))
    assert o.step() is None
    # a parameter that never gets a gradient is not touched and gets no state
    w = mlplab.tensor([1.0, 2.0], requires_grad=True)
    o2 = optim.Adam([w], lr=0.1)
    o2.step()
    assert w.tolist() == [1.0, 2.0]
    assert len(o2.state) == 0


def test_zero_grad():
    pair = Pair(np.float64)
    o = optim.SGD(pair.m, lr=0.1)
    pair.backward_m()
    o.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad._data.any() for p in pair.m)
    o.zero_grad()
    assert all(p.grad is None for p in pair.m)


def test_add_param_group_and_named_params():
    a = mlplab.tensor([1.0], requires_grad=True)
    b = mlplab.tensor([2.0], requires_grad=True)
    o = optim.SGD([a], lr=0.1, momentum=0.9)
    o.add_param_group({"params": b, "lr": 0.5})
    assert o.param_groups[1]["lr"] == 0.5
    assert o.param_groups[1]["momentum"] == 0.9
    assert o.param_groups[1]["params"] == [b]
    o2 = optim.SGD([("w", a), ("v", b)], lr=0.1)
    assert o2.param_groups[0]["param_names"] == ["w", "v"]
    assert o2.state_dict()["param_groups"][0]["param_names"] == ["w", "v"]
    assert "Parameter Group 0" in repr(o) and "lr: 0.5" in repr(o)


def test_tensor_lr_is_accepted():
    w = mlplab.tensor([1.0, -2.0], dtype=mlplab.float64, requires_grad=True)
    o = optim.SGD([w], lr=mlplab.tensor(0.5))
    w.grad = mlplab.tensor([1.0, 1.0], dtype=mlplab.float64)
    o.step()
    assert w.tolist() == [0.5, -2.5]


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_big_and_non_contiguous_parameters(name, kwargs, dtype):
    """Parameters larger than one 128 KiB chunk (several chunks) and a transposed (non-contiguous) one."""
    rng = np.random.default_rng(5)
    arrays = [rng.normal(size=(300, 131)).astype(dtype), rng.normal(size=(7, 5)).astype(dtype)]
    pm = [mlplab.tensor(a.copy(), requires_grad=True) for a in arrays]
    pm[1].data = mlplab.tensor(np.ascontiguousarray(arrays[1].T)).T  # a non-contiguous view
    assert not pm[1]._data.flags.c_contiguous
    pt = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    om = getattr(optim, name)(pm, **kwargs)
    ot = getattr(torch.optim, name)(pt, **kwargs)
    rtol, atol = tolerances(dtype)
    for _ in range(5):
        for a, b in zip(pm, pt):
            g = (rng.normal(size=a.shape) * 10 ** rng.uniform(-3, 0, size=a.shape)).astype(dtype)
            a.grad = mlplab.tensor(g)
            b.grad = torch.tensor(g)
        om.step()
        ot.step()
        for a, b in zip(pm, pt):
            np.testing.assert_allclose(a._data, b.detach().numpy(), rtol=rtol, atol=atol)


SGD_CASES = [kw for n, kw in CASES if n == "SGD"]


@pytest.mark.parametrize("kwargs", SGD_CASES, ids=[str(k) for k in SGD_CASES])
def test_sgd_float32_is_bitwise_torch_given_the_same_gradients(kwargs):
    """SGD's every op is PyTorch's: add_(alpha) is a fused multiply-add there and BLAS axpy here."""
    pair = Pair(np.float32)
    om, ot = optim.SGD(pair.m, **kwargs), torch.optim.SGD(pair.t, **kwargs)
    for _ in range(STEPS):
        om.zero_grad()
        ot.zero_grad()
        pair.backward_m()
        pair.backward_t()
        for a, b in zip(pair.m, pair.t):
            a.grad._data[...] = b.grad.numpy()
        om.step()
        ot.step()
        for a, b in zip(pair.m, pair.t):
            np.testing.assert_array_equal(a._data, b.detach().numpy())


@pytest.mark.parametrize(("name", "kwargs"), [c for c in CASES if "weight_decay" in c[1] or c[0] == "AdamW"])
def test_numpy_fallback_without_blas(name, kwargs, monkeypatch):
    """Without SciPy's BLAS the fused adds fall back to two NumPy passes: same trajectories in float64."""
    import mlplab.optim.inplace as inplace

    monkeypatch.setattr(inplace, "_AXPY", {})
    _run(name, kwargs, np.float64)
