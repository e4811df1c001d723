"""Second derivatives of the binary elementwise ops (ops/binary.py and the compositions of
_tensor/binary.py): gradgradcheck by finite differences, and against torch 2.13."""

from __future__ import annotations

import pytest
from dbl_harness import arrays, assert_matches_torch, pos

import mlplab
from mlplab.autograd import gradcheck, gradgradcheck

# name -> (f(lib, *tensors), input shapes)
CASES = {
    "atan2": (lambda L, a, b: L.atan2(a, b), ((3, 4), (4,))),
    "hypot": (lambda L, a, b: L.hypot(a, b), (pos(3, 4), (3, 1))),
    "copysign": (lambda L, a, b: L.copysign(a, b) * a, ((3, 4), (3, 4))),
    "fmod": (lambda L, a, b: L.fmod(a, b) * a, ((3, 4), pos(4))),
    "remainder": (lambda L, a, b: L.remainder(a, b) * b, ((3, 4), pos(4))),
    "logaddexp": (lambda L, a, b: L.logaddexp(a, b), ((3, 4), (4,))),
    "logaddexp2": (lambda L, a, b: L.logaddexp2(a, b), ((3, 4), (3, 4))),
    "xlogy": (lambda L, a, b: L.xlogy(a, b), ((3, 4), pos(3, 4))),
    "nextafter": (lambda L, a, b: L.nextafter(a, b) * a, ((3, 4), (3, 4))),
    "fmax": (lambda L, a, b: L.fmax(a, b) ** 2, ((3, 4), (4,))),
    "fmin": (lambda L, a, b: L.fmin(a, b) * b, ((3, 4), (3, 4))),
    "lerp": (lambda L, a, b, w: L.lerp(a, b, w) ** 2, ((3, 4), (3, 4), (4,))),
    "float_power": (lambda L, a, b: L.float_power(a, b), (pos(3, 4), (4,))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradgradcheck(name: str) -> None:
    f = CASES[name][0]
    xs = [mlplab.tensor(a, requires_grad=True) for a in arrays(CASES, name)]
    assert gradcheck(lambda *t: f(mlplab, *t), xs)
    assert gradgradcheck(lambda *t: f(mlplab, *t), xs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_second_derivatives_match_torch(name: str) -> None:
    assert_matches_torch(CASES, name)
