"""Datasets and mini-batch loading, in PyTorch's habits (``torch.utils.data``).

A *dataset* is anything with ``len(ds)`` and ``ds[i]`` (a :class:`Dataset` subclass, a
:class:`TensorDataset` over arrays, even a plain list).  A :class:`DataLoader` draws batches of
indices (in order, or shuffled reproducibly from a seed or generator), fetches the samples and
stacks them into Tensors with :func:`default_collate`.

Full-batch training is ``batch_size=len(ds)``, mini-batch is any smaller size, and
``batch_size=1`` is stochastic gradient descent.

>>> import numpy as np
>>> from autograd.data import DataLoader, TensorDataset
>>> X = np.arange(10.0).reshape(5, 2)
>>> y = np.array([0, 1, 0, 1, 1])
>>> loader = DataLoader(TensorDataset(X, y), batch_size=2)
>>> len(loader)
3
>>> for xb, yb in loader:
...     print(xb.shape, yb.tolist())
(2, 2) [0, 1]
(2, 2) [0, 1]
(1, 2) [1]
"""

from .collate import default_collate, default_convert
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .distributed import DistributedSampler
from .loader import DataLoader
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
    "BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
    "DistributedSampler", "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler",
    "Subset", "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "WorkerInfo",
    "default_collate", "default_convert", "get_worker_info", "random_split",
]
