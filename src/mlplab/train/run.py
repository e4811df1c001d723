"""A whole training run, as ``mlplab train`` does it: data, model, optimiser, scheduler, the loop
with its callbacks, checkpoints every epoch, resume, and the final reports in ``runs/NAME/``.

Run directory layout::

    config.json        resolved options + data facts (features, classes, scaler)
    history.csv/.json  one row per epoch
    curves.png         loss and accuracy (R^2) vs epoch, train and validation
    confusion.png      (classification) test confusion matrix; pred_vs_true.png for regression
    report.txt         scikit-learn classification report / regression metrics, on the test split
    metrics.json       test metrics
    model.npz          final weights (best epoch when early stopping restored them)
    tb/                TensorBoard events
    checkpoints/       epoch_NNN.npz (model, optimiser, scheduler, RNG states, history) and best.npz
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import optim
from ..errors import UserError
from ..random import Generator, default_generator, manual_seed
from ..serialization import load, save
from ..tensor import Tensor
from ..utils.data import DataLoader, TensorDataset
from .callbacks import Checkpoint, EarlyStopping, History, ProgressBar, TensorBoard, write_history
from .config import RunConfig, save_json
from .loop import Trainer, TrainState, predict_outputs, score
from .losses import LossSpec
from .metrics import regression_metrics
from .model import build_mlp
from .report import classification_text, plot_confusion, plot_curves, plot_pred_vs_true

_CKPT = re.compile(r"epoch_(\d+)\.npz$")


# ---------------------------------------------------------------------------- data
@dataclass
class RunData:
    """Arrays of the three splits plus what predict needs to treat new data the same way.

    Regression targets are standardised with the training targets' mean/std for training (so the
    default lr suits any unit); metrics and plots convert predictions back to the original units.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    task: str
    n_classes: int
    class_names: list[str]
    feature_names: list[str]
    meta: dict[str, Any]
    target_scaler: Any = None

    def to_original(self, y: np.ndarray) -> np.ndarray:
        """Regression values back in the data's units (identity for classification)."""
        if self.target_scaler is None:
            return y
        z = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        return self.target_scaler.inverse_transform(z).reshape(len(y), -1)


def load_data(cfg: RunConfig) -> RunData:
    """Load the configured dataset (built-in or CSV) and split/standardise it."""
    from .. import datasets

    name = cfg.data if cfg.data is not None else cfg.dataset
    sp = datasets.load(
        name, target=cfg.target, task=cfg.task, seed=cfg.seed, test_size=cfg.test_size, val_size=cfg.val_size
    )
    ys = [sp.y_train, sp.y_val, sp.y_test]
    tsc = None
    if sp.task == "regression":
        tsc = sp.target_scaler or datasets.Standardizer.fit(sp.y_train.reshape(len(sp.y_train), -1))
        ys = [tsc.transform(y.reshape(len(y), -1)) if len(y) else y.astype(np.float32) for y in ys]
    return RunData(
        x_train=sp.X_train,
        y_train=ys[0],
        x_val=sp.X_val,
        y_val=ys[1],
        x_test=sp.X_test,
        y_test=ys[2],
        task=sp.task,
        n_classes=sp.n_classes or 0,
        class_names=[str(c) for c in (sp.class_names or [])],
        feature_names=list(sp.feature_names),
        meta=sp.meta(),
        target_scaler=tsc,
    )


# ---------------------------------------------------------------------------- factories
def make_optimizer(cfg: RunConfig, params: Any) -> Any:
    """The optimiser named in ``cfg`` with the options that apply to it (others keep defaults)."""
    o = cfg.optimizer
    kw: dict[str, Any] = {"lr": cfg.lr}
    if cfg.weight_decay is not None and o != "lbfgs":
        kw["weight_decay"] = cfg.weight_decay
    if cfg.eps is not None and o in ("adagrad", "rmsprop", "adam", "adamw", "nadam"):
        kw["eps"] = cfg.eps
    if o == "sgd":
        return optim.SGD(params, momentum=cfg.momentum, nesterov=cfg.nesterov, **kw)
    if o == "momentum":
        kw.pop("weight_decay", None)
        return optim.Momentum(params, alpha=0.9 if cfg.alpha is None else cfg.alpha, **kw)
    if o == "adagrad":
        return optim.Adagrad(params, **kw)
    if o == "rmsprop":
        return optim.RMSprop(
            params, alpha=0.99 if cfg.alpha is None else cfg.alpha, momentum=cfg.momentum, **kw
        )
    if o in ("adam", "adamw", "nadam"):
        cls = {"adam": optim.Adam, "adamw": optim.AdamW, "nadam": optim.NAdam}[o]
        return cls(params, betas=tuple(cfg.betas), **kw)
    if o == "lbfgs":
        return optim.LBFGS(params, lr=cfg.lr)
    raise UserError(f"unknown optimizer {o!r}")


def make_scheduler(cfg: RunConfig, opt: Any, steps_per_epoch: int) -> tuple[Any, str]:
    """The scheduler and whether it steps per ``epoch`` or per ``batch`` (OneCycleLR)."""
    s = cfg.scheduler
    sch = optim.lr_scheduler
    if s == "none":
        return None, "epoch"
    if s == "step":
        return sch.StepLR(opt, step_size=cfg.step_size, gamma=cfg.gamma), "epoch"
    if s == "multistep":
        return sch.MultiStepLR(opt, milestones=list(cfg.milestones), gamma=cfg.gamma), "epoch"
    if s == "exponential":
        return sch.ExponentialLR(opt, gamma=cfg.gamma), "epoch"
    if s == "cosine":
        return sch.CosineAnnealingLR(opt, T_max=cfg.t_max or cfg.epochs, eta_min=cfg.eta_min), "epoch"
    if s == "plateau":
        return sch.ReduceLROnPlateau(opt, factor=cfg.factor, patience=cfg.plateau_patience), "epoch"
    if s == "onecycle":
        return (
            sch.OneCycleLR(
                opt, max_lr=cfg.max_lr or cfg.lr, epochs=cfg.epochs, steps_per_epoch=steps_per_epoch
            ),
            "batch",
        )
    raise UserError(f"unknown scheduler {s!r}")


def _serialisable(obj: Any) -> Any:
    """Drop what cannot go into a checkpoint (callables such as a LambdaLR's lambda)."""
    if isinstance(obj, dict):
        return {k: _serialisable(v) for k, v in obj.items() if not callable(v) or isinstance(v, Tensor)}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_serialisable(v) for v in obj)
    return obj


# ---------------------------------------------------------------------------- the run
class Run:
    """One run directory: builds everything from a config, trains, checkpoints, reports."""

    def __init__(self, cfg: RunConfig, run_dir: Path, *, quiet: bool = False, stream: Any = None) -> None:
        self.cfg = cfg
        self.dir = Path(run_dir)
        self.quiet = quiet
        self.stream = stream
        manual_seed(cfg.seed)
        self.data = load_data(cfg)
        d = self.data
        loss_name = cfg.loss or ("cross_entropy" if d.task == "classification" else "mse")
        n_targets = 1 if d.y_train.ndim == 1 else d.y_train.shape[1]
        self.spec = LossSpec(loss_name, d.task, d.n_classes, n_targets)
        self.model = build_mlp(
            d.x_train.shape[1],
            cfg.hidden,
            self.spec.out_features(),
            activation=cfg.activation,
            init=cfg.init,
            batchnorm=cfg.batchnorm,
            dropout=cfg.dropout,
            init_value=cfg.init_value,
        )
        self.optimizer = make_optimizer(cfg, self.model.parameters())
        n = len(d.x_train)
        bs = n if cfg.batch_size == "full" else min(int(cfg.batch_size), n)
        self.loader_gen = Generator().manual_seed(cfg.seed)
        x = Tensor._make(np.ascontiguousarray(d.x_train, dtype=np.float32))
        y = Tensor._make(self.spec.target(d.y_train))
        drop_last = cfg.batchnorm and n % bs == 1  # a batch of one cannot be batch-normalised
        self.loader = DataLoader(
            TensorDataset(x, y), batch_size=bs, shuffle=True, generator=self.loader_gen, drop_last=drop_last
        )
        self.scheduler, self.interval = make_scheduler(cfg, self.optimizer, len(self.loader))
        self.val = (
            (np.asarray(d.x_val, dtype=np.float32), self.spec.target(d.y_val)) if len(d.x_val) else None
        )
        self.early = EarlyStopping(cfg.early_stopping) if cfg.early_stopping else None
        self.state = TrainState()

    # ---------------------------------------------------------------- files
    @property
    def ckpt_dir(self) -> Path:
        return self.dir / "checkpoints"

    def write_config(self) -> None:
        d = self.data
        save_json(
            self.cfg,
            self.dir / "config.json",
            {
                "task": d.task,
                "loss": self.spec.name,
                "n_features": int(d.x_train.shape[1]),
                "n_classes": d.n_classes,
                "class_names": d.class_names,
                "feature_names": d.feature_names,
                "scaler": d.meta.get("scaler"),
                "target_scaler": d.meta.get("target_scaler")
                if d.target_scaler is None
                else d.target_scaler.to_dict(),
                "data": d.meta,
                "splits": {"train": len(d.x_train), "val": len(d.x_val), "test": len(d.x_test)},
                "model": repr(self.model),
            },
        )

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to continue bit for bit: weights, optimiser, scheduler, RNGs, history."""
        snap: dict[str, Any] = {
            "epoch": self.state.epoch,
            "model": self.model.state_dict(),
            "optimizer": _serialisable(self.optimizer.state_dict()),
            "scheduler": _serialisable(self.scheduler.state_dict()) if self.scheduler is not None else None,
            "rng": {
                "global": default_generator.get_state(),
                "loader": self.loader_gen.get_state(),
            },
            "history": self.state.history,
            "early_stopping": self.early.get_state() if self.early else None,
        }
        return snap

    def save_checkpoint(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        self.ckpt_dir.mkdir(parents=True, exist_ok=True)
        if self.early is not None and self.early.best_epoch == epoch:
            save({"epoch": epoch, "model": self.model.state_dict()}, self.ckpt_dir / "best.npz")
        elif self.early is None:
            key = "val_loss" if "val_loss" in logs else "train_loss"
            best = min(r.get(key, np.inf) for r in self.state.history)
            if logs.get(key, np.inf) <= best:
                save({"epoch": epoch, "model": self.model.state_dict()}, self.ckpt_dir / "best.npz")
        save(self.snapshot(), self.ckpt_dir / f"epoch_{epoch:03d}.npz")

    def saved_epoch(self) -> int:
        """The newest epoch with a checkpoint on disk (0 if none)."""
        eps = [int(m.group(1)) for p in self.ckpt_dir.glob("epoch_*.npz") if (m := _CKPT.search(p.name))]
        return max(eps, default=0)

    def restore(self) -> int:
        """Load the newest checkpoint that verifies; returns its epoch (0 if none)."""
        files = sorted(
            (int(m.group(1)), p) for p in self.ckpt_dir.glob("epoch_*.npz") if (m := _CKPT.search(p.name))
        )
        if not files:
            return 0
        epoch, path = files[-1]
        try:
            snap = load(path)
        except (ValueError, OSError) as e:
            raise UserError(f"checkpoint {path} is damaged and was not loaded: {e}") from None
        self.model.load_state_dict(snap["model"])
        self.optimizer.load_state_dict(snap["optimizer"])
        if self.scheduler is not None and snap.get("scheduler") is not None:
            self.scheduler.load_state_dict(snap["scheduler"])
        default_generator.set_state(snap["rng"]["global"])
        self.loader_gen.set_state(snap["rng"]["loader"])
        self.state.epoch = int(snap["epoch"])
        self.state.history = [dict(r) for r in snap["history"]]
        if self.early is not None and snap.get("early_stopping"):
            best_state = None
            best_path = self.ckpt_dir / "best.npz"
            if best_path.exists():
                best_state = {k: v._data.copy() for k, v in load(best_path)["model"].items()}
            self.early.set_state(snap["early_stopping"], best_state)
            if self.early.stopped_epoch:
                self.state.stop = True
        return epoch

    # ---------------------------------------------------------------- training
    def train(self) -> dict[str, Any]:
        cfg = self.cfg
        callbacks: list[Any] = []
        if not self.quiet:
            callbacks.append(ProgressBar(self.stream))
        callbacks.append(TensorBoard(self.dir / "tb", histograms=cfg.histograms))
        callbacks.append(History(self.dir))
        if self.early is not None:
            callbacks.append(self.early)
        callbacks.append(Checkpoint(self.save_checkpoint))
        trainer = Trainer(
            self.model,
            self.loader,
            self.optimizer,
            self.spec,
            scheduler=self.scheduler,
            scheduler_interval=self.interval,
            val_data=self.val,
            l1=cfg.l1,
            l2=cfg.l2,
            grad=cfg.grad,
            callbacks=callbacks,
            state=self.state,
        )
        t0 = time.perf_counter()
        # a diverging run overflows before its loss turns non-finite; the loop reports that itself
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            trainer.fit(cfg.epochs)
        elapsed = time.perf_counter() - t0
        return self.finish(elapsed)

    def finish(self, elapsed: float | None = None) -> dict[str, Any]:
        """Final weights, test metrics, figures and the report."""
        d, spec = self.data, self.spec
        save(self.model.state_dict(), self.dir / "model.npz")
        write_history(self.dir, self.state.history)
        if self.state.history:
            plot_curves(
                self.state.history,
                self.dir / "curves.png",
                d.task,
                title=f"{self.cfg.data or self.cfg.dataset}: {self.cfg.optimizer}, lr {self.cfg.lr:g}",
            )
        y_test = spec.target(d.y_test)
        out = predict_outputs(self.model, d.x_test)
        metrics = score(out, y_test, spec)
        pred = spec.predict(out)
        if d.task == "classification":
            text = classification_text(y_test, pred, d.class_names)
            plot_confusion(y_test, pred, d.class_names, self.dir / "confusion.png")
        else:
            # loss stays in standardised units (what was minimised); MAE/MSE/R^2 in the data's units
            y0, p0 = d.to_original(y_test), d.to_original(pred)
            metrics = {"loss": metrics["loss"], **regression_metrics(p0, y0)}
            text = "regression metrics on the test split (original units)\n" + "".join(
                f"{k:>6}: {v:.4f}\n" for k, v in metrics.items()
            )
            plot_pred_vs_true(y0, p0, self.dir / "pred_vs_true.png")
        (self.dir / "report.txt").write_text(text)
        out = {"test": metrics, "epochs": self.state.epoch}
        if elapsed is not None:
            out["train_seconds"] = elapsed
        if self.early is not None:
            out["best_epoch"] = self.early.best_epoch
        (self.dir / "metrics.json").write_text(json.dumps(out, indent=2))
        return {"metrics": metrics, "report": text, **out}


def new_run_dir(out: str | None, name: str) -> Path:
    """The directory for a new run; an existing non-empty directory is never reused."""
    if out is None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        base = Path("runs") / f"{Path(name).stem}-{stamp}"
        p, i = base, 1
        while p.exists():
            i += 1
            p = base.with_name(f"{base.name}-{i}")
    else:
        p = Path(out)
        if p.exists() and (not p.is_dir() or any(p.iterdir())):
            raise UserError(
                f"run directory {p} already exists and is not empty; choose another --out, "
                f"or continue it with --resume {p}"
            )
    p.mkdir(parents=True, exist_ok=True)
    return p


def read_run_config(run_dir: str | Path) -> tuple[RunConfig, dict[str, Any]]:
    p = Path(run_dir)
    f = p / "config.json"
    if not f.is_file():
        raise UserError(f"{p} is not an mlplab run directory (no config.json)")
    try:
        d = json.loads(f.read_text())
    except json.JSONDecodeError as e:
        raise UserError(f"{f} is not valid JSON: {e}") from None
    return RunConfig.from_dict(d["config"], source=str(f)), d


def load_model(run_dir: str | Path) -> tuple[Run, dict[str, Any]]:
    """Rebuild a finished run's model (weights from model.npz, else the last checkpoint)."""
    cfg, meta = read_run_config(run_dir)
    run = Run(cfg, Path(run_dir), quiet=True)
    weights = Path(run_dir) / "model.npz"
    if weights.exists():
        try:
            run.model.load_state_dict(load(weights))
        except (ValueError, OSError) as e:
            raise UserError(f"{weights} is damaged and was not loaded: {e}") from None
    elif not run.restore():
        raise UserError(f"{run_dir} has neither model.npz nor a checkpoint to load")
    return run, meta
