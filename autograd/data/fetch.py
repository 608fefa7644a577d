"""Fetchers: turn one item of a loader's index sampler into a batch, the same way in the main
process (``num_workers=0``) and in worker processes.

- Map-style datasets: the item is a list of indices (automatic batching: the samples are
  collated) or one index (``batch_size=None``: the sample is only converted).
- Iterable-style datasets: the item only says how many samples to take from the dataset's
  iterator; a fetcher raises ``StopIteration`` once the iterator is exhausted (and, with
  ``drop_last``, instead of returning a short final batch).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .collate import default_collate
from .dataset import fast_batch


class MapFetcher:
    """Samples ``dataset[i]`` for the indices of a batch, collated by ``collate_fn``."""

    def __init__(self, dataset: Any, auto_collation: bool,
                 collate_fn: Callable[[Any], Any]) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        # The default collate over a TensorDataset (or a Subset of one) is one fancy index.
        self.fast = auto_collation and collate_fn is default_collate

    def fetch(self, index: Any) -> Any:
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.fast and len(index):
            batch = fast_batch(self.dataset, index)
            if batch is not None:
                return batch
        return self.collate_fn([self.dataset[int(i)] for i in index])


class IterableFetcher:
    """The next samples of ``iter(dataset)``, collated by ``collate_fn``."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable[[Any], Any],
                 drop_last: bool) -> None:
        self.iterator: Iterator[Any] = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index: Any) -> Any:
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.iterator))
        samples = []
        for _ in index:
            try:
                samples.append(next(self.iterator))
            except StopIteration:
                self.ended = True
                break
        if not samples or (self.drop_last and len(samples) < len(index)):
            raise StopIteration
        return self.collate_fn(samples)


def make_fetcher(dataset: Any, iterable: bool, auto_collation: bool,
                 collate_fn: Callable[[Any], Any], drop_last: bool) -> MapFetcher | IterableFetcher:
    if iterable:
        return IterableFetcher(dataset, auto_collation, collate_fn, drop_last)
    return MapFetcher(dataset, auto_collation, collate_fn)
