"""``mlplab.load`` bounds memory: compressed entries, and entries larger than the header
declares, are refused before anything is inflated or allocated."""

import io
import tracemalloc
import zipfile

import numpy as np
import pytest

import mlplab
from mlplab.serialization import SerializationError


def _entries(path):
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _rewrite(path, entries, method=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for n, data in entries.items():
            zf.writestr(n, data)
    path.write_bytes(buf.getvalue())


def test_a_deflated_bomb_is_refused_before_inflating(tmp_path):
    p = tmp_path / "bomb.npz"
    mlplab.save({"w": mlplab.zeros(4)}, p)
    entries = _entries(p)
    npy = io.BytesIO()
    np.lib.format.write_array(npy, np.zeros(64 * 2**20, dtype=np.uint8))  # 64 MiB of zeros
    entries["a0.npy"] = npy.getvalue()
    _rewrite(p, entries, zipfile.ZIP_DEFLATED)
    assert p.stat().st_size < 2**20
    tracemalloc.start()
    with pytest.raises(SerializationError, match="compressed"):
        mlplab.load(p)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 16 * 2**20


def test_an_entry_larger_than_declared_is_refused(tmp_path):
    p = tmp_path / "big.npz"
    mlplab.save({"w": mlplab.zeros(4)}, p)
    entries = _entries(p)
    npy = io.BytesIO()
    np.lib.format.write_array(npy, np.zeros(200_000, dtype=np.float32))
    entries["a0.npy"] = npy.getvalue()
    _rewrite(p, entries)
    with pytest.raises(SerializationError, match="expected at most"):
        mlplab.load(p)


def test_an_npy_header_declaring_a_huge_shape_is_refused_before_allocating(tmp_path):
    p = tmp_path / "shape.npz"
    mlplab.save({"w": mlplab.zeros(4)}, p)
    entries = _entries(p)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": (2**33,)})
    entries["a0.npy"] = header.getvalue()
    _rewrite(p, entries)
    with pytest.raises(SerializationError, match="the header says"):
        mlplab.load(p)


def test_ordinary_files_still_load(tmp_path):
    p = tmp_path / "ok.npz"
    mlplab.save({"w": mlplab.arange(6.0).reshape(2, 3), "n": 3}, p)
    out = mlplab.load(p)
    assert out["n"] == 3 and out["w"].shape == (2, 3)
