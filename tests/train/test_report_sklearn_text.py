"""The test report's classification text and confusion matrix are computed by mlplab (no
scikit-learn import in a run); they must equal scikit-learn's, character for character."""

import warnings

import numpy as np
import pytest
from sklearn.metrics import classification_report, confusion_matrix

from mlplab.train.metrics import classification_report_text, confusion_counts
from mlplab.train.report import classification_text


def _case(seed: int):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 13))
    n = int(rng.integers(1, 300))
    y = rng.integers(0, k, n)
    p = np.where(rng.random(n) < rng.random(), y, rng.integers(0, k, n))
    if seed % 7 == 0:
        p[:] = 0  # one predicted class: zero precision denominators elsewhere
    names = [f"c{i}" * int(rng.integers(1, 5)) for i in range(k)]
    return y, p, names


def _sklearn_text(y, p, names):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its single-label notice on tiny cases
        return classification_report(
            y, p, labels=list(range(len(names))), target_names=names, zero_division=0
        )


@pytest.mark.parametrize("seed", range(120))
def test_classification_text_equals_sklearn(seed):
    y, p, names = _case(seed)
    assert classification_report_text(y, p, names) == _sklearn_text(y, p, names)


@pytest.mark.parametrize(
    "y, p, k",
    [
        ([0, 1, 2, 2], [0, 1, 2, 2], 3),  # perfect
        ([0, 1, 2, 2], [1, 2, 0, 0], 3),  # no true positive: scikit-learn prints supports as floats
        ([0], [1], 11),  # one sample, most classes absent from both
        ([1, 1, 1], [1, 1, 1], 4),  # a single class present
        ([0, 1] * 50, [1, 0] * 25 + [0, 1] * 25, 2),  # binary
    ],
)
def test_classification_text_edge_cases(y, p, k):
    names = [str(i) for i in range(k)]
    y, p = np.array(y), np.array(p)
    assert classification_report_text(y, p, names) == _sklearn_text(y, p, names)


def test_run_report_uses_class_names_as_text():
    y, p = np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2])
    names = ["setosa", "versicolor", "virginica"]
    assert classification_text(y, p, names) == _sklearn_text(y, p, names)


@pytest.mark.parametrize("seed", range(50))
def test_confusion_counts_equal_sklearn(seed):
    y, p, names = _case(seed)
    k = len(names)
    if seed % 5 == 0:  # labels outside 0..k-1 are not counted, as with labels=range(k)
        y = y.copy()
        y[: max(1, y.size // 10)] = k + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = confusion_matrix(y, p, labels=list(range(k)))
    got = confusion_counts(y, p, k)
    assert got.shape == (k, k) and np.array_equal(got, ref)
