"""``numerical-vs-backprop``: same gradients (float64); numerical cost grows with P."""

from __future__ import annotations

import pytest

from mlplab.lab import run_experiment
from mlplab.lab.experiments import numerical_vs_backprop as nvb


@pytest.mark.slow
def test_every_claim_holds_and_the_figure_is_written(tmp_path):
    result = run_experiment("numerical-vs-backprop", tmp_path, quick=True, seed=0)
    assert [c.text for c in result.claims if not c.passed] == []
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.figures)


def test_the_notes_loop_agrees_with_backprop_on_a_tiny_net():
    rel, p = nvb.agreement(2, seed=0)
    assert p == 64 * 2 + 2 + 2 * 10 + 10
    assert rel < 1e-6


def test_slope_of_a_power_law():
    import numpy as np

    p = np.array([10.0, 100.0, 1000.0])
    assert nvb.slope(p, 3 * p**2) == pytest.approx(2.0)
