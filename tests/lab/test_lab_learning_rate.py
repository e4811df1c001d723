"""``learning-rate``: 2/L on a quadratic; too small crawls, too large fails; the range test."""

from __future__ import annotations

import numpy as np
import pytest

from mlplab.lab import run_experiment
from mlplab.lab.experiments import learning_rate


@pytest.mark.slow
def test_every_claim_holds_and_the_figure_is_written(tmp_path):
    result = run_experiment("learning-rate", tmp_path, quick=True, seed=0)
    assert [c.text for c in result.claims if not c.passed] == []
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.figures)


def test_gradient_descent_multiplies_each_coordinate_by_1_minus_lr_l():
    path = learning_rate.quadratic_path(0.15, 5)
    assert np.allclose(path[:, 0], (1 - 0.15 * 1) ** np.arange(6))
    assert np.allclose(path[:, 1], (1 - 0.15 * 10) ** np.arange(6))


def test_the_stability_limit_moves_with_the_curvature(monkeypatch):
    # break the mechanism: with L = 5 the limit found is 2/5, so "found / 0.2" leaves [0.99, 1]
    assert 0.199 <= learning_rate.largest_stable(100) < 0.2
    monkeypatch.setattr(learning_rate, "CURVATURE", (1.0, 5.0))
    assert 0.399 <= learning_rate.largest_stable(100) < 0.4


@pytest.mark.slow
def test_same_seed_same_tables_claims_and_figure_bytes(tmp_path):
    a = run_experiment("learning-rate", tmp_path / "a", quick=True, seed=3)
    b = run_experiment("learning-rate", tmp_path / "b", quick=True, seed=3)
    assert a.tables == b.tables
    assert [c.measured for c in a.claims] == [c.measured for c in b.claims]
    assert [p.read_bytes() for p in a.figures] == [p.read_bytes() for p in b.figures]
