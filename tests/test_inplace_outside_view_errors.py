"""In-place changes of views made outside the graph that PyTorch 2.13 refuses, and the ones mlplab
refuses where it cannot record them: torch's error types and messages, the node names in the
error about a saved tensor changed in place, and how often the search for a base's other views
runs (``autograd/view_bases.py``). The programs torch runs: ``test_inplace_outside_views.py``.
"""

from __future__ import annotations

import pytest
import torch
from test_inplace_outside_views import _leaves, _p, _zeros  # tests/ is on sys.path

import mlplab


# ------------------------------------------------------------------ programs torch refuses
def _error(L, program):
    w, u = _leaves(L)
    with pytest.raises(RuntimeError) as e:
        program(L, w, u)
    return str(e.value)


def _no_grad_view(L, w, u):
    b = _zeros(L, 3)
    with L.no_grad():
        v = b[:2]
    v.copy_(w)


def _view_of_a_no_grad_view(L, w, u):
    b = _zeros(L, 3)
    with L.no_grad():
        v = b[:2]
    v[1:].mul_(w[:1])


def _split_output(L, w, u):
    _zeros(L, 4).split(2)[1].add_(w)


def _view_of_an_unbind_output(L, w, u):
    _zeros(L, 2, 3).unbind(0)[1][:2].copy_(w)


def _split_under_no_grad(L, w, u):
    b = _zeros(L, 4)
    with L.no_grad():
        v = b.chunk(2)[0]
    v.add_(w)


def _leaf_base(L, w, u):
    b = _zeros(L, 3)
    v = b[:2]
    b.requires_grad_()
    v.copy_(w)


@pytest.mark.parametrize(
    "program",
    [_p(f) for f in (_no_grad_view, _view_of_a_no_grad_view, _split_output, _view_of_an_unbind_output,
                     _split_under_no_grad, _leaf_base)],
)  # fmt: skip
def test_in_place_changes_torch_refuses_raise_its_error(program):
    message = _error(torch, program)
    assert _error(mlplab, program) == message


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda L, y, w: y[1:].mul_(2), id="slice"),
        pytest.param(lambda L, y, w: y[1].mul_(2), id="select"),
        pytest.param(lambda L, y, w: y.view(3).mul_(2), id="view"),
        pytest.param(lambda L, y, w: y.unsqueeze(0).t().mul_(2), id="t"),
        pytest.param(lambda L, y, w: y[1:][0].mul_(2), id="select of slice"),
        pytest.param(lambda L, y, w: y[:2].mul_(w), id="tracked operand"),
        pytest.param(lambda L, y, w: y[1:].zero_(), id="zero_"),
    ],
)
def test_a_view_of_a_no_grad_view_of_a_tensor_that_requires_grad_is_refused_as_in_torch(change):
    def program(L, w, u):
        x = L.ones(2, 3, dtype=L.float64) * w[0]
        with L.no_grad():
            y = x[0]
        change(L, y, w)

    message = _error(torch, program)
    assert message.startswith("Output 0 of ")
    assert _error(mlplab, program) == message


def test_a_view_of_a_tensor_given_requires_grad_later_is_refused_as_in_torch():
    def program(L, w, u):
        b = _zeros(L, 3)
        v = b[:2]
        b.requires_grad_()
        v[1:].add_(1)

    assert _error(mlplab, program) == _error(torch, program)


@pytest.mark.parametrize("make", ["no_grad", "unbind"])
def test_a_refused_view_whose_base_changed_raises_torchs_error_at_its_use(make):
    """PyTorch raises when such a view is used with grad mode on after its base changed, and so
    does mlplab (``view_bases.RefusedUse``): the use itself raises, before any backward."""

    def program(L, w, u):
        b = _zeros(L, 2)
        if make == "no_grad":
            with L.no_grad():
                v = b[:1]
        else:
            v = b.unbind(0)[0]
        b.add_(w)
        return v * 2

    with pytest.raises(RuntimeError) as t:
        program(torch, *_leaves(torch))
    with pytest.raises(RuntimeError) as m:
        program(mlplab, *_leaves(mlplab))
    assert str(m.value) == str(t.value)
    assert "its base or another view of its base has been modified inplace" in str(m.value)


def test_a_base_saved_before_it_joined_the_graph_raises_at_backward_as_in_torch():
    def run(L):
        w, u = _leaves(L)
        b = _zeros(L, 3) + 2
        before = b * u  # saves b at version 0
        b[1:].mul_(w)
        with pytest.raises(RuntimeError) as e:
            (before.sum() + b.sum()).backward()
        return str(e.value)

    torch_message = run(torch)
    assert "which is output 0 of torch::autograd::CopySlices, is at version 1;" in torch_message
    assert run(mlplab) == torch_message  # the hint too


@pytest.mark.parametrize(
    "program",
    [
        pytest.param(lambda L, x: (x[0], x[0]), id="the view changed"),
        pytest.param(lambda L, x: (x[0], x), id="its base changed"),
        pytest.param(lambda L, x: (x.t(), x), id="its base changed, t()"),
        pytest.param(lambda L, x: (x, x[0]), id="the base, through a view"),
    ],
)
def test_a_saved_view_changed_names_the_node_as_torch_does(program):
    """A view whose memory changed shows PyTorch's regenerated node (``AsStrided``) in the error
    about a saved tensor changed in place; a base changed through a view, ``CopySlices``."""

    def run(L):
        w, _ = _leaves(L)
        x = (w * L.ones(3, 1, dtype=L.float64)).t() * 1
        saved, changed = program(L, x)
        y = saved.sin()
        changed.mul_(2)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        return str(e.value)

    assert run(mlplab) == run(torch)  # the hint too


def test_clamp_with_a_bound_that_requires_grad_is_refused_not_silent():
    w, _ = _leaves(mlplab)
    b = _zeros(mlplab, 3)
    for change in (lambda: b[:2].clamp_(w), lambda: b[:2].clamp(max=w)):
        with pytest.raises(RuntimeError, match="mlplab does not support clamp with a tensor bound"):
            change()
    assert b.tolist() == [0.0, 0.0, 0.0] and not b.requires_grad


def test_a_view_whose_base_array_was_replaced_is_refused_not_silent():
    """``b.data = ...`` gives the base other memory: the view's change cannot be recorded on it."""
    w, _ = _leaves(mlplab)
    b = _zeros(mlplab, 3)
    v = b[:2]
    b.data = _zeros(mlplab, 3)
    with pytest.raises(RuntimeError, match=r"^mlplab does not support this in-place change: the view's base"):
        v.copy_(w)
    assert not b.requires_grad and b.tolist() == [0.0, 0.0, 0.0]


def test_the_search_for_other_views_runs_once_for_the_views_made_before_it(monkeypatch):
    """Finding a base's other views walks every object (``gc``): it runs when a base with views
    made outside the graph joins it, not again for each later change of the base."""
    from mlplab.autograd import view_bases

    calls = []
    search = view_bases.other_views
    monkeypatch.setattr(view_bases, "other_views", lambda *a: calls.append(a) or search(*a))
    w, _ = _leaves(mlplab)
    out = _zeros(mlplab, 4, 2)
    first, last = out[0], out[3]
    for t in range(4):
        out[t].copy_(w * t)
    assert len(calls) == 1 and last.requires_grad and first.requires_grad
    single = _zeros(mlplab, 3)
    single[:2].copy_(w)
    single[2:].mul_(w[:1])
    assert len(calls) == 1
    with mlplab.no_grad():
        late = single[1:]  # made under no_grad: the next change of its base must find it
    single[:1].mul_(w[1:])
    assert len(calls) == 2
    with pytest.raises(RuntimeError, match="^A view was created in no_grad mode and its base"):
        (late * 1).sum().backward()
