"""The same grid gives the same numbers whichever executor runs it: --jobs 1, --jobs 2 and a Dask
LocalCluster on 127.0.0.1 write identical summaries (timing columns aside); --report rebuilds the
same summary without training; the same command again repeats nothing; a run cut mid-way resumes
bit for bit."""

from __future__ import annotations

import json

import numpy as np
import pytest
from compare_helpers import TINY, main, summary

from mlplab.serialization import load

GRID = ["compare", "--optimizer", "sgd,adam", "--lr", "0.05", "--seeds", "2", *TINY]


@pytest.fixture(scope="module")
def jobs1(tmp_path_factory):
    """The 2 optimisers x 2 seeds grid run with --jobs 1."""
    cwd = tmp_path_factory.mktemp("jobs1")
    code, out, err = main(*GRID, "--jobs", "1", "--out", "g", cwd=cwd)
    assert code == 0, err
    return cwd / "g"


def _histories(root):
    return {p.parent.name: json.loads(p.read_text()) for p in sorted((root / "runs").glob("*/history.json"))}


@pytest.mark.slow
def test_jobs_1_and_jobs_2_give_identical_summaries(jobs1, tmp_path):
    code, out, err = main(*GRID, "--jobs", "2", "--out", "g", cwd=tmp_path)
    assert code == 0, err
    a, b = summary(jobs1 / "summary.csv"), summary(tmp_path / "g" / "summary.csv")
    assert [r["config"] for r in a] == ["optimizer=sgd", "optimizer=adam"]
    assert a == b
    assert a[0]["test_acc_mean"] != a[1]["test_acc_mean"]  # the two optimisers really differ
    # every epoch of every run, not only the summary
    strip = {
        k: [{m: v for m, v in r.items() if m != "time"} for r in h] for k, h in _histories(jobs1).items()
    }
    assert strip == {
        k: [{m: v for m, v in r.items() if m != "time"} for r in h]
        for k, h in _histories(tmp_path / "g").items()
    }


@pytest.mark.slow
def test_a_dask_local_cluster_gives_the_same_summary(jobs1, tmp_path):
    import distributed  # the test extra brings it (mlplab[dask] for users)

    with distributed.LocalCluster(
        host="127.0.0.1",
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        protocol="tcp",
        dashboard_address=None,
    ) as cluster:
        code, out, err = main(
            *GRID, "--dask-scheduler", cluster.scheduler_address, "--out", "g", cwd=tmp_path
        )
    assert code == 0, err
    assert summary(jobs1 / "summary.csv") == summary(tmp_path / "g" / "summary.csv")


def test_summary_numbers_are_the_runs_own(jobs1):
    rows = {r["config"]: r for r in summary(jobs1 / "summary.csv")}
    for opt in ("sgd", "adam"):
        runs = [jobs1 / "runs" / f"optimizer={opt},seed={s}" for s in (0, 1)]
        test = [json.loads((r / "metrics.json").read_text())["test"]["acc"] for r in runs]
        hist = [json.loads((r / "history.json").read_text()) for r in runs]
        row = rows[f"optimizer={opt}"]
        assert float(row["test_acc_mean"]) == float(np.mean(test))
        assert float(row["test_acc_std"]) == float(np.std(test, ddof=1))
        assert float(row["final_val_loss_mean"]) == float(np.mean([h[-1]["val_loss"] for h in hist]))
        assert float(row["best_val_acc_mean"]) == float(np.mean([max(e["val_acc"] for e in h) for h in hist]))
        reached = [next((e["epoch"] for e in h if e["val_acc"] >= 0.9), None) for h in hist]
        assert row["reached_target"] == f"{sum(x is not None for x in reached)}/2"
        assert (row["finished"], row["failed_seeds"], row["error"]) == ("2", "", "")


def test_report_rebuilds_the_summary_without_training(jobs1):
    before = (jobs1 / "summary.csv").read_text()
    (jobs1 / "summary.csv").unlink()
    (jobs1 / "curves.png").unlink()
    mtimes = {p: p.stat().st_mtime_ns for p in (jobs1 / "runs").rglob("*") if p.is_file()}
    code, out, err = main("compare", "--report", jobs1, cwd=jobs1.parent)
    assert code == 0, err
    assert (jobs1 / "summary.csv").read_text() == before
    assert (jobs1 / "curves.png").stat().st_size > 10_000
    assert "optimizer=adam" in out and "optimizer=sgd" in out
    assert mtimes == {p: p.stat().st_mtime_ns for p in (jobs1 / "runs").rglob("*") if p.is_file()}


def test_the_same_command_again_repeats_no_finished_run(jobs1):
    models = {p: p.stat().st_mtime_ns for p in (jobs1 / "runs").glob("*/model.npz")}
    code, out, err = main(*GRID[:-1], "--jobs", "1", "--out", "g", cwd=jobs1.parent)  # without --quiet
    assert code == 0, err
    assert "0 to run" in out and "(resumed)" in out
    assert models == {p: p.stat().st_mtime_ns for p in (jobs1 / "runs").glob("*/model.npz")}


def test_tensorboard_events_of_every_run_under_one_log_dir(jobs1):
    names = sorted(p.name for p in (jobs1 / "tb").iterdir())
    assert names == [
        "optimizer=adam,seed=0",
        "optimizer=adam,seed=1",
        "optimizer=sgd,seed=0",
        "optimizer=sgd,seed=1",
    ]
    for n in names:
        assert list((jobs1 / "tb" / n).glob("events.out.tfevents.*"))
        # each run directory keeps the layout of mlplab train: its tb/ is the same folder
        assert (jobs1 / "runs" / n / "tb").resolve() == (jobs1 / "tb" / n).resolve()
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(jobs1 / "tb" / names[0])).Reload()
    assert [e.step for e in acc.Scalars("loss/train")] == [1, 2]


@pytest.mark.slow
def test_a_run_cut_mid_way_resumes_from_its_checkpoint(jobs1):
    """Last in this module: it cuts a run of the shared grid and resumes it with --resume."""
    run = jobs1 / "runs" / "optimizer=sgd,seed=1"
    whole = load(run / "model.npz")
    before = summary(jobs1 / "summary.csv")
    # as if its worker had died during epoch 2: epoch 1 saved, no final report
    for f in ["model.npz", "metrics.json", "checkpoints/epoch_002.npz"]:
        (run / f).unlink()
    code, out, err = main("compare", "--resume", jobs1, "--jobs", "1", "--quiet", cwd=jobs1.parent)
    assert code == 0, err
    status = json.loads((jobs1 / "status.json").read_text())
    assert status["optimizer=sgd,seed=1"]["how"] == "resumed after epoch 1"
    assert status["optimizer=adam,seed=0"]["how"] == "trained"  # finished runs were not touched
    again = load(run / "model.npz")
    assert all(np.array_equal(whole[k].numpy(), again[k].numpy()) for k in whole)
    assert summary(jobs1 / "summary.csv") == before
