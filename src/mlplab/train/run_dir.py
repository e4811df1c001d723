"""A run directory on disk, read back without the training data: what ``mlplab evaluate`` and
``mlplab predict`` need (options, model, standardisers, names, loss, the test split).

``split.npz`` (plain NumPy arrays, loaded with ``allow_pickle=False``) holds the row indices of
the train/val/test split and the test split itself as the model saw it (standardised features;
labels, or standardised regression targets). ``config.json``'s ``data.fingerprint`` holds the
SHA-256 and row count of the training data (the CSV file's bytes, or a built-in set's arrays).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import datasets
from ..errors import UserError
from .build import build_model
from .checkpoint import load_weights
from .config import RunConfig
from .files import LOCK_FILE, RunLock, atomic_open
from .losses import LossSpec

SPLIT_FILE = "split.npz"


def new_run_dir(out: str | None, name: str) -> Path:
    """The directory for a new run; an existing non-empty directory is never reused. The caller
    should hold it with :func:`claim_run_dir` instead (this one does not lock it)."""
    p, lock = claim_run_dir(out, name)
    lock.release()
    return p


def claim_run_dir(out: str | None, name: str) -> tuple[Path, RunLock]:
    """Create and lock the directory of a new run: ``out``, else ``runs/NAME-TIMESTAMP[-N]``.

    The claim is atomic: a default name is taken by ``mkdir`` (which fails when another process
    made it first), ``--out`` by the lock and a check, under it, that the directory holds nothing
    else. Refuses (one line) a non-empty directory, a path below a file, or a directory in use.
    """
    if out is None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        base = Path("runs") / f"{Path(name).stem}-{stamp}"
        p, i = base, 1
        while True:
            try:
                _mkdir(p, exist_ok=False)
                break
            except FileExistsError:
                i += 1
                p = base.with_name(f"{base.name}-{i}")
    else:
        p = Path(out)
        _refuse_used(p)
        _mkdir(p, exist_ok=True)
    lock = RunLock(p).acquire()
    try:
        _refuse_used(p)
    except BaseException:
        lock.release()
        raise
    return p, lock


def _mkdir(p: Path, exist_ok: bool) -> None:
    try:
        p.mkdir(parents=True, exist_ok=exist_ok)
    except (NotADirectoryError, FileExistsError) as e:
        if isinstance(e, FileExistsError) and p.is_dir():
            raise
        above = next((q for q in [p, *p.parents] if q.exists() and not q.is_dir()), None)
        what = f"{above} is a file" if above is not None else str(e)
        raise UserError(
            f"cannot create the run directory {p}: expected a directory path, but {what}"
        ) from None


def _refuse_used(p: Path) -> None:
    """Refuse a run directory that exists as a file or holds anything but the lock file."""
    if p.exists() and (not p.is_dir() or any(q.name != LOCK_FILE for q in p.iterdir())):
        what = "is a file" if not p.is_dir() else "already exists and is not empty"
        raise UserError(
            f"run directory {p} {what}; choose another --out"
            + (f", or continue it with --resume {p}" if p.is_dir() else "")
        )


def remove_unfinished_run(p: Path) -> None:
    """Remove a new run's directory in which no epoch finished (config, split, empty tb/ ...);
    never raises, never removes a directory that holds a checkpoint."""
    if any((p / "checkpoints").glob("epoch_*.npz")):
        return
    shutil.rmtree(p, ignore_errors=True)


def new_evaluation_dir(run_dir: Path) -> Path:
    """``RUN/evaluations/YYYYmmdd-HHMMSS[-N]/``: where one ``mlplab evaluate`` writes its report."""
    base = run_dir / "evaluations" / time.strftime("%Y%m%d-%H%M%S")
    p, i = base, 1
    while p.exists():
        i += 1
        p = base.with_name(f"{base.name}-{i}")
    p.mkdir(parents=True)
    return p


def read_run_config(run_dir: str | Path) -> tuple[RunConfig, dict[str, Any]]:
    """The run's options and the whole ``config.json``."""
    p = Path(run_dir)
    f = p / "config.json"
    if not f.is_file():
        raise UserError(f"{p} is not an mlplab run directory (no config.json)")
    try:
        d = json.loads(f.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UserError(f"{f} is not valid JSON: {e}") from None
    if not isinstance(d, dict) or not isinstance(d.get("config"), dict):
        got = f"a JSON {type(d).__name__}" if not isinstance(d, dict) else f"keys {', '.join(d) or 'none'}"
        raise UserError(
            f"{f}: expected a JSON object with a 'config' object (as mlplab train writes), got {got}"
        )
    return RunConfig.from_dict(d["config"], source=str(f)), d


def write_split(
    run_dir: Path, indices: dict[str, np.ndarray], x_test: np.ndarray, y_test: np.ndarray
) -> None:
    """Save the split's indices and the test split (atomically)."""
    with atomic_open(run_dir / SPLIT_FILE, "wb") as fh:
        np.savez(
            fh,
            **{f"indices_{k}": np.asarray(v, dtype=np.int64) for k, v in indices.items()},
            x_test=x_test,
            y_test=y_test,
        )


# the facts of config.json that evaluate and predict read, and the JSON types they must have
_FACTS: dict[str, tuple[type, ...]] = {
    "task": (str,),
    "loss": (str,),
    "n_features": (int,),
    "n_classes": (int,),
    "n_targets": (int, type(None)),
    "class_names": (list, type(None)),
    "feature_names": (list, type(None)),
    "scaler": (dict, type(None)),
    "target_scaler": (dict, type(None)),
    "data": (dict, type(None)),
}


def _check_meta(meta: dict[str, Any], f: Path) -> None:
    """Refuse a ``config.json`` whose facts are missing or of the wrong JSON type."""
    for key, types in _FACTS.items():
        if key not in meta and type(None) in types:
            continue
        v = meta.get(key)
        if key not in meta or not isinstance(v, types) or isinstance(v, bool):
            names = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            got = "nothing" if key not in meta else f"{type(v).__name__} {v!r:.40}"
            raise UserError(f"{f}: expected {key!r} to be {names} (as mlplab train writes it), got {got}")
    for key in ("class_names", "feature_names"):
        if meta.get(key) is not None and not all(isinstance(x, str) for x in meta[key]):
            raise UserError(f"{f}: expected {key!r} to be a list of strings, got {meta[key]!r:.60}")
    data = meta.get("data") or {}
    fp = data.get("fingerprint")
    if fp is not None and not (isinstance(fp, dict) and isinstance(fp.get("sha256"), str)):
        raise UserError(f"{f}: expected data.fingerprint to hold a 'sha256' string, got {fp!r:.60}")
    for key in ("source", "name"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise UserError(f"{f}: expected data.{key} to be a string, got {data[key]!r:.60}")
    if data.get("options") is not None and not isinstance(data["options"], dict):
        raise UserError(f"{f}: expected data.options to be an object, got {data['options']!r:.60}")


@dataclass
class SavedRun:
    """A finished (or interrupted) run, loaded from its directory alone."""

    dir: Path
    cfg: RunConfig
    meta: dict[str, Any]
    model: Any
    spec: LossSpec
    scaler: Any
    target_scaler: Any

    @classmethod
    def open(cls, run_dir: str | Path) -> SavedRun:
        """Read ``config.json`` and the weights (``model.npz``, else the newest checkpoint)."""
        d = Path(run_dir)
        cfg, meta = read_run_config(d)
        _check_meta(meta, d / "config.json")
        try:
            spec = LossSpec(meta["loss"], meta["task"], meta["n_classes"], meta.get("n_targets", 1))
            model = build_model(cfg, int(meta["n_features"]), spec.out_features())
            scaler = datasets.Standardizer.from_dict(meta["scaler"]) if meta.get("scaler") else None
            tsc = meta.get("target_scaler")
            target_scaler = datasets.Standardizer.from_dict(tsc) if tsc else None
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            what = f"no {e}" if isinstance(e, KeyError) else str(e)
            raise UserError(
                f"{d / 'config.json'} does not describe a run as mlplab train writes it: {what}"
            ) from None
        load_weights(d, model)
        return cls(d, cfg, meta, model, spec, scaler, target_scaler)

    @property
    def task(self) -> str:
        return str(self.meta["task"])

    @property
    def feature_names(self) -> list[str]:
        return list(self.meta.get("feature_names") or [])

    @property
    def class_names(self) -> list[str]:
        return list(self.meta.get("class_names") or [])

    def data_status(self) -> str:
        """Compare the training data, where it still exists, with the run's fingerprint: refuses
        (UserError) when it changed; returns a note on what was checked."""
        data = self.meta.get("data") or {}
        saved = data.get("fingerprint")
        if not saved:
            return "no data fingerprint in this run (written by an older mlplab); not checked"
        source = data.get("source")
        if source is not None:  # a CSV file
            if not os.path.isfile(source):
                return f"training data {source} is gone; scoring the test split stored in the run"
            now = {"sha256": datasets.file_sha256(source)}
            what = f"{source}"
        else:
            try:
                raw = datasets.load_builtin(data["name"], data.get("seed", 0), **(data.get("options") or {}))
            except (KeyError, TypeError) as e:
                raise UserError(
                    f"{self.dir / 'config.json'}: expected data.name, seed and options of a built-in data "
                    f"set, got {data!r:.80} ({e})"
                ) from None
            now = raw.fingerprint()
            what = f"built-in data set {data['name']!r}"
        if now["sha256"] != saved["sha256"]:
            raise UserError(
                f"the data changed since this run trained: {what} has SHA-256 {now['sha256'][:12]}..., "
                f"the run recorded {saved['sha256'][:12]}... ({saved.get('rows')} rows); "
                "refusing to score other test rows"
            )
        return f"{what} unchanged (SHA-256 {saved['sha256'][:12]}..., {saved.get('rows')} rows)"

    def test_split(self) -> tuple[np.ndarray, np.ndarray]:
        """The test split the run was scored on: from ``split.npz``, or (older runs) rebuilt
        from the data."""
        f = self.dir / SPLIT_FILE
        if f.is_file():
            try:
                with np.load(f, allow_pickle=False) as z:
                    return z["x_test"], z["y_test"]
            except (ValueError, OSError, KeyError) as e:
                raise UserError(f"{f} is damaged and was not loaded: {e}") from None
        from .build import load_data

        d = load_data(self.cfg)
        return d.x_test, d.y_test
