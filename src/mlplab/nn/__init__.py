"""``mlplab.nn``: modules, layers, activations, losses, ``init`` and ``functional``, as ``torch.nn``."""

from . import functional, init, parameter, utils
from .activation import (
    ELU,
    GELU,
    GLU,
    LeakyReLU,
    LogSoftmax,
    PReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Tanh,
)
from .activation_hard import Hardsigmoid, Hardswish, Hardtanh, ReLU6, Threshold
from .activation_smooth import CELU, SELU, LogSigmoid, Mish, Softsign, Tanhshrink
from .batchnorm import BatchNorm1d, BatchNorm2d
from .bilinear import Bilinear
from .containers import ModuleDict, ModuleList, Sequential
from .dropout import AlphaDropout, Dropout
from .embedding import Embedding
from .embedding_bag import EmbeddingBag
from .groupnorm import GroupNorm
from .layernorm import LayerNorm
from .lazy import LazyLinear
from .linear import Flatten, Identity, Linear, Unflatten
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    MultiLabelMarginLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    NLLLoss,
    PoissonNLLLoss,
    SmoothL1Loss,
    SoftMarginLoss,
)
from .loss_pair import CosineEmbeddingLoss, MarginRankingLoss, TripletMarginLoss
from .module import Module, Parameter
from .parameter import UninitializedParameter
from .parameter_containers import ParameterDict, ParameterList
from .rmsnorm import RMSNorm

__all__ = [
    "AlphaDropout",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "Bilinear",
    "CELU",
    "CosineEmbeddingLoss",
    "CrossEntropyLoss",
    "Dropout",
    "ELU",
    "Embedding",
    "EmbeddingBag",
    "Flatten",
    "GELU",
    "GLU",
    "GaussianNLLLoss",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "HingeEmbeddingLoss",
    "HuberLoss",
    "Identity",
    "KLDivLoss",
    "L1Loss",
    "LayerNorm",
    "LazyLinear",
    "GroupNorm",
    "RMSNorm",
    "LeakyReLU",
    "Linear",
    "LogSigmoid",
    "LogSoftmax",
    "MSELoss",
    "MarginRankingLoss",
    "Mish",
    "Module",
    "ModuleDict",
    "ModuleList",
    "MultiLabelMarginLoss",
    "MultiLabelSoftMarginLoss",
    "MultiMarginLoss",
    "NLLLoss",
    "PReLU",
    "Parameter",
    "ParameterDict",
    "ParameterList",
    "PoissonNLLLoss",
    "ReLU",
    "ReLU6",
    "SELU",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "SmoothL1Loss",
    "SoftMarginLoss",
    "Softmax",
    "Softmin",
    "Softplus",
    "Softsign",
    "Tanh",
    "Tanhshrink",
    "Threshold",
    "TripletMarginLoss",
    "Unflatten",
    "UninitializedParameter",
    "functional",
    "init",
    "parameter",
    "utils",
]
