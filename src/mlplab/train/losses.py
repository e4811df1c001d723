"""The losses ``mlplab train`` offers, each with how the network's outputs map to predictions.

Classification: ``cross_entropy`` (default; logits -> fused log-softmax + NLL), ``nll`` (on
log_softmax), ``mse`` (softmax vs one-hot, the notes' comparison with cross-entropy),
``multi_margin`` (multi-class hinge), ``kl_div`` (log_softmax vs one-hot, batchmean), and for two
classes ``bce`` (sigmoid + BCELoss) and ``bce_with_logits`` (one output unit).
Regression: ``mse`` (default), ``l1``, ``smooth_l1``, ``huber``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import Tensor
from ..errors import UserError
from ..nn import functional as F

CLASSIFICATION_LOSSES = ("cross_entropy", "nll", "mse", "multi_margin", "kl_div", "bce", "bce_with_logits")
REGRESSION_LOSSES = ("mse", "l1", "smooth_l1", "huber")


def _onehot(y: Tensor, c: int, dtype: np.dtype) -> Tensor:
    return Tensor._make(np.eye(c, dtype=dtype)[y._data])


@dataclass
class LossSpec:
    """A named loss for a task: output width, loss value, per-sample losses and predictions."""

    name: str
    task: str
    n_classes: int = 0
    n_targets: int = 1

    def __post_init__(self) -> None:
        valid = CLASSIFICATION_LOSSES if self.task == "classification" else REGRESSION_LOSSES
        if self.name not in valid:
            raise UserError(f"unknown {self.task} loss {self.name!r}; valid choices: {', '.join(valid)}")
        if self.name in ("bce", "bce_with_logits") and self.n_classes != 2:
            raise UserError(
                f"loss {self.name!r} needs a binary task (2 classes), but the data has {self.n_classes}; "
                "use cross_entropy"
            )

    @property
    def binary(self) -> bool:
        return self.name in ("bce", "bce_with_logits")

    def out_features(self) -> int:
        """Width of the network's last layer for this loss."""
        if self.task == "regression":
            return self.n_targets
        return 1 if self.binary else self.n_classes

    def per_sample(self, out: Tensor, y: Tensor) -> Tensor:
        """Unreduced losses, shape (N, ...); their mean (or sum / N for kl_div) is the loss."""
        n = self.name
        if self.task == "regression":
            fn = {"mse": F.mse_loss, "l1": F.l1_loss, "smooth_l1": F.smooth_l1_loss, "huber": F.huber_loss}[n]
            return fn(out, y, reduction="none")
        if n == "cross_entropy":
            return F.cross_entropy(out, y, reduction="none")
        if n == "nll":
            return F.nll_loss(F.log_softmax(out, dim=1), y, reduction="none")
        if n == "mse":
            return F.mse_loss(
                F.softmax(out, dim=1), _onehot(y, self.n_classes, out._data.dtype), reduction="none"
            )
        if n == "multi_margin":
            return F.multi_margin_loss(out, y, reduction="none")
        if n == "kl_div":
            t = _onehot(y, self.n_classes, out._data.dtype)
            return F.kl_div(F.log_softmax(out, dim=1), t, reduction="none").sum(dim=1)
        yf = Tensor._make(y._data.astype(out._data.dtype).reshape(out._data.shape))
        if n == "bce":
            return F.binary_cross_entropy(out.sigmoid(), yf, reduction="none")
        return F.binary_cross_entropy_with_logits(out, yf, reduction="none")

    def loss(self, out: Tensor, y: Tensor) -> Tensor:
        """The scalar training loss (fused where the library fuses it)."""
        n = self.name
        if self.task == "classification" and n == "cross_entropy":
            return F.cross_entropy(out, y)
        if self.task == "regression" and n == "mse":
            return F.mse_loss(out, y)
        if n == "kl_div":
            t = _onehot(y, self.n_classes, out._data.dtype)
            return F.kl_div(F.log_softmax(out, dim=1), t, reduction="batchmean")
        return self.per_sample(out, y).mean()

    def target(self, y: np.ndarray) -> np.ndarray:
        """Targets as the loss expects them: int64 labels, or float (N, n_targets) values."""
        if self.task == "regression":
            return np.asarray(y, dtype=np.float32).reshape(len(y), -1)
        return np.asarray(y, dtype=np.int64)

    def predict(self, out: np.ndarray) -> np.ndarray:
        """Predicted labels (classification) or values (regression) from raw outputs."""
        if self.task == "regression":
            return out
        if self.binary:
            return (out.reshape(-1) > 0).astype(np.int64)
        return out.argmax(axis=1)


class CriterionSpec(LossSpec):
    """Wraps any PyTorch-style criterion (``nn.CrossEntropyLoss()``, a function ``f(out, y)``) for
    :func:`~mlplab.train.loop.fit`. Predictions are the argmax for classification and the raw
    outputs for regression. Only backprop training: numerical gradients need a named loss."""

    def __init__(self, criterion: Any, task: str = "classification") -> None:
        if task not in ("classification", "regression"):
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


def as_spec(loss: Any, task: str = "classification") -> LossSpec:
    """A LossSpec from a LossSpec, or from a criterion callable."""
    if isinstance(loss, LossSpec):
        return loss
    if callable(loss):
        return CriterionSpec(loss, task)
    raise UserError(
        f"loss must be a LossSpec or a criterion such as nn.CrossEntropyLoss(), got {type(loss).__name__}"
    )
