"""nn.utils.clip_grad_norm_ (every norm type, float32 and float64, non-finite gradients),
get_total_norm, clip_grads_with_norm_, clip_grad_value_ and the deprecated clip_grad_norm against
torch 2.13."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import mlplab
import mlplab.nn as nn

SHAPES = [(3, 4), (4,), (2, 2)]


def _grads(seed=0, scale=3.0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s) * scale for s in SHAPES]


def _params(gs, dtype):
    mp, tp = [], []
    for g in gs:
        m = nn.Parameter(mlplab.zeros(*g.shape, dtype=getattr(mlplab, dtype)))
        m.grad = mlplab.tensor(g.astype(dtype))
        t = torch.nn.Parameter(torch.zeros(g.shape, dtype=getattr(torch, dtype)))
        t.grad = torch.tensor(g.astype(dtype))
        mp.append(m)
        tp.append(t)
    return mp, tp


def _check_grads(mp, tp, rtol):
    for m, t in zip(mp, tp):
        np.testing.assert_allclose(m.grad._data, t.grad.numpy(), rtol=rtol, atol=0)


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.0, 0.5, math.inf, -math.inf, 0, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1000.0])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype):
    mp, tp = _params(_grads(), dtype)
    nm = nn.utils.clip_grad_norm_(mp, max_norm, norm_type)
    nt = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type)
    rtol = 1e-6 if dtype == "float32" else 1e-13
    assert str(nm.dtype) == str(nt.dtype).replace("torch", "mlplab")
    assert nm.shape == nt.shape == ()
    np.testing.assert_allclose(nm.item(), nt.item(), rtol=rtol)
    _check_grads(mp, tp, rtol)


def test_clip_grad_norm_single_tensor_generator_and_no_grads():
    mp, tp = _params(_grads(1), "float32")
    nm = nn.utils.clip_grad_norm_(mp[0], 1.0)
    nt = torch.nn.utils.clip_grad_norm_(tp[0], 1.0)
    np.testing.assert_allclose(nm.item(), nt.item(), rtol=1e-6)
    _check_grads(mp[:1], tp[:1], 1e-6)
    nm = nn.utils.clip_grad_norm_((p for p in mp), 0.1, foreach=True)
    nt = torch.nn.utils.clip_grad_norm_((p for p in tp), 0.1)
    np.testing.assert_allclose(nm.item(), nt.item(), rtol=1e-6)
    _check_grads(mp, tp, 1e-6)
    none = nn.utils.clip_grad_norm_([nn.Parameter(mlplab.ones(2))], 1.0)
    assert (
        none.item() == torch.nn.utils.clip_grad_norm_([torch.nn.Parameter(torch.ones(2))], 1.0).item() == 0.0
    )
    assert none.dtype == mlplab.float32
    with pytest.warns(UserWarning, match="empty generator"):
        nn.utils.clip_grad_norm_((p for p in []), 1.0)


def test_clip_grad_norm_mixed_dtypes_gives_the_wider():
    m1 = nn.Parameter(mlplab.zeros(2))
    m1.grad = mlplab.tensor([3.0, 4.0])
    m2 = nn.Parameter(mlplab.zeros(1, dtype=mlplab.float64))
    m2.grad = mlplab.tensor([12.0], dtype=mlplab.float64)
    t1, t2 = torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    t1.grad, t2.grad = torch.tensor([3.0, 4.0]), torch.tensor([12.0], dtype=torch.float64)
    nm, nt = nn.utils.clip_grad_norm_([m1, m2], 1.0), torch.nn.utils.clip_grad_norm_([t1, t2], 1.0)
    assert nm.item() == nt.item() == 13.0
    assert nm.dtype == mlplab.float64 and nt.dtype == torch.float64
    _check_grads([m1, m2], [t1, t2], 1e-6)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nonfinite_gradients(bad):
    gs = _grads(2)
    gs[0][1, 1] = bad
    mp, tp = _params(gs, "float32")
    nm, nt = nn.utils.clip_grad_norm_(mp, 1.0), torch.nn.utils.clip_grad_norm_(tp, 1.0)
    assert math.isnan(nm.item()) == math.isnan(nt.item()) and math.isinf(nm.item()) == math.isinf(nt.item())
    for m, t in zip(mp, tp):  # torch scales by the non-finite norm too: NaN or 0 * inf
        np.testing.assert_array_equal(np.isnan(m.grad._data), np.isnan(t.grad.numpy()))
    mp, tp = _params(gs, "float32")
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        nn.utils.clip_grad_norm_(mp, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        torch.nn.utils.clip_grad_norm_(tp, 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(mp[1].grad._data, gs[1].astype(np.float32))  # untouched


def test_get_total_norm_and_clip_grads_with_norm():
    mp, tp = _params(_grads(3), "float64")
    tm = nn.utils.get_total_norm([p.grad for p in mp], 3.0)
    tt = torch.nn.utils.get_total_norm([p.grad for p in tp], 3.0)
    np.testing.assert_allclose(tm.item(), tt.item(), rtol=1e-13)
    nn.utils.clip_grads_with_norm_(mp, 2.0, tm)
    torch.nn.utils.clip_grads_with_norm_(tp, 2.0, tt)
    _check_grads(mp, tp, 1e-13)


def test_deprecated_clip_grad_norm_warns():
    mp, tp = _params(_grads(4), "float32")
    with pytest.warns(FutureWarning, match="deprecated"):
        nm = nn.utils.clip_grad_norm(mp, 1.0)
    with pytest.warns(FutureWarning, match="deprecated"):
        nt = torch.nn.utils.clip_grad_norm(tp, 1.0)
    np.testing.assert_allclose(nm.item(), nt.item(), rtol=1e-6)


@pytest.mark.parametrize("clip", [0.5, 2.0, 0.0])
def test_clip_grad_value_matches_torch(clip):
    mp, tp = _params(_grads(5), "float32")
    assert nn.utils.clip_grad_value_(mp, clip, foreach=False) is None
    torch.nn.utils.clip_grad_value_(tp, clip)
    _check_grads(mp, tp, 0)
    mp, tp = _params(_grads(5), "float64")
    nn.utils.clip_grad_value_(mp[1], clip)
    torch.nn.utils.clip_grad_value_(tp[1], clip)
    _check_grads(mp, tp, 0)


def test_parameters_to_vector_round_trip_matches_torch():
    mp, tp = _params(_grads(6), "float32")
    for m, t, g in zip(mp, tp, _grads(7)):
        m._data[...] = g
        t.data.copy_(torch.tensor(g.astype(np.float32)))
    vm, vt = nn.utils.parameters_to_vector(mp), torch.nn.utils.parameters_to_vector(tp)
    np.testing.assert_array_equal(vm._data, vt.detach().numpy())
    new = np.arange(vm.shape[0], dtype=np.float32)
    nn.utils.vector_to_parameters(mlplab.tensor(new), mp)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), tp)
    for m, t in zip(mp, tp):
        np.testing.assert_array_equal(m._data, t.detach().numpy())
