"""``python -m mlplab.cli``: the same as the ``mlplab`` command."""

from . import command

command()
