"""A copy of mlplab imported under another package name (as ``benchmarks/ab_inprocess.py`` loads
the two versions it compares) finds its optimisers' kernels: the table is keyed below the top
package. Checked in a fresh interpreter so the copy leaves nothing behind."""

import json
import os
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "src" / "mlplab"

PROBE = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location(
    "mlplab_copy", sys.argv[1] + "/__init__.py", submodule_search_locations=[sys.argv[1]]
)
lib = importlib.util.module_from_spec(spec)
sys.modules["mlplab_copy"] = lib
spec.loader.exec_module(lib)
from mlplab_copy.optim import kernels
w = lib.nn.Linear(3, 2)
found = {
    name: kernels.kernel_for(getattr(lib.optim, name)(w.parameters(), lr=0.1), "numba") is not None
    for name in ("Adam", "AdamW", "NAdam", "RMSprop", "Adagrad", "SGD")
}
print(json.dumps({"module": type(lib.optim.Adam([w.weight])).__module__, "found": found}))
"""


def test_a_copy_under_another_name_finds_its_kernels():
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(PKG)], env=env, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["module"].startswith("mlplab_copy.optim.")
    assert result["found"] == dict.fromkeys(("Adam", "AdamW", "NAdam", "RMSprop", "Adagrad", "SGD"), True)
