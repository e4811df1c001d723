"""``autograd.functional.vjp/jvp/vhp/hvp`` against torch 2.13: values (float64), tuple inputs and
outputs, ``v=None``, ``create_graph=True`` (the product differentiated again), torch's messages."""

import numpy as np
import pytest
import torch

import mlplab

RNG = np.random.default_rng(3)
X = RNG.standard_normal((3, 4))
Y = RNG.standard_normal(4)
V_OUT = RNG.standard_normal((3, 4))
V_X = RNG.standard_normal((3, 4))
V_Y = RNG.standard_normal(4)


def scalar(lib):
    return lambda x, y: (lib.tanh(x) * x**2).sum() + (x @ y).pow(2).sum() * y.exp().sum()


def vector(lib):
    return lambda x, y: (x * y.sin(), (x**3).sum(dim=0))


def both(lib, name, func, inputs, v, **kw):
    T = lambda a: lib.tensor(a, dtype=lib.float64)  # noqa: E731
    ins = tuple(T(a) for a in inputs) if isinstance(inputs, tuple) else T(inputs)
    vv = None if v is None else (tuple(T(a) for a in v) if isinstance(v, tuple) else T(v))
    return getattr(lib.autograd.functional, name)(func(lib), ins, vv, **kw)


def flat(r):
    if isinstance(r, (tuple, list)):
        return np.concatenate([flat(a) for a in r]) if r else np.zeros(0)
    return np.asarray(r.detach().numpy(), dtype=float).ravel()


CASES = [
    ("vjp", vector, (X, Y), (V_OUT, V_Y)),
    ("vjp", lambda lib: lambda x: (x**2).sum(), X, None),
    ("jvp", vector, (X, Y), (V_X, V_Y)),
    ("jvp", lambda lib: lambda x: lib.sigmoid(x) * 3, X, V_X),
    ("vhp", scalar, (X, Y), (V_X, V_Y)),
    ("hvp", scalar, (X, Y), (V_X, V_Y)),
    ("hvp", lambda lib: lambda x: (x**4).sum(), X, V_X),
]


@pytest.mark.parametrize("name, func, inputs, v", CASES, ids=[c[0] + str(i) for i, c in enumerate(CASES)])
def test_products_match_torch(name, func, inputs, v):
    theirs = both(torch, name, func, inputs, v)
    ours = both(mlplab, name, func, inputs, v)
    for a, b in zip(theirs, ours):
        np.testing.assert_allclose(flat(b), flat(a), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["vjp", "hvp"])
def test_results_are_detached_unless_create_graph(name):
    func = vector if name == "vjp" else scalar
    v = (V_OUT, V_Y) if name == "vjp" else (V_X, V_Y)
    _, res = both(mlplab, name, func, (X, Y), v)
    assert not any(r.requires_grad for r in res)
    _, res = both(mlplab, name, func, (X, Y), v, create_graph=True)
    assert all(r.requires_grad for r in res)


def test_an_hvp_with_create_graph_can_be_differentiated_again():
    def third(lib):
        x = lib.tensor(X, dtype=lib.float64, requires_grad=True)
        v = lib.tensor(V_X, dtype=lib.float64)
        _, hv = lib.autograd.functional.hvp(lambda t: (t.sin() * t**2).sum(), x, v, create_graph=True)
        (g,) = lib.autograd.grad(hv.sum(), x)
        return g.detach().numpy()

    np.testing.assert_allclose(third(mlplab), third(torch), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "name, inputs, v",
    [
        ("vjp", (X, Y), (V_OUT,)),
        ("vjp", (X, Y), (V_OUT, V_X)),
        ("vjp", (X, Y), None),
        ("jvp", (X, Y), (V_X, V_X)),
        ("jvp", X, None),
    ],
)
def test_bad_vectors_raise_torchs_messages(name, inputs, v):
    with pytest.raises(RuntimeError) as theirs:
        both(torch, name, vector, inputs, v)
    with pytest.raises(RuntimeError) as ours:
        both(mlplab, name, vector, inputs, v)
    # mlplab's Size prints as mlplab.Size
    assert str(ours.value).replace("mlplab.", "torch.") == str(theirs.value)
