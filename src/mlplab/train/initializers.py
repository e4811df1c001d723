"""The weight initialisations ``mlplab train`` offers: name -> ``init(weight, nonlinearity)``.

``nonlinearity`` is the ``gain`` name of the layer's activation (``"linear"`` for the output
layer under Kaiming). Biases become 0 except under ``default`` (property ``keeps_bias``), which
keeps PyTorch's own Linear init (kaiming_uniform with a=sqrt(5): U(+-1/sqrt(fan_in)) for weight and
bias). Xavier uses gain 1 as in the notes. To add an initialisation: a function here and one
``INITIALIZERS.add`` line.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import UserError
from ..nn import init
from ..registry import Option, Registry

INIT_VALUE = Option("init_value", "float", "the value for --init constant", panel="Model")

INITIALIZERS = Registry("init", "how each Linear layer's weights start", error=UserError)


def _kaiming(fn: Any, w: Any, nonlinearity: str) -> None:
    if nonlinearity in ("relu", "leaky_relu"):
        fn(w, a=0.01 if nonlinearity == "leaky_relu" else 0.0, mode="fan_in", nonlinearity=nonlinearity)
    else:  # calculate_gain(nl) for tanh/sigmoid/linear, through kaiming's formula
        fn(w, a=0.0, mode="fan_in", nonlinearity=nonlinearity)


def constant(w: Any, nonlinearity: str, *, init_value: float = 0.1) -> None:
    init.constant_(w, init_value)


INITIALIZERS.add("default", lambda w, nl: None, "PyTorch's Linear init, U(+-1/sqrt(fan_in))", keeps_bias=True)
INITIALIZERS.add("zeros", lambda w, nl: init.zeros_(w), "all weights 0 (the notes' symmetry trap)")
INITIALIZERS.add("ones", lambda w, nl: init.ones_(w), "all weights 1")
INITIALIZERS.add("constant", constant, "all weights --init-value", (INIT_VALUE,))
INITIALIZERS.add("uniform", lambda w, nl: init.uniform_(w), "U(0, 1)")
INITIALIZERS.add("normal", lambda w, nl: init.normal_(w), "N(0, 1)")
INITIALIZERS.add("xavier_uniform", lambda w, nl: init.xavier_uniform_(w), "Xavier/Glorot uniform, gain 1")
INITIALIZERS.add("xavier_normal", lambda w, nl: init.xavier_normal_(w), "Xavier/Glorot normal, gain 1")
INITIALIZERS.add(
    "kaiming_uniform",
    lambda w, nl: _kaiming(init.kaiming_uniform_, w, nl),
    "Kaiming/He uniform with the activation's gain",
)
INITIALIZERS.add(
    "kaiming_normal",
    lambda w, nl: _kaiming(init.kaiming_normal_, w, nl),
    "Kaiming/He normal with the activation's gain",
)
INITIALIZERS.add(
    "trunc_normal",
    lambda w, nl: init.trunc_normal_(w, std=1.0 / math.sqrt(w.shape[1])),
    "truncated normal, std 1/sqrt(fan_in)",
)
INITIALIZERS.add("orthogonal", lambda w, nl: init.orthogonal_(w), "orthogonal rows")
