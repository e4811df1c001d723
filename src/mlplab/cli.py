"""``mlplab`` command line: ``train`` (the main job), ``evaluate`` and ``predict``.

Every error a user can fix is printed as one line on stderr with exit status 2; Ctrl-C during
training keeps the last finished epoch, prints the resume command and exits with 130.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

try:  # Typer >= 0.2x vendors Click; older releases depend on it
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover
    from click import exceptions as _cx

from .errors import DivergenceError, UserError

_Abort = getattr(typer, "Abort", KeyboardInterrupt)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="mlplab: train and inspect the small networks of the notes, on NumPy, with PyTorch's API.",
)


def _ints(s: str | None, name: str) -> list[int] | None:
    if s is None:
        return None
    try:
        vals = [int(v) for v in s.replace(" ", "").split(",") if v != ""]
    except ValueError:
        raise UserError(f"--{name} must be a comma list of integers, e.g. 64,32; got {s!r}") from None
    if not vals:
        raise UserError(f"--{name} must not be empty")
    return vals


def _floats(s: str | None, name: str) -> list[float] | None:
    if s is None:
        return None
    try:
        return [float(v) for v in s.replace(" ", "").split(",") if v != ""]
    except ValueError:
        raise UserError(f"--{name} must be a comma list of numbers, e.g. 0.9,0.999; got {s!r}") from None


@app.command()
def train(
    dataset: str | None = typer.Option(
        None,
        help="built-in dataset: digits (default), iris, wine, breast_cancer, diabetes, "
        "moons, circles, blobs, spiral",
    ),
    data: Path | None = typer.Option(None, help="CSV file with a header row (use with --target)"),
    target: str | None = typer.Option(None, help="label column of --data"),
    task: str | None = typer.Option(None, help="classification | regression (inferred when omitted)"),
    hidden: str | None = typer.Option(None, help="hidden layer sizes, comma list (default 50)"),
    activation: str | None = typer.Option(
        None,
        help="sigmoid, tanh (default), relu, leaky_relu, prelu, silu, elu, gelu, softplus, "
        "softmax, log_softmax",
    ),
    init: str | None = typer.Option(
        None,
        help="default, zeros, ones, constant, uniform, normal, xavier_uniform, xavier_normal, "
        "kaiming_uniform, kaiming_normal, trunc_normal, orthogonal",
    ),
    init_value: float | None = typer.Option(None, help="the value for --init constant"),
    loss: str | None = typer.Option(
        None,
        help="classification: cross_entropy (default), nll, mse, multi_margin, kl_div, bce, "
        "bce_with_logits; regression: mse (default), l1, smooth_l1, huber",
    ),
    optimizer: str | None = typer.Option(
        None, help="sgd, momentum, adagrad, rmsprop, adam (default), adamw, nadam, lbfgs"
    ),
    lr: float | None = typer.Option(None, help="learning rate (default 1e-3)"),
    momentum: float | None = typer.Option(None, help="momentum of sgd / rmsprop"),
    nesterov: bool | None = typer.Option(None, "--nesterov/--no-nesterov", help="Nesterov momentum for sgd"),
    betas: str | None = typer.Option(None, help="Adam-family betas, e.g. 0.9,0.999"),
    weight_decay: float | None = typer.Option(None, help="weight decay (coupled L2; decoupled for adamw)"),
    alpha: float | None = typer.Option(
        None, help="EMA factor of the momentum optimiser (0.9) / rmsprop (0.99)"
    ),
    eps: float | None = typer.Option(None, help="epsilon of adaptive optimisers"),
    scheduler: str | None = typer.Option(
        None, help="none, step, multistep, exponential, cosine, plateau, onecycle"
    ),
    step_size: int | None = typer.Option(None, help="step: epochs between decays"),
    gamma: float | None = typer.Option(None, help="step/multistep/exponential: decay factor"),
    milestones: str | None = typer.Option(None, help="multistep: epochs, comma list"),
    t_max: int | None = typer.Option(None, help="cosine: period in epochs (default: --epochs)"),
    eta_min: float | None = typer.Option(None, help="cosine: minimum lr"),
    factor: float | None = typer.Option(None, help="plateau: lr factor"),
    plateau_patience: int | None = typer.Option(None, help="plateau: epochs without improvement"),
    max_lr: float | None = typer.Option(None, help="onecycle: peak lr (default: --lr)"),
    batch_size: str | None = typer.Option(
        None, help="mini-batch size, or 'full' for batch gradient descent (default 32)"
    ),
    epochs: int | None = typer.Option(None, help="epochs (default 30)"),
    l1: float | None = typer.Option(None, help="L1 penalty lambda * sum|w|"),
    l2: float | None = typer.Option(None, help="L2 penalty lambda * sum w^2"),
    dropout: float | None = typer.Option(None, help="dropout probability after each hidden activation"),
    batchnorm: bool | None = typer.Option(
        None, "--batchnorm/--no-batchnorm", help="BatchNorm1d before each hidden activation"
    ),
    early_stopping: int | None = typer.Option(
        None, help="stop after N epochs without validation improvement"
    ),
    grad: str | None = typer.Option(None, help="backprop (default) | numerical (central differences)"),
    seed: int | None = typer.Option(None, help="random seed (default 0)"),
    test_size: float | None = typer.Option(None, help="test fraction (default 0.2, stratified)"),
    val_size: float | None = typer.Option(
        None, help="validation fraction of the training part (default 0.1)"
    ),
    out: Path | None = typer.Option(None, help="run directory (default runs/DATASET-TIMESTAMP)"),
    config: Path | None = typer.Option(None, help="TOML file with any of these options"),
    resume: Path | None = typer.Option(
        None, help="continue the run in this directory from its last finished epoch"
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress output"),
) -> None:
    """Train an MLP (default: the notes' 64-50-10 Tanh network on digits, Adam, 30 epochs)."""
    from .train.config import RunConfig, load_toml

    given = dict(
        dataset=dataset,
        data=str(data) if data is not None else None,
        target=target,
        task=task,
        hidden=_ints(hidden, "hidden"),
        activation=activation,
        init=init,
        init_value=init_value,
        loss=loss,
        optimizer=optimizer,
        lr=lr,
        momentum=momentum,
        nesterov=nesterov,
        betas=_floats(betas, "betas"),
        weight_decay=weight_decay,
        alpha=alpha,
        eps=eps,
        scheduler=scheduler,
        step_size=step_size,
        gamma=gamma,
        milestones=_ints(milestones, "milestones"),
        t_max=t_max,
        eta_min=eta_min,
        factor=factor,
        plateau_patience=plateau_patience,
        max_lr=max_lr,
        batch_size=batch_size,
        epochs=epochs,
        l1=l1,
        l2=l2,
        dropout=dropout,
        batchnorm=batchnorm,
        early_stopping=early_stopping,
        grad=grad,
        seed=seed,
        test_size=test_size,
        val_size=val_size,
    )
    if resume is not None:
        extra = sorted(k for k, v in given.items() if v is not None and k != "epochs")
        if extra or config is not None or out is not None:
            raise UserError(
                "with --resume only --epochs may be given (the run keeps its saved options); got "
                + ", ".join(
                    "--" + k.replace("_", "-")
                    for k in extra + (["config"] if config else []) + (["out"] if out else [])
                )
            )
        _resume(resume, epochs, quiet)
        return
    base = RunConfig()
    if config is not None:
        base = base.merged(load_toml(config), source=f"config file {config}")
    cfg = base.merged(given)
    _train_new(cfg, None if out is None else str(out), quiet)


def _train_new(cfg: Any, out: str | None, quiet: bool) -> None:
    from .train.run import Run, new_run_dir

    run_dir = new_run_dir(out, cfg.data or cfg.dataset)
    try:
        run = Run(cfg, run_dir, quiet=quiet)
    except Exception:
        # nothing trained yet: do not leave an empty run directory behind
        if run_dir.exists() and not any(run_dir.iterdir()):
            run_dir.rmdir()
        raise
    run.write_config()
    if not quiet:
        d = run.data
        typer.echo(
            f"mlplab train: {cfg.data or cfg.dataset} ({d.task}, {len(d.x_train)} train / "
            f"{len(d.x_val)} val / "
            f"{len(d.x_test)} test), run directory {run_dir}"
        )
        typer.echo(
            f"model: {d.x_train.shape[1]}-{'-'.join(map(str, cfg.hidden))}-{run.spec.out_features()} "
            f"{cfg.activation}, loss {run.spec.name}, {cfg.optimizer} lr {cfg.lr:g}, batch {cfg.batch_size}, "
            f"{cfg.epochs} epochs, grad {cfg.grad}"
        )
    _fit_and_report(run, quiet)


def _resume(run_dir: Path, epochs: int | None, quiet: bool) -> None:
    from .train.run import Run, read_run_config

    cfg, _ = read_run_config(run_dir)
    if epochs is not None and epochs != cfg.epochs:
        if cfg.scheduler == "onecycle":
            raise UserError(
                f"--epochs cannot change on --resume with --scheduler onecycle: its schedule spans the run's "
                f"{cfg.epochs} epochs"
            )
        # a cosine schedule keeps the period it was started with
        t_max = cfg.t_max or (cfg.epochs if cfg.scheduler == "cosine" else None)
        cfg = cfg.merged({"epochs": epochs, "t_max": t_max})
    run = Run(cfg, run_dir, quiet=quiet)
    done = run.restore()
    if epochs is not None:
        run.write_config()
    if not quiet:
        typer.echo(f"mlplab train: resuming {run_dir} after epoch {done} of {cfg.epochs}")
    _fit_and_report(run, quiet)


def _fit_and_report(run: Any, quiet: bool) -> None:
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
        else:
            typer.echo(
                f"\ninterrupted before the first epoch finished; nothing to resume in {run.dir}", err=True
            )
        raise typer.Exit(130) from None
    except DivergenceError as e:
        done = run.saved_epoch()
        kept = f"; epoch {done} is kept in {run.ckpt_dir}" if done else ""
        raise UserError(f"{e}{kept}") from None
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
        f"run directory {d}: config.json, history.csv, curves.png, {figs}, report.txt, model.npz, "
        f"checkpoints/, tb/ (tensorboard --logdir {d / 'tb'})"
    )


@app.command()
def evaluate(run_dir: Path = typer.Argument(..., help="a run directory written by mlplab train")) -> None:
    """Report the trained model of RUN_DIR on its test split."""
    from .train.run import load_model

    run, _ = load_model(run_dir)
    result = run.finish()
    m = result["metrics"]
    typer.echo("test: " + ", ".join(f"{k} {v:.4f}" for k, v in m.items()))
    typer.echo(result["report"].rstrip())


@app.command()
def predict(
    run_dir: Path = typer.Argument(..., help="a run directory written by mlplab train"),
    data: Path = typer.Option(
        ..., help="CSV file with the same feature columns (a target column is ignored)"
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="write predictions to this CSV instead of stdout"
    ),
) -> None:
    """Predict the rows of a CSV file with the model of RUN_DIR."""
    import numpy as np

    from . import datasets
    from .train.loop import predict_outputs
    from .train.run import load_model

    run, meta = load_model(run_dir)
    feats = meta.get("feature_names") or []
    x = datasets.read_features(str(data), feats)
    scaler = datasets.Standardizer.from_dict(meta["scaler"])
    out = predict_outputs(run.model, scaler.transform(x).astype(np.float32))
    pred = run.spec.predict(out)
    if run.data.task == "regression":
        pred = run.data.to_original(pred)
    names = meta.get("class_names") or []
    lines = ["prediction"]
    for p in pred:
        if run.data.task == "classification":
            lines.append(str(names[int(p)]) if names else str(int(p)))
        else:
            lines.append(",".join(f"{v:.6g}" for v in np.atleast_1d(p)))
    text = "\n".join(lines) + "\n"
    if output is not None:
        output.write_text(text)
        typer.echo(f"wrote {len(pred)} predictions to {output}")
    else:
        sys.stdout.write(text)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the Typer app, turning user errors into one line and exit status 2."""
    cmd = typer.main.get_command(app)
    args = sys.argv[1:] if argv is None else argv
    if not args:
        args = ["--help"]
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
    except (ValueError, FileNotFoundError, IsADirectoryError, PermissionError) as e:
        typer.echo(f"mlplab: error: {str(e).splitlines()[0] if str(e) else type(e).__name__}", err=True)
        code = 2
    except KeyboardInterrupt:
        typer.echo("mlplab: interrupted", err=True)
        code = 130
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
