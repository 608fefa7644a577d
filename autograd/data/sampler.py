"""Samplers: the order in which a :class:`~autograd.data.DataLoader` visits a map-style dataset.

PyTorch's ``torch.utils.data`` samplers with the same names, arguments and errors:

- :class:`Sampler` - the base class: anything whose ``__iter__`` yields dataset indices.
- :class:`SequentialSampler` - ``0, 1, ..., n-1``.
- :class:`RandomSampler` - a permutation each epoch, or ``num_samples`` draws with replacement.
- :class:`SubsetRandomSampler` - a permutation of a given list of indices.
- :class:`WeightedRandomSampler` - indices drawn with probabilities proportional to ``weights``.
- :class:`BatchSampler` - groups another sampler's indices into lists of ``batch_size``.

Randomness comes from NumPy: ``generator`` is a ``numpy.random.Generator`` you own (or an int
seed, which makes one once, at construction); without it every epoch draws from autograd's
default generator, so ``autograd.manual_seed`` makes the orders reproducible. The orders are not
PyTorch's numbers (NumPy and PyTorch generators differ), only its distributions.

One difference: a :class:`RandomSampler` over an empty dataset yields nothing (PyTorch refuses
to build it), so ``DataLoader(empty, shuffle=True)`` gives no batches instead of an error.

>>> import numpy as np
>>> from autograd.data import BatchSampler, RandomSampler, SequentialSampler
>>> list(SequentialSampler(range(5)))
[0, 1, 2, 3, 4]
>>> sorted(RandomSampler(range(5), generator=np.random.default_rng(0)))
[0, 1, 2, 3, 4]
>>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
[[0, 1], [2, 3], [4]]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Any, Generic, TypeVar

import numpy as np

from ..devices import to_host
from ..random import default_generator, get_generator

T_co = TypeVar("T_co", covariant=True)


def _is_int(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def _check_bool(name: str, value: Any, what: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{what}: {name} should be a boolean value, but got {name}={value!r}")
    return bool(value)


def _check_num_samples(num_samples: Any, what: str) -> int:
    if not _is_int(num_samples) or num_samples <= 0:
        raise ValueError(
            f"{what}: num_samples should be a positive integer value, but got "
            f"num_samples={num_samples!r}"
        )
    return int(num_samples)


def _own_generator(generator: Any) -> np.random.Generator | None:
    """``None`` stays ``None`` (draw from the default generator at each epoch, looked up then, so
    a later ``manual_seed`` counts); an int seed or a Generator becomes the sampler's own."""
    return None if generator is None else get_generator(generator)


class Sampler(Generic[T_co]):
    """Base class of samplers: subclasses define ``__iter__`` (and ``__len__`` when they know it).

    ``data_source`` is accepted for PyTorch compatibility and ignored, as in PyTorch.

    >>> from autograd.data import Sampler
    >>> class Evens(Sampler):
    ...     def __init__(self, n):
    ...         self.n = n
    ...     def __iter__(self):
    ...         return iter(range(0, self.n, 2))
    ...     def __len__(self):
    ...         return (self.n + 1) // 2
    >>> list(Evens(5))
    [0, 2, 4]
    """

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class _ArraySampler(Sampler[int]):
    """A sampler whose epoch is one index array, drawn at ``iter()``.

    :class:`BatchSampler` slices that array directly instead of collecting indices one by one
    (same batches, far less Python per batch); subclasses that override ``__iter__`` lose that
    shortcut and are iterated like any other sampler.
    """

    def _epoch_indices(self) -> np.ndarray:
        raise NotImplementedError

    def __iter__(self) -> Iterator[int]:
        return iter(self._epoch_indices().tolist())


def epoch_indices(sampler: Any) -> np.ndarray | None:
    """The whole epoch of ``sampler`` as an int64 array, or ``None`` if it has no such shortcut."""
    if isinstance(sampler, _ArraySampler) and type(sampler).__iter__ is _ArraySampler.__iter__:
        return sampler._epoch_indices()
    return None


class SequentialSampler(_ArraySampler):
    """Indices ``0, 1, ..., len(data_source) - 1`` in order
    (``torch.utils.data.SequentialSampler``)."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def _epoch_indices(self) -> np.ndarray:
        return np.arange(len(self.data_source), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(_ArraySampler):
    """Random indices into ``data_source`` (``torch.utils.data.RandomSampler``).

    - ``replacement=False`` (default): a fresh permutation every epoch. With ``num_samples``
      larger than the dataset, whole permutations follow one another and the last is cut short
      (PyTorch's rule), so every sample appears ``num_samples // n`` or one more times.
    - ``replacement=True``: ``num_samples`` independent uniform draws.

    ``num_samples`` defaults to ``len(data_source)`` and is then re-read each epoch.
    ``generator``: see the module docstring.

    Raises ``TypeError`` for a non-bool ``replacement`` and ``ValueError`` for a ``num_samples``
    that is not a positive int, or for draws with replacement from an empty dataset.

    >>> import numpy as np
    >>> from autograd.data import RandomSampler
    >>> s = RandomSampler(range(3), num_samples=7, generator=np.random.default_rng(0))
    >>> len(s), sorted(s)
    (7, [0, 0, 1, 1, 2, 2, 2])
    """

    def __init__(
        self, data_source: Sized, replacement: bool = False, num_samples: int | None = None,
        generator: np.random.Generator | int | None = None,
    ) -> None:
        if not isinstance(replacement, (bool, np.bool_)):
            raise TypeError(
                "RandomSampler: replacement should be a boolean value, but got "
                f"replacement={replacement!r}"
            )
        self.data_source = data_source
        self.replacement = bool(replacement)
        self._num_samples = (
            None if num_samples is None else _check_num_samples(num_samples, "RandomSampler")
        )
        self.generator = _own_generator(generator)

    @property
    def num_samples(self) -> int:
        """How many indices one epoch yields."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _epoch_indices(self) -> np.ndarray:
        n, k = len(self.data_source), self.num_samples
        rng = self.generator if self.generator is not None else default_generator()
        if self.replacement:
            if n == 0:
                raise ValueError(
                    "RandomSampler: cannot draw samples with replacement from an empty dataset"
                )
            return rng.integers(0, n, size=k, dtype=np.int64)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        parts = [rng.permutation(n) for _ in range(k // n)]
        if k % n:
            parts.append(rng.permutation(n)[: k % n])
        return np.concatenate(parts).astype(np.int64, copy=False) if parts \
            else np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(_ArraySampler):
    """The given ``indices`` in a random order, a new one every epoch
    (``torch.utils.data.SubsetRandomSampler``): e.g. a validation split of one dataset.

    >>> import numpy as np
    >>> from autograd.data import SubsetRandomSampler
    >>> sorted(SubsetRandomSampler([7, 3, 5], generator=1))
    [3, 5, 7]
    """

    def __init__(
        self, indices: Sequence[int], generator: np.random.Generator | int | None = None
    ) -> None:
        idx = np.asarray(indices)
        if idx.ndim != 1 or (idx.size and idx.dtype.kind not in "iu"):
            raise TypeError(
                "SubsetRandomSampler: indices must be a 1-d sequence of ints, got "
                f"{type(indices).__name__} of dtype {idx.dtype} and shape {idx.shape}"
            )
        self.indices = indices
        self._idx = idx.astype(np.int64)
        self.generator = _own_generator(generator)

    def _epoch_indices(self) -> np.ndarray:
        rng = self.generator if self.generator is not None else default_generator()
        return self._idx[rng.permutation(len(self._idx))]

    def __len__(self) -> int:
        return len(self._idx)


class WeightedRandomSampler(_ArraySampler):
    """``num_samples`` indices ``0..len(weights)-1`` drawn with probability proportional to
    ``weights`` (``torch.utils.data.WeightedRandomSampler``, i.e. ``torch.multinomial``).

    ``weights`` need not sum to one; they must be finite and non-negative with a positive sum.
    ``replacement=False`` draws distinct indices (then ``num_samples`` may not exceed the number
    of positive weights). Typical use: oversample rare classes with ``weights = 1 / class_count``
    per sample.

    Raises ``ValueError`` for a ``num_samples`` that is not a positive int, a non-bool
    ``replacement``, weights that are not 1-d, negative, non-finite or all zero, and too few
    positive weights for draws without replacement.

    >>> from autograd.data import WeightedRandomSampler
    >>> list(WeightedRandomSampler([0.0, 0.0, 1.0], num_samples=3, generator=0))
    [2, 2, 2]
    """

    def __init__(
        self, weights: Sequence[float] | Any, num_samples: int, replacement: bool = True,
        generator: np.random.Generator | int | None = None,
    ) -> None:
        what = "WeightedRandomSampler"
        num_samples = _check_num_samples(num_samples, what)
        replacement = _check_bool("replacement", replacement, what)
        # the weights are read on the host once, here: the sampler yields Python ints, and
        # PyTorch's reads GPU weights back too (an explicit copy)
        w = np.asarray(to_host(getattr(weights, "_data", weights)), dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(
                f"{what}: weights should be a 1d sequence but given weights have shape "
                f"{tuple(w.shape)}"
            )
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(f"{what}: weights must be finite and non-negative, got {w.tolist()}")
        total = w.sum()
        if not total > 0:
            raise ValueError(f"{what}: the weights sum to {total}; give at least one positive")
        positive = int(np.count_nonzero(w))
        if not replacement and num_samples > positive:
            raise ValueError(
                f"{what}: cannot draw {num_samples} distinct indices without replacement from "
                f"{positive} positive weights; lower num_samples or set replacement=True"
            )
        self.weights = w
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = _own_generator(generator)
        self._p = w / total

    def _epoch_indices(self) -> np.ndarray:
        rng = self.generator if self.generator is not None else default_generator()
        return rng.choice(len(self._p), size=self.num_samples, replace=self.replacement,
                          p=self._p).astype(np.int64, copy=False)

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """Lists of ``batch_size`` indices from ``sampler`` (``torch.utils.data.BatchSampler``); the
    last list is shorter unless ``drop_last=True`` drops it. ``sampler`` may be any iterable of
    indices, e.g. a :class:`Sampler` or a ``range``.

    Raises ``ValueError`` for a ``batch_size`` that is not a positive int or a non-bool
    ``drop_last`` (PyTorch's messages).

    >>> from autograd.data import BatchSampler
    >>> list(BatchSampler(range(7), batch_size=3, drop_last=True))
    [[0, 1, 2], [3, 4, 5]]
    """

    def __init__(self, sampler: Sampler[Any] | Iterable[Any], batch_size: int,
                 drop_last: bool) -> None:
        if not _is_int(batch_size) or batch_size <= 0:
            raise ValueError(
                "BatchSampler: batch_size should be a positive integer value, but got "
                f"batch_size={batch_size!r}"
            )
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = _check_bool("drop_last", drop_last, "BatchSampler")

    def __iter__(self) -> Iterator[list[int]]:
        for batch in self._batches():
            yield batch.tolist() if isinstance(batch, np.ndarray) else batch

    def _batches(self) -> Iterator[np.ndarray | list[int]]:
        """The batches, as int64 array slices when the sampler has a whole-epoch array (what
        the DataLoader fetches with: one fancy index, no Python list per batch)."""
        b = self.batch_size
        order = epoch_indices(self.sampler)
        if order is not None:
            stop = len(order) - len(order) % b if self.drop_last else len(order)
            for start in range(0, stop, b):
                yield order[start:start + b]
            return
        batch: list[Any] = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == b:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
