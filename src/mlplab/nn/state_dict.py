"""A ``Module``'s state: ``state_dict`` (every parameter and persistent buffer by dotted name)
and ``load_state_dict`` (copying such a dict back, all-or-nothing)."""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor_base import bump_version
from ..tensor import Size, Tensor
from .parameter import UninitializedParameter


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict(strict=False)`` could not match."""

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class StateDictMixin:
    """``state_dict`` and ``load_state_dict`` (mixed into ``Module``)."""

    def _state_items(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        for k, p in self._parameters.items():
            if p is not None:
                yield prefix + k, p
        for k, b in self._buffers.items():
            if b is not None and k not in self._non_persistent_buffers_set:
                yield prefix + k, b
        for k, m in self._modules.items():
            if m is not None:
                yield from m._state_items(prefix + k + ".")

    def state_dict(
        self, *args: Any, destination: Any = None, prefix: str = "", keep_vars: bool = False
    ) -> OrderedDict:
        """Every parameter and persistent buffer by dotted name, in registration order.

        Values are detached tensors sharing memory with the module (copy them to snapshot);
        ``keep_vars=True`` returns the Parameters themselves.
        """
        if args:
            destination = args[0]
            if len(args) > 1:
                prefix = args[1]
        dest = OrderedDict() if destination is None else destination
        for k, t in self._state_items(prefix):
            dest[k] = t if keep_vars else t.detach()
        return dest

    def load_state_dict(
        self, state_dict: Any, strict: bool = True, assign: bool = False
    ) -> _IncompatibleKeys:
        """Copy values from ``state_dict`` into this module's parameters and buffers, in place.

        Values may be Tensors or array-likes. With ``strict`` (the default) missing or unexpected
        keys raise; a shape mismatch always raises. Unlike PyTorch, nothing is copied when an
        error is raised (PyTorch may leave the module half-loaded).
        Returns ``(missing_keys, unexpected_keys)``.
        """
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
        own = OrderedDict(self._state_items())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict.keys() if k not in own]
        errors = []
        todo = []
        for k, t in own.items():
            if k not in state_dict:
                continue
            v = state_dict[k]
            arr = v._data if isinstance(v, Tensor) else np.asarray(v)
            if isinstance(t, UninitializedParameter):  # a lazy module's: it takes the checkpoint's shape
                todo.append((t, arr))
            elif arr.shape != t._data.shape:
                errors.append(
                    f"size mismatch for {k}: copying a param with shape {Size(arr.shape)} from checkpoint, "
                    f"the shape in current model is {Size(t._data.shape)}."
                )
            else:
                todo.append((t, arr))
        if strict:
            if unexpected:
                errors.insert(
                    0, "Unexpected key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in unexpected))
                )
            if missing:
                errors.insert(
                    0, "Missing key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in missing))
                )
        if errors:
            raise RuntimeError(
                "Error(s) in loading state_dict for {}:\n\t{}".format(
                    type(self).__name__, "\n\t".join(errors)
                )
            )
        with no_grad():
            for t, arr in todo:
                if isinstance(t, UninitializedParameter):
                    t.materialize(arr.shape)
                if assign:
                    t._data = np.array(arr, dtype=arr.dtype if arr.dtype.kind != "f" else t._data.dtype)
                else:
                    np.copyto(t._data, arr, casting="unsafe")
                    bump_version(t)  # PyTorch's copy_
        return _IncompatibleKeys(missing, unexpected)
