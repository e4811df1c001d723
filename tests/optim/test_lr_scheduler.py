"""LR schedulers against torch.optim.lr_scheduler: 100-step lr sequences, state_dict round trips."""

from __future__ import annotations

import contextlib
import io
import math
import re
import warnings

import pytest
import torch

import mlplab
import mlplab.optim as optim
from mlplab.optim import lr_scheduler


def _opts(opt_name="SGD", **kw):
    """mlplab and torch optimisers over two groups with different lrs."""
    kw = {"lr": 0.1, **({"momentum": 0.9} if opt_name == "SGD" else {}), **kw}
    pm = [mlplab.zeros(2, requires_grad=True), mlplab.zeros(3, requires_grad=True)]
    pt = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    om = getattr(optim, opt_name)([{"params": [pm[0]]}, {"params": [pm[1]], "lr": 0.05}], **kw)
    ot = getattr(torch.optim, opt_name)([{"params": [pt[0]]}, {"params": [pt[1]], "lr": 0.05}], **kw)
    return om, ot


def _make(lib, name, opt, kw):
    mod = lr_scheduler if lib == "m" else torch.optim.lr_scheduler
    if name == "SequentialLR":
        subs = [getattr(mod, n)(opt, **k) for n, k in kw["schedulers"]]
        return mod.SequentialLR(opt, subs, milestones=kw["milestones"])
    return getattr(mod, name)(opt, **kw)


def _warmup(epoch):
    return min(1.0, (epoch + 1) / 10)


class Halving:
    """A callable object: LambdaLR saves its __dict__ in state_dict."""

    def __init__(self, every):
        self.every = every

    def __call__(self, epoch):
        return 0.5 ** (epoch // self.every)


SCHEDULERS = [
    ("StepLR", {"step_size": 7, "gamma": 0.5}),
    ("StepLR", {"step_size": 10, "gamma": 0.6}),
    ("MultiStepLR", {"milestones": [10, 30, 30, 80], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.97}),
    ("CosineAnnealingLR", {"T_max": 100}),
    ("CosineAnnealingLR", {"T_max": 30, "eta_min": 1e-3}),
    ("LambdaLR", {"lr_lambda": _warmup}),
    ("LambdaLR", {"lr_lambda": [_warmup, lambda e: 0.95**e]}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 0.5, "total_iters": 40}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 100}),
    ("OneCycleLR", {"max_lr": [1.0, 0.3], "epochs": 10, "steps_per_epoch": 10, "anneal_strategy": "linear"}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 100, "three_phase": True, "pct_start": 0.25}),
    (
        "SequentialLR",
        {
            "schedulers": [
                ("LinearLR", {"start_factor": 0.1, "total_iters": 10}),
                ("CosineAnnealingLR", {"T_max": 90}),
            ],
            "milestones": [10],
        },
    ),
    (
        "SequentialLR",
        {
            "schedulers": [
                ("ExponentialLR", {"gamma": 0.9}),
                ("StepLR", {"step_size": 5, "gamma": 0.5}),
                ("MultiStepLR", {"milestones": [5, 20]}),
            ],
            "milestones": [20, 50],
        },
    ),
]
IDS = [f"{n}{i}" for i, (n, _) in enumerate(SCHEDULERS)]


def _group_values(opt):
    out = []
    for g in opt.param_groups:
        out.append((g["lr"], g.get("momentum"), tuple(g["betas"]) if "betas" in g else None))
    return out


@pytest.mark.parametrize(("name", "kw"), SCHEDULERS, ids=IDS)
@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
def test_lr_sequence_matches_torch(name, kw, opt_name):
    om, ot = _opts(opt_name)
    sm, st = _make("m", name, om, kw), _make("t", name, ot, kw)
    assert sm.get_last_lr() == st.get_last_lr()
    assert _group_values(om) == _group_values(ot)
    for _ in range(100):
        om.step()
        ot.step()
        sm.step()
        st.step()
        assert sm.get_last_lr() == st.get_last_lr()
        assert sm.last_epoch == st.last_epoch
        assert _group_values(om) == _group_values(ot)  # incl. OneCycleLR's momentum / beta1


@pytest.mark.parametrize(("name", "kw"), SCHEDULERS, ids=IDS)
def test_state_dict_round_trip_continues_the_sequence(name, kw):
    """At step 40, fresh optimiser + scheduler load both state dicts and follow torch's uninterrupted run."""
    om, ot = _opts()
    sm, st = _make("m", name, om, kw), _make("t", name, ot, kw)
    for step in range(100):
        om.step()
        ot.step()
        sm.step()
        st.step()
        if step == 39:
            s_sd, o_sd = sm.state_dict(), om.state_dict()
            om, _ = _opts()
            sm = _make("m", name, om, kw)  # PyTorch's order: scheduler first, then optimizer state
            sm.load_state_dict(s_sd)
            om.load_state_dict(o_sd)
        assert sm.get_last_lr() == st.get_last_lr()
        assert _group_values(om) == _group_values(ot)


def test_lambda_lr_state_dict_saves_callable_objects_only():
    om, _ = _opts()
    s = lr_scheduler.LambdaLR(om, [Halving(3), _warmup])
    sd = s.state_dict()
    assert sd["lr_lambdas"] == [{"every": 3}, None]
    s2 = lr_scheduler.LambdaLR(om, [Halving(99), _warmup])
    s2.load_state_dict(sd)
    assert s2.lr_lambdas[0].every == 3


PLATEAU = [
    {},
    {"patience": 3, "factor": 0.5},
    {"patience": 2, "factor": 0.5, "cooldown": 4, "min_lr": 0.01},
    {"patience": 1, "factor": 0.3, "threshold": 0.05, "threshold_mode": "abs", "min_lr": [0.02, 0.001]},
    {"mode": "max", "patience": 2, "factor": 0.7, "threshold": 0.01},
    {"mode": "max", "patience": 0, "threshold_mode": "abs", "threshold": 0.0, "eps": 1e-3},
]


def _metrics():
    """A loss curve that improves, plateaus, wiggles and improves again (fixed numbers)."""
    out = []
    for i in range(100):
        base = 1.0 / (1 + 0.1 * min(i, 20)) if i < 60 else 0.33 - 0.004 * (i - 60)
        out.append(round(base + 0.01 * math.sin(1.7 * i), 6))
    return out


@pytest.mark.parametrize("kw", PLATEAU)
def test_reduce_lr_on_plateau_matches_torch(kw):
    om, ot = _opts()
    sm = lr_scheduler.ReduceLROnPlateau(om, **kw)
    st = torch.optim.lr_scheduler.ReduceLROnPlateau(ot, **kw)
    reductions = 0
    for i, m in enumerate(_metrics()):
        before = sm.get_last_lr()
        sm.step(m if i % 2 else mlplab.tensor(m))  # a 0-d Tensor metric works too
        st.step(m)
        assert sm.get_last_lr() == st.get_last_lr()
        reductions += sm.get_last_lr() != before
        if i == 50:  # round trip in the middle
            sd = sm.state_dict()
            sm = lr_scheduler.ReduceLROnPlateau(om, **kw)
            sm.load_state_dict(sd)
    assert reductions >= 1
    assert sm.state_dict().keys() == st.state_dict().keys()


def test_notes_steplr_output():
    """Notes 3.5: StepLR(step_size=10, gamma=0.6) on SGD(lr=0.1), printed after each of 10 epochs."""
    w = mlplab.tensor([1.0], requires_grad=True)
    optimizer = optim.SGD([w], lr=0.1)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.6)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        for _ in range(10):
            optimizer.step()
            scheduler.step()
            print(scheduler.get_last_lr(), end=" ")
    assert buf.getvalue().strip() == "[0.1] [0.1] [0.1] [0.1] [0.1] [0.1] [0.1] [0.1] [0.1] [0.06]"


def test_initial_lr_and_base_lrs_like_torch():
    om, ot = _opts()
    sm = lr_scheduler.ExponentialLR(om, gamma=0.5)
    st = torch.optim.lr_scheduler.ExponentialLR(ot, gamma=0.5)
    assert [g["initial_lr"] for g in om.param_groups] == [g["initial_lr"] for g in ot.param_groups]
    assert sm.base_lrs == st.base_lrs == [0.1, 0.05]
    om.param_groups[0]["lr"] = 1.0  # recursive schedules follow manual changes, as torch's do
    ot.param_groups[0]["lr"] = 1.0
    om.step()
    ot.step()
    sm.step()
    st.step()
    assert sm.get_last_lr() == st.get_last_lr() == [0.5, 0.025]
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(optim.SGD([mlplab.zeros(1, requires_grad=True)]), step_size=2, last_epoch=3)


def test_scheduler_bad_arguments_raise_like_torch():
    om, ot = _opts()
    cases = [
        ("LinearLR", {"start_factor": 0.0}),
        ("LinearLR", {"end_factor": 1.5}),
        ("OneCycleLR", {"max_lr": 0.1}),
        ("OneCycleLR", {"max_lr": 0.1, "total_steps": 0}),
        ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 1.5}),
        ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "anneal_strategy": "exp"}),
        ("OneCycleLR", {"max_lr": [0.1], "total_steps": 10}),
        ("LambdaLR", {"lr_lambda": [_warmup]}),
        ("ReduceLROnPlateau", {"factor": 1.0}),
        ("ReduceLROnPlateau", {"mode": "median"}),
        ("ReduceLROnPlateau", {"threshold_mode": "pct"}),
        ("ReduceLROnPlateau", {"min_lr": [0.1]}),
    ]
    for name, kw in cases:
        with pytest.raises(Exception) as et:
            getattr(torch.optim.lr_scheduler, name)(ot, **kw)
        with pytest.raises(et.type, match="^" + re.escape(str(et.value)) + "$"):
            getattr(lr_scheduler, name)(om, **kw)
    one = lr_scheduler.OneCycleLR(om, max_lr=0.1, total_steps=3)
    for _ in range(3):
        one.step()
    with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
        one.step()


def test_onecycle_needs_momentum():
    class NoMomentum(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.1})

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            lr_scheduler.OneCycleLR(
                NoMomentum([mlplab.zeros(1, requires_grad=True)]), max_lr=1.0, total_steps=5
            )
