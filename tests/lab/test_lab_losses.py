"""``losses``: SmoothL1's pieces and continuous derivative; outliers pull the MSE fit furthest."""

from __future__ import annotations

import numpy as np

from mlplab.lab import run_experiment
from mlplab.lab.experiments import losses


def test_every_claim_holds_and_the_figure_is_written(tmp_path):
    result = run_experiment("losses", tmp_path, quick=True, seed=0)
    assert [c.text for c in result.claims if not c.passed] == []
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.figures)


def test_same_seed_same_numbers(tmp_path):
    a = run_experiment("losses", tmp_path / "a", quick=True, seed=1)
    b = run_experiment("losses", tmp_path / "b", quick=True, seed=1)
    assert [c.measured for c in a.claims] == [c.measured for c in b.claims]


def test_derivatives_by_hand():
    _, grad = losses.loss_and_derivative("SmoothL1", np.array([-2.0, 0.5, 3.0]))
    assert grad.tolist() == [-1.0, 0.5, 1.0]
    _, grad = losses.loss_and_derivative("MSE", np.array([-2.0, 0.5]))
    assert grad.tolist() == [-4.0, 1.0]


def test_without_outliers_mse_is_no_longer_pulled_furthest(tmp_path, monkeypatch):
    real = losses.outlier_data

    def clean(n, seed):
        x, y, outlier = real(n, seed)
        y[outlier] -= 15.0
        return x, y, outlier

    monkeypatch.setattr(losses, "outlier_data", clean)
    result = run_experiment("losses", tmp_path, quick=True, seed=0)
    pulled = next(c for c in result.claims if c.text.startswith("distance of the MSE fit"))
    assert not pulled.passed
