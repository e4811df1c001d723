"""Converting a ``Module``'s floating-point parameters and buffers to another dtype, in place:
``float()``, ``double()``, ``half()``, ``to(dtype)`` (the same Parameter objects keep their identity,
so an optimiser built before the conversion still holds them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .._device import not_compiled
from .._tensor.device import parse_to
from .parameter import UninitializedParameter

if TYPE_CHECKING:  # type hints only (mlplab.nn.module imports this module)
    from .module import Module


class ConversionMixin:
    """dtype conversion (mixed into ``Module``)."""

    def _apply_arrays(self, convert: Callable[[np.ndarray], np.ndarray]) -> Module:
        for m in self.modules():
            for p in m._parameters.values():
                if p is None:
                    continue
                if isinstance(p, UninitializedParameter):  # the dtype it will be materialised with
                    p.convert_pending(convert)
                    continue
                p._data = convert(p._data)
                if p.grad is not None:
                    p.grad._data = convert(p.grad._data)
            for b in m._buffers.values():
                if b is not None:
                    b._data = convert(b._data)
        return self

    def _to_float(self, dt: np.dtype) -> Module:
        return self._apply_arrays(lambda a: a.astype(dt) if a.dtype.kind == "f" and a.dtype != dt else a)

    def float(self) -> Module:
        """Cast floating-point parameters and buffers to float32, in place (same Parameter objects)."""
        return self._to_float(np.dtype(np.float32))

    def double(self) -> Module:
        """Cast floating-point parameters and buffers to float64, in place."""
        return self._to_float(np.dtype(np.float64))

    def half(self) -> Module:
        return self._to_float(np.dtype(np.float16))

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """``to(dtype)`` casts as ``float()``/``double()``; ``to(device)`` accepts the CPU only (torch's
        CPU-build error otherwise); ``to(tensor)`` takes the tensor's dtype. Returns ``self``."""
        _, dt, _ = parse_to(args, kwargs)
        if dt is None:
            return self
        if not dt.is_floating_point:
            raise TypeError(
                f"nn.Module.to only accepts floating point or complex dtypes, but got desired dtype={dt!r}"
            )
        return self._to_float(dt.np)

    def cpu(self) -> Module:
        return self

    def cuda(self, device: Any = None) -> Module:
        """Raises torch's CPU-build error: mlplab has no GPU backend."""
        raise not_compiled()

    def type(self, dst_type: Any) -> Module:
        return self.to(dst_type)
