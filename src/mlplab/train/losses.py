"""The losses ``mlplab train`` offers (the ``LOSSES`` table) and :class:`LossSpec`, a named loss
bound to a task: output width, loss value, per-sample losses, predictions and probabilities.

An entry's factory is the per-sample loss ``f(out, y, n_classes) -> Tensor (N, ...)`` whose mean is
the training loss. Its properties:

- ``tasks``: the tasks it serves (``classification``, ``regression``); ``mse`` serves both (for
  classification: softmax against one-hot, the notes' comparison with cross-entropy);
- ``needs_labels``: it takes integer class labels as targets (cross-entropy, NLL ...);
- ``binary``: two classes through one output unit (``bce``, ``bce_with_logits``);
- ``scalar``: a fused form of the mean loss, used for training where the library fuses it;
- ``default_for``: the task it is the default loss of.

To add a loss: write its per-sample function here (or in ``nn.functional``), then one ``LOSSES.add``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import UserError
from ..nn import functional as F
from ..registry import Registry
from ..tensor import Tensor

CLASSIFICATION = "classification"
REGRESSION = "regression"


def _onehot(y: Tensor, c: int, dtype: np.dtype) -> Tensor:
    return Tensor._make(np.eye(c, dtype=dtype)[y._data])


def _float_targets(out: Tensor, y: Tensor) -> Tensor:
    return Tensor._make(y._data.astype(out._data.dtype).reshape(out._data.shape))


def cross_entropy(out: Tensor, y: Tensor, n_classes: int) -> Tensor:
    return F.cross_entropy(out, y, reduction="none")


def nll(out: Tensor, y: Tensor, n_classes: int) -> Tensor:
    return F.nll_loss(F.log_softmax(out, dim=1), y, reduction="none")


def mse(out: Tensor, y: Tensor, n_classes: int) -> Tensor:
    if n_classes:  # classification: softmax probabilities against one-hot targets
        return F.mse_loss(F.softmax(out, dim=1), _onehot(y, n_classes, out._data.dtype), reduction="none")
    return F.mse_loss(out, y, reduction="none")


def multi_margin(out: Tensor, y: Tensor, n_classes: int) -> Tensor:
    return F.multi_margin_loss(out, y, reduction="none")


def kl_div(out: Tensor, y: Tensor, n_classes: int) -> Tensor:
    t = _onehot(y, n_classes, out._data.dtype)
    return F.kl_div(F.log_softmax(out, dim=1), t, reduction="none").sum(dim=1)


def kl_div_batchmean(out: Tensor, y: Tensor, n_classes: int) -> Tensor:
    t = _onehot(y, n_classes, out._data.dtype)
    return F.kl_div(F.log_softmax(out, dim=1), t, reduction="batchmean")


def bce(out: Tensor, y: Tensor, n_classes: int) -> Tensor:
    return F.binary_cross_entropy(out.sigmoid(), _float_targets(out, y), reduction="none")


def bce_with_logits(out: Tensor, y: Tensor, n_classes: int) -> Tensor:
    return F.binary_cross_entropy_with_logits(out, _float_targets(out, y), reduction="none")


def soft_margin(out: Tensor, y: Tensor, n_classes: int) -> Tensor:
    y_pm = Tensor._make((2 * y._data.astype(out._data.dtype) - 1).reshape(out._data.shape))  # {0,1} -> {-1,1}
    return F.soft_margin_loss(out, y_pm, reduction="none")


def multilabel_soft_margin(out: Tensor, y: Tensor, n_classes: int) -> Tensor:
    return F.multilabel_soft_margin_loss(out, _onehot(y, n_classes, out._data.dtype), reduction="none")


def l1(out: Tensor, y: Tensor, n_classes: int) -> Tensor:
    return F.l1_loss(out, y, reduction="none")


def smooth_l1(out: Tensor, y: Tensor, n_classes: int) -> Tensor:
    return F.smooth_l1_loss(out, y, reduction="none")


def huber(out: Tensor, y: Tensor, n_classes: int) -> Tensor:
    return F.huber_loss(out, y, reduction="none")


_CLS, _REG = (CLASSIFICATION,), (REGRESSION,)
LOSSES = Registry("loss", "what training minimises", error=UserError)
LOSSES.add(
    "cross_entropy",
    cross_entropy,
    "log-softmax + NLL on the logits (fused)",
    tasks=_CLS,
    needs_labels=True,
    default_for=CLASSIFICATION,
    scalar=lambda o, y, c: F.cross_entropy(o, y),
)
LOSSES.add("nll", nll, "NLL of log_softmax(outputs)", tasks=_CLS, needs_labels=True)
LOSSES.add(
    "mse",
    mse,
    "mean squared error (classification: softmax vs one-hot)",
    tasks=(*_CLS, *_REG),
    default_for=REGRESSION,
    scalar=lambda o, y, c: F.mse_loss(o, y) if not c else None,
)
LOSSES.add("multi_margin", multi_margin, "multi-class hinge loss", tasks=_CLS, needs_labels=True)
LOSSES.add(
    "kl_div",
    kl_div,
    "KL(one-hot || softmax), batchmean",
    tasks=_CLS,
    needs_labels=True,
    scalar=kl_div_batchmean,
)
LOSSES.add(
    "bce",
    bce,
    "binary cross-entropy of sigmoid(output), 2 classes",
    tasks=_CLS,
    needs_labels=True,
    binary=True,
)
LOSSES.add(
    "bce_with_logits",
    bce_with_logits,
    "binary cross-entropy on the logit, 2 classes",
    tasks=_CLS,
    needs_labels=True,
    binary=True,
)
LOSSES.add(
    "soft_margin",
    soft_margin,
    "logistic loss log(1 + e^(-y out)), labels as -1/1, 2 classes",
    tasks=_CLS,
    needs_labels=True,
    binary=True,
)
LOSSES.add(
    "multilabel_soft_margin",
    multilabel_soft_margin,
    "one sigmoid + BCE per class vs one-hot, averaged",
    tasks=_CLS,
    needs_labels=True,
)
LOSSES.add("l1", l1, "mean absolute error", tasks=_REG)
LOSSES.add("smooth_l1", smooth_l1, "quadratic near 0, linear beyond 1", tasks=_REG)
LOSSES.add("huber", huber, "Huber loss (delta 1)", tasks=_REG)


def losses_for(task: str) -> list[str]:
    """The loss names that serve ``task``."""
    return [e.name for e in LOSSES.entries() if task in e.tasks]


def default_loss(task: str) -> str:
    """The default loss of ``task`` (cross_entropy; mse for regression)."""
    return next(e.name for e in LOSSES.entries() if e.properties.get("default_for") == task)


CLASSIFICATION_LOSSES = tuple(losses_for(CLASSIFICATION))
REGRESSION_LOSSES = tuple(losses_for(REGRESSION))


class LossSpec:
    """A loss of the ``LOSSES`` table bound to a task: output width, loss value, per-sample losses,
    predictions and probabilities."""

    def __init__(self, name: str, task: str, n_classes: int = 0, n_targets: int = 1) -> None:
        valid = losses_for(task)
        if name not in valid:
            raise UserError(f"unknown {task} loss {name!r}; valid choices: {', '.join(valid)}")
        self.name, self.task, self.n_classes, self.n_targets = name, task, n_classes, n_targets
        self.entry = LOSSES.get(name)
        if self.binary and n_classes != 2:
            raise UserError(
                f"loss {name!r} needs a binary task (2 classes), but the data has {n_classes}; "
                "use cross_entropy"
            )
        self._classes = n_classes if task == CLASSIFICATION else 0

    def __repr__(self) -> str:
        return (
            f"LossSpec({self.name!r}, {self.task!r}, n_classes={self.n_classes}, n_targets={self.n_targets})"
        )

    @property
    def binary(self) -> bool:
        return bool(self.entry.properties.get("binary"))

    def out_features(self) -> int:
        """Width of the network's last layer for this loss."""
        if self.task == REGRESSION:
            return self.n_targets
        return 1 if self.binary else self.n_classes

    def per_sample(self, out: Tensor, y: Tensor) -> Tensor:
        """Unreduced losses, shape (N, ...); their mean is the loss."""
        return self.entry.factory(out, y, self._classes)

    def loss(self, out: Tensor, y: Tensor) -> Tensor:
        """The scalar training loss (fused where the library fuses it)."""
        fused = self.entry.properties.get("scalar")
        value = fused(out, y, self._classes) if fused is not None else None
        return value if value is not None else self.per_sample(out, y).mean()

    def target(self, y: np.ndarray) -> np.ndarray:
        """Targets as the loss expects them: int64 labels, or float (N, n_targets) values."""
        if self.task == REGRESSION:
            return np.asarray(y, dtype=np.float32).reshape(len(y), -1)
        return np.asarray(y, dtype=np.int64)

    def predict(self, out: np.ndarray) -> np.ndarray:
        """Predicted labels (classification) or values (regression) from raw outputs."""
        if self.task == REGRESSION:
            return out
        if self.binary:
            return (out.reshape(-1) > 0).astype(np.int64)
        return out.argmax(axis=1)

    def probabilities(self, out: np.ndarray) -> np.ndarray:
        """Class probabilities (N, n_classes) from raw outputs: sigmoid for a binary loss, else the
        softmax of the outputs (for a hinge loss these are a monotone reading of the scores)."""
        z = np.asarray(out, dtype=np.float64)
        if self.binary:
            p1 = 1.0 / (1.0 + np.exp(-z.reshape(-1)))
            return np.column_stack([1.0 - p1, p1])
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


class CriterionSpec(LossSpec):
    """Wraps any PyTorch-style criterion (``nn.CrossEntropyLoss()``, a function ``f(out, y)``) for
    :func:`~mlplab.train.loop.fit`. Predictions are the argmax for classification and the raw
    outputs for regression. Only backprop training: numerical gradients need a named loss."""

    def __init__(self, criterion: Any, task: str = CLASSIFICATION) -> None:
        if task not in (CLASSIFICATION, REGRESSION):
            raise UserError(f"unknown task {task!r}; valid choices: classification, regression")
        self.criterion = criterion
        self.name = getattr(type(criterion), "__name__", "criterion")
        self.task = task
        self.n_classes = 0
        self.n_targets = 1

    @property
    def binary(self) -> bool:
        return False

    def per_sample(self, out: Tensor, y: Tensor) -> Tensor:
        raise UserError("numerical gradients need a named loss (a LossSpec), not a custom criterion")

    def loss(self, out: Tensor, y: Tensor) -> Tensor:
        return self.criterion(out, y)


def as_spec(loss: Any, task: str = CLASSIFICATION) -> LossSpec:
    """A LossSpec from a LossSpec, or from a criterion callable."""
    if isinstance(loss, LossSpec):
        return loss
    if callable(loss):
        return CriterionSpec(loss, task)
    raise UserError(
        f"loss must be a LossSpec or a criterion such as nn.CrossEntropyLoss(), got {type(loss).__name__}"
    )
