"""``mlplab compare``: grids of training runs side by side, over seeds, on local worker processes
or a Dask distributed cluster.

Layout (calls point one way: session -> pool -> worker -> mlplab.train): ``grid`` (axes, product,
include/exclude, names), ``worker`` (one run, exactly as ``mlplab train`` does it), ``pool`` (local
processes, Dask), ``session`` (the grid's directory, progress, resume), ``summary``
(``summary.csv``, the ranked table) and ``figures`` (``curves.png``).
"""

from .grid import MAX_RUNS, Grid, PlannedRun, axis_from_text
from .pool import DaskPool, LocalPool
from .session import GridDir, Report
from .summary import TIMING_COLUMNS
from .worker import run_task

__all__ = [
    "MAX_RUNS",
    "TIMING_COLUMNS",
    "DaskPool",
    "Grid",
    "GridDir",
    "LocalPool",
    "PlannedRun",
    "Report",
    "axis_from_text",
    "run_task",
]
