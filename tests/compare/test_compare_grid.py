"""The grid: comma and semicolon lists, seeds, [[include]]/[[exclude]], names; bad grids refused
in one line with exit status 2 before anything runs."""

from __future__ import annotations

import pytest
from compare_helpers import main, one_error_line

from mlplab.compare import Grid, axis_from_text
from mlplab.errors import UserError


def _grid(**axes: str) -> Grid:
    g = Grid()
    for k, v in axes.items():
        g.set_axis(k, axis_from_text(k, v))
    return g


def test_comma_lists_form_a_cartesian_grid_with_readable_names():
    g = _grid(optimizer="sgd,adam", lr="0.1,0.01", epochs="3")
    g.set_seeds(2)
    plan = g.plan()
    assert len(plan) == 8
    assert [p.name for p in plan[:3]] == [
        "optimizer=sgd,lr=0.1,seed=0",
        "optimizer=sgd,lr=0.1,seed=1",
        "optimizer=sgd,lr=0.01,seed=0",
    ]
    assert plan[-1].options == {"optimizer": "adam", "lr": 0.01, "epochs": 3, "seed": 1}


def test_list_options_take_semicolon_lists_and_seeds_count_from_seed():
    g = _grid(hidden="50;64,32", seed="7")
    g.set_seeds(3)
    plan = g.plan()
    assert [p.options["hidden"] for p in plan[::3]] == [[50], [64, 32]]
    assert [p.seed for p in plan[:3]] == [7, 8, 9]
    assert plan[3].name == "hidden=64-32,seed=7"


def test_a_seed_list_and_seeds_together_are_refused():
    g = _grid(seed="1,2")
    with pytest.raises(UserError, match="not both"):
        g.set_seeds(3)


def test_grid_file_include_and_exclude(tmp_path):
    f = tmp_path / "grid.toml"
    f.write_text(
        'optimizer = ["sgd", "adam"]\nlr = [0.1, 0.01]\nepochs = 4\nhidden = [[8], [16, 8]]\nseeds = 2\n'
        '[[exclude]]\noptimizer = "adam"\nlr = 0.1\n'
        '[[include]]\noptimizer = "momentum"\nalpha = [0.5, 0.9]\n'
    )
    g, seeds = Grid.from_toml(f)
    g.set_seeds(seeds)
    configs = g.configurations()
    assert {"optimizer": "adam", "lr": 0.1, "epochs": 4, "hidden": [8]} not in configs
    assert len(configs) == 2 * 2 * 2 - 2 + 2
    # an include keeps the grid's fixed options (epochs) and sets its own
    assert configs[-1] == {"epochs": 4, "optimizer": "momentum", "alpha": 0.9}
    names = {p.config for p in g.plan()}
    assert "optimizer=momentum,alpha=0.9" in names
    assert len(g.plan()) == 2 * len(configs)


def test_duplicate_values_run_once():
    assert axis_from_text("lr", "0.1,0.10,1e-1") == [0.1]


@pytest.mark.parametrize(
    "args, words",
    [
        (["--nope", "1"], "--nope"),
        (["--lr", "0.1,"], "empty"),
        (["--optimizer", ""], "empty"),
        (["--lr", "0.1,-1"], "--lr"),
        (["--optimizer", "sgd,adamm"], "adamm"),
        (["--hidden", "50;x"], "--hidden"),
        (["--seeds", "0"], "--seeds"),
        (
            [
                "--epochs",
                ",".join(map(str, range(1, 102))),
                "--lr",
                ",".join(f"{i}e-3" for i in range(1, 101)),
            ],
            "10,100 runs",
        ),
        (["--dataset", "iris", "--data", "x.csv", "--target", "y"], "exclude each other"),
        (["--jobs", "0"], "--jobs must be >= 1"),
        (["--jobs", "2", "--dask-scheduler", "tcp://127.0.0.1:1"], "exclude each other"),
        (["--resume", "nowhere"], "grid.json"),
        (["--report", "nowhere"], "grid.json"),
    ],
)
def test_bad_grids_get_one_line_and_exit_2_before_anything_runs(tmp_path, args, words):
    line = one_error_line(main("compare", *args, "--out", "g", cwd=tmp_path))
    assert words in line
    assert not (tmp_path / "g").exists() and not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    "text, words",
    [
        ("lr = []\n", "empty list"),
        ("learning_rate = [0.1]\n", "unknown option 'learning_rate'"),
        ("seeds = 0\n", "'seeds' must be a positive integer"),
        ("[[exclude]]\nlr = [0.1, 0.2]\n", "one value per option"),
        ("lr = [0.1\n", "invalid TOML"),
    ],
)
def test_bad_grid_files_get_one_line(tmp_path, text, words):
    (tmp_path / "grid.toml").write_text(text)
    line = one_error_line(main("compare", "--grid", "grid.toml", "--out", "g", cwd=tmp_path))
    assert words in line
    assert not (tmp_path / "g").exists()


def test_yes_lets_a_huge_grid_be_planned():
    g = _grid(epochs=",".join(map(str, range(1, 102))), lr=",".join(f"{i}e-3" for i in range(1, 101)))
    with pytest.raises(UserError, match="--yes"):
        g.plan()
    assert len(g.plan(yes=True)) == 10_100


def test_resume_and_report_take_no_grid_options(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "grid.json").write_text('{"runs": []}')
    line = one_error_line(main("compare", "--resume", "old", "--lr", "0.1", cwd=tmp_path))
    assert "remove --lr" in line
    line = one_error_line(main("compare", "--report", "old", "--jobs", "2", cwd=tmp_path))
    assert "remove --jobs" in line


def test_an_out_dir_holding_something_else_is_refused(tmp_path):
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "notes.txt").write_text("mine")
    line = one_error_line(main("compare", "--optimizer", "sgd,adam", "--out", "g", cwd=tmp_path))
    assert "holds no mlplab grid" in line
    assert sorted(p.name for p in (tmp_path / "g").iterdir()) == ["notes.txt"]
