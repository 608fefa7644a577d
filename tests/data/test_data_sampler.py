"""Samplers: orders, lengths, distributions, reproducibility, errors, PyTorch equality."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
)
from autograd.testing import assert_array_less


class ListSampler(Sampler):
    """A user sampler with its own __iter__ (no whole-epoch shortcut)."""

    def __init__(self, order):
        self.order = list(order)

    def __iter__(self):
        return iter(self.order)

    def __len__(self):
        return len(self.order)


class ReversedSequential(SequentialSampler):
    """A subclass overriding __iter__: BatchSampler must follow it, not the base's array."""

    def __iter__(self):
        return iter(range(len(self.data_source) - 1, -1, -1))


def test_sequential_sampler():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    assert len(SequentialSampler([None] * 7)) == 7
    assert list(SequentialSampler([])) == []
    assert all(type(i) is int for i in SequentialSampler(range(3)))


def test_sampler_base_needs_iter():
    with pytest.raises(NotImplementedError, match="must define __iter__"):
        iter(Sampler())
    Sampler(range(3))  # data_source accepted, as in PyTorch


@given(n=st.integers(1, 30), seed=st.integers(0, 2**32 - 1))
def test_random_sampler_is_a_fresh_permutation_each_epoch(n, seed):
    s = RandomSampler(range(n), generator=seed)
    t = RandomSampler(range(n), generator=np.random.default_rng(seed))
    e1, e2 = list(s), list(s)
    assert sorted(e1) == sorted(e2) == list(range(n)) and len(s) == n
    assert [e1, e2] == [list(t), list(t)]  # an int seed is the same as a Generator of it


def test_random_sampler_follows_manual_seed():
    ag.manual_seed(5)
    a = list(RandomSampler(range(20)))
    ag.manual_seed(5)
    b = list(RandomSampler(range(20)))
    assert a == b and sorted(a) == list(range(20))


@given(n=st.integers(1, 10), k=st.integers(1, 40), seed=st.integers(0, 1000))
def test_random_sampler_num_samples_without_replacement_repeats_whole_permutations(n, k, seed):
    order = list(RandomSampler(range(n), num_samples=k, generator=seed))
    assert len(order) == k
    counts = np.bincount(order, minlength=n)
    assert set(counts.tolist()) <= {k // n, k // n + 1}
    for start in range(0, k - k % n, n):  # each full block is a permutation
        assert sorted(order[start:start + n]) == list(range(n))


def test_random_sampler_with_replacement_is_uniform():
    n, k = 5, 50_000
    s = RandomSampler(range(n), replacement=True, num_samples=k, generator=0)
    order = np.array(list(s))
    assert len(s) == k and order.min() >= 0 and order.max() < n
    freq = np.bincount(order, minlength=n) / k
    sd = np.sqrt(0.2 * 0.8 / k)
    assert_array_less(np.abs(freq - 0.2), 5 * sd)  # 5 sigma: essentially never fails
    assert len(list(RandomSampler(range(3), replacement=True))) == 3  # default num_samples = n


def test_random_sampler_empty_dataset_and_errors():
    assert list(RandomSampler([])) == [] and len(RandomSampler([])) == 0
    with pytest.raises(ValueError, match="empty dataset"):
        list(RandomSampler([], replacement=True, num_samples=2))
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        RandomSampler(range(3), replacement=1)
    for bad in (0, -2, 1.5, True, "3"):
        with pytest.raises(ValueError, match="num_samples should be a positive integer"):
            RandomSampler(range(3), num_samples=bad)
    with pytest.raises(TypeError, match="generator must be"):
        RandomSampler(range(3), generator="seed")


def test_subset_random_sampler():
    idx = [10, 3, 7, 7, 1]
    s = SubsetRandomSampler(idx, generator=0)
    e1, e2 = list(s), list(s)
    assert sorted(e1) == sorted(e2) == sorted(idx) and len(s) == 5 and e1 != e2
    assert list(SubsetRandomSampler([])) == []
    with pytest.raises(TypeError, match="1-d sequence of ints"):
        SubsetRandomSampler([0.5, 1.0])
    with pytest.raises(TypeError, match="1-d sequence of ints"):
        SubsetRandomSampler([[0, 1]])


def test_weighted_random_sampler_frequencies_follow_the_weights():
    w = np.array([1.0, 3.0, 0.0, 6.0])
    k = 40_000
    order = np.array(list(WeightedRandomSampler(w, k, generator=0)))
    p = w / w.sum()
    freq = np.bincount(order, minlength=4) / k
    assert_array_less(np.abs(freq - p), 5 * np.sqrt(p * (1 - p) / k) + 1e-12)
    assert freq[2] == 0
    # a Tensor of weights works too, and the same seed gives the same draws
    a = list(WeightedRandomSampler(ag.tensor(w), 50, generator=3))
    b = list(WeightedRandomSampler(w.tolist(), 50, generator=3))
    assert a == b and len(WeightedRandomSampler(w, 50)) == 50


def test_weighted_random_sampler_without_replacement_draws_distinct_indices():
    for seed in range(20):
        order = list(WeightedRandomSampler([1.0, 2.0, 0.0, 4.0], 3, replacement=False,
                                           generator=seed))
        assert sorted(order) == [0, 1, 3]


def test_weighted_random_sampler_errors():
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        WeightedRandomSampler([1.0], 0)
    with pytest.raises(ValueError, match="replacement should be a boolean"):
        WeightedRandomSampler([1.0], 1, replacement="yes")
    with pytest.raises(ValueError, match="1d sequence"):
        WeightedRandomSampler([[1.0, 2.0]], 1)
    with pytest.raises(ValueError, match="non-negative"):
        WeightedRandomSampler([1.0, -1.0], 1)
    with pytest.raises(ValueError, match="non-negative"):
        WeightedRandomSampler([1.0, np.nan], 1)
    with pytest.raises(ValueError, match="at least one positive"):
        WeightedRandomSampler([0.0, 0.0], 1)
    with pytest.raises(ValueError, match="without replacement"):
        WeightedRandomSampler([1.0, 0.0, 1.0], 3, replacement=False)


def chunks(order, bs, drop_last):
    out = [order[i:i + bs] for i in range(0, len(order), bs)]
    if drop_last and out and len(out[-1]) < bs:
        out.pop()
    return out


@given(n=st.integers(0, 30), bs=st.integers(1, 12), drop_last=st.booleans(),
       seed=st.integers(0, 1000))
def test_batch_sampler_groups_any_sampler(n, bs, drop_last, seed):
    order = np.random.default_rng(seed).permutation(n).tolist()
    for sampler in (ListSampler(order), SequentialSampler(range(n)), ReversedSequential(range(n)),
                    range(n)):
        expected = chunks(list(sampler), bs, drop_last)
        b = BatchSampler(sampler, bs, drop_last)
        got = list(b)
        assert got == expected and len(b) == len(expected)
        assert all(type(i) is int for batch in got for i in batch)
    # the whole-epoch shortcut draws the same permutation as iterating the sampler
    fast = list(BatchSampler(RandomSampler(range(n), generator=seed), bs, drop_last))
    slow = chunks(list(RandomSampler(range(n), generator=seed)), bs, drop_last)
    assert fast == slow


def test_batch_sampler_errors():
    for bad in (0, -1, 2.5, True, None):
        with pytest.raises(ValueError, match="batch_size should be a positive integer"):
            BatchSampler(range(3), bad, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean"):
        BatchSampler(range(3), 2, 1)


def test_loader_uses_samplers_like_pytorch():
    ds = TensorDataset(np.arange(10.0))
    w = np.zeros(10)
    w[[2, 5]] = 1.0
    loader = DataLoader(ds, batch_size=4, sampler=WeightedRandomSampler(w, 8, generator=0))
    assert len(loader) == 2
    assert {v for (b,) in loader for v in b.tolist()} <= {2.0, 5.0}
    loader = DataLoader(ds, batch_sampler=[[3, 1], [0, 9, 9]])
    assert [b.tolist() for (b,) in loader] == [[3.0, 1.0], [0.0, 9.0, 9.0]] and len(loader) == 2
    loader = DataLoader(ds, batch_size=3, sampler=SubsetRandomSampler([1, 4, 7], generator=1))
    assert sorted(v for (b,) in loader for v in b.tolist()) == [1.0, 4.0, 7.0]
    assert isinstance(DataLoader(ds, shuffle=True).sampler, RandomSampler)
    assert isinstance(DataLoader(ds).sampler, SequentialSampler)
    assert isinstance(DataLoader(ds, batch_size=2).batch_sampler, BatchSampler)


@given(n=st.integers(0, 30), bs=st.integers(1, 12), drop_last=st.booleans())
def test_batch_and_sequential_samplers_equal_pytorch(n, bs, drop_last):
    torch = pytest.importorskip("torch")
    tdata = torch.utils.data
    ours = list(BatchSampler(SequentialSampler(range(n)), bs, drop_last))
    theirs = list(tdata.BatchSampler(tdata.SequentialSampler(range(n)), bs, drop_last))
    assert ours == theirs
    assert len(BatchSampler(range(n), bs, drop_last)) == len(tdata.BatchSampler(range(n), bs,
                                                                                 drop_last))
