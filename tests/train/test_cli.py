"""End-to-end tests of ``mlplab train / evaluate / predict`` (every option is exercised)."""

import json

import numpy as np
import pytest
from train_helpers import ok as _ok
from train_helpers import write_csv

from mlplab.serialization import load

FAST = ["--epochs", "1", "--quiet"]


def test_train_writes_every_artifact(run_cli, tmp_path):
    out = _ok(run_cli("train", "--epochs", "3", "--out", "runs/a"))
    d = tmp_path / "runs" / "a"
    for f in [
        "config.json",
        "history.csv",
        "history.json",
        "curves.png",
        "confusion.png",
        "report.txt",
        "metrics.json",
        "model.npz",
        "checkpoints/epoch_003.npz",
        "checkpoints/best.npz",
    ]:
        assert (d / f).exists(), f
    assert list((d / "tb").glob("events.out.tfevents.*"))
    cfg = json.loads((d / "config.json").read_text())
    assert cfg["config"]["hidden"] == [50] and cfg["config"]["activation"] == "tanh"
    assert cfg["splits"]["test"] == 360  # the notes' 20% of 1797 digits
    hist = json.loads((d / "history.json").read_text())
    assert [r["epoch"] for r in hist] == [1, 2, 3]
    assert hist[-1]["train_loss"] < hist[0]["train_loss"]
    assert "precision" in (d / "report.txt").read_text()
    assert "test: loss" in out and "accuracy" in out and str(d.relative_to(tmp_path)) in out


@pytest.mark.slow
def test_default_run_reaches_notes_accuracy(run_cli, tmp_path):
    _ok(run_cli("train", "--quiet", "--out", "runs/default"))
    m = json.loads((tmp_path / "runs/default/metrics.json").read_text())
    assert m["epochs"] == 30
    assert m["test"]["acc"] >= 0.97, m


@pytest.mark.parametrize("ds", ["iris", "wine", "breast_cancer", "moons", "circles", "blobs", "spiral"])
def test_builtin_classification_datasets(run_cli, tmp_path, ds):
    _ok(run_cli("train", "--dataset", ds, *FAST, "--out", f"r_{ds}"))
    m = json.loads((tmp_path / f"r_{ds}/metrics.json").read_text())
    assert 0.0 <= m["test"]["acc"] <= 1.0


def test_regression_dataset_and_losses(run_cli, tmp_path):
    for loss in ["mse", "l1", "smooth_l1", "huber"]:
        _ok(
            run_cli(
                "train",
                "--dataset",
                "diabetes",
                "--loss",
                loss,
                "--epochs",
                "2",
                "--quiet",
                "--out",
                f"r_{loss}",
            )
        )
        d = tmp_path / f"r_{loss}"
        m = json.loads((d / "metrics.json").read_text())
        assert set(m["test"]) >= {"mae", "mse", "r2"}
        assert (d / "pred_vs_true.png").exists()
    _ok(
        run_cli(
            "train",
            "--dataset",
            "diabetes",
            "--task",
            "regression",
            "--epochs",
            "40",
            "--quiet",
            "--out",
            "r_fit",
        )
    )
    m = json.loads((tmp_path / "r_fit/metrics.json").read_text())
    # the same split fitted by ordinary least squares (scikit-learn) is the yardstick
    from sklearn.linear_model import LinearRegression

    from mlplab import datasets

    s = datasets.load("diabetes")
    ols = LinearRegression().fit(s.X_train, s.y_train).score(s.X_test, s.y_test)
    assert m["test"]["r2"] > 0.2 and m["test"]["r2"] > ols - 0.1, (m, ols)


def test_csv_data_target_predict_and_evaluate(run_cli, tmp_path, small_csv):
    _ok(
        run_cli(
            "train",
            "--data",
            small_csv,
            "--target",
            "label",
            "--task",
            "classification",
            "--epochs",
            "20",
            "--lr",
            "0.05",
            "--quiet",
            "--out",
            "csvrun",
        )
    )
    meta = json.loads((tmp_path / "csvrun/config.json").read_text())
    assert meta["class_names"] == ["no", "yes"]
    out = _ok(run_cli("evaluate", "csvrun"))
    assert "acc" in out and "precision" in out
    new = write_csv(tmp_path / "new.csv", ["c", "b", "a"], [[0, 2, 2], [0, -2, -2]])
    # predictions go to a CSV (default: beside the data), one short summary line on stdout
    out = _ok(run_cli("predict", "csvrun", "--data", new))
    assert "2 rows" in out and "new.predictions.csv" in out
    rows = (tmp_path / "new.predictions.csv").read_text().splitlines()
    assert [r.split(",")[0] for r in rows] == ["prediction", "yes", "no"]
    _ok(run_cli("predict", "csvrun", "--data", new, "--output", "p.csv"))
    assert [r.split(",")[0] for r in (tmp_path / "p.csv").read_text().splitlines()[1:]] == ["yes", "no"]


@pytest.mark.parametrize(
    "act",
    [
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "prelu",
        "silu",
        "swish",
        "elu",
        "gelu",
        "softplus",
        "softmax",
        "log_softmax",
    ],
)
def test_every_activation(run_cli, act):
    _ok(run_cli("train", "--dataset", "iris", "--activation", act, *FAST, "--out", f"a_{act}"))


@pytest.mark.parametrize(
    "init",
    [
        "default",
        "zeros",
        "ones",
        "constant",
        "uniform",
        "normal",
        "xavier_uniform",
        "xavier_normal",
        "kaiming_uniform",
        "kaiming_normal",
        "trunc_normal",
        "orthogonal",
    ],
)
def test_every_init(run_cli, tmp_path, init):
    _ok(
        run_cli(
            "train", "--dataset", "iris", "--init", init, "--init-value", "0.63", *FAST, "--out", f"i_{init}"
        )
    )
    sd = load(tmp_path / f"i_{init}/checkpoints/epoch_001.npz")["model"]
    assert sd["0.weight"].shape == (50, 4)


def test_constant_init_value_is_used(run_cli, tmp_path):
    _ok(
        run_cli(
            "train",
            "--dataset",
            "iris",
            "--init",
            "constant",
            "--init-value",
            "0.63",
            "--lr",
            "1e-9",
            "--optimizer",
            "sgd",
            *FAST,
            "--out",
            "c",
        )
    )
    w = load(tmp_path / "c/model.npz")["0.weight"].numpy()
    assert np.allclose(w, 0.63, atol=1e-6)


@pytest.mark.parametrize("loss", ["cross_entropy", "nll", "mse", "multi_margin", "kl_div"])
def test_every_classification_loss(run_cli, loss):
    _ok(run_cli("train", "--dataset", "iris", "--loss", loss, *FAST, "--out", f"l_{loss}"))


@pytest.mark.parametrize("loss", ["bce", "bce_with_logits"])
def test_binary_losses(run_cli, tmp_path, loss):
    _ok(
        run_cli(
            "train", "--dataset", "breast_cancer", "--loss", loss, "--epochs", "3", "--quiet", "--out", loss
        )
    )
    assert json.loads((tmp_path / loss / "metrics.json").read_text())["test"]["acc"] > 0.85


@pytest.mark.parametrize(
    "opt,extra",
    [
        ("sgd", ["--lr", "0.1", "--momentum", "0.9", "--nesterov", "--weight-decay", "1e-4"]),
        ("momentum", ["--lr", "0.1", "--alpha", "0.8"]),
        ("adagrad", ["--lr", "0.05", "--eps", "1e-8"]),
        ("rmsprop", ["--lr", "0.01", "--alpha", "0.9", "--momentum", "0.5"]),
        ("adam", ["--betas", "0.8,0.99", "--weight-decay", "1e-4"]),
        ("adamw", ["--weight-decay", "0.05"]),
        ("nadam", ["--lr", "0.002"]),
        ("lbfgs", ["--lr", "0.5", "--batch-size", "full"]),
    ],
)
def test_every_optimizer(run_cli, tmp_path, opt, extra):
    _ok(
        run_cli(
            "train", "--dataset", "iris", "--optimizer", opt, *extra, "--epochs", "2", "--quiet", "--out", opt
        )
    )
    hist = json.loads((tmp_path / opt / "history.json").read_text())
    assert np.isfinite(hist[-1]["train_loss"])


@pytest.mark.parametrize(
    "sched,extra,check",
    [
        (
            "step",
            ["--step-size", "2", "--gamma", "0.5"],
            lambda lrs: np.allclose(lrs, [1e-2, 1e-2, 5e-3, 5e-3]),
        ),
        (
            "multistep",
            ["--milestones", "1,3", "--gamma", "0.1"],
            lambda lrs: np.allclose(lrs, [1e-2, 1e-3, 1e-3, 1e-4]),
        ),
        ("exponential", ["--gamma", "0.5"], lambda lrs: np.allclose(lrs, [1e-2, 5e-3, 2.5e-3, 1.25e-3])),
        (
            "cosine",
            ["--t-max", "4", "--eta-min", "0"],
            lambda lrs: lrs[0] == 1e-2 and lrs[1] < lrs[0] and lrs[3] < lrs[2],
        ),
        ("plateau", ["--factor", "0.5", "--plateau-patience", "0"], lambda lrs: min(lrs) <= 1e-2),
        ("onecycle", ["--max-lr", "0.05"], lambda lrs: max(lrs) > 1e-2),
    ],
)
def test_every_scheduler(run_cli, tmp_path, sched, extra, check):
    _ok(
        run_cli(
            "train",
            "--dataset",
            "iris",
            "--lr",
            "0.01",
            "--scheduler",
            sched,
            *extra,
            "--epochs",
            "4",
            "--quiet",
            "--out",
            sched,
        )
    )
    lrs = [r["lr"] for r in json.loads((tmp_path / sched / "history.json").read_text())]
    assert check(lrs), lrs


def test_batch_sizes_penalties_dropout_batchnorm_hidden(run_cli, tmp_path):
    _ok(run_cli("train", "--dataset", "iris", "--batch-size", "full", *FAST, "--out", "full"))
    _ok(run_cli("train", "--dataset", "iris", "--batch-size", "1", *FAST, "--out", "sgd1"))
    _ok(run_cli("train", "--dataset", "iris", "--l1", "1e-3", "--l2", "1e-3", *FAST, "--out", "pen"))
    _ok(
        run_cli(
            "train",
            "--dataset",
            "iris",
            "--dropout",
            "0.3",
            "--batchnorm",
            "--hidden",
            "16,8",
            *FAST,
            "--out",
            "bn",
        )
    )
    meta = json.loads((tmp_path / "bn/config.json").read_text())
    assert (
        "BatchNorm1d" in meta["model"]
        and "Dropout" in meta["model"]
        and "Linear(in_features=16" in meta["model"]
    )


def test_early_stopping_restores_best(run_cli, tmp_path):
    _ok(
        run_cli(
            "train",
            "--dataset",
            "iris",
            "--lr",
            "0.5",
            "--optimizer",
            "sgd",
            "--early-stopping",
            "2",
            "--epochs",
            "200",
            "--quiet",
            "--out",
            "es",
        )
    )
    m = json.loads((tmp_path / "es/metrics.json").read_text())
    hist = json.loads((tmp_path / "es/history.json").read_text())
    assert m["epochs"] < 200 and len(hist) == m["epochs"]
    best = min(hist, key=lambda r: r["val_loss"])
    assert m["best_epoch"] == best["epoch"]
    final = load(tmp_path / "es/model.npz")
    best_ckpt = load(tmp_path / "es/checkpoints/best.npz")["model"]
    for k in final:
        assert np.array_equal(final[k].numpy(), best_ckpt[k].numpy())


@pytest.mark.slow
def test_numerical_gradient_mode(run_cli, tmp_path):
    _ok(
        run_cli(
            "train",
            "--dataset",
            "iris",
            "--grad",
            "numerical",
            "--hidden",
            "8",
            "--epochs",
            "3",
            "--quiet",
            "--out",
            "num",
            "--lr",
            "0.01",
        )
    )
    hist = json.loads((tmp_path / "num/history.json").read_text())
    assert hist[-1]["train_loss"] < hist[0]["train_loss"]


def test_seed_reproducible_and_config_file(run_cli, tmp_path):
    (tmp_path / "run.toml").write_text('dataset = "iris"\nepochs = 2\nhidden = [12]\nseed = 7\nlr = 0.01\n')
    _ok(run_cli("train", "--config", "run.toml", "--quiet", "--out", "t1"))
    _ok(run_cli("train", "--config", "run.toml", "--quiet", "--out", "t2"))
    _ok(run_cli("train", "--config", "run.toml", "--seed", "8", "--quiet", "--out", "t3"))
    a, b, c = (load(tmp_path / f"t{i}/model.npz") for i in (1, 2, 3))
    assert a["0.weight"].shape == (12, 4)
    assert all(np.array_equal(a[k].numpy(), b[k].numpy()) for k in a)
    assert not np.array_equal(a["0.weight"].numpy(), c["0.weight"].numpy())
    cfg = json.loads((tmp_path / "t1/config.json").read_text())["config"]
    assert cfg["seed"] == 7 and cfg["hidden"] == [12] and cfg["lr"] == 0.01


def test_split_sizes_options(run_cli, tmp_path):
    _ok(run_cli("train", "--dataset", "iris", "--test-size", "0.4", "--val-size", "0", *FAST, "--out", "sp"))
    meta = json.loads((tmp_path / "sp/config.json").read_text())
    assert meta["splits"] == {"train": 90, "val": 0, "test": 60}
    hist = json.loads((tmp_path / "sp/history.json").read_text())
    assert "val_loss" not in hist[0]


def test_penalties_shrink_the_weights(run_cli, tmp_path):
    base = ["--dataset", "iris", "--epochs", "20", "--lr", "0.01", "--quiet"]
    _ok(run_cli("train", *base, "--out", "p0"))
    _ok(run_cli("train", *base, "--l2", "0.05", "--out", "p2"))
    _ok(run_cli("train", *base, "--l1", "0.01", "--out", "p1"))
    w = {k: load(tmp_path / k / "model.npz")["0.weight"].numpy() for k in ("p0", "p1", "p2")}
    assert (w["p2"] ** 2).sum() < 0.8 * (w["p0"] ** 2).sum()
    assert np.abs(w["p1"]).sum() < 0.8 * np.abs(w["p0"]).sum()
