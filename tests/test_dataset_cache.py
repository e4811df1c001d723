"""The on-disk cache of scikit-learn's tables and splits (mlplab.datasets.cache): a cached
result equals what scikit-learn computes, a damaged file is recomputed, the cache can be off,
and a second load needs no scikit-learn import."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mlplab import datasets
from mlplab.datasets import cache

SPLITS = ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test")


def _same(a, b):
    for k in SPLITS:
        x, y = getattr(a, k), getattr(b, k)
        assert x.dtype == y.dtype and x.shape == y.shape and np.array_equal(x, y), k
    for k in ("train", "val", "test"):
        assert a.indices[k].dtype == b.indices[k].dtype and np.array_equal(a.indices[k], b.indices[k]), k
    assert a.fingerprint == b.fingerprint
    assert a.feature_names == b.feature_names and a.class_names == b.class_names


@pytest.mark.parametrize("name, seed", [("digits", 0), ("iris", 3), ("diabetes", 1), ("breast_cancer", 2)])
def test_cached_load_equals_scikit_learn(monkeypatch, tmp_path, name, seed):
    monkeypatch.setenv("MLPLAB_CACHE_DIR", "")
    reference = datasets.load(name, seed=seed)
    monkeypatch.setenv("MLPLAB_CACHE_DIR", str(tmp_path))
    first = datasets.load(name, seed=seed)  # computed and stored
    assert sorted(p.name.split("-")[0] for p in tmp_path.iterdir()) == ["split", "split", "table"]
    second = datasets.load(name, seed=seed)  # read back
    _same(first, reference)
    _same(second, reference)


def test_different_inputs_get_different_entries(monkeypatch, tmp_path):
    monkeypatch.setenv("MLPLAB_CACHE_DIR", str(tmp_path))
    a = datasets.load("digits", seed=0)
    b = datasets.load("digits", seed=1)
    c = datasets.load("digits", seed=0, test_size=0.3)
    assert not np.array_equal(a.indices["test"], b.indices["test"])
    assert len(c.y_test) == 540 and len(a.y_test) == 360
    assert len(list(tmp_path.glob("split-*.npz"))) == 6 and len(list(tmp_path.glob("table-*.npz"))) == 1


@pytest.mark.parametrize("damage", ["truncate", "garbage", "altered"])
def test_a_damaged_entry_is_recomputed(monkeypatch, tmp_path, damage):
    monkeypatch.setenv("MLPLAB_CACHE_DIR", "")
    reference = datasets.load("wine", seed=0)
    monkeypatch.setenv("MLPLAB_CACHE_DIR", str(tmp_path))
    datasets.load("wine", seed=0)
    table = next(tmp_path.glob("table-*.npz"))
    if damage == "truncate":
        table.write_bytes(table.read_bytes()[:100])
    elif damage == "garbage":
        table.write_bytes(b"not an npz at all")
    else:  # a valid npz whose arrays no longer match their recorded digest
        with np.load(table, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
        arrays["X"] = arrays["X"] + 1.0
        np.savez(table, **arrays)
    _same(datasets.load("wine", seed=0), reference)
    assert cache._read(table) is not None  # rewritten whole


def test_cache_off_and_unwritable_directory_still_load(monkeypatch, tmp_path):
    monkeypatch.setenv("MLPLAB_CACHE_DIR", "")
    assert cache.cache_dir() is None
    reference = datasets.load("iris", seed=0)
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory would be")
    monkeypatch.setenv("MLPLAB_CACHE_DIR", str(blocker / "cache"))
    _same(datasets.load("iris", seed=0), reference)


def test_default_location_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("MLPLAB_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "mlplab"


def test_a_cached_load_imports_no_scikit_learn(tmp_path):
    code = (
        "import json, sys\n"
        "from mlplab import datasets\n"
        "d = datasets.load('digits', seed=0)\n"
        "print(json.dumps({'sklearn': 'sklearn' in sys.modules, 'test': d.indices['test'].tolist()}))\n"
    )
    env_src = str(Path(__file__).resolve().parents[1] / "src")
    import os

    env = {**os.environ, "MLPLAB_CACHE_DIR": str(tmp_path), "PYTHONPATH": env_src}
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(2)
    ]
    assert runs[0]["sklearn"] is True  # the first load computes with scikit-learn
    assert runs[1]["sklearn"] is False
    assert runs[0]["test"] == runs[1]["test"]
