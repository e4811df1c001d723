"""Z-score standardisation fitted on the training split (the notes' normalisation chapter)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

_F32_MAX = float(np.finfo(np.float32).max)


def _column(names: Sequence[str] | None, j: int) -> str:
    return repr(names[j]) if names is not None and j < len(names) else str(j)


def _row(rows: Sequence[str] | None, i: int) -> str:
    return rows[i] if rows is not None and i < len(rows) else f"row {i}"


class Standardizer:
    """Z-score standardisation ``x' = (x - mean) / std`` per feature, fitted on training data.

    ``std`` uses ddof=0 and a zero std is replaced by 1 (scikit-learn's ``StandardScaler`` rules).
    """

    def __init__(self, mean: Any, std: Any) -> None:
        self.mean = np.asarray(mean, dtype=np.float64)
        self.std = np.asarray(std, dtype=np.float64)
        if self.mean.shape != self.std.shape:
            raise ValueError(f"Standardizer: mean shape {self.mean.shape} != std shape {self.std.shape}")

    @classmethod
    def fit(
        cls, X: np.ndarray, names: Sequence[str] | None = None, rows: Sequence[str] | None = None
    ) -> Standardizer:
        """Statistics of ``X`` along its first axis. A column whose mean or std is not finite
        (values so large that their squares overflow) is refused, naming the column (``names``)
        and its largest value's row (``rows``: one label per row, e.g. ``"data.csv line 7"``)."""
        X = np.asarray(X, dtype=np.float64)
        if X.shape[0] == 0:
            raise ValueError("Standardizer.fit: no samples")
        with np.errstate(over="ignore", invalid="ignore"):
            mean, std = X.mean(axis=0), X.std(axis=0)
        bad = ~(np.isfinite(mean) & np.isfinite(std))
        if bad.any():
            j = int(np.flatnonzero(bad.reshape(-1))[0])
            col = X.reshape(len(X), -1)[:, j]
            i = int(np.argmax(np.abs(col)))
            what = "mean" if not np.isfinite(mean.reshape(-1)[j]) else "standard deviation"
            raise ValueError(
                f"column {_column(names, j)}: its {what} over the training rows is not finite; "
                f"expected values whose squares stay finite (|x| < 1e154), got {col[i]:g} at {_row(rows, i)}"
            )
        return cls(mean, np.where(std == 0, 1.0, std))

    def transform(
        self,
        X: Any,
        dtype: Any = np.float32,
        names: Sequence[str] | None = None,
        rows: Sequence[str] | None = None,
    ) -> np.ndarray:
        """``(X - mean) / std`` (computed in float64, returned as ``dtype``). A scaled value that
        is not finite in ``dtype`` is refused, naming the column and the row (see :meth:`fit`)."""
        X = np.asarray(X, dtype=np.float64)
        if X.shape[1:] != self.mean.shape:
            raise ValueError(f"Standardizer expects samples of shape {self.mean.shape}, got {X.shape[1:]}")
        with np.errstate(over="ignore", invalid="ignore"):
            Z = (X - self.mean) / self.std
        limit = _F32_MAX if np.dtype(dtype) == np.float32 else np.inf
        ok = np.abs(Z) <= limit  # False for NaN and for what overflows dtype
        if not ok.all():
            i, j = (int(k[0]) for k in np.nonzero(~ok.reshape(len(Z), -1)))
            raise ValueError(
                f"column {_column(names, j)}: {X.reshape(len(X), -1)[i, j]:g} at {_row(rows, i)} scales to "
                f"{Z.reshape(len(Z), -1)[i, j]:g}, expected a finite {np.dtype(dtype).name}"
            )
        return Z.astype(dtype)

    def inverse_transform(self, Z: Any, dtype: Any = np.float32) -> np.ndarray:
        """``Z * std + mean``: back to the original units."""
        return (np.asarray(Z, dtype=np.float64) * self.std + self.mean).astype(dtype)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (lists of floats; exact, as JSON keeps float64 round trips)."""
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Standardizer:
        return cls(d["mean"], d["std"])

    def __repr__(self) -> str:
        return f"Standardizer(n_features={self.mean.size})"
