"""The activations ``mlplab train`` offers: name -> module factory.

Property ``gain``: the nonlinearity name ``nn.init.calculate_gain`` knows for it (Kaiming's gain
under ``--init kaiming_*``; relu's when omitted). To add an activation: its module in
``mlplab/nn/activation.py``, then one ``ACTIVATIONS.add`` line here.
"""

from __future__ import annotations

from .. import nn
from ..errors import UserError
from ..registry import Registry

ACTIVATIONS = Registry("activation", "the nonlinearity after each hidden layer", error=UserError)
ACTIVATIONS.add("sigmoid", nn.Sigmoid, "1 / (1 + e^-x)", gain="sigmoid")
ACTIVATIONS.add("tanh", nn.Tanh, "tanh(x)", gain="tanh")
ACTIVATIONS.add("relu", nn.ReLU, "max(0, x)", gain="relu")
ACTIVATIONS.add("leaky_relu", nn.LeakyReLU, "max(0.01 x, x)", gain="leaky_relu")
ACTIVATIONS.add("prelu", nn.PReLU, "max(a x, x), a learned", gain="leaky_relu")
ACTIVATIONS.add("silu", nn.SiLU, "x * sigmoid(x)", gain="relu")
ACTIVATIONS.add("swish", nn.SiLU, "x * sigmoid(x) (= silu)", gain="relu")
ACTIVATIONS.add("elu", nn.ELU, "x, or e^x - 1 below 0", gain="relu")
ACTIVATIONS.add("gelu", nn.GELU, "x * Phi(x)", gain="relu")
ACTIVATIONS.add("softplus", nn.Softplus, "log(1 + e^x)", gain="relu")
ACTIVATIONS.add("softmax", lambda: nn.Softmax(dim=1), "softmax over the units", gain="linear")
ACTIVATIONS.add(
    "log_softmax", lambda: nn.LogSoftmax(dim=1), "log of the softmax over the units", gain="linear"
)
ACTIVATIONS.add("relu6", nn.ReLU6, "min(max(0, x), 6)", gain="relu")
ACTIVATIONS.add("selu", nn.SELU, "scaled ELU, self-normalising", gain="selu")
ACTIVATIONS.add("celu", nn.CELU, "max(0, x) + min(0, e^x - 1)", gain="relu")
ACTIVATIONS.add("mish", nn.Mish, "x * tanh(softplus(x))", gain="relu")
ACTIVATIONS.add("hardtanh", nn.Hardtanh, "clamp(x, -1, 1)", gain="tanh")
ACTIVATIONS.add("hardswish", nn.Hardswish, "x * relu6(x + 3) / 6", gain="relu")
ACTIVATIONS.add("hardsigmoid", nn.Hardsigmoid, "relu6(x + 3) / 6", gain="sigmoid")
ACTIVATIONS.add("logsigmoid", nn.LogSigmoid, "log(1 / (1 + e^-x))", gain="sigmoid")
ACTIVATIONS.add("softsign", nn.Softsign, "x / (1 + |x|)", gain="tanh")
ACTIVATIONS.add("tanhshrink", nn.Tanhshrink, "x - tanh(x)", gain="linear")
