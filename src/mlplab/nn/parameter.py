"""``nn.parameter``: ``Parameter`` and ``UninitializedParameter``, the placeholder a lazy module
(``LazyLinear``) holds until its first forward tells it the input size.

An ``UninitializedParameter`` has a dtype and ``requires_grad`` but no shape and no values: reading
its shape raises PyTorch's RuntimeError, and any computation with it raises PyTorch's ValueError.
It can be handed to an optimiser before the first forward, as in PyTorch: ``materialize`` turns the
same object into an ordinary ``Parameter`` (its class changes, its identity stays), so the optimiser
then updates the real weights. ``load_state_dict`` materialises it with the checkpoint's shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

import numpy as np

from .. import _device, _dtype
from ..autograd.tensor_base import TensorBase
from ..tensor import Parameter, Size

__all__ = ["Parameter", "UninitializedParameter"]

_SLOT = TensorBase.__dict__["_data"]  # the storage slot itself, under the property below


def _refuse(self: UninitializedParameter) -> NoReturn:
    raise ValueError(
        "Attempted to use an uninitialized parameter. This error happens when you are using a "
        "`LazyModule` or explicitly manipulating `torch.nn.parameter.UninitializedParameter` objects. "
        "When using LazyModules Call `forward` with a dummy batch to initialize the parameters before "
        "calling torch functions"
    )


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (see the module docstring)."""

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> None:
        _device.check(device)
        npd = _dtype.to_np(dtype) if dtype is not None else _dtype.default_np()
        _SLOT.__set__(self, np.empty(0, dtype=npd))  # no values: it only carries the dtype
        self._requires_grad = bool(requires_grad)
        self.grad = None
        self.grad_fn = None
        self._version_counter = None

    # every computation reads ``_data``: here that raises PyTorch's ValueError
    _data = property(_refuse, lambda self, value: _SLOT.__set__(self, value))

    @property
    def shape(self) -> Size:
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually happens "
            "in `load_state_dict` when trying to load an uninitialized parameter into an initialized one. "
            "Call `forward` to initialize the parameters before accessing their attributes."
        )

    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype.from_numpy_dtype(_SLOT.__get__(self).dtype)

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Become a ``Parameter`` of ``shape`` (uninitialised values: the module initialises them),
        the same object, so optimisers and containers that hold it see the real parameter."""
        _device.check(device)
        npd = _dtype.to_np(dtype) if dtype is not None else _SLOT.__get__(self).dtype
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        self.__class__ = self.cls_to_become
        self._data = np.empty(shape, dtype=npd)

    def convert_pending(self, convert: Callable[[np.ndarray], np.ndarray]) -> None:
        """Apply a module's dtype conversion (``.double()``) to the dtype it will materialise with."""
        _SLOT.__set__(self, convert(_SLOT.__get__(self)))

    def detach(self) -> UninitializedParameter:
        return UninitializedParameter(False, dtype=self.dtype)

    def __deepcopy__(self, memo: dict) -> UninitializedParameter:
        new = UninitializedParameter(self._requires_grad, dtype=self.dtype)
        memo[id(self)] = new
        return new

    def __repr__(self) -> str:
        return "<UninitializedParameter>"
