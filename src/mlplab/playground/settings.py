"""The playground's settings: what the page may choose, checked once, and the menus it shows.

A page sends a flat dict of ``mlplab train`` option names (``dataset``, ``hidden``, ``optimizer``,
``lr`` ...). :func:`check_settings` fills in the playground's defaults, checks every value through
the same Options ``mlplab train`` uses (so the messages are the command line's), adds the
playground's own limits (layer count and width, sample count) and returns a
:class:`~mlplab.train.config.RunConfig`. The validation split is always 0: the page shows train and
test, and an exported command reproduces exactly that split.

:func:`describe` gives the page its menus, read from the registries: an optimiser, scheduler,
activation, initialiser or loss registered later appears without a change here.
"""

from __future__ import annotations

from typing import Any

from ..errors import UserError
from ..train import ACTIVATIONS, DATASETS, INITIALIZERS, OPTIMIZERS, SCHEDULERS
from ..train.config import RunConfig, option
from ..train.losses import CLASSIFICATION_LOSSES, LOSSES

_FIRST = ("circles", "xor", "gaussians", "spiral", "moons")


def dataset_names() -> tuple[str, ...]:
    """The data sets the page offers: the 2-D generators (``synthetic`` in the DATASETS table; the
    decision boundary is drawn for them), the issue's five first, then digits."""
    synthetic = [n for n in DATASETS.names() if DATASETS.get(n).properties.get("synthetic")]
    return (*[n for n in _FIRST if n in synthetic], *[n for n in synthetic if n not in _FIRST], "digits")


MAX_LAYERS = 6
MAX_WIDTH = 128
MAX_SAMPLES = 5000
MIN_SAMPLES = 20
MAX_EPOCHS = 100_000

DEFAULTS: dict[str, Any] = {
    "dataset": "spiral",
    "n_samples": 500,
    "test_size": 0.3,
    "hidden": [8, 8],
    "activation": "relu",
    "init": "default",
    "batchnorm": False,
    "dropout": 0.0,
    "loss": "cross_entropy",
    "optimizer": "adam",
    "lr": 0.01,
    "batch_size": 16,
    "scheduler": "none",
    "epochs": 300,
    "l1": 0.0,
    "l2": 0.0,
    "seed": 0,
}
"""What the page starts with (values not listed are the chosen entry's own defaults)."""

FIXED: dict[str, Any] = {"val_size": 0.0, "grad": "backprop", "histograms": False}
NOT_SETTABLE = ("data", "target", "task", "early_stopping", *FIXED)

# the options the page shows beside the registries' own (in this order)
RUN_FIELDS = ("n_samples", "noise", "test_size", "batch_size", "epochs", "l1", "l2", "dropout", "seed")


def check_settings(settings: Any) -> RunConfig:
    """The page's ``settings`` (a dict) as a checked RunConfig; a UserError names what is wrong."""
    if not isinstance(settings, dict):
        raise UserError(f"settings must be an object of options and values, got {type(settings).__name__}")
    fixed = sorted(k for k in settings if k in NOT_SETTABLE)
    if fixed:
        raise UserError(f"the playground sets {', '.join(fixed)} itself; leave that out of the settings")
    d = {**DEFAULTS, **settings, **FIXED}
    if d["dataset"] not in dataset_names():
        offered = ", ".join(dataset_names())
        raise UserError(f"unknown dataset {d['dataset']!r}; the playground offers: {offered}")
    cfg = RunConfig.from_dict(d, source="settings")
    _check_limits(cfg)
    return cfg


def _check_limits(cfg: RunConfig) -> None:
    if len(cfg.hidden) > MAX_LAYERS:
        raise UserError(f"at most {MAX_LAYERS} hidden layers in the playground, got {len(cfg.hidden)}")
    wide = [h for h in cfg.hidden if h > MAX_WIDTH]
    if wide:
        raise UserError(f"a hidden layer has at most {MAX_WIDTH} units in the playground, got {wide[0]}")
    entry = DATASETS.get(cfg.dataset)
    if any(o.name == "n_samples" for o in entry.options):
        n = cfg.n_samples if cfg.n_samples is not None else entry.default("n_samples")
        if not MIN_SAMPLES <= n <= MAX_SAMPLES:
            raise UserError(f"samples must be in [{MIN_SAMPLES}, {MAX_SAMPLES}] in the playground, got {n}")
    if cfg.epochs > MAX_EPOCHS:
        raise UserError(f"epochs must be at most {MAX_EPOCHS} in the playground, got {cfg.epochs}")
    if cfg.loss not in CLASSIFICATION_LOSSES:
        raise UserError(f"unknown loss {cfg.loss!r}; valid choices: {', '.join(CLASSIFICATION_LOSSES)}")


def _plain(v: Any) -> Any:
    return list(v) if isinstance(v, tuple) else v


def describe() -> dict[str, Any]:
    """Everything the page's menus need, from the registries: entries with their options and
    defaults, the playground's defaults and limits."""
    datasets = []
    for name in dataset_names():
        e = DATASETS.get(name)
        datasets.append({**e.describe(), "two_d": bool(e.properties.get("synthetic"))})
    losses = [e.describe() for e in LOSSES.entries() if e.name in CLASSIFICATION_LOSSES]
    return {
        "datasets": datasets,
        "optimizers": OPTIMIZERS.describe()["entries"],
        "schedulers": SCHEDULERS.describe()["entries"],
        "activations": ACTIVATIONS.describe()["entries"],
        "inits": INITIALIZERS.describe()["entries"],
        "losses": losses,
        "fields": [{**option(n).describe(), "default": _plain(DEFAULTS.get(n))} for n in RUN_FIELDS],
        "defaults": DEFAULTS,
        "limits": {
            "layers": MAX_LAYERS,
            "width": MAX_WIDTH,
            "samples": [MIN_SAMPLES, MAX_SAMPLES],
            "epochs": MAX_EPOCHS,
        },
    }
