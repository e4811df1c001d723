"""IterableDataset, ChainDataset, get_worker_info and DataLoader over streams against torch 2.13:
the batches (values and order) for num_workers 0, 2 and 3 with a stream that shards itself by
get_worker_info() in __iter__, one sharded by worker_init_fn (torch's documented examples) and one
not sharded (read once per worker), drop_last, batch_size=None, len(), chaining with + and
PyTorch's errors (shuffle, sampler, batch_sampler, ConcatDataset of a stream)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import mlplab
import mlplab.utils.data as mud

# torch warns that 3 workers exceed this machine's suggested count; the batches are what is tested
pytestmark = pytest.mark.filterwarnings("ignore:This DataLoader will create")


def _shard(lib, start, end):
    info = lib.utils.data.get_worker_info()
    if info is None:
        return start, end
    per = int(math.ceil((end - start) / float(info.num_workers)))
    lo = start + info.id * per
    return lo, min(lo + per, end)


class MRange(mud.IterableDataset):
    def __init__(self, start, end, shard=True):
        self.start, self.end, self.shard = start, end, shard

    def __iter__(self):
        lo, hi = _shard(mlplab, self.start, self.end) if self.shard else (self.start, self.end)
        return iter([(i, float(i) / 2) for i in range(lo, hi)])


class TRange(tud.IterableDataset):
    def __init__(self, start, end, shard=True):
        self.start, self.end, self.shard = start, end, shard

    def __iter__(self):
        lo, hi = _shard(torch, self.start, self.end) if self.shard else (self.start, self.end)
        return iter([(i, float(i) / 2) for i in range(lo, hi)])


class MSized(MRange):
    def __len__(self):
        return self.end - self.start


class TSized(TRange):
    def __len__(self):
        return self.end - self.start


def _as_lists(batches):
    out = []
    for b in batches:
        if isinstance(b, (list, tuple)):
            out.append([x.tolist() if hasattr(x, "tolist") else x for x in b])
        else:
            out.append(b.tolist() if hasattr(b, "tolist") else b)
    return out


def _init_shard(lib):
    def init(worker_id):
        info = lib.utils.data.get_worker_info()
        assert info.id == worker_id
        ds = info.dataset
        start, end = ds.start, ds.end
        per = int(math.ceil((end - start) / float(info.num_workers)))
        ds.start = start + worker_id * per
        ds.end = min(ds.start + per, end)
        ds.shard = False

    return init


@pytest.mark.parametrize("workers", [0, 2, 3])
@pytest.mark.parametrize("batch_size,drop_last", [(4, False), (4, True), (1, False), (None, False)])
@pytest.mark.parametrize("how", ["iter", "init_fn", "unsharded"])
def test_stream_batches_match_torch(workers, batch_size, drop_last, how):
    shard = how == "iter"
    kw = dict(batch_size=batch_size, drop_last=drop_last, num_workers=workers)
    if how == "init_fn":
        m = mud.DataLoader(MRange(3, 14, False), worker_init_fn=_init_shard(mlplab), **kw)
        t = tud.DataLoader(TRange(3, 14, False), worker_init_fn=_init_shard(torch), **kw)
    else:
        m = mud.DataLoader(MRange(3, 14, shard), **kw)
        t = tud.DataLoader(TRange(3, 14, shard), **kw)
    got, want = _as_lists(m), _as_lists(t)
    assert got == want
    assert got == _as_lists(m)  # a second epoch gives the same batches


def test_collated_dtypes_match_torch():
    (bm,) = list(mud.DataLoader(MRange(0, 3), batch_size=3))
    (bt,) = list(tud.DataLoader(TRange(0, 3), batch_size=3))
    assert [str(x.dtype) for x in bm] == [str(x.dtype).replace("torch.", "mlplab.") for x in bt]


def test_get_worker_info_is_none_in_the_main_process_and_describes_the_worker_inside():
    assert mud.get_worker_info() is None
    seen = []

    class Probe(mud.IterableDataset):
        def __iter__(self):
            info = mud.get_worker_info()
            seen.append((info.id, info.num_workers, info.dataset is not self_ref[0]))
            yield info.id

    self_ref = [Probe()]
    out = [int(b) for b in mud.DataLoader(self_ref[0], batch_size=None, num_workers=2)]
    assert out == [0, 1]
    assert sorted(seen) == [(0, 2, True), (1, 2, True)]  # each worker reads its own copy
    assert mud.get_worker_info() is None
    info = mud.WorkerInfo(id=0, num_workers=2, seed=5, dataset=None)
    assert (info.id, info.num_workers, info.seed) == (0, 2, 5)


@pytest.mark.parametrize("batch_size,drop_last", [(4, False), (4, True), (None, False), (11, False)])
def test_len_is_torchs(batch_size, drop_last):
    m = mud.DataLoader(MSized(3, 14), batch_size=batch_size, drop_last=drop_last)
    t = tud.DataLoader(TSized(3, 14), batch_size=batch_size, drop_last=drop_last)
    assert len(m) == len(t)
    with pytest.raises(TypeError, match="has no len"):
        len(mud.DataLoader(MRange(0, 3)))
    with pytest.raises(TypeError, match="has no len"):
        len(tud.DataLoader(TRange(0, 3)))


def _err(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


@pytest.mark.parametrize("kw", [{"shuffle": True}, {"sampler": "S"}, {"batch_sampler": "B"}])
def test_stream_options_raise_torchs_errors(kw):
    def make(lib, ds):
        k = dict(kw)
        if "sampler" in k:
            k["sampler"] = [0, 1]
        if "batch_sampler" in k:
            k["batch_sampler"] = [[0, 1]]
        return lambda: lib.utils.data.DataLoader(ds, **k)

    assert _err(make(mlplab, MRange(0, 3))) == _err(make(torch, TRange(0, 3)))
    mlplab.utils.data.DataLoader(MRange(0, 3), shuffle=False)  # False and None are allowed
    mlplab.utils.data.DataLoader(MRange(0, 3), shuffle=None)


def test_chain_and_plus_match_torch():
    m = MSized(0, 3) + MSized(10, 12)
    t = TSized(0, 3) + TSized(10, 12)
    assert type(m) is mud.ChainDataset and type(t) is tud.ChainDataset
    assert len(m) == len(t) == 5
    assert _as_lists(mud.DataLoader(m, batch_size=2)) == _as_lists(tud.DataLoader(t, batch_size=2))
    m3, t3 = (
        mud.ChainDataset([MRange(0, 2), MRange(5, 6), MRange(7, 9)]),
        tud.ChainDataset([TRange(0, 2), TRange(5, 6), TRange(7, 9)]),
    )
    assert [x for x, _ in m3] == [x for x, _ in t3] == [0, 1, 5, 7, 8]
    assert _as_lists(mud.DataLoader(m3, batch_size=2, num_workers=2)) == _as_lists(
        tud.DataLoader(t3, batch_size=2, num_workers=2)
    )


def test_chain_and_concat_errors_are_torchs():
    tm = mud.TensorDataset(mlplab.ones(3))
    tt = tud.TensorDataset(torch.ones(3))
    assert _err(lambda: list(mud.ChainDataset([tm]))) == _err(lambda: list(tud.ChainDataset([tt])))
    assert _err(lambda: len(mud.ChainDataset([tm]))) == _err(lambda: len(tud.ChainDataset([tt])))
    assert _err(lambda: tm + MRange(0, 2)) == _err(lambda: tt + TRange(0, 2))
    assert _err(lambda: mud.ConcatDataset([MRange(0, 2)])) == _err(lambda: tud.ConcatDataset([TRange(0, 2)]))


def test_a_stream_of_arrays_trains_as_a_tensor_dataset_does():
    x = np.random.default_rng(0).normal(size=(10, 3)).astype(np.float32)

    class Rows(mud.IterableDataset):
        def __iter__(self):
            return iter(mlplab.tensor(x))

    got = [b.numpy() for b in mud.DataLoader(Rows(), batch_size=4)]
    want = [b[0].numpy() for b in mud.DataLoader(mud.TensorDataset(mlplab.tensor(x)), batch_size=4)]
    assert all(np.array_equal(a, b) for a, b in zip(got, want)) and len(got) == len(want) == 3
