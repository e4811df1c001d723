"""``numdiff``: truncation slopes 1 and 2, rounding for tiny h, the best step near theory."""

from __future__ import annotations

import numpy as np

from mlplab.lab import run_experiment
from mlplab.lab.experiments import numdiff


def test_every_claim_holds_and_the_figure_is_written(tmp_path):
    result = run_experiment("numdiff", tmp_path, quick=True, seed=0)
    assert [c.text for c in result.claims if not c.passed] == []
    assert len(result.claims) == 4
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.figures)


def test_same_seed_same_numbers(tmp_path):
    a = run_experiment("numdiff", tmp_path / "a", quick=True, seed=3)
    b = run_experiment("numdiff", tmp_path / "b", quick=True, seed=3)
    assert [c.measured for c in a.claims] == [c.measured for c in b.claims]


def test_the_exact_derivative_used_as_reference_is_right():
    # an independent check of f' (central difference at a safe h, and sympy-free algebra)
    x = 0.7
    approx = (numdiff.f(x + 1e-6) - numdiff.f(x - 1e-6)) / 2e-6
    assert abs(numdiff.f_prime(x) - approx) < 1e-8
    third = (numdiff.f_prime(x + 1e-4) - 2 * numdiff.f_prime(x) + numdiff.f_prime(x - 1e-4)) / 1e-8
    assert abs(numdiff.f_third(x) - third) < 1e-4


def test_a_broken_difference_fails_the_slope_claim(tmp_path, monkeypatch):
    # if the "central" difference were really one-sided, its error would fall like h, not h^2
    monkeypatch.setattr(numdiff, "derivative", lambda f, x, h: (f(x + h) - f(x)) / h)
    result = run_experiment("numdiff", tmp_path, quick=True, seed=0)
    slope = next(c for c in result.claims if c.text.startswith("central-difference error ~ h^2"))
    assert not slope.passed
    assert np.isclose(slope.measured, 1.0, atol=0.2)
