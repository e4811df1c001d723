"""Run configuration: every option of ``mlplab train`` in one dataclass, validated, loadable from
TOML (``--config run.toml``) and saved as ``config.json`` with each run."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import UserError
from .model import ACTIVATIONS, INITS

OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw", "nadam", "lbfgs")
SCHEDULERS = ("none", "step", "multistep", "exponential", "cosine", "plateau", "onecycle")
TASKS = ("classification", "regression")
GRADS = ("backprop", "numerical")


@dataclass
class RunConfig:
    """All choices of a training run; defaults are the notes' network on digits."""

    dataset: str = "digits"
    data: str | None = None
    target: str | None = None
    task: str | None = None
    hidden: list[int] = field(default_factory=lambda: [50])
    activation: str = "tanh"
    init: str = "default"
    init_value: float = 0.1
    loss: str | None = None
    optimizer: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.0
    nesterov: bool = False
    betas: list[float] = field(default_factory=lambda: [0.9, 0.999])
    weight_decay: float | None = None
    alpha: float | None = None
    eps: float | None = None
    scheduler: str = "none"
    step_size: int = 10
    gamma: float = 0.1
    milestones: list[int] = field(default_factory=lambda: [10, 20])
    t_max: int | None = None
    eta_min: float = 0.0
    factor: float = 0.1
    plateau_patience: int = 5
    max_lr: float | None = None
    batch_size: int | str = 32
    epochs: int = 30
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0
    batchnorm: bool = False
    early_stopping: int | None = None
    grad: str = "backprop"
    seed: int = 0
    test_size: float = 0.2
    val_size: float = 0.1
    histograms: bool = True

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any], source: str = "config") -> RunConfig:
        unknown = sorted(set(d) - set(cls.names()))
        if unknown:
            raise UserError(
                f"{source}: unknown option(s) {', '.join(unknown)}; valid: {', '.join(cls.names())}"
            )
        cfg = cls(**{k: _coerce(k, v, source) for k, v in d.items()})
        cfg.validate()
        return cfg

    def merged(self, overrides: dict[str, Any], source: str = "option") -> RunConfig:
        d = self.to_dict()
        d.update({k: _coerce(k, v, source) for k, v in overrides.items() if v is not None})
        return RunConfig.from_dict(d, source=source)

    def validate(self) -> None:
        """Refuse impossible values with a message naming the option, the value and what is valid."""

        def choice(name: str, value: Any, valid: Any) -> None:
            if value not in valid:
                raise UserError(f"unknown {name} {value!r}; valid choices: {', '.join(valid)}")

        choice("activation", self.activation, list(ACTIVATIONS))
        choice("init", self.init, INITS)
        choice("optimizer", self.optimizer, OPTIMIZERS)
        choice("scheduler", self.scheduler, SCHEDULERS)
        choice("gradient mode", self.grad, GRADS)
        if self.task is not None:
            choice("task", self.task, TASKS)
        if not self.lr > 0:
            raise UserError(f"--lr must be > 0, got {self.lr}")
        if not 0.0 <= self.dropout < 1.0:
            raise UserError(f"--dropout must be in [0, 1), got {self.dropout}")
        if self.epochs < 1:
            raise UserError(f"--epochs must be >= 1, got {self.epochs}")
        if isinstance(self.batch_size, str):
            if self.batch_size != "full":
                try:
                    self.batch_size = int(self.batch_size)
                except ValueError:
                    raise UserError(
                        f"--batch-size must be a positive integer or 'full', got {self.batch_size!r}"
                    ) from None
        if isinstance(self.batch_size, int) and self.batch_size < 1:
            raise UserError(f"--batch-size must be a positive integer or 'full', got {self.batch_size}")
        if not self.hidden or any(int(h) < 1 for h in self.hidden):
            raise UserError(f"--hidden must be a comma list of positive sizes, got {self.hidden}")
        for name in ("momentum", "l1", "l2"):
            if getattr(self, name) < 0:
                raise UserError(f"--{name.replace('_', '-')} must be >= 0, got {getattr(self, name)}")
        if self.weight_decay is not None and self.weight_decay < 0:
            raise UserError(f"--weight-decay must be >= 0, got {self.weight_decay}")
        if self.eps is not None and self.eps < 0:
            raise UserError(f"--eps must be >= 0, got {self.eps}")
        if len(self.betas) != 2 or not all(0.0 <= b < 1.0 for b in self.betas):
            raise UserError(f"--betas must be two numbers in [0, 1), e.g. 0.9,0.999; got {self.betas}")
        if self.alpha is not None and not 0.0 <= self.alpha < 1.0:
            raise UserError(f"--alpha must be in [0, 1), got {self.alpha}")
        if not 0.0 < self.test_size < 1.0:
            raise UserError(f"--test-size must be in (0, 1), got {self.test_size}")
        if not 0.0 <= self.val_size < 1.0:
            raise UserError(f"--val-size must be in [0, 1), got {self.val_size}")
        if self.early_stopping is not None and self.early_stopping < 1:
            raise UserError(f"--early-stopping must be >= 1 epochs, got {self.early_stopping}")
        if self.gamma <= 0 or self.factor <= 0 or self.factor >= 1:
            raise UserError(
                f"--gamma must be > 0 and --factor in (0, 1); got gamma={self.gamma}, factor={self.factor}"
            )
        if self.step_size < 1:
            raise UserError(f"--step-size must be >= 1, got {self.step_size}")
        if self.data is not None and self.target is None:
            raise UserError("--data needs --target COLUMN (the name of the label column)")


_KINDS: dict[str, str] = {
    "hidden": "int_list",
    "betas": "float_list",
    "milestones": "int_list",
    "batch_size": "batch",
}


def _coerce(name: str, v: Any, source: str) -> Any:
    """Check one option's type (as TOML/JSON/the CLI give it); ints become floats where floats are due."""
    if v is None:
        return None
    kind = _KINDS.get(name)
    ann = str(RunConfig.__dataclass_fields__[name].type)
    what = f"{source}: option {name!r}"
    if kind in ("int_list", "float_list"):
        num: Any = int if kind == "int_list" else (int, float)
        if not isinstance(v, (list, tuple)) or not all(
            isinstance(x, num) and not isinstance(x, bool) for x in v
        ):
            raise UserError(
                f"{what} must be a list of {'integers' if kind == 'int_list' else 'numbers'}, got {v!r}"
            )
        return [float(x) for x in v] if kind == "float_list" else list(v)
    if kind == "batch":
        if isinstance(v, bool) or not isinstance(v, (int, str)):
            raise UserError(f"{what} must be a positive integer or 'full', got {v!r}")
        return v
    if ann.startswith("bool"):
        if not isinstance(v, bool):
            raise UserError(f"{what} must be true or false, got {v!r}")
    elif ann.startswith("int"):
        if isinstance(v, bool) or not isinstance(v, int):
            raise UserError(f"{what} must be an integer, got {v!r}")
    elif ann.startswith("float"):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise UserError(f"{what} must be a number, got {v!r}")
        return float(v)
    elif ann.startswith("str") and not isinstance(v, str):
        raise UserError(f"{what} must be a string, got {v!r}")
    return v


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
    d = {"config": cfg.to_dict(), **(extra or {})}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(d, indent=2))
    tmp.replace(path)
