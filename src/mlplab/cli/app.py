"""The Typer application every ``mlplab`` command registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="mlplab: train and inspect the small networks of the notes, on NumPy, with PyTorch's API.",
)
