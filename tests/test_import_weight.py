"""What importing mlplab loads: the library itself stays light (no plotting, no scikit-learn, no
TensorBoard writer, no CLI framework, never torch), and a ``mlplab train`` whose data is cached
runs without scikit-learn, pyplot or torch. Checked by module names in a fresh interpreter, so
no wall-clock bound is involved."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[1] / "src")

HEAVY = (
    "matplotlib",
    "sklearn",
    "scipy",
    "tensorboardX",
    "typer",
    "click",
    "rich",
    "starlette",
    "uvicorn",
    "threadpoolctl",
    "tqdm",
    "distributed",
    "torch",
)


def _modules_after(code: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> set[str]:
    """The names in sys.modules after running ``code`` in a fresh interpreter."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    run_env = {**os.environ, "PYTHONPATH": SRC, **(env or {})}
    out = subprocess.run(
        [sys.executable, "-c", probe], env=run_env, cwd=cwd, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _top_level(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


@pytest.mark.parametrize(
    "code",
    [
        "import mlplab",
        "import mlplab.nn, mlplab.optim",
        "import mlplab.utils.data, mlplab.nn.functional, mlplab.optim.lr_scheduler",
        "import mlplab.autograd.numerical, mlplab.datasets, mlplab.train",
    ],
)
def test_library_imports_nothing_heavy(code):
    loaded = _top_level(_modules_after(code))
    assert "mlplab" in loaded
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_probe_sees_a_heavy_import():
    # the check above can fail: the same probe does see a heavy module when one is imported
    assert "tqdm" in _top_level(_modules_after("import mlplab, tqdm"))


def test_a_train_run_with_cached_data_loads_no_sklearn_datasets_pyplot_or_torch(tmp_path):
    # the report still uses scikit-learn's classification_report and confusion_matrix, as the design
    # says; the data and the split come from the cache
    env = {"MLPLAB_CACHE_DIR": str(tmp_path / "cache")}
    run = (
        "from mlplab.cli import main\n"
        "try:\n"
        "    main(['train', '--epochs', '1', '--quiet', '--out', 'run{}'])\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
    )
    first = _modules_after(run.format(1), env, tmp_path)
    assert "sklearn" in first  # the first run computes the table and the split
    second = _modules_after(run.format(2), env, tmp_path)
    assert (tmp_path / "run2" / "report.txt").read_text() == (tmp_path / "run1" / "report.txt").read_text()
    assert (tmp_path / "run2" / "confusion.png").is_file() and (tmp_path / "run2" / "curves.png").is_file()
    assert not {"torch", "matplotlib.pyplot"} & second, sorted({"torch", "matplotlib.pyplot"} & second)
    data_modules = ("sklearn.datasets", "sklearn.model_selection")
    assert not [m for m in second if m.startswith(data_modules)]
    assert any(m.startswith(data_modules) for m in first)  # the probe can see them
