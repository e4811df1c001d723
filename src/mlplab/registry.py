"""Registries: the named choices of mlplab (optimisers, schedulers, losses, activations,
initialisers, data sets), each a table ``name -> factory + typed options + help + properties``.

The command line, config files, the run builders and later the lab, ``mlplab compare`` and the
playground read their choices from these tables; nothing else lists them. This module is the bottom
layer: it imports nothing from mlplab, so any layer may declare a table.

An :class:`Option` is one hyper-parameter: its type, its valid range, its help. Its default is
written once: in the factory's signature when the factory has the parameter (``optim.Adam``'s
``lr=1e-3``), else in the Option. An :class:`Entry` is one choice; its ``options`` are the Options
its factory takes (as keyword arguments of the same name) and its ``properties`` what a caller needs
to know about it (``needs_closure``, ``steps_on_metric`` ...)::

    OPTIMIZERS = Registry("optimizer")
    OPTIMIZERS.add("adam", optim.Adam, "Adam (Kingma & Ba)", options=(LR, BETAS, EPS, WEIGHT_DECAY))

    entry = OPTIMIZERS.get("adam")           # unknown names raise, listing the valid ones
    entry.default(LR)                        # 0.001, read from Adam's signature
    entry.arguments({"lr": None, ...})       # {"lr": 0.001, "betas": (0.9, 0.999), ...}
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MISSING", "Entry", "Option", "OptionError", "Registry", "merge_options"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""An Option's default when the factory's signature carries it (or there is none)."""

# what a kind accepts from a config file / Python, and how it is described in messages
_KINDS = {
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "str": "a string",
    "path": "a file path",
    "int_list": "a list of integers",
    "float_list": "a list of numbers",
    "int_or_full": "a positive integer or 'full'",
}


class OptionError(ValueError):
    """A value an Option refuses; the message names the option, what was expected and what came."""


@dataclass(frozen=True)
class Option:
    """One typed, range-checked hyper-parameter.

    ``kind`` is one of ``int``, ``float``, ``bool``, ``str``, ``path``, ``int_list``, ``float_list``
    and ``int_or_full``. ``low``/``high`` bound numbers (and list items), closed unless
    ``low_open``/``high_open``; NaN is outside every range. ``choices`` (a sequence or a Registry)
    restricts strings; ``length`` fixes a list's length. ``panel`` groups the option in ``--help``.
    ``cli=False`` keeps it off the command line (config files only).
    """

    name: str
    kind: str
    help: str
    default: Any = MISSING
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    length: int | None = None
    choices: Any = None
    panel: str = "Training"
    cli: bool = True
    example: str = ""

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"Option {self.name!r}: unknown kind {self.kind!r}; valid: {', '.join(_KINDS)}")

    @property
    def flag(self) -> str:
        """The command-line spelling, ``--weight-decay`` for ``weight_decay``."""
        return "--" + self.name.replace("_", "-")

    # ------------------------------------------------------------------ checks
    def range_text(self) -> str:
        """The valid range in words: ``> 0``, ``in [0, 1)`` ..."""
        lo, hi = self.low, self.high
        if lo is not None and hi is not None:
            return f"in {'(' if self.low_open else '['}{lo:g}, {hi:g}{')' if self.high_open else ']'}"
        if lo is not None:
            return f"{'>' if self.low_open else '>='} {lo:g}"
        if hi is not None:
            return f"{'<' if self.high_open else '<='} {hi:g}"
        return ""

    def in_range(self, x: float) -> bool:
        """Whether number ``x`` is finite and inside the range (NaN and infinities never are)."""
        if isinstance(x, float) and not math.isfinite(x):
            return False
        if self.low is not None and not (x > self.low if self.low_open else x >= self.low):
            return False
        if self.high is not None and not (x < self.high if self.high_open else x <= self.high):
            return False
        return True

    def check(self, value: Any, source: str = "") -> Any:
        """``value`` (as a config file, JSON or Python gives it) checked and normalised; ``None``
        passes (it means "the default"). Raises :class:`OptionError` naming the option."""
        if value is None:
            return None
        where = f"{source}: option {self.name!r}" if source else self.flag
        value = self._typed(value, where)
        self.check_range(value, where)
        return value

    def _typed(self, v: Any, where: str) -> Any:
        k = self.kind
        bad = OptionError(f"{where} must be {_KINDS[k]}, got {v!r}")
        if k in ("int_list", "float_list"):
            num: Any = int if k == "int_list" else (int, float)
            if not isinstance(v, (list, tuple)) or not all(
                isinstance(x, num) and not isinstance(x, bool) for x in v
            ):
                raise bad
            return [float(x) for x in v] if k == "float_list" else [int(x) for x in v]
        if k == "int_or_full":
            if isinstance(v, str) and v != "full":
                try:
                    v = int(v)
                except ValueError:
                    raise bad from None
            if isinstance(v, bool) or not isinstance(v, (int, str)):
                raise bad
            return v
        if k == "bool":
            if not isinstance(v, bool):
                raise bad
            return v
        if k == "int":
            if isinstance(v, bool) or not isinstance(v, int):
                raise bad
            return v
        if k == "float":
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise bad
            return float(v)
        if not isinstance(v, str):
            raise bad
        return v

    def check_range(self, v: Any, where: str | None = None) -> None:
        """Refuse a typed value outside the range, of the wrong length or not among the choices."""
        where = where or self.flag
        if self.choices is not None and isinstance(v, str):
            valid = list(self.choices)
            if v not in valid:
                raise OptionError(f"unknown {self.name} {v!r} ({where}); valid choices: {', '.join(valid)}")
        if isinstance(v, list):
            if self.length is not None and len(v) != self.length:
                raise OptionError(
                    f"{where} must be {self.length} numbers {self.range_text()}"
                    f"{', e.g. ' + self.example if self.example else ''}; got {v}"
                )
            if not v and self.kind == "int_list":
                raise OptionError(f"{where} must not be empty")
            if not all(self.in_range(x) for x in v):
                rng = self.range_text()
                raise OptionError(
                    f"{where} must be a list of finite numbers{' ' + rng if rng else ''}; got {v}"
                )
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            if not self.in_range(v):
                rng = self.range_text()
                raise OptionError(f"{where} must be a finite number{' ' + rng if rng else ''}, got {v!r}")

    def describe(self) -> dict[str, Any]:
        """A JSON-able description (for menus, docs and forms): name, kind, flag, range, help."""
        d: dict[str, Any] = {"name": self.name, "kind": self.kind, "flag": self.flag, "help": self.help}
        if self.default is not MISSING:
            d["default"] = self.default
        for key in ("low", "high", "length"):
            if getattr(self, key) is not None:
                d[key] = getattr(self, key)
        if self.low is not None or self.high is not None:
            d["low_open"], d["high_open"] = self.low_open, self.high_open
        if self.choices is not None:
            d["choices"] = list(self.choices)
        return d

    def parse_text(self, text: str) -> Any:
        """A command-line string as this option's value (comma lists for list kinds)."""
        k = self.kind
        if k in ("int_list", "float_list"):
            conv: Any = int if k == "int_list" else float
            try:
                return [conv(s) for s in text.replace(" ", "").split(",") if s != ""]
            except ValueError:
                what = "integers" if k == "int_list" else "numbers"
                eg = self.example or ("64,32" if k == "int_list" else "0.9,0.999")
                raise OptionError(
                    f"{self.flag} must be a comma list of {what}, e.g. {eg}; got {text!r}"
                ) from None
        if k == "int_or_full":
            return self._typed(text, self.flag)
        return text


@dataclass
class Entry:
    """One named choice of a :class:`Registry`."""

    name: str
    factory: Callable[..., Any]
    help: str
    options: tuple[Option, ...] = ()
    properties: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, key: str) -> Any:
        # properties read as attributes: entry.needs_closure
        props = self.__dict__.get("properties", {})
        if key in props:
            return props[key]
        raise AttributeError(f"{type(self).__name__} {self.__dict__.get('name')!r} has no property {key!r}")

    def default(self, option: Option | str) -> Any:
        """The default of one of this entry's options: the factory's signature, else the Option's."""
        opt = self.option(option) if isinstance(option, str) else option
        try:
            param = inspect.signature(self.factory).parameters.get(opt.name)
        except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
            param = None
        if param is not None and param.default is not inspect.Parameter.empty:
            d = param.default
            return list(d) if isinstance(d, tuple) else d
        return None if opt.default is MISSING else opt.default

    def option(self, name: str) -> Option:
        for o in self.options:
            if o.name == name:
                return o
        raise KeyError(f"{self.name} has no option {name!r}")

    def defaults(self) -> dict[str, Any]:
        """Every option's default, by name."""
        return {o.name: self.default(o) for o in self.options}

    def describe(self) -> dict[str, Any]:
        """A JSON-able description: name, help, options (each with this entry's default) and the
        properties that are plain values."""
        plain = (str, int, float, bool, type(None), list, tuple)
        return {
            "name": self.name,
            "help": self.help,
            "options": [{**o.describe(), "default": _plain(self.default(o))} for o in self.options],
            "properties": {k: _plain(v) for k, v in self.properties.items() if isinstance(v, plain)},
        }

    def arguments(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Keyword arguments for the factory: each option's value from ``values`` (None: its
        default); float lists become tuples (``betas``)."""
        out: dict[str, Any] = {}
        for o in self.options:
            v = values.get(o.name)
            if v is None:
                v = self.default(o)
            out[o.name] = tuple(v) if o.kind == "float_list" and v is not None else v
        return out


class Registry:
    """An ordered table ``name -> Entry`` of one kind of choice (``optimizer``, ``loss`` ...)."""

    def __init__(self, kind: str, description: str = "", error: type[Exception] = OptionError) -> None:
        self.kind = kind
        self.description = description
        self.error = error  # raised for an unknown name (a layer may pass its own user-error class)
        self._entries: dict[str, Entry] = {}

    def add(
        self,
        name: str,
        factory: Callable[..., Any],
        description: str,
        options: Sequence[Option] = (),
        **properties: Any,
    ) -> Entry:
        """Register ``factory`` under ``name``; its options must be keyword parameters of the
        factory (or the factory must take ``**kwargs``)."""
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        _check_factory(self.kind, name, factory, options)
        entry = Entry(name, factory, description, tuple(options), dict(properties))
        self._entries[name] = entry
        return entry

    def register(
        self, name: str, description: str, options: Sequence[Option] = (), **properties: Any
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator form of :meth:`add`."""

        def deco(factory: Callable[..., Any]) -> Callable[..., Any]:
            self.add(name, factory, description, options, **properties)
            return factory

        return deco

    def remove(self, name: str) -> None:
        """Forget an entry (tests register toy entries and take them out again)."""
        self._entries.pop(name, None)

    def get(self, name: str) -> Entry:
        """The entry called ``name``; an unknown name raises, listing the valid ones."""
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            raise self.error(f"unknown {self.kind} {name!r}; valid choices: {', '.join(self)}") from None

    def names(self) -> list[str]:
        return list(self._entries)

    def entries(self) -> list[Entry]:
        return list(self._entries.values())

    def options(self) -> list[Option]:
        """The union of the entries' options, in first-use order."""
        return merge_options(o for e in self._entries.values() for o in e.options)

    def users(self, option: Option) -> list[Entry]:
        """The entries that take ``option``."""
        return [e for e in self._entries.values() if any(o.name == option.name for o in e.options)]

    def describe(self) -> dict[str, Any]:
        """A JSON-able description of the table: kind, help and every entry's :meth:`Entry.describe`."""
        return {
            "kind": self.kind,
            "help": self.description,
            "entries": [e.describe() for e in self.entries()],
        }

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, name: str) -> Entry:
        return self.get(name)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}: {', '.join(self)})"


def merge_options(options: Any) -> list[Option]:
    """Options by name, first occurrence first; two different Options with one name are an error."""
    seen: dict[str, Option] = {}
    for o in options:
        if o.name in seen and seen[o.name] is not o and seen[o.name] != o:
            raise ValueError(f"two different options are called {o.name!r}; share one Option object")
        seen.setdefault(o.name, o)
    return list(seen.values())


def _plain(v: Any) -> Any:
    return list(v) if isinstance(v, tuple) else v


def _check_factory(kind: str, name: str, factory: Callable[..., Any], options: Sequence[Option]) -> None:
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):  # pragma: no cover
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    missing = [o.name for o in options if o.name not in params]
    if missing:
        raise ValueError(f"{kind} {name!r}: the factory takes no parameter(s) {', '.join(missing)}")
