"""Devices of ``Tensor``: ``device``, ``to``, ``cpu``, ``cuda`` as on a CPU-only PyTorch build.

Every tensor lives on the CPU (``t.device == device(type='cpu')``); ``t.to("cpu")`` and ``t.cpu()``
return ``t`` itself, ``t.to(dtype)`` converts, and ``t.cuda()`` / ``t.to("cuda")`` raise torch's
``AssertionError: Torch not compiled with CUDA enabled`` (see :mod:`mlplab._device`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import _device, _dtype, _scope
from ..autograd.tensor_base import TensorBase

if TYPE_CHECKING:  # type hints only, never imported at run time (mlplab.tensor imports this)
    from ..tensor import Tensor

_TO_KEYWORDS = ("device", "dtype", "non_blocking", "copy", "memory_format")


def parse_to(args: tuple, kwargs: dict) -> tuple[Any, Any, bool]:
    """``(device, dtype, copy)`` from the arguments of torch's ``to`` overloads:
    ``to(device=None, dtype=None, non_blocking=False, copy=False)``, ``to(dtype, non_blocking, copy)``
    and ``to(tensor, non_blocking, copy)``; the device is checked (only the CPU is accepted)."""
    bad = [k for k in kwargs if k not in _TO_KEYWORDS]
    if bad:
        raise TypeError(f"to() got an unexpected keyword argument '{bad[0]}'")
    dev, dt = kwargs.get("device"), kwargs.get("dtype")
    rest = list(args)
    if rest:
        first = rest.pop(0)
        if isinstance(first, TensorBase):
            dt = first.dtype  # type: ignore[attr-defined]
        elif isinstance(first, _dtype.dtype):
            dt = first
        else:
            dev = first
            if rest and isinstance(rest[0], _dtype.dtype):
                dt = rest.pop(0)
    copy = bool(kwargs.get("copy", False))
    if len(rest) > 2:
        raise TypeError(f"to() takes at most 4 positional arguments ({len(args)} given)")
    if len(rest) == 2:
        copy = bool(rest[1])
    _device.check(dev)
    return dev, dt, copy


class DeviceMixin:
    """Device attributes and conversions (mixed into ``Tensor``)."""

    __slots__ = ()

    @property
    def device(self) -> _device.device:
        """Always ``device(type='cpu')``."""
        return _device.CPU

    @property
    def is_cpu(self) -> bool:
        return True

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def is_sparse(self) -> bool:
        return False

    @property
    def is_quantized(self) -> bool:
        return False

    def is_complex(self) -> bool:
        return False

    def to_sparse(self, *args: Any, **kwargs: Any) -> Tensor:
        """Raises NotImplementedError: mlplab's tensors are dense NumPy arrays."""
        raise _scope.unsupported("Tensor.to_sparse", _scope._SPARSE)

    def get_device(self) -> int:
        """-1, torch's answer for a CPU tensor."""
        return -1

    def cpu(self, memory_format: Any = None) -> Tensor:
        """``self``: it is already on the CPU."""
        return self  # type: ignore[return-value]

    def cuda(self, device: Any = None, non_blocking: bool = False, memory_format: Any = None) -> Tensor:
        """Raises torch's CPU-build error: mlplab has no GPU backend."""
        raise _device.not_compiled()

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)`` (other's dtype), with
        ``copy=True`` for a new tensor even when nothing changes; ``self`` when nothing changes."""
        _, dt, copy = parse_to(args, kwargs)
        out = self if dt is None else self.type(dt)  # type: ignore[attr-defined]
        return out.clone() if copy and out is self else out  # type: ignore[attr-defined]
