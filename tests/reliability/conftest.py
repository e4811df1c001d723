"""Fixtures of the reliability tests: the CLI run in-process, a small CSV, a trained run."""

import os
import shutil

import numpy as np
import pytest
from rel_helpers import FAST, call, write_csv


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
