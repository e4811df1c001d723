"""``weight-decay-vs-l2``: same steps under SGD and Adam's coupled decay; AdamW differs."""

from __future__ import annotations

from mlplab.lab import run_experiment
from mlplab.lab.experiments import weight_decay_vs_l2 as wd


def test_every_claim_holds_and_the_figure_is_written(tmp_path):
    result = run_experiment("weight-decay-vs-l2", tmp_path, quick=True, seed=0)
    assert [c.text for c in result.claims if not c.passed] == []
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.figures)


def test_same_seed_same_numbers(tmp_path):
    a = run_experiment("weight-decay-vs-l2", tmp_path / "a", quick=True, seed=3)
    b = run_experiment("weight-decay-vs-l2", tmp_path / "b", quick=True, seed=3)
    assert [c.measured for c in a.claims] == [c.measured for c in b.claims]


def test_a_penalty_without_the_half_no_longer_matches_weight_decay(tmp_path, monkeypatch):
    # lambda * ||w||^2 (no 1/2) adds 2 lambda w to the gradient: twice the decay
    real = wd.optim.l2_penalty
    monkeypatch.setattr(wd.optim, "l2_penalty", lambda params: 2 * real(params))
    result = run_experiment("weight-decay-vs-l2", tmp_path, quick=True, seed=0)
    sgd = next(c for c in result.claims if c.text.startswith("SGD: max"))
    assert not sgd.passed
