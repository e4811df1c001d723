"""MultiplicativeLR, ConstantLR, PolynomialLR, CosineAnnealingWarmRestarts, CyclicLR and ChainedScheduler
against torch.optim.lr_scheduler: lr (and cycled momentum / beta1) sequences over 120 steps, equal to
the last bit, and state_dict round trips mid-run."""

from __future__ import annotations

import pytest
import torch

import mlplab
import mlplab.optim as optim
from mlplab.optim import lr_scheduler

STEPS = 120


def _opts(opt_name="SGD"):
    """mlplab and torch optimisers over two groups with different lrs."""
    kw = {"lr": 0.1, **({"momentum": 0.9} if opt_name == "SGD" else {})}
    pm = [mlplab.zeros(2, requires_grad=True), mlplab.zeros(3, requires_grad=True)]
    pt = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    om = getattr(optim, opt_name)([{"params": [pm[0]]}, {"params": [pm[1]], "lr": 0.05}], **kw)
    ot = getattr(torch.optim, opt_name)([{"params": [pt[0]]}, {"params": [pt[1]], "lr": 0.05}], **kw)
    return om, ot


def _make(lib, name, opt, kw):
    mod = lr_scheduler if lib == "m" else torch.optim.lr_scheduler
    if name == "ChainedScheduler":
        return mod.ChainedScheduler([getattr(mod, n)(opt, **k) for n, k in kw["schedulers"]], opt)
    if name == "SequentialLR":
        subs = [getattr(mod, n)(opt, **k) for n, k in kw["schedulers"]]
        return mod.SequentialLR(opt, subs, milestones=kw["milestones"])
    return getattr(mod, name)(opt, **kw)


class Shrink:
    """A callable object: its __dict__ is what state_dict keeps of it."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, epoch):
        return self.rate if epoch % 3 else 1.0


SCHEDULERS = [
    ("MultiplicativeLR", {"lr_lambda": lambda e: 0.95}),
    ("MultiplicativeLR", {"lr_lambda": [Shrink(0.9), lambda e: 1.0 - 0.001 * e]}),
    ("ConstantLR", {}),
    ("ConstantLR", {"factor": 0.25, "total_iters": 30}),
    ("PolynomialLR", {}),
    ("PolynomialLR", {"total_iters": 80, "power": 2.5}),
    ("CosineAnnealingWarmRestarts", {"T_0": 10}),
    ("CosineAnnealingWarmRestarts", {"T_0": 7, "T_mult": 2, "eta_min": 1e-3}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 10}),
    (
        "CyclicLR",
        {
            "base_lr": [0.01, 0.02],
            "max_lr": 0.3,
            "step_size_up": 7,
            "step_size_down": 13,
            "mode": "triangular2",
        },
    ),  # fmt: skip
    (
        "CyclicLR",
        {
            "base_lr": 0.01,
            "max_lr": 0.1,
            "step_size_up": 9,
            "mode": "exp_range",
            "gamma": 0.99,
            "base_momentum": 0.7,
            "max_momentum": 0.95,
        },
    ),  # fmt: skip
    (
        "CyclicLR",
        {
            "base_lr": 0.01,
            "max_lr": 0.1,
            "step_size_up": 5,
            "scale_fn": Shrink(0.5),
            "scale_mode": "iterations",
            "cycle_momentum": False,
        },
    ),  # fmt: skip
    (
        "ChainedScheduler",
        {
            "schedulers": [
                ("ConstantLR", {"factor": 0.1, "total_iters": 5}),
                ("ExponentialLR", {"gamma": 0.97}),
            ]
        },
    ),  # fmt: skip
    (
        "ChainedScheduler",
        {
            "schedulers": [
                ("PolynomialLR", {"total_iters": 60}),
                ("MultiplicativeLR", {"lr_lambda": lambda e: 0.99}),
                ("StepLR", {"step_size": 20, "gamma": 0.5}),
            ]
        },
    ),  # fmt: skip
    (
        "SequentialLR",
        {
            "schedulers": [
                ("ConstantLR", {"factor": 0.5, "total_iters": 10}),
                ("PolynomialLR", {"total_iters": 50, "power": 2.0}),
                ("CosineAnnealingLR", {"T_max": 30}),
            ],
            "milestones": [10, 60],
        },
    ),  # fmt: skip
]
IDS = [f"{n}{i}" for i, (n, _) in enumerate(SCHEDULERS)]


def _group_values(opt):
    return [
        (g["lr"], g.get("momentum"), tuple(g["betas"]) if "betas" in g else None) for g in opt.param_groups
    ]


@pytest.mark.parametrize(("name", "kw"), SCHEDULERS, ids=IDS)
@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
def test_lr_sequence_matches_torch(name, kw, opt_name):
    om, ot = _opts(opt_name)
    sm, st = _make("m", name, om, kw), _make("t", name, ot, kw)
    assert sm.get_last_lr() == st.get_last_lr()
    assert _group_values(om) == _group_values(ot)
    for _ in range(STEPS):
        om.step()
        ot.step()
        sm.step()
        st.step()
        assert sm.get_last_lr() == st.get_last_lr()
        assert _group_values(om) == _group_values(ot)  # incl. CyclicLR's momentum / beta1


@pytest.mark.parametrize(("name", "kw"), SCHEDULERS, ids=IDS)
def test_state_dict_round_trip_continues_the_sequence(name, kw):
    """At step 45 a fresh optimiser + scheduler load both state dicts and follow torch's uninterrupted run."""
    om, ot = _opts()
    sm, st = _make("m", name, om, kw), _make("t", name, ot, kw)
    for step in range(STEPS):
        om.step()
        ot.step()
        sm.step()
        st.step()
        if step == 44:
            s_sd, o_sd = sm.state_dict(), om.state_dict()
            om, _ = _opts()
            sm = _make("m", name, om, kw)
            sm.load_state_dict(s_sd)
            om.load_state_dict(o_sd)
        assert sm.get_last_lr() == st.get_last_lr()
        assert _group_values(om) == _group_values(ot)


@pytest.mark.parametrize(
    "kw", [{"T_0": 10}, {"T_0": 4, "T_mult": 3, "eta_min": 0.01}], ids=["T_mult1", "T_mult3"]
)
def test_warm_restarts_with_fractional_epochs(kw):
    """Stepped per batch with ``step(epoch + i / iters)``, as PyTorch's docs show, and jumped back."""
    om, ot = _opts()
    sm = lr_scheduler.CosineAnnealingWarmRestarts(om, **kw)
    st = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(ot, **kw)
    iters = 7
    for epoch in range(30):
        for i in range(iters):
            om.step()
            ot.step()
            sm.step(epoch + i / iters)
            st.step(epoch + i / iters)
            assert sm.get_last_lr() == st.get_last_lr()
            assert (sm.T_cur, sm.T_i, sm.last_epoch) == (st.T_cur, st.T_i, st.last_epoch)
    for epoch in (3.5, 0, 41.25):
        sm.step(epoch)
        st.step(epoch)
        assert sm.get_last_lr() == st.get_last_lr()
    with pytest.raises(ValueError, match="Expected non-negative epoch, but got -1"):
        sm.step(-1)


def test_closed_form_step_with_epoch():
    """ConstantLR and PolynomialLR jump to ``step(epoch)`` by their closed forms, as torch's."""
    for sched, kw in (("ConstantLR", {"factor": 0.2, "total_iters": 8}), ("PolynomialLR", {"power": 3.0})):
        om, ot = _opts()
        sm = getattr(lr_scheduler, sched)(om, **kw)
        st = getattr(torch.optim.lr_scheduler, sched)(ot, **kw)
        with pytest.warns(UserWarning):
            for epoch in (3, 9, 2, 0, 5):
                sm.step(epoch)
                st.step(epoch)
                assert sm.get_last_lr() == st.get_last_lr()


def _raises_like_torch(build):
    """Both libraries raise the same error type with the same message."""
    om, ot = _opts()
    with pytest.raises(Exception) as theirs:
        build(torch.optim.lr_scheduler, ot)
    with pytest.raises(theirs.type) as mine:
        build(lr_scheduler, om)
    assert str(mine.value) == str(theirs.value)


@pytest.mark.parametrize(
    "build",
    [
        lambda m, o: m.ConstantLR(o, factor=1.5),
        lambda m, o: m.MultiplicativeLR(o, lr_lambda=0.9),
        lambda m, o: m.MultiplicativeLR(o, lr_lambda=[lambda e: 1.0]),
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=0),
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=0),
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=5, eta_min="0"),
        lambda m, o: m.CyclicLR(o, 0.01, 0.1, mode="sawtooth"),
        lambda m, o: m.CyclicLR(o, [0.01], 0.1),
        lambda m, o: m.ChainedScheduler([]),
        lambda m, o: m.ChainedScheduler([m.ReduceLROnPlateau(o)]),
    ],
)
def test_bad_arguments_raise_like_torch(build):
    _raises_like_torch(build)


def test_cyclic_momentum_needs_an_optimiser_with_momentum():
    w = [mlplab.zeros(2, requires_grad=True)]
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        lr_scheduler.CyclicLR(optim.Adagrad(w), 0.01, 0.1)
    lr_scheduler.CyclicLR(optim.Adagrad(w), 0.01, 0.1, cycle_momentum=False)  # fine without momentum


def _custom(module):
    """A user's scheduler the way tutorials write one: subclass (_)LRScheduler, define get_lr."""

    class WarmupInverseSqrt(module._LRScheduler):
        def __init__(self, optimizer, warmup=4, last_epoch=-1):
            self.warmup = warmup
            super().__init__(optimizer, last_epoch)

        def get_lr(self):
            step = max(self.last_epoch, 1)
            scale = min(step / self.warmup, (self.warmup / step) ** 0.5)
            return [base * scale for base in self.base_lrs]

    return WarmupInverseSqrt


def test_a_custom_scheduler_subclassing_the_old_base_runs_like_torchs():
    om, ot = _opts()
    sm, st = _custom(lr_scheduler)(om), _custom(torch.optim.lr_scheduler)(ot)
    assert sm.get_last_lr() == st.get_last_lr()
    for _ in range(20):
        om.step()
        ot.step()
        sm.step()
        st.step()
        assert sm.get_last_lr() == st.get_last_lr()
    assert isinstance(sm, lr_scheduler.LRScheduler)
