"""The report worker process (mlplab.train.report_worker, mlplab.cli.report_process): the same
files and text as a run that computes its report alone, the worker's errors raised as the run's own
would be, a dead worker reported in one line with exit status 2 (the finished epochs kept), and no
worker left behind."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from mlplab import cli
from mlplab.cli import report_process as rp
from mlplab.train import report_worker as rw
from mlplab.train.render import classification_tables

SRC = str(Path(__file__).resolve().parents[2] / "src")
FILES = ("report.txt", "curves.png", "history.csv", "model.npz", "split.npz", "config.json")


def _env(**extra):
    path = os.pathsep.join(p for p in (SRC, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}


def _command(*args):
    return [sys.executable, "-m", "mlplab.cli", "train", *args]


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32"])
@pytest.mark.parametrize("shape", [(7,), (5, 3), (0,), (0, 4)])
def test_arrays_cross_as_json_bit_for_bit(dtype, shape):
    rng = np.random.default_rng(0)
    a = (rng.normal(size=shape) * 1e3).astype(dtype)
    if a.size and a.dtype.kind == "f":
        a.flat[0] = np.nan
    import json

    b = rw.array_from_json(json.loads(json.dumps(rw.array_to_json(a))))
    assert b.dtype == a.dtype and b.shape == a.shape
    assert b.tobytes() == a.tobytes()


@pytest.mark.parametrize("dataset,figure", [("digits", "confusion.png"), ("diabetes", "pred_vs_true.png")])
def test_worker_writes_the_files_the_run_writes_in_process(tmp_path, dataset, figure):
    args = ["--dataset", dataset, "--epochs", "2", "--quiet", "--out"]
    for name, setting in (("worker", "1"), ("inproc", "0")):
        out = subprocess.run(
            _command(*args, name),
            cwd=tmp_path,
            env=_env(MLPLAB_REPORT_WORKER=setting),
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stderr
    for f in (*FILES, figure):
        a, b = (tmp_path / "worker" / f).read_bytes(), (tmp_path / "inproc" / f).read_bytes()
        if f == "history.csv":  # the last column is each epoch's wall time
            a, b = (b"\n".join(r.rsplit(b",", 1)[0] for r in x.splitlines()) for x in (a, b))
        assert a == b, f


def test_the_command_uses_a_worker_by_default_and_not_for_help(monkeypatch, tmp_path):
    started = []

    def fake_start():
        started.append(1)
        return None  # as when no process can be started: the run draws in its own process

    monkeypatch.setattr(rp.ReportWorker, "start", staticmethod(fake_start))
    monkeypatch.delenv("MLPLAB_REPORT_WORKER", raising=False)
    monkeypatch.chdir(tmp_path)
    assert cli._report_worker(["train", "--epochs", "1"], default=True) is None and started == [1]
    for args in (["train", "--help"], ["--help"], ["evaluate", "x"], []):
        assert cli._report_worker(args, default=True) is None
    assert cli._report_worker(["train"], default=False) is None  # main(argv): in process
    monkeypatch.setenv("MLPLAB_REPORT_WORKER", "0")
    assert cli._report_worker(["train"], default=True) is None
    monkeypatch.setenv("MLPLAB_REPORT_WORKER", "1")
    cli._report_worker(["train"], default=False)
    assert started == [1, 1]
    cli.train_command.use_report_worker(None)


def test_the_worker_gives_scikit_learns_tables():
    rng = np.random.default_rng(1)
    y, pred = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    names = ["w", "x", "y", "z"]
    worker = rp.ReportWorker.start()
    assert worker is not None
    try:
        worker.submit({"y": rw.array_to_json(y), "pred": rw.array_to_json(pred), "class_names": names})
        reply = worker.result()
    finally:
        worker.close()
    text, cm = classification_tables(y, pred, names)
    assert reply["text"] == text
    got = rw.array_from_json(reply["cm"])
    assert got.dtype == cm.dtype and np.array_equal(got, cm) and cm.sum() == 50


def test_a_job_error_is_raised_as_the_run_would_raise_it():
    y, pred = np.array([0, 1, 1, 0]), np.array([0, 1, 1])
    with pytest.raises(ValueError) as here:
        classification_tables(y, pred, ["a", "b"])
    worker = rp.ReportWorker.start()
    assert worker is not None
    try:
        worker.submit({"y": rw.array_to_json(y), "pred": rw.array_to_json(pred), "class_names": ["a", "b"]})
        with pytest.raises(ValueError) as there:
            worker.result()
    finally:
        worker.close()
    assert str(there.value) == str(here.value)
    assert worker.proc.poll() is not None


@pytest.mark.parametrize(
    "error",
    [FileNotFoundError(2, "No such file or directory", "/x/y"), OSError("plain"), MemoryError("big")],
)
def test_errors_cross_with_their_type_and_message(error):
    with pytest.raises(type(error)) as e:
        rp._raise(rw.error_record(error))
    assert type(e.value) is type(error) and str(e.value) == str(error)


def test_any_other_error_carries_the_workers_traceback():
    try:
        raise KeyError("deep inside")
    except KeyError as e:
        record = rw.error_record(e)
    with pytest.raises(RuntimeError, match=r"the report worker failed: KeyError: 'deep inside'") as e:
        rp._raise(record)
    assert "Traceback" in str(e.value)


def test_a_worker_killed_before_its_reply_is_one_clear_error():
    worker = rp.ReportWorker.start()
    assert worker is not None
    worker.proc.kill()
    worker.proc.wait()
    zeros = rw.array_to_json(np.zeros(2))
    worker.submit({"y": zeros, "pred": zeros, "class_names": []})
    with pytest.raises(rp.ReportWorkerError, match=r"killed by signal 9 before it wrote the report"):
        worker.result()
    worker.close()


def test_a_dead_worker_exits_2_keeps_the_epochs_and_resume_reports(run_cli, monkeypatch, tmp_path):
    def dying():
        errfile = tempfile.TemporaryFile()
        proc = subprocess.Popen(
            [sys.executable, "-c", "import sys; sys.stderr.write('worker broke\\n'); sys.exit(3)"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errfile,
            text=True,
        )
        return rp.ReportWorker(proc, errfile)

    monkeypatch.setattr(rp.ReportWorker, "start", staticmethod(dying))
    monkeypatch.setenv("MLPLAB_REPORT_WORKER", "1")
    code, _, err = run_cli("train", "--epochs", "2", "--quiet", "--out", "r")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "report worker process" in lines[0] and "exited with status 3" in lines[0]
    assert "worker broke" in lines[0]
    assert "epoch 2 is kept" in lines[0] and "--resume r" in lines[0]
    assert not (tmp_path / "r" / "metrics.json").exists()
    monkeypatch.setenv("MLPLAB_REPORT_WORKER", "0")
    code, _, err = run_cli("train", "--resume", "r", "--quiet")
    assert code == 0, err
    assert (tmp_path / "r" / "report.txt").is_file() and (tmp_path / "r" / "metrics.json").is_file()


def _children(pid):
    """Pids of the processes whose parent is ``pid`` and that run the report worker."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"report_worker import serve" in cmd:
            found.append(int(entry.name))
    return found


def _gone(pid, within=60.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < within:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":  # exited; its new parent has not reaped it yet
            return True
        time.sleep(0.05)
    return False


def _running_with_worker(tmp_path, out):
    args = ["--batch-size", "2", "--epochs", "50", "--quiet", "--out", out]
    proc = subprocess.Popen(
        _command(*args), cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    t0 = time.monotonic()
    workers = []
    while not workers and time.monotonic() - t0 < 60:
        workers = _children(proc.pid)
        time.sleep(0.02)
    assert workers, "no report worker started"
    while not (tmp_path / out / "checkpoints" / "epoch_001.npz").exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() - t0 < 120, "no epoch finished"
        time.sleep(0.02)
    return proc, workers[0]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_ctrl_c_ends_the_worker_with_the_run(tmp_path):
    proc, worker = _running_with_worker(tmp_path, "r")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert b"Resume with: mlplab train --resume r" in err
    assert _gone(worker)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_killed_run_leaves_no_worker(tmp_path):
    proc, worker = _running_with_worker(tmp_path, "r")
    proc.kill()
    proc.wait()
    assert _gone(worker)  # its standard input closed: it exits without a job


def test_not_a_tty_prints_the_same_report(tmp_path):
    outs = []
    for name, setting in (("a", "1"), ("b", "0")):
        out = subprocess.run(
            _command("--epochs", "2", "--out", name),
            cwd=tmp_path,
            env=_env(MLPLAB_REPORT_WORKER=setting),
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stderr
        outs.append(out.stdout)
    report = (tmp_path / "a" / "report.txt").read_text().rstrip()
    assert report in outs[0] and report in outs[1]


def test_the_cli_package_imports_typer_only_when_a_command_runs():
    probe = (
        "import sys, mlplab.cli as c\n"
        "before = 'typer' in sys.modules or 'mlplab.train' in sys.modules\n"
        "import typer\n"
        "print(before, isinstance(c.app, typer.Typer), c.train_command.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=_env(), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True", "mlplab.cli.train_command"]


def test_a_command_process_ends_with_its_status_and_all_its_output(capsys):
    # a command process skips the interpreter's teardown (mlplab.cli._end_process): its status and
    # every line it printed must still come out, through a pipe
    with pytest.raises(SystemExit) as e:
        cli.main(["--help"])
    assert e.value.code == 0
    in_process = capsys.readouterr().out
    helped = subprocess.run(
        [sys.executable, "-m", "mlplab.cli", "--help"], env=_env(), capture_output=True, text=True
    )
    assert helped.returncode == 0 and helped.stdout == in_process and in_process.count("\n") > 5
    bad = subprocess.run(_command("--epochs", "0", "--quiet"), env=_env(), capture_output=True, text=True)
    assert bad.returncode == 2
    assert bad.stderr == "mlplab: error: --epochs must be a finite number >= 1, got 0\n"


def test_with_a_worker_the_runs_process_imports_no_scikit_learn_or_scipy(tmp_path):
    probe = (
        "import json, sys\n"
        "from mlplab.cli import main\n"
        "try:\n"
        "    main(['train', '--epochs', '1', '--quiet', '--out', 'r'])\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    env = _env(MLPLAB_REPORT_WORKER="1", MLPLAB_CACHE_DIR=str(tmp_path / "cache"))
    for _ in range(2):  # the first run fills the data cache (scikit-learn's datasets)
        out = subprocess.run(
            [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        shutil.rmtree(tmp_path / "r")
    modules = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert "matplotlib.figure" in modules  # the probe sees what the run imported
    assert not {m for m in modules if m.split(".")[0] in ("sklearn", "torch")}
    assert not {m for m in modules if m.startswith("scipy.linalg") and m != "scipy.linalg._fblas"}
