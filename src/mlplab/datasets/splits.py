"""Train / validation / test splits (``split``) and their container ``DatasetSplit``.

The test split is the notes' ``train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed)``;
the validation split is taken out of the rest; the scaler is fitted on the training split only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .raw import RawData
from .scaling import Standardizer

_SPLITS = ("train", "val", "test")


@dataclass
class DatasetSplit:
    """A data set split into train / validation / test arrays, ready for a ``TensorDataset``.

    ``X_*`` are float32 (standardised with ``scaler`` when it is not None); ``y_*`` are int64 class
    codes for classification and float32 values (1-D, original units) for regression. For regression
    ``target_scaler`` holds the training targets' mean/std, for a trainer that fits standardised targets.
    """

    name: str
    task: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: list[str]
    class_names: list[str] | None
    scaler: Standardizer | None
    target_scaler: Standardizer | None = None
    seed: int = 0
    test_size: float = 0.2
    val_size: float = 0.1
    source: str | None = None
    target: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    indices: dict[str, np.ndarray] = field(default_factory=dict)
    fingerprint: dict[str, Any] = field(default_factory=dict)

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_classes(self) -> int | None:
        """Number of classes (None for regression)."""
        return len(self.class_names) if self.class_names is not None else None

    @property
    def n_outputs(self) -> int:
        """Output units a network needs: ``n_classes`` for classification, 1 for regression."""
        return self.n_classes if self.task == "classification" else 1  # type: ignore[return-value]

    def arrays(self, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
        """``(X, y)`` of ``'train'``, ``'val'`` or ``'test'``."""
        if split not in _SPLITS:
            raise ValueError(f"unknown split {split!r}; choose one of: {', '.join(_SPLITS)}")
        return getattr(self, f"X_{split}"), getattr(self, f"y_{split}")

    def tensors(self, split: str = "train") -> tuple[Any, Any]:
        """``(X, y)`` of a split as Tensors sharing the arrays."""
        from ..tensor import Tensor

        X, y = self.arrays(split)
        return Tensor._make(X), Tensor._make(y)

    def dataset(self, split: str = "train") -> Any:
        """A ``TensorDataset`` of a split (for a ``DataLoader``)."""
        from ..utils.data import TensorDataset

        return TensorDataset(*self.tensors(split))

    def transform(self, X: Any) -> np.ndarray:
        """New raw features (n, n_features) as the model's input: standardised with the training stats."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"expected data of shape (n, {self.n_features}), got {X.shape}")
        return self.scaler.transform(X) if self.scaler is not None else X.astype(np.float32)

    def sizes(self) -> dict[str, int]:
        return {s: int(self.arrays(s)[0].shape[0]) for s in _SPLITS}

    def meta(self) -> dict[str, Any]:
        """Everything needed to rebuild the preprocessing later, as a JSON-able dict."""
        return {
            "name": self.name,
            "task": self.task,
            "source": self.source,
            "target": self.target,
            "feature_names": list(self.feature_names),
            "class_names": None if self.class_names is None else list(self.class_names),
            "scaler": None if self.scaler is None else self.scaler.to_dict(),
            "target_scaler": None if self.target_scaler is None else self.target_scaler.to_dict(),
            "seed": self.seed,
            "test_size": self.test_size,
            "val_size": self.val_size,
            "options": dict(self.options),
            "sizes": self.sizes(),
            "fingerprint": dict(self.fingerprint),
        }

    def __repr__(self) -> str:
        s = self.sizes()
        extra = f"n_classes={self.n_classes}" if self.task == "classification" else "regression"
        return (
            f"DatasetSplit({self.name!r}, n_features={self.n_features}, {extra}, "
            f"train={s['train']}, val={s['val']}, test={s['test']})"
        )


def split(
    raw: RawData,
    seed: int = 0,
    test_size: float = 0.2,
    val_size: float = 0.1,
    standardize: bool = True,
    options: dict[str, Any] | None = None,
) -> DatasetSplit:
    """Split ``raw`` into train/val/test (see the module docstring) and standardise with train stats."""
    classify = raw.task == "classification"
    idx = np.arange(raw.X.shape[0])

    def cut(part: np.ndarray, size: float, what: str) -> tuple[np.ndarray, np.ndarray]:
        strat = raw.y[part] if classify else None
        try:
            return _train_test_split(part, size, strat, seed)
        except ValueError as e:
            how = "stratified " if classify else ""
            raise ValueError(
                f"{raw.name}: cannot make a {how}{what} split of {size:g} from {part.size} samples: {e}"
            ) from None

    train, test = cut(idx, test_size, "test")
    if val_size > 0:
        train, val = cut(train, val_size, "validation")
    else:
        val = train[:0]
    labels = raw.row_labels()

    def rows(part: np.ndarray) -> list[str] | None:
        return None if labels is None else [labels[i] for i in part]

    names = list(raw.feature_names)
    scaler = Standardizer.fit(raw.X[train], names, rows(train)) if standardize else None

    def xs(part: np.ndarray) -> np.ndarray:
        X = raw.X[part]
        return (
            scaler.transform(X, names=names, rows=rows(part)) if scaler is not None else X.astype(np.float32)
        )

    ydt = np.int64 if classify else np.float32
    tname = [raw.target or "target"]
    target_scaler = None if classify else Standardizer.fit(raw.y[train][:, None], tname, rows(train))
    if target_scaler is not None:
        for part in (train, val, test):
            target_scaler.transform(raw.y[part][:, None], names=tname, rows=rows(part))
    return DatasetSplit(
        name=raw.name,
        task=raw.task,
        X_train=xs(train),
        y_train=raw.y[train].astype(ydt),
        X_val=xs(val),
        y_val=raw.y[val].astype(ydt),
        X_test=xs(test),
        y_test=raw.y[test].astype(ydt),
        feature_names=list(raw.feature_names),
        class_names=raw.class_names,
        scaler=scaler,
        target_scaler=target_scaler,
        seed=seed,
        test_size=test_size,
        val_size=val_size,
        source=raw.source,
        target=raw.target,
        options=dict(options or {}),
        indices={"train": train, "val": val, "test": test},
        fingerprint=raw.fingerprint(),
    )


def _train_test_split(
    part: np.ndarray, size: float, strat: np.ndarray | None, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's ``train_test_split(part, test_size=size, stratify=strat, random_state=seed)``,
    through the on-disk cache (:mod:`.cache`), so that a split made before needs no scikit-learn."""
    from .cache import array_digest, cached

    def compute() -> dict[str, np.ndarray]:
        from sklearn.model_selection import train_test_split

        a, b = train_test_split(part, test_size=size, stratify=strat, random_state=seed)
        return {"a": a, "b": b}

    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        return tuple(compute().values())  # type: ignore[return-value]  # no fixed seed: nothing to reuse
    parts = {
        "part": array_digest(part),
        "stratify": None if strat is None else array_digest(strat),
        "test_size": repr(size),
        "seed": int(seed),
    }
    out = cached("split", parts, compute)
    return out["a"], out["b"]
