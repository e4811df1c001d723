"""The lab's contract: an experiment is a function ``run(out_dir, quick, seed) -> LabResult``.

A :class:`LabResult` carries what the experiment produced: figures (PNG paths), tables (rows of
numbers) and :class:`Claim` s. A claim is the notes' sentence turned into a comparison computed in
the run: ``measured  relation  threshold`` (``relation`` one of ``<``, ``<=``, ``>``, ``>=``, or
``in`` with a closed interval ``(low, high)`` as threshold); it passes when the comparison holds,
and a NaN measurement never passes. An experiment is found by
name in :data:`EXPERIMENTS`, a :class:`~mlplab.registry.Registry` whose entries carry the notes'
section and the claim in words as properties.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..registry import Registry

__all__ = ["EXPERIMENTS", "Claim", "LabResult", "experiment", "format_result", "run_experiment"]

_RELATIONS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Claim:
    """One checked statement: ``measured relation threshold``, e.g. ``0.25 <= 0.25`` for
    "sigmoid' never exceeds 1/4", or ``1.99 in (1.8, 2.2)`` for "the error falls like h^2"."""

    text: str
    measured: float
    relation: str
    threshold: float | tuple[float, float]

    def __post_init__(self) -> None:
        interval = isinstance(self.threshold, tuple)
        if self.relation == "in" and not (interval and len(self.threshold) == 2):
            raise ValueError(f"Claim {self.text!r}: relation 'in' needs a (low, high) threshold")
        if self.relation != "in" and (interval or self.relation not in _RELATIONS):
            raise ValueError(
                f"Claim {self.text!r}: relation must be one of {', '.join(_RELATIONS)} with a number, "
                f"or 'in' with (low, high); got {self.relation!r} with {self.threshold!r}"
            )

    @property
    def passed(self) -> bool:
        """Whether the measurement satisfies the relation (NaN never does)."""
        m = float(self.measured)
        if math.isnan(m):
            return False
        if self.relation == "in":
            low, high = self.threshold  # type: ignore[misc]
            return float(low) <= m <= float(high)
        return _RELATIONS[self.relation](m, float(self.threshold))  # type: ignore[arg-type]

    def threshold_text(self) -> str:
        """The relation and threshold as printed: ``< 1.2`` or ``in [1.8, 2.2]``."""
        if self.relation == "in":
            low, high = self.threshold  # type: ignore[misc]
            return f"in [{low:g}, {high:g}]"
        return f"{self.relation} {self.threshold:g}"

    def to_dict(self) -> dict[str, Any]:
        threshold = self.threshold
        return {
            "text": self.text,
            "measured": float(self.measured),
            "relation": self.relation,
            "threshold": [float(t) for t in threshold] if isinstance(threshold, tuple) else float(threshold),
            "passed": self.passed,
        }


@dataclass
class LabResult:
    """What one experiment produced: figures (PNG files), tables (title -> rows) and claims."""

    name: str
    figures: list[Path] = field(default_factory=list)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    claims: list[Claim] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every claim passed."""
        return all(c.passed for c in self.claims)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "figures": [str(p) for p in self.figures],
            "tables": self.tables,
            "claims": [c.to_dict() for c in self.claims],
        }


EXPERIMENTS = Registry("experiment", "the notes' claims, each run and checked", error=UserError)
"""Every lab experiment: name -> ``run(out_dir, quick, seed)``, with ``section`` and ``claim``."""


def experiment(
    name: str, section: str, claim: str
) -> Callable[[Callable[..., LabResult]], Callable[..., LabResult]]:
    """Register ``run(out_dir: Path, quick: bool, seed: int) -> LabResult`` as experiment ``name``;
    ``section`` is where the notes discuss it, ``claim`` the claim in one sentence."""
    return EXPERIMENTS.register(name, claim, section=section, claim=claim)


def run_experiment(name: str, out_dir: Path | str, quick: bool = False, seed: int = 0) -> LabResult:
    """Run experiment ``name`` into ``out_dir`` (created) and write its ``result.json`` there.

    BLAS runs on one thread meanwhile: the lab's matrices are small, and a multi-threaded OpenBLAS
    made a 32x128 @ 128x128 product 40x slower on a busy 2-core machine (3.5 ms vs 0.08 ms); one
    thread also keeps the summation order, hence the numbers, the same from run to run."""
    from threadpoolctl import threadpool_limits

    entry = EXPERIMENTS.get(name)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with threadpool_limits(limits=1, user_api="blas"):
        result = entry.factory(out, quick, seed)
    if not isinstance(result, LabResult):
        raise TypeError(f"experiment {name!r} must return a LabResult, got {type(result).__name__}")
    (out / "result.json").write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    return result


def format_result(result: LabResult) -> str:
    """The claims as a fixed-width table: claim, measured value, threshold, PASS/FAIL."""
    width = max([len(c.text) for c in result.claims] + [5])
    limits = [c.threshold_text() for c in result.claims]
    limit_width = max([len(t) for t in limits] + [9])
    lines = [f"{'claim':<{width}}  {'measured':>12}  {'threshold':<{limit_width}}  result"]
    for c, limit in zip(result.claims, limits):
        verdict = "PASS" if c.passed else "FAIL"
        lines.append(f"{c.text:<{width}}  {c.measured:>12.6g}  {limit:<{limit_width}}  {verdict}")
    return "\n".join(lines)
