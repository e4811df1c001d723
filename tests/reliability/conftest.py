"""Fixtures of the reliability tests: the CLI run in-process, a small CSV, a trained run."""

import os
import shutil

import numpy as np
import pytest

from mlplab import cli


def write_csv(path, header, rows):
    lines = [",".join(header)] + [",".join(str(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def call(*args: str) -> int:
    """``mlplab ARGS`` in-process; returns the exit status."""
    with pytest.raises(SystemExit) as e:
        cli.main([str(a) for a in args])
    return e.value.code


@pytest.fixture
def run_cli(capsys, monkeypatch, tmp_path):
    """Run ``mlplab ARGS`` in-process from tmp_path; returns (exit_code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def go(*args: str):
        code = call(*args)
        out, err = capsys.readouterr()
        return code, out, err

    return go


def one_line(res, code=2):
    """The one stderr line of a CLI call that must fail with ``code`` (no traceback)."""
    got, out, err = res
    assert got == code, f"expected exit {code}, got {got}\nstdout:\n{out}\nstderr:\n{err}"
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got:\n{err}"
    assert "Traceback" not in err
    return lines[0]


def ok(res):
    code, out, err = res
    assert code == 0, f"exit {code}\nstdout:\n{out}\nstderr:\n{err}"
    return out, err


@pytest.fixture
def small_csv(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3))
    lab = np.where(x[:, 0] + x[:, 1] > 0, "yes", "no")
    return write_csv(
        tmp_path / "small.csv",
        ["a", "b", "c", "label"],
        [[f"{v:.4f}" for v in r] + [t] for r, t in zip(x, lab)],
    )


FAST = ("--dataset", "iris", "--epochs", "2", "--quiet", "--hidden", "4")


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory):
    """A finished 2-epoch iris run (copied per test by ``fresh_run``)."""
    root = tmp_path_factory.mktemp("trained")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        assert call("train", *FAST, "--out", "run") == 0
    finally:
        os.chdir(cwd)
    return root / "run"


@pytest.fixture
def fresh_run(trained_run, tmp_path):
    dst = tmp_path / "run"
    shutil.copytree(trained_run, dst)
    return dst
