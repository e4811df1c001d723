"""The benchmark suite's statistics (``benchmarks/verdict.py``): the interval of a median that judges
"no worse at two threads". The suite itself is not part of the tests (it times things)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: ``benchmarks``

from benchmarks.verdict import median_interval  # noqa: E402


@pytest.mark.parametrize(
    ("n", "lo_rank", "coverage"),
    [
        # the ranks of the order-statistic 95% interval of a median, and its exact coverage
        # 1 - 2 P(Binomial(n, 1/2) < k), worked out by hand from the binomial sums:
        (5, 1, 1 - 2 / 32),  # too few values for 95%: the full range
        (6, 1, 1 - 2 / 64),
        (11, 2, 1 - 2 * 12 / 2048),  # P(B <= 1) = 12/2048; with k = 3, 1 - 2 * 67/2048 < 0.95
        (15, 4, 1 - 2 * 576 / 32768),  # P(B <= 3) = (1 + 15 + 105 + 455)/2^15
    ],
)
def test_median_interval_takes_the_ranks_of_the_binomial_tables(n, lo_rank, coverage):
    values = [float(v) for v in range(100, 100 - n, -1)]  # distinct, unsorted (descending)
    lo, hi, cover = median_interval(values)
    assert (lo, hi) == (float(100 - n + lo_rank), float(100 - lo_rank + 1))
    assert cover == pytest.approx(coverage, rel=1e-12)


def test_median_interval_of_one_value_and_of_none():
    assert median_interval([3.0]) == (3.0, 3.0, 0.0)
    with pytest.raises(ValueError, match="at least one value"):
        median_interval([])


def test_a_quick_run_says_its_verdicts_are_pointers():
    """--quick measures smaller workloads in fewer rounds than the bounds are stated for: the
    must-holds table says so above itself (and only then)."""
    from benchmarks import verdict

    results = {
        "digits": {
            "threads": {"1": {"ratios": {"mlplab/floor": 0.9, "mlplab/torch": 0.15}}},
            "peak_rss_mib": {},
            "title": "digits",
        }
    }
    quick = verdict.table(results, None, [1], quick=True)
    full = verdict.table(results, None, [1])
    assert quick.startswith("(--quick:") and "judge by a full run" in quick
    assert not full.startswith("(") and "--quick" not in full
    assert quick.endswith(full)
