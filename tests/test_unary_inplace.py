"""The in-place forms of the elementwise family (``x.sin_()``, ``x.round_(decimals=1)``,
``torch.exp_(x)``, ...) against torch 2.13: in a graph (values, gradients, version), through a view,
on a leaf that requires grad, on integer tensors, and the ones torch cannot differentiate.
The out-of-place functions are in tests/test_unary_parity.py, whose table this one extends."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from core_parity import assert_close, check
from test_unary_parity import NAMES, UNARY, _draw

import mlplab

# the in-place methods torch has (x.f_()) for the table's names, and the older unary ones
INPLACE = sorted(
    {n + "_" for n in NAMES if hasattr(torch.Tensor, n + "_")}
    | {"abs_", "neg_", "square_", "exp_", "log_", "sqrt_", "sin_", "cos_", "tanh_", "sigmoid_", "sign_"}
)
INPLACE_DOMAIN = {**{n + "_": d for n, d in UNARY}, "log_": "pos", "sqrt_": "pos"}


# torch 2.13 has no derivative for these in place: in a graph they raise NotImplementedError
NO_GRAPH = {"asinh_", "acosh_", "atanh_", "arcsinh_", "arccosh_", "arctanh_"}


@pytest.mark.parametrize("name", sorted(NO_GRAPH))
def test_in_place_forms_torch_cannot_differentiate(name) -> None:
    a = _draw(INPLACE_DOMAIN[name], (3,), 8)
    ys = []
    for lib in (torch, mlplab):
        y = lib.tensor(a, requires_grad=True) * 1.0
        getattr(y, name)()
        ys.append(y)
        with pytest.raises(
            NotImplementedError,
            match=f"^the derivative for 'inplace version of {name[:-1].replace('arc', 'a')}'",
        ):
            y.sum().backward()
    assert_close(ys[1], ys[0])
    assert ys[1].grad_fn.name() == ys[0].grad_fn.name()


@pytest.mark.parametrize("name", [n for n in INPLACE if n not in NO_GRAPH])
def test_in_place_forms_in_a_graph(name) -> None:
    """x.f_() on a non-leaf: the same values, gradients and node name as torch, one version more."""
    a = _draw(INPLACE_DOMAIN.get(name, "any"), (3, 4), 8)

    def f(t, x):
        y = x * 1.0
        r = getattr(y, name)()
        assert r is y
        return y * x

    check(f, a)
    check(f, a, dtype=np.float32)
    for lib in (torch, mlplab):
        y = lib.tensor(a) * 1.0
        v = y._version
        getattr(y, name)()
        assert y._version == v + 1, lib.__name__


@pytest.mark.parametrize("name", INPLACE)
def test_in_place_forms_refuse_a_leaf_that_requires_grad(name) -> None:
    a = _draw(INPLACE_DOMAIN.get(name, "any"), (3,), 9)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        getattr(torch.tensor(a, requires_grad=True), name)()
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        getattr(mlplab.tensor(a, requires_grad=True), name)()
    with mlplab.no_grad():  # under no_grad it writes the leaf, as torch does
        x = mlplab.tensor(a, requires_grad=True)
        getattr(x, name)()
    with torch.no_grad():
        xt = torch.tensor(a, requires_grad=True)
        getattr(xt, name)()
    assert_close(x.detach(), xt.detach())


@pytest.mark.parametrize("name", INPLACE)
def test_in_place_forms_on_integer_tensors_as_torch(name) -> None:
    a = np.array([0, 1, 2, 3])
    try:
        getattr(torch.tensor(a), name)()
    except Exception as e:  # a fractional result cannot be written into an integer tensor
        with pytest.raises(type(e)) as me:
            getattr(mlplab.tensor(a), name)()
        if "can't be cast" in str(e):
            assert str(me.value) == str(e)
        return
    xt, xm = torch.tensor(a), mlplab.tensor(a)
    getattr(xt, name)()
    getattr(xm, name)()
    assert_close(xm, xt)


@pytest.mark.parametrize("name", [n for n in INPLACE if n not in NO_GRAPH])
def test_in_place_through_a_view_of_a_graph_tensor(name) -> None:
    a = _draw(INPLACE_DOMAIN.get(name, "any"), (3, 4), 10)

    def f(t, x):
        y = x * 2.0 if INPLACE_DOMAIN.get(name) not in ("unit", "prob") else x * 1.0
        getattr(y[1], name)()
        return y * x

    check(f, a)


def test_top_level_in_place_functions() -> None:
    names = sorted(
        n for n in dir(torch) if n.endswith("_") and n[:-1] in NAMES + ["exp", "sin"] and hasattr(mlplab, n)
    )
    assert len(names) >= 20
    for n in names:
        a = _draw(INPLACE_DOMAIN.get(n, "any"), (4,), 11)
        xt, xm = torch.tensor(a), mlplab.tensor(a)
        assert getattr(mlplab, n)(xm) is xm
        getattr(torch, n)(xt)
        assert_close(xm, xt, n)
    xt, xm = torch.tensor([0.5, 2.0]), mlplab.tensor([0.5, 2.0])
    mlplab.threshold_(xm, 1.0, -1.0)
    torch.threshold_(xt, 1.0, -1.0)
    assert_close(xm, xt)


@pytest.mark.parametrize("name", ["clamp_", "clip_"])
def test_clamp_in_place_function_and_clip_method(name) -> None:
    a = _draw("any", (3, 4), 12)

    def f(t, x):
        y = x * 1.0
        assert getattr(t, name)(y, -0.5, 0.7) is y
        z = x * 2.0
        assert getattr(z, name)(min=0.1) is z
        return y * z

    check(f, a)
    check(f, a, dtype=np.float32)
