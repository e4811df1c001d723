"""``dropout``: fraction zeroed ~ p, survivors scaled by 1/(1-p), identity in eval."""

from __future__ import annotations

import numpy as np

import mlplab.nn.dropout
from mlplab.lab import run_experiment


def test_every_claim_holds_and_the_figure_is_written(tmp_path):
    result = run_experiment("dropout", tmp_path, quick=True, seed=0)
    assert [c.text for c in result.claims if not c.passed] == []
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.figures)
    assert len(result.tables["the notes' example (p = 0.5)"]) == 3


def test_same_seed_same_numbers(tmp_path):
    a = run_experiment("dropout", tmp_path / "a", quick=True, seed=2)
    b = run_experiment("dropout", tmp_path / "b", quick=True, seed=2)
    assert [c.measured for c in a.claims] == [c.measured for c in b.claims]
    assert a.tables == b.tables


def test_dropout_without_the_rescaling_fails_the_scale_and_mean_claims(tmp_path, monkeypatch):
    real = mlplab.nn.dropout.dropout_mask

    def mask_only(shape, p, dtype, generator=None):
        return (real(shape, p, dtype, generator) != 0).astype(dtype)

    monkeypatch.setattr(mlplab.nn.dropout, "dropout_mask", mask_only)
    result = run_experiment("dropout", tmp_path, quick=True, seed=0)
    failed = {c.text for c in result.claims if not c.passed}
    assert any("survivor" in t for t in failed) and any("mean output" in t for t in failed)
    fraction = next(c for c in result.claims if c.text.startswith("max |zeroed fraction"))
    assert fraction.passed and np.isfinite(fraction.measured)
