"""In-place changes of expanded tensors (``x.expand(2, 3)``: one memory location per column) and
of views of them, against PyTorch 2.13: which ops torch refuses (its RuntimeError and message),
which it runs (the values written, the warnings it gives), outside and inside the graph. Also
``view_bases.positions``, which locates a view's elements in its base from memory and strides.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import mlplab
from mlplab.autograd.view_bases import positions


def _e(L):
    return L.ones(3).expand(2, 3)


def _set(x, key, value):
    x[key] = value


CHANGES = {
    "add_": lambda L, x: x.add_(1),
    "sub_": lambda L, x: x.sub_(1),
    "mul_": lambda L, x: x.mul_(2),
    "div_": lambda L, x: x.div_(2),
    "iadd": lambda L, x: x.__iadd__(1),
    "addcmul_": lambda L, x: x.addcmul_(L.ones(2, 3), L.ones(2, 3)),
    "addcdiv_": lambda L, x: x.addcdiv_(L.ones(2, 3), L.ones(2, 3)),
    "copy_": lambda L, x: x.copy_(L.zeros(2, 3)),
    "fill_": lambda L, x: x.fill_(2),
    "fill_ tensor": lambda L, x: x.fill_(L.tensor(2.0)),
    "zero_": lambda L, x: x.zero_(),
    "clamp_": lambda L, x: x.clamp_(0, 0.5),
    "uniform_": lambda L, x: x.uniform_(),
    "normal_": lambda L, x: x.normal_(),
    "bernoulli_": lambda L, x: x.bernoulli_(),
    "masked_fill_": lambda L, x: x.masked_fill_(L.tensor([True, False, True]), 0.5),
    "relu_": lambda L, x: x.relu_(),
    "row add_": lambda L, x: x[0].add_(1),
    "row copy_": lambda L, x: x[1].copy_(L.tensor([4.0, 5.0, 6.0])),
    "row clamp_": lambda L, x: x[0].clamp_(0, 0.5),
    "row mul_ tensor": lambda L, x: x[1].mul_(L.tensor([1.0, 2.0, 3.0])),
    "column add_": lambda L, x: x[:, 0].add_(1),
    "setitem row": lambda L, x: _set(x, 0, 5.0),
    "setitem element": lambda L, x: _set(x, (0, 1), 5.0),
    "setitem column": lambda L, x: _set(x, (slice(None), 0), 5.0),
    "setitem columns": lambda L, x: _set(x, (slice(None), slice(1, None)), 5.0),
    "setitem rows by list": lambda L, x: _set(x, [0, 1], 5.0),
}


def _outcome(L, change):
    """(error type and message, or the values written and the version) and the warnings given."""
    x = _e(L)
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            change(L, x)
            out: tuple = ("ok", x.tolist(), x._version)
        except Exception as e:  # noqa: BLE001 - the outcome compared is the exception itself
            out = (type(e).__name__, str(e))
    return out, [str(w.message).split(" (Triggered")[0] for w in ws]


@pytest.mark.parametrize("name", list(CHANGES))
def test_in_place_change_of_an_expanded_tensor_matches_torch(name):
    if name in ("uniform_", "normal_", "bernoulli_"):  # random values: compare refusals only
        assert _outcome(torch, CHANGES[name])[0][0] == "RuntimeError"
    assert _outcome(mlplab, CHANGES[name]) == _outcome(torch, CHANGES[name])


def test_the_refusal_is_torchs_runtime_error():
    out, _ = _outcome(mlplab, CHANGES["add_"])
    assert out == (
        "RuntimeError",
        "unsupported operation: more than one element of the written-to tensor refers to a single "
        "memory location. Please clone() the tensor before performing the operation.",
    )


def test_an_expanded_row_changed_with_a_tensor_that_requires_grad_matches_torch():
    def run(L):
        w = L.tensor([1.0, -2.0, 0.5], dtype=L.float64, requires_grad=True)
        base = L.ones(3, dtype=L.float64)
        x = base.expand(2, 3)
        x[1].mul_(w)
        facts = (base.requires_grad, x.requires_grad, base._version)
        (x * L.arange(6.0, dtype=L.float64).reshape(2, 3)).sum().backward()
        return base.tolist(), x.tolist(), facts, w.grad.tolist()

    assert run(mlplab) == run(torch)


def test_an_overlapping_view_changed_with_a_tensor_that_requires_grad_raises_torchs_error():
    def run(L):
        w = L.tensor([1.0, -2.0, 0.5], requires_grad=True)
        with pytest.raises(RuntimeError) as e:
            L.zeros(3).expand(2, 3).mul_(w)
        return str(e.value)

    assert run(mlplab) == run(torch)


def _layouts():
    """(base, view) pairs of NumPy arrays, the base holding distinct values in many layouts."""
    c = np.arange(24.0).reshape(4, 6)
    yield c, c[1:3, ::2]
    yield c, c.T[2]
    f = np.asfortranarray(c)
    yield f, f[:, 1]
    yield f, f.T[1:, 2:5]
    s = np.arange(48.0).reshape(4, 12)[:, ::2]  # a base that is itself strided
    yield s, s[2]
    yield s, s[:, 1:4].T
    r = np.arange(12.0)[::-1].reshape(3, 4)  # negative strides
    yield r, r[1]
    yield r, r[:, ::-2]
    b = np.arange(5.0)
    yield b, np.broadcast_to(b[1:4], (2, 3))  # repeated elements
    yield c, c[0:0]
    yield c, c[2, 3, ...]


@pytest.mark.parametrize("pair", list(_layouts()), ids=lambda p: f"{p[0].strides}->{p[1].strides}")
def test_positions_locate_a_views_elements_in_its_base(pair):
    base, view = pair
    index = positions(base, view)
    assert index.shape == view.shape
    np.testing.assert_array_equal(base.reshape(-1)[index], view)  # base values are distinct


def test_positions_refuse_memory_outside_the_base():
    a = np.arange(10.0)
    assert positions(a[:5], a[3:8]) is None
    assert positions(a, a.view(np.int64)) is None
