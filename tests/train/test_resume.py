"""``mlplab train --resume``: a run continued from its checkpoints is bit-identical to one
run straight through, whatever its optimiser, schedule or early stopping."""

import json

import numpy as np
import pytest
from train_helpers import err as _err
from train_helpers import ok as _ok

from mlplab.serialization import load

FAST = ["--epochs", "1", "--quiet"]


def test_resume_continues_bit_identically(run_cli, tmp_path):
    args = [
        "--dataset",
        "iris",
        "--dropout",
        "0.2",
        "--lr",
        "0.01",
        "--scheduler",
        "step",
        "--step-size",
        "2",
        "--quiet",
    ]
    _ok(run_cli("train", *args, "--epochs", "5", "--out", "full"))
    _ok(run_cli("train", *args, "--epochs", "2", "--out", "part"))
    _ok(run_cli("train", "--resume", "part", "--epochs", "5", "--quiet"))
    a, b = load(tmp_path / "full/model.npz"), load(tmp_path / "part/model.npz")
    assert all(np.array_equal(a[k].numpy(), b[k].numpy()) for k in a)
    ha = json.loads((tmp_path / "full/history.json").read_text())
    hb = json.loads((tmp_path / "part/history.json").read_text())
    assert [r["train_loss"] for r in ha] == [r["train_loss"] for r in hb]


@pytest.mark.parametrize(
    "extra",
    [
        ["--scheduler", "plateau", "--plateau-patience", "0", "--factor", "0.5", "--optimizer", "rmsprop"],
        ["--scheduler", "onecycle", "--max-lr", "0.05", "--batchnorm"],
        ["--early-stopping", "3", "--optimizer", "nadam", "--scheduler", "multistep", "--milestones", "2,4"],
        ["--optimizer", "lbfgs", "--lr", "0.2", "--batch-size", "full"],
    ],
)
def test_resume_bit_identical_for_stateful_schedules(run_cli, tmp_path, extra):
    args = ["--dataset", "wine", "--lr", "0.01", *extra, "--epochs", "6", "--quiet"]
    _ok(run_cli("train", *args, "--out", "full"))
    _ok(run_cli("train", *args, "--out", "part"))
    # as if the process had been killed during epoch 4: only epochs 1-3 were saved
    for f in [
        "model.npz",
        "checkpoints/epoch_004.npz",
        "checkpoints/epoch_005.npz",
        "checkpoints/epoch_006.npz",
    ]:
        (tmp_path / "part" / f).unlink(missing_ok=True)
    _ok(run_cli("train", "--resume", "part", "--quiet"))
    a, b = load(tmp_path / "full/model.npz"), load(tmp_path / "part/model.npz")
    assert all(np.array_equal(a[k].numpy(), b[k].numpy()) for k in a)
    ha = json.loads((tmp_path / "full/history.json").read_text())
    hb = json.loads((tmp_path / "part/history.json").read_text())
    assert [(r["train_loss"], r["lr"]) for r in ha] == [(r["train_loss"], r["lr"]) for r in hb]


def test_resume_cannot_stretch_a_one_cycle_schedule(run_cli, tmp_path):
    _ok(
        run_cli(
            "train", "--dataset", "iris", "--scheduler", "onecycle", "--epochs", "2", "--quiet", "--out", "oc"
        )
    )
    line = _err(run_cli("train", "--resume", "oc", "--epochs", "4", "--quiet"))
    assert "onecycle" in line and "--epochs" in line
