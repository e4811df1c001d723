r"""``mlplab.nn.init``: weight initialisers, in place, under no_grad, each returning its tensor.

Why the scales. A unit computes z = \sum_{i=1}^{n} w_i x_i. With independent, zero-mean w and x,
    Var(z) = n Var(w) Var(x),
so the signal keeps its variance through a layer when Var(w) = 1/n_in ("LeCun"); keeping the
backward gradients' variance asks for Var(w) = 1/n_out. The two uniform/normal families:

- Xavier/Glorot (tanh, sigmoid, linear): compromise Var(w) = 2 / (fan_in + fan_out), times gain^2.
  Normal: std = gain \sqrt{2/(fan_in + fan_out)}. Uniform U(-a, a) has Var = a^2/3, so
  a = gain \sqrt{6/(fan_in + fan_out)}.
- Kaiming/He (ReLU): ReLU zeroes half its inputs, halving the second moment, so Var(w) = 2/fan
  (gain^2 = 2): std = gain / \sqrt{fan}, uniform bound a = \sqrt3 std = gain \sqrt{3/fan}.
  ``mode='fan_in'`` preserves forward activations, ``'fan_out'`` backward gradients.

Fans follow PyTorch: for a weight of shape (out, in, *k), fan_in = in * prod(k) and
fan_out = out * prod(k). Random draws use mlplab's generator (``mlplab.manual_seed``).
"""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import random as _random
from ..autograd.tensor_base import bump_version
from ..tensor import Tensor

__all__ = [
    "calculate_gain",
    "constant_",
    "eye_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "orthogonal_",
    "trunc_normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    r"""The recommended scale for weights feeding ``nonlinearity``.

    linear/conv/sigmoid: 1;  tanh: 5/3;  relu: \sqrt2;  leaky_relu: \sqrt{2/(1 + a^2)} (a = ``param``,
    default 0.01);  selu: 3/4.
    """
    linear_fns = [
        "linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
    ]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel): in*prod(kernel), out*prod(kernel)."""
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = 1
    for s in shape[2:]:
        receptive *= s
    return shape[1] * receptive, shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor: Tensor, values: Any) -> Tensor:
    # writes straight into the array: the no_grad of PyTorch's initialisers, without its cost
    tensor._data[...] = values
    bump_version(tensor)  # one in-place change, as PyTorch's initialisers count
    return tensor


def _rng(generator: Any) -> np.random.Generator:
    return _random.rng(generator)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    r"""Fill with U(a, b): mean (a + b)/2, variance (b - a)^2 / 12."""
    return _fill(tensor, _rng(generator).uniform(a, b, tensor._data.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
    r"""Fill with N(mean, std^2)."""
    return _fill(tensor, _rng(generator).normal(mean, std, tensor._data.shape))


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Any = None,
) -> Tensor:
    r"""Fill with N(mean, std^2) conditioned on [a, b] (bounds in absolute units, as PyTorch).

    Sampled by rejection: draws outside [a, b] are redrawn, which is the truncated distribution
    exactly (its variance is below std^2 unless [a, b] is wide).
    """
    if not a < b:
        raise ValueError(f"trunc_normal_: need a < b, got a={a}, b={b}")
    r = _rng(generator)
    shape = tensor._data.shape
    out = r.normal(mean, std, shape).reshape(-1)
    bad = np.flatnonzero((out < a) | (out > b))
    tries = 0
    while bad.size:
        out[bad] = r.normal(mean, std, bad.size)
        bad = bad[(out[bad] < a) | (out[bad] > b)]
        tries += 1
        if tries > 1000:  # [a, b] holds almost no mass: fall back to clamping
            np.clip(out, a, b, out=out)
            break
    return _fill(tensor, out.reshape(shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with the constant ``val``."""
    tensor._data.fill(val)
    bump_version(tensor)
    return tensor


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0 (every unit then computes the same thing: symmetry is never broken)."""
    tensor._data.fill(0)
    bump_version(tensor)
    return tensor


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    tensor._data.fill(1)
    bump_version(tensor)
    return tensor


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (keeps inputs as they are in a Linear layer)."""
    if tensor._data.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, np.eye(*tensor._data.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    r"""Glorot uniform: U(-a, a), a = gain \sqrt{6 / (fan_in + fan_out)}.

    Var(U(-a, a)) = a^2 / 3 = gain^2 2 / (fan_in + fan_out), the Xavier variance.
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    r"""Glorot normal: N(0, std^2), std = gain \sqrt{2 / (fan_in + fan_out)}."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Tensor:
    r"""He uniform: U(-bound, bound), bound = gain \sqrt{3 / fan}, gain = calculate_gain(nonlinearity, a).

    Var = bound^2 / 3 = gain^2 / fan: 2/fan for ReLU. ``nn.Linear`` uses a = \sqrt5 (gain^2 = 1/3), i.e.
    bound = 1/\sqrt{fan_in}.
    """
    if 0 in tensor._data.shape:
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Tensor:
    r"""He normal: N(0, std^2), std = gain / \sqrt{fan} (\sqrt{2/fan} for ReLU)."""
    if 0 in tensor._data.shape:
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    r"""Fill with a (semi-)orthogonal matrix times ``gain``: QR of a Gaussian matrix, with the signs
    of R's diagonal folded into Q so that Q is uniformly (Haar) distributed. Rows (or columns, if
    fewer) are orthonormal, so the layer preserves norms: ||Wx|| = ||x|| along them."""
    if tensor._data.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor._data.size == 0:
        return tensor
    rows = tensor._data.shape[0]
    cols = tensor._data.size // rows
    flat = _rng(generator).normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    bump_version(tensor)  # PyTorch's copies q in (copy_), then scales it (mul_(gain)): two versions
    return _fill(tensor, (gain * q).reshape(tensor._data.shape))
