"""Issue 14's must-holds, checked against one run of the suite (``python -m benchmarks`` prints this
table last; it asserts nothing and fails nothing: it reads the numbers the run measured).

Each limit is a median ratio from that run against the issue's bound. "At two threads, each ratio no
worse than at one" is judged on the thread effect: per round, (ratio at 2) / (ratio at 1), and its
median over the rounds. Where threads cannot change a ratio (the small nets, whose products are too
small for OpenBLAS to thread), that median is as often just above 1 as just below: so beside it the
table gives a distribution-free confidence interval of the median (order statistics of the per-round
quotients: the interval [x_(k), x_(n+1-k)] covers the median with probability
1 - 2 P(Binomial(n, 1/2) < k), k chosen largest with that at least 95%). The verdict says "holds" when
the median is at most 1, "within noise" when it is above 1 but the interval reaches down to 1 (no
measurable loss), and "fails" when the whole interval is above 1.
"""

from __future__ import annotations

import math
from typing import Any

#: machine epsilon of float64, for the numerical-gradient agreement bound
EPS64 = 2.0**-52


def median_interval(values: list[float], level: float = 0.95) -> tuple[float, float, float]:
    """``(lo, hi, coverage)``: the order-statistic interval of the median of ``values`` and the
    probability it covers the true median, P = 1 - 2 P(Binomial(n, 1/2) < k) for the interval
    [x_(k), x_(n+1-k)] (1-based), with k the largest giving P >= ``level``; with too few values for
    ``level`` (n <= 5 at 95%), the full range and its coverage 1 - 2^(1-n)."""
    xs = sorted(values)
    n = len(xs)
    if n == 0:
        raise ValueError("median_interval: expected at least one value, got none")
    k = 1
    below = 1 / 2**n  # P(Binomial(n, 1/2) < k)
    while k + 1 <= (n + 1) // 2:
        nxt = below + math.comb(n, k) / 2**n  # P(Binomial(n, 1/2) < k + 1)
        if 1 - 2 * nxt < level:
            break
        below, k = nxt, k + 1
    return xs[k - 1], xs[n - k], 1 - 2 * below


def effect_rows(
    results: dict[str, Any], threads: list[int]
) -> list[tuple[str, str, float, tuple[float, float, float], str]]:
    """(workload title, ratio, median thread effect, (interval lo, hi, coverage), verdict) for every
    paired ratio, at ``threads[1]`` against ``threads[0]``."""
    rows = []
    base, other = str(threads[0]), str(threads[1])
    for r in results.values():
        at_1, at_2 = r["threads"][base]["ratio_runs"], r["threads"][other]["ratio_runs"]
        for name in at_1:
            median = r["thread_effect"][other][name]
            interval = median_interval([a / b for a, b in zip(at_2[name], at_1[name])])
            verdict = "holds" if median <= 1 else ("within noise" if interval[0] <= 1 else "fails")
            rows.append((r["title"], name, median, interval, verdict))
    return rows


def _limit(label: str, value: float | None, bound: float, fmt: str = ".3f", below: bool = True) -> str:
    if value is None:
        return f"| {label} | not measured in this run | {bound:{fmt}} | - |"
    ok = value <= bound if below else value >= bound
    sign = "<=" if below else ">="
    return f"| {label} | {value:{fmt}} | {sign} {bound:{fmt}} | {'holds' if ok else 'fails'} |"


def table(
    results: dict[str, Any], process: dict[str, Any] | None, threads: list[int], quick: bool = False
) -> str:
    """The must-holds of issue 14 this run measured, each with its value, bound and verdict
    (``quick``: a ``--quick`` run, whose smaller workloads and 3-15 rounds are not what the bounds
    are stated for; the table says so above itself)."""

    def ratio(key: str, name: str) -> float | None:
        r = results.get(key)
        return None if r is None else r["threads"][str(threads[0])]["ratios"].get(name)

    one = "" if threads[0] == 1 else f" (at {threads[0]} threads)"
    lines = [
        _limit(f"digits mlplab / floor{one}", ratio("digits", "mlplab/floor"), 1.05),
        _limit(f"digits mlplab / torch{one}", ratio("digits", "mlplab/torch"), 0.2),
        _limit(f"batch-1 SGD mlplab / floor{one}", ratio("batch1", "mlplab/floor"), 1.3),
        _limit(f"784-256-256-10 mlplab / floor{one}", ratio("mid", "mlplab/floor"), 1.0),
        _limit(f"784-256-256-10 mlplab / torch{one}", ratio("mid", "mlplab/torch"), 0.6),
        _limit(
            f"784-256-256-10 mlplab / torch Adam(fused=True){one}", ratio("mid", "mlplab/torch_fused"), 1.0
        ),
        _limit(f"784-2048-2048-10 mlplab / floor{one}", ratio("gemm", "mlplab/floor"), 1.05),
    ]
    speedup = ratio("numgrad", "mlplab/floor")
    lines.append(
        _limit(
            f"numerical gradients: speed-up over the per-parameter loop{one}",
            None if speedup is None else 1 / speedup,
            20.0,
            ".1f",
            below=False,
        )
    )
    numgrad = results.get("numgrad", {})
    if "numgrad_max_abs_diff" in numgrad:
        loss = numgrad["numgrad_loss"]
        bound = 64 * EPS64 * max(abs(loss), 1.0) / 1e-4  # the tests' bound: eps |L| / h, 64 times
        lines.append(
            _limit(
                f"numerical gradients: max |mlplab - loop| (L = {loss:.3f}, h = 1e-4)",
                numgrad["numgrad_max_abs_diff"],
                bound,
                ".2e",
            )
        )
    for r in results.values():
        rss = r["peak_rss_mib"]
        if rss.get("mlplab") and rss.get("floor"):
            mine, floor = rss["mlplab"]["maxrss_mib"], rss["floor"]["maxrss_mib"]
            lines.append(_limit(f"peak RSS mlplab / floor, {r['title']}", mine / floor, 1.10))
    if process is not None:
        rows = process["rows"]
        for name, bound in (("mlplab train --epochs 20", 2.0), ("import mlplab", 0.3)):
            if name in rows:
                lines.append(_limit(f"{name}, wall seconds (median)", rows[name]["wall_median_s"], bound))
    head = "| must hold | measured | bound | verdict |\n|---|---:|---:|---|\n"
    if quick:
        head = (
            "(--quick: smaller workloads and fewer rounds than the bounds are stated for (the full "
            "workloads, median of >= 5 rounds); the 784-wide nets' ratios and peak RSS move most, so "
            "read a verdict here as a pointer and judge by a full run)\n\n" + head
        )
    text = head + "\n".join(lines) + "\n"
    text += "(every optimiser's step against PyTorch's: `python -m benchmarks optim`, not part of this run)\n"
    if len(threads) > 1:
        text += (
            f"\nat {threads[1]} threads, each ratio no worse than at {threads[0]}: the thread effect, "
            f"median of the per-round quotients (ratio at {threads[1]}) / (ratio at {threads[0]}), with its "
            "order-statistic interval (benchmarks/verdict.py)\n\n"
            "| workload | ratio | effect (median) | interval | coverage | verdict |\n"
            "|---|---|---:|---|---:|---|\n"
        )
        for title, name, median, (lo, hi, cover), verdict in effect_rows(results, threads):
            text += f"| {title} | {name} | {median:.3f} | [{lo:.3f}, {hi:.3f}] | {cover:.3f} | {verdict} |\n"
    return text
