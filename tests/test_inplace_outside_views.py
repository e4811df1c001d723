"""In-place changes, with an operand that requires grad, of views made outside the graph (of a
tensor that does not require grad: ``b = torch.zeros(3); b[:2].copy_(w)``), against PyTorch 2.13:
the base gets ``CopySlices``, the views ``AsStridedBackward0``, and gradients reach ``w`` through
the base and through every view (``autograd/view_bases.py``). Also the errors PyTorch raises for
such views made under no_grad or by split/unbind.

Each program gets two float64 leaves ``w`` (2,) and ``u`` (3,), builds its own bases, and returns
the tensors the loss sums (distinct weights, so a gradient sent to the wrong element shows).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab
from mlplab.autograd import gradcheck


def _leaves(L):
    w = L.tensor([1.5, -2.0], dtype=L.float64, requires_grad=True)
    u = L.tensor([0.5, -1.0, 3.0], dtype=L.float64, requires_grad=True)
    return w, u


def _loss(L, outs):
    return sum((o * L.arange(1, o.numel() + 1, dtype=o.dtype).reshape(o.shape).cos()).sum() for o in outs)


def _node(L, t):
    fn = t.grad_fn
    if fn is None:
        return None
    return type(fn).__name__ if L is torch else fn.name()


def _run(L, program):
    w, u = _leaves(L)
    outs = program(L, w, u)
    facts = [(o.requires_grad, _node(L, o), o._version) for o in outs]
    values = [o.detach().numpy().copy() for o in outs]
    _loss(L, outs).backward()
    return values, facts, [None if t.grad is None else t.grad.numpy().copy() for t in (w, u)]


def _p(f):
    return pytest.param(f, id=f.__name__)


def _zeros(L, *shape):
    return L.zeros(*shape, dtype=L.float64)


# ------------------------------------------------------------------ programs torch runs
def copy_into_a_slice(L, w, u):
    b = _zeros(L, 3)
    v = b[:2]
    v.copy_(w)
    return [b, v]


def add_into_a_slice(L, w, u):
    b = _zeros(L, 3) + 1
    b[1:].add_(w, alpha=2)
    return [b]


def mul_into_a_slice(L, w, u):
    b = L.ones(3, dtype=L.float64)
    b[:2].mul_(w)
    return [b]


def sub_div_addcmul(L, w, u):
    b = L.ones(2, 3, dtype=L.float64)
    b[0].sub_(u)
    b[1].div_(u)
    b[:, 1:].addcmul_(w.view(2, 1), w.view(1, 2))
    return [b]


def masked_fill_with_a_tracked_value(L, w, u):
    b = _zeros(L, 3)
    b[:2].masked_fill_(L.tensor([True, False]), w.sum())
    return [b]


def fill_with_a_tracked_value(L, w, u):
    b = _zeros(L, 2, 3)
    b[1].fill_(w[0] * 3)
    return [b]


def setitem_on_a_view(L, w, u):
    b = _zeros(L, 2, 3)
    v = b[1]
    v[1:] = w
    return [b, v]


def transpose_then_row(L, w, u):
    b = _zeros(L, 2, 3)
    v = b.t()
    v[0].copy_(w)
    return [b, v]


def reshape_then_slice(L, w, u):
    b = _zeros(L, 2, 3)
    b.view(6)[2:4].copy_(w)
    return [b]


def narrow_select_unsqueeze(L, w, u):
    b = _zeros(L, 3, 4)
    b.narrow(1, 1, 2).select(0, 2).unsqueeze(0).add_(w)
    return [b]


def view_of_a_view_changed(L, w, u):
    b = _zeros(L, 2, 3)
    v = b[1]
    z = v[:2]
    z.add_(w)
    return [b, v, z]


def view_of_a_changed_view_changed(L, w, u):
    b = _zeros(L, 3)
    v = b[:2]
    v.copy_(w)
    z = v[1:]
    z.mul_(u[:1])
    return [b, v, z]


def other_views_see_the_change(L, w, u):
    b = _zeros(L, 4)
    left, right, mid = b[:2], b[2:], b[1:3]
    left.copy_(w)
    return [left, right, mid * 1]


def view_made_before_its_base_changed(L, w, u):
    b = _zeros(L, 3)
    v = b[1:]
    b.add_(u)
    return [v * 2, b]


def changed_twice(L, w, u):
    b = _zeros(L, 3)
    v = b[:2]
    v.copy_(w)
    v.copy_(w * u[1:])
    return [b, v]


def untracked_change_then_tracked(L, w, u):
    b = _zeros(L, 3)
    v = b[:2]
    v.add_(5.0)
    v.mul_(w)
    return [b, v]


def expanded_row(L, w, u):
    x = L.ones(3, dtype=L.float64).expand(2, 3)
    y = x[0]
    y.add_(w.sum())
    return [x, y]


def detached_base(L, w, u):
    b = _zeros(L, 3)
    d = b.detach()
    d[:2].copy_(w)
    return [d, b.detach() + 0]


def base_used_before_the_change(L, w, u):
    b = _zeros(L, 3) + 2
    before = (b + u) * u  # the sum saves nothing of b: the change is allowed
    b[1:].mul_(w)
    return [before, b]


PROGRAMS = [
    copy_into_a_slice, add_into_a_slice, mul_into_a_slice, sub_div_addcmul,
    masked_fill_with_a_tracked_value, fill_with_a_tracked_value, setitem_on_a_view,
    transpose_then_row, reshape_then_slice, narrow_select_unsqueeze, view_of_a_view_changed,
    view_of_a_changed_view_changed, other_views_see_the_change, view_made_before_its_base_changed,
    changed_twice, untracked_change_then_tracked, expanded_row, detached_base,
    base_used_before_the_change,
]  # fmt: skip


@pytest.mark.parametrize("program", [_p(f) for f in PROGRAMS])
def test_values_gradients_nodes_and_versions_match_torch(program):
    values_t, facts_t, grads_t = _run(torch, program)
    values_m, facts_m, grads_m = _run(mlplab, program)
    assert len(values_m) == len(values_t)
    for a, b in zip(values_m, values_t):
        np.testing.assert_array_equal(a, b)
    assert facts_m == facts_t
    for a, b in zip(grads_m, grads_t):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("program", [_p(f) for f in PROGRAMS if f is not detached_base])
def test_gradcheck(program):
    """Finite differences agree with the gradients (float64) of w and u through each program."""

    def f(w, u):
        return _loss(mlplab, program(mlplab, w, u))

    assert gradcheck(f, _leaves(mlplab))


def test_grad_with_create_graph_through_an_outside_view_matches_torch():
    def run(L):
        w, u = _leaves(L)
        b = _zeros(L, 3)
        v = b[1:]
        v.mul_(w)
        v.add_(w * w)
        (g,) = L.autograd.grad((b * b).sum() + (v * u[:2]).sum(), w, create_graph=True)
        (h,) = L.autograd.grad((g * g).sum(), w)
        return g.detach().numpy(), h.numpy()

    for a, b in zip(run(mlplab), run(torch)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_the_base_joins_the_graph_only_with_grad_mode_on():
    def run(L):
        w, _ = _leaves(L)
        b = _zeros(L, 3)
        v = b[:2]
        with L.no_grad():
            v.copy_(w)
        return b.requires_grad, v.requires_grad, b.grad_fn is None, b.tolist(), b._version

    assert run(mlplab) == run(torch)
