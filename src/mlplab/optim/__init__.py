"""Optimisers, learning-rate schedules, EMA and regularisation penalties, with PyTorch's API.

``import mlplab.optim as optim`` then ``optim.SGD(model.parameters(), lr=0.1)`` as in PyTorch.
Each optimiser matches PyTorch 2.13's update step for step; ``Momentum`` is the notes' textbook
EMA form; ``lr_scheduler`` holds the schedules; ``swa_utils`` weight averaging (``AveragedModel``, ``SWALR``,
``update_bn``); ``ema`` the moving averages; ``penalties`` the L1/L2 terms to add to a loss.
"""

from . import lr_scheduler, swa_utils
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .ema import (
    EMAModel,
    ema,
    get_ema_avg_fn,
    get_ema_multi_avg_fn,
    get_swa_avg_fn,
    get_swa_multi_avg_fn,
)
from .lbfgs import LBFGS
from .momentum import Momentum
from .nadam import NAdam
from .optimizer import Optimizer
from .penalties import l1_penalty, l2_penalty
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD
from .sparse_adam import SparseAdam
from .swa_utils import AveragedModel

__all__ = [
    "ASGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "AveragedModel",
    "EMAModel",
    "LBFGS",
    "Momentum",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "Rprop",
    "SGD",
    "SparseAdam",
    "ema",
    "get_ema_avg_fn",
    "get_ema_multi_avg_fn",
    "get_swa_avg_fn",
    "get_swa_multi_avg_fn",
    "l1_penalty",
    "l2_penalty",
    "lr_scheduler",
    "swa_utils",
]
