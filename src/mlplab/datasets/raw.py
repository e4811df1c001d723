"""``RawData``: a whole data set as loaded (built-in or CSV), before splitting and scaling."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TASKS = ("classification", "regression")


@dataclass
class RawData:
    """A whole data set before splitting: ``X`` (n, d) float64, ``y`` codes (int64) or values (float64)."""

    name: str
    task: str
    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    class_names: list[str] | None = None
    source: str | None = None
    target: str | None = None
