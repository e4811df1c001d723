"""Views that require grad with no edge to their base, against PyTorch 2.13.

Two kinds: a view made outside the graph of a tensor later given ``requires_grad_()``, and a view
made under ``no_grad`` of a tensor that requires grad. PyTorch's view reads its base's flag: it
reports ``requires_grad=True``, stays a leaf with no ``grad_fn``, and ops on it record nodes, but it
has no gradient accumulator, so no gradient reaches it or its base through it (``.grad`` stays
None, ``autograd.grad`` finds it unused). A view made under no_grad whose memory then changes in
place (under no_grad too) raises PyTorch's error at its next use with grad mode on. Each case runs
the same program on both libraries and compares what it returns (or the error it raises).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab


def _plain(L):
    b = L.zeros(3)
    v = b[:2]
    b.requires_grad_()
    return b, v


def _no_grad(L):
    b = L.zeros(3)
    with L.no_grad():
        v = b[:2]
    b.requires_grad_()
    return b, v


def _view_of_a_view(L):
    b = L.zeros(3)
    v = b[:2][1:]
    b.requires_grad_()
    return b, v


def _t(L):
    b = L.zeros(2, 3)
    v = b.t()
    b.requires_grad_()
    return b, v


def _no_grad_view_of_a_leaf(L):
    b = L.zeros(2, 3, requires_grad=True)
    with L.no_grad():
        v = b.t()
    return b, v


def _no_grad_view_of_a_graph_tensor(L):
    a = L.ones(3, requires_grad=True)
    b = a * 2
    with L.no_grad():
        v = b[1:]
    return a, v


def _no_grad_view_of_a_no_grad_view(L):
    b = L.zeros(2, 3, requires_grad=True)
    with L.no_grad():
        v = b[0][1:]
    return b, v


MAKES = [
    ("slice", _plain),
    ("under no_grad", _no_grad),
    ("view of a view", _view_of_a_view),
    ("t", _t),
    ("no_grad view of a leaf", _no_grad_view_of_a_leaf),
    ("no_grad view of a graph tensor", _no_grad_view_of_a_graph_tensor),
    ("no_grad view of a no_grad view", _no_grad_view_of_a_no_grad_view),
]


def _value(L, x):
    if isinstance(x, L.Tensor):
        return ("tensor", x.detach().numpy().tolist(), x.requires_grad, x.grad_fn is None)
    if isinstance(x, tuple):
        return tuple(_value(L, e) for e in x)
    return x


def _backward(L, b, v):
    u = v * 2
    (u.sum() + (b * 3).sum()).backward()
    return (u.requires_grad, u.grad_fn is not None, v.grad, b.grad)


USES = [
    ("requires_grad", lambda L, b, v: v.requires_grad),
    ("is_leaf", lambda L, b, v: v.is_leaf),
    ("grad_fn", lambda L, b, v: v.grad_fn),
    ("repr", lambda L, b, v: repr(v).replace("mlplab", "torch")),
    ("op", lambda L, b, v: v * 2),
    ("view of it", lambda L, b, v: v.reshape(-1)[0] * 2),
    ("backward", _backward),
    ("backward of itself", lambda L, b, v: (v.sum().backward(), v.grad, b.grad)),
    ("create_graph", lambda L, b, v: ((v * v).sum().backward(create_graph=True), v.grad, b.grad)),
    ("retain_grad", lambda L, b, v: (v.retain_grad(), (v * 3).sum().backward(), v.grad)),
    ("autograd.grad", lambda L, b, v: L.autograd.grad((v * 2).sum(), v)),
    ("autograd.grad allow_unused", lambda L, b, v: L.autograd.grad((v * 2).sum(), v, allow_unused=True)),
    ("autograd.grad of the base", lambda L, b, v: L.autograd.grad((v * 2).sum() + b.sum(), b)),
    ("in place", lambda L, b, v: v.add_(1)),
]

#: uses after an in-place change under no_grad, for the views made under no_grad of a tensor that
#: requires grad (the views of a later leaf differ there: docs/compatibility.md)
CHANGED_USES = [
    ("in place under no_grad, then used", lambda L, b, v: (_no_grad_add(L, v), v * 2)),
    ("base changed under no_grad, then used", lambda L, b, v: (_no_grad_add(L, b), v * 2)),
    ("view of it changed under no_grad, then used", lambda L, b, v: (_no_grad_add(L, v[:1]), v.sum())),
    ("changed under no_grad, then is_leaf", lambda L, b, v: (_no_grad_add(L, v), v.is_leaf)),
    ("changed under no_grad, used under no_grad", lambda L, b, v: (_no_grad_add(L, v), _no_grad_mul(L, v))),
]


def _no_grad_add(L, t):
    with L.no_grad():
        t.add_(1)


def _no_grad_mul(L, t):
    with L.no_grad():
        return t * 2


def _outcome(L, make, use):
    b, v = make(L)
    try:
        return _value(L, use(L, b, v))
    except RuntimeError as e:
        return ("raises", str(e))


# torch warns that backward(create_graph=True) makes a parameter-gradient cycle: the "create_graph"
# use does that on purpose, on both libraries
@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True:UserWarning")
@pytest.mark.parametrize(("use_name", "use"), USES, ids=[n for n, _ in USES])
@pytest.mark.parametrize(("make_name", "make"), MAKES, ids=[n for n, _ in MAKES])
def test_view_of_a_tensor_given_requires_grad_later_is_torchs(make_name, make, use_name, use):
    assert _outcome(mlplab, make, use) == _outcome(torch, make, use)


@pytest.mark.parametrize(("use_name", "use"), CHANGED_USES, ids=[n for n, _ in CHANGED_USES])
@pytest.mark.parametrize(("make_name", "make"), MAKES[4:], ids=[n for n, _ in MAKES[4:]])
def test_no_grad_view_changed_under_no_grad_is_torchs(make_name, make, use_name, use):
    assert _outcome(mlplab, make, use) == _outcome(torch, make, use)


def test_a_view_made_after_requires_grad_gets_its_gradient_as_in_torch():
    grads = []
    for L in (torch, mlplab):
        b = L.zeros(3)
        early = b[:2]
        b.requires_grad_()
        late = b[1:]
        ((late * L.tensor([2.0, 3.0])).sum() + (early * 5).sum()).backward()
        grads.append((b.grad.numpy().tolist(), early.grad))
    assert grads[1] == grads[0] == ([0.0, 2.0, 3.0], None)
    np.testing.assert_array_equal(grads[1][0], grads[0][0])
