"""Containers: ``Sequential`` (a pipeline of modules) and ``ModuleList`` / ``ModuleDict`` (holders)."""

# ruff: noqa: A001, A002 - ``input`` is PyTorch's parameter name (keyword calls must work)

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from ..ops.linear_act import LinearReluFn, LinearTanhFn
from .activation import ReLU, Tanh
from .linear import Linear
from .module import Module, _addindent

__all__ = ["Sequential", "ModuleList", "ModuleDict"]


#: activation module -> the op that fuses it with a preceding Linear (Sequential.forward)
_FUSED: dict[type, Any] = {Tanh: LinearTanhFn, ReLU: LinearReluFn}


def _index(idx: Any, n: int, what: str) -> int:
    i = int(idx)
    if not -n <= i < n:
        raise IndexError(f"index {i} is out of range for {what} of length {n}")
    return i % n


class _Indexed(Module):
    """Shared integer-keyed storage of Sequential and ModuleList."""

    def _renumber(self, mods: list[Module]) -> None:
        # rebuild the registry with keys '0', '1', ... (after a deletion or insertion)
        for k in list(self._modules):
            self.__dict__.pop(k, None)
        self._modules.clear()
        for i, m in enumerate(mods):
            self.add_module(str(i), m)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __setitem__(self, idx: int, module: Module) -> None:
        key = list(self._modules)[_index(idx, len(self), type(self).__name__)]
        setattr(self, key, module)

    def __delitem__(self, idx: int | slice) -> None:
        mods = list(self._modules.values())
        if isinstance(idx, slice):
            del mods[idx]
        else:
            del mods[_index(idx, len(mods), type(self).__name__)]
        self._renumber(mods)

    def append(self, module: Module) -> Any:
        """Add ``module`` at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> Any:
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> Any:
        mods = list(self._modules.values())
        mods.insert(index, module)
        self._renumber(mods)
        return self

    def pop(self, index: int = -1) -> Module:
        m = list(self._modules.values())[_index(index, len(self), type(self).__name__)]
        del self[index]
        return m


class Sequential(_Indexed):
    """Modules applied one after another: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    Built from positional modules (named '0', '1', ...) or from one ``OrderedDict`` of named
    modules. Supports ``len``, iteration, indexing (a slice gives a Sequential), ``append``,
    ``insert``, ``extend`` and ``del``.
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], (OrderedDict, dict)):
            for k, m in args[0].items():
                self.add_module(k, m)
        else:
            for i, m in enumerate(args):
                self.add_module(str(i), m)

    def forward(self, input: Any) -> Any:
        # Fast paths (exact types, none hooked): a Linear followed by a Tanh or ReLU runs as one
        # fused node (mlplab.ops.linear_act), and such a pair followed by a Linear that starts no
        # pair of its own runs as one node of the three; bitwise the modules' results. Modules
        # wait (``first``, then its activation ``act`` with the fused op ``op``, then ``second``)
        # until the next module shows which applies; any other module runs after them, in order.
        first = op = act = second = None
        for m in self._modules.values():
            plain_linear = type(m) is Linear and not m._has_hooks
            if second is not None:
                fused = _FUSED.get(type(m))
                if fused is not None and not m._has_hooks:  # second starts a pair of its own
                    input = first._forward_activated(input, op, act)
                    first, op, act, second = second, fused, m, None
                    continue
                input = first._forward_pair(input, op, act, second)
                first = op = act = second = None
            elif op is not None:
                if plain_linear:
                    second = m
                    continue
                input = first._forward_activated(input, op, act)
                first = op = act = None
            elif first is not None:
                fused = _FUSED.get(type(m))
                if fused is not None and not m._has_hooks:
                    op, act = fused, m
                    continue
                input = first.forward(input)  # what its __call__ does without hooks
                first = None
            if plain_linear:
                first = m
            else:
                input = m(input)
        if second is not None:
            return first._forward_pair(input, op, act, second)
        if op is not None:
            return first._forward_activated(input, op, act)
        return input if first is None else first.forward(input)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[_index(idx, len(self), "Sequential")]


class ModuleList(_Indexed):
    """A list of modules whose parameters are registered (a plain Python list's would not be)."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return list(self._modules.values())[_index(idx, len(self), "ModuleList")]

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList(list(self) + list(other))

    def __repr__(self) -> str:
        # PyTorch compresses runs of identical children: "(0-2): 3 x Linear(...)"
        reprs = [repr(m) for m in self]
        if not reprs:
            return self._get_name() + "()"
        blocks: list[list[Any]] = []
        for i, r in enumerate(reprs):
            if blocks and blocks[-1][2] == r:
                blocks[-1][1] = i
            else:
                blocks.append([i, i, r])
        lines = []
        for a, b, r in blocks:
            s = f"({a}): {r}" if a == b else f"({a}-{b}): {b - a + 1} x {r}"
            lines.append(_addindent(s, 2))
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """A dict of named modules, registered in insertion order."""

    def __init__(self, modules: Any = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def keys(self) -> Iterable[str]:
        return self._modules.keys()

    def items(self) -> Iterable[tuple[str, Module]]:
        return self._modules.items()

    def values(self) -> Iterable[Module]:
        return self._modules.values()

    def update(self, modules: Any) -> None:
        items = modules.items() if hasattr(modules, "items") else modules
        for k, m in items:
            self[k] = m
