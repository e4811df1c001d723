"""ConcatDataset of no data sets: AssertionError with torch 2.13's message, for a list, a tuple
and an exhausted generator (the iterable is listed before the check)."""

from __future__ import annotations

import pytest
import torch

from mlplab.utils.data import ConcatDataset, TensorDataset


def _error(make, datasets):
    with pytest.raises(Exception) as info:
        make(datasets)
    return type(info.value), str(info.value)


@pytest.mark.parametrize("empty", [lambda: [], lambda: (), lambda: (d for d in [])])
def test_concat_dataset_of_nothing_raises_as_torch(empty):
    ours = _error(ConcatDataset, empty())
    theirs = _error(torch.utils.data.ConcatDataset, empty())
    assert ours == theirs == (AssertionError, "datasets should not be an empty iterable")


def test_concat_dataset_of_one_generator_still_concatenates():
    import mlplab

    a = TensorDataset(mlplab.arange(3))
    b = TensorDataset(mlplab.arange(2))
    cat = ConcatDataset(d for d in (a, b))
    assert len(cat) == 5 and cat.cumulative_sizes == [3, 5]
    assert int(cat[4][0]) == 1 and int(cat[-5][0]) == 0
