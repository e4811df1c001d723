"""Bad input to ``mlplab train / evaluate / predict``: one line on stderr, exit 2, no traceback,
and nothing of an earlier run lost."""

import re

import numpy as np
from train_helpers import err as _err
from train_helpers import ok as _ok
from train_helpers import write_csv

from mlplab.serialization import load

FAST = ["--epochs", "1", "--quiet"]


def test_unknown_names_list_choices(run_cli):
    line = _err(run_cli("train", "--dataset", "mnist", "--quiet"))
    assert "mnist" in line and "digits" in line and "iris" in line
    line = _err(run_cli("train", "--optimizer", "adamx", "--quiet"))
    assert "adamx" in line and "adamax" in line and "sgd" in line
    line = _err(run_cli("train", "--activation", "swishy", "--quiet"))
    assert "swishy" in line and "tanh" in line and "relu" in line


def test_bad_hyper_parameters(run_cli, tmp_path):
    assert "lr" in _err(run_cli("train", "--lr", "0", "--quiet"))
    assert "1.5" in _err(run_cli("train", "--dropout", "1.5", "--quiet"))
    assert "batch-size" in _err(run_cli("train", "--batch-size", "zero", "--quiet"))
    assert "betas" in _err(run_cli("train", "--betas", "0.9,1.0", "--quiet"))
    assert "hidden" in _err(run_cli("train", "--hidden", "50,x", "--quiet"))
    assert "bce" in _err(run_cli("train", "--loss", "bce", "--quiet"))  # digits has 10 classes
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_csv_errors_name_file_line_column(run_cli, tmp_path, small_csv):
    line = _err(run_cli("train", "--data", small_csv, "--target", "nope", "--quiet"))
    assert "small.csv" in line and "nope" in line and "label" in line
    bad = write_csv(tmp_path / "bad.csv", ["a", "b", "y"], [[1, 2, 0], [3, "abc", 1], [1, 1, 0]])
    line = _err(run_cli("train", "--data", bad, "--target", "y", "--quiet"))
    assert "bad.csv" in line and "line 3" in line and "b" in line and "abc" in line
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    line = _err(run_cli("train", "--data", empty, "--target", "y", "--quiet"))
    assert "empty.csv" in line and "empty" in line
    nan = write_csv(tmp_path / "nan.csv", ["a", "y"], [[1, 0], ["nan", 1], [2, 0]])
    line = _err(run_cli("train", "--data", nan, "--target", "y", "--quiet"))
    assert "nan.csv" in line and "line 3" in line and "a" in line
    line = _err(run_cli("train", "--data", tmp_path / "missing.csv", "--target", "y", "--quiet"))
    assert "missing.csv" in line


def test_existing_run_directory_is_never_overwritten(run_cli, tmp_path):
    _ok(run_cli("train", "--dataset", "iris", *FAST, "--out", "keep"))
    before = (tmp_path / "keep/model.npz").read_bytes()
    line = _err(run_cli("train", "--dataset", "iris", *FAST, "--out", "keep"))
    assert "keep" in line and "exists" in line
    assert (tmp_path / "keep/model.npz").read_bytes() == before


def test_damaged_checkpoints_are_refused_when_none_loads(run_cli, tmp_path):
    _ok(run_cli("train", "--dataset", "iris", "--epochs", "2", "--quiet", "--out", "dmg"))
    for name in ("epoch_001.npz", "epoch_002.npz"):
        ck = tmp_path / "dmg/checkpoints" / name
        raw = bytearray(ck.read_bytes())
        if name == "epoch_001.npz":
            ck.write_bytes(bytes(raw[: len(raw) // 2]))  # truncated
        else:
            raw[len(raw) // 2] ^= 0xFF  # one flipped byte
            ck.write_bytes(bytes(raw))
    line = _err(run_cli("train", "--resume", "dmg", "--epochs", "3", "--quiet"))
    assert "epoch_002.npz" in line and "epoch_001.npz" in line


def test_divergence_stops_with_epoch_batch_and_hint(run_cli, tmp_path):
    # the lr grows 1000x per epoch, so the run is healthy for a few epochs and then blows up
    line = _err(
        run_cli(
            "train",
            "--dataset",
            "iris",
            "--optimizer",
            "sgd",
            "--lr",
            "0.01",
            "--activation",
            "relu",
            "--scheduler",
            "exponential",
            "--gamma",
            "1000",
            "--epochs",
            "10",
            "--quiet",
            "--out",
            "nan",
        )
    )
    m = re.search(r"at epoch (\d+), batch (\d+)", line)
    assert m and "learning rate" in line, line
    bad = int(m.group(1))
    assert bad > 1
    kept = sorted(p.name for p in (tmp_path / "nan/checkpoints").glob("epoch_*.npz"))
    assert kept == [f"epoch_{e:03d}.npz" for e in range(1, bad)]
    last = load(tmp_path / f"nan/checkpoints/epoch_{bad - 1:03d}.npz")
    assert last["epoch"] == bad - 1
    assert all(np.isfinite(v.numpy()).all() for v in last["model"].values())


def test_resume_rejects_other_options(run_cli, tmp_path):
    _ok(run_cli("train", "--dataset", "iris", *FAST, "--out", "r"))
    assert "--resume" in _err(run_cli("train", "--resume", "r", "--lr", "0.1"))
    assert "config.json" in _err(run_cli("train", "--resume", "nowhere"))


def test_bad_config_file_values(run_cli, tmp_path):
    (tmp_path / "a.toml").write_text('epochs = "x"\n')
    line = _err(run_cli("train", "--config", "a.toml"))
    assert "a.toml" in line and "epochs" in line and "integer" in line
    (tmp_path / "b.toml").write_text("hidden = 8\n")
    assert "list of integers" in _err(run_cli("train", "--config", "b.toml"))
    (tmp_path / "c.toml").write_text("lr = [\n")
    assert "invalid TOML" in _err(run_cli("train", "--config", "c.toml"))
    (tmp_path / "d.toml").write_text("epochz = 3\n")
    assert "epochz" in _err(run_cli("train", "--config", "d.toml"))
    assert "does not exist" in _err(run_cli("train", "--config", "nowhere.toml"))


def test_predict_errors_are_short(run_cli, tmp_path):
    _ok(run_cli("train", "--dataset", "digits", *FAST, "--out", "dg"))
    write_csv(tmp_path / "x.csv", ["a", "b"], [[1, 2]])
    line = _err(run_cli("predict", "dg", "--data", "x.csv"))
    assert "missing 64 feature column(s)" in line and "and 56 more" in line and len(line) < 400
    assert "config.json" in _err(run_cli("evaluate", "nowhere"))
