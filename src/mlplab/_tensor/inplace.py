"""In-place ops of ``Tensor``: ``add_ sub_ mul_ div_`` and ``+= -= *= /=``, ``addcmul_``,
``addcdiv_``, ``copy_``, ``fill_``, ``zero_``, ``clamp_``, ``masked_fill_``, random fills.

Each adds one to the tensor's version (``_version``, shared with its views), as PyTorch's do."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import random as _random
from ..autograd import grad_mode
from ..autograd.tensor_base import TensorBase, bump_version
from ..autograd.view_bases import overlaps, writable
from ..autograd.views import check_no_grad_view, no_grad_views
from .inplace_view import _OVERLAP, check_outside_view, is_shared, old_value, write_shared

if TYPE_CHECKING:  # type hints only, never imported at run time (mlplab.tensor imports this)
    from ..tensor import Tensor


_gstate = grad_mode.state
_MASKED_FILL_EXPANDED = (
    "Use of masked_fill_ on expanded tensors is deprecated. Please clone() the tensor before "
    "performing this operation. This also applies to advanced indexing e.g. tensor[mask] = scalar"
)


class InplaceMixin:
    """In-place ops (mixed into ``Tensor``).

    They change the array itself when no graph needs recording (the optimiser's
    ``w -= lr * w.grad`` under no_grad). When one must be recorded (self is a non-leaf that
    requires grad, or the other operand requires grad), the op runs out of place and ``self``
    is rebound to the result, which is what PyTorch's in-place ops on non-leaves amount to.
    In-place on a leaf that requires grad is refused outside no_grad, as in PyTorch.
    """

    __slots__ = ()

    def _check_inplace(self) -> None:
        if self._requires_grad and _gstate.enabled:
            if self.grad_fn is None:
                raise RuntimeError(
                    "a leaf Variable that requires grad is being used in an in-place operation."
                )
            raise RuntimeError(
                f"this in-place operation on a tensor that is part of an autograd graph "
                f"(grad_fn=<{self.grad_fn.name()}>) is not supported by mlplab; use the out-of-place form"
            )

    def _records(self, *others: Any) -> bool:
        """True when an in-place op on self with ``others`` must be recorded in the graph."""
        if not _gstate.enabled:
            return False
        if no_grad_views:
            check_no_grad_view(self)
        vc = self._version_counter
        if vc is not None and vc[1]:  # a view, or a base with views
            check_outside_view(self)
        if self._requires_grad:
            if self.grad_fn is None:
                raise RuntimeError(
                    "a leaf Variable that requires grad is being used in an in-place operation."
                )
            return True
        for o in others:
            if isinstance(o, TensorBase) and o._requires_grad:
                return True
        return False

    def _rebind(self, result: Tensor) -> Tensor:
        """Make self the (recorded) result of an in-place op, keeping self's dtype and shape."""
        if result._data.dtype != self._data.dtype:
            result = result.type(self.dtype)
        if result._data.shape != self._data.shape:
            raise RuntimeError(
                f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                f"{list(result._data.shape)}"
            )
        if is_shared(self):  # a view, or a base with views: write into the memory they share
            return write_shared(self, result)
        bump_version(self)  # before grad_fn changes: an op that saved self as its output learns of it
        result.grad_fn.replaces = self.grad_fn  # earlier consumers' gradients go to the old node
        self._data = result._data
        self._requires_grad = result._requires_grad
        self.grad_fn = result.grad_fn
        return self

    def _old(self) -> Tensor:
        """A handle on self's current value and graph node (the input of a recorded in-place op)."""
        if is_shared(self):
            return old_value(self)
        t = self._make(self._data, self._requires_grad)
        t.grad_fn = self.grad_fn
        return t

    def _apply_(self, fn: Callable[[Tensor], Tensor], node_name: str | None = None) -> Tensor:
        """self <- fn(self) in place, returning self (``relu_``, the activations' ``inplace=True``).

        When the graph must record it, ``fn`` runs on a copy of self's old value that carries
        self's old node, and self becomes the result's node (one version more); the result is
        written into self's own array either way, so views and aliases of that array see it as in
        PyTorch. Refused on a leaf that requires grad, as PyTorch refuses it. ``node_name``: the name
        PyTorch gives the in-place op's node where it differs from the out-of-place one's
        (``EluBackward1``), which error messages show.
        """
        if self._records():
            if is_shared(self):  # a view, or a base with views: the change goes through CopySlices
                result = fn(self._old())  # _old copies the values the op may save
                self._rebind(result)
                if node_name is not None and self.grad_fn is result.grad_fn:  # not a view's node
                    self.grad_fn.backward_name = node_name
                return self
            arr = self._data
            old = self._make(arr.copy(), True)  # the op may read its input in backward: keep it
            old.grad_fn = self.grad_fn
            self._rebind(fn(old))
            if node_name is not None:
                self.grad_fn.backward_name = node_name
            np.copyto(arr, self._data, casting="unsafe")
            self._data = arr
            return self
        r = fn(self)._data
        try:
            np.copyto(self._data, r, casting="unsafe")
        except ValueError as e:
            np.copyto(self._unwritable(e), r, casting="unsafe")
        return self._changed()

    def _overwritten(self, value: Any) -> Tensor:
        """Self's every element replaced by ``value`` (broadcast), recorded: no gradient reaches
        the old values, and the new ones are exactly ``value`` (``x * 0 + v`` would give -0.0 for
        negative x and NaN for infinite x)."""
        return self._old().masked_fill(np.ones(self._data.shape, np.bool_), value)

    def _unwritable(self, err: ValueError, fills: bool = False) -> Any:
        """The array an untracked in-place op writes when NumPy refused ``self``'s (``err``): an
        expanded tensor, or a view of one, is a read-only NumPy array. PyTorch refuses to write
        one whose elements share memory (``_OVERLAP``) unless the op writes one value everywhere
        (``fills``: fill_, zero_, masked_fill_); a view of distinct elements of it
        (``x.expand(2, 3)[0]``) is written through the memory it views."""
        a = self._data
        if a.flags.writeable:
            raise err
        if not fills and overlaps(a):
            raise RuntimeError(_OVERLAP) from None
        w = writable(a)
        if w is None:
            raise err
        return w

    def _changed(self) -> Tensor:
        """Count an in-place change of the array (one version); returns self."""
        bump_version(self)
        return self

    @staticmethod
    def _arr(o: Any) -> Any:
        return o._data if isinstance(o, TensorBase) else o

    def add_(self, other: Any, *, alpha: float = 1) -> Tensor:
        """self += alpha * other, in place."""
        o = other
        if self._records(o):
            return self._rebind(self._old().add(o, alpha=alpha))
        o = o._data if isinstance(o, TensorBase) else o
        try:
            np.add(self._data, o if alpha == 1 else o * alpha, out=self._data, casting="unsafe")
        except ValueError as e:
            np.add(self._data, o if alpha == 1 else o * alpha, out=self._unwritable(e), casting="unsafe")
        return self._changed()

    def sub_(self, other: Any, *, alpha: float = 1) -> Tensor:
        """self -= alpha * other, in place."""
        o = other
        if self._records(o):
            return self._rebind(self._old().sub(o, alpha=alpha))
        o = o._data if isinstance(o, TensorBase) else o
        try:
            np.subtract(self._data, o if alpha == 1 else o * alpha, out=self._data, casting="unsafe")
        except ValueError as e:
            np.subtract(self._data, o if alpha == 1 else o * alpha, out=self._unwritable(e), casting="unsafe")
        return self._changed()

    def mul_(self, other: Any) -> Tensor:
        """self *= other, in place."""
        o = other
        if self._records(o):
            return self._rebind(self._old() * o)
        o = o._data if isinstance(o, TensorBase) else o
        try:
            np.multiply(self._data, o, out=self._data, casting="unsafe")
        except ValueError as e:
            np.multiply(self._data, o, out=self._unwritable(e), casting="unsafe")
        return self._changed()

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """self /= other, in place (``rounding_mode``: as :meth:`div`)."""
        if rounding_mode is not None:
            return self.copy_(self.div(other, rounding_mode=rounding_mode))
        o = other
        if self._records(o):
            return self._rebind(self._old() / o)
        o = o._data if isinstance(o, TensorBase) else o
        try:
            np.divide(self._data, o, out=self._data, casting="unsafe")
        except ValueError as e:
            np.divide(self._data, o, out=self._unwritable(e), casting="unsafe")
        return self._changed()

    def __iadd__(self, o: Any) -> Tensor:
        return self.add_(o)

    def __isub__(self, o: Any) -> Tensor:
        return self.sub_(o)

    def __imul__(self, o: Any) -> Tensor:
        return self.mul_(o)

    def __itruediv__(self, o: Any) -> Tensor:
        return self.div_(o)

    def addcmul_(self, tensor1: Any, tensor2: Any, *, value: float = 1) -> Tensor:
        """self += value * tensor1 * tensor2."""
        a, b = tensor1, tensor2
        if self._records(a, b):
            return self._rebind(self._old() + value * (self._other(a) * b))
        d = value * (self._arr(a) * self._arr(b))
        try:
            self._data += d
        except ValueError as e:
            np.add(self._data, d, out=self._unwritable(e), casting="same_kind")
        return self._changed()

    def addcdiv_(self, tensor1: Any, tensor2: Any, *, value: float = 1) -> Tensor:
        """self += value * tensor1 / tensor2."""
        a, b = tensor1, tensor2
        if self._records(a, b):
            return self._rebind(self._old() + value * (self._other(a) / b))
        d = value * (self._arr(a) / self._arr(b))
        try:
            self._data += d
        except ValueError as e:
            np.add(self._data, d, out=self._unwritable(e), casting="same_kind")
        return self._changed()

    def copy_(self, other: Any, non_blocking: bool = False) -> Tensor:
        """Copy values from ``other`` (broadcast to this shape) into this tensor."""
        src = other
        s = self._arr(src)
        try:
            b = np.broadcast_to(s, self._data.shape)
        except ValueError:
            raise RuntimeError(
                f"copy_: source of shape {tuple(np.shape(s))} cannot be broadcast to destination "
                f"of shape {tuple(self._data.shape)}"
            ) from None
        if self._records(src):
            src = self._other(src)
            return self._rebind(self._overwritten(src))
        try:
            np.copyto(self._data, b, casting="unsafe")
        except ValueError as e:
            np.copyto(self._unwritable(e), b, casting="unsafe")
        return self._changed()

    def fill_(self, value: Any) -> Tensor:
        """Set every element to ``value``."""
        if self._records(value):
            return self._rebind(self._overwritten(value))
        try:
            self._data.fill(self._arr(value))
        except ValueError as e:  # PyTorch's fill_ refuses an expanded tensor given a tensor value
            self._unwritable(e, fills=not isinstance(value, TensorBase)).fill(self._arr(value))
        return self._changed()

    def zero_(self) -> Tensor:
        """Set every element to 0."""
        if self._records():
            return self._rebind(self._overwritten(0.0))
        try:
            self._data.fill(0)
        except ValueError as e:
            self._unwritable(e, fills=True).fill(0)
        return self._changed()

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Limit the values to [min, max] in place."""
        if self._records(min, max):
            return self._rebind(self._old().clamp(min, max))
        try:
            np.clip(self._data, min, max, out=self._data)
        except ValueError as e:
            np.clip(self._data, min, max, out=self._unwritable(e))
        return self._changed()

    def uniform_(self, from_: float = 0, to: float = 1, *, generator: Any = None) -> Tensor:
        """Fill with samples from U(from_, to)."""
        self._check_inplace()
        r = _random.rng(generator)
        try:
            self._data[...] = r.uniform(from_, to, self._data.shape)
        except ValueError as e:
            self._unwritable(e)[...] = r.uniform(from_, to, self._data.shape)
        return self._changed()

    def normal_(self, mean: float = 0, std: float = 1, *, generator: Any = None) -> Tensor:
        """Fill with samples from N(mean, std^2)."""
        self._check_inplace()
        r = _random.rng(generator)
        try:
            self._data[...] = r.normal(mean, std, self._data.shape)
        except ValueError as e:
            self._unwritable(e)[...] = r.normal(mean, std, self._data.shape)
        return self._changed()

    def bernoulli_(self, p: float = 0.5, *, generator: Any = None) -> Tensor:
        """Fill with 1 with probability p, else 0."""
        self._check_inplace()
        try:
            self._data[...] = _random.rng(generator).random(self._data.shape) < p
        except ValueError as e:
            self._unwritable(e)[...] = _random.rng(generator).random(self._data.shape) < p
        return self._changed()

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        """In-place :meth:`masked_fill` (recorded when a graph is being built)."""
        if self._records(value):
            return self._rebind(self._old().masked_fill(mask, value))
        m = np.broadcast_to(
            mask._data if isinstance(mask, TensorBase) else np.asarray(mask), self._data.shape
        )
        try:
            self._data[m] = self._arr(value)
        except ValueError as e:
            a = self._unwritable(e, fills=True)
            if overlaps(self._data):
                warnings.warn(_MASKED_FILL_EXPANDED, UserWarning, stacklevel=2)
            a[m] = self._arr(value)
        return self._changed()
