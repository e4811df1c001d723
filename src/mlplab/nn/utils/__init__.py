r"""``mlplab.nn.utils``: gradient clipping (:mod:`.clip_grad`), flattening parameters to a vector,
weight and spectral normalisation with PyTorch's hook API (:mod:`.weight_norm`,
:mod:`.spectral_norm`), and parametrizations
(:mod:`.parametrize`: a parameter computed from others on every access; :mod:`.parametrizations`:
``weight_norm`` and ``spectral_norm`` written that way)."""

from . import parametrizations, parametrize
from .clip_grad import (
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
    parameters_to_vector,
    vector_to_parameters,
)
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm

__all__ = [
    "clip_grad_norm",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "get_total_norm",
    "parameters_to_vector",
    "parametrizations",
    "parametrize",
    "remove_spectral_norm",
    "remove_weight_norm",
    "spectral_norm",
    "vector_to_parameters",
    "weight_norm",
]
