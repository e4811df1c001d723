"""LBFGS against torch.optim.LBFGS: a quadratic and the 10-8-3 MLP, with and without strong Wolfe."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from optim_helpers import Pair

import mlplab
import mlplab.optim as optim

LINE_SEARCH = [None, "strong_wolfe"]


def _quadratic(n: int = 6, seed: int = 3):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(n, n))
    A = M @ M.T + 0.5 * np.eye(n)  # symmetric positive definite, condition number ~100
    b = rng.normal(size=(n, 1))
    w0 = rng.normal(size=(n, 1))
    return A, b, w0


def _quad_closures(A, b, w0, dtype, opt_kwargs):
    wm = mlplab.tensor(w0.astype(dtype), requires_grad=True)
    wt = torch.tensor(w0.astype(dtype), requires_grad=True)
    Am, bm = mlplab.tensor(A.astype(dtype)), mlplab.tensor(b.astype(dtype))
    At, bt = torch.tensor(A.astype(dtype)), torch.tensor(b.astype(dtype))
    om = optim.LBFGS([wm], **opt_kwargs)
    ot = torch.optim.LBFGS([wt], **opt_kwargs)

    def cm():  # f(w) = 1/2 w'Aw - b'w
        om.zero_grad()
        loss = 0.5 * (wm * (Am @ wm)).sum() - (bm * wm).sum()
        loss.backward()
        return loss

    def ct():
        ot.zero_grad()
        loss = 0.5 * (wt * (At @ wt)).sum() - (bt * wt).sum()
        loss.backward()
        return loss

    return wm, wt, om, ot, cm, ct


@pytest.mark.parametrize("line_search_fn", LINE_SEARCH)
def test_quadratic_matches_torch_and_finds_minimum(line_search_fn):
    A, b, w0 = _quadratic()
    kw = {"lr": 1, "max_iter": 4, "history_size": 3, "line_search_fn": line_search_fn}
    wm, wt, om, ot, cm, ct = _quad_closures(A, b, w0, np.float64, kw)
    for _ in range(6):
        lm = om.step(cm)
        lt = ot.step(ct)
        assert float(lm) == pytest.approx(float(lt.detach()), rel=1e-10, abs=1e-12)
        np.testing.assert_allclose(wm._data, wt.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert om.state[wm]["func_evals"] == ot.state[wt]["func_evals"]
    assert om.state[wm]["n_iter"] == ot.state[wt]["n_iter"]
    # enough iterations reach the minimiser A^-1 b
    kw2 = {**kw, "max_iter": 50, "history_size": 10, "tolerance_change": 1e-14}
    wm2, _, om2, _, cm2, _ = _quad_closures(A, b, w0, np.float64, kw2)
    om2.step(cm2)
    np.testing.assert_allclose(wm2._data, np.linalg.solve(A, b), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("line_search_fn", LINE_SEARCH)
def test_quadratic_float32_matches_torch(line_search_fn):
    A, b, w0 = _quadratic()
    kw = {"max_iter": 5, "history_size": 4, "line_search_fn": line_search_fn}
    wm, wt, om, ot, cm, ct = _quad_closures(A, b, w0, np.float32, kw)
    for _ in range(3):
        om.step(cm)
        ot.step(ct)
        assert wm._data.dtype == np.float32
        np.testing.assert_allclose(wm._data, wt.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("line_search_fn", LINE_SEARCH)
def test_mlp_matches_torch_with_state_dict_round_trip(line_search_fn):
    """25 L-BFGS iterations on the MLP (5 steps of 5), reloading the state after the third step.

    (lr=0.1 without a line search: with lr >= 0.5 plain L-BFGS diverges on this net, and a diverging
    run multiplies float64 rounding differences -- e.g. numpy's vs torch's dot products -- without bound.)
    """
    pair = Pair(np.float64)
    kw = {"lr": 0.1 if line_search_fn is None else 1, "max_iter": 5, "history_size": 5}
    kw["line_search_fn"] = line_search_fn
    om = optim.LBFGS(pair.m, **kw)
    ot = torch.optim.LBFGS(pair.t, **kw)
    for step in range(5):
        lm = om.step(pair.closure_m(om))
        lt = ot.step(pair.closure_t(ot))
        assert float(lm) == pytest.approx(float(lt.detach()), rel=1e-10)
        pair.assert_close(1e-10, 1e-12, f"after step {step + 1}")
        if step == 2:
            sd = om.state_dict()
            assert set(sd["state"][0]) >= {"d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad"}
            om = optim.LBFGS(pair.m, **kw)
            om.load_state_dict(sd)
    assert om.state[pair.m[0]]["func_evals"] == ot.state[pair.t[0]]["func_evals"]
    assert float(lm) < float(Pair(np.float64).backward_t())


def test_lbfgs_bad_input():
    w = mlplab.tensor([1.0], requires_grad=True)
    v = mlplab.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optim.LBFGS([{"params": [w]}, {"params": [v]}])
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.LBFGS([w], lr=-1)
    with pytest.raises(ValueError, match="strong_wolfe"):
        optim.LBFGS([w], line_search_fn="armijo")
    with pytest.raises(RuntimeError, match="closure"):
        optim.LBFGS([w]).step(None)
