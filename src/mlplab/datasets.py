"""Built-in and CSV data sets, train/validation/test splits and z-score standardisation.

Built-in data needs no download: five tables ship with scikit-learn, four are generated (seeded)::

    digits         1797 x 64   10 classes   8x8 handwritten digits (the notes' data set; the default)
    iris            150 x 4     3 classes
    wine            178 x 13    3 classes
    breast_cancer   569 x 30    2 classes   (binary: for BCELoss / BCEWithLogitsLoss)
    diabetes        442 x 10    regression  (disease progression after one year)
    moons, circles, blobs, spiral           2-D synthetic classification, 1000 points by default

User data: ``load_csv(path, target)`` reads a CSV with a header row and numeric feature columns;
string or integer class labels are encoded as ``0..K-1`` in sorted order (``class_names[k]`` is the
label of code ``k``). Errors name the file, the line and the column.

Splits (``load``). The test split is the notes' (section 2.4)::

    train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed)    # digits: 360 test samples

The validation split is then taken out of the remaining training part (``val_size`` of it, 10% by
default, stratified, same seed), so the test split stays exactly the notes' 20% and is never seen
during training or model selection; ``val_size=0`` gives an empty validation split.

Standardisation (z-score, the notes' normalisation chapter), fitted on the training split only::

    x' = (x - mu) / sigma        mu, sigma: per-feature mean and standard deviation (ddof=0) of X_train

A constant feature (sigma = 0) gets sigma = 1 as in scikit-learn's ``StandardScaler``. Validation,
test and new data (``predict``) are transformed with the training statistics.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "DATASETS",
    "DatasetSplit",
    "RawData",
    "Standardizer",
    "TASKS",
    "load",
    "load_builtin",
    "load_csv",
    "make_spiral",
    "names",
    "read_features",
]

TASKS = ("classification", "regression")

DATASETS: dict[str, str] = {
    "digits": "8x8 handwritten digits, 1797 samples, 64 features, 10 classes (scikit-learn)",
    "iris": "iris flowers, 150 samples, 4 features, 3 classes (scikit-learn)",
    "wine": "wine cultivars, 178 samples, 13 features, 3 classes (scikit-learn)",
    "breast_cancer": "breast cancer diagnosis, 569 samples, 30 features, 2 classes (scikit-learn)",
    "diabetes": "diabetes progression, 442 samples, 10 features, regression (scikit-learn)",
    "moons": "two interleaving half circles, 2-D, 2 classes (synthetic)",
    "circles": "a circle inside a circle, 2-D, 2 classes (synthetic)",
    "blobs": "Gaussian blobs, 2-D, 3 classes (synthetic)",
    "spiral": "intertwined spiral arms, 2-D, 3 classes (synthetic)",
}

# Options each synthetic generator accepts, with their defaults.
_SYNTHETIC_DEFAULTS: dict[str, dict[str, Any]] = {
    "moons": {"n_samples": 1000, "noise": 0.2},
    "circles": {"n_samples": 1000, "noise": 0.1, "factor": 0.5},
    "blobs": {"n_samples": 1000, "centers": 3, "cluster_std": 1.0},
    "spiral": {"n_samples": 1000, "n_classes": 3, "noise": 0.2},
}

_MISSING_TOKENS = {"na", "n/a", "nan", "null", "none", "?", "-"}
_MAX_INT_CLASSES = 20  # integer targets with at most this many distinct values are class labels


def names() -> list[str]:
    """The built-in data set names."""
    return list(DATASETS)


# ---------------------------------------------------------------------------------------- raw data
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


def make_spiral(n_samples: int = 1000, n_classes: int = 3, noise: float = 0.2, seed: int = 0) -> tuple:
    """``n_classes`` spiral arms in 2-D (the classic example a linear model cannot separate).

    Point i of arm k, with radius r_i evenly spaced in [0, 1]::

        theta = 2*pi*k / K + 4*r_i + noise * N(0, 1)        x = (r_i * sin(theta), r_i * cos(theta))

    Returns ``(X, y)``: X float64 (n_samples, 2), y int64 arm labels; arms get n // K points each
    (the first n % K arms one more).
    """
    if n_classes < 1 or n_samples < n_classes:
        raise ValueError(
            f"make_spiral: need n_classes >= 1 and n_samples >= n_classes, got {n_samples}, {n_classes}"
        )
    rng = np.random.default_rng(seed)
    X, y = [], []
    for k in range(n_classes):
        m = n_samples // n_classes + (1 if k < n_samples % n_classes else 0)
        r = np.linspace(0.0, 1.0, m)
        theta = 2 * np.pi * k / n_classes + 4.0 * r + noise * rng.standard_normal(m)
        X.append(np.column_stack([r * np.sin(theta), r * np.cos(theta)]))
        y.append(np.full(m, k, dtype=np.int64))
    return np.concatenate(X), np.concatenate(y)


def load_builtin(name: str, seed: int = 0, **options: Any) -> RawData:
    """One of ``DATASETS``; synthetic ones accept their generator's options (``n_samples``, ``noise`` ...)."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)} (or a .csv file)")
    if name in _SYNTHETIC_DEFAULTS:
        allowed = _SYNTHETIC_DEFAULTS[name]
        bad = sorted(set(options) - set(allowed))
        if bad:
            raise TypeError(
                f"dataset {name!r} has no option {', '.join(bad)}; its options: {', '.join(allowed)}"
            )
        return _synthetic(name, seed, {**allowed, **options})
    if options:
        raise TypeError(f"dataset {name!r} takes no options (got {', '.join(sorted(options))})")
    from sklearn import datasets as skd

    if name == "diabetes":
        b = skd.load_diabetes(scaled=False)
        return RawData(
            name, "regression", b.data.astype(np.float64), b.target.astype(np.float64), list(b.feature_names)
        )
    loader = {
        "digits": skd.load_digits,
        "iris": skd.load_iris,
        "wine": skd.load_wine,
        "breast_cancer": skd.load_breast_cancer,
    }[name]
    b = loader()
    return RawData(
        name,
        "classification",
        b.data.astype(np.float64),
        b.target.astype(np.int64),
        [str(f) for f in b.feature_names],
        [str(c) for c in b.target_names],
    )


def _synthetic(name: str, seed: int, opts: dict[str, Any]) -> RawData:
    from sklearn import datasets as skd

    if name == "moons":
        X, y = skd.make_moons(n_samples=opts["n_samples"], noise=opts["noise"], random_state=seed)
    elif name == "circles":
        X, y = skd.make_circles(
            n_samples=opts["n_samples"], noise=opts["noise"], factor=opts["factor"], random_state=seed
        )
    elif name == "blobs":
        X, y = skd.make_blobs(
            n_samples=opts["n_samples"],
            centers=opts["centers"],
            n_features=2,
            cluster_std=opts["cluster_std"],
            random_state=seed,
        )
    else:
        X, y = make_spiral(opts["n_samples"], opts["n_classes"], opts["noise"], seed)
    k = int(y.max()) + 1
    return RawData(
        name,
        "classification",
        X.astype(np.float64),
        y.astype(np.int64),
        ["x1", "x2"],
        [str(i) for i in range(k)],
    )


# ---------------------------------------------------------------------------------------- CSV
def _read_rows(path: str, delimiter: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and ``(line number, cells)`` rows; blank lines skipped, field counts checked."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file")
    rows: list[tuple[int, list[str]]] = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            header: list[str] | None = None
            for row in reader:
                if not row or all(not c.strip() for c in row):
                    continue
                if header is None:
                    header = [c.strip() for c in row]
                    _check_header(header, path, reader.line_num)
                    continue
                if len(row) != len(header):
                    raise ValueError(
                        f"{path} line {reader.line_num}: expected {len(header)} fields as in the header, "
                        f"got {len(row)}"
                    )
                rows.append((reader.line_num, row))
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not UTF-8 text ({e})") from None
    except csv.Error as e:
        raise ValueError(f"{path}: not a readable CSV file ({e})") from None
    if header is None:
        raise ValueError(f"{path}: empty file (expected a header row, then one row per sample)")
    if not rows:
        raise ValueError(f"{path}: no data rows after the header")
    return header, rows


def _check_header(header: list[str], path: str, line: int) -> None:
    seen: set[str] = set()
    for j, h in enumerate(header):
        if not h:
            raise ValueError(f"{path} line {line}: column {j + 1} of the header has no name")
        if h in seen:
            raise ValueError(f"{path} line {line}: duplicate column name {h!r}")
        seen.add(h)


def _number(cell: str, path: str, line: int, col: str) -> float:
    s = cell.strip()
    where = f"{path} line {line} column {col!r}"
    if not s:
        raise ValueError(f"{where}: empty cell (missing value); fill it in or drop the row")
    if s.lower() in _MISSING_TOKENS:
        raise ValueError(f"{where}: missing value {s!r}; fill it in or drop the row")
    try:
        v = float(s)
    except ValueError:
        raise ValueError(f"{where}: could not convert {s!r} to float") from None
    if not math.isfinite(v):
        raise ValueError(f"{where}: {s!r} is not a finite number")
    return v


def _label_name(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def load_csv(
    path: str | os.PathLike, target: str | None, task: str | None = None, delimiter: str = ","
) -> RawData:
    """Read a CSV file with a header row: every column but ``target`` is a numeric feature.

    ``task`` is inferred when None: non-numeric labels, or integer values with at most 20 distinct
    values, mean classification; anything else (e.g. non-integer numbers) regression. Class labels are
    encoded ``0..K-1`` in sorted order (numeric order for numbers); ``class_names`` keeps the mapping.
    """
    path = os.fspath(path)
    if task is not None and task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose one of: {', '.join(TASKS)}")
    header, rows = _read_rows(path, delimiter)
    if target is None:
        raise ValueError(
            f"{path}: which column is the target? Pass target (--target); columns are: " + ", ".join(header)
        )
    if target not in header:
        raise ValueError(f"{path}: target column {target!r} not found; columns are: {', '.join(header)}")
    t = header.index(target)
    feats = [(j, h) for j, h in enumerate(header) if j != t]
    if not feats:
        raise ValueError(f"{path}: no feature columns besides the target {target!r}")
    X = np.empty((len(rows), len(feats)), dtype=np.float64)
    for i, (line, row) in enumerate(rows):
        for k, (j, h) in enumerate(feats):
            X[i, k] = _number(row[j], path, line, h)
    labels = [row[t].strip() for _, row in rows]
    for (line, _), s in zip(rows, labels):
        if not s or s.lower() in _MISSING_TOKENS:
            raise ValueError(f"{path} line {line} column {target!r}: missing target value {s!r}")
    numeric: list[float] | None = []
    for (line, _), s in zip(rows, labels):
        try:
            v = float(s)
        except ValueError:
            if task == "regression":
                raise ValueError(
                    f"{path} line {line} column {target!r}: could not convert {s!r} to float "
                    "(a regression target must be numeric)"
                ) from None
            numeric = None
            break
        if not math.isfinite(v):
            raise ValueError(f"{path} line {line} column {target!r}: {s!r} is not a finite number")
        numeric.append(v)
    if task is None:
        if numeric is None:
            task = "classification"
        else:
            values = np.asarray(numeric)
            is_int = bool(np.all(values == np.round(values)))
            task = "classification" if is_int and len(np.unique(values)) <= _MAX_INT_CLASSES else "regression"
    name = os.path.basename(path)
    feature_names = [h for _, h in feats]
    if task == "regression":
        y = np.asarray(numeric, dtype=np.float64)
        return RawData(name, task, X, y, feature_names, None, path, target)
    if numeric is not None:
        uniq, codes = np.unique(np.asarray(numeric), return_inverse=True)
        class_names = [_label_name(u) for u in uniq]
    else:
        uniq, codes = np.unique(np.asarray(labels), return_inverse=True)
        class_names = [str(u) for u in uniq]
    if len(class_names) < 2:
        raise ValueError(
            f"{path}: target column {target!r} has a single class ({class_names[0]!r}); "
            "classification needs at least 2"
        )
    y = codes.astype(np.int64).reshape(-1)
    return RawData(name, task, X, y, feature_names, class_names, path, target)


def _some(names: list[str], limit: int = 8) -> str:
    """A readable list of column names: the first ``limit`` and how many more."""
    shown = ", ".join(map(repr, names[:limit]))
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def read_features(path: str | os.PathLike, feature_names: list[str], delimiter: str = ",") -> np.ndarray:
    """The columns ``feature_names`` of a CSV file, in that order (other columns ignored), float64.

    For predicting on new data: apply the training run's ``Standardizer`` to the result.
    """
    path = os.fspath(path)
    header, rows = _read_rows(path, delimiter)
    missing = [f for f in feature_names if f not in header]
    if missing:
        raise ValueError(
            f"{path}: missing {len(missing)} feature column(s): {_some(missing)}; "
            f"the model was trained on {len(feature_names)}: {_some(feature_names)}"
        )
    cols = [header.index(f) for f in feature_names]
    X = np.empty((len(rows), len(cols)), dtype=np.float64)
    for i, (line, row) in enumerate(rows):
        for k, j in enumerate(cols):
            X[i, k] = _number(row[j], path, line, header[j])
    return X


# ---------------------------------------------------------------------------------------- scaling
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


# ---------------------------------------------------------------------------------------- splits
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
        from .tensor import Tensor

        X, y = self.arrays(split)
        return Tensor._make(X), Tensor._make(y)

    def dataset(self, split: str = "train") -> Any:
        """A ``TensorDataset`` of a split (for a ``DataLoader``)."""
        from .utils.data import TensorDataset

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
        }

    def __repr__(self) -> str:
        s = self.sizes()
        extra = f"n_classes={self.n_classes}" if self.task == "classification" else "regression"
        return (
            f"DatasetSplit({self.name!r}, n_features={self.n_features}, {extra}, "
            f"train={s['train']}, val={s['val']}, test={s['test']})"
        )


def _is_file_name(name: str) -> bool:
    return name.lower().endswith((".csv", ".tsv", ".txt")) or os.sep in name or os.path.isfile(name)


def _check_fraction(name: str, v: float, low_open: bool) -> None:
    ok = (0 < v < 1) if low_open else (0 <= v < 1)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not ok:
        rng = "(0, 1)" if low_open else "[0, 1)"
        raise ValueError(f"{name} must be a fraction in {rng}, got {v!r}")


def load(
    name: str | os.PathLike = "digits",
    target: str | None = None,
    task: str | None = None,
    seed: int = 0,
    test_size: float = 0.2,
    val_size: float = 0.1,
    standardize: bool = True,
    delimiter: str = ",",
    **options: Any,
) -> DatasetSplit:
    """Load a built-in data set (a name of ``DATASETS``) or a CSV file, split and standardise it.

    ``test_size`` of all samples is the test split (stratified for classification, ``random_state=seed``),
    ``val_size`` of the rest the validation split (same rules); the scaler is fitted on the remaining
    training split. ``task`` is inferred for CSV files when None; ``options`` go to a synthetic
    generator (``n_samples``, ``noise`` ...).
    """
    if task is not None and task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose one of: {', '.join(TASKS)}")
    _check_fraction("test_size", test_size, low_open=True)
    _check_fraction("val_size", val_size, low_open=False)
    name = os.fspath(name)
    if name in DATASETS:
        if target is not None:
            raise ValueError(f"target= is for CSV files; the built-in dataset {name!r} has its own target")
        raw = load_builtin(name, seed, **options)
        if task is not None and task != raw.task:
            raise ValueError(f"dataset {name!r} is a {raw.task} dataset, not {task}")
    elif _is_file_name(name):
        if options:
            raise TypeError(f"CSV data takes no options (got {', '.join(sorted(options))})")
        raw = load_csv(name, target, task, delimiter)
    else:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)} (or a .csv file)")
    return split(
        raw, seed=seed, test_size=test_size, val_size=val_size, standardize=standardize, options=options
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
    from sklearn.model_selection import train_test_split

    classify = raw.task == "classification"
    idx = np.arange(raw.X.shape[0])

    def cut(part: np.ndarray, size: float, what: str) -> tuple[np.ndarray, np.ndarray]:
        strat = raw.y[part] if classify else None
        try:
            return train_test_split(part, test_size=size, stratify=strat, random_state=seed)
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
    scaler = Standardizer.fit(raw.X[train]) if standardize else None

    def xs(part: np.ndarray) -> np.ndarray:
        X = raw.X[part]
        return scaler.transform(X) if scaler is not None else X.astype(np.float32)

    ydt = np.int64 if classify else np.float32
    target_scaler = None if classify else Standardizer.fit(raw.y[train][:, None])
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
    )
