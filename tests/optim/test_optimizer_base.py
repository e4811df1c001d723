"""Optimizer base behaviour: bad input raises as torch does, PyTorch kwargs accepted, the notes' GD table."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from optim_helpers import Pair

import mlplab
import mlplab.optim as optim
from mlplab.optim import lr_scheduler

BAD_HYPER = [
    ("SGD", {"lr": -0.1}),
    ("SGD", {"lr": 0.1, "momentum": -0.5}),
    ("SGD", {"lr": 0.1, "weight_decay": -0.1}),
    ("SGD", {"lr": 0.1, "nesterov": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True}),
    ("Adam", {"lr": -0.1}),
    ("Adam", {"eps": -1e-8}),
    ("Adam", {"betas": (1.0, 0.999)}),
    ("Adam", {"betas": (-0.1, 0.999)}),
    ("Adam", {"betas": (0.9, 1.0)}),
    ("Adam", {"weight_decay": -0.1}),
    ("AdamW", {"lr": -1e-3}),
    ("AdamW", {"betas": (0.9, 1.5)}),
    ("AdamW", {"weight_decay": -1.0}),
    ("Adagrad", {"lr": -0.1}),
    ("Adagrad", {"lr_decay": -0.1}),
    ("Adagrad", {"eps": -1.0}),
    ("Adagrad", {"weight_decay": -0.1}),
    ("Adagrad", {"initial_accumulator_value": -0.1}),
    ("RMSprop", {"lr": -0.1}),
    ("RMSprop", {"eps": -1e-8}),
    ("RMSprop", {"momentum": -0.9}),
    ("RMSprop", {"weight_decay": -0.1}),
    ("RMSprop", {"alpha": -0.99}),
    ("NAdam", {"lr": -0.1}),
    ("NAdam", {"eps": -1e-8}),
    ("NAdam", {"betas": (1.0, 0.999)}),
    ("NAdam", {"betas": (0.9, 1.0)}),
    ("NAdam", {"weight_decay": -0.1}),
    ("NAdam", {"momentum_decay": -0.1}),
    ("LBFGS", {"lr": -0.1}),
]


@pytest.mark.parametrize(("name", "kwargs"), BAD_HYPER, ids=[f"{n}-{kw}" for n, kw in BAD_HYPER])
def test_bad_hyperparameters_raise_like_torch(name, kwargs):
    with pytest.raises(Exception) as torch_err:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kwargs)
    with pytest.raises(torch_err.type, match="^" + re.escape(str(torch_err.value)) + "$"):
        getattr(optim, name)([mlplab.zeros(2, requires_grad=True)], **kwargs)


def test_notes_messages():
    w = [mlplab.zeros(2, requires_grad=True)]
    with pytest.raises(ValueError, match=r"^Invalid learning rate: -0.1$"):
        optim.SGD(w, lr=-0.1)
    with pytest.raises(ValueError, match=r"^Nesterov momentum requires a momentum and zero dampening$"):
        optim.SGD(w, lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"^Invalid beta parameter at index 0: 1.0$"):
        optim.Adam(w, betas=(1.0, 0.999))
    with pytest.raises(ValueError, match=r"^Invalid weight_decay value: -0.01$"):
        optim.Momentum(w, lr=0.1, weight_decay=-0.01)
    with pytest.raises(ValueError, match=r"^Invalid learning rate: -1$"):
        optim.Momentum(w, lr=-1)


def _err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - we compare whatever torch raised
        return type(e), str(e)
    return None


def test_bad_params_raise_like_torch():
    a, b = mlplab.zeros(2, requires_grad=True), mlplab.zeros(3, requires_grad=True)
    ta, tb = torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)
    cases = [
        (lambda: optim.SGD([{"params": [a, b]}, {"params": [b]}], lr=0.1),
         lambda: torch.optim.SGD([{"params": [ta, tb]}, {"params": [tb]}], lr=0.1)),
        (lambda: optim.SGD([], lr=0.1), lambda: torch.optim.SGD([], lr=0.1)),
        (lambda: optim.Adam([{"params": {a, b}}]), lambda: torch.optim.Adam([{"params": {ta, tb}}])),
        (lambda: optim.Adam([a * 2]), lambda: torch.optim.Adam([ta * 2])),
        (lambda: optim.Adam([1.0]), lambda: torch.optim.Adam([1.0])),
        (lambda: optim.Adam(a), lambda: torch.optim.Adam(ta)),
        (lambda: optim.Adam([{"params": a}, {"params": [("w", b)]}]),
         lambda: torch.optim.Adam([{"params": ta}, {"params": [("w", tb)]}])),
    ]  # fmt: skip
    for m, t in cases:
        et, em = _err(t)
        got = _err(m)
        assert got is not None, em
        assert got[0] is et, (got, em)
        assert got[1] == em.replace("torch.FloatTensor", "mlplab.Tensor")
    assert _err(lambda: optim.SGD([{"params": [a, b]}, {"params": [b]}], lr=0.1)) == (
        ValueError,
        "some parameters appear in more than one parameter group",
    )
    o = optim.SGD([a], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        o.add_param_group({"params": [a]})


@pytest.mark.parametrize(
    "make",
    [
        lambda o: lr_scheduler.StepLR(o, step_size=10),
        lambda o: lr_scheduler.MultiStepLR(o, milestones=[3]),
        lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9),
        lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=10),
        lambda o: lr_scheduler.LambdaLR(o, lambda e: 1.0),
        lambda o: lr_scheduler.LinearLR(o),
        lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=10),
        lambda o: lr_scheduler.ReduceLROnPlateau(o),
        lambda o: lr_scheduler.SequentialLR(o, [], []),
    ],
)
def test_scheduler_given_a_non_optimizer(make):
    for not_opt in (object(), [mlplab.zeros(2, requires_grad=True)]):
        with pytest.raises(TypeError, match=f"^{type(not_opt).__name__} is not an Optimizer$"):
            make(not_opt)
    # torch's optimizer is not mlplab's either
    with pytest.raises(TypeError, match="^SGD is not an Optimizer$"):
        make(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1))


ALL = {
    "SGD": {"lr": 0.1, "momentum": 0.9},
    "Momentum": {"lr": 0.1},
    "Adam": {},
    "AdamW": {},
    "Adagrad": {},
    "RMSprop": {},
    "NAdam": {},
}


@pytest.mark.parametrize("name", list(ALL))
def test_pytorch_kwargs_accepted_and_change_nothing(name):
    """foreach/fused/capturable/differentiable are accepted (documented as ignored): same path."""
    a, b = Pair(np.float64), Pair(np.float64)
    o1 = getattr(optim, name)(a.m, **ALL[name])
    extra = {"foreach": True, "differentiable": False, "capturable": False}
    o2 = getattr(optim, name)(b.m, **ALL[name], **extra)
    o3 = getattr(optim, name)(Pair(np.float64).m, **ALL[name], fused=True)
    assert o3.param_groups[0].get("fused", True) is True
    for _ in range(5):
        for o, p in ((o1, a), (o2, b)):
            o.zero_grad()
            p.backward_m()
            o.step()
    for p, q in zip(a.m, b.m):
        np.testing.assert_array_equal(p._data, q._data)
    assert getattr(optim, name)(a.m, **ALL[name], maximize=True).param_groups[0]["maximize"] is True


NOTES_TABLE = """\
epoch: 1, w1=1.600, w2=2.400, loss=13.320
epoch: 2, w1=1.280, w2=1.920, loss=10.325
epoch: 3, w1=1.024, w2=1.536, loss=8.408
epoch: 4, w1=0.819, w2=1.229, loss=7.181
epoch: 5, w1=0.655, w2=0.983, loss=6.396
epoch: 6, w1=0.524, w2=0.786, loss=5.893
epoch: 7, w1=0.419, w2=0.629, loss=5.572
epoch: 8, w1=0.336, w2=0.503, loss=5.366
epoch: 9, w1=0.268, w2=0.403, loss=5.234
epoch: 10, w1=0.215, w2=0.322, loss=5.150
epoch: 11, w1=0.172, w2=0.258, loss=5.096
epoch: 12, w1=0.137, w2=0.206, loss=5.061
epoch: 13, w1=0.110, w2=0.165, loss=5.039
epoch: 14, w1=0.088, w2=0.132, loss=5.025
epoch: 15, w1=0.070, w2=0.106, loss=5.016"""


def test_gradient_descent_reproduces_the_notes_table():
    """Notes 3.1: minimise w1^2 + w2^2 + 5 from (2, 3) with lr 0.1 for 15 epochs."""
    w = mlplab.tensor([2.0, 3.0], dtype=mlplab.float64, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    rows = []
    for epoch in range(1, 16):
        opt.zero_grad()
        loss = (w**2).sum() + 5
        loss.backward()
        opt.step()
        w1, w2 = w.tolist()
        rows.append(f"epoch: {epoch}, w1={w1:.3f}, w2={w2:.3f}, loss={w1**2 + w2**2 + 5:.3f}")
    assert "\n".join(rows) == NOTES_TABLE
    np.testing.assert_allclose(w.detach().numpy(), [0.07036874, 0.10555312], atol=5e-9)
