"""Run configuration: every option of ``mlplab train``, generated from the option tables.

The options are :data:`RUN_OPTIONS` (data, model, training) and, after each choice among a
registry's entries (``optimizer``, ``scheduler``, ``init``, ``dataset`` ...), the Options of that
registry's entries. The command line, ``--config run.toml`` and a run's ``config.json`` all pass
through :meth:`RunConfig.from_dict`, where each value is checked once by its Option. A value of
``None`` means "the chosen entry's default"; :meth:`RunConfig.resolved` fills those in from the
entries (their factories' signatures), and the run saves the resolved values in ``config.json``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..datasets.builtin import DATASETS
from ..errors import UserError
from ..registry import MISSING, Option, OptionError, Registry
from .activations import ACTIVATIONS
from .files import atomic_write
from .initializers import INITIALIZERS
from .losses import LOSSES
from .optimizers import OPTIMIZERS
from .schedulers import SCHEDULERS

TASKS = ("classification", "regression")
GRADS = ("backprop", "numerical")

_DATA, _MODEL, _TRAIN = "Data", "Model", "Training"

# the options that are not a registry entry's; a registry's options follow its choice option
RUN_OPTIONS: tuple[Option, ...] = (
    Option("dataset", "str", "built-in data set", default="digits", choices=DATASETS, panel=_DATA),
    Option("data", "path", "CSV file with a header row (use with --target)", panel=_DATA),
    Option("target", "str", "label column of --data", panel=_DATA),
    Option("task", "str", "inferred when omitted", choices=TASKS, panel=_DATA),
    Option(
        "test_size",
        "float",
        "test fraction (stratified)",
        default=0.2,
        low=0,
        high=1,
        low_open=True,
        high_open=True,
        panel=_DATA,
    ),
    Option(
        "val_size",
        "float",
        "validation fraction of the training part",
        default=0.1,
        low=0,
        high=1,
        high_open=True,
        panel=_DATA,
    ),
    Option(
        "hidden",
        "int_list",
        "hidden layer sizes, comma list",
        default=[50],
        low=1,
        example="64,32",
        panel=_MODEL,
    ),
    Option(
        "activation",
        "str",
        "the hidden layers' nonlinearity",
        default="tanh",
        choices=ACTIVATIONS,
        panel=_MODEL,
    ),
    Option("init", "str", "weight initialisation", default="default", choices=INITIALIZERS, panel=_MODEL),
    Option("batchnorm", "bool", "BatchNorm1d before each hidden activation", default=False, panel=_MODEL),
    Option(
        "dropout",
        "float",
        "dropout probability after each hidden activation",
        default=0.0,
        low=0,
        high=1,
        high_open=True,
        panel=_MODEL,
    ),
    Option(
        "loss",
        "str",
        "what training minimises (when omitted: cross_entropy; mse for regression)",
        choices=LOSSES,
        panel="Loss",
    ),
    Option("optimizer", "str", "optimiser", default="adam", choices=OPTIMIZERS, panel="Optimiser"),
    Option(
        "scheduler",
        "str",
        "learning-rate schedule",
        default="none",
        choices=SCHEDULERS,
        panel="Learning-rate schedule",
    ),
    Option(
        "batch_size",
        "int_or_full",
        "mini-batch size, or 'full' for batch gradient descent",
        default=32,
        low=1,
        panel=_TRAIN,
    ),
    Option("epochs", "int", "epochs", default=30, low=1, panel=_TRAIN),
    Option("l1", "float", "L1 penalty lambda * sum|w|", default=0.0, low=0, panel=_TRAIN),
    Option("l2", "float", "L2 penalty lambda * sum w^2", default=0.0, low=0, panel=_TRAIN),
    Option(
        "early_stopping", "int", "stop after N epochs without validation improvement", low=1, panel=_TRAIN
    ),
    Option(
        "grad",
        "str",
        "backprop, or numerical (central differences)",
        default="backprop",
        choices=GRADS,
        panel=_TRAIN,
    ),
    Option("seed", "int", "random seed", default=0, panel=_TRAIN),
    Option(
        "threads",
        "int",
        "BLAS threads for the matrix products (one is fastest for small nets on a busy machine)",
        default=1,
        low=1,
        panel=_TRAIN,
    ),
    Option("histograms", "bool", "weight/gradient histograms in TensorBoard", default=True, cli=False),
)

# the option that picks an entry of each registry
CHOICES: dict[str, Registry] = {o.name: o.choices for o in RUN_OPTIONS if isinstance(o.choices, Registry)}


def all_options() -> list[Option]:
    """Every option of a run, each registry's options right after its choice option."""
    out: dict[str, Option] = {}
    for o in RUN_OPTIONS:
        out.setdefault(o.name, o)
        if o.name in CHOICES:
            for extra in CHOICES[o.name].options():
                if extra.name in out and out[extra.name] != extra:
                    raise ValueError(f"option {extra.name!r} is declared twice, differently")
                out.setdefault(extra.name, extra)
    return list(out.values())


def option(name: str) -> Option:
    """The Option called ``name``."""
    for o in all_options():
        if o.name == name:
            return o
    raise KeyError(name)


class RunConfig:
    """All choices of a training run; defaults are the notes' network on digits.

    Read options as attributes (``cfg.lr``); build one with :meth:`from_dict` (checked) or
    :meth:`merged`.
    """

    def __init__(self, **values: Any) -> None:
        d = {o.name: (None if o.default is MISSING else _copy(o.default)) for o in all_options()}
        unknown = sorted(set(values) - set(d))
        if unknown:
            raise UserError(f"unknown option(s) {', '.join(unknown)}")
        d.update(values)
        object.__setattr__(self, "_values", d)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(f"RunConfig has no option {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._values:
            raise AttributeError(f"RunConfig has no option {name!r}")
        self._values[name] = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RunConfig) and self._values == other._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __repr__(self) -> str:
        return "RunConfig(" + ", ".join(f"{k}={v!r}" for k, v in self._values.items() if v is not None) + ")"

    @classmethod
    def names(cls) -> list[str]:
        return [o.name for o in all_options()]

    def to_dict(self) -> dict[str, Any]:
        return {k: _copy(v) for k, v in self._values.items()}

    @classmethod
    def from_dict(cls, d: dict[str, Any], source: str = "") -> RunConfig:
        """A checked config from ``d`` (missing names take their defaults). ``source`` names where
        the values came from in messages (``config file run.toml``); empty for the command line."""
        known = {o.name: o for o in all_options()}
        unknown = sorted(set(d) - set(known))
        if unknown:
            raise UserError(
                f"{source or 'options'}: unknown option(s) {', '.join(unknown)}; valid: {', '.join(known)}"
            )
        try:
            values = {k: known[k].check(v, source) for k, v in d.items()}
        except OptionError as e:
            raise UserError(str(e)) from None
        # None means "the default": it must not replace an option's own default with nothing
        cfg = cls(**{k: v for k, v in values.items() if v is not None or known[k].default is MISSING})
        cfg.validate()
        return cfg

    def merged(self, overrides: dict[str, Any], source: str = "") -> RunConfig:
        """This config with the non-None ``overrides`` applied (and checked)."""
        d = self.to_dict()
        d.update({k: v for k, v in overrides.items() if v is not None})
        return RunConfig.from_dict(d, source=source)

    def validate(self) -> None:
        """What no single option can check: combinations of options."""
        if self.data is not None and self.target is None:
            raise UserError("--data needs --target COLUMN (the name of the label column)")

    def entries(self) -> dict[str, Any]:
        """The chosen entry of each registry (the data set only when it is a built-in one)."""
        out = {}
        for name, table in CHOICES.items():
            value = self._values.get(name)
            if value is not None and not (name == "dataset" and self.data is not None):
                out[name] = table.get(value)
        return out

    def resolved(self) -> RunConfig:
        """A copy whose unset options of the chosen entries hold those entries' defaults."""
        d = self.to_dict()
        for entry in self.entries().values():
            for o in entry.options:
                if d.get(o.name) is None:
                    d[o.name] = entry.default(o)
        return RunConfig(**d)


def _copy(v: Any) -> Any:
    return list(v) if isinstance(v, (list, tuple)) else v


def load_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file of options (a top-level table or ``[train]``), names as in the CLI
    with dashes or underscores."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    p = Path(path)
    if not p.is_file():
        raise UserError(f"config file {p} does not exist")
    try:
        d = tomllib.loads(p.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise UserError(f"config file {p}: invalid TOML ({e})") from None
    if "train" in d and isinstance(d["train"], dict):
        d = d["train"]
    out = {k.replace("-", "_"): v for k, v in d.items()}
    unknown = sorted(set(out) - set(RunConfig.names()))
    if unknown:
        raise UserError(f"config file {p}: unknown option(s) {', '.join(unknown)}")
    return out


def save_json(cfg: RunConfig, path: Path, extra: dict[str, Any] | None = None) -> None:
    """Write ``config.json``: the options under ``"config"`` and the run's facts beside them."""
    d = {"config": cfg.to_dict(), **(extra or {})}
    atomic_write(path, json.dumps(d, indent=2))
