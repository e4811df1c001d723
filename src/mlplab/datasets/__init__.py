"""Built-in and CSV data sets, train/validation/test splits and z-score standardisation.

Built-in data needs no download: five tables ship with scikit-learn, four are generated (seeded)::

    digits         1797 x 64   10 classes   8x8 handwritten digits (the notes' data set; the default)
    iris            150 x 4     3 classes
    wine            178 x 13    3 classes
    breast_cancer   569 x 30    2 classes   (binary: for BCELoss / BCEWithLogitsLoss)
    diabetes        442 x 10    regression  (disease progression after one year)
    moons, circles, blobs, spiral, xor,     2-D synthetic classification, 1000 points by default
    gaussians

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

Layout: ``builtin.py`` (the built-in data sets), ``csvfile.py`` (CSV input), ``raw.py`` (``RawData``,
a data set before splitting), ``scaling.py`` (``Standardizer``), ``splits.py`` (``split`` and
``DatasetSplit``); :func:`load` here ties them together.
"""

from __future__ import annotations

import os
from typing import Any

from .builtin import DATASETS, load_builtin, make_spiral, names
from .csvfile import file_sha256, load_csv, read_features, read_header
from .raw import TASKS, RawData
from .scaling import Standardizer
from .splits import DatasetSplit, split

__all__ = [
    "DATASETS",
    "DatasetSplit",
    "RawData",
    "Standardizer",
    "TASKS",
    "load",
    "load_builtin",
    "file_sha256",
    "load_csv",
    "make_spiral",
    "names",
    "read_features",
    "read_header",
]


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
