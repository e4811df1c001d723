"""``ASGD``: averaged stochastic gradient descent (Polyak-Ruppert averaging of the iterates)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from .hyperparameters import FOREACH_DOC, check, group_defaults, learning_rate
from .inplace import add_, gradient
from .optimizer import Optimizer, next_step

__all__ = ["ASGD"]


class ASGD(Optimizer):
    __doc__ = f"""ASGD (Polyak & Juditsky, 1992): SGD with a decaying step and a running average ``ax`` of
    the weights, which is the estimate to use at the end (the weights themselves keep moving).

    For each parameter w with gradient g, at step t = 1, 2, ... (eta_1 = lr, mu_1 = 1, ax_0 = 0)::

        g <- -g                                    if maximize
        g <- g + weight_decay * w                  if weight_decay != 0
        w <- w * (1 - lambd * eta_t)
        w <- w - eta_t * g
        ax <- ax + mu_t * (w - ax)                 (ax <- w while mu_t = 1, i.e. until t0)
        eta_{{t+1}} = lr / (1 + lambd * lr * t)^alpha
        mu_{{t+1}} = 1 / max(1, t - t0)

    ``eta`` and ``mu`` are kept, as PyTorch keeps them, as 0-d state in the default float dtype;
    the average is ``optimizer.state[p]['ax']``. PyTorch's default t0 = 1e6 means averaging starts
    after a million steps: set t0 for it to matter.

    Args:
        params: tensors or parameter groups to optimise.
        lr: learning rate (default 1e-2).
        lambd: decay term (default 1e-4).
        alpha: power of the eta schedule (default 0.75).
        t0: the step at which averaging starts (default 1e6).
        weight_decay: L2 coefficient added to the gradient (default 0).
        maximize: ascend the objective instead of descending.
{FOREACH_DOC}
    """

    def __init__(self, params: Any, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False, *,
                 fused: bool | None = None) -> None:  # fmt: skip
        check(lr=lr, weight_decay=weight_decay)
        super().__init__(params, group_defaults(locals(), leave_out=("fused",)))

    scalar_state = {"step": 0.0, "eta": 0.0, "mu": 1.0}  # eta is set to the group's lr at step 1
    scratch_count = 2

    def array_state(self, group: dict[str, Any]) -> dict[str, float]:
        return {"ax": 0.0}

    def reads_weights(self, group: dict[str, Any]) -> bool:
        return True  # the average reads the new weights, so the update writes them itself

    def scalars(self, group: dict[str, Any], state: dict[str, Any]) -> tuple[Any, ...]:
        """Step t's eta_t and mu_t (read from the state, which then advances to eta_{t+1}, mu_{t+1})
        and the group's lambd, weight_decay and maximize."""
        t = next_step(state)
        lr, lambd = learning_rate(group), group["lambd"]
        eta, mu = state["eta"]._data, state["mu"]._data
        if t == 1:
            eta.fill(lr)  # PyTorch creates eta = lr (in the scalar dtype) with the state
        eta_t, mu_t = float(eta), float(mu)
        # eta_{t+1} and mu_{t+1}, rounded to the default float dtype as PyTorch's ``torch.as_tensor(x)``
        # (then stored in the state's dtype, which a loaded state dict may have made the weights')
        rounded = np.dtype(_dtype.default_np()).type
        eta.fill(rounded(lr / ((1 + lambd * lr * t) ** group["alpha"])))
        mu.fill(rounded(1 / max(1, t - group["t0"])))
        return lambd, eta_t, mu_t, group["weight_decay"], group["maximize"]

    def update(
        self, w: np.ndarray | None, g: np.ndarray, state: list[np.ndarray], scratch: list[np.ndarray], s: Any
    ) -> tuple[None, float]:
        lambd, eta, mu, weight_decay, maximize = s
        (ax,) = state
        grad, spare = scratch
        g = gradient(g, w, maximize, weight_decay, out=grad, spare=spare)  # g <- (-)g + weight_decay w
        w *= 1 - lambd * eta  # w <- w (1 - lambd eta_t)
        add_(w, g, -eta, spare)  # w <- w - eta_t g
        if mu != 1:
            diff = np.subtract(w, ax, out=spare)  # ax <- ax + mu_t (w - ax)
            diff *= mu
            ax += diff
        else:
            np.copyto(ax, w)  # ax <- w
        return None, 0.0  # the weights are written: nothing left for the executor to add
