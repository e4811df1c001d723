"""``optimizers``: momentum leaves the saddle, AdaGrad's step only shrinks, L-BFGS is fast."""

from __future__ import annotations

from mlplab.lab import run_experiment
from mlplab.lab.experiments import optimizers


def test_every_claim_holds_and_the_figure_is_written(tmp_path):
    result = run_experiment("optimizers", tmp_path, quick=True, seed=0)
    assert [c.text for c in result.claims if not c.passed] == []
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.figures)
    assert len(result.tables["steps to tolerance"]) == 3 * len(optimizers.SETTINGS)


def test_sgd_on_the_saddle_grows_y_by_1_plus_2lr_per_step():
    path, _, _ = optimizers.descend("sgd", "saddle", 10, lr=0.01)
    # near the ridge the y-gradient is -2y + 2y^3 ~ -2y: y_t ~ 1e-3 * 1.02^t
    assert abs(path[10, 1] / 1e-3 - 1.02**10) < 1e-4


def test_momentum_zero_no_longer_leaves_the_saddle(tmp_path, monkeypatch):
    monkeypatch.setattr(optimizers, "MOMENTUM", 0.0)
    result = run_experiment("optimizers", tmp_path, quick=True, seed=0)
    escape = next(c for c in result.claims if "with momentum" in c.text)
    assert not escape.passed and escape.measured < 0.1
