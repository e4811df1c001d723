"""Top-level functions (``mlplab.exp``, ``mlplab.cat`` ...) with torch's parameter names, so keyword
calls such as ``torch.matmul(input=a, other=b)`` work. Each calls the Tensor method or the op that
does the work; one module per family:

    pointwise.py   arithmetic, elementwise functions, comparisons, where, clamp
    reduce.py      sum, mean, var/std, max/min, norm, argmax, all/any, cumsum, count_nonzero
    shape.py       reshape, cat/stack, split/chunk, flip/roll/tile, gather/scatter, tril/triu, ...
    select.py      sort, argsort, topk, unique, bincount, histc, einsum, outer, diag

A function that takes ``dim`` also takes NumPy's ``axis`` (and ``keepdims`` for ``keepdim``) where
torch's argument parser does.
"""

from . import pointwise, reduce, select, shape
from .pointwise import *  # noqa: F403
from .reduce import *  # noqa: F403
from .select import *  # noqa: F403
from .shape import *  # noqa: F403

__all__ = sorted(set(pointwise.__all__) | set(reduce.__all__) | set(shape.__all__) | set(select.__all__))
