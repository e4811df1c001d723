"""mlplab.utils.data against torch.utils.data: sizes, batch counts, contents, collation, shuffling, errors."""

from __future__ import annotations

import collections
import contextlib
import math

import numpy as np
import pytest
import torch
import torch.utils.data as tud
from hypothesis import given, settings
from hypothesis import strategies as st

import mlplab
from mlplab.utils import data as mud


def arrays(n: int, d: int = 3):
    rng = np.random.default_rng(n)
    return rng.standard_normal((n, d)).astype(np.float32), np.arange(n, dtype=np.int64)


def both(n: int, d: int = 3):
    x, y = arrays(n, d)
    return (
        mud.TensorDataset(mlplab.from_numpy(x), mlplab.from_numpy(y)),
        tud.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
    )


def as_np(obj):
    """Batches of either library as nested lists of NumPy arrays, for comparison."""
    if isinstance(obj, (mlplab.Tensor, torch.Tensor)):
        return obj.numpy()
    if isinstance(obj, dict):
        return {k: as_np(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(as_np(v) for v in obj) if not hasattr(obj, "_fields") else list(map(as_np, obj))
    return obj


def assert_same(a, b):
    a, b = as_np(a), as_np(b)
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    else:
        assert a == b


# ---------------------------------------------------------------------------------------- datasets
def test_tensor_dataset_items_match_torch():
    ours, ref = both(7)
    assert len(ours) == len(ref) == 7
    for i in (0, 3, -1):
        a, b = ours[i], ref[i]
        assert isinstance(a, tuple) and len(a) == 2
        assert_same(list(a), list(b))


def test_tensor_dataset_size_mismatch_names_the_sizes():
    with pytest.raises(ValueError, match=r"Size mismatch.*tensor 0: 5, tensor 1: 4"):
        mud.TensorDataset(mlplab.zeros(5, 2), mlplab.zeros(4))
    with pytest.raises(ValueError, match="0-dimensional"):
        mud.TensorDataset(mlplab.tensor(1.0))
    with pytest.raises(ValueError, match="at least one tensor"):
        mud.TensorDataset()


def test_tensor_dataset_accepts_numpy_arrays_without_copy():
    x = np.zeros((4, 2), np.float32)
    ds = mud.TensorDataset(x, np.arange(4))
    x[1, 0] = 5
    assert ds[1][0].numpy()[0] == 5


def test_subset_and_concat_match_torch():
    ours, ref = both(10)
    idx = [9, 2, 4]
    assert_same(list(mud.Subset(ours, idx)[[0, 2]]), list(tud.Subset(ref, idx)[[0, 2]]))
    assert_same(list(mud.Subset(ours, idx)[1]), list(tud.Subset(ref, idx)[1]))
    assert len(mud.Subset(ours, idx)) == 3
    cat_o, cat_r = ours + mud.Subset(ours, idx), ref + tud.Subset(ref, idx)
    assert len(cat_o) == len(cat_r) == 13
    for i in (0, 9, 10, 12, -1):
        assert_same(list(cat_o[i]), list(cat_r[i]))


# ---------------------------------------------------------------------------------------- batching
@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 40), bs=st.integers(1, 45), drop_last=st.booleans())
def test_sequential_batches_match_torch(n, bs, drop_last):
    ours, ref = both(n)
    lo = mud.DataLoader(ours, batch_size=bs, drop_last=drop_last)
    lr = tud.DataLoader(ref, batch_size=bs, drop_last=drop_last)
    assert len(lo) == len(lr) == (n // bs if drop_last else math.ceil(n / bs))
    got, want = list(lo), list(lr)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert isinstance(a, list) and len(a) == 2  # a tuple sample collates to a list, as in torch
        assert_same(a, b)


def test_batch_gd_and_sgd():
    ours, _ = both(10)
    full = list(mud.DataLoader(ours, batch_size=len(ours), shuffle=True))
    assert len(full) == 1 and full[0][0].shape == (10, 3)
    assert sorted(full[0][1].numpy().tolist()) == list(range(10))
    sgd = list(mud.DataLoader(ours, batch_size=1, shuffle=True))
    assert len(sgd) == 10 and all(b[0].shape == (1, 3) for b in sgd)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 50), bs=st.integers(1, 20), drop_last=st.booleans(), seed=st.integers(0, 2**32))
def test_shuffled_epoch_sees_every_sample_once(n, bs, drop_last, seed):
    ours, _ = both(n)
    lo = mud.DataLoader(
        ours, batch_size=bs, shuffle=True, drop_last=drop_last, generator=mlplab.Generator().manual_seed(seed)
    )
    batches = list(lo)
    assert len(batches) == len(lo)
    seen = np.concatenate([b[1].numpy() for b in batches]) if batches else np.array([], np.int64)
    sizes = [len(b[1].numpy()) for b in batches]
    if drop_last:
        assert all(s == bs for s in sizes) and len(seen) == n - n % bs
        assert len(set(seen.tolist())) == len(seen)
    else:
        assert sorted(seen.tolist()) == list(range(n))
        assert all(s == bs for s in sizes[:-1])
    x = ours.tensors[0].numpy()
    for xb, yb in batches:  # rows stay paired with their labels
        np.testing.assert_array_equal(xb.numpy(), x[yb.numpy()])


def test_shuffle_is_reproducible_and_changes_between_epochs():
    ours, _ = both(50)

    def orders(seed, epochs=3):
        lo = mud.DataLoader(ours, batch_size=8, shuffle=True, generator=mlplab.Generator().manual_seed(seed))
        return [np.concatenate([b[1].numpy() for b in lo]).tolist() for _ in range(epochs)]

    a, b = orders(0), orders(0)
    assert a == b
    assert a[0] != a[1] != a[2]
    assert orders(1)[0] != a[0]


def test_shuffle_uses_default_generator_when_none():
    ours, _ = both(30)
    lo = mud.DataLoader(ours, batch_size=30, shuffle=True)
    mlplab.manual_seed(5)
    first = next(iter(lo))[1].numpy().tolist()
    mlplab.manual_seed(5)
    assert next(iter(lo))[1].numpy().tolist() == first


def test_permutation_is_drawn_when_iteration_starts():
    ours, _ = both(40)
    g = mlplab.Generator().manual_seed(3)
    lo = mud.DataLoader(ours, batch_size=8, shuffle=True, generator=g)
    it = iter(lo)
    g.manual_seed(12345)  # reseeding after iter() must not change this epoch
    got = np.concatenate([b[1].numpy() for b in it])
    want = np.concatenate(
        [
            b[1].numpy()
            for b in mud.DataLoader(
                ours, batch_size=8, shuffle=True, generator=mlplab.Generator().manual_seed(3)
            )
        ]
    )
    np.testing.assert_array_equal(got, want)


def test_saving_generator_state_between_epochs_reproduces_the_next_epoch():
    """What --resume relies on: restore the generator saved after epoch k, get epoch k+1's order."""
    ours, _ = both(37)
    g = mlplab.Generator().manual_seed(0)
    lo = mud.DataLoader(ours, batch_size=5, shuffle=True, generator=g)
    list(lo)
    list(lo)
    state = g.get_state()
    epoch3 = [b[1].numpy().tolist() for b in lo]
    g2 = mlplab.Generator()
    g2.set_state(state)
    resumed = mud.DataLoader(ours, batch_size=5, shuffle=True, generator=g2)
    assert [b[1].numpy().tolist() for b in resumed] == epoch3


class PlainDataset(mud.Dataset):
    """The same rows as a TensorDataset, served one by one (takes the generic collate path)."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return mlplab.from_numpy(self.x[i]), mlplab.tensor(int(self.y[i]))


@pytest.mark.parametrize("drop_last", [False, True])
def test_fast_path_equals_generic_path(drop_last):
    x, y = arrays(23)
    fast = mud.DataLoader(
        mud.TensorDataset(x, y),
        batch_size=4,
        shuffle=True,
        drop_last=drop_last,
        generator=mlplab.Generator().manual_seed(9),
    )
    slow = mud.DataLoader(
        PlainDataset(x, y),
        batch_size=4,
        shuffle=True,
        drop_last=drop_last,
        generator=mlplab.Generator().manual_seed(9),
    )
    for _ in range(2):
        a, b = list(fast), list(slow)
        assert len(a) == len(b)
        for ba, bb in zip(a, b):
            assert_same(ba, bb)


def test_subset_of_tensor_dataset_and_random_split_loader():
    x, y = arrays(20)
    ds = mud.TensorDataset(x, y)
    train, val = mud.random_split(ds, [15, 5], generator=mlplab.Generator().manual_seed(0))
    got = list(mud.DataLoader(val, batch_size=2))
    want = [np.asarray(val.indices[i : i + 2]) for i in range(0, 5, 2)]
    for (xb, yb), idx in zip(got, want):
        np.testing.assert_array_equal(yb.numpy(), idx)
        np.testing.assert_array_equal(xb.numpy(), x[idx])


def test_batches_are_fresh_arrays():
    x, y = arrays(6)
    ds = mud.TensorDataset(x, y)
    xb, _ = next(iter(mud.DataLoader(ds, batch_size=3)))
    xb.numpy()[:] = 0
    assert not np.all(x[:3] == 0)


def test_no_auto_batching_matches_torch():
    ours, ref = both(4)
    a = list(mud.DataLoader(ours, batch_size=None))
    b = list(tud.DataLoader(ref, batch_size=None))
    assert len(a) == len(b) == 4
    for sa, sb in zip(a, b):
        assert_same(sa, sb)


# ---------------------------------------------------------------------------------------- collation
class Rich(mud.Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {
            "x": np.full(3, i, dtype=np.float32),
            "label": i,
            "w": 0.5 * i,
            "flag": i % 2 == 0,
            "name": f"s{i}",
            "np": np.float32(i),
            "pair": (i, [float(i), i + 1]),
        }


class RichT(tud.Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return Rich()[i]


def test_default_collate_matches_torch_on_mixed_samples():
    a = list(mud.DataLoader(Rich(), batch_size=2))
    b = list(tud.DataLoader(RichT(), batch_size=2))
    assert len(a) == len(b) == 3
    for ba, bb in zip(a, b):
        assert_same(ba, bb)
    assert a[0]["w"].dtype == mlplab.float64 and a[0]["label"].dtype == mlplab.int64
    assert a[0]["flag"].dtype == mlplab.bool and a[0]["name"] == ["s0", "s1"]


def test_default_collate_namedtuple_and_errors():
    P = collections.namedtuple("P", "a b")
    out = mud.default_collate([P(1, 2.0), P(3, 4.0)])
    assert isinstance(out, P) and out.a.tolist() == [1, 3]
    with pytest.raises(RuntimeError, match="equal size"):
        mud.default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError, match="equal size"):
        mud.default_collate([mlplab.zeros(2), mlplab.zeros(3)])
    with pytest.raises(TypeError, match="found object"):
        mud.default_collate([object(), object()])


def test_custom_collate_fn_gets_the_list_of_samples():
    ours, _ = both(5)
    seen = []

    def collate(samples):
        seen.append(len(samples))
        return samples

    out = list(mud.DataLoader(ours, batch_size=2, collate_fn=collate))
    assert seen == [2, 2, 1] and isinstance(out[0][0], tuple)


def test_custom_sampler_and_batch_sampler():
    ours, ref = both(10)
    order = [9, 0, 8, 1, 7]
    a = list(mud.DataLoader(ours, batch_size=2, sampler=order))
    b = list(tud.DataLoader(ref, batch_size=2, sampler=order))
    for ba, bb in zip(a, b):
        assert_same(ba, bb)
    batches = [[0, 1, 2], [5], [3, 4]]
    a = list(mud.DataLoader(ours, batch_sampler=batches))
    b = list(tud.DataLoader(ref, batch_sampler=batches))
    assert len(a) == 3
    for ba, bb in zip(a, b):
        assert_same(ba, bb)
    bs = mud.BatchSampler(mud.SequentialSampler(ours), 3, True)
    assert len(mud.DataLoader(ours, batch_sampler=bs)) == 3


def test_random_sampler_with_replacement_and_num_samples():
    ours, _ = both(5)
    s = mud.RandomSampler(ours, replacement=True, num_samples=12, generator=mlplab.Generator().manual_seed(0))
    idx = list(s)
    assert len(idx) == len(s) == 12 and all(0 <= i < 5 for i in idx)
    s2 = mud.RandomSampler(ours, num_samples=12, generator=mlplab.Generator().manual_seed(0))
    idx2 = list(s2)
    assert len(idx2) == 12 and sorted(idx2[:5]) == list(range(5)) and sorted(idx2[5:10]) == list(range(5))
    sub = list(mud.SubsetRandomSampler([3, 1, 4], generator=mlplab.Generator().manual_seed(0)))
    assert sorted(sub) == [1, 3, 4]


# ---------------------------------------------------------------------------------------- random_split
@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.3, 0.4], [0.5, 0.5], [0.34, 0.33, 0.33], [10, 0]])
def test_random_split_lengths_match_torch(lengths):
    ours, ref = both(10)
    warns = 0 in lengths and isinstance(lengths[0], float)
    with pytest.warns(UserWarning) if warns else contextlib.nullcontext():
        a = mud.random_split(ours, lengths, generator=mlplab.Generator().manual_seed(0))
    b = tud.random_split(ref, lengths, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in a] == [len(s) for s in b]
    allidx = sorted(i for s in a for i in s.indices)
    assert allidx == list(range(10))


def test_random_split_is_reproducible():
    ours, _ = both(20)
    a = mud.random_split(ours, [0.8, 0.2], generator=mlplab.Generator().manual_seed(1))
    b = mud.random_split(ours, [0.8, 0.2], generator=mlplab.Generator().manual_seed(1))
    assert [s.indices for s in a] == [s.indices for s in b]


def test_random_split_errors():
    ours, ref = both(10)
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        mud.random_split(ours, [3, 3])
    with pytest.raises(ValueError):
        tud.random_split(ref, [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        mud.random_split(ours, [0.5, -0.5, 1.0])
    with pytest.raises(ValueError, match="non-negative integers"):
        mud.random_split(ours, [2.5, 7.5])


# ---------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"batch_size": 0}, "batch_size should be a positive integer value, but got batch_size=0"),
        ({"batch_size": -2}, "positive integer"),
        ({"batch_size": 2.5}, "positive integer"),
        ({"sampler": [0, 1], "shuffle": True}, "mutually exclusive with shuffle"),
        ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler option is mutually exclusive"),
        ({"batch_size": None, "drop_last": True}, "mutually exclusive with drop_last"),
        ({"num_workers": -1}, "num_workers option should be non-negative"),
    ],
)
def test_bad_arguments_raise_like_torch(kwargs, match):
    ours, ref = both(4)
    with pytest.raises(ValueError, match=match):
        mud.DataLoader(ours, **kwargs)
    with pytest.raises(ValueError):
        tud.DataLoader(ref, **kwargs)


def test_num_workers_accepted_and_runs_in_process():
    ours, _ = both(6)
    lo = mud.DataLoader(ours, batch_size=4, num_workers=2, pin_memory=True, persistent_workers=True)
    assert [len(b[0].numpy()) for b in lo] == [4, 2]


def test_empty_dataset_shuffle_error_like_torch():
    ours, ref = both(0)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        mud.DataLoader(ours, shuffle=True)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        tud.DataLoader(ref, shuffle=True)
    assert list(mud.DataLoader(ours, batch_size=3)) == []
