"""Training: ``build_mlp``, the ``fit`` loop and its callbacks, metrics, numerical gradients, the
registries of choices, and the whole-run machinery behind ``mlplab train``.

    model = build_mlp(64, [50], 10, activation="tanh")
    history = fit(model, loader, optim.Adam(model.parameters()), nn.CrossEntropyLoss(), epochs=30,
                  val_data=(x_val, y_val), callbacks=[ProgressBar()])

Layout (calls point one way: run -> build/loop/checkpoint/report): ``config`` (options),
``optimizers``/``schedulers``/``losses``/``activations``/``initializers`` (the registries),
``model`` (build_mlp), ``build`` (data, loss, model, optimiser, schedule, loader from a config),
``loop`` (Trainer, fit), ``callbacks``, ``numgrad``, ``checkpoint``, ``report``/``figures``,
``run`` (a training run), ``run_dir`` (a run directory read back), ``predict``.
"""

from ..datasets.builtin import DATASETS
from .activations import ACTIVATIONS
from .callbacks import Checkpoint, EarlyStopping, History, ProgressBar, TensorBoard
from .initializers import INITIALIZERS
from .loop import Callback, Trainer, TrainState, evaluate, fit, predict_outputs, score
from .losses import CLASSIFICATION_LOSSES, LOSSES, REGRESSION_LOSSES, CriterionSpec, LossSpec
from .metrics import accuracy, mae, mse, r2, regression_metrics
from .model import INITS, build_mlp
from .numgrad import numerical_gradients
from .optimizers import OPTIMIZERS
from .schedulers import SCHEDULERS

REGISTRIES = {
    "optimizer": OPTIMIZERS,
    "scheduler": SCHEDULERS,
    "loss": LOSSES,
    "activation": ACTIVATIONS,
    "init": INITIALIZERS,
    "dataset": DATASETS,
}
"""Every registry of choices, by the run option that picks an entry."""

__all__ = [
    "ACTIVATIONS",
    "CLASSIFICATION_LOSSES",
    "Callback",
    "Checkpoint",
    "CriterionSpec",
    "DATASETS",
    "EarlyStopping",
    "History",
    "INITIALIZERS",
    "INITS",
    "LOSSES",
    "LossSpec",
    "OPTIMIZERS",
    "ProgressBar",
    "REGISTRIES",
    "REGRESSION_LOSSES",
    "SCHEDULERS",
    "TensorBoard",
    "TrainState",
    "Trainer",
    "accuracy",
    "build_mlp",
    "evaluate",
    "fit",
    "mae",
    "mse",
    "numerical_gradients",
    "predict_outputs",
    "r2",
    "regression_metrics",
    "score",
]
