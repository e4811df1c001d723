"""The training loop: epochs over a DataLoader, an optimiser, an optional scheduler, L1/L2
penalties, validation, and callbacks (progress, TensorBoard, history, early stopping, checkpoints).

One epoch, for each batch (x, y):

    loss = criterion(model(x), y) + l1 * sum|w| + l2 * sum w^2
    grads = backprop(loss)            # or numerical central differences (grad="numerical")
    optimizer.step(); [scheduler.step() for per-batch schedules such as OneCycleLR]

then the validation pass in ``eval()`` mode and ``scheduler.step()`` (with the validation loss for
ReduceLROnPlateau). A non-finite loss stops training with :class:`DivergenceError`.
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import nn
from ..autograd.grad_mode import no_grad
from ..errors import DivergenceError, UserError
from ..optim.penalties import l1_penalty, l2_penalty
from ..tensor import Tensor
from .losses import LossSpec, as_spec
from .metrics import accuracy, regression_metrics
from .numgrad import assign_grads, numerical_gradients


@dataclass
class TrainState:
    """What the loop has done so far; callbacks read it and may set ``stop``."""

    epoch: int = 0  # number of finished epochs
    epochs: int = 0  # epochs requested in total
    history: list[dict[str, float]] = field(default_factory=list)
    stop: bool = False
    n_batches: int = 0


class Callback:
    """Hooks called by :func:`fit`; override the ones you need."""

    def on_train_begin(self, trainer: Trainer) -> None: ...

    def on_epoch_begin(self, trainer: Trainer, epoch: int) -> None: ...

    def on_batch_end(self, trainer: Trainer, batch: int, logs: dict[str, float]) -> None: ...

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None: ...

    def on_train_end(self, trainer: Trainer) -> None: ...

    def on_exception(self, trainer: Trainer, exc: BaseException) -> None:
        """Training stopped by an exception (Ctrl-C, divergence): release what you hold."""


def predict_outputs(model: nn.Module, x: np.ndarray, batch_size: int = 4096) -> np.ndarray:
    """Raw network outputs in eval mode (no graph), computed in batches of ``batch_size``."""
    was = model.training
    model.eval()
    x = np.asarray(x, dtype=np.float32)
    with no_grad():
        outs = [model(Tensor._make(x[i : i + batch_size]))._data for i in range(0, len(x), batch_size)]
    model.train(was)
    return np.concatenate(outs) if outs else np.zeros((0, 0), dtype=np.float32)


def score(out: np.ndarray, y: np.ndarray, spec: LossSpec) -> dict[str, float]:
    """Loss and metrics (accuracy; or MAE, MSE, R^2) of outputs ``out`` against targets ``y``."""
    if len(y):
        with no_grad():
            loss = float(spec.loss(Tensor._make(out), Tensor._make(y)).item())
    else:
        loss = float("nan")
    pred = spec.predict(out)
    if spec.task == "classification":
        return {"loss": loss, "acc": accuracy(pred, y)}
    return {"loss": loss, **regression_metrics(pred, y)}


def evaluate(
    model: nn.Module, x: np.ndarray, y: np.ndarray, spec: LossSpec, batch_size: int = 4096
) -> dict[str, float]:
    """Loss and metrics of ``model`` (in eval mode) on arrays ``x``, ``y``."""
    return score(predict_outputs(model, x, batch_size), y, spec)


def _requires_argument(method: Any) -> bool:
    """Whether ``method`` (a bound ``step``) has a parameter without a default."""
    try:
        params = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):  # pragma: no cover
        return False
    return any(
        p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        for p in params
    )


class Trainer:
    """Holds everything one training run touches, so callbacks can reach it."""

    def __init__(
        self,
        model: nn.Module,
        loader: Any,
        optimizer: Any,
        spec: LossSpec | Any,
        *,
        task: str = "classification",
        scheduler: Any = None,
        scheduler_interval: str = "epoch",
        val_data: tuple[np.ndarray, np.ndarray] | None = None,
        l1: float = 0.0,
        l2: float = 0.0,
        grad: str = "backprop",
        callbacks: Sequence[Callback] = (),
        state: TrainState | None = None,
        needs_closure: bool | None = None,
        steps_on_metric: bool | None = None,
    ) -> None:
        if grad not in ("backprop", "numerical"):
            raise UserError(f"unknown gradient mode {grad!r}; valid choices: backprop, numerical")
        if l1 < 0 or l2 < 0:
            raise UserError(f"l1 and l2 must be >= 0, got l1={l1}, l2={l2}")
        self.model = model
        self.loader = loader
        self.optimizer = optimizer
        self.spec = as_spec(spec, task)
        self.scheduler = scheduler
        self.scheduler_interval = scheduler_interval
        self.val_data = val_data
        self.l1, self.l2 = l1, l2
        self.grad = grad
        self.callbacks = list(callbacks)
        self.state = state or TrainState()
        self.params = list(model.parameters())
        # the registries say so for a run; for any other optimiser or schedule its step's
        # signature does: L-BFGS's step(closure) and ReduceLROnPlateau's step(metrics) require them
        self.needs_closure = _requires_argument(optimizer.step) if needs_closure is None else needs_closure
        self.steps_on_metric = (
            scheduler is not None and _requires_argument(scheduler.step)
            if steps_on_metric is None
            else steps_on_metric
        )

    def _call(self, hook: str, *args: Any) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(self, *args)

    def _step(self, xb: Tensor, yb: Tensor, epoch: int, batch: int) -> tuple[float, np.ndarray]:
        model, spec, opt = self.model, self.spec, self.optimizer
        last: dict[str, Any] = {}

        def forward() -> tuple[Tensor, Tensor, float]:
            out = model(xb)
            loss = spec.loss(out, yb)
            if self.l1:
                loss = loss + self.l1 * l1_penalty(self.params)
            if self.l2:
                loss = loss + self.l2 * l2_penalty(self.params)
            v = float(loss.item())
            if not math.isfinite(v):
                raise DivergenceError(
                    f"loss became {v} at epoch {epoch}, batch {batch}; the run diverged - try a lower "
                    f"learning rate (--lr), gradient-friendlier init, or a smaller batch",
                    epoch,
                    batch,
                )
            return out, loss, v

        def closure() -> Tensor:
            opt.zero_grad()
            out, loss, v = forward()
            if "out" not in last:
                last["out"], last["loss"] = out._data, v
            loss.backward()
            return loss

        if self.grad == "numerical":
            with no_grad():
                out, _, v = forward()
            opt.zero_grad()
            assign_grads(model, numerical_gradients(model, xb._data, yb._data, spec, self.l1, self.l2))
            opt.step()
            return v, out._data
        if self.needs_closure:
            opt.step(closure)
        else:
            closure()
            opt.step()
        return last["loss"], last["out"]

    def fit(self, epochs: int) -> TrainState:
        """Train until ``epochs`` epochs are finished in total (continuing from ``state.epoch``)."""
        st = self.state
        st.epochs = epochs
        st.n_batches = len(self.loader)
        self._call("on_train_begin")
        cls = self.spec.task == "classification"
        try:
            while st.epoch < epochs and not st.stop:
                epoch = st.epoch + 1
                self.model.train()
                self._call("on_epoch_begin", epoch)
                t0 = time.perf_counter()
                seen = 0
                loss_sum = 0.0
                correct = 0
                for b, (xb, yb) in enumerate(self.loader, 1):
                    v, out = self._step(xb, yb, epoch, b)
                    n = len(yb._data)
                    seen += n
                    loss_sum += v * n
                    logs = {"loss": loss_sum / seen}
                    if cls:
                        correct += int((self.spec.predict(out) == yb._data).sum())
                        logs["acc"] = correct / seen
                    self._call("on_batch_end", b, logs)
                    if self.scheduler is not None and self.scheduler_interval == "batch":
                        self.scheduler.step()
                row: dict[str, float] = {"epoch": epoch, "train_loss": loss_sum / max(seen, 1)}
                if cls:
                    row["train_acc"] = correct / max(seen, 1)
                if self.val_data is not None and len(self.val_data[0]):
                    for k, val in evaluate(self.model, *self.val_data, self.spec).items():
                        row[f"val_{k}"] = val
                row["lr"] = float(self.optimizer.param_groups[0]["lr"])
                row["time"] = time.perf_counter() - t0
                if self.scheduler is not None and self.scheduler_interval == "epoch":
                    if self.steps_on_metric:
                        self.scheduler.step(row.get("val_loss", row["train_loss"]))
                    else:
                        self.scheduler.step()
                st.epoch = epoch
                st.history.append(row)
                self._call("on_epoch_end", epoch, row)
        except BaseException as exc:
            self._call("on_exception", exc)
            raise
        self._call("on_train_end")
        return st


def fit(
    model: nn.Module,
    loader: Any,
    optimizer: Any,
    spec: LossSpec | Any,
    epochs: int,
    **kwargs: Any,
) -> list[dict[str, float]]:
    """Train ``model`` for ``epochs`` epochs; returns the history (one dict per epoch).

    ``spec`` is a :class:`LossSpec` or any criterion (``nn.CrossEntropyLoss()``; then pass
    ``task="regression"`` for a regression model). Keyword arguments are those of :class:`Trainer`
    (task, scheduler, scheduler_interval, val_data, l1, l2, grad, callbacks, state, needs_closure,
    steps_on_metric).
    """
    return Trainer(model, loader, optimizer, spec, **kwargs).fit(epochs).history
