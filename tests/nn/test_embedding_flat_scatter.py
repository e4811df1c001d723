"""Embedding's backward scatters on the flattened weight (one 1-D ``np.add.at``): its gradient is
bit for bit the row-wise ``np.add.at(gw, i, g)`` it replaced, and matches torch 2.13, with repeated
indices, ``padding_idx``, ``scale_grad_by_freq``, int32 indices and a non-contiguous upstream
gradient."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab
import mlplab.nn.functional as F

TF = torch.nn.functional


def _row_wise_reference(idx, g, shape, padding_idx, scale):
    """The formula before the flat scatter: np.add.at over whole rows of a 2-D buffer."""
    v, d = shape
    idx = idx.reshape(-1)
    g = g.reshape(-1, d)
    if scale:
        counts = np.bincount(idx, minlength=v)
        g = g / counts[idx][:, None].astype(g.dtype)
    if padding_idx is not None:
        keep = idx != padding_idx
        idx, g = idx[keep], g[keep]
    gw = np.zeros(shape, dtype=g.dtype)
    np.add.at(gw, idx, g)
    return gw


CASES = [
    # (V, D, index shape, padding_idx, scale_grad_by_freq)
    (7, 5, (40,), None, False),
    (7, 5, (6, 9), 3, False),
    (7, 5, (6, 9), None, True),
    (7, 5, (2, 3, 8), 0, True),
    (50, 16, (300,), -1, True),  # a negative padding_idx counts from the end, as torch
    (3, 1, (25,), None, False),
]


@pytest.mark.parametrize("v,d,ishape,padding_idx,scale", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("itype", [np.int64, np.int32])
def test_embedding_gradient_is_the_row_wise_scatter_bit_for_bit_and_matches_torch(
    v, d, ishape, padding_idx, scale, dtype, itype
):
    rng = np.random.default_rng(v * 100 + d)
    w = rng.normal(size=(v, d)).astype(dtype)
    idx = rng.integers(0, v, size=ishape).astype(itype)  # many repeats: V is small
    up = rng.normal(size=(*ishape, d)).astype(dtype)

    wm = mlplab.tensor(w, requires_grad=True)
    F.embedding(mlplab.tensor(idx), wm, padding_idx=padding_idx, scale_grad_by_freq=scale).backward(
        mlplab.tensor(up)
    )
    pad = None if padding_idx is None else padding_idx % v
    expected = _row_wise_reference(idx, up, (v, d), pad, scale)
    got = wm.grad.numpy()
    assert got.dtype == expected.dtype
    assert got.tobytes() == expected.tobytes()

    wt = torch.tensor(w, requires_grad=True)
    TF.embedding(torch.tensor(idx), wt, padding_idx=padding_idx, scale_grad_by_freq=scale).backward(
        torch.tensor(up)
    )
    tol = dict(atol=1e-12, rtol=1e-12) if dtype == np.float64 else dict(atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(got, wt.grad.numpy(), **tol)
    if pad is not None:
        assert not got[pad].any()


def test_embedding_gradient_from_a_transposed_upstream_is_the_row_wise_scatter():
    rng = np.random.default_rng(3)
    v, d = 9, 4
    w = rng.normal(size=(v, d))
    idx = rng.integers(0, v, size=(5, 6))
    c = rng.normal(size=(6, 5, d))

    wm = mlplab.tensor(w, requires_grad=True)
    # the gradient reaching the embedding is (c * 1).transpose(0, 1): not C-contiguous
    (F.embedding(mlplab.tensor(idx), wm).transpose(0, 1) * mlplab.tensor(c)).sum().backward()
    expected = _row_wise_reference(idx, np.ascontiguousarray(c.transpose(1, 0, 2)), (v, d), None, False)
    assert wm.grad.numpy().tobytes() == expected.tobytes()

    wt = torch.tensor(w, requires_grad=True)
    (TF.embedding(torch.tensor(idx), wt).transpose(0, 1) * torch.tensor(c)).sum().backward()
    np.testing.assert_allclose(wm.grad.numpy(), wt.grad.numpy(), atol=1e-12, rtol=1e-12)
