"""``activations``: sigmoid' bounds; a high learning rate kills ReLU units, not LeakyReLU/PReLU."""

from __future__ import annotations

import numpy as np

from mlplab.lab import run_experiment
from mlplab.lab.experiments import activations


def test_every_claim_holds_and_the_figure_is_written(tmp_path):
    result = run_experiment("activations", tmp_path, quick=True, seed=0)
    assert [c.text for c in result.claims if not c.passed] == []
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.figures)


def test_derivatives_against_the_formulas():
    x = np.linspace(-4, 4, 81)
    s, ds = activations.curve("sigmoid", x)
    assert np.allclose(ds, s * (1 - s), atol=1e-12)
    t, dt = activations.curve("tanh", x)
    assert np.allclose(dt, 1 - t**2, atol=1e-12)
