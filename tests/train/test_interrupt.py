"""Ctrl-C and SIGKILL during training: the last finished epoch is kept and ``--resume`` ends with
weights bit-identical to an uninterrupted run."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from mlplab.serialization import load

ARGS = [
    "train",
    "--dataset",
    "digits",
    "--batch-size",
    "2",
    "--epochs",
    "6",
    "--dropout",
    "0.1",
    "--scheduler",
    "cosine",
    "--quiet",
]


def _start(tmp_path, out):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "mlplab.cli", *ARGS, "--out", out],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(path, proc, timeout=120):
    t0 = time.time()
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.time() - t0 < timeout, "no checkpoint appeared"
        time.sleep(0.02)


def _reference(tmp_path):
    ref = subprocess.run(
        [sys.executable, "-m", "mlplab.cli", *ARGS, "--out", "ref"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert ref.returncode == 0, ref.stderr
    return load(tmp_path / "ref/model.npz")


def _resume_and_compare(tmp_path, out, ref):
    res = subprocess.run(
        [sys.executable, "-m", "mlplab.cli", "train", "--resume", out, "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    got = load(tmp_path / out / "model.npz")
    for k in ref:
        assert np.array_equal(ref[k].numpy(), got[k].numpy()), k
    a = json.loads((tmp_path / "ref/history.json").read_text())
    b = json.loads((tmp_path / out / "history.json").read_text())
    assert [r["train_loss"] for r in a] == [r["train_loss"] for r in b]


@pytest.mark.slow
def test_ctrl_c_saves_prints_resume_and_exits_130(tmp_path):
    ref = _reference(tmp_path)
    proc = _start(tmp_path, "int")
    _wait_for(tmp_path / "int/checkpoints/epoch_002.npz", proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "mlplab train --resume int" in err
    assert "epoch" in err and "saved" in err
    assert "Traceback" not in err
    _resume_and_compare(tmp_path, "int", ref)


@pytest.mark.slow
def test_sigkill_mid_epoch_then_resume_is_bit_identical(tmp_path):
    ref = _reference(tmp_path)
    proc = _start(tmp_path, "kill")
    _wait_for(tmp_path / "kill/checkpoints/epoch_002.npz", proc)
    time.sleep(0.05)
    proc.kill()
    proc.communicate(timeout=30)
    ckpt = tmp_path / "kill/checkpoints"
    for path in ckpt.glob("*.npz"):  # a kill mid-write may leave a temporary, never a partial file
        load(path)
    _resume_and_compare(tmp_path, "kill", ref)
    assert not list(ckpt.glob(".*.tmp"))  # the resumed run removed what the killed writer left
