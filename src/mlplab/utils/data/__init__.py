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
is in memory, so worker processes would only add overhead). For an ``IterableDataset`` the workers
are emulated in process (``worker.py``): each reads its own copy of the stream, ``get_worker_info()``
tells it which one it is, and batches arrive one per worker in turn, as PyTorch delivers them.

Layout: ``dataset.py`` (data sets, ``random_split``), ``sampler.py`` (index orders and batches),
``collate.py`` (samples -> batch), ``worker.py`` (streams and their workers), ``dataloader.py``
(``DataLoader``).
"""

from __future__ import annotations

from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from .worker import WorkerInfo, get_worker_info

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "WorkerInfo",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
]
