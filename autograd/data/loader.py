"""``DataLoader``: iterate over a dataset in mini-batches of Tensors, in this process or in
worker processes (``torch.utils.data.DataLoader``)."""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from ..random import default_generator, get_generator
from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .fetch import make_fetcher
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, _is_int


class _InfiniteConstantSampler(Sampler[None]):
    """The "indices" of an iterable dataset: ``None`` forever (the stream decides the end)."""

    def __iter__(self) -> Iterator[None]:
        while True:
            yield None


def _check_nonneg_int(name: str, value: Any, hint: str = "") -> int:
    if not _is_int(value) or value < 0:
        raise ValueError(
            f"DataLoader: {name} option should be a non-negative int, got {value!r}{hint}"
        )
    return int(value)


def _resolve_context(context: Any) -> Any:
    """A multiprocessing context: the one given, a start method by name, or the default
    ('fork' where it exists: fast, and nothing needs pickling; workers make host tensors only,
    so a parent that uses a GPU forks safely, as PyTorch's; else the platform's default)."""
    if context is None:
        methods = multiprocessing.get_all_start_methods()
        if "fork" in methods and sys.platform != "darwin":
            return multiprocessing.get_context("fork")
        return multiprocessing.get_context()
    if isinstance(context, str):
        methods = multiprocessing.get_all_start_methods()
        if context not in methods:
            raise ValueError(
                f"DataLoader: multiprocessing_context={context!r} is not a start method on this "
                f"platform; choose one of {methods}"
            )
        return multiprocessing.get_context(context)
    if not hasattr(context, "Process") or not hasattr(context, "Queue"):
        raise TypeError(
            "DataLoader: multiprocessing_context must be a start method name ('fork', 'spawn', "
            f"'forkserver') or a multiprocessing context, got {type(context).__name__}"
        )
    return context


class DataLoader:
    """Batches of ``dataset``, collated into Tensors (``torch.utils.data.DataLoader``).

    **What is iterated.** A map-style dataset (``len`` and ``ds[i]``: a :class:`TensorDataset`,
    a list, your :class:`Dataset`) is visited in the order of a *sampler*: ``shuffle=False`` is a
    :class:`SequentialSampler`, ``shuffle=True`` a :class:`RandomSampler` (a new permutation
    every epoch, i.e. every ``iter(loader)``), or pass your own ``sampler=`` (e.g. a
    :class:`WeightedRandomSampler` or a :class:`DistributedSampler`). Indices are grouped into
    batches of ``batch_size`` (``drop_last=True`` skips a short final batch), or pass a
    ``batch_sampler=`` that yields lists of indices. ``batch_size=None`` turns batching off:
    each sample is yielded alone, converted by :func:`default_convert`. An
    :class:`IterableDataset` is read as a stream, ``batch_size`` samples at a time.

    **Collation.** ``collate_fn(list_of_samples)`` builds a batch; the default is
    :func:`default_collate`. Over a :class:`TensorDataset` (or a :class:`Subset` of one) the
    default gathers each batch with one fancy index instead of stacking samples; same result.

    **Randomness.** Shuffling draws from ``seed`` (an int: two loaders with the same seed give
    the same batches, epoch after epoch), else ``generator`` (a ``numpy.random.Generator`` you
    own), else autograd's default generator (so ``autograd.manual_seed`` makes it reproducible).
    As in PyTorch, each ``iter(loader)`` first draws one ``base_seed`` from that same source,
    with or without workers, so the batches never depend on ``num_workers``. (One difference:
    PyTorch draws it only once for ``persistent_workers``; here every epoch draws one, so that
    the orders stay those of ``num_workers=0``. Persistent workers keep the seeds they started
    with.) ``seed=`` is a tapegrad addition; PyTorch has only ``generator=``.

    **Workers.** ``num_workers > 0`` fetches and collates batches in that many worker processes
    (``multiprocessing``; the 'fork' start method on Linux: workers make host tensors only, so
    a parent using a GPU forks safely), or ``multiprocessing_context=`` such as ``'spawn'``,
    which needs a picklable dataset, ``collate_fn`` and ``worker_init_fn`` defined at module
    level). The batches are the same, in the same order, as with ``num_workers=0``. Each
    worker seeds Python's ``random``, ``autograd.manual_seed`` and
    NumPy's global generator from ``base_seed + worker_id`` (see
    :func:`autograd.data.worker.seed_worker`), then calls ``worker_init_fn(worker_id)``;
    :func:`get_worker_info` tells a worker who it is. At most ``prefetch_factor * num_workers``
    batches (default 2 per worker) are fetched ahead. An exception in a worker is re-raised here
    with the worker's traceback in its message; ``timeout > 0`` raises ``RuntimeError`` when a
    batch takes longer than that many seconds; a worker that dies raises ``RuntimeError``.
    Workers stop at the end of each epoch, when the loop is left early (``break``, an exception,
    ``del`` of the iterator) and when the program ends; ``persistent_workers=True`` keeps them
    for the next epoch instead (until the loader is garbage). Batches cross processes pickled:
    Tensors travel as arrays, and must be constants or leaves (a graph cannot cross processes).

    **pin_memory** is accepted and does nothing: pinned (page-locked) host memory only speeds
    host-to-GPU copies, and batches are NumPy arrays on the host.

    Raises ``ValueError`` for the option combinations PyTorch refuses (``sampler`` with
    ``shuffle``; ``batch_sampler`` with ``batch_size``/``shuffle``/``sampler``/``drop_last``;
    ``batch_size=None`` with ``drop_last``; ``shuffle``/``sampler``/``batch_sampler`` with an
    :class:`IterableDataset`; ``prefetch_factor`` or ``persistent_workers`` without workers;
    ``multiprocessing_context`` without workers; negative ``num_workers`` or ``timeout``;
    ``seed`` with ``generator``), ``TypeError`` for a dataset that is neither map-style nor an
    :class:`IterableDataset` and for arguments of the wrong type.

    ``batch_size=len(dataset)`` is full-batch gradient descent, ``batch_size=1`` is SGD.

    >>> import numpy as np
    >>> from autograd.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(np.arange(6.0))
    >>> [b.tolist() for (b,) in DataLoader(ds, batch_size=4, shuffle=True, seed=0)]
    [[3.0, 2.0, 5.0, 4.0], [0.0, 1.0]]
    >>> [b.tolist() for (b,) in DataLoader(ds, batch_size=4, shuffle=True, seed=0, num_workers=2)]
    [[3.0, 2.0, 5.0, 4.0], [0.0, 1.0]]
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = False,
        sampler: Sampler[Any] | Iterable[Any] | None = None,
        batch_sampler: Sampler[Any] | Iterable[Any] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: np.random.Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        seed: int | None = None,
    ) -> None:
        iterable = isinstance(dataset, IterableDataset)
        if not iterable and not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                f"DataLoader: dataset must support len() and indexing (a map-style dataset) or "
                f"be an IterableDataset, got {type(dataset).__name__}"
            )
        if batch_size is not None and (not _is_int(batch_size) or batch_size < 1):
            raise ValueError(
                f"DataLoader: batch_size must be a positive int, got {batch_size!r} "
                "(for full-batch training use batch_size=len(dataset); None turns batching off)"
            )
        num_workers = _check_nonneg_int(
            "num_workers", num_workers, "; use num_workers=0 to disable multiprocessing")
        if not isinstance(timeout, (int, float, np.integer, np.floating)) \
                or isinstance(timeout, bool) or not timeout >= 0:
            raise ValueError(f"DataLoader: timeout option should be non-negative, got {timeout!r}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "DataLoader: prefetch_factor option could only be specified in multiprocessing; "
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                "to None"
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and (not _is_int(prefetch_factor) or prefetch_factor < 1):
            raise ValueError(
                f"DataLoader: prefetch_factor should be a positive int, got {prefetch_factor!r}"
            )
        if persistent_workers and num_workers == 0:
            raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")
        if iterable:
            for name, value, unset in (("shuffle", shuffle, (False, None)),
                                       ("sampler", sampler, (None,)),
                                       ("batch_sampler", batch_sampler, (None,))):
                if not any(value is u for u in unset):
                    raise ValueError(
                        f"DataLoader with IterableDataset: expected unspecified {name} option, "
                        f"but got {name}={value!r} (a stream has no indices to order; shuffle "
                        "or shard inside the dataset's __iter__)"
                    )
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "DataLoader: batch_sampler option is mutually exclusive with batch_size, "
                    "shuffle, sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "DataLoader: batch_size=None option disables auto-batching and is mutually "
                "exclusive with drop_last"
            )
        if seed is not None and generator is not None:
            raise ValueError("DataLoader: give seed or generator, not both")
        if seed is not None and not _is_int(seed):
            raise TypeError(f"DataLoader: seed must be an int, got {type(seed).__name__}")
        for name, fn in (("collate_fn", collate_fn), ("worker_init_fn", worker_init_fn)):
            if fn is not None and not callable(fn):
                raise TypeError(f"DataLoader: {name} must be callable")

        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = bool(drop_last)
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = bool(persistent_workers)
        self.pin_memory = bool(pin_memory)  # a no-op: see the class docstring
        self.timeout = float(timeout)
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        if multiprocessing_context is not None:
            if num_workers == 0:
                raise ValueError(
                    "DataLoader: multiprocessing_context can only be used with multi-process "
                    "loading (num_workers > 0), but got num_workers=0"
                )
            _resolve_context(multiprocessing_context)  # validate now, not at the first epoch
        self.seed = seed
        # One generator for the loader's life: successive epochs get different orders, and the
        # whole sequence of epochs is fixed by the seed.
        self.generator: np.random.Generator | None = (
            get_generator(int(seed)) if seed is not None
            else get_generator(generator) if generator is not None else None
        )
        self._iterable = iterable
        if sampler is None:
            if iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=self.generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, self.drop_last)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self._auto_collation = batch_sampler is not None
        self._index_sampler = batch_sampler if batch_sampler is not None else sampler
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self._iterator: Any = None  # the persistent workers' iterator

    def _mp_context(self) -> Any:
        return _resolve_context(self.multiprocessing_context)

    def __len__(self) -> int:
        """Number of batches per epoch (samples when ``batch_size=None``).

        For an :class:`IterableDataset` it is computed from ``len(dataset)``, which must exist
        (``TypeError`` otherwise); with workers that do not shard the stream it is an estimate,
        as in PyTorch.
        """
        if self._iterable:
            if not hasattr(self.dataset, "__len__"):
                raise TypeError(
                    f"DataLoader: len() needs the IterableDataset {type(self.dataset).__name__} "
                    "to define __len__"
                )
            n = len(self.dataset)
            b = self.batch_size
            if b is None:
                return n
            return n // b if self.drop_last else -(-n // b)
        return len(self._index_sampler)  # type: ignore[arg-type]

    def _base_seed(self) -> int:
        rng = self.generator if self.generator is not None else default_generator()
        return int(rng.integers(0, 2**63 - 1, dtype=np.int64))

    def __iter__(self) -> Iterator[Any]:
        base_seed = self._base_seed()
        if self.num_workers == 0:
            return self._single_process()
        from .multiprocess import MultiProcessIter

        if not self.persistent_workers:
            return MultiProcessIter(self, base_seed)
        if self._iterator is None or self._iterator._shutdown:
            self._iterator = MultiProcessIter(self, base_seed)
        else:
            self._iterator._reset(self)
        return self._iterator  # type: ignore[no-any-return]

    def _indices(self) -> Iterator[Any]:
        """One epoch of the index sampler, as what the fetchers take (see BatchSampler)."""
        s = self._index_sampler
        if isinstance(s, BatchSampler) and type(s).__iter__ is BatchSampler.__iter__:
            return s._batches()
        return iter(s)

    def _single_process(self) -> Iterator[Any]:
        fetcher = make_fetcher(self.dataset, self._iterable, self._auto_collation,
                               self.collate_fn, self.drop_last)
        for index in self._indices():
            if self._iterable:
                try:
                    batch = fetcher.fetch(index)
                except StopIteration:
                    return
                yield batch
            else:
                yield fetcher.fetch(index)

    def __repr__(self) -> str:
        size = "a stream" if self._iterable else f"{len(self.dataset)} samples"
        workers = f", num_workers={self.num_workers}" if self.num_workers else ""
        return (
            f"DataLoader(dataset of {size}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}{workers})"
        )
