"""Datasets and mini-batch loading, as ``torch.utils.data``.

An epoch walks the data set once, in batches of ``B`` samples; each batch gives one gradient step,
so the batch size picks the flavour of gradient descent the notes compare::

    batch_size = len(dataset)   batch gradient descent (one step per epoch, the full-data gradient)
    batch_size = 1              stochastic gradient descent (one step per sample)
    1 < batch_size < N          mini-batch gradient descent (the usual choice, e.g. 32)

    steps per epoch = ceil(N / B)            (floor(N / B) with drop_last=True)

Speed: a ``DataLoader`` over a ``TensorDataset`` (or a ``Subset`` of one, e.g. from ``random_split``)
gathers each batch with one NumPy fancy index per tensor, never sample by sample. Any other dataset is
read one sample at a time and the samples are combined by ``collate_fn`` (``default_collate``).

Randomness: ``shuffle=True`` draws the epoch's permutation from ``generator`` (an
``mlplab.Generator``; the default generator when None) when iteration starts, i.e. at ``iter(loader)``
or the top of a ``for`` loop, as PyTorch does. Saving the generator's state between epochs and
restoring it therefore reproduces the next epoch's order exactly. mlplab's generator is PCG64, so the
orders differ from PyTorch's for the same seed; the semantics are the same.

``num_workers`` is accepted for compatibility; loading always runs in the calling process (the data
is in memory, so worker processes would only add overhead).
"""

from __future__ import annotations

import bisect
import collections.abc
import copy
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from .. import random as _random
from .._creation import as_tensor
from ..tensor import Tensor

__all__ = [
    "BatchSampler",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "default_collate",
    "default_convert",
    "random_split",
]


# ---------------------------------------------------------------------------------------- datasets
class Dataset:
    """A map-style data set: subclasses implement ``__getitem__(index)`` and ``__len__()``."""

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Samples are rows of the given tensors: ``dataset[i] == (t0[i], t1[i], ...)``.

    All tensors must have the same size along the first (sample) dimension. NumPy arrays are accepted
    and wrapped without a copy.
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        ts = tuple(t if isinstance(t, Tensor) else as_tensor(t) for t in tensors)
        for i, t in enumerate(ts):
            if t.ndim == 0:
                raise ValueError(
                    f"TensorDataset: tensor {i} is 0-dimensional; "
                    "each tensor needs a first (sample) dimension"
                )
        sizes = [t.shape[0] for t in ts]
        if any(s != sizes[0] for s in sizes):
            detail = ", ".join(f"tensor {i}: {s}" for i, s in enumerate(sizes))
            raise ValueError(
                f"Size mismatch between tensors: first dimensions (number of samples) differ ({detail})"
            )
        self.tensors = ts

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def _gather(self, idx: np.ndarray | slice) -> list[Tensor]:
        """One batch: rows ``idx`` of every tensor, as fresh arrays (one fancy index per tensor)."""
        if isinstance(idx, slice):
            return [Tensor._make(t._data[idx].copy()) for t in self.tensors]
        return [Tensor._make(t._data[idx]) for t in self.tensors]


class Subset(Dataset):
    """The samples of ``dataset`` at positions ``indices``, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several data sets one after the other (``ds1 + ds2``)."""

    def __init__(self, datasets: Sequence[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("datasets should not be an empty iterable")
        self.cumulative_sizes: list[int] = []
        total = 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> Any:
        n = len(self)
        if idx < 0:
            if -idx > n:
                raise ValueError("absolute value of index should not exceed dataset length")
            idx += n
        d = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[d - 1] if d > 0 else 0
        return self.datasets[d][idx - start]


def _fast_gather(ds: Any) -> Callable[[Any], list[Tensor]] | None:
    """A batch gatherer for TensorDatasets (and Subsets of them) whose ``__getitem__`` is not overridden."""
    if isinstance(ds, TensorDataset) and type(ds).__getitem__ is TensorDataset.__getitem__:
        return ds._gather
    if isinstance(ds, Subset) and type(ds).__getitem__ is Subset.__getitem__:
        inner = _fast_gather(ds.dataset)
        if inner is None:
            return None
        where = np.asarray(ds.indices, dtype=np.int64)
        return lambda idx: inner(where[idx])
    return None


def random_split(dataset: Any, lengths: Sequence[int | float], generator: Any = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given ``lengths``.

    ``lengths`` are sample counts summing to ``len(dataset)``, or fractions summing to 1: then each
    split gets ``floor(frac * N)`` samples and the remainder is dealt out one by one, round robin from
    the first split (PyTorch's rule). The permutation comes from ``generator`` (default generator
    when None), so a seeded generator reproduces the split.
    """
    n = len(dataset)
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split: lengths must not be empty")
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        sizes = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            sizes.append(math.floor(n * frac))
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, size in enumerate(sizes):
            if size == 0:
                warnings.warn(
                    f"Length of split at index {i} is 0. This might result in an empty dataset.", stacklevel=2
                )
    else:
        sizes = []
        for i, length in enumerate(lengths):
            if isinstance(length, bool) or int(length) != length or length < 0:
                raise ValueError(
                    f"random_split: lengths must be non-negative integers or fractions summing to 1, "
                    f"got {length!r} at index {i}"
                )
            sizes.append(int(length))
    if sum(sizes) != n:
        raise ValueError(
            f"Sum of input lengths does not equal the length of the input dataset! "
            f"(lengths {list(lengths)} sum to {sum(sizes)}, dataset has {n} samples)"
        )
    perm = _random.rng(generator).permutation(n).tolist()
    out = []
    offset = 0
    for size in sizes:
        out.append(Subset(dataset, perm[offset : offset + size]))
        offset += size
    return out


# ---------------------------------------------------------------------------------------- samplers
class Sampler:
    """Yields dataset indices; subclasses implement ``__iter__`` (and usually ``__len__``)."""

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError


class SequentialSampler(Sampler):
    """Indices ``0, 1, ..., N-1`` in order."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random permutation of the indices (or ``num_samples`` draws with replacement).

    The permutation is drawn when ``iter()`` is called, from ``generator`` (default generator when None).
    """

    def __init__(
        self,
        data_source: Any,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Any = None,
    ) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        n = self.num_samples
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={n}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _indices(self) -> np.ndarray:
        n = len(self.data_source)
        rng = _random.rng(self.generator)
        if self.replacement:
            return rng.integers(0, n, size=self.num_samples, dtype=np.int64)
        reps, rest = divmod(self.num_samples, n)
        parts = [rng.permutation(n) for _ in range(reps)]
        if rest:
            parts.append(rng.permutation(n)[:rest])
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def __iter__(self) -> Iterator[int]:
        return iter(self._indices().tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order (drawn when ``iter()`` is called)."""

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices = indices
        self.generator = generator

    def _indices(self) -> np.ndarray:
        idx = np.asarray(self.indices, dtype=np.int64)
        return idx[_random.rng(self.generator).permutation(len(idx))]

    def __iter__(self) -> Iterator[int]:
        return iter(self._indices().tolist())

    def __len__(self) -> int:
        return len(self.indices)


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last one shorter unless
    ``drop_last``)."""

    def __init__(self, sampler: Any, batch_size: int, drop_last: bool) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else (n + self.batch_size - 1) // self.batch_size


_KNOWN_SAMPLERS = (SequentialSampler, RandomSampler, SubsetRandomSampler)


# ---------------------------------------------------------------------------------------- collation
def default_collate(batch: Sequence[Any]) -> Any:
    """Combine a list of samples into a batch, as PyTorch's ``default_collate``.

    Tensors and numeric arrays are stacked along a new first dimension; Python floats become a float64
    tensor, ints an int64 tensor, bools a bool tensor; strings stay a list; dicts, tuples and lists are
    collated field by field (a tuple of fields becomes a list, as in PyTorch).
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        shapes = {tuple(b.shape) for b in batch}
        if len(shapes) > 1:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got shapes {sorted(shapes)}")
        return Tensor._make(np.stack([b._data for b in batch]))
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "USOV":
            raise TypeError(f"default_collate: batch must not contain arrays of dtype {elem.dtype}")
        return default_collate([as_tensor(b) for b in batch])
    if isinstance(elem, (np.bool_, np.number)):
        return as_tensor(np.asarray(batch))
    if isinstance(elem, bool):
        return Tensor._make(np.asarray(batch, dtype=np.bool_))
    if isinstance(elem, float):
        return Tensor._make(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, int):
        return Tensor._make(np.asarray(batch, dtype=np.int64))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        out = {key: default_collate([d[key] for d in batch]) for key in elem}
        if isinstance(elem, collections.abc.MutableMapping):
            try:
                clone = copy.copy(elem)
                clone.update(out)
                return clone
            except TypeError:
                return out
        return out
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(s)) for s in zip(*batch)]
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(elem).__name__}"
    )


def default_convert(data: Any) -> Any:
    """Convert one sample (no batching): NumPy arrays and scalars become tensors, containers recursively."""
    if isinstance(data, np.ndarray) and data.dtype.kind not in "USOV":
        return as_tensor(data)
    if isinstance(data, (np.bool_, np.number)):
        return as_tensor(np.asarray(data))
    if isinstance(data, (str, bytes, Tensor)):
        return data
    if isinstance(data, collections.abc.Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, list):
        return [default_convert(d) for d in data]
    return data


# ---------------------------------------------------------------------------------------- loader
class DataLoader:
    """Iterate over ``dataset`` in batches, as ``torch.utils.data.DataLoader``.

    Args:
        dataset: a map-style data set (``TensorDataset`` is the fast path).
        batch_size: samples per batch (``len(dataset)`` = batch GD, 1 = SGD); ``None`` yields single
            samples without batching.
        shuffle: reshuffle the order at the start of every epoch.
        sampler / batch_sampler: custom index order (mutually exclusive with shuffle / batch options).
        drop_last: drop the last, incomplete batch.
        collate_fn: combines a list of samples into a batch (``default_collate``).
        generator: the ``mlplab.Generator`` used for shuffling (default generator when None).
        num_workers, pin_memory, timeout, worker_init_fn, prefetch_factor, persistent_workers: accepted
            for compatibility; loading runs in this process.
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
        if sampler is None:
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
        self._auto_collation = batch_sampler is not None
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    def __len__(self) -> int:
        return len(self.batch_sampler) if self._auto_collation else len(self.sampler)

    def __iter__(self) -> Iterator[Any]:
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
