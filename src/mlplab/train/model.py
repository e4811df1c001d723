"""``build_mlp``: the notes' fully-connected network as an ordinary ``nn.Sequential``.

Each hidden block is ``Linear -> [BatchNorm1d] -> activation -> [Dropout]``: BatchNorm before the
activation and Dropout after it, where the notes place them. Activations and initialisations are
the entries of :data:`ACTIVATIONS` and :data:`INITIALIZERS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import nn
from ..errors import UserError
from .activations import ACTIVATIONS
from .initializers import INITIALIZERS

INITS = INITIALIZERS  # the name earlier releases exported


def init_linear(layer: nn.Linear, init: str, activation: str, value: float | None = None) -> None:
    """Initialise one Linear layer's weight by ``init`` name (an :data:`INITIALIZERS` entry) with the
    gain of ``activation`` (an :data:`ACTIVATIONS` entry, or ``"linear"``); the bias becomes 0
    unless the entry keeps it. ``value`` is ``--init-value`` (the constant of ``constant``)."""
    entry = INITIALIZERS.get(init)
    # the activation's gain name (relu's when it declares none); "linear" for an output layer
    gain = (
        ACTIVATIONS.get(activation).properties.get("gain", "relu")
        if activation in ACTIVATIONS
        else activation
    )
    entry.factory(layer.weight, gain, **entry.arguments({"init_value": value}))
    if layer.bias is not None and not entry.properties.get("keeps_bias"):
        nn.init.zeros_(layer.bias)


def build_mlp(
    in_features: int,
    hidden: Sequence[int] = (50,),
    out_features: int = 10,
    activation: str = "tanh",
    init: str = "default",
    batchnorm: bool = False,
    dropout: float = 0.0,
    init_value: float | None = None,
) -> nn.Sequential:
    """A multi-layer perceptron ``in -> hidden[0] -> ... -> out`` as an ``nn.Sequential``.

    The default is the notes' 64-50-10 Tanh network. ``dropout`` p in [0, 1) adds ``Dropout(p)``
    after each hidden activation; ``batchnorm`` adds ``BatchNorm1d`` after each hidden Linear.
    """
    make_activation = ACTIVATIONS.get(activation).factory
    INITIALIZERS.get(init)
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
        layers.append(make_activation())
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        prev = int(h)
    out = nn.Linear(prev, out_features)
    init_linear(out, init, "linear" if init.startswith("kaiming") else activation, init_value)
    layers.append(out)
    return nn.Sequential(*layers)
