"""TensorDataset, Subset, ConcatDataset and random_split."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd.data import ConcatDataset, Dataset, Subset, TensorDataset, random_split


def test_tensor_dataset_from_arrays_and_tensors():
    X = np.arange(12.0).reshape(4, 3)
    y = ag.tensor([0, 1, 2, 3])
    ds = TensorDataset(X, y)
    assert len(ds) == 4
    x2, y2 = ds[2]
    assert isinstance(x2, ag.Tensor) and x2.tolist() == [6.0, 7.0, 8.0] and y2.item() == 2
    assert ds[-1][1].item() == 3
    assert [t.shape for t in ds.tensors] == [(4, 3), (4,)]


def test_tensor_dataset_holds_constants():
    w = ag.tensor([[1.0], [2.0]], requires_grad=True)
    ds = TensorDataset(w)
    (s,) = ds[0]
    assert not s.requires_grad and s.is_leaf


def test_tensor_dataset_errors():
    with pytest.raises(ValueError, match="same size along the first axis"):
        TensorDataset(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(np.float64(1.0))
    with pytest.raises(TypeError, match="dtype"):
        TensorDataset(np.array(["a", "b"]))
    with pytest.raises(IndexError):
        TensorDataset(np.zeros(3))[3]


def test_subset_and_concat():
    ds = TensorDataset(np.arange(5.0))
    sub = Subset(ds, [4, 0, 2])
    assert len(sub) == 3 and [sub[i][0].item() for i in range(3)] == [4.0, 0.0, 2.0]
    cat = ConcatDataset([sub, ds])
    assert len(cat) == 8
    assert [cat[i][0].item() for i in range(8)] == [4.0, 0.0, 2.0, 0.0, 1.0, 2.0, 3.0, 4.0]
    assert cat[-1][0].item() == 4.0
    with pytest.raises(IndexError):
        cat[8]
    with pytest.raises(TypeError, match="1-d sequence of ints"):
        Subset(ds, [0.5])


def test_dataset_base_class_requires_getitem():
    class Empty(Dataset):
        def __len__(self):
            return 1

    with pytest.raises(NotImplementedError, match="Empty must define __getitem__"):
        Empty()[0]


@given(n=st.integers(0, 60), k=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_random_split_counts_partition_the_dataset(n, k, seed):
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.integers(0, n + 1, size=k - 1))
    lengths = np.diff(np.concatenate([[0], cuts, [n]])).tolist()
    parts = random_split(range(n), lengths, seed=seed)
    assert [len(p) for p in parts] == lengths
    got = sorted(x for p in parts for x in (p[i] for i in range(len(p))))
    assert got == list(range(n))
    again = random_split(range(n), lengths, seed=seed)
    assert [list(p.indices) for p in parts] == [list(p.indices) for p in again]


@given(n=st.integers(0, 100), fracs=st.sampled_from([[0.8, 0.2], [0.5, 0.5], [0.7, 0.2, 0.1],
                                                      [1 / 3, 1 / 3, 1 / 3], [1.0]]))
def test_random_split_fractions(n, fracs):
    parts = random_split(range(n), fracs, seed=0)
    sizes = [len(p) for p in parts]
    assert sum(sizes) == n
    # floor(n * f) each, the remainder dealt one by one from the first split
    for s, f in zip(sizes, fracs, strict=True):
        assert int(np.floor(n * f)) <= s <= int(np.floor(n * f)) + 1


def test_random_split_generator_and_default_generator():
    a = random_split(range(20), [10, 10], generator=np.random.default_rng(3))
    b = random_split(range(20), [10, 10], generator=np.random.default_rng(3))
    assert a[0].indices == b[0].indices
    ag.manual_seed(5)
    c = random_split(range(20), [10, 10])
    ag.manual_seed(5)
    d = random_split(range(20), [10, 10])
    assert c[0].indices == d[0].indices


def test_random_split_errors():
    with pytest.raises(ValueError, match="sum to 9"):
        random_split(range(10), [4, 5])
    with pytest.raises(ValueError, match="non-negative ints"):
        random_split(range(10), [0.5, 0.6])
    with pytest.raises(ValueError, match="not both"):
        random_split(range(10), [5, 5], seed=1, generator=np.random.default_rng(1))
