"""The garbage-collector settings of the ``mlplab`` program (mlplab.cli.command): full collections
made rarer there and only there, the report worker without the cyclic collector, and a run's files
the same with and without the setting."""

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlplab import cli
from mlplab.cli import report_process as rp

SRC = str(Path(__file__).resolve().parents[2] / "src")
FILES = ("report.txt", "curves.png", "confusion.png", "history.csv", "model.npz", "split.npz", "config.json")


def _env(**extra):
    path = os.pathsep.join(p for p in (SRC, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}


def _python(code, *args, cwd=None, **env):
    out = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, env=_env(**env), capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def _fresh_thresholds():
    return tuple(json.loads(_python("import gc, json; print(json.dumps(gc.get_threshold()))")))


def test_the_setting_makes_full_collections_rarer_than_pythons_default():
    g0, g1, g2 = _fresh_thresholds()
    assert cli.FULL_COLLECTION_EVERY > g2 and isinstance(cli.FULL_COLLECTION_EVERY, int)


def test_importing_the_library_and_its_cli_leaves_the_collector_alone():
    default = _fresh_thresholds()
    code = (
        "import gc, json, mlplab, mlplab.cli, mlplab.cli.entry\n"
        "print(json.dumps([gc.get_threshold(), gc.isenabled()]))"
    )
    thresholds, enabled = json.loads(_python(code))
    assert tuple(thresholds) == default and enabled


def test_the_command_sets_the_full_collection_threshold_before_it_runs():
    g0, g1, _ = _fresh_thresholds()
    code = (
        "import gc, json, sys, mlplab.cli as c\n"
        "before = gc.get_threshold()\n"
        "c.main = lambda: print(json.dumps([before, gc.get_threshold(), gc.isenabled()]))\n"
        "c.command()"
    )
    before, during, enabled = json.loads(_python(code))
    assert tuple(before) == _fresh_thresholds()
    assert tuple(during) == (g0, g1, cli.FULL_COLLECTION_EVERY) and enabled


@pytest.fixture
def restore_gc():
    saved = gc.get_threshold()
    yield
    gc.set_threshold(*saved)


def test_main_alone_leaves_the_collector_alone(monkeypatch, restore_gc):
    from mlplab.cli import entry

    monkeypatch.delenv("MLPLAB_REPORT_WORKER", raising=False)
    before, seen = gc.get_threshold(), []
    monkeypatch.setattr(entry, "run_command_line", lambda args: seen.append(gc.get_threshold()))
    cli.main(["train", "--epochs", "1"])
    assert seen == [before] and gc.get_threshold() == before


def test_the_report_worker_runs_without_the_cyclic_collector():
    head, tail = rp._BOOT.rsplit("sys.exit(serve())", 1)
    assert not tail.strip()
    # the worker's own boot lines, its imports (scikit-learn's metrics) done, then the collector's state
    probe = head + (
        "from mlplab.train.report_worker import _warm_up\n"
        "_warm_up()\n"
        "import gc as probe\n"
        "print(probe.isenabled())\n"
    )
    assert _python(probe, SRC).split() == ["False"]


def test_a_runs_files_are_the_same_with_and_without_the_setting(tmp_path):
    args = ["train", "--epochs", "3", "--quiet", "--out"]
    # the program as installed, and the same program with Python's default thresholds
    subprocess.run([sys.executable, "-m", "mlplab.cli", *args, "rare"], cwd=tmp_path, env=_env(), check=True)
    default = (
        "import gc, sys, mlplab.cli as c\n"
        "c._collect_rarely = lambda: None\n"
        "sys.argv = ['mlplab', *sys.argv[1:]]\n"
        "c.command()"
    )
    _python(default, *args, "default", cwd=tmp_path)
    for f in FILES:
        a, b = (tmp_path / "rare" / f).read_bytes(), (tmp_path / "default" / f).read_bytes()
        if f == "history.csv":  # the last column is each epoch's wall time
            a, b = (b"\n".join(r.rsplit(b",", 1)[0] for r in x.splitlines()) for x in (a, b))
        assert a == b, f
    rare, dflt = (json.loads((tmp_path / d / "metrics.json").read_text()) for d in ("rare", "default"))
    rare.pop("train_seconds"), dflt.pop("train_seconds")
    assert rare == dflt and rare["epochs"] == 3
