"""A run directory is claimed atomically and locked; resume of a finished run changes nothing;
Ctrl-C before the first epoch leaves no run directory; checkpoints fall back to one that loads."""

import json

from rel_helpers import FAST, ok, one_line

from mlplab.train import loop
from mlplab.train.files import RunLock, atomic_open


def _snapshot(run):
    return {p.relative_to(run): p.read_bytes() for p in sorted(run.rglob("*")) if p.is_file()}


def test_a_second_run_on_a_locked_directory_is_refused(run_cli, tmp_path):
    (tmp_path / "r").mkdir()
    with RunLock(tmp_path / "r"):  # as if another process were starting a run there
        line = one_line(run_cli("train", *FAST, "--out", "r"))
    assert "in use by another mlplab process" in line
    assert [p.name for p in (tmp_path / "r").iterdir()] == [".lock"]


def test_a_resume_of_a_locked_run_is_refused(run_cli, fresh_run):
    before = _snapshot(fresh_run)
    with RunLock(fresh_run):
        line = one_line(run_cli("train", "--resume", fresh_run, "--epochs", "4"))
    assert "in use" in line
    assert _snapshot(fresh_run) == before


def test_the_lock_is_free_again_after_a_run(run_cli, fresh_run):
    RunLock(fresh_run).acquire().release()
    assert "finished" in ok(run_cli("train", "--resume", fresh_run))[0]


def test_temporary_files_are_unique_per_writer(tmp_path):
    with atomic_open(tmp_path / "x.json") as a, atomic_open(tmp_path / "x.json") as b:
        assert a.name != b.name
        a.write("a")
        b.write("b")
    assert (tmp_path / "x.json").read_text() in ("a", "b")
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_taking_the_lock_removes_temporaries_a_killed_writer_left(tmp_path):
    (tmp_path / "checkpoints").mkdir()
    left = [tmp_path / ".history.json.k2_9xq0a.tmp", tmp_path / "checkpoints/.best.npz.0nvo5byz.tmp"]
    kept = [tmp_path / "notes.tmp", tmp_path / ".x.tmp", tmp_path / "checkpoints/epoch_001.npz"]
    for p in left + kept:
        p.write_bytes(b"partial")
    with RunLock(tmp_path):
        assert [p.exists() for p in left] == [False, False]
        assert [p.exists() for p in kept] == [True, True, True]


def test_resume_of_a_finished_run_changes_nothing(run_cli, fresh_run):
    before = _snapshot(fresh_run)
    out, _ = ok(run_cli("train", "--resume", fresh_run))
    assert "is finished" in out and "nothing to resume" in out
    assert _snapshot(fresh_run) == before


def test_epochs_below_the_epochs_done_are_refused(run_cli, fresh_run):
    before = _snapshot(fresh_run)
    line = one_line(run_cli("train", "--resume", fresh_run, "--epochs", "1"))
    assert "--epochs 1 is below the 2 epochs" in line
    assert _snapshot(fresh_run) == before
    assert json.loads((fresh_run / "config.json").read_text())["config"]["epochs"] == 2


def test_a_finished_run_can_train_longer(run_cli, fresh_run):
    ok(run_cli("train", "--resume", fresh_run, "--epochs", "3", "--quiet"))
    assert json.loads((fresh_run / "metrics.json").read_text())["epochs"] == 3


def test_ctrl_c_before_the_first_epoch_leaves_no_run_directory(run_cli, monkeypatch, tmp_path):
    def interrupted(self, *a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(loop.Trainer, "_step", interrupted)
    code, _, err = run_cli("train", *FAST, "--out", "r")
    assert code == 130
    assert "before the first epoch" in err and "removed r" in err
    assert not (tmp_path / "r").exists()


def test_checkpoint_fallback_says_which_it_used(run_cli, fresh_run):
    (fresh_run / "metrics.json").unlink()
    ck = fresh_run / "checkpoints/epoch_002.npz"
    ck.write_bytes(ck.read_bytes()[:-100])  # truncated: the zip's directory is lost
    code, out, err = run_cli("train", "--resume", fresh_run, "--epochs", "3")
    assert code == 0, err
    assert "skipped checkpoint epoch_002.npz" in err and "using epoch_001.npz" in err
    assert "resuming" in out and "after epoch 1" in out
    assert json.loads((fresh_run / "metrics.json").read_text())["epochs"] == 3
