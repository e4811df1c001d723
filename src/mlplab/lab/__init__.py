"""``mlplab.lab``: each claim of the notes as an experiment that draws its figure and checks it.

An experiment is one module in ``mlplab/lab/experiments/`` that registers its
``run(out_dir, quick, seed) -> LabResult`` with :func:`experiment`; importing this package imports
every such module, so the registry :data:`EXPERIMENTS` lists them all.
"""

from __future__ import annotations

import importlib
import pkgutil

from . import experiments as _experiments_package
from .core import EXPERIMENTS, Claim, LabResult, experiment, format_result, run_experiment

__all__ = ["EXPERIMENTS", "Claim", "LabResult", "experiment", "format_result", "run_experiment"]

for _module in pkgutil.iter_modules(_experiments_package.__path__):
    importlib.import_module(f"{_experiments_package.__name__}.{_module.name}")
