"""Shared harness of the double-backward tests (tests/test_double_backward_ops.py and
tests/test_double_backward_losses.py): a case is ``f(lib, *tensors)`` with its input shapes, run
in mlplab and in PyTorch 2.13; helpers for the cases that need one."""

from __future__ import annotations

import numpy as np
import torch

import mlplab

TOL = {"rtol": 1e-10, "atol": 1e-12}


def pos(*shape):
    """Input drawn in [0.5, 2]."""
    return ("pos", shape)


def unit(*shape):
    """Input drawn in [0.1, 0.9] (probabilities)."""
    return ("unit", shape)


def arrays(cases: dict, name: str) -> list[np.ndarray]:
    """The case's inputs, seeded by its name."""
    rs = np.random.RandomState(sum(map(ord, name)))
    out = []
    for s in cases[name][1]:
        if isinstance(s, tuple) and s and s[0] == "pos":
            out.append(rs.uniform(0.5, 2.0, s[1]))
        elif isinstance(s, tuple) and s and s[0] == "unit":
            out.append(rs.uniform(0.1, 0.9, s[1]))
        else:
            out.append(rs.randn(*s))
    return out


def second(lib, cases: dict, name: str):
    """(out, v^T dy/dx per input, d/dx of sum(u * first) per input) for one case, in ``lib``."""
    f = cases[name][0]
    xs = [lib.tensor(a, requires_grad=True) for a in arrays(cases, name)]
    out = f(lib, *xs)
    rs = np.random.RandomState(1)
    v = lib.tensor(rs.randn(*out.shape))
    gs = lib.autograd.grad(out, xs, v, create_graph=True)
    s = sum((g * lib.tensor(rs.randn(*g.shape))).sum() for g in gs)
    if not s.requires_grad:
        return out, gs, None
    hs = lib.autograd.grad(s, xs, allow_unused=True, materialize_grads=True)
    return out, gs, hs


def assert_matches_torch(cases: dict, name: str) -> None:
    """Output, first and second derivatives of mlplab equal PyTorch's (TOL)."""
    out_t, gs_t, hs_t = second(torch, cases, name)
    out_m, gs_m, hs_m = second(mlplab, cases, name)
    np.testing.assert_allclose(out_m.detach().numpy(), out_t.detach().numpy(), **TOL)
    for a, b in zip(gs_m, gs_t):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), **TOL)
    assert (hs_m is None) == (hs_t is None)
    for a, b in zip(hs_m or (), hs_t or ()):  # force: torch's all-zero second derivative is a ZeroTensor
        np.testing.assert_allclose(a.numpy(), b.numpy(force=True), **TOL)


def third_order(lib, f, x):
    """d/dx f(x) as a recorded tensor: its double backward is f's third derivative."""
    with lib.enable_grad():  # gradcheck's finite differences run without grad mode
        (g,) = lib.autograd.grad(f(x).sum(), x, create_graph=True)
    return g
