"""``narrow``, ``select`` and ``unbind`` (function and method) against PyTorch 2.13: values,
gradients (float64 gradcheck), views (in-place changes through them reach the base), and torch's
errors, including its refusal to change an output of ``unbind`` in place while recording."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab
from mlplab.autograd import gradcheck

CALLS = [
    lambda L, x: [x.narrow(1, 1, 2)],
    lambda L, x: [L.narrow(x, 0, -2, 1)],
    lambda L, x: [x.narrow(-1, 3, 0)],
    lambda L, x: [x.select(1, -1)],
    lambda L, x: [L.select(x, 0, 1)],
    lambda L, x: list(x.unbind()),
    lambda L, x: list(L.unbind(x, dim=-1)),
]


def _x(L):
    return L.tensor(np.arange(6.0).reshape(2, 3) - 2.5, dtype=L.float64, requires_grad=True)


def _weights(L, o):
    return L.arange(1, o.numel() + 1, dtype=L.float64).reshape(o.shape).sin()


@pytest.mark.parametrize("call", CALLS)
def test_values_and_gradients_match_torch(call):
    def run(L):
        x = _x(L)
        outs = call(L, x)
        sum((o * _weights(L, o)).sum() for o in outs).backward()
        return [o.detach().numpy() for o in outs], x.grad.numpy()

    (vm, gm), (vt, gt) = run(mlplab), run(torch)
    assert len(vm) == len(vt)
    for a, b in zip(vm, vt):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(gm, gt)


@pytest.mark.parametrize("call", CALLS)
def test_gradcheck(call):
    x = _x(mlplab)
    assert gradcheck(lambda t: sum((o * _weights(mlplab, o)).sum() for o in call(mlplab, t)), (x,))


@pytest.mark.parametrize(
    "change",
    [
        lambda x, u: x.narrow(1, 1, 2).mul_(u[1:]),
        lambda x, u: x.select(0, 1).add_(u),
        lambda x, u: x.narrow(0, 0, 1).select(1, 2).copy_(u[0]),
    ],
)
def test_in_place_through_narrow_and_select_changes_the_base_as_torch(change):
    def run(L):
        w = _x(L)
        u = L.tensor([0.5, -1.0, 2.0], dtype=L.float64, requires_grad=True)
        x = w * 1
        change(x, u)
        (x * _weights(L, x)).sum().backward()
        return x.detach().numpy(), w.grad.numpy(), u.grad.numpy()

    for a, b in zip(run(mlplab), run(torch)):
        np.testing.assert_array_equal(a, b)


def _error(L, f):
    with pytest.raises((RuntimeError, IndexError)) as e:
        f(L)
    return type(e.value), str(e.value)


@pytest.mark.parametrize(
    "f",
    [
        lambda L: _x(L).narrow(1, 5, 1),
        lambda L: _x(L).narrow(1, -4, 1),
        lambda L: _x(L).narrow(1, 1, 5),
        lambda L: _x(L).narrow(1, 1, -1),
        lambda L: _x(L).narrow(2, 0, 1),
        lambda L: _x(L).select(0, 5),
        lambda L: _x(L).select(1, -4),
        lambda L: _x(L).select(2, 0),
        lambda L: _x(L).unbind(2),
        lambda L: (_x(L) * 1).unbind(1)[2].mul_(2),
        lambda L: (_x(L) * 1).unbind()[0].zero_(),
    ],
)
def test_errors_match_torch(f):
    assert _error(mlplab, f) == _error(torch, f)
