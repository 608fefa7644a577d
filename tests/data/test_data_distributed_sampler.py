"""DistributedSampler: shards cover the dataset, padding/cutting, per-epoch shuffles shared by
every rank, defaults from the process group, errors, and equality with PyTorch's shards."""

import sys
import types

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd.data import DataLoader, DistributedSampler, TensorDataset


@given(n=st.integers(0, 40), replicas=st.integers(1, 6), shuffle=st.booleans(),
       drop_last=st.booleans(), seed=st.integers(0, 1000), epoch=st.integers(0, 5))
def test_shards_partition_the_epoch_order(n, replicas, shuffle, drop_last, seed, epoch):
    ds = list(range(n))
    shards = []
    for rank in range(replicas):
        s = DistributedSampler(ds, replicas, rank, shuffle=shuffle, seed=seed,
                               drop_last=drop_last)
        s.set_epoch(epoch)
        shards.append(list(s))
        assert len(shards[-1]) == len(s) == s.num_samples
        assert s.total_size == s.num_samples * replicas
    sizes = {len(sh) for sh in shards}
    assert len(sizes) == 1  # every rank gets as many indices: no rank waits on the others
    # interleave the shards back: that is the (padded or cut) epoch order
    order = [shards[r][i] for i in range(len(shards[0])) for r in range(replicas)]
    if drop_last:
        assert len(order) == n - n % replicas and len(set(order)) == len(order)
    else:
        assert len(order) == -(-n // replicas) * replicas
        assert sorted(set(order)) == list(range(n))
        # padding repeats the start of the order (cyclically)
        assert order[n:] == (order[:n] * (len(order) // max(n, 1) + 1))[: len(order) - n]
    if shuffle:
        base = np.random.default_rng(seed + epoch).permutation(n).tolist()
        assert order == (base * (len(order) // max(n, 1) + 1))[: len(order)]
    else:
        assert order[: min(n, len(order))] == list(range(min(n, len(order))))


def test_set_epoch_changes_the_order_and_every_rank_agrees():
    ds = list(range(50))
    a = DistributedSampler(ds, num_replicas=2, rank=0, seed=3)
    b = DistributedSampler(ds, num_replicas=2, rank=1, seed=3)
    e0 = list(a)
    assert list(a) == e0  # no set_epoch: the same order again (PyTorch's behaviour)
    a.set_epoch(1)
    b.set_epoch(1)
    e1a, e1b = list(a), list(b)
    assert e1a != e0
    assert sorted(e1a + e1b) == ds  # both ranks used the same permutation of epoch 1
    c = DistributedSampler(ds, num_replicas=2, rank=0, seed=4)
    assert list(c) != e0  # the seed matters


def test_loader_with_distributed_sampler_reads_the_shard():
    X = np.arange(10.0)
    seen = []
    for rank in range(3):
        sampler = DistributedSampler(TensorDataset(X), num_replicas=3, rank=rank, shuffle=False)
        loader = DataLoader(TensorDataset(X), batch_size=2, sampler=sampler)
        assert len(loader) == 2
        seen += [v for (b,) in loader for v in b.tolist()]
    assert sorted(seen) == sorted(X.tolist() + [0.0, 1.0])  # 12 = 10 + 2 padded
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(TensorDataset(X), sampler=sampler, shuffle=True)


def test_defaults_come_from_the_process_group(monkeypatch):
    fake = types.ModuleType("autograd.distributed")
    fake.is_initialized = lambda: True
    fake.get_world_size = lambda: 3
    fake.get_rank = lambda: 2
    monkeypatch.setitem(sys.modules, "autograd.distributed", fake)
    s = DistributedSampler(range(7), shuffle=False)
    assert (s.num_replicas, s.rank) == (3, 2) and list(s) == [2, 5, 1]
    assert DistributedSampler(range(7), rank=0).rank == 0
    fake.is_initialized = lambda: False
    with pytest.raises(RuntimeError, match="pass num_replicas= and rank="):
        DistributedSampler(range(7))
    with pytest.raises(RuntimeError, match="rank was not given"):
        DistributedSampler(range(7), num_replicas=2)


def test_missing_distributed_module_asks_for_num_replicas_and_rank(monkeypatch):
    monkeypatch.setitem(sys.modules, "autograd.distributed", None)  # import raises ImportError
    with pytest.raises(RuntimeError, match="num_replicas was not given.*init_process_group"):
        DistributedSampler(range(7))


def test_errors():
    for bad_rank in (-1, 2, 1.0, "0"):
        with pytest.raises(ValueError, match=r"rank should be in the interval \[0, 1\]"):
            DistributedSampler(range(4), num_replicas=2, rank=bad_rank)
    for bad in (0, -1, 2.0):
        with pytest.raises(ValueError, match="num_replicas must be a positive int"):
            DistributedSampler(range(4), num_replicas=bad, rank=0)
    with pytest.raises(ValueError, match="shuffle should be a boolean"):
        DistributedSampler(range(4), 2, 0, shuffle=None)
    with pytest.raises(ValueError, match="seed must be an int"):
        DistributedSampler(range(4), 2, 0, seed=1.5)
    with pytest.raises(ValueError, match="epoch must be an int"):
        DistributedSampler(range(4), 2, 0).set_epoch("1")
    with pytest.raises(TypeError, match="support len"):
        DistributedSampler(iter(range(4)), 2, 0)


@given(n=st.integers(0, 40), replicas=st.integers(1, 6), drop_last=st.booleans(),
       data=st.data())
def test_unshuffled_shards_equal_pytorch(n, replicas, drop_last, data):
    torch = pytest.importorskip("torch")
    from torch.utils.data.distributed import DistributedSampler as TorchDistributedSampler

    rank = data.draw(st.integers(0, replicas - 1))
    ours = DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
    theirs = TorchDistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
    assert list(ours) == list(theirs) and len(ours) == len(theirs)
    shuffled = DistributedSampler(range(n), replicas, rank, shuffle=True, drop_last=drop_last)
    assert len(shuffled) == len(TorchDistributedSampler(range(n), replicas, rank,
                                                        drop_last=drop_last))
    del torch
