"""``ema``: the notes' EMA values; bias correction fixes the zero-started first values."""

from __future__ import annotations

from mlplab.lab import run_experiment
from mlplab.lab.experiments import ema as ema_experiment


def test_every_claim_holds_and_the_figure_is_written(tmp_path):
    result = run_experiment("ema", tmp_path, quick=True, seed=0)
    assert [c.text for c in result.claims if not c.passed] == []
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.figures)


def test_same_seed_same_numbers_other_seed_other_noise(tmp_path):
    a = run_experiment("ema", tmp_path / "a", quick=True, seed=5)
    b = run_experiment("ema", tmp_path / "b", quick=True, seed=5)
    c = run_experiment("ema", tmp_path / "c", quick=True, seed=6)
    assert [x.measured for x in a.claims] == [x.measured for x in b.claims]
    assert [x.measured for x in a.claims] != [x.measured for x in c.claims]


def test_without_bias_correction_the_early_claim_fails(tmp_path, monkeypatch):
    real = ema_experiment.ema

    def no_correction(series, beta, bias_correction=False, zero_init=None):
        return real(series, beta, zero_init=True if bias_correction else zero_init)

    monkeypatch.setattr(ema_experiment, "ema", no_correction)
    result = run_experiment("ema", tmp_path, quick=True, seed=0)
    early = [c for c in result.claims if "early error" in c.text]
    assert len(early) == 2 and not any(c.passed for c in early)
