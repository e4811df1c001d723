"""Options are validated once, from their registry entries: finite, in range, no conflicts."""

import pytest
from rel_helpers import one_line

from mlplab.registry import Option, OptionError


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--optimizer", "sgd", "--momentum", "nan"], "--momentum"),
        (["--scheduler", "step", "--gamma", "nan"], "--gamma"),
        (["--init", "constant", "--init-value", "nan"], "--init-value"),
        (["--init", "constant", "--init-value", "inf"], "--init-value"),
        (["--scheduler", "cosine", "--eta-min", "-1"], "--eta-min"),
        (["--scheduler", "onecycle", "--max-lr", "-1"], "--max-lr"),
        (["--scheduler", "cosine", "--t-max", "-3"], "--t-max"),
        (["--scheduler", "plateau", "--plateau-patience", "-1"], "--plateau-patience"),
        (["--lr", "inf"], "--lr"),
        (["--l2", "nan"], "--l2"),
    ],
)
def test_bad_values_are_refused_naming_the_option(run_cli, tmp_path, args, flag):
    line = one_line(run_cli("train", "--dataset", "iris", "--epochs", "1", "--quiet", *args, "--out", "r"))
    assert flag in line and "got" in line
    assert not (tmp_path / "r").exists()


def test_nan_and_infinities_are_outside_every_range():
    o = Option("v", "float", "any value")
    for bad in (float("nan"), float("inf"), -float("inf")):
        with pytest.raises(OptionError, match="finite number"):
            o.check(bad)
    assert o.check(-3.5) == -3.5


def test_dataset_and_data_exclude_each_other(run_cli, small_csv):
    line = one_line(run_cli("train", "--dataset", "iris", "--data", small_csv, "--target", "label"))
    assert "--dataset iris" in line and "--data" in line and "exclude" in line


def test_dataset_in_config_file_and_data_on_the_command_line(run_cli, tmp_path, small_csv):
    (tmp_path / "run.toml").write_text('dataset = "wine"\n')
    line = one_line(run_cli("train", "--config", "run.toml", "--data", small_csv, "--target", "label"))
    assert "exclude" in line
