"""Datasets: ``Dataset`` (the protocol), ``IterableDataset``, ``TensorDataset``, ``Subset``,
``ConcatDataset``, ``ChainDataset`` and ``random_split``.

A map-style dataset is anything with ``__len__`` and ``__getitem__(i)`` returning one sample; an
iterable-style dataset (an :class:`IterableDataset`) is a stream: ``__iter__`` yields samples.
Datasets hold constants: ``TensorDataset`` keeps the raw arrays of the tensors it is given (no
graph), so a sample never drags a training graph along.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import numpy as np

from ..backend import xp
from ..devices import device_of, is_array, is_device_array, transfer
from ..random import get_generator
from ..tensor import Tensor

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """Base class of map-style datasets: subclasses define ``__getitem__`` and ``__len__``.

    >>> from autograd.data import Dataset
    >>> class Squares(Dataset):
    ...     def __len__(self):
    ...         return 4
    ...     def __getitem__(self, i):
    ...         return float(i), float(i * i)
    >>> Squares()[3]
    (3.0, 9.0)
    >>> len(Squares() + Squares())
    8
    """

    def __getitem__(self, index: Any) -> T_co:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __add__(self, other: Dataset[Any]) -> ConcatDataset[Any]:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """Base class of iterable-style datasets (streams): subclasses define ``__iter__``.

    A :class:`~autograd.data.DataLoader` takes ``batch_size`` samples at a time from
    ``iter(dataset)``; it has no indices, so ``shuffle``, ``sampler`` and ``batch_sampler`` are
    refused. With ``num_workers > 0`` every worker process iterates its own copy of the dataset:
    shard the stream in ``__iter__`` with :func:`~autograd.data.get_worker_info` (which is
    ``None`` in the main process), or each worker yields every sample (as in PyTorch).

    >>> from autograd.data import DataLoader, IterableDataset, get_worker_info
    >>> class Range(IterableDataset):
    ...     def __init__(self, n):
    ...         self.n = n
    ...     def __iter__(self):
    ...         info = get_worker_info()
    ...         if info is None:                    # main process: the whole stream
    ...             return iter(range(self.n))
    ...         return iter(range(info.id, self.n, info.num_workers))   # this worker's share
    >>> [b.tolist() for b in DataLoader(Range(5), batch_size=2)]
    [[0, 1], [2, 3], [4]]
    >>> sorted(v for b in DataLoader(Range(5), batch_size=2, num_workers=2) for v in b.tolist())
    [0, 1, 2, 3, 4]
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __add__(self, other: Any) -> ChainDataset[Any]:  # type: ignore[override]
        return ChainDataset([self, other])


class ChainDataset(IterableDataset[T_co]):
    """Iterable datasets one after another (``torch.utils.data.ChainDataset``)."""

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)

    def __iter__(self) -> Iterator[T_co]:
        for d in self.datasets:
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)


def _as_array(t: Any, i: int) -> Any:
    if isinstance(t, Tensor):
        a = t._array
    else:
        try:
            a = xp.asarray(t)
        except ValueError as e:
            raise ValueError(f"TensorDataset: argument {i} is not a regular array: {e}") from e
    if a.dtype.kind not in "biuf":
        raise TypeError(
            f"TensorDataset: argument {i} has dtype {a.dtype}; tensors hold bool, integer or "
            "floating numbers"
        )
    if a.ndim == 0:
        raise ValueError(
            f"TensorDataset: argument {i} is 0-d; every tensor needs a first (sample) axis"
        )
    return a


def _item(v: Any) -> Any:
    """An indexed row as array data: NumPy gives scalars for single elements (made 0-d
    arrays), a GPU array gives 0-d arrays already (kept on its device)."""
    return v if is_array(v) else np.asarray(v)


class TensorDataset(Dataset[tuple[Tensor, ...]]):
    """Samples are the rows ``(t0[i], t1[i], ...)`` of tensors (or arrays) with the same length.

    >>> import numpy as np
    >>> from autograd.data import TensorDataset
    >>> ds = TensorDataset(np.zeros((3, 2)), np.array([1, 2, 3]))
    >>> len(ds), ds[2]
    (3, (tensor([0., 0.]), tensor(3)))
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset: give at least one tensor or array")
        arrays = tuple(_as_array(t, i) for i, t in enumerate(tensors))
        n = arrays[0].shape[0]
        if any(a.shape[0] != n for a in arrays):
            raise ValueError(
                "TensorDataset: all tensors need the same size along the first axis, got shapes "
                f"{[tuple(a.shape) for a in arrays]}"
            )
        self._arrays = arrays
        # Constants outside any graph, like the arrays they wrap.
        self.tensors: tuple[Tensor, ...] = tuple(Tensor._make(a, None, False) for a in arrays)

    def __len__(self) -> int:
        return int(self._arrays[0].shape[0])

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(Tensor._make(_item(a[index]), None, False) for a in self._arrays)

    def _batch(self, indices: Any) -> tuple[Tensor, ...]:
        """``default_collate([self[i] for i in indices])`` in one fancy-indexing gather (GPU
        data: the batch's index array is copied over once and the batch stays on the GPU)."""
        return tuple(Tensor._make(a[transfer(indices, device_of(a)) if is_device_array(a)
                                    else indices], None, False) for a in self._arrays)


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices`` (in that order)."""

    def __init__(self, dataset: Any, indices: Sequence[int] | Any) -> None:
        idx = np.asarray(indices)
        if idx.ndim != 1 or (idx.size and idx.dtype.kind not in "iu"):
            raise TypeError(
                f"Subset: indices must be a 1-d sequence of ints, got {type(indices).__name__} "
                f"of dtype {idx.dtype} and shape {idx.shape}"
            )
        self.dataset = dataset
        self.indices = indices
        self._idx = idx.astype(np.int64)

    def __len__(self) -> int:
        return int(self._idx.shape[0])

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return [self.dataset[int(self._idx[i])] for i in index]
        return self.dataset[int(self._idx[index])]


class ConcatDataset(Dataset[T_co]):
    """The datasets one after another."""

    def __init__(self, datasets: Sequence[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: give at least one dataset")
        if any(isinstance(d, IterableDataset) for d in self.datasets):
            raise TypeError(
                "ConcatDataset does not support IterableDataset (it has no indices); chain "
                "streams with ChainDataset"
            )
        self.cumulative_sizes: list[int] = []
        total = 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(f"ConcatDataset: index out of range for a dataset of length {n}")
        d = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[d - 1] if d else 0
        return self.datasets[d][index - start]


def fast_batch(dataset: Any, indices: Any) -> tuple[Tensor, ...] | None:
    """A batch gathered by one fancy index, or ``None`` when ``dataset`` has no fast path."""
    if isinstance(dataset, TensorDataset):
        return dataset._batch(indices)
    if isinstance(dataset, Subset):
        return fast_batch(dataset.dataset, dataset._idx[indices])
    return None


def _split_lengths(n: int, lengths: Sequence[float]) -> list[int]:
    lens = list(lengths)
    if lens and all(isinstance(x, float) for x in lens) and math.isclose(sum(lens), 1.0):
        if any(not 0.0 <= x <= 1.0 for x in lens):
            raise ValueError(f"random_split: fractions must lie in [0, 1], got {lens}")
        counts = [int(math.floor(n * f)) for f in lens]
        for i in range(n - sum(counts)):  # hand out the remainder round-robin
            counts[i % len(counts)] += 1
        return counts
    if any(isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < 0 for x in lens):
        raise ValueError(
            f"random_split: lengths must be non-negative ints summing to {n}, or fractions "
            f"summing to 1; got {lens}"
        )
    if sum(lens) != n:
        raise ValueError(
            f"random_split: lengths {lens} sum to {sum(lens)}, but the dataset has {n} samples"
        )
    return [int(x) for x in lens]


def random_split(
    dataset: Any, lengths: Sequence[float], seed: int | None = None,
    generator: np.random.Generator | None = None,
) -> list[Subset[Any]]:
    """Split ``dataset`` into non-overlapping random :class:`Subset` s of the given ``lengths``.

    ``lengths`` are counts summing to ``len(dataset)``, or fractions summing to 1 (each gets
    ``floor(n * f)`` samples, the remainder is dealt one by one from the first). The permutation
    comes from ``seed``, else ``generator``, else the default generator (``autograd.manual_seed``).

    >>> from autograd.data import random_split
    >>> train, test = random_split(range(10), [0.8, 0.2], seed=0)
    >>> len(train), len(test), sorted(list(train) + list(test)) == list(range(10))
    (8, 2, True)
    """
    if seed is not None and generator is not None:
        raise ValueError("random_split: give seed or generator, not both")
    n = len(dataset)
    counts = _split_lengths(n, lengths)
    rng = get_generator(seed if seed is not None else generator)
    perm = rng.permutation(n)
    out: list[Subset[Any]] = []
    start = 0
    for c in counts:
        out.append(Subset(dataset, perm[start:start + c].tolist()))
        start += c
    return out
