"""Fully-connected layer ``Linear`` and the shape helpers ``Identity``, ``Flatten`` and ``Unflatten``."""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _device, _dtype
from ..ops.linear import LinearFn, LinearNoBiasFn
from ..ops.linear_act import LinearActLinearFn
from ..tensor import Parameter, Tensor
from . import init
from .module import Module

__all__ = ["Identity", "Linear", "Flatten", "Unflatten"]


class Identity(Module):
    """Returns its input unchanged (a placeholder; constructor arguments are ignored)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input


class Linear(Module):
    r"""y = x W^T + b, W of shape (out_features, in_features), b of shape (out_features,).

    PyTorch's default initialisation: W ~ kaiming_uniform(a=\sqrt5), which is U(-1/\sqrt{in}, 1/\sqrt{in}),
    and b ~ U(-1/\sqrt{in}, 1/\sqrt{in}). Input (*, in_features) gives output (*, out_features);
    a wrong feature count raises naming both numbers.
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        _device.check(device)  # the CPU only: torch's CPU-build error otherwise
        if in_features < 0 or out_features < 0:
            raise ValueError(
                f"Linear: feature counts must be non-negative, got in={in_features}, out={out_features}"
            )
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        npd = _dtype.to_np(dtype) if dtype is not None else _dtype.default_np()
        self.weight = Parameter(Tensor._make(np.empty((out_features, in_features), dtype=npd)))
        if bias:
            self.bias = Parameter(Tensor._make(np.empty(out_features, dtype=npd)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw the weights with PyTorch's default scheme (see the class docstring)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        w = self.weight
        try:
            xs = input._data.shape
        except AttributeError:
            self._bad_input(input)
        if not xs or xs[-1] != self.in_features or input._data.dtype != w._data.dtype:
            self._bad_input(input)
        b = self.bias
        if b is None:
            return LinearNoBiasFn.apply(input, w)
        return LinearFn.apply(input, w, b)

    def _forward_activated(self, input: Tensor, fused: Any, activation: Module) -> Tensor:
        """``activation(self(input))`` with ``fused`` (an op of :mod:`mlplab.ops.linear_act`) as one
        node: bitwise the same values and gradients (``Sequential``'s fast path)."""
        w, b = self.weight, self.bias
        self._input_shape(input)  # raises for a bad input
        if b is None:
            return activation(LinearNoBiasFn.apply(input, w))
        return fused.apply(input, w, b)

    def _forward_pair(self, input: Tensor, fused: Any, activation: Module, second: Linear) -> Tensor:
        """``second(activation(self(input)))`` as one node (:class:`~mlplab.ops.linear_act.LinearActLinearFn`)
        where both have a bias and ``second`` takes what ``self`` gives (2-D input): bitwise the same
        values and gradients; otherwise as the separate calls, which raise their own errors."""
        w, b = self.weight, self.bias
        xs = self._input_shape(input)
        w2, b2 = second.weight, second.bias
        wa = w._data
        if (
            b is None
            or b2 is None
            or len(xs) != 2
            or wa.ndim != 2
            or wa.shape[0] != second.in_features
            or w2._data.dtype != wa.dtype
        ):
            return second.forward(self._forward_activated(input, fused, activation))
        return LinearActLinearFn.apply(input, w, b, w2, b2, fused)

    def _input_shape(self, input: Any) -> tuple[int, ...]:
        """The shape of ``input`` when it is a Tensor of this layer's dtype ending in
        ``in_features`` (the check :meth:`forward` makes inline); else :meth:`_bad_input`'s error."""
        try:
            xs = input._data.shape
        except AttributeError:
            self._bad_input(input)
        if not xs or xs[-1] != self.in_features or input._data.dtype != self.weight._data.dtype:
            self._bad_input(input)
        return xs

    def _bad_input(self, input: Any) -> None:
        if not isinstance(input, Tensor):
            raise TypeError(f"Linear expects a Tensor input, got {type(input).__name__}")
        xs = tuple(input._data.shape)
        if not xs or xs[-1] != self.in_features:
            raise RuntimeError(
                f"Linear({self.in_features} -> {self.out_features}) expected input "
                f"(*, {self.in_features}), got {xs}"
            )
        raise RuntimeError(
            f"Linear({self.in_features} -> {self.out_features}): input dtype {input.dtype.name} differs "
            f"from the weight's {self.weight.dtype.name}; convert the input (.float()) or the model "
            f"(.double())"
        )

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
        )

    def forward_parameter_copies(self, x: np.ndarray, copies: dict[str, np.ndarray]) -> np.ndarray:
        """The forward pass for K stacked parameter copies at once (NumPy, no graph), as numerical
        gradients need: ``x`` (K or 1, N, in), ``copies`` name -> (K, *shape); returns (K, N, out)."""
        out = np.matmul(x, np.swapaxes(copies["weight"], 1, 2))
        return out + copies["bias"][:, None, :] if self.bias is not None else out


class Flatten(Module):
    """Merge dimensions ``start_dim``..``end_dim`` (default: all but the batch dimension)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size`` (Flatten's inverse); one entry may be -1."""

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        if not isinstance(dim, int):
            raise TypeError(f"invalid argument type for dim parameter, expected `int` but got {type(dim)}")
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(
                f"unflattened_size must be tuple of ints, but found type {type(unflattened_size).__name__}"
            )
        for i, n in enumerate(unflattened_size):
            if not isinstance(n, int):
                raise TypeError(
                    f"unflattened_size must be tuple of ints, but found element of type "
                    f"{type(n).__name__} at pos {i}"
                )
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        shape = tuple(input.shape)
        d = self.dim % len(shape) if shape else 0
        sizes = tuple(self.unflattened_size)
        known = int(np.prod([n for n in sizes if n != -1], dtype=np.int64))
        if -1 in sizes:
            sizes = tuple(shape[d] // known if n == -1 and known else n for n in sizes)
        if int(np.prod(sizes, dtype=np.int64)) != shape[d]:
            raise RuntimeError(
                f"unflatten: Provided sizes {list(self.unflattened_size)} don't multiply up to the size of "
                f"dim {self.dim} ({shape[d]}) in the input tensor"
            )
        return input.reshape(shape[:d] + sizes + shape[d + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
