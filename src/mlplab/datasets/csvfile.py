"""User data from CSV files: ``load_csv`` (features and a target column, labels encoded) and
``read_features`` (the training run's feature columns of new data, for ``predict``). Errors name the
file, the line and the column."""

from __future__ import annotations

import csv
import hashlib
import math
import os

import numpy as np

from .raw import TASKS, RawData

_MISSING_TOKENS = {"na", "n/a", "nan", "null", "none", "?", "-"}
_MAX_INT_CLASSES = 20  # integer targets with at most this many distinct values are class labels


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
    lines = [line for line, _ in rows]
    if task == "regression":
        y = np.asarray(numeric, dtype=np.float64)
        return RawData(name, task, X, y, feature_names, None, path, target, file_sha256(path), lines)
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
    return RawData(name, task, X, y, feature_names, class_names, path, target, file_sha256(path), lines)


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_header(path: str | os.PathLike, delimiter: str = ",") -> list[str]:
    """The column names of a CSV file (its first non-blank row)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file")
    with open(path, newline="", encoding="utf-8-sig") as fh:
        for row in csv.reader(fh, delimiter=delimiter):
            if row and any(c.strip() for c in row):
                return [c.strip() for c in row]
    raise ValueError(f"{path}: empty file (expected a header row, then one row per sample)")


def _some(names: list[str], limit: int = 8) -> str:
    """A readable list of column names: the first ``limit`` and how many more."""
    shown = ", ".join(map(repr, names[:limit]))
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def read_features(
    path: str | os.PathLike, feature_names: list[str], delimiter: str = ",", lines: list[int] | None = None
) -> np.ndarray:
    """The columns ``feature_names`` of a CSV file, in that order (other columns ignored), float64.

    For predicting on new data: apply the training run's ``Standardizer`` to the result. A list
    passed as ``lines`` receives each row's line number (for messages).
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
    if lines is not None:
        lines[:] = [line for line, _ in rows]
    return X
