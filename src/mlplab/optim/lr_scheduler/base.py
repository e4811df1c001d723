"""``LRScheduler``: the base every schedule shares (epochs, ``initial_lr``, state dict)."""

from __future__ import annotations

from typing import Any

from ..optimizer import Optimizer

__all__ = ["LRScheduler", "_LRScheduler", "check_optimizer", "current_lrs"]


def check_optimizer(optimizer: Any) -> None:
    """Raise TypeError unless ``optimizer`` is an mlplab Optimizer (as PyTorch does)."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def current_lrs(optimizer: Optimizer) -> list[Any]:
    """Each parameter group's lr, in group order."""
    return [group["lr"] for group in optimizer.param_groups]


class LRScheduler:
    """Base class: ``step()`` advances ``last_epoch`` and sets each group's lr from ``get_lr()``.

    On creation (``last_epoch=-1``) every group gets ``initial_lr`` = its current lr (kept if already
    set) and ``base_lrs`` records them; then one initial step sets the epoch-0 learning rates.

    Args:
        optimizer: the wrapped :class:`~mlplab.optim.Optimizer`.
        last_epoch: index of the last epoch; -1 to start fresh (else groups must hold ``initial_lr``).
    """

    _is_initial: bool = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                        "scheduler with last_epoch >= 0"
                    )
        self.base_lrs: list[Any] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[Any]:
        """The learning rates for the current ``last_epoch`` (subclasses define this)."""
        raise NotImplementedError

    def get_last_lr(self) -> list[Any]:
        """The learning rates the last ``step()`` set, one per parameter group."""
        return self._last_lr

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (or jump to ``epoch``, using the closed form where one exists)."""
        self._step_count += 1
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed = getattr(self, "_get_closed_form_lr", None)
            values = closed() if closed is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = current_lrs(self.optimizer)

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimiser (plain numbers and lists)."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the attributes saved by :meth:`state_dict`."""
        self.__dict__.update(state_dict)


class _LRScheduler(LRScheduler):
    """PyTorch's old name for :class:`LRScheduler`, which older custom schedulers subclass."""
