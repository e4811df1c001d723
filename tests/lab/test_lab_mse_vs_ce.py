"""``mse-vs-ce``: MSE after softmax is flat where the classifier is badly wrong; CE is not."""

from __future__ import annotations

import numpy as np

from mlplab.lab import run_experiment
from mlplab.lab.experiments import mse_vs_ce


def test_every_claim_holds_and_the_figure_is_written(tmp_path):
    result = run_experiment("mse-vs-ce", tmp_path, quick=True, seed=0)
    assert [c.text for c in result.claims if not c.passed] == []
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.figures)


def test_gradients_against_the_formulas():
    z = (-1.0, 2.0)
    logits = np.array([z[0], z[1], 0.0])
    p = np.exp(logits) / np.exp(logits).sum()
    y = np.array([1.0, 0.0, 0.0])
    assert np.allclose(mse_vs_ce.gradient(1, z), (p - y)[:2], atol=1e-12)
    jac = np.diag(p) - np.outer(p, p)
    assert np.allclose(mse_vs_ce.gradient(0, z), (2 / 3 * jac @ (p - y))[:2], atol=1e-12)


def test_from_a_mildly_wrong_start_mse_sgd_no_longer_stalls(tmp_path, monkeypatch):
    # the stall is a property of the saturated corner, not of MSE everywhere
    monkeypatch.setattr(mse_vs_ce, "BAD_START", (-1.0, 1.0))
    result = run_experiment("mse-vs-ce", tmp_path, quick=True, seed=0)
    stall = next(c for c in result.claims if c.text.startswith("MSE + SGD"))
    assert not stall.passed
