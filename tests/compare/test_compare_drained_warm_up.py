"""The report's preparation overlaps the last runs: a pool calls ``on_drained`` once, when every
task has been handed to a worker and before the last results arrive; the figure module's warm-up
(matplotlib imported on a thread meanwhile) leaves ``curves.png`` byte for byte the same."""

from __future__ import annotations

import threading

import pytest
from compare_helpers import TINY, main

from mlplab.compare import Grid, GridDir, LocalPool, axis_from_text
from mlplab.compare import figures as compare_figures


def _plan(n: int):
    g = Grid()
    for k, v in {"dataset": "iris", "epochs": "1", "batch_size": "30"}.items():
        g.set_axis(k, axis_from_text(k, v))
    g.set_seeds(n)
    return g.plan()


@pytest.mark.slow
def test_local_pool_calls_on_drained_once_after_the_last_task_is_handed_out(tmp_path):
    grid_dir, _ = GridDir.create_or_resume(tmp_path / "g", _plan(3), 0.9)
    grid_dir.lock()
    events: list[str] = []
    try:
        LocalPool(2).run(
            [grid_dir.task(p) for p in grid_dir.plan],
            lambda res: events.append(res["status"]),
            on_drained=lambda: events.append("drained"),
        )
    finally:
        grid_dir.release()
    # two workers take runs 1 and 2; the first result frees one for run 3: then nothing is queued
    assert events == ["finished", "drained", "finished", "finished"]


@pytest.mark.slow
def test_curves_png_is_the_same_with_and_without_the_warm_up(tmp_path):
    code, _, err = main(
        "compare", "--optimizer", "sgd,adam", "--lr", "0.05", *TINY, "--out", "g", cwd=tmp_path
    )
    assert code == 0, err
    grid_dir = GridDir.open(tmp_path / "g")
    warmed = (tmp_path / "g" / "curves.png").read_bytes()  # drawn after the pool's warm-up
    assert compare_figures._warming and not compare_figures._warming[0].is_alive()
    compare_figures._warming.clear()  # as if never warmed: the figure imports on its own
    grid_dir.report()
    assert (tmp_path / "g" / "curves.png").read_bytes() == warmed
    assert not compare_figures._warming


def test_warm_up_runs_on_one_background_thread_and_the_figure_waits_for_it(monkeypatch):
    started = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def slow_import():
        started.set()
        release.wait(5)
        order.append("warm-up done")

    monkeypatch.setattr(compare_figures, "_warming", [])
    monkeypatch.setattr(compare_figures, "_quiet_plt", slow_import)
    compare_figures.warm_up()
    compare_figures.warm_up()  # a second call starts nothing more
    assert len(compare_figures._warming) == 1
    assert started.wait(5)
    threading.Timer(0.05, release.set).start()
    compare_figures._plt()  # joins the warm-up thread before importing
    order.append("figure imports")
    assert order == ["warm-up done", "figure imports"]
