"""Data validated after scaling: finite statistics and values, naming the column and the line."""

import numpy as np
import pytest
from rel_helpers import one_line, write_csv

from mlplab.datasets import Standardizer


def _rows(n=20):
    rng = np.random.default_rng(1)
    return [[f"{v:.3f}" for v in rng.normal(size=2)] + ["yes" if i % 2 else "no"] for i in range(n)]


def test_a_huge_cell_is_refused_not_zeroed(run_cli, tmp_path):
    rows = _rows()
    rows[4][0] = "1e308"
    write_csv(tmp_path / "big.csv", ["a", "b", "label"], rows)
    line = one_line(run_cli("train", "--data", "big.csv", "--target", "label", "--epochs", "1", "--out", "r"))
    assert "'a'" in line and "big.csv line 6" in line and "1e+308" in line
    assert not (tmp_path / "r").exists()


def test_standardizer_refuses_overflowing_statistics():
    x = np.array([[1.0], [1e308], [2.0]])
    with pytest.raises(ValueError, match="column 'f'.*row 1"):
        Standardizer.fit(x, names=["f"])


def test_standardizer_refuses_values_that_overflow_float32():
    sc = Standardizer(np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="column 'b'.*line 9.*float32"):
        sc.transform(np.array([[0.0, 1e39]]), names=["a", "b"], rows=["x.csv line 9"])
    assert sc.transform(np.array([[0.0, 1e38]])).dtype == np.float32


def test_prediction_inputs_overflowing_float32_are_refused(run_cli, fresh_run, tmp_path):
    names = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
    write_csv(tmp_path / "new.csv", names, [[5.1, 3.5, 1.4, 0.2], [5.0, 1e300, 1.4, 0.2]])
    line = one_line(run_cli("predict", fresh_run, "--data", "new.csv"))
    assert "'sepal width (cm)'" in line and "new.csv line 3" in line
    assert not (tmp_path / "new.predictions.csv").exists()
