"""In-place changes through views of tensors in the graph, and of bases with views, against
PyTorch 2.13: the values of the base and of every view, the leaves' gradients (through the base
and through the views), gradcheck in float64, and torch's errors where it refuses.

Each program gets two float64 leaves ``w`` (2x3) and ``u`` (3,) and returns tensors; the loss is
a weighted sum of them (distinct weights, so a gradient sent to the wrong element shows).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab
from mlplab.autograd import gradcheck


def _leaves(L, dtype):
    w = L.tensor([[1.0, 2.0, -3.0], [4.0, -5.0, 6.0]], dtype=dtype, requires_grad=True)
    u = L.tensor([0.5, -1.0, 2.0], dtype=dtype, requires_grad=True)
    return w, u


def _loss(L, outs):
    return sum((o * L.arange(1, o.numel() + 1, dtype=o.dtype).reshape(o.shape).cos()).sum() for o in outs)


def _run(L, program):
    """(values of the outputs, gradients of w and u) of ``program`` in library ``L``."""
    w, u = _leaves(L, L.float64)
    outs = program(L, w, u)
    values = [o.detach().numpy().copy() for o in outs]
    _loss(L, outs).backward()
    return values, [None if t.grad is None else t.grad.numpy().copy() for t in (w, u)]


def _p(f):
    return pytest.param(f, id=f.__name__)


# ------------------------------------------------------------------ programs torch runs
def row_mul(L, w, u):
    x = w * 1
    x[0].mul_(3)
    return [x]


def view_made_before_base_changes(L, w, u):
    x = w * 1
    y = x[0]
    x.mul_(2)
    return [x, y * 1]


def slice_add_tensor(L, w, u):
    x = w * 1
    y = x[:, 1:3]
    y.add_(u[:2])
    return [x, y]


def view_of_a_view(L, w, u):
    x = w * 1
    y = x[1]
    z = y[1:]
    z.mul_(u[1:])
    return [x, y, z]


def transpose_then_row(L, w, u):
    x = w * 1
    y = x.t()
    y[0].mul_(u[:2])
    return [x, y]


def view_reshape_then_slice(L, w, u):
    x = w * 1
    y = x.view(6)
    y[2:4].mul_(5)
    return [x, y]


def none_index(L, w, u):
    x = w * 1
    y = x[..., None]
    y.mul_(2)
    return [x, y]


def augmented_assignment_on_an_item(L, w, u):
    x = w * 1
    y = x[0]
    x[0] += u
    return [x, y]


def consumers_before_and_after(L, w, u):
    x = w * 1
    y = x[0]
    a = y * 2
    x.mul_(3)
    b = y * 2
    return [x, a, b]


def diagonal_add(L, w, u):
    x = w * 1
    d = x[:, :2].diagonal()
    d.add_(u[:2])
    return [x, d]


def unsqueeze_permute(L, w, u):
    x = w * 1
    y = x.unsqueeze(0).permute(2, 0, 1)
    y.mul_(u.reshape(3, 1, 1))
    return [x, y]


def two_views_in_sequence(L, w, u):
    x = w * 1
    y = x[0]
    y.mul_(2)
    z = x[0]
    z.mul_(u)
    return [x, y, z]


def setitem_on_a_view(L, w, u):
    x = w * 1
    x[0][1] = u[2] * 3
    x[1:][0, ::2] = u[:2]
    return [x]


def view_of_a_view_after_base_changes(L, w, u):
    x = w * 1
    y = x[0]
    z = y[1:]
    x.mul_(2)
    return [z * 1, y * 1]


def other_view_unchanged_region(L, w, u):
    x = w * 1
    y = x[1]
    x[0].mul_(u)
    return [x, y * 1]


def copy_and_zero_through_views(L, w, u):
    x = w.clone()
    x[:, 0].copy_(u[:2])
    x[1].zero_()
    x[0, 1:].fill_(u[0])
    return [x]


def base_without_grad_setitem_then_view(L, w, u):
    b = L.zeros(2, 3, dtype=L.float64)
    b[0] = u
    b[1].add_(u * 2)
    return [b]


def detached_view_changes_values(L, w, u):
    x = w * 1
    x.detach()[0].mul_(2)
    return [x]


def view_changed_under_no_grad(L, w, u):
    x = w * 1
    y = x[0]
    with L.no_grad():
        y.mul_(2)
    return [x, y]


def reshape_view_then_base_in_place(L, w, u):
    x = w * 1
    y = x.reshape(3, 2)
    x[1].div_(u)
    y.add_(1)
    return [x, y]


def chain_of_views_and_consumers(L, w, u):
    x = (w * u) * 2
    s = x[:, 1:]
    t = s * 1
    r = x.t()[2]
    r.sub_(u[:2] * t[:, 0])
    q = x.sum(1)
    return [x, r, t, q, s * 1]


def clamp_through_a_view(L, w, u):
    x = w * u
    x[:, 1].clamp_(-1.0, 1.0)
    return [x]


def masked_fill_through_a_view(L, w, u):
    x = w * 1
    x[1].masked_fill_(L.tensor([True, False, True]), 0.25)
    return [x]


def addcmul_through_a_view(L, w, u):
    x = w * 1
    x[0].addcmul_(u, u, value=0.5)
    return [x]


PROGRAMS = [
    row_mul, view_made_before_base_changes, slice_add_tensor, view_of_a_view, transpose_then_row,
    view_reshape_then_slice, none_index, augmented_assignment_on_an_item, consumers_before_and_after,
    diagonal_add, unsqueeze_permute, two_views_in_sequence, setitem_on_a_view,
    view_of_a_view_after_base_changes, other_view_unchanged_region, copy_and_zero_through_views,
    base_without_grad_setitem_then_view, detached_view_changes_values, view_changed_under_no_grad,
    reshape_view_then_base_in_place, chain_of_views_and_consumers, clamp_through_a_view,
    masked_fill_through_a_view, addcmul_through_a_view,
]  # fmt: skip


@pytest.mark.parametrize("program", [_p(f) for f in PROGRAMS])
def test_values_and_gradients_match_torch(program):
    values_t, grads_t = _run(torch, program)
    values_m, grads_m = _run(mlplab, program)
    assert len(values_m) == len(values_t)
    for a, b in zip(values_m, values_t):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(grads_m, grads_t):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# changes outside the graph (no_grad, detach) are not differentiable: finite differences see them
_OUTSIDE_THE_GRAPH = (view_changed_under_no_grad, detached_view_changes_values)


@pytest.mark.parametrize("program", [_p(f) for f in PROGRAMS if f not in _OUTSIDE_THE_GRAPH])
def test_gradcheck(program):
    """Finite differences agree with the gradients (float64) of w and u through each program."""
    w, u = _leaves(mlplab, mlplab.float64)

    def f(w, u):
        return _loss(mlplab, program(mlplab, w, u))

    assert gradcheck(f, (w, u))


def test_grad_with_create_graph_through_copy_slices_matches_torch():
    def run(L):
        w, u = _leaves(L, L.float64)
        x = w * 1
        y = x[0]
        x[0, 1:].mul_(u[:2])
        (g,) = L.autograd.grad((x * x).sum() + (y * u).sum(), w, create_graph=True)
        (h,) = L.autograd.grad((g * g).sum(), u)
        return g.detach().numpy(), h.numpy()

    for a, b in zip(run(mlplab), run(torch)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_views_share_the_version_counter_as_torch():
    def run(L):
        w, _ = _leaves(L, L.float64)
        x = w * 1
        y = x[0]
        z = y[1:]
        out = [x._version, y._version, z._version]
        z.mul_(2)
        out += [x._version, y._version, z._version]
        x.add_(1)
        y[0] = 5.0
        return out + [x._version, y._version, z._version]

    assert run(mlplab) == run(torch)


# ------------------------------------------------------------------ programs torch refuses
def _error(L, program):
    w, u = _leaves(L, L.float64)
    with pytest.raises(RuntimeError) as e:
        program(L, w, u)
    return str(e.value)


@pytest.mark.parametrize(
    "program",
    [
        lambda L, w, u: w[0].mul_(3),
        lambda L, w, u: w.view(6).add_(1),
        lambda L, w, u: w.t()[1].copy_(u[:2]),
        lambda L, w, u: w.diagonal().zero_(),
        lambda L, w, u: w[:, 1:][0].mul_(u[1:]),
    ],
)
def test_in_place_on_a_view_of_a_leaf_raises_torchs_error(program):
    message = "a view of a leaf Variable that requires grad is being used in an in-place operation."
    assert _error(torch, program) == message
    assert _error(mlplab, program) == message


@pytest.mark.parametrize(
    "program",
    [
        lambda L, w, u: (w * 1).split(1)[0].mul_(2),
        lambda L, w, u: (w * 1).split([1, 2], 1)[1].add_(u[1:]),
        lambda L, w, u: (w * 1).chunk(2)[1].zero_(),
    ],
)
def test_in_place_on_an_output_of_split_raises_torchs_error(program):
    message = _error(torch, program)
    assert "is a view and is being modified inplace" in message
    assert _error(mlplab, program) == message


def test_in_place_on_split_outputs_under_no_grad_is_allowed_as_in_torch():
    def run(L):
        w, _ = _leaves(L, L.float64)
        x = w * 1
        with L.no_grad():
            x.split(1)[1].mul_(2)
        return x.detach().numpy()

    np.testing.assert_array_equal(run(mlplab), run(torch))


def test_in_place_on_an_expanded_view_raises_torchs_error():
    def program(L, w, u):
        (w * 1)[0].expand(2, 3).mul_(u)

    message = _error(torch, program)
    assert message.startswith("unsupported operation: more than one element")
    assert _error(mlplab, program) == message


def test_saved_tensor_changed_through_a_view_raises_at_backward():
    def program(L, w, u):
        x = w * 1
        y = x[0]
        z = x[1]
        y.mul_(z)  # mul saved z, a view of x: changed here by the change of x's memory
        x.sum().backward()

    prefix = "one of the variables needed for gradient computation has been modified by an inplace"
    assert _error(torch, program).startswith(prefix)
    assert _error(mlplab, program).startswith(prefix)


@pytest.mark.parametrize(
    "change",
    [
        lambda y, u: y.mul_(2),
        lambda y, u: y.add_(u),
        lambda y, u: y.zero_(),
    ],
)
def test_a_view_made_under_no_grad_changed_with_grad_on_raises_torchs_error(change):
    def program(L, w, u):
        x = w * 1
        with L.no_grad():
            y = x.view(2, 3)
        change(y, u)

    message = _error(torch, program)
    assert message.startswith("A view was created in no_grad mode and is being modified inplace")
    assert _error(mlplab, program) == message


def test_a_view_made_and_changed_under_no_grad_or_a_detached_one_is_allowed():
    def run(L):
        w, u = _leaves(L, L.float64)
        x = w * 1
        with L.no_grad():
            y = x[0]
            y.mul_(2)
        x.detach()[1].add_(u)
        (x * x).sum().backward()
        return x.detach().numpy(), w.grad.numpy()

    for a, b in zip(run(mlplab), run(torch)):
        np.testing.assert_array_equal(a, b)


def test_a_view_as_the_root_of_backward_after_its_base_changed():
    def run(L):
        w, u = _leaves(L, L.float64)
        x = w * 1
        y = x[1, 1:]
        x.mul_(u)
        y.backward(L.tensor([1.0, -2.0], dtype=L.float64), retain_graph=True)
        (g,) = L.autograd.grad(y, u, L.tensor([3.0, 0.5], dtype=L.float64))
        return w.grad.numpy(), u.grad.numpy(), g.numpy()

    for a, b in zip(run(mlplab), run(torch)):
        np.testing.assert_array_equal(a, b)


def test_autograd_grad_with_respect_to_a_view_whose_base_changed():
    """The gradient with respect to view y counts only consumers recorded after its memory
    changed (y's regenerated node), as torch; w gets every path."""

    def run(L):
        w, _ = _leaves(L, L.float64)
        x = w * 1
        y = x[0]
        a = (y * 3).sum()
        x.mul_(2)
        b = (y * y * y).sum() + (y * 3).sum()
        gy, gw = L.autograd.grad(a + b, [y, w], create_graph=True)
        (h,) = L.autograd.grad(gy.sum(), w)
        return gy.detach().numpy(), gw.detach().numpy(), h.numpy()

    for a, b in zip(run(mlplab), run(torch)):
        np.testing.assert_array_equal(a, b)
