"""How to add an optimiser: one class with its formula, its state and its per-tensor update.

The toy below is sign descent with a moving average of the gradient's sign (not in PyTorch). The
executor runs it on flat buffers (small tensors) and in chunks (big ones) with no further code.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import mlplab
from mlplab.optim import Optimizer
from mlplab.optim.hyperparameters import check, group_defaults, learning_rate
from mlplab.optim.optimizer import next_step


class SignMomentum(Optimizer):
    """s <- beta s + (1 - beta) sign(g);  w <- w - lr s."""

    def __init__(self, params: Any, lr: float = 1e-2, beta: float = 0.9) -> None:
        check(lr=lr, beta=beta, fractions=("beta",))
        super().__init__(params, group_defaults(locals()))

    scalar_state = {"step": 0.0}  # counted, as PyTorch counts steps
    scratch_count = 1

    def array_state(self, group: dict[str, Any]) -> dict[str, float]:
        return {"sign_avg": 0.0}

    def scalars(self, group: dict[str, Any], state: dict[str, Any]) -> tuple[Any, ...]:
        next_step(state)
        return learning_rate(group), group["beta"]

    def update(self, w: Any, g: np.ndarray, state: list, scratch: list, s: Any) -> tuple[np.ndarray, float]:
        lr, beta = s
        sign_avg, (sign,) = state[0], scratch
        sign_avg *= beta  # s <- beta s + (1 - beta) sign(g)
        sign_avg += np.multiply(np.sign(g, out=sign), 1 - beta, out=sign)
        return sign_avg, -lr  # w <- w - lr s


def test_a_new_optimiser_is_one_class():
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=s) for s in [(300, 131), (7, 5), (5,)]]  # chunks, and one flat buffer
    params = [mlplab.tensor(a.copy(), requires_grad=True) for a in arrays]
    opt = SignMomentum(params, lr=0.1, beta=0.5)
    expected = [a.copy() for a in arrays]
    sign_avgs = [np.zeros_like(a) for a in arrays]
    for _ in range(3):
        grads = [rng.normal(size=a.shape) for a in arrays]
        for p, g in zip(params, grads):
            p.grad = mlplab.tensor(g)
        opt.step()
        for w, s, g in zip(expected, sign_avgs, grads):
            s[...] = 0.5 * s + 0.5 * np.sign(g)
            w -= 0.1 * s
    for p, w in zip(params, expected):
        np.testing.assert_allclose(p._data, w, rtol=1e-12)
    assert float(opt.state_dict()["state"][0]["step"]) == 3.0
    assert opt.defaults == {"lr": 0.1, "beta": 0.5}
