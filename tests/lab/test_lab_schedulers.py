"""``schedulers``: every registry schedule against its formula; decay settles digits training."""

from __future__ import annotations

import math

import pytest

from mlplab.lab import run_experiment
from mlplab.lab.experiments import schedulers
from mlplab.train import SCHEDULERS


@pytest.mark.slow
def test_every_claim_holds_and_every_registry_schedule_is_drawn(tmp_path):
    result = run_experiment("schedulers", tmp_path, quick=True, seed=0)
    assert [c.text for c in result.claims if not c.passed] == []
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.figures)
    assert [r["scheduler"] for r in result.tables["schedules"]] == SCHEDULERS.names()


def test_step_schedule_follows_the_notes_formula():
    at, lrs = schedulers.lr_curve("step", 25, 3)
    o = schedulers.options("step")
    for e, lr in zip(at, lrs):
        assert lr == pytest.approx(schedulers.LR0 * o["gamma"] ** math.floor(e / o["step_size"]))


def test_a_new_registry_schedule_is_drawn_without_touching_the_experiment(monkeypatch):
    from mlplab.optim import lr_scheduler

    def halve(optimizer, run):
        return lr_scheduler.LambdaLR(optimizer, lambda e: 0.5**e)

    SCHEDULERS.add("toy-halve", halve, "halve every epoch")
    try:
        names = [n for n in SCHEDULERS.names()]
        assert "toy-halve" in names
        at, lrs = schedulers.lr_curve("toy-halve", 4, 2)
        assert list(lrs) == pytest.approx([schedulers.LR0 * 0.5 ** math.floor(e) for e in at])
    finally:
        SCHEDULERS.remove("toy-halve")
