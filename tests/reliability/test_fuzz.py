"""Property-based fuzz (hypothesis) of the three inputs a user controls: command-line options,
config files (``--config run.toml`` and a run's ``config.json``) and CSV files. Any input ends with
exit 0, or one line on stderr and exit 2: never a traceback, a hang or a partly written run
directory. Each surface runs 500 generated inputs (bounded by example count, not time, and
derandomised so that CI sees the same inputs). Training itself is stubbed out (the options are
validated and the run is built and written, then the fit is skipped), so each input is fast.
"""

import itertools
import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rel_helpers import call

from mlplab import cli
from mlplab.train import render

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NUMBERS = st.one_of(
    st.sampled_from(
        ["nan", "inf", "-inf", "-1", "0", "1", "0.5", "1e308", "-3", "2", "1e-9", "", "x", "1,2"]
    ),
    st.integers(-5, 64).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet="0123456789.,-e+naif ", max_size=8),
)
VALUES = {
    "--dataset": st.sampled_from(["iris", "wine", "nope", ""]),
    "--optimizer": st.sampled_from(["sgd", "adam", "rmsprop", "lbfgs", "adamw", "nadam", "bogus"]),
    "--scheduler": st.sampled_from(["none", "step", "multistep", "cosine", "plateau", "onecycle", "zz"]),
    "--init": st.sampled_from(["default", "constant", "xavier", "he", "zero", "?"]),
    "--activation": st.sampled_from(["tanh", "relu", "sigmoid", "gelu", "nope"]),
    "--loss": st.sampled_from(["cross_entropy", "mse", "nll", "bce", "l1", "huber", "nope"]),
    "--task": st.sampled_from(["classification", "regression", "other"]),
    "--grad": st.sampled_from(["backprop", "numerical", "x"]),
    "--batch-size": st.one_of(st.sampled_from(["full", "0", "-1", "1", "nan"]), st.integers(1, 200).map(str)),
    "--hidden": st.one_of(
        st.lists(st.integers(-2, 16), max_size=3).map(lambda v: ",".join(map(str, v))),
        st.sampled_from(["1000000000000", "a,b", ",", "3,,4"]),
    ),
    "--milestones": st.lists(st.integers(-1, 5), max_size=3).map(lambda v: ",".join(map(str, v))),
    "--betas": st.lists(NUMBERS, max_size=3).map(",".join),
}
NUMERIC = [
    "--lr",
    "--momentum",
    "--weight-decay",
    "--eps",
    "--alpha",
    "--gamma",
    "--step-size",
    "--t-max",
    "--eta-min",
    "--factor",
    "--plateau-patience",
    "--max-lr",
    "--init-value",
    "--dropout",
    "--l1",
    "--l2",
    "--test-size",
    "--val-size",
    "--early-stopping",
    "--seed",
    "--epochs",
    "--n-samples",
    "--noise",
]
FLAGS = ["--batchnorm", "--no-batchnorm", "--nesterov", "--quiet", "--target", "--data", "--bogus"]


@st.composite
def argv(draw):
    args = ["train", "--dataset", "iris", "--epochs", "1", "--quiet"]
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.integers(0, 2))
        if kind == 0:
            flag = draw(st.sampled_from(sorted(VALUES)))
            args += [flag, draw(VALUES[flag])]
        elif kind == 1:
            args += [draw(st.sampled_from(NUMERIC)), draw(NUMBERS)]
        else:
            args.append(draw(st.sampled_from(FLAGS)))
    return args


@pytest.fixture
def no_fit(monkeypatch, tmp_path):
    """Skip the fit and the figures; every example runs in its own directory."""
    monkeypatch.setattr(cli.train_command, "_fit_and_report", lambda run, quiet, fresh=False: None)
    monkeypatch.setattr(render, "plot_confusion", lambda *a, **k: None)
    monkeypatch.setattr(render, "plot_pred_vs_true", lambda *a, **k: None)
    monkeypatch.chdir(tmp_path)
    return itertools.count()


def _check(capsys, code, out_dir=None):
    out, err = capsys.readouterr()
    assert code in (0, 2), f"exit {code}: {err}"
    assert "Traceback" not in err, err
    if code == 2:
        assert len([ln for ln in err.splitlines() if ln.strip()]) == 1, err
        if out_dir is not None:
            assert not out_dir.exists(), f"a refused run left {sorted(p.name for p in out_dir.iterdir())}"
    return err


@FUZZ
@given(args=argv())
def test_fuzz_cli_options(no_fit, tmp_path, capsys, args):
    out = tmp_path / f"r{next(no_fit)}"
    _check(capsys, call(*args, "--out", out), out)


TOML_VALUES = st.one_of(
    st.integers(-3, 50).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda f: repr(f).replace("inf", "inf")),
    st.sampled_from(
        ['"adam"', '"iris"', '"cosine"', '"x"', "true", "[1, 2]", "[]", '"full"', "{a = 1}", "nan"]
    ),
)
TOML_KEYS = st.sampled_from(
    [
        "lr",
        "epochs",
        "hidden",
        "optimizer",
        "scheduler",
        "dataset",
        "batch-size",
        "momentum",
        "gamma",
        "t_max",
        "dropout",
        "test_size",
        "data",
        "target",
        "unknown",
        "seed",
        "milestones",
        "betas",
        "init-value",
    ]
)


@FUZZ
@given(
    body=st.one_of(
        st.lists(st.tuples(TOML_KEYS, TOML_VALUES), max_size=4).map(
            lambda kv: "".join(f"{k} = {v}\n" for k, v in dict(kv).items())
        ),
        st.text(max_size=40),
    ),
    table=st.booleans(),
)
def test_fuzz_config_files(no_fit, tmp_path, capsys, body, table):
    i = next(no_fit)
    path = tmp_path / f"c{i}.toml"
    path.write_text(("[train]\n" if table else "") + body)
    out = tmp_path / f"r{i}"
    _check(
        capsys,
        call("train", "--config", path, "--dataset", "iris", "--epochs", "1", "--quiet", "--out", out),
        out,
    )


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 10**6), st.floats(), st.text(max_size=6)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
JSON_KEYS = st.sampled_from(
    [
        "config",
        "task",
        "loss",
        "n_features",
        "n_classes",
        "n_targets",
        "class_names",
        "feature_names",
        "scaler",
        "target_scaler",
        "data",
        "splits",
        "config.hidden",
        "config.activation",
        "config.lr",
        "config.batchnorm",
        "config.epochs",
        "config.unknown",
        "config.init",
        "config.dropout",
    ]
)


@FUZZ
@given(
    edits=st.lists(st.tuples(JSON_KEYS, JSON_VALUES), max_size=3), drop=st.booleans(), command=st.booleans()
)
def test_fuzz_run_config_json(no_fit, trained_run, tmp_path, capsys, edits, drop, command):
    run = tmp_path / f"run{next(no_fit)}"
    shutil.copytree(trained_run, run)
    cfg = json.loads((run / "config.json").read_text())
    for key, value in edits:
        where, _, sub = key.partition(".")
        if sub:
            if not isinstance(cfg.get(where), dict):
                continue
            if drop:
                cfg[where].pop(sub, None)
            else:
                cfg[where][sub] = value
        elif drop:
            cfg.pop(where, None)
        else:
            cfg[where] = value
    (run / "config.json").write_text(json.dumps(cfg))
    args = ("evaluate", run) if command else ("train", "--resume", run, "--epochs", "3", "--quiet")
    _check(capsys, call(*args))
    shutil.rmtree(run)


CELLS = st.one_of(
    st.sampled_from(
        ["1", "0", "-2.5", "1e308", "-1e308", "1e38", "nan", "inf", "", "NA", "yes", "no", " ", '"', "x,y"]
    ),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.integers(-3, 3).map(str),
    st.text(alphabet='ab01.-e," \t', max_size=5),
)


@FUZZ
@given(
    header=st.lists(st.sampled_from(["a", "b", "c", "y", "", "a "]), min_size=1, max_size=4),
    rows=st.lists(st.lists(CELLS, min_size=1, max_size=5), max_size=25),
    target=st.sampled_from(["y", "a", "zz"]),
    task=st.sampled_from([None, "classification", "regression"]),
)
def test_fuzz_csv_files(no_fit, tmp_path, capsys, header, rows, target, task):
    i = next(no_fit)
    path = tmp_path / f"d{i}.csv"
    path.write_text("\n".join([",".join(header)] + [",".join(r) for r in rows]) + "\n")
    out = tmp_path / f"r{i}"
    args = ["train", "--data", path, "--target", target, "--epochs", "1", "--quiet", "--out", out]
    if task:
        args += ["--task", task]
    _check(capsys, call(*args), out)
