"""More elementwise functions as top-level functions (``mlplab.tan``, ``mlplab.erf``, ...) and the
in-place ones PyTorch has at top level (``mlplab.sin_(x)``): each calls the Tensor method of that
name (:mod:`mlplab._tensor.unary_math` holds them, with their formulas)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..ops.activation_piecewise import ThresholdFn
from ..tensor import Tensor
from ._common import as_tensor as _t
from ._common import public

# f(input) -> input.f(): the input may be anything ``mlplab.tensor`` accepts
_UNARY = (
    "absolute acos acosh angle arccos arccosh arcsin arcsinh arctan arctanh asin asinh atan atanh "
    "conj conj_physical cosh deg2rad digamma erf erfc erfinv exp2 expm1 fix frac i0 isneginf "
    "isposinf isreal lgamma log10 log1p log2 negative positive rad2deg reciprocal resolve_conj "
    "resolve_neg rsqrt sgn signbit sinc sinh tan trunc"
).split()
# f_(input) -> input.f_(): in place, so the input must be a tensor
_INPLACE = (
    "abs_ acos_ acosh_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ atan_ atanh_ "
    "ceil_ conj_physical_ cos_ cosh_ deg2rad_ erf_ erfc_ exp2_ exp_ expm1_ fix_ floor_ frac_ i0_ "
    "log10_ log1p_ log2_ log_ neg_ negative_ rad2deg_ reciprocal_ rsqrt_ sigmoid_ sin_ sinc_ sinh_ "
    "sqrt_ square_ tan_ tanh_ trunc_"
).split()


def _unary(name: str, in_place: bool) -> Callable[[Tensor], Tensor]:
    if in_place:

        def fn(input: Tensor) -> Tensor:
            return getattr(input, name)()

    else:

        def fn(input: Tensor) -> Tensor:
            return getattr(_t(input), name)()

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``input.{name}()`` (see :meth:`mlplab.Tensor.{name}`)."
    return fn


for _name in _UNARY + _INPLACE:
    globals()[_name] = _unary(_name, _name.endswith("_"))


def real(input: Tensor) -> Tensor:
    """The real part: ``input`` itself for mlplab's real tensors."""
    return _t(input).real


def imag(input: Tensor) -> Tensor:
    """The imaginary part: refused, as PyTorch refuses it for a real tensor."""
    return _t(input).imag


def is_conj(input: Tensor) -> bool:
    return False


def is_neg(input: Tensor) -> bool:
    return False


def round_(input: Tensor, *, decimals: int | None = None) -> Tensor:
    """In place :func:`round`."""
    return input.round_(decimals=decimals)


def polygamma(n: int, input: Tensor) -> Tensor:
    """psi^(n)(input), the n-th derivative of digamma."""
    return _t(input).polygamma(n)


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """ln(z / (1 - z)), z = input clamped to [eps, 1 - eps] when ``eps`` is given."""
    return _t(input).logit(eps)


def logit_(input: Tensor, eps: float | None = None) -> Tensor:
    return input.logit_(eps)


def nan_to_num(
    input: Tensor, nan: float | None = None, posinf: float | None = None, neginf: float | None = None
) -> Tensor:
    """NaN, +inf, -inf replaced by ``nan``, ``posinf``, ``neginf`` (default 0 and the dtype's
    largest and lowest finite values)."""
    return _t(input).nan_to_num(nan, posinf, neginf)


def nan_to_num_(
    input: Tensor, nan: float | None = None, posinf: float | None = None, neginf: float | None = None
) -> Tensor:
    return input.nan_to_num_(nan, posinf, neginf)


def clamp_min(input: Tensor, min: Any) -> Tensor:  # noqa: A002 - PyTorch's name
    """max(input, min)."""
    return _t(input).clamp_min(min)


def clamp_max(input: Tensor, max: Any) -> Tensor:  # noqa: A002 - PyTorch's name
    """min(input, max)."""
    return _t(input).clamp_max(max)


def clamp_(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """In place :func:`clamp`: ``input`` limited to [min, max] and returned."""
    return input.clamp_(min, max)


clip_ = clamp_


def clamp_min_(input: Tensor, min: Any) -> Tensor:  # noqa: A002
    return input.clamp_min_(min)


def clamp_max_(input: Tensor, max: Any) -> Tensor:  # noqa: A002
    return input.clamp_max_(max)


def threshold(input: Tensor, threshold: float, value: float) -> Tensor:
    """input where input > threshold, else value;  the gradient is 1 where input > threshold."""
    return ThresholdFn.apply(_t(input), threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In place :func:`threshold`."""
    return input._apply_(lambda t: ThresholdFn.apply(t, threshold, value), "ThresholdBackward1")


__all__ = public(globals(), __name__)
