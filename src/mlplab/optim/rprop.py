"""``Rprop``: resilient backpropagation, a per-weight step size driven by the gradient's sign alone."""

from __future__ import annotations

from typing import Any

import numpy as np

from .hyperparameters import FOREACH_DOC, check, group_defaults, learning_rate
from .optimizer import Optimizer, next_step

__all__ = ["Rprop"]


class Rprop(Optimizer):
    __doc__ = f"""Rprop (Riedmiller & Braun, 1993): each weight has its own step size, grown while its
    gradient keeps its sign and shrunk when the sign flips; only the gradient's sign moves the weight.

    For each parameter w with gradient g (g_prev_0 = 0, s_0 = lr)::

        g <- -g                                    if maximize
        f = eta_plus   where g * g_prev > 0        (same sign: accelerate)
            eta_minus  where g * g_prev < 0        (sign flip: we overshot, slow down)
            1          where g * g_prev = 0
        s <- clip(s * f, step_size_min, step_size_max)
        g <- 0         where f = eta_minus         (no move after a flip, and no flip next time)
        w <- w - sign(g) * s
        g_prev <- g

    It is meant for full-batch training: the sign of a mini-batch gradient is too noisy.

    Args:
        params: tensors or parameter groups to optimise.
        lr: the initial step size s_0 (default 1e-2).
        etas: (eta_minus, eta_plus), with 0 < eta_minus < 1 < eta_plus (default (0.5, 1.2)).
        step_sizes: (step_size_min, step_size_max) (default (1e-6, 50)).
        maximize: ascend the objective instead of descending.
{FOREACH_DOC}
    """

    def __init__(self, params: Any, lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:  # fmt: skip
        check(lr=lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, group_defaults(locals(), leave_out=("fused",)))

    scalar_state = {"step": 0.0}
    scratch_count = 2

    def array_state(self, group: dict[str, Any]) -> dict[str, float]:
        return {"prev": 0.0, "step_size": learning_rate(group)}

    def scalars(self, group: dict[str, Any], state: dict[str, Any]) -> tuple[Any, ...]:
        """The group's (eta_minus, eta_plus, step_size_min, step_size_max, maximize); counts the step."""
        next_step(state)
        eta_minus, eta_plus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        return eta_minus, eta_plus, step_size_min, step_size_max, group["maximize"]

    def update(
        self, w: np.ndarray | None, g: np.ndarray, state: list[np.ndarray], scratch: list[np.ndarray], s: Any
    ) -> tuple[np.ndarray, float]:
        eta_minus, eta_plus, step_size_min, step_size_max, maximize = s
        prev, step_size = state
        grad, f = scratch
        if maximize:
            g = np.negative(g, out=grad)  # g <- -g
        f = np.sign(np.multiply(g, prev, out=f), out=f)  # f <- eta_plus, eta_minus or 1 by sign(g g_prev)
        np.copyto(f, eta_plus, where=f > 0)
        np.copyto(f, eta_minus, where=f < 0)
        np.copyto(f, 1.0, where=f == 0)
        step_size *= f  # s <- clip(s f, step_size_min, step_size_max)
        np.clip(step_size, step_size_min, step_size_max, out=step_size)
        if g is not grad:  # a copy: the caller's gradient is never written
            np.copyto(grad, g)
            g = grad
        np.copyto(g, 0.0, where=f == eta_minus)  # g <- 0 where the sign flipped
        np.copyto(prev, g)  # g_prev <- g
        direction = np.multiply(np.sign(g, out=g), step_size, out=g)
        return direction, -1.0  # w <- w - sign(g) s
