"""``optim.swa_utils``: stochastic weight averaging (Izmailov et al., 2018), as ``torch.optim.swa_utils``.

SWA averages the weights visited late in training, with a constant or cyclical lr, instead of
keeping the last ones: the average sits nearer the centre of a wide, flat basin. Three pieces::

    swa_model = AveragedModel(model)                   # a copy holding the running average
    swa_scheduler = SWALR(optimizer, swa_lr=0.05)      # anneal to a constant SWA learning rate
    ... each epoch after swa_start: swa_model.update_parameters(model); swa_scheduler.step()
    update_bn(train_loader, swa_model)                 # BatchNorm statistics for the averaged weights

With ``multi_avg_fn=get_ema_multi_avg_fn(decay)`` the same ``AveragedModel`` keeps an EMA of the
weights instead of their mean.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from ..autograd import grad_mode
from ..autograd.tensor_base import bump_versions
from ..nn.batchnorm import _BatchNorm
from ..nn.module import Module
from ..tensor import Tensor
from .ema import get_ema_avg_fn, get_ema_multi_avg_fn, get_swa_avg_fn, get_swa_multi_avg_fn
from .lr_scheduler.base import LRScheduler
from .lr_scheduler.one_cycle import _per_group
from .optimizer import Optimizer

__all__ = [
    "SWALR",
    "AveragedModel",
    "get_ema_avg_fn",
    "get_ema_multi_avg_fn",
    "get_swa_avg_fn",
    "get_swa_multi_avg_fn",
    "update_bn",
]


def _params(obj: Any) -> list[Tensor]:
    return list(obj.parameters()) if hasattr(obj, "parameters") else list(obj)


def _buffers(obj: Any) -> list[Tensor]:
    return list(obj.buffers()) if hasattr(obj, "buffers") else []


class AveragedModel(Module):
    """A copy of ``model`` whose weights are the average of the weights it is updated with.

    ``update_parameters(model)`` after each optimiser step or epoch: the first call copies the
    weights; the n-th (n = ``n_averaged``, counting from 0) then applies, by default, the running
    mean ``W_avg <- W_avg + (W - W_avg) / (n + 1)``, or ``avg_fn(W_avg, W, n)`` tensor by tensor, or
    ``multi_avg_fn(W_avgs, Ws, n)`` on the lists in place (e.g. :func:`get_ema_multi_avg_fn`:
    ``W_avg <- decay W_avg + (1 - decay) W``). Calling the AveragedModel calls the averaged copy.

    Args:
        model: the model to average (deep-copied): an ``nn.Module``, or any object with
            ``.parameters()`` (and optionally ``.buffers()``).
        device: accepted as PyTorch's; only the CPU exists here (``Module.to`` refuses others).
        avg_fn, multi_avg_fn: the averaging rule (at most one of them; default the running mean).
        use_buffers: average the buffers with the parameters (else they are copied from ``model``
            at each update; then call :func:`update_bn` after training for BatchNorm statistics).
    """

    def __init__(
        self,
        model: Any,
        device: Any = None,
        avg_fn: Callable[[Tensor, Tensor, Any], Tensor] | None = None,
        multi_avg_fn: Callable[[list[Tensor], list[Tensor], Any], None] | None = None,
        use_buffers: bool = False,
    ) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None and isinstance(self.module, Module):
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", Tensor._make(np.array(0, dtype=np.int64)))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    def parameters(self, recurse: bool = True) -> Iterator[Tensor]:
        if isinstance(self.module, Module):
            return super().parameters(recurse)
        return iter(_params(self.module))  # a plain object with .parameters()

    def update_parameters(self, model: Any) -> None:
        """Fold ``model``'s current weights (and buffers, with ``use_buffers``) into the average."""
        if self.use_buffers:
            mine = list(itertools.chain(_params(self.module), _buffers(self.module)))
            theirs = list(itertools.chain(_params(model), _buffers(model)))
        else:
            mine, theirs = _params(self.module), _params(model)
        if len(mine) != len(theirs):
            raise ValueError(f"model has {len(theirs)} parameters, the averaged copy has {len(mine)}")
        n = self.n_averaged
        if int(n) == 0:
            for a, p in zip(mine, theirs):
                a._data[...] = p._data
            bump_versions(mine)  # PyTorch's copy_: a graph that saved them must not use them
        else:
            current = [Tensor._make(p._data) for p in theirs]
            if self.multi_avg_fn is not None:
                self.multi_avg_fn(mine, current, n)
            elif self.avg_fn is not None:
                for a, p in zip(mine, current):
                    a._data[...] = self.avg_fn(Tensor._make(a._data), p, n)._data
                bump_versions(mine)
            else:  # PyTorch's CPU path: avg + (p - avg) / (n + 1), out of place, then copied in
                for a, p in zip(mine, current):
                    arr = a._data
                    arr[...] = arr + (p._data - arr) / arr.dtype.type(int(n) + 1)
                bump_versions(mine)
        if not self.use_buffers:
            for b_avg, b in zip(_buffers(self.module), _buffers(model)):
                b_avg._data[...] = b._data
                bump_versions((b_avg,))
        n._data += 1


def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    """Recompute every BatchNorm's running statistics with one pass of ``loader`` through ``model``.

    The running mean and variance collected during training belong to the weights of that time, not
    to their average: reset them, run the data through in training mode with ``momentum=None`` (an
    equal-weight average over the batches), then restore each layer's momentum and the model's mode.
    A batch that is a list or tuple contributes its first element (the inputs). No gradients.
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with grad_mode.no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's lr to ``swa_lr`` over ``anneal_epochs`` epochs, then hold it.

    At step s (s = 0 at creation) with t = clip(s / anneal_epochs, 0, 1) and alpha = a(t), where
    a(t) = (1 - cos(pi t)) / 2 ("cos") or t ("linear")::

        lr_s = swa_lr * alpha + lr_0 * (1 - alpha)

    computed, as PyTorch does, from the previous lr: lr_0 is recovered as
    (lr_{s-1} - alpha_{s-1} swa_lr) / (1 - alpha_{s-1}), so the schedule starts from whatever lr the
    optimiser holds when SWA begins.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        swa_lr: float | list[float],
        anneal_epochs: int = 10,
        anneal_strategy: str = "cos",
        last_epoch: int = -1,
    ) -> None:
        for lr, group in zip(_per_group("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    def _set_anneal_func(self, anneal_strategy: str) -> None:
        self._anneal_strategy = anneal_strategy
        if anneal_strategy == "cos":
            self.anneal_func: Callable[[float], float] = lambda t: (1 - math.cos(math.pi * t)) / 2
        else:
            self.anneal_func = lambda t: t

    def get_lr(self) -> list[Any]:
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        span = max(1, self.anneal_epochs)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / span)))
        alpha = self.anneal_func(max(0, min(1, step / span)))
        groups = self.optimizer.param_groups
        return [
            g["swa_lr"] * alpha + _initial_lr(g["lr"], g["swa_lr"], prev_alpha) * (1 - alpha) for g in groups
        ]

    def state_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)


def _initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
    """The lr the annealing started from, given the lr it has reached at weight alpha."""
    if alpha == 1:
        return swa_lr
    return (lr - alpha * swa_lr) / (1 - alpha)
