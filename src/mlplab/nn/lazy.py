r"""``LazyLinear``: a ``Linear`` layer whose ``in_features`` is read from its first input, so a
network can be written with output sizes only (``nn.Sequential(nn.LazyLinear(64), nn.ReLU(),
nn.LazyLinear(10))``).

Until the first forward its weight and bias are :class:`~mlplab.nn.parameter.UninitializedParameter`
(and its repr says ``in_features=0``). The first forward materialises them as (out, in) and (out,),
draws PyTorch's Linear initialisation (U(-1/\sqrt{in}, 1/\sqrt{in})) and turns the module into a
plain ``Linear`` (its class changes, as in PyTorch), so the later calls cost what a Linear costs.
"""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from typing import Any

from .. import _device
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .linear import Linear
from .module import Module
from .parameter import UninitializedParameter

__all__ = ["LazyLinear"]


class LazyLinear(Linear):
    """y = x W^T + b with ``in_features`` inferred from the first input (see the module docstring)."""

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        Module.__init__(self)
        _device.check(device)
        self.in_features = 0
        self.out_features = out_features
        self.weight = UninitializedParameter(dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)
        else:
            self.register_parameter("bias", None)
        self._initialize_hook = self.register_forward_pre_hook(LazyLinear._infer_parameters)

    def has_uninitialized_params(self) -> bool:
        """True while a parameter is still an ``UninitializedParameter``."""
        return any(isinstance(p, UninitializedParameter) for p in self._parameters.values())

    def reset_parameters(self) -> None:
        """PyTorch's Linear initialisation, once the parameters have a shape (a no-op before)."""
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        """Materialise W as (out_features, input.shape[-1]) and b as (out_features,), then initialise."""
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()

    @staticmethod
    def _infer_parameters(module: LazyLinear, args: tuple) -> None:
        """The forward pre-hook of the first call: infer, then become a plain ``Linear``."""
        module.initialize_parameters(*args)
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
        module.in_features = module.weight.shape[1]  # also after load_state_dict gave the shape
        module._initialize_hook.remove()
        del module._initialize_hook
        module.__class__ = module.cls_to_become
