"""nn.utils gradient clipping and F.one_hot against torch 2.13."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import mlplab
import mlplab.nn as nn
import mlplab.nn.functional as F


def _grads(seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (2, 2)]
    gs = [rng.normal(size=s).astype(np.float32) * 3 for s in shapes]
    mp = [nn.Parameter(mlplab.zeros(*s)) for s in shapes]
    tp = [torch.nn.Parameter(torch.zeros(*s)) for s in shapes]
    for m, t, g in zip(mp, tp, gs):
        m.grad = mlplab.tensor(g.copy())
        t.grad = torch.tensor(g.copy())
    return mp, tp


@pytest.mark.parametrize(
    "max_norm,norm_type", [(1.0, 2.0), (100.0, 2.0), (0.5, 1.0), (2.0, math.inf), (1.0, 3)]
)
def test_clip_grad_norm_matches_torch(max_norm, norm_type):
    mp, tp = _grads()
    tm = nn.utils.clip_grad_norm_(mp, max_norm, norm_type)
    tt = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type)
    assert tm.item() == pytest.approx(tt.item(), rel=1e-6)
    for m, t in zip(mp, tp):
        np.testing.assert_allclose(m.grad._data, t.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_clip_grad_value_and_vectors():
    mp, tp = _grads(1)
    nn.utils.clip_grad_value_(mp, 0.5)
    torch.nn.utils.clip_grad_value_(tp, 0.5)
    for m, t in zip(mp, tp):
        np.testing.assert_array_equal(m.grad._data, t.grad.numpy())
    v = nn.utils.parameters_to_vector(mp)
    assert v.shape == (12 + 4 + 4,)
    nn.utils.vector_to_parameters(mlplab.arange(20).float(), mp)
    assert mp[1].tolist() == [12.0, 13.0, 14.0, 15.0]
    with pytest.raises(RuntimeError, match="non-finite"):
        mp[0].grad._data[0, 0] = np.inf
        nn.utils.clip_grad_norm_(mp, 1.0, error_if_nonfinite=True)


def test_one_hot_matches_torch():
    y = np.array([[0, 2], [1, 3]])
    np.testing.assert_array_equal(
        F.one_hot(mlplab.tensor(y))._data, torch.nn.functional.one_hot(torch.tensor(y)).numpy()
    )
    np.testing.assert_array_equal(
        F.one_hot(mlplab.tensor([1, 0]), 4)._data,
        torch.nn.functional.one_hot(torch.tensor([1, 0]), 4).numpy(),
    )
    with pytest.raises(RuntimeError, match="smaller than num_classes=3"):
        F.one_hot(mlplab.tensor([3]), 3)
