"""mlplab: a NumPy deep-learning library with PyTorch's API, for learning how networks train.

``import mlplab as torch`` runs the notes' PyTorch snippets: Tensor with autograd, ``nn``,
``optim``, ``utils.data``.
"""

from . import _functions, accelerator, backends, cuda, linalg, mps
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
    logspace,
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
from ._device import device, get_default_device, set_default_device
from ._dtype import bool_ as bool  # noqa: A004 - PyTorch's name
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
from ._format import set_printoptions
from ._functions import *  # noqa: F403
from ._scope import OUT_OF_SCOPE, compile, unsupported  # noqa: A004 - PyTorch's name
from ._threads import get_num_threads, set_num_threads
from .autograd import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from .tensor import Parameter, Size, Tensor

float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001

__version__ = "0.1.0"

__all__ = [
    "Generator",
    "Parameter",
    "Size",
    "Tensor",
    "accelerator",
    "arange",
    "as_tensor",
    "backends",
    "bool",
    "compile",
    "cuda",
    "device",
    "default_generator",
    "double",
    "dtype",
    "empty",
    "empty_like",
    "enable_grad",
    "eye",
    "float",
    "float16",
    "float32",
    "float64",
    "from_numpy",
    "full",
    "full_like",
    "get_default_device",
    "get_default_dtype",
    "get_num_threads",
    "get_rng_state",
    "half",
    "initial_seed",
    "int",
    "int16",
    "int32",
    "int64",
    "inference_mode",
    "int8",
    "linalg",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "linspace",
    "logspace",
    "long",
    "manual_seed",
    "mps",
    "no_grad",
    "normal",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "seed",
    "set_default_device",
    "set_default_dtype",
    "set_grad_enabled",
    "set_num_threads",
    "set_printoptions",
    "set_rng_state",
    "tensor",
    "uint8",
    "zeros",
    "zeros_like",
]
__all__ += _functions.__all__

_SUBMODULES = ("nn", "optim", "utils", "autograd", "datasets")


def __getattr__(name: str) -> object:
    # ``mlplab.nn`` / ``mlplab.optim`` / ``mlplab.utils`` / ``mlplab.datasets`` load on first use, so
    # ``import mlplab as torch; torch.nn.Linear(...)`` works without importing every layer at start-up.
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    if name in OUT_OF_SCOPE:  # fail loudly, saying why, instead of a typo-like AttributeError
        raise unsupported(f"mlplab.{name}", OUT_OF_SCOPE[name])
    raise AttributeError(f"module 'mlplab' has no attribute {name!r}")


from .serialization import SerializationError, load, save  # noqa: E402

__all__ += ["SerializationError", "load", "save"]  # submodules load lazily (__getattr__ above)
