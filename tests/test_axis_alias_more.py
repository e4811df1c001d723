"""NumPy's ``axis=`` for ``dim=`` on squeeze, unsqueeze, sort, argsort, topk, gather and
index_select: torch 2.13 accepts it there (its argument parser maps the alias), so programs written
with it must run unchanged."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab

X = np.random.default_rng(3).standard_normal((3, 1, 4)).astype(np.float32)
IDX = np.array([[[3, 0, 0]], [[1, 2, 1]], [[0, 0, 3]]])  # gather along 2 (repeats: the gradient adds)
SEL = np.array([2, 0, 2])

CALLS = {
    "squeeze": lambda L, x: L.squeeze(x, axis=1),
    "Tensor.squeeze": lambda L, x: x.squeeze(axis=1),
    "unsqueeze": lambda L, x: L.unsqueeze(x, axis=0),
    "Tensor.unsqueeze": lambda L, x: x.unsqueeze(axis=-1),
    "sort": lambda L, x: L.sort(x, axis=2).values,
    "Tensor.sort": lambda L, x: x.sort(axis=0, descending=True).values,
    "argsort": lambda L, x: L.argsort(x, axis=2),
    "Tensor.argsort": lambda L, x: x.argsort(axis=0),
    "topk": lambda L, x: L.topk(x, 2, axis=2).values,
    "Tensor.topk": lambda L, x: x.topk(2, axis=2, largest=False).values,
    "gather": lambda L, x: L.gather(x, axis=2, index=L.tensor(IDX)),
    "gather(input=)": lambda L, x: L.gather(input=x, axis=2, index=L.tensor(IDX), sparse_grad=False),
    "Tensor.gather": lambda L, x: x.gather(axis=0, index=L.tensor(IDX[:2] % 3)),
    "index_select": lambda L, x: L.index_select(x, axis=0, index=L.tensor(SEL)),
    "Tensor.index_select": lambda L, x: x.index_select(axis=-1, index=L.tensor(SEL)),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_axis_alias_gives_torchs_values_and_gradients(name: str) -> None:
    outs, grads = [], []
    for lib in (mlplab, torch):
        x = lib.tensor(X, requires_grad=True)
        y = CALLS[name](lib, x)
        outs.append(y.detach().numpy())
        if y.dtype == lib.float32:
            (y * y).sum().backward()
            grads.append(x.grad.numpy())
    np.testing.assert_array_equal(outs[0], outs[1])
    for g_ours, g_torch in zip(grads[:1], grads[1:]):
        np.testing.assert_allclose(g_ours, g_torch, rtol=1e-6)


@pytest.mark.parametrize("lib", [mlplab, torch], ids=["mlplab", "torch"])
def test_dim_and_axis_together_are_refused_and_unsqueeze_needs_one(lib) -> None:
    x = lib.tensor(X)
    with pytest.raises(TypeError):
        x.squeeze(1, axis=1)
    with pytest.raises(TypeError):
        x.sort(0, axis=1)
    with pytest.raises(TypeError):
        x.unsqueeze()


def _type_error(call, lib) -> str:
    x = lib.tensor(X)
    with pytest.raises(TypeError) as e:
        call(lib, x)
    return str(e.value)


GATHER_REFUSALS = [
    lambda L, x: x.gather(2, L.tensor(IDX), axis=2),  # both
    lambda L, x: L.gather(x, axis=2, index=L.tensor(IDX), dim=2),
    lambda L, x: x.gather(axis=2),  # no index
    lambda L, x: L.gather(x, 2),
    lambda L, x: x.gather(index=L.tensor(IDX)),  # no dim
    lambda L, x: x.index_select(0, L.tensor(SEL), axis=0),
    lambda L, x: L.index_select(x, axis=0),
    lambda L, x: x.index_select(0),
    lambda L, x: L.index_select(x, index=L.tensor(SEL)),
]


@pytest.mark.parametrize("k", range(len(GATHER_REFUSALS)))
def test_gather_and_index_select_refuse_both_or_neither_as_torch(k: int) -> None:
    """dim and axis together, or no dim / no index: torch 2.13's TypeError, its message word for word."""
    call = GATHER_REFUSALS[k]
    assert _type_error(call, mlplab) == _type_error(call, torch)
