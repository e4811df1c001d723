"""The arguments of each one-pass kernel, shared by both backends (``native`` C, ``numba``).

Each function takes what :func:`mlplab.optim.kernels.kernel_for`'s kernel takes -- the flat arrays
``w``, ``g``, the state arrays and the scalars ``s`` as the optimiser's ``scalars`` returns them --
and returns ``(arrays, scalars)``: the arrays the loop reads and writes, and its scalar arguments,
every float cast to the arrays' dtype (as the reference's NumPy scalars are) and every flag a bool.
The loops themselves are ``native.c`` and the ``@jit`` functions of ``adam.py``, ``rms.py``, ``sgd.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["adagrad", "adam", "adam_many", "lerp_coefficient", "momentum", "nadam", "rmsprop", "sgd"]
__all__ += ["sgd_many", "unused"]

Args = tuple[tuple[np.ndarray, ...], tuple[Any, ...]]


def lerp_coefficient(weight: float, dtype: Any) -> tuple[bool, Any]:
    """``inplace.lerp_``'s choice for ``weight``: ``(False, weight)`` (from ``a``) when ``|weight| < 0.5``,
    else ``(True, weight - 1)`` (from ``b``; ``weight - 1`` rounded in ``dtype``), cast to ``dtype``."""
    cast = dtype.type
    if abs(weight) < 0.5:
        return False, cast(weight)
    return True, cast(cast(weight) - cast(1))


_UNUSED: dict[Any, np.ndarray] = {}


def unused(dtype: Any) -> np.ndarray:
    """A 1-element array to pass for a state array an option leaves out (never read or written there).

    Not an alias of a real argument: a compiler vectorises a loop only where its arrays do not overlap.
    """
    array = _UNUSED.get(dtype)
    if array is None:
        array = _UNUSED[dtype] = np.zeros(1, dtype=dtype)
    return array


def adam(w: np.ndarray, g: np.ndarray, state: list[np.ndarray], s: Any) -> Args:
    """Adam/AdamW: ``(w, g, m, v, v_max)``, ``(maximize, weight_decay, decay, from_b, c1, beta2,
    1 - beta2, amsgrad, sqrt(1 - beta2^t), eps, -step_size)``."""
    amsgrad = s[5]
    v_max = state[2] if amsgrad else unused(w.dtype)
    return (w, g, state[0], state[1], v_max), _adam_scalars(w.dtype, s)


def adam_many(dtype: Any, s: Any) -> tuple[Any, ...]:
    """Adam/AdamW without amsgrad over several parameters (``native.Many``): :func:`adam`'s scalars
    less the ``amsgrad`` flag. The floats come as Python numbers, each of which ``Many`` stores in a
    C float of ``dtype``: one rounding of the double to nearest, as the NumPy cast in :func:`adam`
    (a plain cast costs ~0.2 us a scalar; ``c1``, which may need ``dtype`` arithmetic, is cast here)."""
    beta1, beta2, eps, weight_decay, decay, amsgrad, maximize, step_size, bias_correction2_sqrt = s
    if amsgrad:
        raise ValueError("adam_many: no amsgrad (its v_max is not passed)")
    from_b, c1 = lerp_coefficient(1 - beta1, dtype)
    return (
        bool(maximize), weight_decay, 1 if decay is None else decay, from_b, c1, beta2, 1 - beta2,
        bias_correction2_sqrt, eps, -step_size,
    )  # fmt: skip


def _adam_scalars(dtype: Any, s: Any) -> tuple[Any, ...]:
    beta1, beta2, eps, weight_decay, decay, amsgrad, maximize, step_size, bias_correction2_sqrt = s
    cast = dtype.type
    from_b, c1 = lerp_coefficient(1 - beta1, dtype)
    return (
        bool(maximize), cast(weight_decay), cast(1 if decay is None else decay), from_b, c1,
        cast(beta2), cast(1 - beta2), bool(amsgrad), cast(bias_correction2_sqrt), cast(eps),
        cast(-step_size),
    )  # fmt: skip


def nadam(w: np.ndarray, g: np.ndarray, state: list[np.ndarray], s: Any) -> Args:
    """NAdam: ``(w, g, m, v)``, ``(maximize, weight_decay, decay, from_b, c1, beta2, 1 - beta2,
    1 - beta2^t, eps, grad_coef, avg_coef)``."""
    beta1, beta2, eps, weight_decay, decay, maximize, bias_correction2, grad_coef, avg_coef = s
    cast = w.dtype.type
    from_b, c1 = lerp_coefficient(1 - beta1, w.dtype)
    return (w, g, state[0], state[1]), (
        bool(maximize), cast(weight_decay), cast(1 if decay is None else decay), from_b, c1,
        cast(beta2), cast(1 - beta2), cast(bias_correction2), cast(eps), cast(grad_coef),
        cast(avg_coef),
    )  # fmt: skip


def rmsprop(w: np.ndarray, g: np.ndarray, state: list[np.ndarray], s: Any) -> Args:
    """RMSprop: ``(w, g, square_avg, buffer, grad_avg)``, ``(maximize, weight_decay, alpha,
    1 - alpha, centered, from_b, c_avg, eps, momentum, momentum > 0, -lr)``."""
    lr, alpha, eps, weight_decay, momentum, centered, maximize = s
    cast = w.dtype.type
    from_b, c_avg = lerp_coefficient(1 - alpha, w.dtype)
    buffer = state[1] if momentum > 0 else unused(w.dtype)
    grad_avg = state[-1] if centered else unused(w.dtype)
    return (w, g, state[0], buffer, grad_avg), (
        bool(maximize), cast(weight_decay), cast(alpha), cast(1 - alpha), bool(centered), from_b,
        c_avg, cast(eps), cast(momentum), momentum > 0, cast(-lr),
    )  # fmt: skip


def adagrad(w: np.ndarray, g: np.ndarray, state: list[np.ndarray], s: Any) -> Args:
    """Adagrad: ``(w, g, sum)``, ``(maximize, weight_decay, eps, -clr)``."""
    clr, eps, weight_decay, maximize = s
    cast = w.dtype.type
    return (w, g, state[0]), (bool(maximize), cast(weight_decay), cast(eps), cast(-clr))


def sgd(w: np.ndarray, g: np.ndarray, state: list[np.ndarray], s: Any) -> Args:
    """SGD: ``(w, g, buffer)``, ``(maximize, weight_decay, momentum != 0, first, momentum,
    1 - dampening, nesterov, -lr)``."""
    lr, momentum, dampening, weight_decay, nesterov, maximize, first = s
    cast = w.dtype.type
    buffer = state[0] if momentum != 0 else unused(w.dtype)
    return (w, g, buffer), (
        bool(maximize), cast(weight_decay), momentum != 0, bool(first), cast(momentum),
        cast(1 - dampening), bool(nesterov), cast(-lr),
    )  # fmt: skip


def sgd_many(dtype: Any, s: Any) -> tuple[int, Any, Any]:
    """Plain SGD (no momentum) over several parameters (``native.Many``): ``(maximize, weight_decay,
    -lr)``, the floats cast to ``dtype``, for ``g <- (-)g + weight_decay * w``, ``w <- w - lr * g``,
    each multiply-add rounded once, as :func:`~mlplab.optim.inplace.add_` rounds it."""
    lr, momentum, dampening, weight_decay, nesterov, maximize, first = s
    if momentum != 0:
        raise ValueError("sgd_many: plain SGD only (momentum 0: no state)")
    cast = dtype.type
    return int(bool(maximize)), cast(weight_decay), cast(-lr)


def momentum(w: np.ndarray, g: np.ndarray, state: list[np.ndarray], s: Any) -> Args:
    """Momentum (the notes' EMA): ``(w, g, velocity)``, ``(maximize, weight_decay, alpha, 1 - alpha,
    -lr)``."""
    lr, alpha, weight_decay, maximize = s
    cast = w.dtype.type
    return (w, g, state[0]), (bool(maximize), cast(weight_decay), cast(alpha), cast(1 - alpha), cast(-lr))
