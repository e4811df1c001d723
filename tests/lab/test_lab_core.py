"""The lab's contract: claims, results, the experiment registry."""

from __future__ import annotations

import json
import math

import pytest

from mlplab.errors import UserError
from mlplab.lab import EXPERIMENTS, Claim, LabResult, experiment, format_result, run_experiment


@pytest.mark.parametrize(
    ("measured", "relation", "threshold", "passed"),
    [
        (1.0, "<", 2.0, True),
        (2.0, "<", 2.0, False),
        (2.0, "<=", 2.0, True),
        (3.0, ">", 2.0, True),
        (2.0, ">=", 2.0, True),
        (1.9, ">=", 2.0, False),
        (1.5, "in", (1.0, 2.0), True),
        (2.5, "in", (1.0, 2.0), False),
        (math.nan, "<", 2.0, False),
        (math.nan, ">", 2.0, False),
        (math.nan, "in", (-math.inf, math.inf), False),
    ],
)
def test_claim_compares_measurement_with_threshold(measured, relation, threshold, passed):
    assert Claim("c", measured, relation, threshold).passed is passed


def test_claim_refuses_an_unknown_relation_or_a_bad_interval():
    with pytest.raises(ValueError, match="relation must be one of"):
        Claim("c", 1.0, "==", 1.0)
    with pytest.raises(ValueError, match=r"'in' needs a \(low, high\)"):
        Claim("c", 1.0, "in", 1.0)


def test_result_fails_when_one_claim_fails_and_table_says_so():
    result = LabResult("x", claims=[Claim("holds", 1.0, "<", 2.0), Claim("breaks", 3.0, "<", 2.0)])
    assert not result.passed
    table = format_result(result)
    assert "holds" in table and "PASS" in table
    assert table.splitlines()[2].endswith("FAIL")


def test_a_toy_experiment_registers_runs_and_writes_its_result(tmp_path):
    """docs/architecture.md, "how to add a lab experiment", done with a toy entry."""

    @experiment("toy-square", section="none", claim="2 squared is 4")
    def run(out_dir, quick, seed):
        return LabResult("toy-square", claims=[Claim("2**2", 2.0**2, "in", (4.0, 4.0))])

    try:
        assert "toy-square" in EXPERIMENTS
        assert EXPERIMENTS.get("toy-square").section == "none"
        result = run_experiment("toy-square", tmp_path / "out", quick=True, seed=0)
        assert result.passed
        saved = json.loads((tmp_path / "out" / "result.json").read_text())
        assert saved["claims"][0]["measured"] == 4.0 and saved["passed"] is True
    finally:
        EXPERIMENTS.remove("toy-square")


def test_unknown_experiment_lists_the_valid_ones(tmp_path):
    with pytest.raises(UserError, match="unknown experiment 'nope'.*numdiff"):
        run_experiment("nope", tmp_path)


def test_an_experiment_must_return_a_lab_result(tmp_path):
    @experiment("toy-bad", section="none", claim="returns nothing")
    def run(out_dir, quick, seed):
        return None

    try:
        with pytest.raises(TypeError, match="must return a LabResult"):
            run_experiment("toy-bad", tmp_path)
    finally:
        EXPERIMENTS.remove("toy-bad")
