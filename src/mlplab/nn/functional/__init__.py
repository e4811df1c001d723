"""``mlplab.nn.functional``: the stateless forms of every layer, activation and loss.

Each checks its arguments (with messages that name the expected and the actual value) and calls
one op from :mod:`mlplab.ops`, where the forward and the derivative are written.

Also carries the notes' information-theory helpers (:mod:`mlplab.nn.info`).
"""

from ..info import cross_entropy_between, entropy, information, kl_divergence, xlogy
from .activation import (
    celu,
    celu_,
    elu,
    elu_,
    gelu,
    glu,
    hardsigmoid,
    hardswish,
    hardtanh,
    hardtanh_,
    leaky_relu,
    leaky_relu_,
    log_softmax,
    logsigmoid,
    mish,
    prelu,
    relu,
    relu6,
    relu_,
    selu,
    selu_,
    sigmoid,
    silu,
    softmax,
    softmin,
    softplus,
    softsign,
    tanh,
    tanhshrink,
    threshold,
    threshold_,
)
from .bilinear import bilinear
from .binary import binary_cross_entropy, binary_cross_entropy_with_logits
from .classification import cross_entropy, nll_loss, one_hot
from .distance import cosine_similarity, normalize, pad, pairwise_distance
from .divergence import kl_div
from .embedding import embedding
from .embedding_bag import embedding_bag
from .layers import alpha_dropout, batch_norm, dropout, layer_norm, linear
from .likelihood import gaussian_nll_loss, multilabel_soft_margin_loss, poisson_nll_loss, soft_margin_loss
from .margin import hinge_embedding_loss, multi_margin_loss, multilabel_margin_loss
from .pair import cosine_embedding_loss, margin_ranking_loss, triplet_margin_loss
from .regression import huber_loss, l1_loss, mse_loss, smooth_l1_loss

__all__ = [
    "alpha_dropout",
    "batch_norm",
    "bilinear",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "celu",
    "celu_",
    "cosine_embedding_loss",
    "cosine_similarity",
    "cross_entropy",
    "cross_entropy_between",
    "dropout",
    "elu",
    "elu_",
    "embedding",
    "embedding_bag",
    "entropy",
    "gaussian_nll_loss",
    "gelu",
    "glu",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hardtanh_",
    "hinge_embedding_loss",
    "huber_loss",
    "information",
    "kl_div",
    "kl_divergence",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "leaky_relu_",
    "linear",
    "log_softmax",
    "logsigmoid",
    "margin_ranking_loss",
    "mish",
    "mse_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "nll_loss",
    "normalize",
    "one_hot",
    "pad",
    "pairwise_distance",
    "poisson_nll_loss",
    "prelu",
    "relu",
    "relu6",
    "relu_",
    "selu",
    "selu_",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "soft_margin_loss",
    "softmax",
    "softmin",
    "softplus",
    "softsign",
    "tanh",
    "tanhshrink",
    "threshold",
    "threshold_",
    "triplet_margin_loss",
    "xlogy",
]
