"""``regularization``: each method narrows the gap of an overfitting net; L1 makes weights ~0."""

from __future__ import annotations

import numpy as np
import pytest

from mlplab.lab import run_experiment
from mlplab.lab.experiments import regularization


@pytest.mark.slow
def test_every_claim_holds_and_the_figure_is_written(tmp_path):
    result = run_experiment("regularization", tmp_path, quick=True, seed=0)
    assert [c.text for c in result.claims if not c.passed] == []
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.figures)
    assert [r["method"] for r in result.tables["methods"]] == list(regularization.METHODS)


def test_noisy_labels_change_a_quarter_and_never_keep_the_label():
    y = np.arange(1000) % 10
    noisy = regularization.noisy_labels(y, 0)
    changed = noisy != y
    assert 0.2 < changed.mean() < 0.3
    assert noisy.min() >= 0 and noisy.max() <= 9


@pytest.mark.slow
def test_without_the_penalty_l1_no_longer_narrows_the_gap(tmp_path, monkeypatch):
    # break the mechanism: L1 with lambda 0 is the unregularised run, so its claim fails
    monkeypatch.setattr(regularization, "L1", 0.0)
    monkeypatch.setattr(regularization, "METHODS", ("none", "L1", "L2"))
    result = run_experiment("regularization", tmp_path, quick=True, seed=0)
    l1 = next(c for c in result.claims if c.text.startswith("L1: gap"))
    sparse = next(c for c in result.claims if "L1 / L2" in c.text)
    assert not l1.passed and not sparse.passed
