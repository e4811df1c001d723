"""Training: ``build_mlp``, the ``fit`` loop and its callbacks, metrics, numerical gradients, and
the whole-run machinery behind ``mlplab train``.

    model = build_mlp(64, [50], 10, activation="tanh")
    history = fit(model, loader, optim.Adam(model.parameters()), nn.CrossEntropyLoss(), epochs=30,
                  val_data=(x_val, y_val), callbacks=[ProgressBar()])
"""

from .callbacks import Checkpoint, EarlyStopping, History, ProgressBar, TensorBoard
from .loop import Callback, Trainer, TrainState, evaluate, fit, predict_outputs, score
from .losses import CLASSIFICATION_LOSSES, REGRESSION_LOSSES, CriterionSpec, LossSpec
from .metrics import accuracy, mae, mse, r2, regression_metrics
from .model import ACTIVATIONS, INITS, build_mlp
from .numgrad import numerical_gradients

__all__ = [
    "ACTIVATIONS",
    "CLASSIFICATION_LOSSES",
    "Callback",
    "Checkpoint",
    "CriterionSpec",
    "EarlyStopping",
    "History",
    "INITS",
    "LossSpec",
    "ProgressBar",
    "REGRESSION_LOSSES",
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
    "score",
    "regression_metrics",
]
