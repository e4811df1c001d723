"""``WeightedRandomSampler``: torch 2.13's checks and messages, and the distribution it draws from
(mlplab's random stream is not torch's, so the draws themselves are compared statistically)."""

import numpy as np
import pytest
import torch

import mlplab
from mlplab.utils.data import DataLoader, TensorDataset, WeightedRandomSampler


@pytest.mark.parametrize(
    "args, kwargs",
    [
        (([1.0, 2.0], 0), {}),
        (([1.0, 2.0], 2.0), {}),
        (([1.0, 2.0], True), {}),
        (([[1.0, 2.0]], 2), {}),
        (([1.0, 2.0], 2), {"replacement": 1}),
    ],
)
def test_constructor_errors_are_torchs(args, kwargs):
    with pytest.raises(ValueError) as theirs:
        torch.utils.data.WeightedRandomSampler(*args, **kwargs)
    with pytest.raises(ValueError) as ours:
        WeightedRandomSampler(*args, **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(
    "weights, n, replacement",
    [
        ([1.0, -1.0], 2, True),
        ([0.0, 0.0], 2, True),
        ([1.0, 2.0], 5, False),
        ([float("nan"), 1.0], 1, True),
        ([float("inf"), 1.0], 1, True),
    ],
)
def test_bad_weights_fail_when_iteration_starts_as_in_torch(weights, n, replacement):
    theirs_sampler = torch.utils.data.WeightedRandomSampler(weights, n, replacement)
    ours_sampler = WeightedRandomSampler(weights, n, replacement)
    with pytest.raises(RuntimeError) as theirs:
        list(theirs_sampler)
    with pytest.raises(RuntimeError) as ours:
        list(ours_sampler)
    assert str(ours.value) == str(theirs.value)


def test_with_replacement_the_frequencies_follow_the_weights():
    w = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
    s = WeightedRandomSampler(w, 60_000, generator=mlplab.Generator().manual_seed(0))
    assert len(s) == 60_000 and s.weights.dtype == mlplab.float64
    counts = np.bincount(list(s), minlength=6)
    p = np.array(w) / sum(w)
    # binomial standard deviation of each count is sqrt(n p (1 - p)) <= 122; allow 5 of them
    assert np.all(np.abs(counts - 60_000 * p) < 5 * np.sqrt(60_000 * p * (1 - p)))


def test_without_replacement_no_index_repeats_and_heavy_ones_come_first():
    w = [0.9, 0.4, 0.0, 0.2, 0.3, 0.1]
    g = mlplab.Generator().manual_seed(1)
    firsts = []
    for _ in range(2000):
        draw = list(WeightedRandomSampler(w, 6, replacement=False, generator=g))
        assert sorted(draw) == list(range(6)) and draw[-1] == 2  # the zero weight comes last
        firsts.append(draw[0])
    # P(first = i) = w_i / sum(w) for the race; 0.9 / 1.9 = 0.474
    assert abs(np.mean(np.array(firsts) == 0) - 0.9 / 1.9) < 0.04


def test_a_seeded_generator_reproduces_the_draws():
    a = list(WeightedRandomSampler([1.0, 2.0, 3.0], 10, generator=mlplab.Generator().manual_seed(5)))
    b = list(WeightedRandomSampler([1.0, 2.0, 3.0], 10, generator=mlplab.Generator().manual_seed(5)))
    assert a == b


def test_inverse_class_frequency_weights_balance_the_batches():
    y = mlplab.tensor([0] * 90 + [1] * 10)
    class_count = np.bincount(y.numpy())
    sample_weights = [1.0 / class_count[c] for c in y.tolist()]
    g = mlplab.Generator().manual_seed(2)
    sampler = WeightedRandomSampler(sample_weights, num_samples=4000, generator=g)
    loader = DataLoader(TensorDataset(mlplab.arange(100), y), batch_size=50, sampler=sampler)
    labels = mlplab.cat([yb for _, yb in loader])
    assert len(labels) == 4000 and abs(labels.float().mean().item() - 0.5) < 0.04
