"""``DistributedSampler``: each process of a data-parallel job reads its own shard of a dataset.

PyTorch's ``torch.utils.data.distributed.DistributedSampler``, same arguments and the same rule:

1. Every rank builds the same epoch order: ``0..n-1``, or with ``shuffle=True`` a permutation
   drawn from ``numpy.random.default_rng(seed + epoch)`` (so every rank agrees without talking,
   and :meth:`DistributedSampler.set_epoch` changes the order from one epoch to the next).
2. The order is made divisible by ``num_replicas``: ``drop_last=False`` pads it by repeating
   indices from its start (so a few samples are seen twice per epoch); ``drop_last=True`` cuts
   the tail instead.
3. Rank ``r`` takes every ``num_replicas``-th index starting at ``r``.

Each rank gets ``len(sampler)`` indices; together the ranks cover the dataset. The permutations
are NumPy's, not PyTorch's (their generators differ), so the shards differ from PyTorch's numbers
but follow the same rule.

``num_replicas`` and ``rank`` default to ``autograd.distributed.get_world_size()`` and
``get_rank()`` once ``autograd.distributed.init_process_group`` has run; otherwise pass them.

>>> from autograd.data import DistributedSampler
>>> [list(DistributedSampler(range(5), num_replicas=2, rank=r, shuffle=False)) for r in (0, 1)]
[[0, 2, 4], [1, 3, 0]]
>>> [list(DistributedSampler(range(5), num_replicas=2, rank=r, shuffle=False, drop_last=True))
...  for r in (0, 1)]
[[0, 2], [1, 3]]
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Sized
from typing import Any

import numpy as np

from .sampler import _ArraySampler, _check_bool, _is_int


def _process_group(what: str) -> Any:
    """``autograd.distributed`` when a process group is initialized, else a clear error."""
    hint = (
        f"DistributedSampler: {what} was not given and no process group is initialized; call "
        "autograd.distributed.init_process_group() first (under mpiexec), or pass num_replicas= "
        "and rank= explicitly"
    )
    try:
        dist = importlib.import_module("autograd.distributed")
    except ImportError as e:
        raise RuntimeError(hint) from e
    is_initialized = getattr(dist, "is_initialized", None)
    if is_initialized is None or not is_initialized():
        raise RuntimeError(hint)
    return dist


class DistributedSampler(_ArraySampler):
    """The indices of this process's shard of ``dataset`` (see the module docstring).

    Arguments (PyTorch's): ``dataset`` (anything with ``len``), ``num_replicas`` (the number of
    processes), ``rank`` (this process, ``0 <= rank < num_replicas``), ``shuffle`` (a new
    permutation per epoch), ``seed`` (the same on every rank), ``drop_last`` (cut instead of pad).

    Call ``set_epoch(epoch)`` before each epoch when shuffling; without it every epoch repeats
    the order of epoch 0 (as in PyTorch).

    Raises ``RuntimeError`` when ``num_replicas`` or ``rank`` is missing and no process group is
    initialized; ``ValueError`` for a rank outside ``[0, num_replicas - 1]``, a ``num_replicas``
    that is not a positive int, or non-int seeds and epochs; ``TypeError`` for a dataset without
    ``len``.

    >>> from autograd.data import DataLoader, DistributedSampler, TensorDataset
    >>> import numpy as np
    >>> ds = TensorDataset(np.arange(8.0))
    >>> sampler = DistributedSampler(ds, num_replicas=2, rank=1, seed=0)
    >>> loader = DataLoader(ds, batch_size=2, sampler=sampler)
    >>> for epoch in range(2):
    ...     sampler.set_epoch(epoch)
    ...     print([b.tolist() for (b,) in loader])
    [[4.0, 6.0], [0.0, 7.0]]
    [[0.0, 4.0], [6.0, 7.0]]
    """

    def __init__(
        self, dataset: Sized, num_replicas: int | None = None, rank: int | None = None,
        shuffle: bool = True, seed: int = 0, drop_last: bool = False,
    ) -> None:
        if not hasattr(dataset, "__len__"):
            raise TypeError(
                f"DistributedSampler: dataset must support len(), got {type(dataset).__name__}"
            )
        if num_replicas is None:
            num_replicas = _process_group("num_replicas").get_world_size()
        if rank is None:
            rank = _process_group("rank").get_rank()
        if not _is_int(num_replicas) or num_replicas < 1:
            raise ValueError(
                f"DistributedSampler: num_replicas must be a positive int, got {num_replicas!r}"
            )
        if not _is_int(rank) or not 0 <= rank < num_replicas:
            raise ValueError(
                f"DistributedSampler: invalid rank {rank!r}, rank should be in the interval "
                f"[0, {num_replicas - 1}]"
            )
        if not _is_int(seed):
            raise ValueError(f"DistributedSampler: seed must be an int, got {seed!r}")
        self.dataset = dataset
        self.num_replicas = int(num_replicas)
        self.rank = int(rank)
        self.shuffle = _check_bool("shuffle", shuffle, "DistributedSampler")
        self.seed = int(seed)
        self.drop_last = _check_bool("drop_last", drop_last, "DistributedSampler")
        self.epoch = 0

    @property
    def num_samples(self) -> int:
        """Indices per rank and epoch (re-read from ``len(dataset)``, as the epoch order is)."""
        n, r = len(self.dataset), self.num_replicas
        if self.drop_last:
            return n // r
        return math.ceil(n / r)

    @property
    def total_size(self) -> int:
        """Indices per epoch over all ranks: ``num_samples * num_replicas``."""
        return self.num_samples * self.num_replicas

    def set_epoch(self, epoch: int) -> None:
        """Make the next ``iter()`` use the order of ``epoch`` (the same on every rank)."""
        if not _is_int(epoch):
            raise ValueError(f"DistributedSampler.set_epoch: epoch must be an int, got {epoch!r}")
        self.epoch = int(epoch)

    def _epoch_indices(self) -> np.ndarray:
        n, total = len(self.dataset), self.total_size
        if self.shuffle:
            order = np.random.default_rng(self.seed + self.epoch).permutation(n)
        else:
            order = np.arange(n, dtype=np.int64)
        if total > n:  # pad by repeating the order from its start, as often as needed
            order = np.resize(order, total)
        else:
            order = order[:total]
        return order[self.rank:total:self.num_replicas].astype(np.int64, copy=False)

    def __len__(self) -> int:
        return self.num_samples
