"""Loading an ``IterableDataset`` with ``num_workers`` workers, as ``torch.utils.data`` does it, in
this process: ``get_worker_info``, ``WorkerInfo`` and the order in which batches arrive.

PyTorch gives each worker process its own copy of the data set and its own iterator over it (so a
stream not split by worker is read ``num_workers`` times), calls ``worker_init_fn(id)`` in the
worker, and, keeping batches in order, takes one batch from each worker in turn (worker 0, 1, ...,
0, 1, ...), dropping a worker when its stream ends. mlplab keeps that contract without processes:
each "worker" is a shallow copy of the data set (attributes a worker sets, e.g. its shard's start
and end, stay its own) with its own iterator, and ``get_worker_info()`` returns that worker's
``WorkerInfo`` while its ``worker_init_fn``, ``__iter__`` and the ``collate_fn`` of its batches run,
and None everywhere else. So a data set that shards itself by ``get_worker_info()`` gives the same
batches, in the same order, as PyTorch. Unlike PyTorch, the workers share the process's random
generator: their ``seed`` (the loader's generator's initial seed + id) is reported, not applied.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ... import random as _random

__all__ = ["WorkerInfo", "get_worker_info"]

_current: list[WorkerInfo | None] = [None]


@dataclass(frozen=True)
class WorkerInfo:
    """The worker that is running: ``id`` (0 .. num_workers - 1), ``num_workers``, ``seed`` and
    ``dataset`` (this worker's copy of the data set)."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


def get_worker_info() -> WorkerInfo | None:
    """The running worker's :class:`WorkerInfo` while a DataLoader worker reads its data set, None
    in the main process (always when ``num_workers=0``)."""
    return _current[0]


@contextmanager
def _as_worker(info: WorkerInfo | None) -> Iterator[None]:
    saved = _current[0]
    _current[0] = info
    try:
        yield
    finally:
        _current[0] = saved


def stream_batches(
    dataset: Any, batch_size: int | None, drop_last: bool, collate: Callable[[Any], Any]
) -> Iterator[Any]:
    """Batches of ``batch_size`` consecutive samples of one iterator over ``dataset`` (the last one
    shorter unless ``drop_last``); single converted samples when ``batch_size`` is None."""
    it = iter(dataset)
    if batch_size is None:
        for sample in it:
            yield collate(sample)
        return
    while True:
        batch = []
        for sample in it:
            batch.append(sample)
            if len(batch) == batch_size:
                break
        if not batch or (drop_last and len(batch) < batch_size):
            return
        yield collate(batch)
        if len(batch) < batch_size:
            return


def worker_batches(loader: Any) -> Iterator[Any]:
    """The batches of ``loader`` (over an IterableDataset) from ``loader.num_workers`` in-process
    workers, one from each in turn (see the module docstring)."""
    n = loader.num_workers
    # reported, not applied; taken without a draw, so reading a stream leaves the random stream as it was
    gen = loader.generator
    base_seed = gen.initial_seed() if gen is not None else _random.initial_seed()
    workers: deque[tuple[WorkerInfo, Iterator[Any]]] = deque()
    for wid in range(n):
        info = WorkerInfo(id=wid, num_workers=n, seed=base_seed + wid, dataset=copy.copy(loader.dataset))
        with _as_worker(info):
            if loader.worker_init_fn is not None:
                loader.worker_init_fn(wid)
        batches = stream_batches(info.dataset, loader.batch_size, loader.drop_last, loader.collate_fn)
        workers.append((info, batches))
    while workers:
        info, batches = workers.popleft()
        with _as_worker(info):
            try:
                batch = next(batches)
            except StopIteration:
                continue
        workers.append((info, batches))
        yield batch
