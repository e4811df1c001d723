"""``DataLoader``: batches of a data set per epoch, shuffled by an explicit generator; a
``TensorDataset`` (or a Subset of one) is gathered with one fancy index per tensor."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ...tensor import Tensor
from .collate import default_collate, default_convert
from .dataset import IterableDataset, TensorDataset, _fast_gather
from .sampler import (
    _KNOWN_SAMPLERS,
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
)
from .worker import stream_batches, worker_batches


class _InfiniteConstantSampler(Sampler):
    """The sampler of a loader over an IterableDataset: it has no indices (PyTorch's name)."""

    def __iter__(self) -> Iterator[None]:
        while True:
            yield None


def _check_stream_options(shuffle: Any, sampler: Any, batch_sampler: Any) -> None:
    """A stream can be neither shuffled nor sampled (PyTorch's ValueErrors)."""
    if shuffle not in {False, None}:
        raise ValueError(
            f"DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle={shuffle}"
        )
    if sampler is not None:
        raise ValueError(
            f"DataLoader with IterableDataset: expected unspecified sampler option, but got sampler={sampler}"
        )
    if batch_sampler is not None:
        raise ValueError(
            "DataLoader with IterableDataset: expected unspecified batch_sampler option, but got "
            f"batch_sampler={batch_sampler}"
        )


# ---------------------------------------------------------------------------------------- loader
class DataLoader:
    """Iterate over ``dataset`` in batches, as ``torch.utils.data.DataLoader``.

    Args:
        dataset: a map-style data set (``TensorDataset`` is the fast path) or an ``IterableDataset``
            (a stream: batches of consecutive samples, no shuffle or sampler; with ``num_workers``
            the workers are emulated in this process, see :mod:`.worker`).
        batch_size: samples per batch (``len(dataset)`` = batch GD, 1 = SGD); ``None`` yields single
            samples without batching.
        shuffle: reshuffle the order at the start of every epoch.
        sampler / batch_sampler: custom index order (mutually exclusive with shuffle / batch options).
        drop_last: drop the last, incomplete batch.
        collate_fn: combines a list of samples into a batch (``default_collate``).
        generator: the ``mlplab.Generator`` used for shuffling (default generator when None).
        num_workers, pin_memory, timeout, worker_init_fn, prefetch_factor, persistent_workers: accepted
            for compatibility; loading runs in this process (``num_workers`` and ``worker_init_fn``
            shape how an IterableDataset is read, as in PyTorch).
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Any = None,
        batch_sampler: Any = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Any = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            _check_stream_options(shuffle, sampler, batch_sampler)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                    "and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"
            )
        if iterable:  # a stream: no sampler; batches are consecutive samples (see worker.py)
            sampler = _InfiniteConstantSampler()
        elif sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self._iterable = iterable
        self._auto_collation = batch_sampler is not None
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    def __len__(self) -> int:
        if self._iterable:  # the stream's own length (TypeError without one), in batches
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler) if self._auto_collation else len(self.sampler)

    def __iter__(self) -> Iterator[Any]:
        if self._iterable:
            if self.num_workers:
                return worker_batches(self)
            return stream_batches(self.dataset, self.batch_size, self.drop_last, self.collate_fn)
        # The shuffle permutation is drawn here, eagerly, when iteration starts (not at the first batch).
        gather = _fast_gather(self.dataset) if self.collate_fn is default_collate else None
        if not self._auto_collation:
            return self._samples(iter(self.sampler))
        bs = self.batch_sampler
        if type(bs) is BatchSampler and type(bs.sampler) in _KNOWN_SAMPLERS:
            s = bs.sampler
            if type(s) is SequentialSampler:
                if gather is not None:
                    return self._slices(gather, len(s), bs.batch_size, bs.drop_last)
                order = np.arange(len(s))
            else:
                order = s._indices()
            n, b = len(order), bs.batch_size
            stop = n - n % b if bs.drop_last else n
            if gather is not None and getattr(gather, "__func__", None) is TensorDataset._gather:
                return self._rows(self.dataset.tensors, order, b, stop)
            batches: Iterator[Any] = (order[i : i + b] for i in range(0, stop, b))
        else:
            batches = iter(bs)
        if gather is not None:
            return self._gathered(gather, batches)
        return self._collated(batches)

    @staticmethod
    def _slices(gather: Callable, n: int, b: int, drop_last: bool) -> Iterator[list[Tensor]]:
        stop = n - n % b if drop_last else n
        for start in range(0, stop, b):
            yield gather(slice(start, min(start + b, n)))

    @staticmethod
    def _rows(tensors: tuple, order: np.ndarray, b: int, stop: int) -> Iterator[list[Tensor]]:
        """A TensorDataset's batches in ``order``: ``TensorDataset._gather`` written out, one fancy
        index per tensor, without a generator of index slices in between (per batch, the loader
        then costs little more than the hand-written ``X[idx], y[idx]``)."""
        make = Tensor._make
        if len(tensors) == 2:  # (inputs, labels): the list written out, no comprehension per batch
            x, y = tensors
            for i in range(0, stop, b):
                idx = order[i : i + b]
                yield [make(x._data[idx]), make(y._data[idx])]
            return
        for i in range(0, stop, b):
            idx = order[i : i + b]
            yield [make(t._data[idx]) for t in tensors]

    @staticmethod
    def _gathered(gather: Callable, batches: Iterator[Any]) -> Iterator[list[Tensor]]:
        for idx in batches:
            yield gather(idx if isinstance(idx, np.ndarray) else np.asarray(idx, dtype=np.int64))

    def _collated(self, batches: Iterator[Any]) -> Iterator[Any]:
        ds, collate = self.dataset, self.collate_fn
        for idx in batches:
            if isinstance(idx, np.ndarray):
                idx = idx.tolist()
            yield collate([ds[i] for i in idx])

    def _samples(self, indices: Iterator[int]) -> Iterator[Any]:
        ds, convert = self.dataset, self.collate_fn
        for i in indices:
            yield convert(ds[i])
