"""Devices as on a CPU-only PyTorch build: ``device`` objects, the default device, and the errors a
program meets when it asks for a GPU.

mlplab computes with NumPy, which has no GPU backend, so every tensor lives on the CPU. A
``device("cuda:0")`` can still be built and compared (programs build one before they test
``cuda.is_available()``), but placing a tensor there raises the error a CPU-only torch raises
(``AssertionError: Torch not compiled with CUDA enabled``), with a line saying why.
"""

from __future__ import annotations

import re
from typing import Any

# the device types torch's parser knows, in the order its message lists them
DEVICE_TYPES = (
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
    "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone",
)  # fmt: skip
_INDEX = re.compile(r"0|[1-9][0-9]*")
CPU_ONLY = "mlplab runs on the CPU only: it computes with NumPy, which has no GPU backend"
NO_ACCELERATOR = "Cannot access accelerator device when none is available."


def _parse(spec: str) -> tuple[str, int | None]:
    kind, sep, idx = spec.partition(":")
    if kind not in DEVICE_TYPES:
        raise RuntimeError(
            f"Expected one of {', '.join(DEVICE_TYPES)} device type at start of device string: {spec}"
        )
    if not sep:
        return kind, None
    if not _INDEX.fullmatch(idx):
        raise RuntimeError(f"Invalid device string: '{spec}'")
    return kind, int(idx)


class device:  # noqa: N801 - PyTorch's name
    """A device: ``type`` ("cpu", "cuda", ...) and an optional ``index``.

    ``device("cuda:0")``, ``device("cuda", 0)`` and ``device(type="cpu")`` are accepted as in torch;
    two devices are equal when type and index are (as in torch, a device is never equal to a
    string: compare ``str(d)`` or ``d.type``). A bare int means an accelerator, which a CPU-only
    build does not have.
    """

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002 - torch's name
        if isinstance(type, device):
            kind, idx = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError(NO_ACCELERATOR)
        elif isinstance(type, str):
            kind, idx = _parse(type)
        else:
            raise TypeError(f"device(): argument 'type' must be str, not {builtin_type(type).__name__}")
        if index is not None:
            if idx is not None:
                raise RuntimeError(
                    f"type (string) must not include an index because index was passed explicitly: {type}"
                )
            if index < 0:
                raise RuntimeError("Device index must not be negative")
            idx = int(index)
        self.type = kind
        self.index = idx

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __reduce__(self) -> tuple:
        return (device, (self.type, self.index))


builtin_type = type
CPU = device("cpu")


def not_compiled(backend: str = "CUDA") -> AssertionError:
    """The error a CPU-only torch raises for a CUDA (or XPU) request, with mlplab's reason."""
    return AssertionError(f"Torch not compiled with {backend} enabled ({CPU_ONLY})")


def check(d: Any) -> None:
    """Accept ``d`` as a tensor's device when it is None or a CPU device; raise torch's CPU-build
    error otherwise (``AssertionError`` for CUDA and XPU, ``RuntimeError`` for the others)."""
    if d is None or d is CPU:
        return
    if builtin_type(d) is str and d == "cpu":
        return
    kind = device(d).type
    if kind == "cpu":
        return
    if kind in ("cuda", "xpu"):
        raise not_compiled(kind.upper())
    if kind == "mps":
        raise RuntimeError(f"PyTorch is not linked with support for mps devices ({CPU_ONLY})")
    raise RuntimeError(f"mlplab does not support the {kind!r} device ({CPU_ONLY})")


def set_default_device(device: Any) -> None:
    """Set the device factories use: only the CPU (or None, which means the CPU) is accepted.

    torch accepts ``set_default_device("cuda")`` and fails at the next factory; mlplab refuses at
    once, with the same error.
    """
    check(device)


def get_default_device() -> device:
    """The device factories use: always ``device(type='cpu')``."""
    return CPU
