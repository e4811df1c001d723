"""dtypes: thin named wrappers around NumPy dtypes, spelled as PyTorch spells them."""

from __future__ import annotations

import numpy as np


class dtype:  # noqa: N801 - PyTorch's name
    """A tensor element type (``mlplab.float32`` ...), mapping to one NumPy dtype."""

    __slots__ = ("name", "np", "is_floating_point", "itemsize")

    def __init__(self, name: str, np_dtype: type) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.itemsize = self.np.itemsize

    def __repr__(self) -> str:
        return f"mlplab.{self.name}"

    def __reduce__(self) -> str:
        return self.name


float16 = dtype("float16", np.float16)
float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
int16 = dtype("int16", np.int16)
int32 = dtype("int32", np.int32)
int64 = dtype("int64", np.int64)
uint8 = dtype("uint8", np.uint8)
bool_ = dtype("bool", np.bool_)

ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, bool_)
_FROM_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}

_default = [float32]


def from_numpy_dtype(np_dtype: np.dtype) -> dtype:
    """The mlplab dtype for a NumPy dtype (raises TypeError for unsupported kinds)."""
    try:
        return _FROM_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(np_dtype)}; supported: "
            + ", ".join(d.name for d in ALL)
        ) from None


def to_np(d: dtype | np.dtype | type | str | None) -> np.dtype | None:
    """The NumPy dtype for an mlplab dtype (or anything NumPy understands)."""
    if d is None:
        return None
    if isinstance(d, dtype):
        return d.np
    if isinstance(d, str) and d in _BY_NAME:
        return _BY_NAME[d].np
    if d is float:
        return _default[0].np
    if d is int:
        return np.dtype(np.int64)
    if d is bool:
        return np.dtype(np.bool_)
    return np.dtype(d)


def set_default_dtype(d: dtype) -> None:
    """Set the dtype used for Python floats and float factories (float32 or float64)."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d!r}")
    _default[0] = d


def get_default_dtype() -> dtype:
    """The current default floating-point dtype (``mlplab.float32`` unless changed)."""
    return _default[0]


def default_np() -> np.dtype:
    return _default[0].np


def promote(a: np.dtype, b: np.dtype) -> np.dtype:
    """Result dtype of a binary op between two tensors, following PyTorch's categories.

    float beats int beats bool; within a category the wider type wins. NumPy alone would turn
    int64 + float32 into float64, PyTorch keeps float32.
    """
    if a == b:
        return a
    ka, kb = a.kind, b.kind
    if ka == "f" and kb != "f":
        return a
    if kb == "f" and ka != "f":
        return b
    if ka == "b":
        return b
    if kb == "b":
        return a
    return np.promote_types(a, b)
