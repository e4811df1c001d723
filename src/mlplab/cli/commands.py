"""``mlplab evaluate``, ``mlplab predict`` and ``mlplab lab``."""

from __future__ import annotations

from pathlib import Path

import typer

from . import train_command  # noqa: F401 - registers ``train`` first, so --help lists it first
from .app import app


@app.command()
def evaluate(run_dir: Path = typer.Argument(..., help="a run directory written by mlplab train")) -> None:
    """Score the model of RUN_DIR on the run's own test split; writes RUN_DIR/evaluations/TIMESTAMP/.

    Needs only the run directory. Where the training data still exists it must be unchanged
    (SHA-256 as recorded by the run), else the command refuses.
    """
    from ..train.report import report_on_test_split, write_metrics
    from ..train.run_dir import SavedRun, new_evaluation_dir

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
    from ..train.predict import predict_csv

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
    from ..lab import EXPERIMENTS, format_result, run_experiment
    from ..lab.index import write_index

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
