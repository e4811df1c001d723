"""``new_zeros``, ``new_ones``, ``new_full``, ``new_empty``, ``new_tensor``: tensors made "like"
this one (its dtype unless ``dtype`` is given; always on the CPU)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _device, _dtype
from ..autograd.tensor_base import TensorBase
from .shape import _shape_args

if TYPE_CHECKING:  # type hints only, never imported at run time (mlplab.tensor imports this)
    from ..tensor import Tensor


class NewMixin:
    """Factories relative to a tensor (mixed into ``Tensor``)."""

    __slots__ = ()

    def _new_like(self, arr: np.ndarray, device: Any, requires_grad: bool) -> Tensor:
        _device.check(device)
        t = self._make(arr)
        return t.requires_grad_(True) if requires_grad else t

    def _new_dtype(self, dtype: Any) -> np.dtype:
        return self._data.dtype if dtype is None else _dtype.to_np(dtype)

    def new_zeros(
        self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Tensor:
        return self._new_like(np.zeros(_shape_args(size), self._new_dtype(dtype)), device, requires_grad)

    def new_ones(
        self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Tensor:
        return self._new_like(np.ones(_shape_args(size), self._new_dtype(dtype)), device, requires_grad)

    def new_empty(
        self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Tensor:
        return self._new_like(np.empty(_shape_args(size), self._new_dtype(dtype)), device, requires_grad)

    def new_full(
        self,
        size: Any,
        fill_value: Any,
        *,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
    ) -> Tensor:
        arr = np.full(_shape_args((size,)), fill_value, self._new_dtype(dtype))
        return self._new_like(arr, device, requires_grad)

    def new_tensor(
        self, data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Tensor:
        """A copy of ``data`` with this tensor's dtype (unless ``dtype``), detached."""
        src = data._data if isinstance(data, TensorBase) else data
        return self._new_like(np.array(src, dtype=self._new_dtype(dtype)), device, requires_grad)
