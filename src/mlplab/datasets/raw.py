"""``RawData``: a whole data set as loaded (built-in or CSV), before splitting and scaling."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

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
    file_sha256: str | None = None
    lines: list[int] | None = None  # a CSV file's line number of each row

    def row_labels(self) -> list[str] | None:
        """``"FILE line N"`` for each row of a CSV file (None for a built-in set)."""
        if self.lines is None:
            return None
        return [f"{self.source} line {n}" for n in self.lines]

    def fingerprint(self) -> dict[str, Any]:
        """What identifies this data: SHA-256 of the file's bytes (CSV) or of the X and y arrays
        (built-in), and the row count. A run stores it; ``evaluate`` compares it."""
        if self.file_sha256 is not None:
            return {"sha256": self.file_sha256, "of": "file", "rows": int(self.X.shape[0])}
        h = hashlib.sha256()
        for a in (self.X, self.y):
            a = np.ascontiguousarray(a)
            h.update(f"{a.dtype.str}{a.shape}".encode())
            h.update(a.tobytes())
        return {"sha256": h.hexdigest(), "of": "arrays", "rows": int(self.X.shape[0])}
