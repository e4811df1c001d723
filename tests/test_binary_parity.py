"""Binary elementwise functions (atan2, hypot, copysign, fmod, remainder, fmax/fmin, logaddexp(2),
xlogy, lerp, nextafter, ldexp, float_power, heaviside, logical and bitwise ops, torch's aliases) and
their in-place forms, against torch 2.13: values and gradients in float32 and float64, gradcheck,
broadcasting, integer inputs, and the errors torch raises."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from core_parity import assert_close, check, errors_of_both, rand

import mlplab

rs = np.random.RandomState(11)
R = lambda *shape: rand(rs, shape)  # noqa: E731
P = lambda *shape: rand(rs, shape, "pos")  # noqa: E731
NZ = lambda *shape: rand(rs, shape, "nonzero")  # noqa: E731
# (name, fn(lib, *inputs), inputs): differentiable in every float input
DIFFERENTIABLE: list[tuple[str, Callable, tuple]] = [
    ("atan2", lambda L, a, b: L.atan2(a, b), (R(3, 4), R(3, 4))),
    ("atan2 broadcast", lambda L, a, b: L.atan2(a, b), (R(3, 1), R(4))),
    ("arctan2 method", lambda L, a, b: a.arctan2(b), (R(2, 3), R(3))),
    ("hypot", lambda L, a, b: L.hypot(a, b), (NZ(3, 4), R(4))),
    ("atan2 float, int", lambda L, a, b: L.atan2(a, b), (R(2, 3), np.array([1, -2, 0]))),
    ("hypot float, int", lambda L, a, b: L.hypot(a, b), (NZ(2, 3), np.array([1, -2, 0]))),
    ("xlogy int, float", lambda L, a, b: L.xlogy(a, b), (np.array([0, 2, -1]), P(2, 3))),
    ("fmax float, bool", lambda L, a, b: L.fmax(a, b), (R(2, 3), np.array([True, False, True]))),
    ("lerp tensor weight 0-d", lambda L, a, b, w: L.lerp(a, b, w), (R(2, 3), R(2, 3), np.array(0.7))),
    ("copysign", lambda L, a, b: L.copysign(a, b), (NZ(3, 4), NZ(3, 4))),
    ("copysign scalar", lambda L, a: a.copysign(-1.0), (NZ(5),)),
    ("fmod", lambda L, a, b: L.fmod(a, b), (R(3, 4) * 3, NZ(4))),
    ("fmod scalar", lambda L, a: a.fmod(0.7), (R(6) * 3,)),
    ("remainder", lambda L, a, b: L.remainder(a, b), (R(3, 4) * 3, NZ(3, 1))),
    ("fmax", lambda L, a, b: L.fmax(a, b), (R(3, 4), R(4))),
    ("fmin", lambda L, a, b: a.fmin(b), (R(3, 4), R(3, 4))),
    ("logaddexp", lambda L, a, b: L.logaddexp(a, b), (R(3, 4) * 10, R(4) * 10)),
    ("logaddexp2", lambda L, a, b: L.logaddexp2(a, b), (R(3, 4) * 10, R(3, 4))),
    ("xlogy", lambda L, a, b: L.xlogy(a, b), (R(3, 4), P(3, 4))),
    ("xlogy scalar first", lambda L, b: L.xlogy(2.0, b), (P(5),)),
    ("xlogy scalar other", lambda L, a: a.xlogy(3.0), (R(5),)),
    ("lerp scalar small", lambda L, a, b: L.lerp(a, b, 0.3), (R(3, 4), R(3, 4))),
    ("lerp scalar large", lambda L, a, b: a.lerp(b, 0.8), (R(3, 4), R(4))),
    ("lerp tensor weight", lambda L, a, b, w: L.lerp(a, b, w), (R(3, 4), R(3, 4), R(4))),
    ("nextafter", lambda L, a, b: L.nextafter(a, b), (R(3, 4), R(3, 4))),
    # torch's gradient for an integer exponent < 0 is 0 (an integer power): mlplab gives 2^e there,
    # so integer exponents here are >= 0; float exponents take every sign
    ("ldexp", lambda L, a, e: L.ldexp(a, e), (R(3, 4), np.array([1, 2, 0, 3]))),
    ("ldexp float exponent", lambda L, a, e: L.ldexp(a, e), (R(3, 4), R(4))),
    ("float_power", lambda L, a, b: L.float_power(a, b), (P(3, 4), R(4))),
    ("float_power scalar", lambda L, a: a.float_power(3), (R(5),)),
    ("true_divide", lambda L, a, b: L.true_divide(a, b), (R(3, 4), NZ(4))),
    ("divide", lambda L, a, b: L.divide(a, b), (R(3, 4), NZ(4))),
    ("multiply", lambda L, a, b: a.multiply(b), (R(3, 4), R(4))),
    ("subtract alpha", lambda L, a, b: L.subtract(a, b, alpha=2), (R(3, 4), R(4))),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=[c[0] for c in DIFFERENTIABLE])
def test_differentiable_binary_matches_torch(case: tuple, dtype: type) -> None:
    name, fn, inputs = case
    check(fn, *inputs, dtype=dtype)


I = np.array([[3, -7, 0, 5], [8, 2, -1, -6]])  # noqa: E741
J = np.array([2, 3, -4, 5])
F = np.array([[1.5, -2.0, 0.0, np.nan], [0.0, 3.0, -0.5, 2.0]])
G = np.array([0.5, np.nan, 0.0, -1.0])
B1 = np.array([[True, False, True, False]])
B2 = np.array([True, True, False, False])
# (name, fn(lib, *inputs), inputs): results compared exactly (ints, bools) or to float tolerance
VALUES: list[tuple[str, Callable, tuple]] = [
    ("atan2 ints -> float", lambda L, a, b: L.atan2(a, b), (I, J)),
    ("copysign ints", lambda L, a, b: L.copysign(a, b), (I, J)),
    ("fmod ints", lambda L, a, b: L.fmod(a, b), (I, J)),
    ("fmod int scalar", lambda L, a: a.fmod(3), (I,)),
    ("remainder ints", lambda L, a, b: L.remainder(a, b), (I, J)),
    ("remainder scalar first ints", lambda L, b: L.remainder(7, b), (J,)),
    ("remainder float, int", lambda L, a, b: L.remainder(a, b), (F, J)),
    ("floor_divide ints", lambda L, a, b: L.floor_divide(a, b), (I, J)),
    ("floor_divide floats", lambda L, a, b: L.floor_divide(a, b), (F, G)),
    ("true_divide ints", lambda L, a, b: L.true_divide(a, b), (I, J)),
    ("divide trunc", lambda L, a, b: L.divide(a, b, rounding_mode="trunc"), (I, J)),
    ("float_power ints", lambda L, a, b: L.float_power(a, b), (I, np.abs(J))),
    ("fmax nan", lambda L, a, b: L.fmax(a, b), (F, G)),
    ("fmin nan", lambda L, a, b: L.fmin(a, b), (F, G)),
    ("fmax ints", lambda L, a, b: L.fmax(a, b), (I, J)),
    ("heaviside", lambda L, a, v: L.heaviside(a, v), (F, G)),
    ("heaviside ints", lambda L, a, v: L.heaviside(a, v), (I, J)),
    ("xlogy zero and nan", lambda L, a, b: L.xlogy(a, b), (F, np.abs(G))),
    ("xlogy ints", lambda L, a, b: L.xlogy(a, b), (I, np.abs(J))),
    ("ldexp ints", lambda L, a, b: L.ldexp(a, b), (I, np.abs(J))),
    ("greater", lambda L, a, b: L.greater(a, b), (F, G)),
    ("greater_equal", lambda L, a, b: a.greater_equal(b), (I, J)),
    ("less", lambda L, a, b: L.less(a, b), (I, J)),
    ("less_equal", lambda L, a, b: L.less_equal(a, b), (F, G)),
    ("not_equal", lambda L, a, b: L.not_equal(a, b), (I, J)),
    ("logical_and", lambda L, a, b: L.logical_and(a, b), (F, I)),
    ("logical_or", lambda L, a, b: L.logical_or(a, b), (B1, B2)),
    ("logical_xor", lambda L, a, b: a.logical_xor(b), (F, G)),
    ("logical_not", lambda L, a: L.logical_not(a), (F,)),
    ("bitwise_and", lambda L, a, b: L.bitwise_and(a, b), (I, J)),
    ("bitwise_or", lambda L, a, b: a.bitwise_or(b), (B1, B2)),
    ("bitwise_xor scalar", lambda L, a: L.bitwise_xor(a, 5), (I,)),
    ("bitwise_not", lambda L, a: L.bitwise_not(a), (I,)),
    ("bitwise_not bool", lambda L, a: a.bitwise_not(), (B2,)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", VALUES, ids=[c[0] for c in VALUES])
def test_binary_values_match_torch(case: tuple, dtype: type) -> None:
    name, fn, inputs = case
    check(fn, *inputs, dtype=dtype, no_grad=range(len(inputs)))


def _both(a: np.ndarray) -> tuple[torch.Tensor, mlplab.Tensor]:
    return torch.tensor(a), mlplab.tensor(a)


# (name, fn(tensor, *operands) changing the tensor in place, self array, operands)
INPLACE: list[tuple[str, Callable, np.ndarray, tuple]] = [
    ("atan2_", lambda t, o: t.atan2_(o), R(3, 4), (R(4),)),
    ("arctan2_", lambda t, o: t.arctan2_(o), R(3, 4), (R(3, 4),)),
    ("hypot_", lambda t, o: t.hypot_(o), R(3, 4), (R(4),)),
    ("copysign_", lambda t, o: t.copysign_(o), R(3, 4), (R(4),)),
    ("fmod_", lambda t, o: t.fmod_(o), R(3, 4), (NZ(4),)),
    ("remainder_", lambda t, o: t.remainder_(o), R(3, 4), (NZ(4),)),
    ("floor_divide_", lambda t, o: t.floor_divide_(o), R(3, 4), (NZ(4),)),
    ("true_divide_", lambda t, o: t.true_divide_(o), R(3, 4), (NZ(4),)),
    ("divide_ floor", lambda t, o: t.divide_(o, rounding_mode="floor"), R(3, 4), (NZ(4),)),
    ("multiply_", lambda t, o: t.multiply_(o), R(3, 4), (R(4),)),
    ("subtract_", lambda t, o: t.subtract_(o, alpha=3), R(3, 4), (R(4),)),
    ("xlogy_", lambda t, o: t.xlogy_(o), R(3, 4), (P(4),)),
    ("lerp_", lambda t, o: t.lerp_(o, 0.6), R(3, 4), (R(4),)),
    ("lerp_ tensor", lambda t, o, w: t.lerp_(o, w), R(3, 4), (R(4), R(3, 1))),
    ("nextafter_", lambda t, o: t.nextafter_(o), R(3, 4), (R(4),)),
    ("ldexp_", lambda t, o: t.ldexp_(o), R(3, 4), (np.array([1, 0, 3, 2]),)),
    ("heaviside_", lambda t, o: t.heaviside_(o), np.array([-1.0, 0.0, 2.0]), (np.array([0.5]),)),
    ("ge_", lambda t, o: t.ge_(o), R(3, 4), (R(4),)),
    ("gt_", lambda t, o: t.gt_(o), R(3, 4), (R(4),)),
    ("le_", lambda t, o: t.le_(o), R(3, 4), (R(4),)),
    ("lt_", lambda t, o: t.lt_(0.1), R(3, 4), (R(4),)),
    ("eq_", lambda t, o: t.eq_(o), I.astype(float), (J.astype(float),)),
    ("ne_", lambda t, o: t.ne_(o), I.astype(float), (J.astype(float),)),
    ("greater_", lambda t, o: t.greater_(o), R(3, 4), (R(4),)),
    ("greater_equal_", lambda t, o: t.greater_equal_(o), R(3, 4), (R(4),)),
    ("less_", lambda t, o: t.less_(o), R(3, 4), (R(4),)),
    ("less_equal_", lambda t, o: t.less_equal_(o), R(3, 4), (R(4),)),
    ("not_equal_", lambda t, o: t.not_equal_(o), I, (J,)),
    ("logical_and_", lambda t, o: t.logical_and_(o), F, (G,)),
    ("logical_or_", lambda t, o: t.logical_or_(o), I, (J,)),
    ("logical_xor_", lambda t, o: t.logical_xor_(o), F, (G,)),
    ("logical_not_", lambda t: t.logical_not_(), F, ()),
    ("bitwise_and_", lambda t, o: t.bitwise_and_(o), I, (J,)),
    ("bitwise_or_", lambda t, o: t.bitwise_or_(o), I, (J,)),
    ("bitwise_xor_", lambda t, o: t.bitwise_xor_(o), I, (J,)),
    ("bitwise_not_", lambda t: t.bitwise_not_(), I, ()),
]


@pytest.mark.parametrize("case", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_matches_torch_and_returns_self(case: tuple) -> None:
    name, fn, a, ops = case
    ta, ma = _both(a)
    pairs = [_both(o) for o in ops]
    tr = fn(ta, *[p[0] for p in pairs])
    mr = fn(ma, *[p[1] for p in pairs])
    assert mr is ma and tr is ta
    assert_close(ma, ta)
    assert ma._version == 1


@pytest.mark.parametrize(
    "case", [c for c in INPLACE if c[2].dtype.kind == "f" and "_ " not in c[0]], ids=lambda c: c[0]
)
def test_inplace_on_a_non_leaf_is_differentiated_as_torch(case: tuple) -> None:
    name, fn, a, ops = case
    grads = []
    for L in (torch, mlplab):
        x = L.tensor(a, requires_grad=True)
        y = x * 2
        fn(y, *[L.tensor(o) for o in ops])
        if not y.requires_grad:
            grads.append(None)
            continue
        if name in ("floor_divide_", "heaviside_"):  # torch does not differentiate them: backward raises
            with pytest.raises(RuntimeError, match=f"derivative for aten::{name} is not implemented"):
                y.sum().backward()
            grads.append(None)
            continue
        y.backward(L.tensor(np.ones(a.shape) * 0.5))
        grads.append(x.grad)
    if grads[0] is None:
        assert grads[1] is None
    else:
        assert_close(grads[1], grads[0], "grad")


def test_xlogy_of_two_numbers_is_refused_as_torch() -> None:
    msgs = []
    for L in (torch, mlplab):
        with pytest.raises(TypeError) as e:
            L.xlogy(2, 3)
        msgs.append(str(e.value))
    assert msgs[1] == msgs[0]


def test_not_differentiated_functions_raise_torchs_error_in_backward() -> None:
    for L in (torch, mlplab):
        x = L.tensor([1.5, -2.0], requires_grad=True)
        h = L.heaviside(x, L.tensor([0.5]))
        assert h.requires_grad
        with pytest.raises(RuntimeError, match="derivative for aten::heaviside is not implemented"):
            h.sum().backward()
        r = L.remainder(5.0, x)
        with pytest.raises(RuntimeError, match="derivative for aten::remainder is not implemented"):
            r.sum().backward()
        f = L.floor_divide(x, 2)
        with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not implemented"):
            f.sum().backward()


I64 = np.array([1, 2, 3])
F32 = np.array([1.5, -2.0, 3.0], dtype=np.float32)
# (fn(lib, *inputs), inputs): torch raises; mlplab must raise the same type with the same message
ERRORS: list[tuple[str, Callable, tuple]] = [
    ("atan2 number", lambda L, a: L.atan2(a, 2), (F32,)),
    ("hypot ints", lambda L, a, b: L.hypot(a, b), (I64, I64)),
    ("logaddexp ints", lambda L, a, b: L.logaddexp(a, b), (I64, I64)),
    ("logaddexp2 number", lambda L, a: L.logaddexp2(a, 1.0), (F32,)),
    ("nextafter ints", lambda L, a, b: L.nextafter(a, b), (I64, I64)),
    ("fmax number", lambda L, a: L.fmax(a, 1.0), (F32,)),
    ("heaviside dtypes", lambda L, a, b: L.heaviside(a, b), (F32, I64)),
    ("heaviside number", lambda L, a: L.heaviside(a, 0.5), (F32,)),
    ("logical_and number", lambda L, a: L.logical_and(a, 1), (F32,)),
    ("bitwise_and floats", lambda L, a, b: L.bitwise_and(a, b), (F32, F32)),
    ("bitwise_not float", lambda L, a: L.bitwise_not(a), (F32,)),
    ("lerp ints", lambda L, a, b: L.lerp(a, b, 0.5), (I64, I64)),
    ("lerp dtypes", lambda L, a, b: L.lerp(a, b, 0.5), (F32, F32.astype(np.float64))),
    ("atan2_ int self", lambda L, a, b: a.atan2_(b), (I64, I64)),
    ("true_divide_ int self", lambda L, a, b: a.true_divide_(b), (I64, I64)),
    ("float_power_ float32 self", lambda L, a: a.float_power_(2), (F32,)),
    ("atan2_ broadcast out", lambda L, a, b: a.atan2_(b), (F32[:1], F32)),
    ("fmod shapes", lambda L, a, b: L.fmod(a, b), (F32, F32[:2])),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_bad_input_raises_torchs_error(case: tuple) -> None:
    name, fn, inputs = case
    t, m = errors_of_both(fn, inputs)
    if name != "fmod shapes":  # mlplab's broadcast message also names the operation and shapes
        assert str(m) == str(t)
    else:
        assert str(t).split(" (")[0] in str(m) or "must match" in str(m)


def test_mixed_float_widths_promote_as_torch() -> None:
    """float32 with float64 computes in float64, values and gradients as torch's. atan2 is compared
    at float32 tolerance: torch's backward squares the float32 operand in float32 (x * x before
    the promotion), mlplab in float64 after it."""
    a32, b64 = R(2, 3).astype(np.float32), R(3)
    f32_tol = {"rtol": 1e-6, "atol": 1e-7}
    cases = [(lambda L, a, b: L.atan2(a, b), f32_tol), (lambda L, a, b: L.logaddexp(a, b), None)]
    for f, tol in [*cases, (lambda L, a, b: L.fmin(a, b), None)]:
        res = []
        for L in (torch, mlplab):
            a, b = L.tensor(a32, requires_grad=True), L.tensor(b64, requires_grad=True)
            out = f(L, a, b)
            out.sum().backward()
            res.append((out, a.grad, b.grad))
        assert_close(res[1][0], res[0][0])
        for m, t in zip(res[1][1:], res[0][1:]):
            assert_close(m, t, "grad", tol)


def test_inplace_through_a_view_reaches_the_base_as_torch() -> None:
    a, w0 = R(2, 3), R(3)
    res = []
    for L in (torch, mlplab):
        w = L.tensor(w0, requires_grad=True)
        base = L.tensor(a)
        base[0].atan2_(w)
        base[1].lerp_(w, 0.25)
        (base * L.tensor(np.arange(6.0).reshape(2, 3))).sum().backward()
        res.append((base, w.grad, base.requires_grad))
    assert_close(res[1][0], res[0][0])
    assert_close(res[1][1], res[0][1])
    assert res[1][2] and res[0][2]
