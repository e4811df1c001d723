"""The method families of :class:`mlplab.tensor.Tensor`, one mixin class per concept.

``Tensor`` (in :mod:`mlplab.tensor`: storage, construction, attributes, dtype conversion, autograd
entry points, printing) inherits its operators and methods from these mixins:

    arith.py     arithmetic operators, matmul, PyTorch's type promotion and broadcast errors
    unary.py     elementwise functions (exp, log, tanh, clamp, round, softmax, ...)
    compare.py   comparisons and logical operators (never differentiated)
    reduce.py    reductions (sum, mean, var, std, max/min, norm, argmax, ...)
    shape.py     reshaping and dimension handling (reshape, permute, expand, ``Size``, dim helpers)
    index.py     indexing, ``__setitem__``, iteration, gather and masked_fill
    inplace.py   in-place ops (``add_``, ``+=``, ``zero_``, ``uniform_``, ...) and their recording
    device.py    devices as on a CPU-only torch build (``device``, ``to``, ``cpu``, ``cuda``)
    select.py    split/chunk, flip/roll, repeat/tile, scatter, sort/topk, unique, tril/diag, ...
    new.py       ``new_zeros``, ``new_ones``, ``new_full``, ``new_empty``, ``new_tensor``
    compat.py    one mixin gathering the families added for torch compatibility:
      binary.py, binary_inplace.py   atan2, hypot, fmod, lerp, logical/bitwise ops ... and ``atan2_`` ...
      blas.py                        addmm, addmv, addr, baddbmm, addcmul, mv, inner, kron, trace
      reduce_more.py                 cumprod, cummax, median, quantile, nansum, diff, mode, aminmax
      shape_more.py, index_more.py   movedim, rot90, tensor_split, nonzero, take, index_add, stride ...

Each mixin has ``__slots__ = ()`` so ``Tensor`` keeps its slots (declared by
:class:`mlplab.autograd.tensor_base.TensorBase`) and no instance dict. The mixins never name the
``Tensor`` class at run time: they build results with ``self._make(...)`` and recognise tensors
with ``isinstance(x, TensorBase)``, so :mod:`mlplab.tensor` imports them and nothing imports back
(their ``Tensor`` type hints come from a ``TYPE_CHECKING`` import, never executed).
"""
