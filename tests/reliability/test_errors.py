"""Resource and file errors end with one line and exit 2, never a traceback."""

import json

import numpy as np
from rel_helpers import FAST, ok, one_line

from mlplab.serialization import load, save


def test_huge_hidden_layer_is_out_of_memory_not_a_traceback(run_cli, tmp_path):
    line = one_line(run_cli("train", "--dataset", "iris", "--hidden", "1000000000000", "--out", "r"))
    assert "memory" in line.lower() or "too big" in line
    assert not (tmp_path / "r").exists()


def test_out_below_a_regular_file(run_cli, tmp_path):
    (tmp_path / "f").write_text("x")
    line = one_line(run_cli("train", *FAST, "--out", "f/sub"))
    assert "f is a file" in line and "expected a directory" in line


def test_model_that_does_not_fit_config_in_evaluate(run_cli, fresh_run):
    state = load(fresh_run / "model.npz")
    state = {k: np.zeros((3, 3), dtype=np.float32) for k in state}
    save(state, fresh_run / "model.npz")
    line = one_line(run_cli("evaluate", fresh_run))
    assert "model.npz does not fit" in line


def test_checkpoint_that_does_not_fit_config_in_resume(run_cli, fresh_run):
    cfg = json.loads((fresh_run / "config.json").read_text())
    cfg["config"]["hidden"] = [7]
    (fresh_run / "config.json").write_text(json.dumps(cfg))
    (fresh_run / "metrics.json").unlink()
    line = one_line(run_cli("train", "--resume", fresh_run, "--epochs", "3", "--quiet"))
    assert "no checkpoint" in line and "epoch_002.npz" in line


def test_config_json_without_its_config_key_or_a_list(run_cli, fresh_run):
    (fresh_run / "config.json").write_text(json.dumps({"task": "classification"}))
    assert "'config'" in one_line(run_cli("evaluate", fresh_run))
    assert "'config'" in one_line(run_cli("train", "--resume", fresh_run))
    (fresh_run / "config.json").write_text("[1, 2]")
    assert "got a JSON list" in one_line(run_cli("evaluate", fresh_run))


def test_config_json_missing_a_fact(run_cli, fresh_run):
    cfg = json.loads((fresh_run / "config.json").read_text())
    del cfg["n_features"]
    (fresh_run / "config.json").write_text(json.dumps(cfg))
    assert "n_features" in one_line(run_cli("evaluate", fresh_run))


class _ClosedPipe:
    """Standard output whose reader went away (``| head -1``) after ``keep`` writes."""

    def __init__(self, keep=1):
        self.keep = keep

    def write(self, s):
        if self.keep <= 0:
            raise BrokenPipeError(32, "Broken pipe")
        self.keep -= 1
        return len(s)

    def flush(self):
        if self.keep <= 0:
            raise BrokenPipeError(32, "Broken pipe")

    def isatty(self):
        return False


def test_broken_stdout_keeps_training(monkeypatch, tmp_path, capsys):
    """Decision: a closed stdout does not stop a run; output is dropped and the run finishes."""
    from rel_helpers import call

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdout", _ClosedPipe(1))
    code = call("train", "--dataset", "iris", "--epochs", "3", "--hidden", "4", "--out", "r")
    assert code == 0
    assert (tmp_path / "r/model.npz").is_file() and (tmp_path / "r/metrics.json").is_file()
    assert json.loads((tmp_path / "r/metrics.json").read_text())["epochs"] == 3
    assert "Traceback" not in capsys.readouterr().err


def test_ok_run_still_prints(run_cli):
    out, _ = ok(run_cli("train", "--dataset", "iris", "--epochs", "1", "--hidden", "4", "--out", "r"))
    assert "test: loss" in out
