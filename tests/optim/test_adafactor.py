"""Adafactor against torch.optim.Adafactor 2.13 (matrices with factored state, vectors, a 3-d tensor)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from optim_helpers import Pair, tolerances

import mlplab
import mlplab.optim as optim

CASES = [
    {},
    {"lr": 0.05, "weight_decay": 0.01, "maximize": True},
    {"lr": 0.02, "beta2_decay": -0.5, "eps": (1e-20, 1e-2), "d": 2.0},
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("kwargs", CASES, ids=[str(k) for k in CASES])
def test_adafactor_trajectory_and_state_match_torch(kwargs, dtype):
    """30 steps on the 10-8-3 MLP (float32: both fed torch's gradients), then the state dicts."""
    pair = Pair(dtype)
    rtol, atol = tolerances(dtype)
    om, ot = optim.Adafactor(pair.m, **kwargs), torch.optim.Adafactor(pair.t, **kwargs)
    for step in range(30):
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
        if step == 14:  # a state dict round trip on both sides
            sd, sd_t = om.state_dict(), ot.state_dict()
            om, ot = optim.Adafactor(pair.m, **kwargs), torch.optim.Adafactor(pair.t, **kwargs)
            om.load_state_dict(sd)
            ot.load_state_dict(sd_t)
    sm, st = om.state_dict(), ot.state_dict()
    for i in st["state"]:
        assert list(sm["state"][i]) == list(st["state"][i])
        for k, v in st["state"][i].items():
            np.testing.assert_allclose(sm["state"][i][k]._data, v.numpy(), rtol=rtol, atol=atol, err_msg=k)
            assert sm["state"][i][k]._data.shape == tuple(v.shape), k
    assert [g.keys() for g in sm["param_groups"]] == [g.keys() for g in st["param_groups"]]


def test_adafactor_three_dimensional_and_transposed_parameters():
    """A stack of matrices (factored over the last two dimensions) and a non-contiguous matrix."""
    rng = np.random.default_rng(4)
    arrays = [rng.normal(size=(2, 3, 4)), rng.normal(size=(5, 6))]
    pm = [mlplab.tensor(a.copy(), requires_grad=True) for a in arrays]
    pm[1].data = mlplab.tensor(np.ascontiguousarray(arrays[1].T)).T
    pt = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    om, ot = optim.Adafactor(pm, lr=0.05), torch.optim.Adafactor(pt, lr=0.05)
    for _ in range(6):
        for a, b in zip(pm, pt):
            g = rng.normal(size=a.shape)
            a.grad = mlplab.tensor(g)
            b.grad = torch.tensor(g)
        om.step()
        ot.step()
        for a, b in zip(pm, pt):
            np.testing.assert_allclose(a._data, b.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": -1.0}, "Learning rate should be >= 0 but is: -1.0"),
        ({"beta2_decay": 0.5}, "beta2_decay should be <= 0 but is: 0.5"),
        ({"eps": (-1.0, 1e-3)}, "epsilon1 should be >= 0 but is: -1.0"),
        ({"eps": (None, -1.0)}, "epsilon2 should be >= 0 but is: -1.0"),
        ({"d": 0.5}, "Clipping threshold d should be >= 1 but is: 0.5"),
        ({"weight_decay": -0.1}, "weight_decay should be >= 0 but is: -0.1"),
    ],
)
def test_adafactor_invalid_hyperparameters_raise_torchs_message(kwargs, message):
    for module, w in (
        (optim, mlplab.zeros(2, requires_grad=True)),
        (torch.optim, torch.zeros(2, requires_grad=True)),
    ):
        with pytest.raises(ValueError) as info:
            module.Adafactor([w], **kwargs)
        assert str(info.value) == message
