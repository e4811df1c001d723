"""Choosing the kernels' backend: C by default, numba or none on request, the NumPy path where the
chosen one cannot load; and the C library's build and cache (``optim/kernels/native.py``)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import mlplab
import mlplab.optim as optim
from mlplab.optim import kernels
from mlplab.optim.kernels import native


def test_the_environment_chooses_the_backend(monkeypatch):
    for value, expected in (("", "native"), ("numba", "numba"), (" NONE ", "none"), ("native", "native")):
        monkeypatch.setenv("MLPLAB_OPTIM_KERNELS", value)
        assert kernels.default_backend() == expected
    monkeypatch.setenv("MLPLAB_OPTIM_KERNELS", "llvm")
    with pytest.raises(
        ValueError, match=r"MLPLAB_OPTIM_KERNELS: expected one of native, numba, none, got 'llvm'"
    ):
        kernels.default_backend()


def test_none_gives_no_kernel_and_the_numpy_path_runs(monkeypatch):
    monkeypatch.setenv("MLPLAB_OPTIM_KERNELS", "none")
    p = mlplab.tensor(np.ones(4, np.float32), requires_grad=True)
    opt = optim.Adam([p], lr=0.1, fused=True)
    assert kernels.kernel_for(opt) is None
    p.grad = mlplab.tensor(np.ones(4, np.float32))
    opt.step()
    assert opt._executor._kernel is None
    np.testing.assert_allclose(p._data, np.full(4, 0.9, np.float32), rtol=1e-6)


def test_no_compiler_means_no_library(monkeypatch):
    monkeypatch.setattr(native, "_compiler", lambda: None)
    assert native.load() is None


def test_a_failing_compiler_means_no_library_and_leaves_no_file(monkeypatch, tmp_path):
    monkeypatch.setattr(native, "_compiler", lambda: "/bin/false")
    monkeypatch.setattr(native, "_cache_dirs", lambda: [tmp_path])
    assert native.load() is None
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_the_library_is_built_once_into_the_cache_and_loaded_from_it(tmp_path):
    """A fresh process with an empty cache folder builds it; the next one only loads it."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from mlplab.optim.kernels import native\n"
        f"native._cache_dirs = lambda: [Path({str(tmp_path)!r})]\n"
        "table = native.load()\n"
        "assert table is not None and set(table) == {*native._SIGNATURES, *native._MANY}\n"
        "print('subprocess' in sys.modules)\n"
    )
    assert native._compiler() is not None, "no C compiler as `cc` (Debian: apt-get install gcc)"
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    built = sorted(f.name for f in tmp_path.iterdir())
    assert len(built) == 1 and built[0].startswith("native-") and built[0].endswith(".so")
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert sorted(f.name for f in tmp_path.iterdir()) == built
    assert (first.stdout.strip(), second.stdout.strip()) == ("True", "False")  # built, then loaded
