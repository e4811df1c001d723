"""0-d tensors hold 0-d arrays, never NumPy scalars: in-place methods on 0-d results act as in torch.

NumPy returns a scalar (np.float32) from a ufunc or reduction whose result is 0-d; a tensor wrapping
one silently ignored ``zero_()``/``fill_()`` and raised on ``add_``/``mul_``/``copy_``/``normal_``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch

import mlplab
from mlplab.utils.data import TensorDataset

# Every way to get a 0-d tensor that once held a NumPy scalar: (name, build from (lib, t, u)),
# where t and u are 1-d float tensors of three elements.
ZERO_DIM_PATHS: list[tuple[str, Callable]] = [
    ("sum + sum", lambda L, t, u: t.sum() + u.sum()),
    ("sum - sum", lambda L, t, u: t.sum() - u.sum()),
    ("sum * sum", lambda L, t, u: t.sum() * u.sum()),
    ("sum / sum", lambda L, t, u: t.sum() / u.sum()),
    ("sum + 1", lambda L, t, u: t.sum() + 1),
    ("2 * mean", lambda L, t, u: 2 * t.mean()),
    ("1 - sum", lambda L, t, u: 1 - t.sum()),
    ("1 / sum", lambda L, t, u: 1 / t.sum()),
    ("sum ** 2", lambda L, t, u: t.sum() ** 2),
    ("-sum", lambda L, t, u: -t.sum()),
    ("exp(sum)", lambda L, t, u: t.sum().exp()),
    ("tanh(sum)", lambda L, t, u: t.sum().tanh()),
    ("abs(sum)", lambda L, t, u: t.sum().abs()),
    ("relu(sum)", lambda L, t, u: t.sum().relu()),
    ("clamp(sum)", lambda L, t, u: t.sum().clamp(-1, 1)),
    ("maximum(sum, sum)", lambda L, t, u: L.maximum(t.sum(), u.sum())),
    ("sign(sum)", lambda L, t, u: t.sum().sign()),
    ("floor(sum)", lambda L, t, u: t.sum().floor()),
    ("t @ u", lambda L, t, u: t @ u),
    ("t[0]", lambda L, t, u: t[0]),
    ("t[1] * u[2]", lambda L, t, u: t[1] * u[2]),
    ("max()", lambda L, t, u: t.max()),
    ("var()", lambda L, t, u: t.var()),
    ("norm()", lambda L, t, u: t.norm()),
    ("sum.double()", lambda L, t, u: t.sum().double()),
]

# In-place methods and what they do, applied alike to the mlplab and the torch result.
INPLACE: list[tuple[str, Callable]] = [
    ("zero_", lambda L, s: s.zero_()),
    ("fill_", lambda L, s: s.fill_(2.5)),
    ("add_", lambda L, s: s.add_(1.5)),
    ("add_ alpha", lambda L, s: s.add_(L.tensor(2.0, dtype=s.dtype), alpha=3)),
    ("sub_", lambda L, s: s.sub_(0.25)),
    ("mul_", lambda L, s: s.mul_(3)),
    ("div_", lambda L, s: s.div_(4)),
    ("+=", lambda L, s: s.__iadd__(1)),
    ("*=", lambda L, s: s.__imul__(2)),
    ("copy_", lambda L, s: s.copy_(L.tensor(7.0))),
    ("clamp_", lambda L, s: s.clamp_(0, 0.5)),
    ("masked_fill_", lambda L, s: s.masked_fill_(L.tensor(True), -1.0)),
    ("addcmul_", lambda L, s: s.addcmul_(L.tensor(2.0, dtype=s.dtype), L.tensor(3.0, dtype=s.dtype))),
]


def _pair() -> tuple:
    a = np.array([0.5, -1.25, 2.0], dtype=np.float32)
    b = np.array([1.5, 0.75, -0.5], dtype=np.float32)
    return (mlplab.tensor(a), mlplab.tensor(b)), (torch.tensor(a), torch.tensor(b))


@pytest.mark.parametrize("path", ZERO_DIM_PATHS, ids=[p[0] for p in ZERO_DIM_PATHS])
def test_zero_dim_results_hold_an_ndarray(path: tuple) -> None:
    (t, u), _ = _pair()
    r = path[1](mlplab, t, u)
    assert type(r._data) is np.ndarray and r._data.shape == ()


@pytest.mark.parametrize("path", ZERO_DIM_PATHS, ids=[p[0] for p in ZERO_DIM_PATHS])
@pytest.mark.parametrize("inplace", INPLACE, ids=[p[0] for p in INPLACE])
def test_inplace_on_zero_dim_result_matches_torch(path: tuple, inplace: tuple) -> None:
    (t, u), (tt, tu) = _pair()
    m = path[1](mlplab, t, u)
    ref = path[1](torch, tt, tu)
    back_m = inplace[1](mlplab, m)
    back_t = inplace[1](torch, ref)
    assert back_m is m and back_t is ref  # in-place methods return self
    assert m.dtype.name == str(ref.dtype).split(".")[1]
    np.testing.assert_allclose(m.numpy(), ref.numpy(), rtol=1e-6)


def test_issue_example_total_zero_() -> None:
    t, u = mlplab.ones(3), mlplab.ones(2)
    total = t.sum() + u.sum()
    total.zero_()
    assert total.item() == 0.0


@pytest.mark.parametrize("fill", ["normal_", "uniform_", "bernoulli_"])
def test_random_fills_on_zero_dim_result(fill: str) -> None:
    (t, u), _ = _pair()
    s = t.sum() * u.sum()
    before = s.item()
    getattr(s, fill)()
    assert type(s._data) is np.ndarray and s.item() != before


def test_zero_dim_leaf_gradient_is_an_ndarray_and_matches_torch() -> None:
    x = mlplab.tensor(0.3, requires_grad=True)
    xt = torch.tensor(0.3, requires_grad=True)
    for lib, v in ((mlplab, x), (torch, xt)):
        (v.tanh() * 2 + v.exp()).backward()
        del lib
    assert type(x.grad._data) is np.ndarray
    x.grad.mul_(2)
    xt.grad.mul_(2)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-6)


def test_retained_zero_dim_gradient_is_an_ndarray() -> None:
    x = mlplab.tensor([1.0, 2.0], requires_grad=True)
    s = x.sum()
    s.retain_grad()
    y = s * s + s
    y.backward()
    assert type(s.grad._data) is np.ndarray and s.grad.item() == 7.0


def test_dataset_item_of_1d_tensor_is_zero_dim_array() -> None:
    ds = TensorDataset(mlplab.arange(5), mlplab.tensor([0.0, 1, 2, 3, 4]))
    a, b = ds[2]
    assert type(a._data) is np.ndarray and type(b._data) is np.ndarray
    b.add_(1)
    assert b.item() == 3.0
