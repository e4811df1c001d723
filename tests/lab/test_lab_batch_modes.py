"""``batch-modes``: 1 / 1000 / 10 updates per epoch; smaller batches, noisier curves."""

from __future__ import annotations

import pytest

from mlplab.lab import run_experiment
from mlplab.lab.experiments import batch_modes


@pytest.mark.slow
def test_every_claim_holds_and_the_figure_is_written(tmp_path):
    result = run_experiment("batch-modes", tmp_path, quick=True, seed=0)
    assert [c.text for c in result.claims if not c.passed] == []
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.figures)
    assert [r["updates per epoch"] for r in result.tables["modes"]] == [1, 1000, 10]


def test_one_epoch_of_batch_gd_is_one_update_on_the_mean_gradient():
    x, y, _ = batch_modes.make_data(0)
    per_update, per_epoch, _ = batch_modes.train_mode(1000, x, y, 2, seed=0)
    assert len(per_update) == 2 and len(per_epoch) == 2
    # the loss of the single update of epoch 2 is the full-data loss after epoch 1
    assert abs(per_update[1] - per_epoch[0]) < 1e-5 * per_epoch[0]


def test_noise_of_a_straight_line_is_zero():
    assert batch_modes.noise([5.0, 4.0, 3.0, 2.0, 1.0], 5) == 0.0
