import numpy as np
import pytest
from train_helpers import write_csv

from mlplab import cli


@pytest.fixture
def run_cli(capsys, monkeypatch, tmp_path):
    """Run ``mlplab ARGS`` in-process from tmp_path; returns (exit_code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def go(*args: str):
        with pytest.raises(SystemExit) as e:
            cli.main([str(a) for a in args])
        out, err = capsys.readouterr()
        return e.value.code, out, err

    return go


@pytest.fixture
def small_csv(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 3))
    lab = np.where(x[:, 0] + x[:, 1] > 0, "yes", "no")
    return write_csv(
        tmp_path / "small.csv",
        ["a", "b", "c", "label"],
        [[f"{v:.4f}" for v in r] + [t] for r, t in zip(x, lab)],
    )
