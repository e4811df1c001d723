"""``mlplab predict``: a saved run's model on the rows of a new CSV file.

Feature columns are matched by name, in any order; missing ones are an error that names them,
extra ones (a target column, ids ...) are ignored and named in the summary. The output CSV has a
``prediction`` column (the class name, or the value in the data's units) and for classification
one ``p_<class>`` column per class with the model's probabilities. ``output="-"`` writes the CSV to
standard output.
"""

from __future__ import annotations

import contextlib
import csv
import sys
from collections import Counter
from pathlib import Path
from typing import IO, Any

import numpy as np

from .. import datasets
from .files import atomic_open
from .loop import predict_outputs
from .run_dir import SavedRun


def default_output(data: Path) -> Path:
    """``new.csv`` -> ``new.predictions.csv`` beside it."""
    return data.with_name(data.stem + ".predictions.csv")


def predict_csv(run_dir: str | Path, data: str | Path, output: str | Path | None = None) -> str:
    """Predict every row of ``data`` with the run's model, write the predictions CSV and return a
    short summary line."""
    saved = SavedRun.open(run_dir)
    data = Path(data)
    feats = saved.feature_names
    header = datasets.read_header(data)
    extra = [c for c in header if c not in feats]
    lines: list[int] = []
    x = datasets.read_features(str(data), feats, lines=lines)
    if saved.scaler is not None:
        x = saved.scaler.transform(x, names=feats, rows=[f"{data} line {n}" for n in lines])
    elif not np.all(np.abs(x) <= np.finfo(np.float32).max):
        i, j = (int(k[0]) for k in np.nonzero(~(np.abs(x) <= np.finfo(np.float32).max)))
        raise ValueError(
            f"{data} line {lines[i]} column {feats[j]!r}: {x[i, j]:g} overflows float32 "
            "(expected |x| < 3.4e38)"
        )
    out = predict_outputs(saved.model, np.asarray(x, dtype=np.float32))
    pred = saved.spec.predict(out)
    path = Path(output) if output is not None else default_output(data)
    to_stdout = str(output) == "-"
    with _destination(None if to_stdout else path) as fh:
        wr = csv.writer(fh, lineterminator="\n")
        if saved.task == "classification":
            names = saved.class_names or [str(i) for i in range(saved.spec.out_features())]
            probs = saved.spec.probabilities(out)
            wr.writerow(["prediction"] + [f"p_{c}" for c in names])
            labels = [names[int(p)] for p in pred]
            for label, row in zip(labels, probs):
                wr.writerow([label] + [f"{v:.6g}" for v in row])
            counts = Counter(labels)
            what = ", ".join(f"{c} {counts[c]}" for c in names if counts[c])
        else:
            values = np.asarray(saved.spec.predict(out), dtype=np.float64).reshape(len(out), -1)
            if saved.target_scaler is not None:
                values = saved.target_scaler.inverse_transform(values).reshape(len(out), -1)
            cols = (
                ["prediction"]
                if values.shape[1] == 1
                else [f"prediction_{i}" for i in range(values.shape[1])]
            )
            wr.writerow(cols)
            for row in values:
                wr.writerow([f"{v:.6g}" for v in row])
            what = f"mean {values.mean():.4g}" if len(values) else "no rows"
    ignored = f"; ignored column(s): {', '.join(extra)}" if extra else ""
    where = "to stdout" if to_stdout else f"wrote {path}"
    return f"predicted {len(pred)} rows of {data} with {saved.dir} ({what}){ignored}; {where}"


@contextlib.contextmanager
def _destination(path: Path | None) -> Any:
    """An open text file that replaces ``path`` when complete (``None``: standard output)."""
    if path is None:
        yield sys.stdout
        return
    fh: IO[str]
    with atomic_open(path, "w", newline="") as fh:
        yield fh
