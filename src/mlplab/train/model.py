"""``build_mlp``: the notes' fully-connected network as an ordinary ``nn.Sequential``.

Each hidden block is ``Linear -> [BatchNorm1d] -> activation -> [Dropout]``: BatchNorm before the
activation and Dropout after it, where the notes place them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from .. import nn
from ..errors import UserError

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "prelu": nn.PReLU,
    "silu": nn.SiLU,
    "swish": nn.SiLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "softplus": nn.Softplus,
    "softmax": lambda: nn.Softmax(dim=1),
    "log_softmax": lambda: nn.LogSoftmax(dim=1),
}

# the nonlinearity name nn.init.calculate_gain knows for each activation (kaiming's gain)
_GAIN_NAME = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "leaky_relu": "leaky_relu",
    "prelu": "leaky_relu",
    "silu": "relu",
    "swish": "relu",
    "elu": "relu",
    "gelu": "relu",
    "softplus": "relu",
    "softmax": "linear",
    "log_softmax": "linear",
}

INITS = (
    "default",
    "zeros",
    "ones",
    "constant",
    "uniform",
    "normal",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "trunc_normal",
    "orthogonal",
)


def _choice(kind: str, name: str, valid: Sequence[str]) -> None:
    if name not in valid:
        raise UserError(f"unknown {kind} {name!r}; valid choices: {', '.join(valid)}")


def init_linear(layer: nn.Linear, init: str, activation: str, value: float = 0.1) -> None:
    """Initialise one Linear layer's weight by name; biases become 0 except for ``default``.

    ``default`` keeps PyTorch's own init (kaiming_uniform with a=sqrt(5), i.e. U(+-1/sqrt(fan_in)),
    bias U(+-1/sqrt(fan_in))). Kaiming uses the gain of ``activation`` (sqrt(2) for ReLU, 5/3 for
    tanh ...); Xavier uses gain 1 as in the notes. ``constant`` fills with ``value``.
    """
    w = layer.weight
    init_ = nn.init
    nl = _GAIN_NAME.get(activation, "relu")
    if init == "default":
        return
    if init == "zeros":
        init_.zeros_(w)
    elif init == "ones":
        init_.ones_(w)
    elif init == "constant":
        init_.constant_(w, value)
    elif init == "uniform":
        init_.uniform_(w)
    elif init == "normal":
        init_.normal_(w)
    elif init == "xavier_uniform":
        init_.xavier_uniform_(w)
    elif init == "xavier_normal":
        init_.xavier_normal_(w)
    elif init in ("kaiming_uniform", "kaiming_normal"):
        a = 0.01 if nl == "leaky_relu" else 0.0
        fn = init_.kaiming_uniform_ if init == "kaiming_uniform" else init_.kaiming_normal_
        if nl in ("relu", "leaky_relu"):
            fn(w, a=a, mode="fan_in", nonlinearity=nl)
        else:
            # calculate_gain(nl) for tanh/sigmoid/linear, expressed through kaiming's formula
            fn(w, a=0.0, mode="fan_in", nonlinearity=nl)
    elif init == "trunc_normal":
        init_.trunc_normal_(w, std=1.0 / math.sqrt(w.shape[1]))
    elif init == "orthogonal":
        init_.orthogonal_(w)
    else:
        _choice("init", init, INITS)
    if layer.bias is not None:
        init_.zeros_(layer.bias)


def build_mlp(
    in_features: int,
    hidden: Sequence[int] = (50,),
    out_features: int = 10,
    activation: str = "tanh",
    init: str = "default",
    batchnorm: bool = False,
    dropout: float = 0.0,
    init_value: float = 0.1,
) -> nn.Sequential:
    """A multi-layer perceptron ``in -> hidden[0] -> ... -> out`` as an ``nn.Sequential``.

    The default is the notes' 64-50-10 Tanh network. ``dropout`` p in [0, 1) adds ``Dropout(p)``
    after each hidden activation; ``batchnorm`` adds ``BatchNorm1d`` after each hidden Linear.
    """
    _choice("activation", activation, list(ACTIVATIONS))
    _choice("init", init, INITS)
    if in_features < 1 or out_features < 1 or any(int(h) < 1 for h in hidden):
        raise UserError(
            f"layer sizes must be positive, got in={in_features}, hidden={list(hidden)}, out={out_features}"
        )
    if not 0.0 <= dropout < 1.0:
        raise UserError(f"dropout must be in [0, 1), got {dropout}")
    layers: list[Any] = []
    prev = in_features
    for h in hidden:
        lin = nn.Linear(prev, int(h))
        init_linear(lin, init, activation, init_value)
        layers.append(lin)
        if batchnorm:
            layers.append(nn.BatchNorm1d(int(h)))
        layers.append(ACTIVATIONS[activation]())
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        prev = int(h)
    out = nn.Linear(prev, out_features)
    init_linear(out, init, "linear" if init.startswith("kaiming") else activation, init_value)
    layers.append(out)
    return nn.Sequential(*layers)
