"""``inplace.add_``/``lerp_`` round every element once, wherever it sits in the array: bitwise PyTorch's
``add_(alpha=)`` and ``lerp_`` at every length (BLAS axpy alone rounds a block-sized tail twice)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlplab.optim.inplace import BLAS_PIECE, add_, lerp_

SIZES = [*range(1, 70), 95, 96, 97, 127, 129, 1000, BLAS_PIECE - 1, BLAS_PIECE + 33, 3 * BLAS_PIECE + 17]


def _pair(rng, n, dtype):
    x = rng.normal(size=n) * 10.0 ** rng.uniform(-8, 8, size=n)
    y = rng.normal(size=n) * 10.0 ** rng.uniform(-8, 8, size=n)
    return x.astype(dtype), y.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_add_is_bitwise_torch_add_at_every_length(dtype, torch_one_thread):
    rng = np.random.default_rng(0)
    for n in SIZES:
        for alpha in (0.1, -1e-3, 0.9999999, 3.0):
            x, y = _pair(rng, n, dtype)
            expected = torch.tensor(y).add_(torch.tensor(x), alpha=alpha).numpy()
            got = add_(y.copy(), x, alpha, np.empty_like(y))
            np.testing.assert_array_equal(got.view(np.uint8), expected.view(np.uint8), err_msg=f"n={n}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_add_keeps_special_values_as_torch(dtype):
    x = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, 1e-45, 3e38, -3e38, 1.0, -0.0], dtype=dtype)
    y = np.array([1.0, -np.inf, 2.0, -0.0, -0.0, -1e-45, 3e38, 3e38, np.inf, 0.0], dtype=dtype)
    for alpha in (0.5, -2.0, 1e-30):
        expected = torch.tensor(y).add_(torch.tensor(x), alpha=alpha).numpy()
        np.testing.assert_array_equal(add_(y.copy(), x, alpha, np.empty_like(y)), expected)
        assert np.array_equal(np.signbit(add_(y.copy(), x, alpha, np.empty_like(y))), np.signbit(expected))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_lerp_is_bitwise_torch_lerp_at_every_length(dtype):
    rng = np.random.default_rng(1)
    for n in SIZES[:80]:
        for weight in (0.1, 0.001, 0.5, 0.9):
            b, a = _pair(rng, n, dtype)
            expected = torch.tensor(a).lerp_(torch.tensor(b), weight).numpy()
            got = lerp_(a.copy(), b, weight, np.empty_like(a), np.empty_like(a))
            np.testing.assert_array_equal(got.view(np.uint8), expected.view(np.uint8), err_msg=f"n={n}")
