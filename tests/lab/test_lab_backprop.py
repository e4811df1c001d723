"""``backprop``: the hand-worked 2-2-2 network equals autograd, central differences and Mazur's numbers."""

from __future__ import annotations

from mlplab.lab import run_experiment
from mlplab.lab.experiments import backprop


def test_every_claim_holds_and_the_figure_is_written(tmp_path):
    result = run_experiment("backprop", tmp_path, quick=True, seed=0)
    assert [c.text for c in result.claims if not c.passed] == []
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.figures)
    assert [r["weight"] for r in result.tables["chain-rule factors per weight"]] == [
        "w5",
        "w6",
        "w7",
        "w8",
        "w1",
        "w2",
        "w3",
        "w4",
    ]


def test_the_forward_pass_matches_the_published_outputs():
    hand = backprop.by_hand()
    assert abs(hand["out_h"][0] - 0.593269992) < 1e-9
    assert abs(hand["out_o"][0] - 0.75136507) < 1e-8
    assert abs(hand["out_o"][1] - 0.772928465) < 1e-9


def test_wrong_weights_fail_the_published_claim(tmp_path, monkeypatch):
    monkeypatch.setattr(backprop, "B2", 0.61)
    result = run_experiment("backprop", tmp_path, quick=True, seed=0)
    published = next(c for c in result.claims if "published" in c.text)
    assert not published.passed
