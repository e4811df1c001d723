"""A view in the graph whose memory changed in place shows PyTorch's regenerated node.

PyTorch regenerates a view's ``grad_fn`` (``AsStridedBackward0``, on the base's new node) when it
is read after the view's base, or another view of it, changed in place with grad mode on; mlplab
makes it at the change (``autograd/views.py``'s ``regenerate``). Each program runs on both
libraries: the names of the views' nodes, and the gradients of a loss using the views (some
consumers recorded before the change, some after), must be torch's.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab


def _x(L):
    a = L.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=L.float64, requires_grad=True)
    return a, a * 1


def _base_changed(L):
    a, x = _x(L)
    y, z = x[0], x[1:].t()
    before = (y * 2).sum()
    x.mul_(2)
    return a, [y, z], before + (y * z[0, 0]).sum() + z.sum()


def _other_view_changed(L):
    a, x = _x(L)
    y, z = x[0], x[1]
    before = (y.exp()).sum()
    z.mul_(3)
    return a, [y, z], before + (y * y).sum() + z.sum()


def _view_of_a_view_changed(L):
    a, x = _x(L)
    y = x[1:]
    z = y[0]
    w = x.unsqueeze(0)
    z.add_(a[0])
    return a, [y, w, z], (y * y).sum() + (w * 2).sum() + z.sum()


def _changed_twice(L):
    a, x = _x(L)
    y = x.view(6)
    x.mul_(2)
    first = y.grad_fn.name() if L is mlplab else type(y.grad_fn).__name__
    mid = (y * 2).sum()
    x[2].add_(1)
    u = x.t()
    x.div_(4)
    return a, [y, u], mid + (y * u.reshape(6)).sum() + (first == "AsStridedBackward0")


def _view_made_after_the_change_keeps_its_node(L):
    a, x = _x(L)
    x.mul_(2)
    y = x[0]
    return a, [y], (y * 3).sum()


PROGRAMS = [
    ("base changed", _base_changed),
    ("other view changed", _other_view_changed),
    ("view of a view changed", _view_of_a_view_changed),
    ("changed twice", _changed_twice),
    ("view made after the change", _view_made_after_the_change_keeps_its_node),
]


def _name(L, node):
    return None if node is None else (type(node).__name__ if L is torch else node.name())


def _run(L, program):
    a, shown, loss = program(L)
    names = [_name(L, v.grad_fn) for v in shown]
    loss.backward()
    return names, a.grad.numpy().copy()


@pytest.mark.parametrize(("name", "program"), PROGRAMS, ids=[n for n, _ in PROGRAMS])
def test_view_nodes_and_gradients_after_an_in_place_change_are_torchs(name, program):
    names, grad = _run(mlplab, program)
    t_names, t_grad = _run(torch, program)
    assert names == t_names
    np.testing.assert_allclose(grad, t_grad, rtol=1e-12, atol=1e-12)


def test_a_regenerated_view_node_leads_to_the_base_node_as_torchs():
    """The view's node after the change feeds the base's in-place node (torch's next_functions)."""
    a, x = _x(mlplab)
    y = x[0]
    x.mul_(2)
    ta, tx = _x(torch)
    ty = tx[0]
    tx.mul_(2)
    assert _name(torch, ty.grad_fn) == _name(mlplab, y.grad_fn) == "AsStridedBackward0"
    assert type(ty.grad_fn.next_functions[0][0]).__name__ == "MulBackward0"
    assert y.grad_fn.parents[0] is x and x.grad_fn.name() == "MulBackward0"


def _view_changed_then_base_changed(L):
    a, x = _x(L)
    y = x[0]
    y.mul_(2)
    x.mul_(3)
    return a, [y], (y * 5).sum()


def _views_made_in_a_loop_with_one_kept(L):
    a, x = _x(L)
    kept = x[2]
    for i in range(2):
        x[i].mul_(i + 2)
    x.add_(1)
    return a, [kept], (kept * 7).sum()


@pytest.mark.parametrize(
    "program", [_view_changed_then_base_changed, _views_made_in_a_loop_with_one_kept], ids=["twice", "loop"]
)
def test_views_changed_again_show_torchs_node(program):
    names, grad = _run(mlplab, program)
    t_names, t_grad = _run(torch, program)
    assert names == t_names == ["AsStridedBackward0"]
    np.testing.assert_allclose(grad, t_grad, rtol=1e-12, atol=1e-12)
