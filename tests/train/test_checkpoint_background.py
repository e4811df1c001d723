"""Checkpoint files are written in a background thread while the next epoch trains: a file holds
the state as it was when its epoch ended, a failed write is raised in the training thread, and
whoever asks what is on disk sees every finished epoch's file."""

import errno
import os
import threading

import numpy as np
import pytest

import mlplab
from mlplab import nn
from mlplab.serialization import load, save
from mlplab.train import checkpoint, files
from mlplab.train.checkpoint import Checkpoints
from mlplab.train.loop import TrainState


def _checkpoints(tmp_path):
    mlplab.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    opt = mlplab.optim.Adam(model.parameters(), lr=0.1)
    x, y = mlplab.randn(8, 3), mlplab.tensor([0, 1] * 4)
    nn.functional.cross_entropy(model(x), y).backward()
    opt.step()
    state = TrainState(epoch=1, history=[{"epoch": 1, "train_loss": 1.0}])
    return Checkpoints(tmp_path / "ck", model, opt, None, mlplab.Generator().manual_seed(1), state), model


def test_file_holds_the_state_at_save_time(tmp_path, monkeypatch):
    ck, model = _checkpoints(tmp_path)
    release = threading.Event()
    real_write = checkpoint.durable_write

    def held_write(path, data):
        release.wait()
        real_write(path, data)

    monkeypatch.setattr(checkpoint, "durable_write", held_write)
    expected = {k: v._data.copy() for k, v in model.state_dict().items()}
    ck.save(None, 1, {"train_loss": 1.0})
    with mlplab.no_grad():  # the next epoch changes the weights while the file is not yet written
        for p in model.parameters():
            p.add_(1.0)
    release.set()
    ck.wait()
    got = load(tmp_path / "ck" / "epoch_001.npz")["model"]
    for k, v in expected.items():
        assert np.array_equal(got[k]._data, v), k
    best = load(tmp_path / "ck" / "best.npz")
    assert best["epoch"] == 1 and np.array_equal(best["model"]["0.weight"]._data, expected["0.weight"])


def test_written_bytes_equal_mlplab_save(tmp_path):
    ck, model = _checkpoints(tmp_path)
    ck.save(None, 1, {"train_loss": 1.0})
    ck.wait()
    save(ck.snapshot(), tmp_path / "direct.npz")
    assert (tmp_path / "ck" / "epoch_001.npz").read_bytes() == (tmp_path / "direct.npz").read_bytes()


def test_saved_epoch_waits_for_the_write_in_flight(tmp_path, monkeypatch):
    ck, _ = _checkpoints(tmp_path)
    started = threading.Event()
    release = threading.Event()
    real_write = checkpoint.durable_write

    def slow_write(path, data):
        started.set()
        release.wait()
        real_write(path, data)

    monkeypatch.setattr(checkpoint, "durable_write", slow_write)
    ck.save(None, 1, {"train_loss": 1.0})
    started.wait()
    threading.Timer(0.05, release.set).start()  # released only after saved_epoch began waiting
    assert ck.saved_epoch() == 1


def test_a_failed_write_is_raised_by_the_next_save_and_leaves_no_file(tmp_path, monkeypatch):
    ck, _ = _checkpoints(tmp_path)
    err = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def full_disk(src, dst):
        raise err

    monkeypatch.setattr(files.os, "replace", full_disk)
    ck.save(None, 1, {"train_loss": 1.0})
    with pytest.raises(OSError) as e:
        ck.save(None, 2, {"train_loss": 0.5})
    assert e.value is err
    assert ck.saved_epoch() == 0 and not list((tmp_path / "ck").iterdir())  # no temporary file left


def test_wait_raises_and_settle_swallows(tmp_path, monkeypatch):
    ck, _ = _checkpoints(tmp_path)

    def denied(path, data):
        raise PermissionError(errno.EACCES, "denied")

    monkeypatch.setattr(checkpoint, "durable_write", denied)
    ck.save(None, 1, {"train_loss": 1.0})
    with pytest.raises(PermissionError):
        ck.wait()
    ck.wait()  # reported once
    ck.save(None, 2, {"train_loss": 1.0})
    ck.settle()  # a failing run reports its own error, not this one
    ck.wait()


class _Trainer:  # what History reads of a Trainer
    def __init__(self, rows):
        self.state = TrainState(epoch=len(rows), history=rows)


def test_history_is_written_in_the_background_and_complete_at_the_end(tmp_path, monkeypatch):
    from mlplab.train import callbacks

    release = threading.Event()
    real = callbacks._write_history_texts

    def held(*a):
        release.wait()
        real(*a)

    monkeypatch.setattr(callbacks, "_write_history_texts", held)
    cb = callbacks.History(tmp_path)
    rows = [{"epoch": 1, "train_loss": 0.5}]
    trainer = _Trainer(rows)
    cb.on_epoch_end(trainer, 1, rows[0])  # returns while the write waits
    assert not (tmp_path / "history.csv").exists()
    rows.append({"epoch": 2, "train_loss": 0.25, "val_loss": 0.3})  # the next epoch's row
    release.set()
    cb.on_epoch_end(trainer, 2, rows[1])
    cb.on_train_end(trainer)
    assert (tmp_path / "history.csv").read_text().splitlines() == [
        "epoch,train_loss,val_loss",
        "1,0.5,",
        "2,0.25,0.3",
    ]
    import json

    assert json.loads((tmp_path / "history.json").read_text()) == rows


def test_a_failed_history_write_is_raised_at_the_end_of_training(tmp_path, monkeypatch):
    from mlplab.train import callbacks

    def full(*a):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "history.csv"))

    monkeypatch.setattr(callbacks, "_write_history_texts", full)
    trainer = _Trainer([{"epoch": 1, "train_loss": 0.5}])
    cb = callbacks.History(tmp_path)
    cb.on_epoch_end(trainer, 1, trainer.state.history[0])
    with pytest.raises(OSError) as e:
        cb.on_train_end(trainer)
    assert e.value.errno == errno.ENOSPC
    cb.on_epoch_end(trainer, 1, trainer.state.history[0])
    cb.on_exception(trainer, RuntimeError("the run's own error"))  # a failing run: no second error
