"""F.pairwise_distance, F.cosine_similarity, F.normalize and F.pad (constant mode) against torch
2.13: values and gradients (several shapes, norms, dims, broadcasting), gradcheck, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from nn_helpers import check_grad, parity

import mlplab
import mlplab.nn.functional as F

TF = torch.nn.functional


def _r(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


PAIRS = [((5, 4), (5, 4)), ((3, 4), (4,)), ((2, 3, 4), (1, 3, 4)), ((4,), (4,))]


@pytest.mark.parametrize("s1,s2", PAIRS)
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, np.inf])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance_matches_torch(s1, s2, p, keepdim):
    arrays = [_r(s1), _r(s2, 1)]
    fm = lambda a, b: F.pairwise_distance(a, b, p=p, keepdim=keepdim)  # noqa: E731
    ft = lambda a, b: TF.pairwise_distance(a, b, p=p, keepdim=keepdim)  # noqa: E731
    parity(fm, ft, arrays, atol=1e-12, rtol=1e-10)
    parity(fm, ft, [a.astype(np.float32) for a in arrays])


def test_pairwise_distance_gradcheck_and_equal_inputs():
    check_grad(lambda a, b: F.pairwise_distance(a, b), [_r((3, 4)), _r((3, 4), 1)])
    check_grad(lambda a, b: F.pairwise_distance(a, b, p=3), [_r((3, 4)), _r((4,), 1)])
    x = _r((2, 3))
    parity(
        lambda a, b: F.pairwise_distance(a, b),
        lambda a, b: TF.pairwise_distance(a, b),
        [x, x.copy()],
        atol=1e-12,
    )
    parity(
        lambda a, b: F.pairwise_distance(a, b, eps=0.0),
        lambda a, b: TF.pairwise_distance(a, b, eps=0.0),
        [x, x.copy()],
        atol=1e-12,
    )


@pytest.mark.parametrize(
    "s1,s2,dim",
    [
        ((5, 4), (5, 4), 1),
        ((5, 4), (5, 4), 0),
        ((3, 4), (4,), -1),
        ((2, 3, 4), (2, 1, 4), 2),
        ((4,), (4,), 0),
    ],
)
def test_cosine_similarity_matches_torch(s1, s2, dim):
    arrays = [_r(s1), _r(s2, 1)]
    fm = lambda a, b: F.cosine_similarity(a, b, dim=dim)  # noqa: E731
    ft = lambda a, b: TF.cosine_similarity(a, b, dim=dim)  # noqa: E731
    parity(fm, ft, arrays, atol=1e-12, rtol=1e-10)
    parity(fm, ft, [a.astype(np.float32) for a in arrays])
    check_grad(fm, arrays)


def test_cosine_similarity_near_zero_vectors_as_torch():
    """The eps clamp is outside the graph in torch: a tiny vector's gradient is not the clamp's."""
    a = _r((3, 4))
    a[0] = 1e-10
    a[1] = 0.0
    parity(
        lambda x, y: F.cosine_similarity(x, y),
        lambda x, y: TF.cosine_similarity(x, y),
        [a, _r((3, 4), 1)],
        rtol=1e-9,
    )


@pytest.mark.parametrize("shape,dim", [((5, 4), 1), ((5, 4), 0), ((2, 3, 4), -1), ((4,), 0)])
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, np.inf])
def test_normalize_matches_torch(shape, dim, p):
    x = _r(shape)
    fm = lambda a: F.normalize(a, p=p, dim=dim)  # noqa: E731
    ft = lambda a: TF.normalize(a, p=p, dim=dim)  # noqa: E731
    parity(fm, ft, [x], atol=1e-12, rtol=1e-10)
    parity(fm, ft, [x.astype(np.float32)])
    if np.isfinite(p):
        check_grad(fm, [x])


def test_normalize_zero_rows_and_default_dim_error():
    x = _r((3, 4))
    x[1] = 0.0
    parity(lambda a: F.normalize(a), lambda a: TF.normalize(a), [x], atol=1e-12)
    with pytest.raises(
        IndexError, match=r"Dimension out of range \(expected to be in range of \[-1, 0\], but got 1\)"
    ):
        F.normalize(mlplab.ones(3))
    with pytest.raises(IndexError, match=r"Dimension out of range"):
        TF.normalize(torch.ones(3))


@pytest.mark.parametrize(
    "shape,pad,value",
    [
        ((3, 4), (1, 2), None),
        ((3, 4), (0, 1, 2, 0), 1.5),
        ((2, 3, 4), (1, 1), -2.0),
        ((2, 3, 4), (-1, 2, 1, -1), None),
        ((5,), (2, 0), 3.0),
        ((3, 4), (-1, -2), None),
    ],
)
def test_pad_matches_torch(shape, pad, value):
    x = _r(shape)
    fm = lambda a: F.pad(a, pad, value=value)  # noqa: E731
    ft = lambda a: TF.pad(a, pad, value=value)  # noqa: E731
    parity(fm, ft, [x], atol=0, rtol=0)
    parity(fm, ft, [x.astype(np.float32)], atol=0, rtol=0)
    check_grad(fm, [x])


def test_pad_integer_and_errors():
    y = np.array([[1, 2], [3, 4]])
    np.testing.assert_array_equal(
        F.pad(mlplab.tensor(y), (1, 1), value=2.7)._data, TF.pad(torch.tensor(y), (1, 1), value=2.7).numpy()
    )
    for pad, msg in [
        ((1,), "Padding length must be divisible by 2"),
        (
            (1, 1, 1, 1, 1, 1),
            "Padding length should be less than or equal to two times the input dimension "
            "but got padding length 6 and input of dimension 2",
        ),
    ]:
        with pytest.raises(RuntimeError, match=msg):
            F.pad(mlplab.ones(2, 3), pad)
        with pytest.raises(RuntimeError, match=msg):
            TF.pad(torch.ones(2, 3), pad)
    with pytest.raises(RuntimeError, match="negative output size"):
        F.pad(mlplab.ones(2, 3), (-2, -2))
    with pytest.raises(NotImplementedError, match="only mode='constant'"):
        F.pad(mlplab.ones(2, 3), (1, 1), mode="reflect")


def test_integer_operand_takes_the_float_dtype_as_torch():
    a, b = np.arange(6).reshape(2, 3), _r((2, 3)).astype(np.float32)
    om = F.pairwise_distance(mlplab.tensor(a), mlplab.tensor(b))
    ot = TF.pairwise_distance(torch.tensor(a), torch.tensor(b))
    assert om.dtype == mlplab.float32 and ot.dtype == torch.float32
    np.testing.assert_allclose(om._data, ot.numpy(), rtol=1e-6)
    om = F.cosine_similarity(mlplab.tensor(b), mlplab.tensor(a))
    np.testing.assert_allclose(
        om._data, TF.cosine_similarity(torch.tensor(b), torch.tensor(a)).numpy(), rtol=1e-6
    )


def test_broadcast_errors_are_torchs():
    msg = r"The size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1"
    with pytest.raises(RuntimeError, match=msg):
        F.cosine_similarity(mlplab.ones(2, 3), mlplab.ones(2, 4))
    with pytest.raises(RuntimeError, match=msg):
        TF.cosine_similarity(torch.ones(2, 3), torch.ones(2, 4))
