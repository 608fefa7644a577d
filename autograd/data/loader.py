"""``DataLoader``: iterate over a dataset in (optionally shuffled) mini-batches of Tensors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..random import default_generator, get_generator
from .collate import default_collate
from .dataset import fast_batch


class DataLoader:
    """Batches of ``dataset``: ``batch_size`` samples at a time, collated into Tensors.

    - ``shuffle=True`` draws a new order every epoch (every ``iter(loader)``). The orders come
      from ``seed`` (an int: two loaders with the same seed give the same batches, epoch after
      epoch), else ``generator`` (a ``numpy.random.Generator`` you own), else autograd's default
      generator (so ``autograd.manual_seed`` makes them reproducible).
    - ``drop_last=True`` skips a final batch smaller than ``batch_size``.
    - ``collate_fn(list_of_samples)`` builds a batch; the default is :func:`default_collate`.
      Over a ``TensorDataset`` (or a ``Subset`` of one) the default gathers each batch with one
      fancy index instead of stacking samples one by one; the result is the same.

    ``batch_size=len(dataset)`` is full-batch gradient descent, ``batch_size=1`` is SGD.

    >>> import numpy as np
    >>> from autograd.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(np.arange(6.0))
    >>> [b.tolist() for (b,) in DataLoader(ds, batch_size=4, shuffle=True, seed=0)]
    [[3.0, 2.0, 5.0, 4.0], [0.0, 1.0]]
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
        generator: np.random.Generator | None = None,
        collate_fn: Callable[[list[Any]], Any] | None = None,
    ) -> None:
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                f"DataLoader: dataset must support len() and indexing (a map-style dataset), "
                f"got {type(dataset).__name__}"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size < 1:
            raise ValueError(
                f"DataLoader: batch_size must be a positive int, got {batch_size!r} "
                "(for full-batch training use batch_size=len(dataset))"
            )
        if seed is not None and generator is not None:
            raise ValueError("DataLoader: give seed or generator, not both")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise TypeError(f"DataLoader: seed must be an int, got {type(seed).__name__}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError("DataLoader: collate_fn must be callable")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self.collate_fn = collate_fn
        # One generator for the loader's life: successive epochs get different orders, and the
        # whole sequence of epochs is fixed by the seed.
        self.generator: np.random.Generator | None = (
            get_generator(int(seed)) if seed is not None
            else get_generator(generator) if generator is not None else None
        )

    def __len__(self) -> int:
        """Number of batches per epoch."""
        n, b = len(self.dataset), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        rng = self.generator if self.generator is not None else default_generator()
        return rng.permutation(n)

    def _fetch(self, indices: np.ndarray) -> Any:
        if self.collate_fn is None or self.collate_fn is default_collate:
            batch = fast_batch(self.dataset, indices)
            if batch is not None:
                return batch
        samples = [self.dataset[int(i)] for i in indices]
        return (self.collate_fn or default_collate)(samples)

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        b = self.batch_size
        stop = len(self) * b
        for start in range(0, stop, b):
            yield self._fetch(order[start:start + b])

    def __repr__(self) -> str:
        return (
            f"DataLoader(dataset of {len(self.dataset)} samples, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )
