"""Adamax, Adadelta, RAdam, Rprop and ASGD against torch.optim 2.13, step by step (as test_optimizers).

float64: the whole loop (mlplab forward/backward + optimiser) against torch's, 20 steps, weights within
1e-10 relative after every step. float32: both optimisers fed torch's gradients (see
test_optimizers.py's docstring for why), 1e-5. The state (every entry, its dtype) and the param
groups' keys match torch's; a state dict survives a round trip mid-run, and loads into torch.optim.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from optim_helpers import Pair, tolerances

import mlplab
import mlplab.optim as optim

STEPS = 20  # RAdam's rectified step starts at step 6 (beta2 0.8: 7), ASGD's averaging (t0=5) at 8

CASES = [
    ("Adamax", {"lr": 1e-2}),
    ("Adamax", {"lr": 1e-2, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.01}),
    ("Adamax", {"lr": 1e-2, "maximize": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.01}),
    ("Adadelta", {"lr": 0.5, "maximize": True}),
    ("RAdam", {"lr": 1e-2}),
    ("RAdam", {"lr": 1e-2, "betas": (0.9, 0.9), "weight_decay": 0.01}),
    ("RAdam", {"lr": 1e-2, "betas": (0.8, 0.8), "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 1e-2, "betas": (0.9, 0.9), "maximize": True}),
    ("Rprop", {}),
    ("Rprop", {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.1)}),
    ("Rprop", {"lr": 0.01, "maximize": True}),
    ("ASGD", {"lr": 0.1}),
    ("ASGD", {"lr": 0.1, "lambd": 0.01, "alpha": 0.5, "t0": 5, "weight_decay": 0.01}),
    ("ASGD", {"lr": 0.05, "t0": 0, "maximize": True}),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for n, kw in CASES]
DTYPES = [np.float64, np.float32]


def _to_torch(state_dict):
    """An mlplab optimiser state dict as torch.optim expects it (Tensors -> torch tensors)."""
    state = {
        i: {k: torch.from_numpy(v._data.copy()) for k, v in s.items()} for i, s in state_dict["state"].items()
    }
    return {"state": state, "param_groups": [dict(g) for g in state_dict["param_groups"]]}


def _run(name, kwargs, dtype, make_params=lambda p: p, roundtrip_at=None, to_torch_at=None):
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
            # torch too: its load casts 0-d state other than step (ASGD's eta, mu) to the weights' dtype
            sd = ot.state_dict()
            ot = getattr(torch.optim, name)(make_params(pair.t), **kwargs)
            ot.load_state_dict(sd)
        if step + 1 == to_torch_at:  # torch continues from mlplab's state
            ot = getattr(torch.optim, name)(make_params(pair.t), **kwargs)
            ot.load_state_dict(_to_torch(om.state_dict()))
    return om, ot


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_trajectory_and_state_match_torch(name, kwargs, dtype):
    om, ot = _run(name, kwargs, dtype)
    sm, st = om.state_dict(), ot.state_dict()
    rtol, atol = tolerances(dtype)
    assert sm["state"].keys() == st["state"].keys()
    for i in st["state"]:
        assert sm["state"][i].keys() == st["state"][i].keys()
        for k, v in st["state"][i].items():
            np.testing.assert_allclose(sm["state"][i][k]._data, v.numpy(), rtol=rtol, atol=atol, err_msg=k)
            assert sm["state"][i][k]._data.dtype == v.numpy().dtype, k
    assert [g.keys() for g in sm["param_groups"]] == [g.keys() for g in st["param_groups"]]


def _two_groups(p):
    return [{"params": p[:2], "lr": 0.003}, {"params": p[2:]}]


FAMILIES = [CASES[1], CASES[4], CASES[7], CASES[11], CASES[14]]


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
@pytest.mark.parametrize(("name", "kwargs"), FAMILIES, ids=[f[0] for f in FAMILIES])
def test_two_groups_and_state_dict_round_trips(name, kwargs, dtype):
    """Two groups with their own lr; both sides reloaded into fresh optimisers at step 8, and
    mlplab's state loaded into a fresh torch optimiser at step 14: the trajectories go on together."""
    _run(name, kwargs, dtype, make_params=_two_groups, roundtrip_at=8, to_torch_at=14)


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_big_and_non_contiguous_parameters(name, kwargs):
    """A parameter of several 128 KiB chunks and a transposed (non-contiguous) one, float32."""
    rng = np.random.default_rng(5)
    arrays = [rng.normal(size=(300, 131)).astype(np.float32), rng.normal(size=(7, 5)).astype(np.float32)]
    pm = [mlplab.tensor(a.copy(), requires_grad=True) for a in arrays]
    pm[1].data = mlplab.tensor(np.ascontiguousarray(arrays[1].T)).T
    assert not pm[1]._data.flags.c_contiguous
    pt = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    om = getattr(optim, name)(pm, **kwargs)
    ot = getattr(torch.optim, name)(pt, **kwargs)
    for _ in range(8):
        for a, b in zip(pm, pt):
            g = (rng.normal(size=a.shape) * 10 ** rng.uniform(-3, 0, size=a.shape)).astype(np.float32)
            a.grad = mlplab.tensor(g)
            b.grad = torch.tensor(g)
        om.step()
        ot.step()
        for a, b in zip(pm, pt):
            np.testing.assert_allclose(a._data, b.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_signatures_equal_torch_up_to_the_accepted_fused():
    import inspect

    for name in ("Adamax", "Adadelta", "RAdam", "Rprop", "ASGD"):
        mine = inspect.signature(getattr(optim, name)).parameters
        theirs = inspect.signature(getattr(torch.optim, name)).parameters
        assert [p for p in mine if p != "fused"] == list(theirs), name
        for p, q in theirs.items():
            assert mine[p].default == q.default and mine[p].kind == q.kind, (name, p)


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [
        ("Adamax", {"lr": -1.0}, "Invalid learning rate: -1.0"),
        ("Adamax", {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1: 1.0"),
        ("Adamax", {"eps": -1.0}, "Invalid epsilon value: -1.0"),
        ("Adadelta", {"rho": 1.5}, "Invalid rho value: 1.5"),
        ("Adadelta", {"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
        ("RAdam", {"betas": (-0.1, 0.9)}, "Invalid beta parameter at index 0: -0.1"),
        ("Rprop", {"etas": (0.5, 0.9)}, "Invalid eta values: 0.5, 0.9"),
        ("Rprop", {"etas": (1.0, 1.2)}, "Invalid eta values: 1.0, 1.2"),
        ("ASGD", {"weight_decay": -1.0}, "Invalid weight_decay value: -1.0"),
    ],
)
def test_invalid_hyperparameters_raise_torchs_message(name, kwargs, message):
    for module, params in (
        (optim, [mlplab.zeros(2, requires_grad=True)]),
        (torch.optim, [torch.zeros(2, requires_grad=True)]),
    ):
        with pytest.raises(ValueError) as info:
            getattr(module, name)(params, **kwargs)
        assert str(info.value) == message


def test_sparse_adam_is_refused_with_the_reason():
    with pytest.raises(RuntimeError, match="does not support SparseAdam.*dense.*optim.Adam"):
        optim.SparseAdam([mlplab.zeros(2, requires_grad=True)], lr=0.1)


def test_asgd_average_is_the_mean_of_the_iterates_after_t0():
    """With lambd = 0, ax after t steps is the plain mean of w_{t0+2} .. w_t (mu_t = 1/(t - 1 - t0),
    held in float32, hence the 1e-7)."""
    w = mlplab.tensor([1.0, -2.0], dtype=mlplab.float64, requires_grad=True)
    opt = optim.ASGD([w], lr=0.1, lambd=0.0, t0=0)
    iterates = []
    for grad in ([1.0, 2.0], [0.5, -1.0], [-3.0, 0.25], [2.0, 2.0]):
        w.grad = mlplab.tensor(grad, dtype=mlplab.float64)
        opt.step()
        iterates.append(w._data.copy())
    np.testing.assert_allclose(opt.state[w]["ax"]._data, np.mean(iterates[1:], axis=0), rtol=1e-7)


ALL_OPTIMISERS = ["SGD", "Momentum", "Adam", "AdamW", "Adagrad", "RMSprop", "NAdam", "RAdam", "Adamax",
                  "Adadelta", "Rprop", "ASGD", "LBFGS"]  # fmt: skip


@pytest.mark.parametrize("name", ALL_OPTIMISERS)
def test_capturable_and_differentiable_true_are_refused_with_the_reason(name):
    """PyTorch refuses both for CPU parameters at the first step (AssertionError / RuntimeError);
    mlplab refuses them at construction, saying why. False (the default) is accepted."""
    w = [mlplab.zeros(2, requires_grad=True)]
    with pytest.raises(AssertionError, match="does not support capturable=True.*CUDA graphs.*CPU only"):
        getattr(optim, name)(w, capturable=True)
    with pytest.raises(RuntimeError, match="does not support differentiable=True.*outside autograd"):
        getattr(optim, name)(w, differentiable=True)
    getattr(optim, name)(w, capturable=False, differentiable=False, foreach=True)


@pytest.mark.parametrize("name", ["Adam", "RAdam", "Rprop", "ASGD"])
def test_torch_refuses_the_same_on_cpu(name):
    """The oracle: torch 2.13 on CPU parameters fails on the first step with these flags."""
    for flag, error in (("capturable", AssertionError), ("differentiable", RuntimeError)):
        w = torch.zeros(2, requires_grad=True)
        opt = getattr(torch.optim, name)([w], **{flag: True})
        w.grad = torch.ones(2)
        with pytest.raises(error):
            opt.step()


def test_asgd_scalar_state_follows_the_default_dtype():
    """Under set_default_dtype(float64) torch keeps eta and mu in float64 (no float32 rounding)."""
    mlplab_default, torch_default = mlplab.get_default_dtype(), torch.get_default_dtype()
    mlplab.set_default_dtype(mlplab.float64)
    torch.set_default_dtype(torch.float64)
    try:
        w = mlplab.tensor([1.0, -2.0], requires_grad=True)
        wt = torch.tensor([1.0, -2.0], requires_grad=True)
        om, ot = optim.ASGD([w], lr=0.1, t0=2), torch.optim.ASGD([wt], lr=0.1, t0=2)
        for grad in ([0.3, -0.7], [0.1, 0.2], [-0.4, 0.5], [0.2, 0.2], [0.6, -0.1]):
            w.grad, wt.grad = mlplab.tensor(grad), torch.tensor(grad)
            om.step()
            ot.step()
        for k, v in ot.state[wt].items():
            assert om.state[w][k]._data.dtype == v.numpy().dtype == np.float64, k
            np.testing.assert_allclose(om.state[w][k]._data, v.numpy(), rtol=1e-15, err_msg=k)
        np.testing.assert_allclose(w._data, wt.detach().numpy(), rtol=1e-15)
    finally:
        mlplab.set_default_dtype(mlplab_default)
        torch.set_default_dtype(torch_default)
