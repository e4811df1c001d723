"""A whole training run, as ``mlplab train`` does it: build the pieces from the config
(:mod:`.build`), fit (:mod:`.loop`), checkpoint every epoch (:mod:`.checkpoint`), report on the test
split (:mod:`.report`), and write everything into ``runs/NAME/``.

Run directory layout::

    config.json        resolved options + data facts (features, classes, scalers, data fingerprint)
    split.npz          the split's row indices and the test split itself (what evaluate scores)
    history.csv/.json  one row per epoch
    curves.png         loss and accuracy (R^2) vs epoch, train and validation
    confusion.png      (classification) test confusion matrix; pred_vs_true.png for regression
    report.txt         scikit-learn classification report / regression metrics, on the test split
    metrics.json       test metrics
    model.npz          final weights (best epoch when early stopping restored them)
    tb/                TensorBoard events
    checkpoints/       epoch_NNN.npz (model, optimiser, scheduler, RNG states, history) and best.npz
    evaluations/       one folder per ``mlplab evaluate`` (the run's own files are never rewritten)
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from ..random import manual_seed
from ..serialization import save
from .build import build_loader, build_loss, build_model, build_optimizer, build_scheduler, load_data
from .callbacks import Checkpoint, EarlyStopping, History, ProgressBar, TensorBoard, write_history
from .checkpoint import Checkpoints
from .config import RunConfig, save_json
from .figures import plot_curves
from .files import atomic_write
from .loop import Trainer, TrainState
from .optimizers import OPTIMIZERS
from .report import render_report, score_test_split, write_metrics
from .report_worker import array_from_json, array_to_json
from .run_dir import claim_run_dir, new_run_dir, read_run_config, remove_unfinished_run, write_split

__all__ = ["Run", "claim_run_dir", "new_run_dir", "read_run_config", "remove_unfinished_run"]


class Run:
    """One run directory: builds everything from a config, trains, checkpoints, reports."""

    def __init__(
        self,
        cfg: RunConfig,
        run_dir: Path,
        *,
        quiet: bool = False,
        stream: Any = None,
        reporter: Any = None,
    ) -> None:
        self.dir = Path(run_dir)
        self.quiet = quiet
        self.stream = stream
        #: computes scikit-learn's report and confusion matrix in another process: an object with
        #: ``submit(job)`` and ``result()`` (``mlplab.cli.report_process.ReportWorker``, see
        #: :mod:`.report_worker`); None: in this process
        self.reporter = reporter
        manual_seed(cfg.seed)
        self.data = d = load_data(cfg)
        self.spec = build_loss(cfg, d.task, d.n_classes, d.n_targets)
        cfg = cfg.resolved().merged({"loss": self.spec.name})
        self.cfg = cfg
        self.model = build_model(cfg, d.x_train.shape[1], self.spec.out_features())
        self.optimizer = build_optimizer(cfg, self.model.parameters())
        self.loader, self.loader_gen = build_loader(cfg, d, self.spec)
        self.scheduler, self.interval, self.steps_on_metric = build_scheduler(
            cfg, self.optimizer, len(self.loader)
        )
        self.val = (
            (np.asarray(d.x_val, dtype=np.float32), self.spec.target(d.y_val)) if len(d.x_val) else None
        )
        self.early = EarlyStopping(cfg.early_stopping) if cfg.early_stopping else None
        self.state = TrainState()
        self.checkpoints = Checkpoints(
            self.dir / "checkpoints",
            self.model,
            self.optimizer,
            self.scheduler,
            self.loader_gen,
            self.state,
            self.early,
        )

    # ---------------------------------------------------------------- files
    @property
    def ckpt_dir(self) -> Path:
        return self.checkpoints.dir

    def write_config(self) -> None:
        """``config.json`` (options and data facts) and ``split.npz`` (indices and test split)."""
        d = self.data
        save_json(
            self.cfg,
            self.dir / "config.json",
            {
                "task": d.task,
                "loss": self.spec.name,
                "n_features": int(d.x_train.shape[1]),
                "n_classes": d.n_classes,
                "n_targets": d.n_targets,
                "class_names": d.class_names,
                "feature_names": d.feature_names,
                "scaler": d.meta.get("scaler"),
                "target_scaler": None if d.target_scaler is None else d.target_scaler.to_dict(),
                "data": d.meta,
                "splits": {"train": len(d.x_train), "val": len(d.x_val), "test": len(d.x_test)},
                "model": repr(self.model),
            },
        )
        write_split(self.dir, d.indices, d.x_test, d.y_test)

    def saved_epoch(self) -> int:
        """The newest epoch with a checkpoint on disk (0 if none)."""
        return self.checkpoints.saved_epoch()

    def restore(self) -> int:
        """Load the newest checkpoint; returns its epoch (0 if none)."""
        return self.checkpoints.restore()

    # ---------------------------------------------------------------- training
    def train(self) -> dict[str, Any]:
        """Fit for the configured epochs (from where a restored run stopped), then report."""
        cfg = self.cfg
        callbacks: list[Any] = []
        if not self.quiet:
            callbacks.append(ProgressBar(self.stream))
        callbacks.append(TensorBoard(self.dir / "tb", histograms=cfg.histograms))
        callbacks.append(History(self.dir))
        if self.early is not None:
            callbacks.append(self.early)
        ck = self.checkpoints
        callbacks.append(Checkpoint(ck.save, ck.wait, ck.settle))
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
            needs_closure=bool(OPTIMIZERS.get(cfg.optimizer).properties.get("needs_closure")),
            steps_on_metric=self.steps_on_metric,
        )
        from threadpoolctl import threadpool_limits

        # BLAS on cfg.threads threads (default one: a small net's products are too small to share,
        # and a multi-threaded BLAS on a busy machine made runs up to 10x slower; see --threads)
        with threadpool_limits(limits=cfg.threads, user_api="blas"):
            t0 = time.perf_counter()
            # a diverging run overflows before its loss turns non-finite; the loop reports that itself
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                trainer.fit(cfg.epochs)
            elapsed = time.perf_counter() - t0
            return self.finish(elapsed)

    def finish(self, elapsed: float | None = None) -> dict[str, Any]:
        """Final weights, history, curves, the test report and ``metrics.json``."""
        d, cfg = self.data, self.cfg
        save(self.model.state_dict(), self.dir / "model.npz")
        write_history(self.dir, self.state.history)
        metrics, y, pred = score_test_split(self.model, self.spec, d.x_test, d.y_test, d.target_scaler)
        worker = self.reporter if d.task == "classification" else None
        if worker is not None:  # scikit-learn's tables come from the worker while this process draws
            worker.submit({"y": array_to_json(y), "pred": array_to_json(pred), "class_names": d.class_names})
        if self.state.history:
            title = f"{cfg.data or cfg.dataset}: {cfg.optimizer}, lr {cfg.lr:g}"
            plot_curves(self.state.history, self.dir / "curves.png", d.task, title=title)
        tables = None
        if worker is not None:
            reply = worker.result()
            tables = (str(reply["text"]), array_from_json(reply["cm"]))
        text = render_report(d.task, metrics, y, pred, d.class_names, self.dir, tables)
        atomic_write(self.dir / "report.txt", text)
        out: dict[str, Any] = {"test": metrics, "epochs": self.state.epoch}
        if elapsed is not None:
            out["train_seconds"] = elapsed
        if self.early is not None:
            out["best_epoch"] = self.early.best_epoch
        write_metrics(self.dir / "metrics.json", out)
        return {"metrics": metrics, "report": text, **out}
