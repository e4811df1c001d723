"""Export: the ``import mlplab as torch`` script reproduces a playground run's final test loss to the
last bit, for the optimisers, schedules, losses and switches whose code it spells out differently."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

from mlplab.playground.build import build_run, computing
from mlplab.playground.export import command, export
from mlplab.playground.views import scores_on_test
from mlplab.train.loop import Trainer

BASE = {"dataset": "moons", "n_samples": 150, "hidden": [6], "batch_size": 16, "epochs": 5}
VARIANTS = [
    {},
    {"optimizer": "lbfgs", "batch_size": "full", "lr": 0.5},
    {"optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True, "scheduler": "plateau"},
    {"scheduler": "onecycle"},
    {"scheduler": "cosine", "loss": "mse", "l1": 1e-3, "l2": 1e-3},
    {"loss": "bce_with_logits", "batchnorm": True, "dropout": 0.2, "init": "kaiming_normal"},
    {
        "dataset": "spiral",
        "loss": "multi_margin",
        "optimizer": "rmsprop",
        "scheduler": "step",
        "step_size": 1,
    },
]


def page_run(settings: dict, epochs: int) -> float:
    """Train as a session does (the same Trainer, under the compute lock) and score the test split."""
    b = build_run(settings)
    trainer = Trainer(
        b.model,
        b.loader,
        b.optimizer,
        b.spec,
        scheduler=b.scheduler,
        scheduler_interval=b.interval,
        l1=b.cfg.l1,
        l2=b.cfg.l2,
        needs_closure=b.needs_closure,
        steps_on_metric=b.steps_on_metric,
    )
    with computing(b.rng), np.errstate(all="ignore"):
        trainer.fit(epochs)
        return scores_on_test(b)["loss"], b.cfg


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: ",".join(f"{k}={v[k]}" for k in v) or "default")
def test_the_script_reproduces_the_final_loss(variant):
    loss, cfg = page_run({**BASE, **variant}, 3)
    text = export(cfg, 3)["script"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out), np.errstate(all="ignore"):
        exec(compile(text, "exported.py", "exec"), {"__name__": "__main__"})
    assert f"epochs 3: test loss {loss!r}," in out.getvalue(), text


def test_the_command_lists_what_differs_from_mlplab_train():
    _, cfg = page_run({**BASE, "optimizer": "sgd", "momentum": 0.9, "scheduler": "cosine"}, 0)
    assert command(cfg, 4) == (
        "mlplab train --dataset moons --n-samples 150 --test-size 0.3 --hidden 6 --activation relu "
        "--optimizer sgd --lr 0.01 --momentum 0.9 --scheduler cosine --t-max 5 --batch-size 16 "
        "--val-size 0 --epochs 4"
    )
