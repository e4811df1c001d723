"""The registries are the extension points: every entry is reachable from the CLI, documented in
``--help`` and round-trips through a config file; a toy entry added with one registration line
works end to end; each option is validated once, NaN included."""

import json
import math

import numpy as np
import pytest
from train_helpers import err as _err
from train_helpers import ok as _ok

from mlplab import nn, optim
from mlplab.datasets.builtin import DATASETS
from mlplab.datasets.raw import RawData
from mlplab.registry import Option, OptionError, Registry
from mlplab.train import REGISTRIES
from mlplab.train.activations import ACTIVATIONS
from mlplab.train.config import RunConfig, all_options, load_toml
from mlplab.train.losses import LOSSES, losses_for
from mlplab.train.optimizers import LR, OPTIMIZERS
from mlplab.train.schedulers import SCHEDULERS

FAST = ["--epochs", "1", "--quiet"]


def _toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(v)


def _write_toml(path, values):
    path.write_text("".join(f"{k} = {_toml_value(v)}\n" for k, v in values.items() if v is not None))
    return path


def _data_for(registry, entry):
    """A small data set that suits the entry (binary losses need two classes ...)."""
    if registry == "dataset":
        return {"dataset": entry.name}
    if registry == "loss":
        if "classification" not in entry.tasks:
            return {"dataset": "diabetes"}
        return {"dataset": "breast_cancer" if entry.properties.get("binary") else "iris"}
    return {"dataset": "iris"}


def _cases():
    for reg, table in REGISTRIES.items():
        for name in table:
            yield pytest.param(reg, name, id=f"{reg}={name}")


@pytest.mark.parametrize("registry,name", list(_cases()))
def test_every_entry_runs_from_a_config_file_and_round_trips(run_cli, tmp_path, registry, name):
    entry = REGISTRIES[registry].get(name)
    values = {registry: name, **_data_for(registry, entry), **entry.defaults()}
    if entry.properties.get("needs_closure"):
        values["batch_size"] = "full"
    if registry == "dataset" and entry.properties.get("synthetic"):
        values["n_samples"] = 200
    values["hidden"] = [8]
    # the choice on the command line, its options (at their defaults) from a config file
    _write_toml(tmp_path / "run.toml", {k: v for k, v in values.items() if k != registry})
    _ok(run_cli("train", f"--{registry}", name, "--config", "run.toml", *FAST, "--out", "r"))
    saved = json.loads((tmp_path / "r/config.json").read_text())["config"]
    for k, v in values.items():
        assert saved[k] == v, (k, saved[k], v)
    # config.json's options read back give the same config, and so does a TOML file written from them
    cfg = RunConfig.from_dict(saved, source="config.json")
    assert cfg.to_dict() == saved
    _write_toml(tmp_path / "again.toml", saved)
    assert RunConfig().merged(load_toml(tmp_path / "again.toml")).to_dict() == saved


def test_help_documents_every_entry_and_option(run_cli):
    out = _ok(run_cli("train", "--help"))
    flat = " ".join(out.split())
    for registry, table in REGISTRIES.items():
        assert f"--{registry}" in flat
        for name in table:
            assert name in flat, (registry, name)
    for o in all_options():
        if o.cli:
            assert o.flag in flat, o.flag
    # the defaults shown come from the factories' signatures: Adagrad's lr is 0.01, Adam's 0.001
    assert "adagrad 0.01" in flat and "adam 0.001" in flat


def test_defaults_are_read_from_the_factories():
    assert OPTIMIZERS.get("adam").default(LR) == 1e-3
    assert OPTIMIZERS.get("lbfgs").default(LR) == 1
    assert OPTIMIZERS.get("adamw").default("weight_decay") == 0.01
    assert SCHEDULERS.get("plateau").default("plateau_patience") == 5
    cfg = RunConfig().merged({"optimizer": "rmsprop"}).resolved()
    assert (cfg.lr, cfg.alpha, cfg.eps) == (0.01, 0.99, 1e-8)
    assert RunConfig().resolved().lr == 1e-3  # the notes' default run: Adam, lr 1e-3


def test_loop_properties_come_from_the_tables():
    assert OPTIMIZERS.get("lbfgs").needs_closure
    assert SCHEDULERS.get("plateau").steps_on_metric
    assert SCHEDULERS.get("onecycle").interval == "batch"
    assert all(LOSSES.get(n).needs_labels for n in ("cross_entropy", "nll"))
    assert set(losses_for("regression")) == {"mse", "l1", "smooth_l1", "huber"}


@pytest.mark.parametrize(
    "args,words",
    [
        (["--lr", "nan"], ["--lr", "> 0", "nan"]),
        (["--lr", "-1"], ["--lr", "> 0", "-1"]),
        (["--momentum", "nan"], ["--momentum", ">= 0"]),
        (["--dropout", "nan"], ["--dropout", "[0, 1)"]),
        (["--test-size", "1"], ["--test-size", "(0, 1)"]),
        (["--betas", "0.9,nan"], ["--betas", "[0, 1)"]),
        (["--betas", "0.9"], ["--betas", "2 numbers"]),
        (["--epochs", "0"], ["--epochs", ">= 1"]),
        (["--optimizer", "lion"], ["lion", "sgd", "adam"]),
        (["--scheduler", "noam"], ["noam", "cosine"]),
        (["--loss", "hinge"], ["hinge", "cross_entropy"]),
        (["--init", "he"], ["he", "kaiming_normal"]),
    ],
)
def test_options_are_validated_once_with_clear_messages(run_cli, tmp_path, args, words):
    line = _err(run_cli("train", *args, "--quiet", "--out", "x"))
    for w in words:
        assert w in line, (w, line)
    assert not (tmp_path / "x").exists()


def test_config_file_values_are_validated_like_options(run_cli, tmp_path):
    (tmp_path / "a.toml").write_text("lr = nan\n")
    line = _err(run_cli("train", "--config", "a.toml"))
    assert "a.toml" in line and "'lr'" in line and "> 0" in line and "nan" in line
    (tmp_path / "b.toml").write_text('optimizer = "lion"\n')
    assert "lion" in _err(run_cli("train", "--config", "b.toml"))


def test_option_ranges_reject_nan():
    o = Option("x", "float", "x", low=0, high=1, high_open=True)
    assert o.check(0.5) == 0.5
    for bad in (math.nan, -0.1, 1.0):
        with pytest.raises(OptionError, match="--x must be a finite number in"):
            o.check(bad)
    with pytest.raises(OptionError, match="option 'x' must be a number, got 'a'"):
        o.check("a", source="f.toml")


def test_a_registry_refuses_options_its_factory_does_not_take():
    reg = Registry("thing")
    with pytest.raises(ValueError, match="no parameter"):
        reg.add("bad", lambda params, lr=1.0: None, "bad", (Option("beta", "float", "b"),))


# ----------------------------------------------------------------- adding entries: one line each
def test_add_an_optimizer_with_one_registration(run_cli, tmp_path):
    def plain_gd(params, lr=0.05):
        """Plain gradient descent, w <- w - lr * g."""
        return optim.SGD(params, lr=lr)

    OPTIMIZERS.add("plain_gd", plain_gd, "gradient descent, no momentum", (LR,))
    try:
        out = _ok(run_cli("train", "--help"))
        assert "plain_gd" in out
        _ok(run_cli("train", "--dataset", "iris", "--optimizer", "plain_gd", *FAST, "--out", "gd"))
        assert json.loads((tmp_path / "gd/config.json").read_text())["config"]["lr"] == 0.05
    finally:
        OPTIMIZERS.remove("plain_gd")


def test_add_a_loss_with_one_registration(run_cli, tmp_path):
    def squared_hinge(out, y, n_classes):
        """max(0, 1 - (out_y - out_j))^2 summed over j != y."""
        from mlplab.nn import functional as F

        return F.multi_margin_loss(out, y, p=2, reduction="none")

    LOSSES.add("squared_hinge", squared_hinge, "squared multi-class hinge", tasks=("classification",))
    try:
        _ok(run_cli("train", "--dataset", "iris", "--loss", "squared_hinge", *FAST, "--out", "sh"))
        assert json.loads((tmp_path / "sh/config.json").read_text())["loss"] == "squared_hinge"
    finally:
        LOSSES.remove("squared_hinge")


def test_add_an_activation_with_one_registration(run_cli, tmp_path):
    ACTIVATIONS.add("hardtanh_half", lambda: nn.Hardtanh(-0.5, 0.5), "clip to [-0.5, 0.5]")
    try:
        _ok(run_cli("train", "--dataset", "iris", "--activation", "hardtanh_half", *FAST, "--out", "ht"))
    finally:
        ACTIVATIONS.remove("hardtanh_half")


def test_add_a_dataset_with_one_registration(run_cli, tmp_path):
    def stripes(seed=0, *, n_samples=300):
        rng = np.random.default_rng(seed)
        x = rng.uniform(-1, 1, size=(n_samples, 2))
        y = (np.sin(4 * x[:, 0]) > 0).astype(np.int64)
        return RawData("stripes", "classification", x, y, ["x1", "x2"], ["0", "1"])

    from mlplab.datasets.builtin import N_SAMPLES

    DATASETS.add("stripes", stripes, "vertical stripes, 2 classes", (N_SAMPLES,))
    try:
        _ok(run_cli("train", "--dataset", "stripes", "--n-samples", "120", *FAST, "--out", "st"))
        meta = json.loads((tmp_path / "st/config.json").read_text())
        assert sum(meta["splits"].values()) == 120
        _ok(run_cli("evaluate", "st"))
    finally:
        DATASETS.remove("stripes")


def test_registries_describe_themselves_as_json():
    """What the playground's menus and the docs read: every entry, option, range and default."""
    for registry in REGISTRIES.values():
        d = json.loads(json.dumps(registry.describe()))
        assert [e["name"] for e in d["entries"]] == registry.names()
    adam = next(e for e in OPTIMIZERS.describe()["entries"] if e["name"] == "adam")
    lr = next(o for o in adam["options"] if o["name"] == "lr")
    assert lr == {**lr, "default": 1e-3, "low": 0, "low_open": True, "flag": "--lr", "kind": "float"}
    lbfgs = next(e for e in OPTIMIZERS.describe()["entries"] if e["name"] == "lbfgs")
    assert lbfgs["properties"] == {"needs_closure": True}
