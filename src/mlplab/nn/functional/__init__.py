"""``mlplab.nn.functional``: the stateless forms of every layer, activation and loss.

Each checks its arguments (with messages that name the expected and the actual value) and calls
one op from :mod:`mlplab.ops`, where the forward and the derivative are written.

Also carries the notes' information-theory helpers (:mod:`mlplab.nn.info`).
"""

from ..info import cross_entropy_between, entropy, information, kl_divergence, xlogy
from .activation import (
    elu,
    gelu,
    leaky_relu,
    log_softmax,
    prelu,
    relu,
    sigmoid,
    silu,
    softmax,
    softplus,
    tanh,
)
from .binary import binary_cross_entropy, binary_cross_entropy_with_logits
from .classification import cross_entropy, nll_loss, one_hot
from .divergence import kl_div
from .layers import batch_norm, dropout, linear
from .margin import hinge_embedding_loss, multi_margin_loss
from .regression import huber_loss, l1_loss, mse_loss, smooth_l1_loss

__all__ = [
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "cross_entropy_between",
    "dropout",
    "elu",
    "entropy",
    "gelu",
    "hinge_embedding_loss",
    "huber_loss",
    "information",
    "kl_div",
    "kl_divergence",
    "l1_loss",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mse_loss",
    "multi_margin_loss",
    "nll_loss",
    "one_hot",
    "prelu",
    "relu",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "softplus",
    "tanh",
    "xlogy",
]
