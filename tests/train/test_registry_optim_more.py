"""The optimisers and schedulers added with issue 9 train from the command line, flags included;
their defaults are PyTorch's, read from the classes; a run with one resumes from its checkpoint."""

import json

import pytest
from train_helpers import err as _err
from train_helpers import ok as _ok

from mlplab.train.optimizers import LR, OPTIMIZERS
from mlplab.train.schedulers import SCHEDULERS

FAST = ["--dataset", "iris", "--hidden", "8", "--epochs", "1", "--quiet"]

RUNS = [  # each run: a new optimiser with one of its options and a new schedule with one of its
    (["--optimizer", "adamax", "--betas", "0.8,0.99", "--scheduler", "constant", "--warmup-factor", "0.5"],
     {"optimizer": "adamax", "betas": [0.8, 0.99], "scheduler": "constant", "warmup_factor": 0.5}),
    (["--optimizer", "adadelta", "--rho", "0.8", "--scheduler", "linear", "--total-iters", "3"],
     {"optimizer": "adadelta", "rho": 0.8, "lr": 1.0, "scheduler": "linear", "total_iters": 3}),
    (["--optimizer", "radam", "--decoupled-weight-decay", "--weight-decay", "0.01", "--scheduler", "cyclic",
      "--cycle-mode", "triangular2", "--cycle-epochs", "0.5"],
     {"optimizer": "radam", "decoupled_weight_decay": True, "weight_decay": 0.01, "scheduler": "cyclic",
      "cycle_mode": "triangular2", "cycle_epochs": 0.5}),
    (["--optimizer", "rprop", "--etas", "0.4,1.3", "--batch-size", "full", "--scheduler", "polynomial",
      "--power", "2"], {"optimizer": "rprop", "etas": [0.4, 1.3], "scheduler": "polynomial", "power": 2.0}),
    (["--optimizer", "asgd", "--t0", "10", "--lambd", "0.001", "--scheduler", "cosine_restarts",
      "--restart-period", "2"],
     {"optimizer": "asgd", "t0": 10.0, "lambd": 0.001, "scheduler": "cosine_restarts", "restart_period": 2,
      "period_mult": 1}),
]  # fmt: skip


@pytest.mark.parametrize(("flags", "recorded"), RUNS, ids=[r[0][1] for r in RUNS])
def test_new_entries_train_one_epoch_from_the_cli(run_cli, tmp_path, flags, recorded):
    _ok(run_cli("train", *FAST, *flags, "--out", "r"))
    saved = json.loads((tmp_path / "r/config.json").read_text())["config"]
    for k, v in recorded.items():
        assert saved[k] == v, (k, saved[k], v)
    assert json.loads((tmp_path / "r/metrics.json").read_text())  # the run finished and reported


def test_new_optimisers_default_to_pytorchs_lr():
    names = ("adamax", "adadelta", "radam", "rprop", "asgd", "adafactor")
    assert [OPTIMIZERS.get(n).default(LR) for n in names] == [2e-3, 1.0, 1e-3, 1e-2, 1e-2, 1e-2]
    assert SCHEDULERS.get("cyclic").interval == "batch"


def test_asgd_run_resumes_with_its_scalar_state(run_cli, tmp_path):
    """ASGD keeps eta and mu as 0-d state: the checkpoint carries them and the run continues."""
    _ok(run_cli("train", *FAST, "--optimizer", "asgd", "--t0", "5", "--out", "r"))
    _ok(run_cli("train", "--resume", "r", "--epochs", "2", "--quiet"))
    assert len(json.loads((tmp_path / "r/history.json").read_text())) >= 2


def test_bad_rprop_etas_are_one_line(run_cli):
    line = _err(run_cli("train", *FAST, "--optimizer", "rprop", "--etas", "1.5,1.2", "--out", "r"))
    assert "eta" in line
