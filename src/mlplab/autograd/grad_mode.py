"""Global switch for graph recording: ``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _State:
    __slots__ = ("enabled", "inference")

    def __init__(self) -> None:
        self.enabled = True
        self.inference = False


state = _State()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are recorded for backward."""
    return state.enabled


class set_grad_enabled:  # noqa: N801 - PyTorch's name
    """Enable or disable graph recording; usable as a call, a context manager or a decorator."""

    def __init__(self, mode: bool) -> None:
        self.prev = state.enabled
        self.mode = bool(mode)
        state.enabled = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        state.enabled = self.prev

    def __call__(self, fn: F) -> F:
        state.enabled = self.prev
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _Mode:
    mode = True

    def __new__(cls, orig_func: Callable[..., Any] | None = None) -> Any:
        # ``@no_grad`` without parentheses decorates directly, as in PyTorch
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)

    def __init__(self, orig_func: Callable[..., Any] | None = None) -> None:
        self.prev = True

    def __enter__(self) -> None:
        self.prev = state.enabled
        state.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        state.enabled = self.prev

    def __call__(self, fn: F) -> F:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = state.enabled
            state.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                state.enabled = prev

        return wrapper  # type: ignore[return-value]


class no_grad(_Mode):  # noqa: N801 - PyTorch's name
    """Context manager / decorator: operations inside record no graph (as ``torch.no_grad``)."""

    mode = False


class enable_grad(_Mode):  # noqa: N801 - PyTorch's name
    """Context manager / decorator re-enabling graph recording inside ``no_grad``."""

    mode = True


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()`` (as ``torch.is_inference_mode_enabled``)."""
    return state.inference


class inference_mode:  # noqa: N801 - PyTorch's name
    """Context manager / decorator for evaluation code. ``inference_mode()`` records no graph
    inside; ``inference_mode(False)`` leaves inference mode and turns graph recording on (even
    inside ``no_grad``), as torch's does. ``@inference_mode`` and ``@inference_mode()`` both decorate.

    Differences from torch: torch marks the tensors made inside as *inference tensors*, which later
    refuse to take part in recorded operations, and keeps recording off under ``enable_grad()``
    nested inside; mlplab has no inference tensors, and inside it is exactly ``no_grad``.
    """

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # bare ``@inference_mode``
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)
        self.prev: tuple[bool, bool] = (True, False)

    def __enter__(self) -> None:
        self.prev = (state.enabled, state.inference)
        state.enabled, state.inference = not self.mode, self.mode

    def __exit__(self, *exc: object) -> None:
        state.enabled, state.inference = self.prev

    def __call__(self, fn: F) -> F:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]
