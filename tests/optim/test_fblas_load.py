"""add_'s BLAS axpy comes from SciPy's extension file, loaded without importing scipy.linalg (whose
``__init__`` costs ~0.3 s of a small run): checked by module names in a fresh interpreter, and the
functions are the ones scipy.linalg.blas gives (so the arithmetic is unchanged)."""

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")

PROBE = """
import json, sys
import numpy as np
import mlplab
from mlplab import nn, optim
from mlplab.optim import inplace
torch = mlplab
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(64, 50), nn.Tanh(), nn.Linear(50, 10))
opt = optim.Adam(model.parameters())
for _ in range(2):
    opt.zero_grad()
    nn.functional.cross_entropy(model(torch.randn(8, 64)), torch.randint(0, 10, (8,))).backward()
    opt.step()
axpy = inplace._AXPY
before = sorted(m for m in sys.modules if m.startswith("scipy"))
from scipy.linalg import blas
same = axpy[np.dtype(np.float32)] is blas.saxpy and axpy[np.dtype(np.float64)] is blas.daxpy
print(json.dumps({"loaded": axpy is not None and len(axpy) == 2, "scipy": before, "same": same}))
"""


def test_adam_steps_without_importing_scipy_linalg():
    env = {**os.environ, "PYTHONPATH": SRC}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["loaded"]  # the step did use BLAS axpy
    assert "scipy.linalg" not in result["scipy"], result["scipy"]
    assert result["same"]  # the very functions scipy.linalg.blas exports


def test_an_imported_fblas_is_reused(monkeypatch):
    from scipy.linalg import blas

    from mlplab.optim import inplace

    monkeypatch.setattr(inplace, "_AXPY", None)
    assert inplace._scipy_fblas().saxpy is blas.saxpy  # already imported: the module in sys.modules
