"""``descent``: the notes' 15-row gradient-descent table, reproduced exactly."""

from __future__ import annotations

from mlplab.lab import run_experiment
from mlplab.lab.experiments import descent


def test_every_claim_holds_and_the_figure_is_written(tmp_path):
    result = run_experiment("descent", tmp_path, quick=True, seed=0)
    assert [c.text for c in result.claims if not c.passed] == []
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.figures)
    rows = result.tables["the notes' 15 steps"]
    assert len(rows) == 15 and all(r["match"] for r in rows)


def test_the_first_row_by_hand():
    # w <- w - 0.1 * 2w = 0.8 w: (2, 3) -> (1.6, 2.4), loss 1.6^2 + 2.4^2 + 5 = 13.32
    w1, w2, loss = descent.descend(epochs=1)[0]
    assert abs(w1 - 1.6) < 1e-15 and abs(w2 - 2.4) < 1e-15 and abs(loss - 13.32) < 1e-12


def test_a_different_learning_rate_no_longer_reproduces_the_table(tmp_path, monkeypatch):
    monkeypatch.setattr(descent, "LR", 0.11)
    result = run_experiment("descent", tmp_path, quick=True, seed=0)
    table = next(c for c in result.claims if c.text.startswith("rows of the notes' table"))
    assert not table.passed and table.measured == 15
