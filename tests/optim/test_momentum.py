"""The notes' Momentum (v = a v + (1-a) g; w -= lr v) and how it relates to torch's SGD(momentum)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from optim_helpers import Pair

import mlplab
import mlplab.optim as optim


def test_notes_recursion_on_a_parabola():
    """f(w) = w^2 from w = 1: the update is exactly the notes' two lines, written out by hand."""
    w = mlplab.tensor([1.0], dtype=mlplab.float64, requires_grad=True)
    opt = optim.Momentum([w], lr=0.1, alpha=0.9)
    v, x = 0.0, 1.0
    for _ in range(20):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
        v = 0.9 * v + (1 - 0.9) * (2 * x)
        x = x - 0.1 * v
        assert w.item() == pytest.approx(x, rel=1e-14)


@pytest.mark.parametrize("alpha", [0.9, 0.5])
def test_momentum_equals_torch_sgd_with_scaled_lr(alpha):
    """Momentum(lr, a) takes torch SGD(lr*(1-a), momentum=a)'s path, step for step (docstring claim)."""
    pair = Pair(np.float64)
    lr = 0.5
    om = optim.Momentum(pair.m, lr=lr, alpha=alpha)
    ot = torch.optim.SGD(pair.t, lr=lr * (1 - alpha), momentum=alpha)
    for step in range(50):
        om.zero_grad()
        ot.zero_grad()
        pair.backward_m()
        pair.backward_t()
        om.step()
        ot.step()
        pair.assert_close(1e-10, 1e-12, f"after step {step + 1}")


def test_sgd_momentum_equals_notes_momentum_with_lr_over_one_minus_mu():
    """And the other way round: SGD(lr, momentum=mu) == Momentum(lr / (1 - mu), alpha=mu)."""
    a, b = Pair(np.float64), Pair(np.float64)
    o1 = optim.SGD(a.m, lr=0.05, momentum=0.9)
    o2 = optim.Momentum(b.m, lr=0.05 / (1 - 0.9), alpha=0.9)
    for _ in range(50):
        o1.zero_grad()
        o2.zero_grad()
        a.backward_m()
        b.backward_m()
        o1.step()
        o2.step()
    for p, q in zip(a.m, b.m):
        np.testing.assert_allclose(p._data, q._data, rtol=1e-10, atol=1e-12)


def test_dampened_sgd_is_the_ema_form_only_after_its_first_step():
    """SGD(lr, momentum=a, dampening=a) starts its buffer at g, not (1-a) g: first step 1/(1-a) larger."""
    a = 0.9
    w1 = mlplab.tensor([1.0], dtype=mlplab.float64, requires_grad=True)
    w2 = mlplab.tensor([1.0], dtype=mlplab.float64, requires_grad=True)
    o1 = optim.SGD([w1], lr=0.1, momentum=a, dampening=a)
    o2 = optim.Momentum([w2], lr=0.1, alpha=a)
    for w in (w1, w2):
        (w * w).sum().backward()
    o1.step()
    o2.step()
    assert (1.0 - w1.item()) == pytest.approx((1.0 - w2.item()) / (1 - a), rel=1e-12)


def test_momentum_state_dict_round_trip_and_bad_alpha():
    a, b = Pair(np.float64), Pair(np.float64)
    o1 = optim.Momentum(a.m, lr=0.3)
    o2 = optim.Momentum(b.m, lr=0.3)
    for step in range(20):
        for o, p in ((o1, a), (o2, b)):
            o.zero_grad()
            p.backward_m()
            o.step()
        if step == 9:
            sd = o2.state_dict()
            o2 = optim.Momentum(b.m, lr=0.3)
            o2.load_state_dict(sd)
    for p, q in zip(a.m, b.m):
        np.testing.assert_array_equal(p._data, q._data)
    with pytest.raises(ValueError, match="Invalid alpha value: 1.0"):
        optim.Momentum(a.m, lr=0.1, alpha=1.0)
