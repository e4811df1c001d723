"""``mlplab train``: its options generated from the registries, a new run, ``--resume``."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import typer

from ..errors import DivergenceError, UserError
from ..registry import MISSING, Option, Registry
from ..train.config import CHOICES, RunConfig, all_options, load_toml, option
from .app import app
from .guards import describe_error

#: the report worker of this command, if :func:`mlplab.cli.main` started one (see use_report_worker)
_REPORT_WORKER: Any = None

_TYPES: dict[str, Any] = {"int": int, "float": float, "bool": bool, "str": str, "path": Path}


def _help(opt: Option) -> str:
    """An option's help line: its own text, then its choices or the entries that take it with
    their defaults (all read from the registries), then its range."""
    text = opt.help
    if isinstance(opt.choices, Registry):
        text += ": " + ", ".join(opt.choices)
    elif opt.choices is not None:
        text += ": " + " | ".join(opt.choices)
    users = [e for table in CHOICES.values() for e in table.users(opt)]
    if users:
        text += " [" + ", ".join(f"{e.name} {_shown(e.default(opt))}" for e in users) + "]"
    elif opt.default is not MISSING and opt.default is not None:
        text += f" (default {_shown(opt.default)})"
    rng = opt.range_text()
    if rng and opt.kind != "int_or_full":
        text += f"; {rng}"
    return text


def _shown(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return ",".join(f"{x:g}" if isinstance(x, float) else str(x) for x in v)
    if isinstance(v, float):
        return f"{v:g}"
    return "-" if v is None else str(v)


def _train_options() -> list[inspect.Parameter]:
    """One Typer option per run option, in table order (each registry's options follow its choice)."""
    params = []
    for o in all_options():
        if not o.cli:
            continue
        decls = [f"{o.flag}/--no-{o.flag[2:]}"] if o.kind == "bool" else [o.flag]
        annotation = _TYPES.get(o.kind, str) | None
        default = typer.Option(None, *decls, help=_help(o), rich_help_panel=o.panel, show_default=False)
        params.append(
            inspect.Parameter(o.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
        )
    return params


def _given(values: dict[str, Any]) -> dict[str, Any]:
    """The options given on the command line, as the config expects them (comma lists parsed)."""
    out = {}
    for name, v in values.items():
        if v is None:
            continue
        o = option(name)
        out[name] = o.parse_text(v) if isinstance(v, str) and o.kind != "str" else v
        if isinstance(out[name], Path):
            out[name] = str(out[name])
    return out


def train(
    out: Path | None = None,
    config: Path | None = None,
    resume: Path | None = None,
    quiet: bool = False,
    **options: Any,
) -> None:
    """Train an MLP (default: the notes' 64-50-10 Tanh network on digits, Adam, 30 epochs)."""
    given = _given(options)
    if resume is not None:
        extra = sorted(k for k in given if k != "epochs")
        if extra or config is not None or out is not None:
            raise UserError(
                "with --resume only --epochs may be given (the run keeps its saved options); got "
                + ", ".join(
                    "--" + k.replace("_", "-")
                    for k in extra + (["config"] if config else []) + (["out"] if out else [])
                )
            )
        _resume(resume, given.get("epochs"), quiet)
        return
    base = RunConfig()
    from_file = load_toml(config) if config is not None else {}
    _refuse_conflicts(from_file, given)
    if config is not None:
        base = base.merged(from_file, source=f"config file {config}")
    cfg = base.merged(given)
    _train_new(cfg, None if out is None else str(out), quiet)


def _refuse_conflicts(from_file: dict[str, Any], given: dict[str, Any]) -> None:
    """Refuse options that exclude each other: a built-in data set and a CSV file."""
    explicit = {**{k: v for k, v in from_file.items() if v is not None}, **given}
    if explicit.get("data") is not None and explicit.get("dataset") is not None:
        raise UserError(
            f"--dataset {explicit['dataset']} and --data {explicit['data']} exclude each other: "
            "expected a built-in data set or a CSV file, got both"
        )


_FIXED = [
    inspect.Parameter(
        "out",
        inspect.Parameter.KEYWORD_ONLY,
        default=typer.Option(
            None, help="run directory (default runs/DATASET-TIMESTAMP)", rich_help_panel="Run"
        ),
        annotation=Path | None,
    ),
    inspect.Parameter(
        "config",
        inspect.Parameter.KEYWORD_ONLY,
        default=typer.Option(None, help="TOML file with any of these options", rich_help_panel="Run"),
        annotation=Path | None,
    ),
    inspect.Parameter(
        "resume",
        inspect.Parameter.KEYWORD_ONLY,
        default=typer.Option(
            None,
            help="continue the run in this directory from its last finished epoch",
            rich_help_panel="Run",
        ),
        annotation=Path | None,
    ),
    inspect.Parameter(
        "quiet",
        inspect.Parameter.KEYWORD_ONLY,
        default=typer.Option(False, "--quiet", "-q", help="no progress output", rich_help_panel="Run"),
        annotation=bool,
    ),
]


def describe_train() -> None:
    """Give ``train`` the signature Typer reads: one option per table option, then the fixed ones.
    Called again by :func:`main`, so entries registered after import (plug-ins, tests) appear."""
    params = _train_options() + _FIXED
    train.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    train.__annotations__ = {p.name: p.annotation for p in params} | {"return": None}


describe_train()
app.command()(train)


def use_report_worker(worker: Any) -> None:
    """The report worker (:class:`~mlplab.train.report_worker.ReportWorker`) the next run draws
    its figures and report with; None: the run draws them in this process."""
    global _REPORT_WORKER
    _REPORT_WORKER = worker


def _train_new(cfg: Any, out: str | None, quiet: bool) -> None:
    from ..train.run import Run, claim_run_dir, remove_unfinished_run

    run_dir, lock = claim_run_dir(out, cfg.data or cfg.dataset)
    run = None
    try:
        run = Run(cfg, run_dir, quiet=quiet, reporter=_REPORT_WORKER)
        run.write_config()
        cfg = run.cfg
        if not quiet:
            d = run.data
            typer.echo(
                f"mlplab train: {cfg.data or cfg.dataset} ({d.task}, {len(d.x_train)} train / "
                f"{len(d.x_val)} val / "
                f"{len(d.x_test)} test), run directory {run_dir}"
            )
            typer.echo(
                f"model: {d.x_train.shape[1]}-{'-'.join(map(str, cfg.hidden))}-{run.spec.out_features()} "
                f"{cfg.activation}, loss {run.spec.name}, {cfg.optimizer} lr {cfg.lr:g}, "
                f"batch {cfg.batch_size}, {cfg.epochs} epochs, grad {cfg.grad}"
            )
        _fit_and_report(run, quiet, fresh=True)
    except BaseException:
        # nothing trained yet: leave no run directory behind (one with an epoch is kept to resume)
        if run is None or not run.saved_epoch():
            remove_unfinished_run(run_dir)
        raise
    finally:
        lock.release()


def _resume(run_dir: Path, epochs: int | None, quiet: bool) -> None:
    from ..train.checkpoint import epoch_files
    from ..train.files import RunLock
    from ..train.run import Run, read_run_config

    read_run_config(run_dir)  # refuses a directory that is no run before anything is written
    with RunLock(run_dir):
        cfg, _ = read_run_config(run_dir)
        files = epoch_files(run_dir / "checkpoints")
        done = files[-1][0] if files else 0
        if epochs is not None and epochs < done:
            raise UserError(
                f"--epochs {epochs} is below the {done} epochs {run_dir} has done; "
                f"expected --epochs >= {done} (the run keeps its finished epochs)"
            )
        if _finished(run_dir, done) and (epochs is None or epochs <= cfg.epochs):
            typer.echo(
                f"mlplab train: {run_dir} is finished ({done} of {cfg.epochs} epochs, test report written); "
                f"nothing to resume. To train longer: mlplab train --resume {run_dir} --epochs N "
                f"(N > {cfg.epochs})"
            )
            return
        if epochs is not None and epochs != cfg.epochs:
            if cfg.scheduler == "onecycle":
                raise UserError(
                    f"--epochs cannot change on --resume with --scheduler onecycle: its schedule spans "
                    f"the run's {cfg.epochs} epochs"
                )
            # a cosine schedule keeps the period it was started with
            t_max = cfg.t_max or (cfg.epochs if cfg.scheduler == "cosine" else None)
            cfg = cfg.merged({"epochs": epochs, "t_max": t_max})
        run = Run(cfg, run_dir, quiet=quiet, reporter=_REPORT_WORKER)
        done = run.restore()
        for skipped in run.checkpoints.skipped:
            typer.echo(f"mlplab train: skipped checkpoint {skipped}", err=True)
        if run.checkpoints.skipped:
            typer.echo(
                f"mlplab train: using epoch_{done:03d}.npz, the newest checkpoint that loads", err=True
            )
        if epochs is not None:
            run.write_config()
        if not quiet:
            typer.echo(f"mlplab train: resuming {run_dir} after epoch {done} of {cfg.epochs}")
        _fit_and_report(run, quiet)


def _finished(run_dir: Path, done: int) -> bool:
    """Whether the run wrote its final report after its newest checkpoint's epoch."""
    try:
        metrics = json.loads((run_dir / "metrics.json").read_text())
    except (OSError, ValueError):
        return False
    return isinstance(metrics, dict) and metrics.get("epochs") == done and (run_dir / "model.npz").is_file()


def _fit_and_report(run: Any, quiet: bool, fresh: bool = False) -> None:
    try:
        result = run.train()
    except KeyboardInterrupt:
        done = run.saved_epoch()
        if done:
            typer.echo(
                f"\ninterrupted during epoch {done + 1}; epoch {done} is saved in {run.ckpt_dir}. "
                f"Resume with: mlplab train --resume {run.dir}",
                err=True,
            )
        elif fresh:
            typer.echo(
                f"\ninterrupted before the first epoch finished; nothing to resume, removed {run.dir}",
                err=True,
            )
        else:
            typer.echo(f"\ninterrupted before an epoch finished; {run.dir} is unchanged", err=True)
        raise typer.Exit(130) from None
    except DivergenceError as e:
        raise UserError(f"{e}{_kept(run)}") from None
    except (OSError, MemoryError) as e:
        raise UserError(f"{describe_error(e)}{_kept(run)}") from None
    if quiet:
        return
    m = result["metrics"]
    typer.echo("")
    typer.echo(
        "test: "
        + ", ".join(f"{k} {v:.4f}" for k, v in m.items())
        + f"  ({result['epochs']} epochs"
        + (f", {result['train_seconds']:.1f}s" if "train_seconds" in result else "")
        + ")"
    )
    typer.echo(result["report"].rstrip())
    typer.echo("")
    d = run.dir
    figs = "confusion.png" if run.data.task == "classification" else "pred_vs_true.png"
    typer.echo(
        f"run directory {d}: config.json, split.npz, history.csv, curves.png, {figs}, report.txt, model.npz, "
        f"checkpoints/, tb/ (tensorboard --logdir {d / 'tb'})"
    )


def _kept(run: Any) -> str:
    """What is left of a run that stopped: the last finished epoch, and how to continue."""
    try:
        done = run.saved_epoch()
    except OSError:  # pragma: no cover - the directory itself went away
        done = 0
    if not done:
        return ""
    return f"; epoch {done} is kept in {run.ckpt_dir} (resume with: mlplab train --resume {run.dir})"
