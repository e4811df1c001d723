"""File-system faults injected in-process (ENOSPC, EACCES, MemoryError, a failing TensorBoard
close): one line, exit 2, the last finished epoch kept, and the process always exits."""

import errno
import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from rel_helpers import FAST, one_line

from mlplab.serialization import load
from mlplab.train.callbacks import close_writer


def _fail_nth(monkeypatch, module, name, n, exc):
    """Make ``module.name`` raise ``exc`` from its ``n``-th call on."""
    real = getattr(module, name)
    calls = {"n": 0}

    def fake(*a, **k):
        calls["n"] += 1
        if calls["n"] >= n:
            raise exc
        return real(*a, **k)

    monkeypatch.setattr(module, name, fake)
    return calls


def _epochs_kept(run):
    files = sorted((run / "checkpoints").glob("epoch_*.npz"))
    for f in files:
        load(f)  # each verifies
    return len(files)


@pytest.mark.parametrize("nth", [3, 6, 9, 12])
@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EACCES])
def test_os_replace_fails_during_training(run_cli, monkeypatch, tmp_path, nth, err):
    exc = OSError(err, os.strerror(err), "somefile")
    _fail_nth(monkeypatch, os, "replace", nth, exc)
    args = ("train", "--dataset", "iris", "--epochs", "4", "--quiet", "--hidden", "4", "--out", "r")
    line = one_line(run_cli(*args))
    assert os.strerror(err) in line
    run = tmp_path / "r"
    kept = _epochs_kept(run) if run.exists() else 0
    if kept:
        assert f"epoch {kept} is kept" in line and "--resume" in line
        monkeypatch.undo()
        monkeypatch.chdir(tmp_path)
        code, _, err_text = run_cli("train", "--resume", "r", "--quiet")
        assert code == 0, err_text
    else:
        assert not run.exists()  # nothing finished: no partly written run directory


def test_memory_error_during_an_epoch_keeps_the_last_one(run_cli, monkeypatch, tmp_path):
    from mlplab.train import loop

    _fail_nth(monkeypatch, loop.Trainer, "_step", 9, MemoryError())  # epoch 3, batch 1
    line = one_line(
        run_cli("train", "--dataset", "iris", "--epochs", "4", "--quiet", "--batch-size", "32", "--out", "r")
    )
    assert "out of memory" in line and "epoch 2 is kept" in line


def test_open_fails_with_enospc_when_writing_the_config(run_cli, monkeypatch, tmp_path):
    from mlplab.train import files

    monkeypatch.setattr(
        files.os,
        "fdopen",
        lambda *a, **k: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device")),
    )
    line = one_line(run_cli("train", *FAST, "--out", "r"))
    assert "No space left" in line
    assert not (tmp_path / "r").exists()


class _Queue:
    def __init__(self):
        self.cancelled = self.closed = False

    def cancel_join_thread(self):
        self.cancelled = True

    def close(self):
        self.closed = True


class _EventWriter:
    def __init__(self):
        self._event_queue = _Queue()
        self._closed = False


class _FileWriter:
    def __init__(self):
        self.event_writer = _EventWriter()


class _BadWriter:
    def __init__(self):
        self.all_writers = {"x": _FileWriter()}
        self.file_writer = None

    def close(self):
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failing_writer_close_cancels_its_threads():
    w = _BadWriter()
    ev = w.all_writers["x"].event_writer
    q = ev._event_queue
    with pytest.raises(OSError):
        close_writer(w)
    assert q.cancelled and q.closed and ev._closed and w.all_writers is None


SCRIPT = textwrap.dedent(
    """
    import errno, os, sys
    real = os.replace
    n = {"calls": 0}
    def full(*a, **k):
        n["calls"] += 1
        if n["calls"] > 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*a, **k)
    os.replace = full
    real_write = os.write
    from mlplab.cli import main
    main(["train", "--dataset", "iris", "--epochs", "5", "--quiet", "--hidden", "4", "--out", "r"])
    """
)


def test_a_full_disk_process_always_exits(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    p = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert p.returncode == 2, p.stderr
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "No space left" in lines[0], p.stderr


@pytest.mark.slow
def test_sigterm_keeps_the_last_epoch_and_exits_130(tmp_path):
    """SIGTERM once an epoch is saved: that epoch is kept, the resume command printed, exit 130.

    The signal is sent only once the condition holds (the first checkpoint on disk, so the
    handler is installed and an epoch is finished), never after a fixed wait: under load a
    timed wait could land during start-up (killed by the default handler, exit -15) or before
    the first epoch (nothing to resume). The run is long enough that it cannot finish first.
    """
    import signal

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    args = ["train", "--dataset", "iris", "--epochs", "100000", "--batch-size", "1", "--quiet", "--out", "r"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlplab.cli", *args], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    )
    first = tmp_path / "r/checkpoints/epoch_001.npz"
    start = time.monotonic()
    while not first.exists():
        if proc.poll() is not None:
            pytest.fail(
                f"training ended (exit {proc.returncode}) before its first checkpoint: {proc.stderr.read()}"
            )
        if time.monotonic() - start > 600:
            proc.kill()
            pytest.fail(f"no checkpoint after 600 s: {proc.communicate()[1]}")
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, f"exit {proc.returncode}: {err}"
    assert "Resume with: mlplab train --resume r" in err and "Traceback" not in err
    saved = sorted(p.name for p in (tmp_path / "r/checkpoints").glob("epoch_*.npz"))
    assert saved and f"epoch {int(saved[-1][6:9])} is saved" in err, (saved, err)


class _StuckWriter(_BadWriter):
    """A writer whose close waits forever, as tensorboardX's does when an interrupt landed inside
    its queue and the message that stops its worker thread was lost."""

    def close(self):
        threading.Event().wait()


def test_a_writer_close_that_never_returns_is_abandoned_after_the_timeout():
    w = _StuckWriter()
    ev = w.all_writers["x"].event_writer
    q = ev._event_queue
    start = time.monotonic()
    close_writer(w, timeout=0.2)
    assert time.monotonic() - start < 5
    # the queue stays open: the writer's own worker thread may still be reading it
    assert q.cancelled and not q.closed and ev._closed and w.all_writers is None


def test_a_writer_close_that_fails_within_the_timeout_still_raises():
    w = _BadWriter()
    with pytest.raises(OSError, match="No space left"):
        close_writer(w, timeout=5)
    assert w.all_writers is None


class _InterruptedWriter(_BadWriter):
    """A close interrupted (Ctrl-C, SIGTERM) while tensorboardX joined its worker thread: the
    thread is still alive and reading the queue."""

    def close(self):
        raise KeyboardInterrupt


def test_an_interrupted_close_leaves_the_queue_of_a_live_worker_thread_open():
    w = _InterruptedWriter()
    ev = w.all_writers["x"].event_writer
    q = ev._event_queue
    stop = threading.Event()
    ev._worker = threading.Thread(target=stop.wait, daemon=True)
    ev._worker.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            close_writer(w)
        assert q.cancelled and not q.closed and ev._closed and w.all_writers is None
    finally:
        stop.set()
        ev._worker.join()
