"""torch's sublist form of einsum, ``einsum(a, [0, 1], b, [1, 2], [0, 2])`` (integers in [0, 52) and
``...``), against PyTorch 2.13: values and gradients in float32 and float64, float64 gradcheck, and
torch's errors (type and message) for bad sublists and for the equations they spell."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab
from mlplab.autograd import gradcheck

E = Ellipsis
# name -> (shapes, the arguments after the operands are interleaved: sublists, then the output's)
CASES = {
    "matmul": ([(2, 3), (3, 4)], [[0, 1], [1, 2]], [0, 2]),
    "implicit_output": ([(2, 3), (3, 4)], [[0, 1], [1, 2]], None),
    "lower_case_range": ([(2, 3), (3, 4)], [[26, 51], [51, 30]], [30, 26]),
    "ellipsis_batch": ([(5, 2, 3), (5, 3, 4)], [[E, 0, 1], [E, 1, 2]], [E, 0, 2]),
    "ellipsis_broadcast": ([(5, 2, 3), (3, 4)], [[E, 0, 1], [1, 2]], [E, 2]),
    "ellipsis_implicit": ([(2, 5, 3), (3,)], [[0, E, 1], [1]], None),
    "three_operands": ([(2, 3), (3, 4), (4,)], [[0, 1], [1, 2], [2]], [0]),
    "trace_diag": ([(3, 3)], [[7, 7]], []),
    "outer_tuples": ([(3,), (4,)], [(0,), (1,)], (1, 0)),
    "numpy_ints": ([(2, 3), (3,)], [[np.int64(0), np.int32(1)], [1]], [np.int64(0)]),
}


def _args(lib, name, dtype):
    shapes, subs, out = CASES[name]
    rs = np.random.RandomState(sum(map(ord, name)))
    ts = [lib.tensor(rs.randn(*s).astype(dtype), requires_grad=True) for s in shapes]
    args = [x for t, s in zip(ts, subs) for x in (t, s)] + ([] if out is None else [out])
    return ts, args


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_sublist_values_and_gradients_match_torch(name, dtype):
    results = []
    for lib in (mlplab, torch):
        ts, args = _args(lib, name, dtype)
        y = lib.einsum(*args)
        v = lib.tensor(np.asarray(np.random.RandomState(2).randn(*y.shape), dtype))
        grads = lib.autograd.grad(y, ts, v)
        results.append([y.detach().numpy()] + [g.numpy() for g in grads])
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {"rtol": 1e-12, "atol": 1e-12}
    for a, b in zip(*results):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, **tol)


@pytest.mark.parametrize("name", sorted(CASES))
def test_sublist_gradcheck(name):
    ts, args = _args(mlplab, name, "float64")
    positions = [i for i, a in enumerate(args) if isinstance(a, mlplab.Tensor)]

    def f(*xs):
        full = list(args)
        for i, x in zip(positions, xs):
            full[i] = x
        return mlplab.einsum(*full)

    assert gradcheck(f, ts)


def _bad(lib):
    a = lib.tensor(np.arange(6.0).reshape(2, 3))
    b = lib.tensor(np.arange(12.0).reshape(3, 4))
    return {
        "subscript 52": lambda: lib.einsum(a, [0, 52], b, [52, 2]),
        "negative subscript": lambda: lib.einsum(a, [0, -1], b, [-1, 2]),
        "a letter": lambda: lib.einsum(a, ["i", "j"], b, [1, 2]),
        "a float": lambda: lib.einsum(a, [0, 1.0], b, [1, 2]),
        "out of range output": lambda: lib.einsum(a, [0, 1], b, [1, 2], [0, 60]),
        "too few subscripts": lambda: lib.einsum(a, [0], b, [0, 2]),
        "too many with ellipsis": lambda: lib.einsum(a, [E, 0, 1, 2], b, [1, 2]),
        "output not in inputs": lambda: lib.einsum(a, [0, 1], b, [1, 2], [0, 3]),
        "output repeated": lambda: lib.einsum(a, [0, 1], b, [1, 2], [0, 0]),
        "sizes do not broadcast": lambda: lib.einsum(a, [0, 1], b, [0, 2]),
        "repeated with other sizes": lambda: lib.einsum(a, [True, 1], b, [1, 2]),
        "not a list": lambda: lib.einsum(a, 0, b, [0, 2]),
        "a tensor as the output sublist": lambda: lib.einsum(a, [0, 1], b),
        "one operand alone": lambda: lib.einsum(a),
        "nothing": lambda: lib.einsum(),
        "equation alone": lambda: lib.einsum("ij"),
        # the same checks in the equation form
        "too few operands": lambda: lib.einsum("ij,jk", a),
        "too many operands": lambda: lib.einsum("ij", a, b),
        "invalid character": lambda: lib.einsum("i1,jk", a, b),
        "invalid output character": lambda: lib.einsum("ij,jk->i1", a, b),
        "stray dot": lambda: lib.einsum("i.j,jk", a, b),
        "two ellipses": lambda: lib.einsum("i...j...,jk", a, b),
        "two ellipses in the output": lambda: lib.einsum("ij,jk->....", a, b),
        "a lone dash": lambda: lib.einsum("ij,jk-ik", a, b),
        "two arrows": lambda: lib.einsum("ij,jk->ik->", a, b),
        "comma in the output": lambda: lib.einsum("ij,jk->ik,", a, b),
        "diagonal of a non-square": lambda: lib.einsum("ii", a),
    }


@pytest.mark.parametrize("case", sorted(_bad(mlplab)))
def test_bad_sublists_and_equations_raise_torchs_error(case):
    caught = []
    for lib in (mlplab, torch):
        with pytest.raises(Exception) as info:
            _bad(lib)[case]()
        caught.append((type(info.value), str(info.value)))
    assert caught[0] == caught[1]


@pytest.mark.parametrize("n", [0, 3])
def test_bool_of_a_tensor_not_of_one_element_is_torchs_error(n):
    for lib in (mlplab, torch):
        with pytest.raises(RuntimeError) as info:
            bool(lib.ones(n))
        assert (
            str(info.value)
            == f"Boolean value of Tensor with {'no values' if n == 0 else 'more than one value'} is ambiguous"
        )


def test_a_checked_equation_is_checked_again_for_other_shapes():
    """Passing checks are cached by (equation, shapes): the same equation with shapes that do not
    fit still raises, every time."""
    a, b = mlplab.ones(2, 3), mlplab.ones(3, 4)
    assert mlplab.einsum(a, [0, 1], b, [1, 2], [0, 2]).shape == (2, 4)
    for _ in range(2):
        with pytest.raises(RuntimeError, match="^einsum\\(\\): subscript B has size 4 for operand 1"):
            mlplab.einsum(a, [0, 1], mlplab.ones(4, 4), [1, 2], [0, 2])
