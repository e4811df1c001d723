"""The names PyTorch 2.13 gives view ops, compared with mlplab's.

Each view op of the table is run twice on a tensor that requires grad: while recording (its node's
name, ``y.grad_fn``) and, on a view made under ``no_grad``, as a view of such a view changed in
place with grad mode on (PyTorch's error names the op: "Output 0 of Unsqueeze is a view of a view
which was created in no_grad mode ..."). Both must equal torch's.
"""

from __future__ import annotations

import pytest
import torch

import mlplab

#: (id, the view op applied to a (3, 4) tensor)
VIEW_OPS = [
    ("unsqueeze", lambda L, t: t.unsqueeze(0)),
    ("torch.unsqueeze", lambda L, t: L.unsqueeze(t, 1)),
    ("index None", lambda L, t: t[None]),
    ("expand", lambda L, t: t.expand(2, 3, 4)),
    ("expand_as", lambda L, t: t.expand_as(L.zeros(2, 3, 4))),
    ("permute", lambda L, t: t.permute(1, 0)),
    ("torch.permute", lambda L, t: L.permute(t, (1, 0))),
    ("transpose", lambda L, t: t.transpose(0, 1)),
    ("torch.transpose", lambda L, t: L.transpose(t, 1, 0)),
    ("t", lambda L, t: t.t()),
    ("T", lambda L, t: t.T),
    ("squeeze()", lambda L, t: t[None].squeeze()),
    ("squeeze(dim)", lambda L, t: t[None].squeeze(0)),
    ("squeeze(dims)", lambda L, t: t[None].squeeze((0,))),
    ("torch.squeeze", lambda L, t: L.squeeze(t[None])),
    ("narrow", lambda L, t: t.narrow(1, 0, 2)),
    ("select", lambda L, t: t.select(0, 1)),
    ("index int", lambda L, t: t[1]),
    ("index ellipsis", lambda L, t: t[..., 1]),
    ("slice", lambda L, t: t[1:]),
    ("view", lambda L, t: t.view(12)),
    ("view_as", lambda L, t: t.view_as(L.zeros(4, 3))),
    ("reshape", lambda L, t: t.reshape(12)),
    ("torch.reshape", lambda L, t: L.reshape(t, (2, 6))),
    ("flatten", lambda L, t: t.flatten()),
    ("diagonal", lambda L, t: t.diagonal()),
]

#: (id, ops returning several views of a (4, 3) tensor)
MULTI_VIEW_OPS = [
    ("split", lambda L, t: t.split(2)),
    ("split sizes", lambda L, t: t.split([1, 3])),
    ("torch.split", lambda L, t: L.split(t, 3)),
    ("chunk", lambda L, t: t.chunk(2, 1)),
    ("unbind", lambda L, t: t.unbind(1)),
    ("torch.unbind", lambda L, t: L.unbind(t)),
]


def _leaf(L):
    return L.tensor([[float(i + 4 * j) for i in range(4)] for j in range(3)], requires_grad=True)


def _node_name(L, op):
    y = op(L, _leaf(L) * 1)
    fn = y.grad_fn
    return type(fn).__name__ if L is torch else fn.name()


def _view_of_view_error(L, op):
    y = _leaf(L) * 1
    with L.no_grad():
        v = y.narrow(0, 0, 3)  # a view made under no_grad
    w = op(L, v)
    with pytest.raises(RuntimeError) as e:
        w.mul_(2)
    return str(e.value)


@pytest.mark.parametrize(("name", "op"), VIEW_OPS, ids=[n for n, _ in VIEW_OPS])
def test_view_node_name_is_torchs(name, op):
    expected = _node_name(torch, op)
    assert expected.endswith(("Backward0", "Backward1", "Backward2"))  # the op made a node
    assert _node_name(mlplab, op) == expected


@pytest.mark.parametrize(("name", "op"), VIEW_OPS, ids=[n for n, _ in VIEW_OPS])
def test_view_of_a_no_grad_view_error_names_the_op_as_torch(name, op):
    expected = _view_of_view_error(torch, op)
    assert expected.startswith("Output 0 of ")
    assert _view_of_view_error(mlplab, op) == expected


@pytest.mark.parametrize("shape_dims", [((3,), (0, -1)), ((2, 3), (1, 1)), ((2, 3), (0, 0))])
def test_flatten_of_nothing_to_merge_returns_the_tensor_itself_as_torch(shape_dims):
    shape, (s, e) = shape_dims
    m = mlplab.zeros(*shape)
    assert m.flatten(s, e) is m
    t = torch.zeros(*shape)
    assert t.flatten(s, e) is t


def test_flatten_of_a_0d_tensor_is_a_new_1d_view_as_torch():
    for L in (torch, mlplab):
        t = L.tensor(2.0)
        f = t.flatten()
        assert f is not t and tuple(f.shape) == (1,)


@pytest.mark.parametrize(("name", "op"), MULTI_VIEW_OPS, ids=[n for n, _ in MULTI_VIEW_OPS])
def test_multi_view_node_names_are_torchs(name, op):
    def names(L):
        x = L.tensor([[float(i + 3 * j) for i in range(3)] for j in range(4)], requires_grad=True) * 1
        return [type(o.grad_fn).__name__ if L is torch else o.grad_fn.name() for o in op(L, x)]

    expected = names(torch)
    assert expected[0] in ("SplitBackward0", "SplitWithSizesBackward0", "UnbindBackward0")
    assert names(mlplab) == expected


@pytest.mark.parametrize(("name", "op"), MULTI_VIEW_OPS, ids=[n for n, _ in MULTI_VIEW_OPS])
def test_multi_view_of_a_no_grad_view_changed_in_place_raises_torchs_error(name, op):
    def error(L):
        y = _leaf(L) * 1
        with L.no_grad():
            v = y.narrow(0, 0, 3)
        out = op(L, v.t())  # (4, 3), as the table expects
        with pytest.raises(RuntimeError) as e:
            out[-1].mul_(2)
        return str(e.value)

    expected = error(torch)
    assert "is the output of a function that returns multiple views" in expected
    assert error(mlplab) == expected
