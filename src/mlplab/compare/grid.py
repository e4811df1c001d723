"""A grid of runs: axes of option values, their Cartesian product, ``[[include]]``/``[[exclude]]``
entries, seeds, and a readable name for every configuration and run.

On the command line every option of ``mlplab train`` may hold several values: a comma list
(``--optimizer sgd,adam --lr 0.1,0.01``), or for the options whose one value is itself a comma list
(``--hidden``, ``--betas``, ``--milestones``) a semicolon list (``--hidden '50;64,32'``). A grid
file (``--grid grid.toml``) holds the same axes as TOML values (a list of values is an axis; for a
list option, a list of lists), ``seeds = N``, and tables::

    optimizer = ["sgd", "adam"]
    lr = [0.1, 0.01]
    epochs = 10
    seeds = 3

    [[exclude]]            # drop every product configuration that matches all of these
    optimizer = "adam"
    lr = 0.1

    [[include]]            # add configurations (a small grid of their own over the fixed options)
    optimizer = "momentum"
    lr = [0.1, 0.3]

Every value is checked by its Option before anything runs; a configuration whose options do not
go together (``--grad numerical`` with ``--dropout 0.5``) fails alone, when its runs start.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..registry import OptionError
from ..train.config import RunConfig, option

MAX_RUNS = 10_000
"""A grid with more runs than this needs ``--yes``."""

_LIST_KINDS = ("int_list", "float_list")


@dataclass(frozen=True)
class PlannedRun:
    """One configuration x seed: its readable name, its configuration's label and its options."""

    name: str
    config: str
    seed: int
    options: dict[str, Any] = field(hash=False)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "config": self.config, "seed": self.seed, "options": self.options}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PlannedRun:
        return cls(str(d["name"]), str(d["config"]), int(d["seed"]), dict(d["options"]))


# ------------------------------------------------------------------ values


def _scalar(name: str, value: Any, where: str) -> Any:
    """One value of option ``name`` (text from the command line, or a TOML value), checked."""
    try:
        o = option(name)
    except KeyError:
        raise UserError(f"{where}: unknown option {name!r}; valid: {', '.join(RunConfig.names())}") from None
    try:
        if isinstance(value, str):
            value = _from_text(o, value.strip())
        return o.check(value, "" if where == "command line" else where)
    except OptionError as e:
        raise UserError(str(e)) from None


def _from_text(o: Any, text: str) -> Any:
    if o.kind == "int":
        try:
            return int(text)
        except ValueError:
            raise OptionError(f"{o.flag} must be an integer, got {text!r}") from None
    if o.kind == "float":
        try:
            return float(text)
        except ValueError:
            raise OptionError(f"{o.flag} must be a number, got {text!r}") from None
    if o.kind == "bool":
        if text.lower() not in ("true", "false"):
            raise OptionError(f"{o.flag} must be true or false, got {text!r}")
        return text.lower() == "true"
    return o.parse_text(text) if o.kind != "str" and o.kind != "path" else text


def axis_from_text(name: str, text: str) -> list[Any]:
    """The values of one command-line option: ``0.1,0.01``; for list options ``50;64,32``."""
    sep = ";" if option(name).kind in _LIST_KINDS else ","
    parts = [p.strip() for p in str(text).split(sep)]
    if not any(parts) or (len(parts) > 1 and not all(parts)):
        flag = option(name).flag
        raise UserError(f"{flag} {text!r}: an empty value in the list; expected values separated by {sep!r}")
    return _unique([_scalar(name, p, "command line") for p in parts], name)


def axis_from_toml(name: str, value: Any, where: str) -> list[Any]:
    """The values of one grid-file key: a value, or a list of them (a list of lists for list options)."""
    try:
        kind = option(name).kind
    except KeyError:
        raise UserError(f"{where}: unknown option {name!r}; valid: {', '.join(RunConfig.names())}") from None
    many = isinstance(value, list) and (
        kind not in _LIST_KINDS or (bool(value) and all(isinstance(v, list) for v in value))
    )
    values = value if many else [value]
    if not values:
        raise UserError(f"{where}: option {name!r} is an empty list; expected at least one value")
    return _unique([_scalar(name, v, where) for v in values], name)


def _unique(values: list[Any], name: str) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


# ------------------------------------------------------------------ the grid


@dataclass
class Grid:
    """Axes (option -> values), extra and excluded configurations, and the seeds."""

    axes: dict[str, list[Any]] = field(default_factory=dict)
    include: list[dict[str, list[Any]]] = field(default_factory=list)
    exclude: list[dict[str, Any]] = field(default_factory=list)
    seeds: list[int] = field(default_factory=lambda: [0])

    @classmethod
    def from_toml(cls, path: str | Path) -> tuple[Grid, int | None]:
        """The grid of a TOML file and its ``seeds = N`` (None when absent)."""
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib
        p = Path(path)
        if not p.is_file():
            raise UserError(f"grid file {p} does not exist")
        try:
            d = tomllib.loads(p.read_text())
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise UserError(f"grid file {p}: invalid TOML ({e})") from None
        where = f"grid file {p}"
        grid = cls()
        seeds = d.pop("seeds", None)
        if seeds is not None and (isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1):
            raise UserError(f"{where}: 'seeds' must be a positive integer, got {seeds!r}")
        for key in ("include", "exclude"):
            tables = d.pop(key, [])
            if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
                raise UserError(f"{where}: expected [[{key}]] tables, got {key} = {tables!r:.60}")
            for i, t in enumerate(tables, 1):
                entry = {k.replace("-", "_"): v for k, v in t.items()}
                if not entry:
                    raise UserError(f"{where}: [[{key}]] number {i} is empty; expected option = value")
                w = f"{where} [[{key}]] {i}"
                axes = {k: axis_from_toml(k, v, w) for k, v in entry.items()}
                if key == "include":
                    grid.include.append(axes)
                else:
                    if any(len(v) != 1 for v in axes.values()):
                        raise UserError(f"{w}: an exclude entry takes one value per option, not a list")
                    grid.exclude.append({k: v[0] for k, v in axes.items()})
        for k, v in d.items():
            name = k.replace("-", "_")
            grid.axes[name] = axis_from_toml(name, v, where)
        return grid, seeds

    def set_axis(self, name: str, values: list[Any]) -> None:
        """Set (or replace) one axis; the command line overrides the grid file this way."""
        self.axes[name] = values

    def set_seeds(self, n: int | None) -> None:
        """Seeds from the ``seed`` axis, or ``--seeds N`` counted up from ``--seed`` (default 0)."""
        first = self.axes.pop("seed", [0])
        for entry in self.include:
            if "seed" in entry:
                raise UserError(
                    "[[include]] entries cannot set 'seed'; the seeds apply to every configuration"
                )
        if n is None:
            self.seeds = list(first)
            return
        if n < 1:
            raise UserError(f"--seeds must be >= 1, got {n}")
        if len(first) > 1:
            raise UserError(f"give either a list of seeds ({first}) or --seeds {n}, not both")
        self.seeds = [first[0] + i for i in range(n)]

    def configurations(self) -> list[dict[str, Any]]:
        """The product of the axes less the excluded ones, then the included ones; duplicates once."""
        names = list(self.axes)
        product = [dict(zip(names, combo)) for combo in itertools.product(*self.axes.values())]
        product = [c for c in product if not any(_matches(c, ex) for ex in self.exclude)]
        fixed = {k: v[0] for k, v in self.axes.items() if len(v) == 1}
        extra = []
        for entry in self.include:
            keys = list(entry)
            for combo in itertools.product(*entry.values()):
                extra.append({**fixed, **dict(zip(keys, combo))})
        out: dict[str, dict[str, Any]] = {}
        for c in product + extra:
            out.setdefault(json.dumps(c, sort_keys=True), c)
        return list(out.values())

    def plan(self, yes: bool = False) -> list[PlannedRun]:
        """Every configuration x seed as a :class:`PlannedRun`; refuses an empty or a huge grid."""
        configs = self.configurations()
        n = len(configs) * len(self.seeds)
        if n == 0:
            raise UserError("the grid is empty: every configuration was excluded")
        if n > MAX_RUNS and not yes:
            raise UserError(
                f"the grid has {n:,} runs ({len(configs):,} configurations x {len(self.seeds)} seeds), "
                f"more than {MAX_RUNS:,}; pass --yes to run it anyway"
            )
        varied = varied_options(configs)
        runs, labels = [], set()
        for c in configs:
            label = config_label(c, varied)
            if label in labels:
                raise UserError(f"two configurations of the grid are both named {label!r}")
            labels.add(label)
            for s in self.seeds:
                name = f"{label},seed={s}" if label != "default" else f"seed={s}"
                runs.append(PlannedRun(name, label, s, {**c, "seed": s}))
        return runs


def _matches(config: dict[str, Any], exclude: dict[str, Any]) -> bool:
    return all(k in config and config[k] == v for k, v in exclude.items())


def varied_options(configs: list[dict[str, Any]]) -> list[str]:
    """The options whose value differs between configurations (absent counts as a value)."""
    keys: list[str] = []
    for c in configs:
        keys += [k for k in c if k not in keys]
    return [k for k in keys if len({_text(c.get(k, "\0")) for c in configs}) > 1]


def config_label(config: dict[str, Any], varied: list[str]) -> str:
    """``optimizer=adam,lr=0.01``: the varied options this configuration sets (``default`` if none)."""
    parts = [f"{k}={_text(config[k])}" for k in varied if k in config]
    return ",".join(parts) or "default"


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        return "-".join(_text(x) for x in v)
    return str(v).replace("/", "_").replace("\\", "_")
