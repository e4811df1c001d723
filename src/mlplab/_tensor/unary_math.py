"""More elementwise functions of ``Tensor``: trigonometric and hyperbolic functions and their inverses
(with NumPy's ``arc*`` aliases), exp2/expm1, log2/log10/log1p, rsqrt, reciprocal, erf and the gamma
family, i0, sinc, logit, nan_to_num, trunc/frac, sgn/signbit, isposinf/isneginf/isreal,
clamp_min/clamp_max, angle and the real-tensor forms of conj/real/imag, and the in-place ``x.f_()``
of these and of the older unary methods.

As in PyTorch, a function with a fractional result converts an integer or bool tensor to the
default float dtype first; its in-place form refuses one (the result cannot be written back).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _dtype
from ..ops import unary_math as M
from ..ops import unary_special as S
from ..ops.elementwise import Clone, Sgn

if TYPE_CHECKING:  # type hints only, never imported at run time (mlplab.tensor imports this)
    from ..tensor import Tensor

#: PyTorch's names of the scalar types, as its casting errors print them
_SCALAR_NAME = {
    "float16": "Half",
    "float32": "Float",
    "float64": "Double",
    "int8": "Char",
    "int16": "Short",
    "int32": "Int",
    "int64": "Long",
    "uint8": "Byte",
    "bool": "Bool",
}

_BOOL_NEG = (
    "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a "
    "mask, use the `~` or `logical_not()` operator instead."
)


def _refuse_bool(t: Tensor, kernel: str) -> None:
    """PyTorch has no ``kernel`` for bool tensors (abs, trunc, round, floor, ceil): neither has mlplab."""
    if t._data.dtype.kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _inplace(
    name: str, floating: bool = True, sig: Callable[..., Any] = lambda self: None, graph: bool = True
) -> Callable[..., Tensor]:
    """The in-place form ``x.name_(...)`` of the method ``name``: x <- x.name(...), x returned;
    ``sig``: its parameters (what ``inspect.signature`` and the signature test read); ``graph``
    False: PyTorch has no derivative for it (its gradient raises NotImplementedError)."""

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if floating and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"result type {_SCALAR_NAME[_dtype.get_default_dtype().name]} can't be cast to the "
                f"desired output type {_SCALAR_NAME[self.dtype.name]}"
            )
        fn = getattr(type(self), name)
        if not graph:  # recorded as a node whose backward raises, as PyTorch records it
            what, node = f"inplace version of {name}", name.capitalize() + "Backward1"
            return self._apply_(lambda t: S.NoDerivative.apply(t, fn(t.detach())._data, what, node))
        return self._apply_(lambda t: fn(t, *args, **kwargs))

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"In place :meth:`{name}`: the result is written into self, which is returned."
    method.__signature__ = inspect.signature(sig)  # type: ignore[attr-defined]
    return method


class UnaryMathMixin:
    """More elementwise functions (mixed into ``Tensor``)."""

    __slots__ = ()

    def _fl(self) -> Tensor:
        """Self as a floating tensor (the default float dtype for an integer or bool tensor)."""
        return self if self._data.dtype.kind == "f" else self.type(_dtype.get_default_dtype())

    # ---- trigonometric and hyperbolic
    def tan(self) -> Tensor:
        return M.Tan.apply(self._fl())

    def sinh(self) -> Tensor:
        return M.Sinh.apply(self._fl())

    def cosh(self) -> Tensor:
        return M.Cosh.apply(self._fl())

    def asin(self) -> Tensor:
        return M.Asin.apply(self._fl())

    def acos(self) -> Tensor:
        return M.Acos.apply(self._fl())

    def atan(self) -> Tensor:
        return M.Atan.apply(self._fl())

    def asinh(self) -> Tensor:
        return M.Asinh.apply(self._fl())

    def acosh(self) -> Tensor:
        return M.Acosh.apply(self._fl())

    def atanh(self) -> Tensor:
        return M.Atanh.apply(self._fl())

    arcsin, arccos, arctan = asin, acos, atan
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    def deg2rad(self) -> Tensor:
        """x pi / 180."""
        return M.Deg2Rad.apply(self._fl())

    def rad2deg(self) -> Tensor:
        """x 180 / pi."""
        return M.Rad2Deg.apply(self._fl())

    def sinc(self) -> Tensor:
        """sin(pi x) / (pi x), 1 at 0 (the normalised sinc)."""
        return S.Sinc.apply(self._fl())

    # ---- exponentials and logarithms
    def exp2(self) -> Tensor:
        return M.Exp2.apply(self._fl())

    def expm1(self) -> Tensor:
        """e^x - 1, exact for small x."""
        return M.Expm1.apply(self._fl())

    def log2(self) -> Tensor:
        return M.Log2.apply(self._fl())

    def log10(self) -> Tensor:
        return M.Log10.apply(self._fl())

    def log1p(self) -> Tensor:
        """ln(1 + x), exact for small x."""
        return M.Log1p.apply(self._fl())

    def rsqrt(self) -> Tensor:
        """1 / sqrt(x)."""
        return M.Rsqrt.apply(self._fl())

    def reciprocal(self) -> Tensor:
        """1 / x."""
        return M.Reciprocal.apply(self._fl())

    def logit(self, eps: float | None = None) -> Tensor:
        """ln(z / (1 - z)), z = x clamped to [eps, 1 - eps] when ``eps`` is given."""
        return S.Logit.apply(self._fl(), None if eps is None else float(eps))

    # ---- special functions
    def erf(self) -> Tensor:
        return S.Erf.apply(self._fl())

    def erfc(self) -> Tensor:
        return S.Erfc.apply(self._fl())

    def erfinv(self) -> Tensor:
        return S.Erfinv.apply(self._fl())

    def lgamma(self) -> Tensor:
        """ln |Gamma(x)|."""
        return S.Lgamma.apply(self._fl())

    def digamma(self) -> Tensor:
        """psi(x) = d/dx ln Gamma(x)."""
        return S.Digamma.apply(self._fl(), 0)

    def polygamma(self, n: int) -> Tensor:
        """psi^(n)(x), the n-th derivative of digamma."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"polygamma(): argument 'n' must be int, not {type(n).__name__}")
        if n < 0:
            raise RuntimeError("polygamma(n, x) does not support negative n.")
        return S.Polygamma.apply(self._fl(), int(n))

    def i0(self) -> Tensor:
        """I_0(x), the zeroth-order modified Bessel function of the first kind."""
        return S.BesselI.apply(self._fl(), 0)

    # ---- piecewise
    def trunc(self) -> Tensor:
        """x rounded towards 0 (recorded with a zero gradient, as PyTorch)."""
        if self._data.dtype.kind != "f":
            _refuse_bool(self, "trunc_vml_cpu")
            return self._make(self._data.copy())
        return S.Trunc.apply(self)

    fix = trunc

    def frac(self) -> Tensor:
        """x - trunc(x)."""
        if self._data.dtype.kind != "f":
            raise NotImplementedError(
                f"\"frac_cpu\" not implemented for '{_SCALAR_NAME[self.dtype.name]}': frac is defined "
                "for floating-point tensors only"
            )
        return S.Frac.apply(self)

    def sgn(self) -> Tensor:
        """sign(x) (for real tensors; complex ones are not supported by mlplab)."""
        if self._data.dtype.kind == "b":
            return self._make(self._data.copy())
        return Sgn.apply(self)

    def signbit(self) -> Tensor:
        """True where the sign bit is set (-0.0 included)."""
        return self._make(np.signbit(self._data))

    def isposinf(self) -> Tensor:
        return self._make(np.isposinf(self._data))

    def isneginf(self) -> Tensor:
        return self._make(np.isneginf(self._data))

    def isreal(self) -> Tensor:
        """True everywhere: mlplab's tensors are real (no complex dtypes)."""
        return self._make(np.ones(self._data.shape, np.bool_))

    def positive(self) -> Tensor:
        """+x: self itself, as PyTorch."""
        if self._data.dtype.kind == "b":
            raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
        return self  # type: ignore[return-value]

    def nan_to_num(
        self, nan: float | None = None, posinf: float | None = None, neginf: float | None = None
    ) -> Tensor:
        """NaN, +inf and -inf replaced by ``nan``, ``posinf``, ``neginf`` (default: 0, the dtype's
        largest and lowest finite values); the gradient is 1 where x is finite, else 0."""
        if self._data.dtype.kind != "f":
            return self._make(self._data.copy())
        return S.NanToNum.apply(self, nan, posinf, neginf)

    def absolute(self) -> Tensor:
        """|x| (alias of :meth:`abs`)."""
        _refuse_bool(self, "abs_cpu")
        return self.abs()  # type: ignore[attr-defined]

    def negative(self) -> Tensor:
        """-x (alias of :meth:`neg`)."""
        if self._data.dtype.kind == "b":
            raise RuntimeError(_BOOL_NEG)
        return self.neg()  # type: ignore[attr-defined]

    # ---- complex-number functions, on mlplab's real tensors (no complex dtypes)
    def angle(self) -> Tensor:
        """arg(x): pi where x < 0, else 0 (zero gradient)."""
        return S.Angle.apply(self._fl())

    def conj(self) -> Tensor:
        """The complex conjugate: self itself for a real tensor, as PyTorch."""
        return self  # type: ignore[return-value]

    conj_physical = resolve_conj = resolve_neg = conj

    def conj_physical_(self) -> Tensor:
        """In place :meth:`conj_physical`: the values stay (a real tensor), the in-place rules apply."""
        return self._apply_(Clone.apply, "ConjPhysicalBackward1")

    def is_conj(self) -> bool:
        return False

    def is_neg(self) -> bool:
        return False

    @property
    def real(self) -> Tensor:
        """The real part: self itself for a real tensor, as PyTorch."""
        return self  # type: ignore[return-value]

    @property
    def imag(self) -> Tensor:
        raise RuntimeError(
            "imag is not implemented for tensors with non-complex dtypes (mlplab has no complex dtypes)."
        )

    def clamp_min(self, min: Any) -> Tensor:  # noqa: A002 - PyTorch's name
        """max(x, min)."""
        return self.clamp(min, None)  # type: ignore[attr-defined]

    def clamp_max(self, max: Any) -> Tensor:  # noqa: A002 - PyTorch's name
        """min(x, max)."""
        return self.clamp(None, max)  # type: ignore[attr-defined]

    def clip_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Alias of :meth:`clamp_`."""
        return self.clamp_(min, max)  # type: ignore[attr-defined]

    def clamp_min_(self, min: Any) -> Tensor:  # noqa: A002
        return self.clamp_(min, None)  # type: ignore[attr-defined]

    def clamp_max_(self, max: Any) -> Tensor:  # noqa: A002
        return self.clamp_(None, max)  # type: ignore[attr-defined]

    # ---- in-place forms
    (tan_, sinh_, cosh_, asin_, acos_, atan_) = (
        _inplace(n) for n in ("tan", "sinh", "cosh", "asin", "acos", "atan")
    )
    # PyTorch 2.13 has no derivative for these three in place
    (asinh_, acosh_, atanh_) = (_inplace(n, graph=False) for n in ("asinh", "acosh", "atanh"))
    arcsin_, arccos_, arctan_ = asin_, acos_, atan_
    arcsinh_, arccosh_, arctanh_ = asinh_, acosh_, atanh_
    (exp_, log_, sqrt_, sin_, cos_, tanh_, sigmoid_) = (
        _inplace(n) for n in ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid")
    )
    (exp2_, expm1_, log2_, log10_, log1p_, rsqrt_, reciprocal_) = (
        _inplace(n) for n in ("exp2", "expm1", "log2", "log10", "log1p", "rsqrt", "reciprocal")
    )
    (erf_, erfc_, erfinv_, lgamma_, digamma_, i0_, sinc_, deg2rad_, rad2deg_) = (
        _inplace(n)
        for n in ("erf", "erfc", "erfinv", "lgamma", "digamma", "i0", "sinc", "deg2rad", "rad2deg")
    )
    (abs_, neg_, square_, sign_, sgn_, trunc_, floor_, ceil_, frac_) = (
        _inplace(n, floating=False)
        for n in ("abs", "neg", "square", "sign", "sgn", "trunc", "floor", "ceil", "frac")
    )
    absolute_, fix_ = abs_, trunc_
    negative_ = _inplace("negative", floating=False)
    polygamma_ = _inplace("polygamma", sig=lambda self, n: None)
    logit_ = _inplace("logit", sig=lambda self, eps=None: None)
    round_ = _inplace("round", floating=False, sig=lambda self, *, decimals=None: None)
    nan_to_num_ = _inplace("nan_to_num", False, lambda self, nan=None, posinf=None, neginf=None: None)
