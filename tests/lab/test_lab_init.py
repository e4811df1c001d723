"""``init``: symmetric inits keep units identical; Xavier/Kaiming keep the spread; 0.01 vanishes."""

from __future__ import annotations

import numpy as np
import pytest

from mlplab.lab import run_experiment
from mlplab.lab.experiments import init as init_experiment


@pytest.mark.slow
def test_every_claim_holds_and_the_figures_are_written(tmp_path):
    result = run_experiment("init", tmp_path, quick=True, seed=0)
    assert [c.text for c in result.claims if not c.passed] == []
    assert len(result.figures) == 2
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.figures)


def test_kaiming_relu_layer_variance_matches_the_formula():
    # Var(z) = n_in Var(w) E[h^2]; Kaiming's Var(w) = 2 / n_in keeps E[relu(z)^2] = Var(z) / 2 ~ 1
    outs, _, _ = init_experiment.activations_and_grads("Kaiming", "relu", seed=1)
    mean_square = [float(np.mean(o**2)) for o in outs]
    assert all(0.6 < m < 1.6 for m in mean_square), mean_square


def test_xavier_replaced_by_a_tiny_normal_loses_the_spread(monkeypatch):
    # break the mechanism: "Xavier" weights 100x too small no longer keep tanh's spread
    from mlplab import nn

    monkeypatch.setitem(init_experiment.INITS, "Xavier", lambda w, act: nn.init.normal_(w, 0.0, 0.001))
    outs, _, _ = init_experiment.activations_and_grads("Xavier", "tanh", seed=0)
    assert init_experiment.spread(outs)[-1] / init_experiment.spread(outs)[0] < 0.3  # the claim's low end
