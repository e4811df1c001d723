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


def test_the_dead_unit_count_is_reproducible():
    data = activations.digits()
    a = activations.dead_fraction("relu", activations.HIGH_LR, 3, data)
    b = activations.dead_fraction("relu", activations.HIGH_LR, 3, data)
    assert a == b


def test_a_zero_slope_leaky_relu_dies_like_relu(tmp_path, monkeypatch):
    # LeakyReLU keeps its units alive only through its negative slope: with slope 0 it is a ReLU
    from mlplab import nn
    from mlplab.train import REGISTRIES

    entry = REGISTRIES["activation"].get("leaky_relu")
    monkeypatch.setattr(entry, "factory", lambda: nn.LeakyReLU(0.0))
    result = run_experiment("activations", tmp_path, quick=True, seed=0)
    alive = next(c for c in result.claims if c.text.startswith("dead LeakyReLU"))
    assert not alive.passed
