"""Top-level functions (``mlplab.exp``, ``mlplab.cat`` ...) with torch's parameter names, so keyword
calls such as ``torch.matmul(input=a, other=b)`` work. Each calls the Tensor method or the op that
does the work; one module per family:

    pointwise.py   arithmetic, elementwise functions, comparisons, where, clamp
    reduce.py      sum, mean, var/std, max/min, norm, argmax, all/any, cumsum, count_nonzero
    shape.py       reshape, cat/stack, split/chunk, narrow/select/unbind, flip/roll/tile, gather/scatter, ...
    binary.py      atan2, hypot, fmod, lerp, logaddexp, logical/bitwise ops, divide/multiply aliases
    blas.py        addmm/addmv/addr/addbmm/baddbmm, addcmul/addcdiv, mv, inner, tensordot, kron, trace
    more.py        cumprod, median, quantile, nansum, diff, movedim, hstack, atleast_2d, nonzero, ...
    unary_math.py  trigonometric, hyperbolic, special (erf, lgamma, ...), rounding, in-place forms
    select.py      sort, argsort, topk, unique, bincount, histc, einsum, outer, diag

A function that takes ``dim`` also takes NumPy's ``axis`` (and ``keepdims`` for ``keepdim``) where
torch's argument parser does.
"""

from . import binary as _binary
from . import blas as _blas
from . import more as _more
from . import pointwise as _pointwise
from . import reduce as _reduce
from . import select as _select
from . import shape as _shape
from . import unary_math as _unary_math
from .binary import *  # noqa: F403
from .blas import *  # noqa: F403
from .more import *  # noqa: F403
from .pointwise import *  # noqa: F403
from .reduce import *  # noqa: F403
from .select import *  # noqa: F403
from .shape import *  # noqa: F403  (its function ``select`` shadows the module of that name here)
from .unary_math import *  # noqa: F403

__all__ = sorted(
    set(_binary.__all__)
    | set(_blas.__all__)
    | set(_more.__all__)
    | set(_pointwise.__all__)
    | set(_reduce.__all__)
    | set(_shape.__all__)
    | set(_select.__all__)
    | set(_unary_math.__all__)
)
