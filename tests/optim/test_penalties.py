"""L1/L2 penalties, and how an L2 penalty relates to weight decay under SGD, Adam and AdamW."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from optim_helpers import Pair, mlplab_loss

import mlplab
import mlplab.optim as optim
from mlplab.autograd.numerical import gradcheck


def test_penalties_match_torch_values_and_gradients():
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=(4, 3)), rng.normal(size=(3,))]
    for fn, tfn in (
        (optim.l2_penalty, lambda ps: sum((p**2).sum() for p in ps)),
        (optim.l1_penalty, lambda ps: sum(p.abs().sum() for p in ps)),
    ):
        pm = [mlplab.tensor(a, requires_grad=True) for a in arrays]
        pt = [torch.tensor(a, requires_grad=True) for a in arrays]
        vm, vt = fn(pm), tfn(pt)
        vm.backward()
        vt.backward()
        assert float(vm) == pytest.approx(float(vt.detach()), rel=1e-14)
        for a, b in zip(pm, pt):
            np.testing.assert_allclose(a.grad._data, b.grad.numpy(), rtol=1e-14)
    w = mlplab.tensor(rng.normal(size=(3, 2)), requires_grad=True)
    assert gradcheck(lambda x: optim.l2_penalty([x]), (w,))
    assert float(optim.l2_penalty([])) == 0.0

    class Obj:  # anything with .parameters()
        def parameters(self):
            return iter([w])

    assert float(optim.l1_penalty(Obj())) == pytest.approx(np.abs(w._data).sum())


def _train(pair, opt, steps=30, penalty=0.0, scale=1.0):
    for _ in range(steps):
        opt.zero_grad()
        loss = mlplab_loss(pair.m, pair.Xm, pair.y) * scale
        if penalty:
            loss = loss + (penalty / 2) * optim.l2_penalty(pair.m)
        loss.backward()
        opt.step()
    return [p._data.copy() for p in pair.m]


def _close(a, b, rtol):
    return all(np.allclose(x, y, rtol=rtol, atol=rtol * 1e-2) for x, y in zip(a, b))


def _max_diff(a, b):
    return max(np.abs(x - y).max() for x, y in zip(a, b))


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_l2_penalty_equals_weight_decay_under_sgd(momentum):
    """loss + (wd/2)||w||^2 with SGD == SGD(weight_decay=wd) == shrinking w by (1 - lr wd) each step."""
    wd, lr = 0.05, 0.2
    a, b = Pair(np.float64), Pair(np.float64)
    with_penalty = _train(a, optim.SGD(a.m, lr=lr, momentum=momentum), penalty=wd)
    with_decay = _train(b, optim.SGD(b.m, lr=lr, momentum=momentum, weight_decay=wd))
    assert _close(with_penalty, with_decay, 1e-11)
    if momentum == 0:  # plain SGD: the L2 gradient term *is* a multiplicative decay of the weights
        c = Pair(np.float64)
        for _ in range(30):
            loss = mlplab_loss(c.m, c.Xm, c.y)
            for p in c.m:
                p.grad = None
            loss.backward()
            with mlplab.no_grad():
                for p in c.m:
                    p.mul_(1 - lr * wd).sub_(lr * p.grad)
        assert _close([p._data for p in c.m], with_decay, 1e-11)


def test_l2_penalty_is_not_weight_decay_under_adam():
    """Under Adam the penalty is only Adam's *coupled* weight_decay; true (decoupled) decay is AdamW."""
    wd, lr = 0.1, 0.01
    a, b, c = Pair(np.float64), Pair(np.float64), Pair(np.float64)
    with_penalty = _train(a, optim.Adam(a.m, lr=lr), penalty=wd)
    coupled = _train(b, optim.Adam(b.m, lr=lr, weight_decay=wd))
    decoupled = _train(c, optim.AdamW(c.m, lr=lr, weight_decay=wd))
    assert _close(with_penalty, coupled, 1e-10)
    assert _max_diff(with_penalty, decoupled) > 1e-3  # visibly different weights after 30 steps


def test_adamw_decay_is_independent_of_gradient_scale():
    """Scaling the loss by 1000 leaves AdamW's path (decay included) unchanged, not coupled Adam's."""
    wd, lr = 0.1, 0.01
    runs = {}
    for name, cls in (("adamw", optim.AdamW), ("adam_l2", optim.Adam)):
        for scale in (1.0, 1000.0):
            p = Pair(np.float64)
            # eps=1e-12: eps is the one term of Adam not scaled with the gradient
            runs[name, scale] = _train(p, cls(p.m, lr=lr, weight_decay=wd, eps=1e-12), scale=scale)
    assert _close(runs["adamw", 1.0], runs["adamw", 1000.0], 1e-8)
    assert _max_diff(runs["adam_l2", 1.0], runs["adam_l2", 1000.0]) > 1e-3
    # a weight whose loss gradient is zero: AdamW shrinks it by exactly (1 - lr*wd) per step
    w = mlplab.tensor([2.0, -3.0], dtype=mlplab.float64, requires_grad=True)
    opt = optim.AdamW([w], lr=lr, weight_decay=wd)
    for _ in range(10):
        w.grad = mlplab.zeros(2, dtype=mlplab.float64)
        opt.step()
    np.testing.assert_allclose(w.detach().numpy(), np.array([2.0, -3.0]) * (1 - lr * wd) ** 10, rtol=1e-14)
