"""DataLoader: batch sizes, drop_last, shuffling reproducibility, fast path == generic path."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd.data import DataLoader, Dataset, Subset, TensorDataset, default_collate
from autograd.testing import assert_array_equal

sizes = st.integers(0, 40)
batch_sizes = st.integers(1, 45)


class ListDataset(Dataset):
    """A plain dataset (no fast path): samples are (features, label) tuples of arrays/ints."""

    def __init__(self, X, y):
        self.X, self.y = X, y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.X[i], int(self.y[i])


def make(n):
    X = np.arange(n * 3, dtype=np.float64).reshape(n, 3)
    y = np.arange(n) % 4
    return X, y


@given(n=sizes, bs=batch_sizes, drop_last=st.booleans())
def test_batch_sizes_and_order_without_shuffle(n, bs, drop_last):
    X, y = make(n)
    loader = DataLoader(TensorDataset(X, y), batch_size=bs, drop_last=drop_last)
    batches = list(loader)
    expected = n // bs if drop_last else math.ceil(n / bs)
    assert len(loader) == len(batches) == expected
    for xb, yb in batches[:-1]:
        assert xb.shape == (bs, 3) and yb.shape == (bs,)
    if batches:
        last = batches[-1][0].shape[0]
        assert last == (bs if drop_last or n % bs == 0 else n % bs)
        seen = np.concatenate([xb.detach().cpu().numpy() for xb, _ in batches])
        assert_array_equal(seen, X[: len(seen)])
        assert len(seen) == (n - n % bs if drop_last else n)


@given(n=sizes, bs=batch_sizes, drop_last=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_shuffle_is_a_permutation_and_reproducible_for_a_seed(n, bs, drop_last, seed):
    X, y = make(n)
    ds = TensorDataset(X, y)
    a = DataLoader(ds, batch_size=bs, shuffle=True, drop_last=drop_last, seed=seed)
    b = DataLoader(ds, batch_size=bs, shuffle=True, drop_last=drop_last, seed=seed)
    for _epoch in range(2):
        ea, eb = list(a), list(b)
        assert len(ea) == len(eb) == len(a)
        for (xa, ya), (xb, yb) in zip(ea, eb, strict=True):
            assert_array_equal(xa.detach().cpu().numpy(), xb.detach().cpu().numpy())
            assert_array_equal(ya.detach().cpu().numpy(), yb.detach().cpu().numpy())
        rows = [r for xb_, _ in ea for r in (xb_.detach().cpu().numpy()[:, 0] / 3).astype(int).tolist()]
        assert len(set(rows)) == len(rows)  # no sample twice in one epoch
        if not drop_last:
            assert sorted(rows) == list(range(n))
        for xb_, yb_ in ea:  # labels stay paired with their features
            assert_array_equal(yb_.detach().cpu().numpy(), (xb_.detach().cpu().numpy()[:, 0] / 3).astype(int) % 4)


@given(n=sizes, bs=batch_sizes, drop_last=st.booleans(), shuffle=st.booleans(),
       seed=st.integers(0, 1000))
def test_fast_path_matches_per_sample_collate(n, bs, drop_last, shuffle, seed):
    X, y = make(n)
    fast = DataLoader(TensorDataset(X, y), batch_size=bs, shuffle=shuffle, drop_last=drop_last,
                      seed=seed)
    slow = DataLoader(ListDataset(X, y), batch_size=bs, shuffle=shuffle, drop_last=drop_last,
                      seed=seed)
    forced = DataLoader(TensorDataset(X, y), batch_size=bs, shuffle=shuffle,
                        drop_last=drop_last, seed=seed, collate_fn=lambda s: default_collate(s))
    for (xf, yf), (xs, ys), (xc, yc) in zip(fast, slow, forced, strict=True):
        for a, b in ((xf, xs), (yf, ys), (xf, xc), (yf, yc)):
            assert a.shape == b.shape and a.dtype == b.dtype
            assert_array_equal(a.detach().cpu().numpy(), b.detach().cpu().numpy())


@given(n=st.integers(1, 30), bs=batch_sizes, seed=st.integers(0, 1000))
def test_subset_fast_path_matches_indexing(n, bs, seed):
    X, y = make(n)
    idx = np.random.default_rng(seed).permutation(n)[: max(1, n // 2)].tolist()
    sub = Subset(TensorDataset(X, y), idx)
    for start, (xb, yb) in zip(range(0, len(idx), bs), DataLoader(sub, batch_size=bs), strict=True):
        assert_array_equal(xb.detach().cpu().numpy(), X[idx[start:start + bs]])
        assert_array_equal(yb.detach().cpu().numpy(), y[idx[start:start + bs]])


def test_epochs_get_different_orders_from_one_seed():
    loader = DataLoader(TensorDataset(np.arange(50.0)), batch_size=50, shuffle=True, seed=0)
    (e1,), (e2,) = list(loader)[0], list(loader)[0]
    assert sorted(e1.tolist()) == sorted(e2.tolist())
    assert e1.tolist() != e2.tolist()


def test_generator_and_manual_seed_reproducibility():
    ds = TensorDataset(np.arange(20.0))

    def order(loader):
        return [v for (b,) in loader for v in b.tolist()]

    g1, g2 = np.random.default_rng(7), np.random.default_rng(7)
    assert order(DataLoader(ds, 4, shuffle=True, generator=g1)) == \
        order(DataLoader(ds, 4, shuffle=True, generator=g2))
    ag.manual_seed(11)
    o1 = order(DataLoader(ds, 4, shuffle=True))
    ag.manual_seed(11)
    o2 = order(DataLoader(ds, 4, shuffle=True))
    assert o1 == o2 and sorted(o1) == list(range(20))


def test_full_batch_minibatch_and_batch_size_one():
    X, y = make(10)
    ds = TensorDataset(X, y)
    (xb, yb), = list(DataLoader(ds, batch_size=len(ds)))
    assert_array_equal(xb.detach().cpu().numpy(), X)
    singles = list(DataLoader(ds, batch_size=1, shuffle=True, seed=1))
    assert len(singles) == 10 and all(xb.shape == (1, 3) for xb, _ in singles)
    assert [b[0].shape[0] for b in DataLoader(ds, batch_size=4)] == [4, 4, 2]


def test_custom_collate_and_non_tensor_datasets():
    loader = DataLoader([1.0, 2.0, 3.0], batch_size=2, collate_fn=lambda s: sum(s))
    assert list(loader) == [3.0, 3.0]
    loader = DataLoader([{"x": 1.0, "y": 2}, {"x": 3.0, "y": 4}], batch_size=2)
    (batch,) = list(loader)
    assert batch["x"].tolist() == [1.0, 3.0] and batch["y"].tolist() == [2, 4]


def test_empty_dataset_gives_no_batches():
    loader = DataLoader(TensorDataset(np.zeros((0, 2))), batch_size=3, shuffle=True, seed=0)
    assert len(loader) == 0 and list(loader) == []


def test_argument_errors():
    ds = TensorDataset(np.zeros(3))
    for bad in (0, -1, 2.0, True):  # None turns batching off (PyTorch): see test_data_loader_options
        with pytest.raises(ValueError, match="batch_size must be a positive int"):
            DataLoader(ds, batch_size=bad)
    with pytest.raises(ValueError, match="not both"):
        DataLoader(ds, seed=1, generator=np.random.default_rng(1))
    with pytest.raises(TypeError, match="seed must be an int"):
        DataLoader(ds, seed=1.5)
    with pytest.raises(TypeError, match="map-style dataset"):
        DataLoader(iter([1, 2]))
    with pytest.raises(TypeError, match="generator must be"):
        DataLoader(ds, generator="rng")


def test_batches_of_host_data_are_host_tensors_whatever_the_default_device():
    """A CPU data pipeline beside a GPU model: arrays and numbers collate on the host (with
    ``--device=stand-in`` the default device is cuda); moving a batch is ``xb.to(device)``."""
    X = np.arange(8.0).reshape(4, 2)
    for xb, yb in DataLoader(TensorDataset(X, np.arange(4)), batch_size=2):
        assert xb.device.type == "cpu" and yb.device.type == "cpu"
    (nb,) = DataLoader([1.5, 2.5], batch_size=2)
    assert nb.device.type == "cpu" and nb.tolist() == [1.5, 2.5]
    moved = xb.to(ag.get_default_device())
    assert moved.device == ag.get_default_device() and moved.tolist() == xb.tolist()
