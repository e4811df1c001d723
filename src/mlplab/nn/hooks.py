"""Forward hooks of a ``Module``: functions called before or after every ``forward``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class RemovableHandle:
    """Returned by ``register_forward_hook``; ``remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks: dict, module: ForwardHooksMixin) -> None:
        self.hooks, self.module = hooks, module
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        self.hooks.pop(self.id, None)
        self.module._update_hook_flag()

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class ForwardHooksMixin:
    """``register_forward_hook`` / ``register_forward_pre_hook`` and the hooked call (mixed into
    ``Module``, whose ``__init__`` creates ``_forward_hooks``, ``_forward_pre_hooks`` and the
    ``_has_hooks`` flag that keeps the un-hooked call free of any hook handling)."""

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        for hook in list(self._forward_pre_hooks.values()):
            r = hook(self, args)
            if r is not None:
                args = r if isinstance(r, tuple) else (r,)
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            r = hook(self, args, out)
            if r is not None:
                out = r
        return out

    def _update_hook_flag(self) -> None:
        self.__dict__["_has_hooks"] = bool(self._forward_hooks or self._forward_pre_hooks)

    def register_forward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every forward; a non-None return replaces output."""
        h = RemovableHandle(self._forward_hooks, self)
        self._forward_hooks[h.id] = hook
        self._update_hook_flag()
        return h

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, args)`` before every forward; a non-None return replaces the args."""
        h = RemovableHandle(self._forward_pre_hooks, self)
        self._forward_pre_hooks[h.id] = hook
        self._update_hook_flag()
        return h
