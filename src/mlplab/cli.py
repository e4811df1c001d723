"""``mlplab`` command line: ``train`` (the main job), ``evaluate``, ``predict`` and ``lab``.

Every error a user can fix, and every file-system or resource failure (a full disk, a denied or
missing path, MemoryError), is printed as one line on stderr with exit status 2, naming the last
finished epoch that is kept; Ctrl-C during training keeps the last finished epoch, prints the resume
command and exits with 130. A new run that stops before its first epoch finishes leaves no run
directory behind.

A run directory is locked (``RUN/.lock``) while a run or a resume uses it; a second one is refused.
``--resume`` of a finished run says so and changes nothing.

When standard output is closed under a running command (``mlplab train | head -1``), the output is
dropped and the command goes on: the training finishes and its run directory is complete (exit 0).
"""

from __future__ import annotations

import inspect
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import typer

try:  # Typer >= 0.2x vendors Click; older releases depend on it
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover
    from click import exceptions as _cx

from .errors import DivergenceError, UserError
from .registry import MISSING, Option, Registry
from .train.config import CHOICES, RunConfig, all_options, load_toml, option

_Abort = getattr(typer, "Abort", KeyboardInterrupt)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="mlplab: train and inspect the small networks of the notes, on NumPy, with PyTorch's API.",
)


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


def _describe_train() -> None:
    """Give ``train`` the signature Typer reads: one option per table option, then the fixed ones.
    Called again by :func:`main`, so entries registered after import (plug-ins, tests) appear."""
    params = _train_options() + _FIXED
    train.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    train.__annotations__ = {p.name: p.annotation for p in params} | {"return": None}


_describe_train()
app.command()(train)


def _train_new(cfg: Any, out: str | None, quiet: bool) -> None:
    from .train.run import Run, claim_run_dir, remove_unfinished_run

    run_dir, lock = claim_run_dir(out, cfg.data or cfg.dataset)
    run = None
    try:
        run = Run(cfg, run_dir, quiet=quiet)
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
    from .train.checkpoint import epoch_files
    from .train.files import RunLock
    from .train.run import Run, read_run_config

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
        run = Run(cfg, run_dir, quiet=quiet)
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
        raise UserError(f"{_describe(e)}{_kept(run)}") from None
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


def _describe(e: BaseException) -> str:
    """One line for a file-system or resource error: what failed, on which file."""
    if isinstance(e, MemoryError):
        return (
            f"out of memory{': ' + str(e) if str(e) else ''}; expected a model and data that fit in "
            "memory - try smaller --hidden or --batch-size"
        )
    if isinstance(e, OSError) and e.strerror:
        where = f": {e.filename}" if e.filename else ""
        return f"{e.strerror}{where}"
    text = str(e).splitlines()[0] if str(e) else ""
    return text or type(e).__name__


@app.command()
def evaluate(run_dir: Path = typer.Argument(..., help="a run directory written by mlplab train")) -> None:
    """Score the model of RUN_DIR on the run's own test split; writes RUN_DIR/evaluations/TIMESTAMP/.

    Needs only the run directory. Where the training data still exists it must be unchanged
    (SHA-256 as recorded by the run), else the command refuses.
    """
    from .train.report import report_on_test_split, write_metrics
    from .train.run_dir import SavedRun, new_evaluation_dir

    saved = SavedRun.open(run_dir)
    note = saved.data_status()
    x_test, y_test = saved.test_split()
    out_dir = new_evaluation_dir(saved.dir)
    metrics, text = report_on_test_split(
        saved.model, saved.spec, x_test, y_test, saved.class_names, out_dir, saved.target_scaler
    )
    write_metrics(out_dir / "metrics.json", {"test": metrics, "data": note})
    typer.echo("test: " + ", ".join(f"{k} {v:.4f}" for k, v in metrics.items()))
    typer.echo(text.rstrip())
    typer.echo(f"data: {note}")
    figure = "confusion.png" if saved.task == "classification" else "pred_vs_true.png"
    typer.echo(f"wrote {out_dir}: report.txt, metrics.json, {figure}")


@app.command()
def predict(
    run_dir: Path = typer.Argument(..., help="a run directory written by mlplab train"),
    data: Path = typer.Option(
        ..., help="CSV file with the model's feature columns, by name in any order (others are ignored)"
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="predictions CSV to write (default: DATA's name + .predictions.csv; '-' for stdout)",
    ),
) -> None:
    """Predict the rows of a CSV file with the model of RUN_DIR; writes a CSV with the prediction
    (and each class's probability for classification) per row."""
    from .train.predict import predict_csv

    summary = predict_csv(run_dir, data, output)
    typer.echo(summary, err=str(output) == "-")  # keep stdout pure CSV when the CSV goes there


@app.command()
def lab(
    name: str | None = typer.Argument(None, help="an experiment's name, or 'all'; none: list them"),
    list_: bool = typer.Option(
        False, "--list", help="list the experiments: name, the notes' section, the claim"
    ),
    out: Path | None = typer.Option(None, help="output directory (default runs/lab/NAME)"),
    quick: bool = typer.Option(False, "--quick", help="smaller grids and fewer epochs"),
    seed: int = typer.Option(0, help="random seed (the same seed gives the same numbers and figures)"),
) -> None:
    """Run the notes' claims as experiments: each draws its figures and checks its claim (PASS or
    FAIL against a stated threshold). Exits with status 1 when a claim fails."""
    from .lab import EXPERIMENTS, format_result, run_experiment
    from .lab.index import write_index

    if list_ or name is None:
        width = max(len(n) for n in EXPERIMENTS)
        for entry in EXPERIMENTS.entries():
            typer.echo(f"{entry.name:<{width}}  {entry.section}: {entry.claim}")
        return
    names = EXPERIMENTS.names() if name == "all" else [EXPERIMENTS.get(name).name]
    root = out if out is not None else Path("runs") / "lab" / name
    results = []
    for n in names:
        out_dir = root / n if name == "all" else root
        result = run_experiment(n, out_dir, quick=quick, seed=seed)
        results.append(result)
        typer.echo(f"\n{n}: {'PASS' if result.passed else 'FAIL'}  ({out_dir})")
        typer.echo(format_result(result))
    if name == "all":
        md_path, html_path = write_index(results, root)
        typer.echo(f"\nwrote {md_path} and {html_path}")
    failed = [r.name for r in results if not r.passed]
    if failed:
        typer.echo(f"claims failed in: {', '.join(failed)}", err=True)
        raise typer.Exit(1)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the Typer app, turning user errors into one line and exit status 2."""
    _describe_train()
    cmd = typer.main.get_command(app)
    args = sys.argv[1:] if argv is None else argv
    if not args:
        args = ["--help"]
    guard = _PipeGuard(sys.stdout)
    sys.stdout = guard  # type: ignore[assignment]
    term = _on_sigterm()
    try:
        rv = cmd.main(args=args, prog_name="mlplab", standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
    except typer.Exit as e:
        code = e.exit_code
    except _Abort:
        typer.echo("mlplab: aborted", err=True)
        code = 130
    except _cx.UsageError as e:
        msg = e.format_message().replace("\n", " ")
        typer.echo(f"mlplab: error: {msg}", err=True)
        code = 2
    except (ValueError, OSError, MemoryError) as e:
        _stderr_line(f"mlplab: error: {_describe(e)}")
        code = 2
    except KeyboardInterrupt:
        _stderr_line("mlplab: interrupted")
        code = 130
    finally:
        sys.stdout = guard.stream
        if term is not None:
            signal.signal(signal.SIGTERM, term)
    sys.exit(code)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _on_sigterm() -> Any:
    """Treat SIGTERM as Ctrl-C (last finished epoch kept, exit 130); returns the old handler."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _interrupt)


def _stderr_line(text: str) -> None:
    """Write one line on stderr; a closed stderr is not worth a traceback."""
    try:
        typer.echo(text, err=True)
    except (OSError, ValueError):  # pragma: no cover
        pass


class _PipeGuard:
    """Standard output that survives its reader going away (``mlplab train | head -1``).

    The first ``BrokenPipeError`` turns the stream into a sink (its descriptor is pointed at
    ``/dev/null`` so the interpreter's final flush is silent) and the command goes on: a training
    run finishes and writes its run directory rather than dying with the pipe.
    """

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.broken = False

    def _lost(self) -> None:
        self.broken = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return int(self.stream.write(text))
            except BrokenPipeError:
                self._lost()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._lost()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


if __name__ == "__main__":  # pragma: no cover
    main()
