"""``mlplab compare``: every option of ``mlplab train`` as a list of values (a grid), ``--seeds``,
``--grid grid.toml``, local worker processes or a Dask cluster, resume, ``--report``.

Every user error in the grid (an unknown option, a value out of range, an empty list, a grid over
10,000 runs without ``--yes``) is one line and exit status 2 before anything runs. The exit status
of a grid that ran is 0 when every run finished, 1 otherwise; Ctrl-C stops the workers (finished
epochs kept), prints the resume command and exits with 130.
"""

from __future__ import annotations

import inspect
import os
import time
from pathlib import Path
from typing import Any

import typer

from ..errors import UserError
from ..train.config import all_options, load_toml
from .app import app
from .train_command import _help

_GRID = "Grid"


def _grid_options() -> list[inspect.Parameter]:
    """One option per ``mlplab train`` option, taking a list of values (booleans stay flags)."""
    params = []
    for o in all_options():
        if not o.cli:
            continue
        if o.kind == "bool":
            decls, annotation = [f"{o.flag}/--no-{o.flag[2:]}"], bool | None
            text = _help(o)
        else:
            decls, annotation = [o.flag], str | None
            sep = "semicolon" if o.kind in ("int_list", "float_list") else "comma"
            text = _help(o) + f" ({sep} list: one run per value)"
        default = typer.Option(None, *decls, help=text, rich_help_panel=o.panel, show_default=False)
        params.append(
            inspect.Parameter(o.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
        )
    return params


def _fixed(name: str, annotation: Any, *decls: str, default: Any = None, text: str) -> inspect.Parameter:
    option = typer.Option(default, *decls, help=text, rich_help_panel=_GRID)
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=annotation)


_FIXED = [
    _fixed("seeds", int | None, text="runs per configuration, seeds --seed, --seed+1, ... (default 1)"),
    _fixed("grid", Path | None, text="TOML grid: option = [values], seeds = N, [[include]], [[exclude]]"),
    _fixed("config", Path | None, text="TOML file of options shared by every run (as mlplab train)"),
    _fixed("out", Path | None, text="grid directory (default runs/compare-TIMESTAMP)"),
    _fixed("jobs", int | None, "--jobs", "-j", text="local worker processes (default: the number of cores)"),
    _fixed(
        "dask_scheduler",
        str | None,
        text="run on a Dask cluster at tcp://HOST:PORT (pip install 'mlplab[dask]')",
    ),
    _fixed("resume", Path | None, text="continue the grid in this directory (finished runs are kept)"),
    _fixed(
        "report", Path | None, text="rebuild summary.csv, curves.png and the table of a grid; no training"
    ),
    _fixed("target_acc", float, default=0.9, text="accuracy whose first epoch summary.csv reports"),
    _fixed("yes", bool, "--yes", default=False, text="run a grid of more than 10,000 runs"),
    _fixed("quiet", bool, "--quiet", "-q", default=False, text="no progress output"),
]


def compare(**values: Any) -> None:
    """Train a grid of configurations x seeds and compare them: summary.csv, curves.png, a ranked
    table, every run's TensorBoard events under one log directory. Any option may list values:
    --optimizer sgd,momentum,adam --lr 0.1,0.01 --seeds 3 (list options: --hidden '50;64,32')."""
    # mlplab.compare is imported here, not with the module: every command line (``mlplab train``
    # too) imports this module to build the command group, and only compare needs the package
    from ..compare import DaskPool, GridDir, LocalPool

    fixed = {p.name: values.pop(p.name) for p in _FIXED}
    given = {k: v for k, v in values.items() if v is not None}
    if fixed["report"] is not None:
        _only(given, fixed, "report", allowed=("report", "quiet", "target_acc"))
        grid_dir = GridDir.open(fixed["report"])
        _finish(grid_dir, grid_dir.report(), fixed["quiet"])
        return
    if fixed["resume"] is not None:
        _only(given, fixed, "resume", allowed=("resume", "jobs", "dask_scheduler", "quiet", "target_acc"))
        grid_dir, resumed = GridDir.open(fixed["resume"]), True
    else:
        plan = _plan(given, fixed)
        out = fixed["out"] or Path("runs") / f"compare-{time.strftime('%Y%m%d-%H%M%S')}"
        grid_dir, resumed = GridDir.create_or_resume(out, plan, fixed["target_acc"])
    jobs = fixed["jobs"]
    if jobs is not None and jobs < 1:
        raise UserError(f"--jobs must be >= 1, got {jobs}")
    if fixed["dask_scheduler"]:
        if jobs is not None:
            raise UserError("--jobs and --dask-scheduler exclude each other: the cluster has its own workers")
        pool: Any = DaskPool(fixed["dask_scheduler"])
        where = f"Dask scheduler {fixed['dask_scheduler']}"
    else:
        n = jobs or _cores()
        pool, where = LocalPool(n), f"{n} local worker{'s' * (n > 1)}"
    grid_dir.lock()
    try:
        todo = len(grid_dir.pending())
        if not fixed["quiet"]:
            n_cfg = len({p.config for p in grid_dir.plan})
            n_seeds = len({p.seed for p in grid_dir.plan})
            typer.echo(
                f"mlplab compare: {len(grid_dir.plan)} runs ({n_cfg} configurations x {n_seeds} seeds), "
                f"{todo} to run on {where}; grid directory {grid_dir.root}"
                + (" (resumed)" if resumed else "")
            )
        try:
            notes = grid_dir.execute(pool, fixed["quiet"])
        except KeyboardInterrupt:
            typer.echo(
                f"\ninterrupted; finished runs and finished epochs are kept. "
                f"Resume with: mlplab compare --resume {grid_dir.root}",
                err=True,
            )
            raise typer.Exit(130) from None
    finally:
        grid_dir.release()
    _finish(grid_dir, grid_dir.report(notes), fixed["quiet"])


def _cores() -> int:
    """The cores this process may run on (its affinity where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def _only(given: dict[str, Any], fixed: dict[str, Any], mode: str, allowed: tuple[str, ...]) -> None:
    """Refuse grid options beside ``--resume DIR`` or ``--report DIR`` (the grid is in DIR)."""
    extra = sorted(given) + sorted(
        k for k, v in fixed.items() if k not in allowed and v not in (None, False, 0.9)
    )
    if extra:
        flags = ", ".join("--" + k.replace("_", "-") for k in extra)
        raise UserError(f"with --{mode} DIR the grid comes from DIR/grid.json; remove {flags}")


def _plan(given: dict[str, Any], fixed: dict[str, Any]) -> list[Any]:
    """The planned runs: grid file, then --config's shared options, then the command line."""
    from ..compare import Grid, axis_from_text
    from ..compare.grid import axis_from_toml

    grid, file_seeds = Grid.from_toml(fixed["grid"]) if fixed["grid"] is not None else (Grid(), None)
    if fixed["config"] is not None:
        for k, v in load_toml(fixed["config"]).items():
            if k not in grid.axes and k not in given:
                grid.set_axis(k, axis_from_toml(k, v, f"config file {fixed['config']}"))
    for k, v in given.items():
        grid.set_axis(k, axis_from_text(k, v) if isinstance(v, str) else [v])
    if "data" in grid.axes and "dataset" in grid.axes:
        raise UserError(
            "--dataset and --data exclude each other: expected built-in data sets or CSV files, got both"
        )
    grid.set_seeds(fixed["seeds"] if fixed["seeds"] is not None else file_seeds)
    return grid.plan(yes=fixed["yes"])


def _finish(grid_dir: Any, report: Any, quiet: bool) -> None:
    """Print the ranked table and what failed; exit 1 unless every run finished."""
    root = grid_dir.root
    if not quiet:
        typer.echo("")
        typer.echo(report.table)
        typer.echo("")
        figure = ", curves.png" if report.figure is not None else ""
        typer.echo(f"wrote {root / 'summary.csv'}{figure}; TensorBoard: tensorboard --logdir {root / 'tb'}")
    for note in report.notes:  # a worker that died is worth saying, even with --quiet
        typer.echo(f"mlplab compare: {note}", err=True)
    failures = report.failures()
    if failures:
        typer.echo(f"{len(failures)} of {len(report.records)} runs did not finish:", err=True)
        for line in failures:
            typer.echo(f"  {line}", err=True)
        raise typer.Exit(1)


def describe_compare() -> None:
    """Give ``compare`` the signature Typer reads (again in :func:`main`, for late registrations)."""
    params = _grid_options() + _FIXED
    compare.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    compare.__annotations__ = {p.name: p.annotation for p in params} | {"return": None}


describe_compare()
app.command()(compare)
