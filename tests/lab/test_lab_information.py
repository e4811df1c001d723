"""``information``: H(P,Q) = H(P) + KL(P||Q), KL >= 0 and asymmetric, the notes' CE example."""

from __future__ import annotations

from mlplab.lab import run_experiment
from mlplab.lab.experiments import information


def test_every_claim_holds_and_the_figure_is_written(tmp_path):
    result = run_experiment("information", tmp_path, quick=True, seed=0)
    assert [c.text for c in result.claims if not c.passed] == []
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.figures)
    bits = {r["example"]: r["H (bits)"] for r in result.tables["entropy and information in bits"]}
    assert bits["fair coin [1/2, 1/2]"] == 1.0 and bits["I(x) for P(x) = 1/8"] == 3.0


def test_same_seed_same_numbers(tmp_path):
    a = run_experiment("information", tmp_path / "a", quick=True, seed=4)
    b = run_experiment("information", tmp_path / "b", quick=True, seed=4)
    assert [c.measured for c in a.claims] == [c.measured for c in b.claims]


def test_a_symmetrised_kl_fails_the_asymmetry_claim(tmp_path, monkeypatch):
    functional = information.F
    real = functional.kl_divergence

    class SymmetricF:
        def __getattr__(self, name):
            return getattr(functional, name)

        @staticmethod
        def kl_divergence(p, q):
            return (real(p, q) + real(q, p)) / 2

    monkeypatch.setattr(information, "F", SymmetricF())
    result = run_experiment("information", tmp_path, quick=True, seed=0)
    failed = [c.text for c in result.claims if not c.passed]
    assert any("asymmetric" in t for t in failed)
