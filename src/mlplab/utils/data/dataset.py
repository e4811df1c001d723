"""Map-style data sets (``Dataset``, ``TensorDataset``, ``Subset``, ``ConcatDataset``), iterable
data sets (``IterableDataset``, ``ChainDataset``) and ``random_split``, as ``torch.utils.data``."""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from ... import random as _random
from ..._creation import as_tensor
from ...tensor import Tensor


# ---------------------------------------------------------------------------------------- datasets
class Dataset:
    """A map-style data set: subclasses implement ``__getitem__(index)`` and ``__len__()``."""

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A data set that is a stream of samples: subclasses implement ``__iter__`` (and may implement
    ``__len__``). A ``DataLoader`` batches consecutive samples; it cannot shuffle or sample a stream.
    ``a + b`` chains two streams (:class:`ChainDataset`)."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __add__(self, other: Dataset) -> ChainDataset:  # type: ignore[override]
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """The samples of each data set in ``datasets`` in turn, read on the fly (nothing is copied);
    its length is the sum of theirs. Only iterable data sets can be chained (AssertionError, as
    PyTorch)."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)  # type: ignore[arg-type]
        return total


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
            raise AssertionError("datasets should not be an empty iterable")  # as torch
        self.cumulative_sizes: list[int] = []
        total = 0
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
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
