"""Z-score standardisation fitted on the training split (the notes' normalisation chapter)."""

from __future__ import annotations

from typing import Any

import numpy as np


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
    def fit(cls, X: np.ndarray) -> Standardizer:
        """Statistics of ``X`` along its first axis."""
        X = np.asarray(X, dtype=np.float64)
        if X.shape[0] == 0:
            raise ValueError("Standardizer.fit: no samples")
        std = X.std(axis=0)
        return cls(X.mean(axis=0), np.where(std == 0, 1.0, std))

    def transform(self, X: Any, dtype: Any = np.float32) -> np.ndarray:
        """``(X - mean) / std`` (computed in float64, returned as ``dtype``)."""
        X = np.asarray(X, dtype=np.float64)
        if X.shape[1:] != self.mean.shape:
            raise ValueError(f"Standardizer expects samples of shape {self.mean.shape}, got {X.shape[1:]}")
        return ((X - self.mean) / self.std).astype(dtype)

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
