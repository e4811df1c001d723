"""mlplab: a NumPy deep-learning library with PyTorch's API, for learning how networks train.

``import mlplab as torch`` runs the notes' PyTorch snippets: Tensor with autograd, ``nn``,
``optim``, ``utils.data``.
"""

from ._creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from ._dtype import (
    bool_ as bool,  # noqa: A001 - PyTorch's name
)
from ._dtype import (
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from ._functions import *  # noqa: F403
from ._functions import abs, all, any, max, min, pow, sum  # noqa: A004
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .random import Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .tensor import Parameter, Size, Tensor

float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001

__version__ = "0.1.0"
