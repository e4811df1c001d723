"""The elementwise family (``torch.tan``, ``x.erf()``, ``x.sin_()``, ...): values, gradients,
float64 gradcheck, second derivatives, integer inputs, in-place forms and errors, against torch 2.13.

One table (``UNARY``) drives the tests: each row is a name and the domain its inputs are drawn from.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from core_parity import assert_close, check

import mlplab


def _draw(domain: str, shape: tuple, seed: int) -> np.ndarray:
    return np.asarray(_draw_any(domain, shape, seed))


def _draw_any(domain: str, shape: tuple, seed: int) -> np.ndarray:
    rs = np.random.RandomState(seed)
    if domain == "any":
        return rs.uniform(-2.5, 2.5, shape)
    if domain == "unit":  # inside (-1, 1): asin, acos, atanh, erfinv
        return rs.uniform(-0.9, 0.9, shape)
    if domain == "prob":  # inside (0, 1): logit
        return rs.uniform(0.05, 0.95, shape)
    if domain == "pos":  # positive: logs, rsqrt, the gamma family
        return rs.uniform(0.3, 3.0, shape)
    if domain == "gt1":  # acosh
        return rs.uniform(1.1, 3.0, shape)
    if domain == "nonint":  # away from integers, where the rounding functions jump
        a = rs.uniform(-3, 3, shape)
        return np.floor(a) + rs.uniform(0.1, 0.4, shape) * rs.choice([1, 2], shape)
    raise ValueError(domain)


# name, input domain; every name is a top-level function and a Tensor method in torch and mlplab
UNARY = [
    ("tan", "unit"),
    ("sinh", "any"),
    ("cosh", "any"),
    ("asin", "unit"),
    ("arcsin", "unit"),
    ("acos", "unit"),
    ("arccos", "unit"),
    ("atan", "any"),
    ("arctan", "any"),
    ("asinh", "any"),
    ("arcsinh", "any"),
    ("acosh", "gt1"),
    ("arccosh", "gt1"),
    ("atanh", "unit"),
    ("arctanh", "unit"),
    ("exp2", "any"),
    ("expm1", "any"),
    ("log2", "pos"),
    ("log10", "pos"),
    ("log1p", "pos"),
    ("rsqrt", "pos"),
    ("reciprocal", "pos"),
    ("erf", "any"),
    ("erfc", "any"),
    ("erfinv", "unit"),
    ("lgamma", "pos"),
    ("digamma", "pos"),
    ("i0", "any"),
    ("sinc", "any"),
    ("logit", "prob"),
    ("deg2rad", "any"),
    ("rad2deg", "any"),
    ("absolute", "any"),
    ("negative", "any"),
    ("positive", "any"),
    ("frac", "nonint"),
    ("trunc", "nonint"),
    ("fix", "nonint"),
    ("round", "nonint"),
    ("floor", "nonint"),
    ("ceil", "nonint"),
    ("sign", "any"),
    ("sgn", "any"),
    ("angle", "any"),
    ("nan_to_num", "any"),
]
NAMES = [n for n, _ in UNARY]
DOMAIN = dict(UNARY)
# names whose result is fractional: an integer input is converted to the default float dtype first
FLOAT_RESULT = (
    {n for n in NAMES}
    - {"absolute", "negative", "positive", "frac", "trunc", "fix"}
    - {
        "round",
        "floor",
        "ceil",
        "sign",
        "sgn",
        "nan_to_num",
    }
)


# sgn's gradient in torch is a ZeroTensor (unreadable by check): it is tested with the piecewise ones
CHECKED = [n for n in NAMES if n != "sgn"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", CHECKED)
def test_function_and_method_values_and_gradients(name, dtype) -> None:
    x = _draw(DOMAIN[name], (3, 4), 1)
    check(lambda t, a: getattr(t, name)(a), x, dtype=dtype)
    check(lambda t, a: getattr(a, name)(), x, dtype=dtype, grad_check=False)


@pytest.mark.parametrize("name", CHECKED)
def test_zero_dim_and_empty(name) -> None:
    check(lambda t, a: getattr(t, name)(a), _draw(DOMAIN[name], (), 2))
    check(lambda t, a: getattr(t, name)(a), _draw(DOMAIN[name], (0, 3), 2))


@pytest.mark.parametrize("name", [n for n in NAMES if n != "frac"])
@pytest.mark.parametrize("np_dtype", [np.int64, np.int32, np.bool_])
def test_integer_and_bool_inputs_as_torch(name, np_dtype) -> None:
    a = np.array([[0, 1, 2], [3, 1, 0]]).astype(np_dtype)
    refused = {"negative": RuntimeError, "positive": RuntimeError}
    refused.update(dict.fromkeys(["absolute", "trunc", "fix", "round", "floor", "ceil"], NotImplementedError))
    if np_dtype is np.bool_ and name in refused:  # torch has no kernel for bool there
        with pytest.raises(refused[name]) as te:
            getattr(torch, name)(torch.tensor(a))
        with pytest.raises(refused[name]) as me:
            getattr(mlplab, name)(mlplab.tensor(a))
        assert str(me.value) == str(te.value)
        return
    t = getattr(torch, name)(torch.tensor(a))
    m = getattr(mlplab, name)(mlplab.tensor(a))
    assert_close(m, t)


SPECIAL = np.array(
    [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, -0.5, 2.0, -3.0, 1e-8, 30.0, -30.0, 1e30]
)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", CHECKED)
def test_special_values(name, dtype) -> None:
    """0, -0, +-inf, NaN, the integers, tiny and huge inputs: values and gradients as torch's."""
    a = SPECIAL.astype(dtype)
    xt, xm = torch.tensor(a, requires_grad=True), mlplab.tensor(a, requires_grad=True)
    yt, ym = getattr(torch, name)(xt), getattr(mlplab, name)(xm)
    assert_close(ym, yt, "value", tol={"rtol": 1e-5 if dtype == np.float32 else 1e-10, "atol": 0})
    if name != "positive":
        yt.backward(torch.ones_like(yt))
        ym.backward(mlplab.ones_like(ym))
        assert_close(
            xm.grad, xt.grad, "grad", tol={"rtol": 1e-5 if dtype == np.float32 else 1e-10, "atol": 0}
        )


def test_frac_of_an_integer_tensor_is_not_implemented_as_in_torch() -> None:
    with pytest.raises(NotImplementedError, match="frac_cpu"):
        torch.frac(torch.tensor([1, 2]))
    with pytest.raises(NotImplementedError, match="frac_cpu.*Long"):
        mlplab.frac(mlplab.tensor([1, 2]))


def _arr(t) -> np.ndarray | None:
    if t is None:
        return None
    return t.detach().numpy(force=True) if isinstance(t, torch.Tensor) else t.detach().numpy()


def _second(lib, name: str, x: np.ndarray) -> list:
    """[y, dy/dx . v, d/dx sum(u * (dy/dx . v))] of ``lib.name`` at x (v, u fixed), as arrays; the
    last is None when the first derivative does not depend on x in the graph."""
    xt = lib.tensor(x, requires_grad=True)
    y = getattr(lib, name)(xt)
    rs = np.random.RandomState(1)
    (g,) = lib.autograd.grad(y, xt, lib.tensor(rs.randn(*y.shape)), create_graph=True)
    s = (g * lib.tensor(rs.randn(*g.shape))).sum()
    h = lib.autograd.grad(s, xt, allow_unused=True, materialize_grads=True)[0] if s.requires_grad else None
    return [_arr(y), _arr(g), _arr(h)]


def exercise_second_derivatives() -> None:
    """Run every case's second derivative in mlplab (tests/test_double_backward.py checks that
    each op's backward_graph runs in some test)."""
    for name in SECOND:
        _second(mlplab, name, _draw(DOMAIN[name], (2, 3), 3))
    x = mlplab.tensor([0.5], requires_grad=True)
    y = x * 1.0
    y.atanh_()  # a node whose derivative raises, create_graph or not
    with pytest.raises(NotImplementedError, match="inplace version of atanh"):
        mlplab.autograd.grad(y.sum(), x, create_graph=True)


SECOND = [n for n in NAMES if n != "positive"]


@pytest.mark.parametrize("name", SECOND)
def test_second_derivatives_match_torch(name) -> None:
    x = _draw(DOMAIN[name], (2, 3), 3)
    for m, t, what in zip(_second(mlplab, name, x), _second(torch, name, x), ("value", "grad", "second")):
        if t is None or m is None:  # no graph on one side: the other's is all zeros (torch's ZeroTensor)
            assert not np.any(t if m is None else m), what
        else:
            np.testing.assert_allclose(m, t, rtol=1e-10, atol=1e-12, err_msg=what)


@pytest.mark.parametrize("name", ["round", "floor", "ceil", "trunc", "fix", "sign", "sgn", "angle"])
def test_piecewise_constant_functions_are_recorded_with_a_zero_gradient(name) -> None:
    a = _draw("nonint", (5,), 4)
    xt = torch.tensor(a, requires_grad=True)
    xm = mlplab.tensor(a, requires_grad=True)
    yt, ym = getattr(xt, name)(), getattr(xm, name)()
    assert ym.requires_grad and yt.requires_grad
    assert ym.grad_fn.name() == yt.grad_fn.name()
    (yt * 3).sum().backward()
    (ym * 3).sum().backward()
    np.testing.assert_array_equal(xm.grad.numpy(), xt.grad.numpy(force=True))
    assert xm.grad.dtype == mlplab.float64 and not np.any(xm.grad.numpy())


def test_straight_through_round() -> None:
    a = _draw("nonint", (6,), 5)

    def f(t, x):
        return ((x.round() - x).detach() + x) * x

    # the surrogate gradient round(x) + x is not the derivative of round(x) * x: no gradcheck
    check(f, a, grad_check=False)
    check(f, a, dtype=np.float32)


@pytest.mark.parametrize("decimals", [None, 0, 1, 2, -1])
def test_round_decimals(decimals) -> None:
    a = np.array([1.2345, -2.5, 0.5, 1.5, 15.25, -0.05])
    kw = {} if decimals is None else {"decimals": decimals}
    check(lambda t, x: t.round(x, **kw), a, grad_check=False)
    check(lambda t, x: x.round(**kw), a, dtype=np.float32, grad_check=False)
    xt, xm = torch.tensor(a, requires_grad=True), mlplab.tensor(a, requires_grad=True)
    assert xm.round(**kw).grad_fn.name() == xt.round(**kw).grad_fn.name()
    yt, ym = xt * 1.0, xm * 1.0
    yt.round_(**kw)
    ym.round_(**kw)
    assert_close(ym, yt)


@pytest.mark.parametrize("eps", [None, 0.1, 0.3])
def test_logit_eps(eps) -> None:
    a = np.array([0.0, 0.05, 0.2, 0.5, 0.75, 0.95, 1.0])
    check(lambda t, x: t.logit(x, eps), a, grad_check=False)
    check(lambda t, x: x.logit(eps=eps), a, dtype=np.float32, grad_check=False)
    check(lambda t, x: t.logit(x, eps), np.array([0.2, 0.5, 0.75]))
    check(lambda t, x: t.logit(x, eps), np.array([-0.5, 1.5]), grad_check=False)


@pytest.mark.parametrize(
    "kw", [{}, {"nan": 1.5}, {"posinf": 9.0, "neginf": -7.0}, {"nan": -1.0, "posinf": 2.0}]
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nan_to_num(kw, dtype) -> None:
    a = np.array([1.0, np.nan, np.inf, -np.inf, -2.0, 0.0])
    check(lambda t, x: t.nan_to_num(x, **kw), a, dtype=dtype, grad_check=False)
    check(lambda t, x: x.nan_to_num(**kw), a, dtype=dtype, grad_check=False)


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_polygamma(n) -> None:
    a = _draw("pos", (3, 2), 6)
    check(lambda t, x: t.polygamma(n, x), a)
    check(lambda t, x: x.polygamma(n), a, dtype=np.float32)
    x = torch.tensor(a, requires_grad=True)
    assert mlplab.polygamma(n, mlplab.tensor(a, requires_grad=True)).grad_fn.name() == (
        torch.polygamma(n, x).grad_fn.name()
    )


def test_clamp_min_max_and_threshold() -> None:
    a = _draw("any", (4, 3), 7)
    check(lambda t, x: t.clamp_min(x, 0.3), a)
    check(lambda t, x: x.clamp_max(-0.2), a)
    check(lambda t, x, lo: t.clamp_min(x, lo), a, np.full((3,), 0.1), no_grad=(1,))
    check(lambda t, x: t.threshold(x, 0.5, -3.0), a)
    check(lambda t, x: t.threshold(x, 0.5, -3.0), a, dtype=np.float32)
    assert_close(
        mlplab.threshold(mlplab.tensor([1, 2, 3]), 1, 0), torch.threshold(torch.tensor([1, 2, 3]), 1, 0)
    )


def test_boolean_predicates() -> None:
    a = np.array([1.0, -0.0, 0.0, -2.0, np.inf, -np.inf, np.nan])
    for dt in (np.float64, np.float32):
        for name in ("signbit", "isposinf", "isneginf", "isreal"):
            assert_close(
                getattr(mlplab, name)(mlplab.tensor(a.astype(dt))),
                getattr(torch, name)(torch.tensor(a.astype(dt))),
            )
            assert_close(
                getattr(mlplab.tensor(a.astype(dt)), name)(), getattr(torch.tensor(a.astype(dt)), name)()
            )
    for name in ("signbit", "isposinf", "isneginf", "isreal"):
        assert_close(
            getattr(mlplab, name)(mlplab.tensor([1, -2])), getattr(torch, name)(torch.tensor([1, -2]))
        )


@pytest.mark.parametrize("name", ["conj", "conj_physical", "resolve_conj", "resolve_neg", "real"])
def test_complex_functions_return_a_real_tensor_itself(name) -> None:
    x = mlplab.tensor([1.0, -2.0], requires_grad=True)
    xt = torch.tensor([1.0, -2.0], requires_grad=True)
    assert getattr(torch, name)(xt) is xt  # torch returns the input itself too
    assert getattr(mlplab, name)(x) is x
    assert (x.real if name == "real" else getattr(x, name)()) is x
    yt, y = xt * 1.0, x * 1.0
    assert yt.conj_physical_() is yt and y.conj_physical_() is y
    assert y.grad_fn.name() == yt.grad_fn.name()
    for t in (x, xt):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            t.conj_physical_()
    assert mlplab.is_conj(x) is torch.is_conj(xt) is False and x.is_neg() is xt.is_neg() is False


def test_imag_of_a_real_tensor_is_refused_as_in_torch() -> None:
    for lib in (torch, mlplab):
        with pytest.raises(
            RuntimeError, match="^imag is not implemented for tensors with non-complex dtypes"
        ):
            lib.imag(lib.ones(2))
        with pytest.raises(
            RuntimeError, match="^imag is not implemented for tensors with non-complex dtypes"
        ):
            lib.ones(2).imag  # noqa: B018 - the property raises


def test_positive_is_the_input_itself() -> None:
    x = mlplab.ones(3, requires_grad=True)
    assert mlplab.positive(x) is x and x.positive() is x
    assert torch.positive(xt := torch.ones(3, requires_grad=True)) is xt


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.polygamma(-1, t.ones(2)),
        lambda t: t.polygamma(1.5, t.ones(2)),
        lambda t: t.ones(2, dtype=t.int64).sin_(),
        lambda t: t.ones(2, dtype=t.int32).erfinv_(),
        lambda t: t.tensor([True]).positive(),
        lambda t: t.frac(t.ones(2, dtype=t.int64)),
    ],
)
def test_errors_are_torchs(call) -> None:
    with pytest.raises(Exception) as te:
        call(torch)
    with pytest.raises(type(te.value)):
        call(mlplab)
