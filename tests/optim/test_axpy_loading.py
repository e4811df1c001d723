"""``inplace``'s BLAS axpy comes from ``scipy.linalg._fblas`` alone, not from ``scipy.linalg``
(whose imports cost a training process ~17 MiB of RSS), and it is SciPy's own axpy."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from scipy.linalg import blas  # SciPy comes with scikit-learn, a dependency of mlplab

from mlplab.optim import inplace


def test_the_axpy_is_scipys_blas_axpy_bitwise():
    fblas = inplace._fblas()
    assert fblas is not None
    rng = np.random.default_rng(0)
    for dtype, mine, theirs in ((np.float32, fblas.saxpy, blas.saxpy), (np.float64, fblas.daxpy, blas.daxpy)):
        x = rng.normal(size=1000).astype(dtype)
        y = rng.normal(size=1000).astype(dtype)
        a, b = y.copy(), y.copy()
        assert mine(x, a, a=0.3) is a
        theirs(x, b, a=0.3)
        np.testing.assert_array_equal(a.view(f"u{a.itemsize}"), b.view(f"u{b.itemsize}"))
        assert not np.array_equal(a, y)  # it did add


def test_loading_the_axpy_imports_no_scipy_linalg():
    code = (
        "import sys, numpy as np\n"
        "from mlplab.optim import inplace\n"
        "table = inplace._load_axpy()\n"
        "assert set(table) == {np.dtype(np.float32), np.dtype(np.float64)}, table\n"
        "print('scipy.linalg' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
