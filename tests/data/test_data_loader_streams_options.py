"""DataLoader: iterable datasets with workers (sharding by get_worker_info, PyTorch's
interleaving, persistent streams), the 'spawn' start method, and the options (validation as in
PyTorch, pin_memory, batch_size=None). Each test runs under an alarm (bounded_in_time)."""

import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workers_common import Stream, batches_of, interleave

import autograd as ag
from autograd.data import (
    DataLoader,
    IterableDataset,
    SequentialSampler,
    TensorDataset,
    get_worker_info,
)

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="uses fork and SIGALRM"),
    pytest.mark.usefixtures("bounded_in_time"),
]


# ----------------------------------------------------------------------------- iterable
@pytest.mark.parametrize("n, bs, drop_last", [(11, 2, False), (11, 2, True), (3, 4, False),
                                              (0, 2, False)])
def test_iterable_dataset_shards_by_worker_info(n, bs, drop_last):
    assert [b.tolist() for b in DataLoader(Stream(n), bs, drop_last=drop_last)] == \
        interleave([list(range(n))], bs, drop_last)
    got = [b.tolist() for b in DataLoader(Stream(n), bs, drop_last=drop_last, num_workers=2)]
    assert got == interleave([list(range(0, n, 2)), list(range(1, n, 2))], bs, drop_last)
    if not drop_last:
        assert sorted(v for b in got for v in b) == list(range(n))


def test_iterable_dataset_without_sharding_repeats_in_each_worker():
    got = [b.tolist() for b in DataLoader(Stream(4, shard=False), 2, num_workers=2)]
    assert got == [[0, 1], [0, 1], [2, 3], [2, 3]]  # PyTorch's documented pitfall


def test_iterable_dataset_with_persistent_workers_restarts_each_epoch():
    loader = DataLoader(Stream(7), 2, num_workers=2, persistent_workers=True)
    first = [b.tolist() for b in loader]
    assert first == interleave([[0, 2, 4, 6], [1, 3, 5]], 2, False)
    for _ in loader:
        break
    assert [b.tolist() for b in loader] == first
    no_batch = list(DataLoader(Stream(5), batch_size=None, num_workers=2))
    assert no_batch == [0, 1, 2, 3, 4]


def test_iterable_dataset_length_and_option_errors():
    assert len(DataLoader(Stream(7), 2)) == 4 and len(DataLoader(Stream(7), 2, drop_last=True)) == 3

    class NoLen(IterableDataset):
        def __iter__(self):
            return iter([1.0])

    with pytest.raises(TypeError, match="define __len__"):
        len(DataLoader(NoLen()))
    for kw in ({"shuffle": True}, {"sampler": SequentialSampler(range(3))},
               {"batch_sampler": [[0]]}):
        name = next(iter(kw))
        with pytest.raises(ValueError, match=f"IterableDataset: expected unspecified {name}"):
            DataLoader(Stream(3), **kw)


class UnevenStreams(IterableDataset):
    """Worker k yields lengths[k] samples (k * 100, k * 100 + 1, ...); the main process all."""

    def __init__(self, lengths):
        self.lengths = lengths

    def __iter__(self):
        info = get_worker_info()
        ids = range(len(self.lengths)) if info is None else [info.id]
        return iter([k * 100 + i for k in ids for i in range(self.lengths[k])])


@settings(max_examples=10)
@given(lengths=st.lists(st.integers(0, 7), min_size=1, max_size=3), bs=st.integers(1, 3),
       drop_last=st.booleans(), prefetch=st.integers(1, 3), persistent=st.booleans())
def test_uneven_worker_streams_interleave_as_in_pytorch(lengths, bs, drop_last, prefetch,
                                                        persistent):
    loader = DataLoader(UnevenStreams(lengths), bs, drop_last=drop_last,
                        num_workers=len(lengths), prefetch_factor=prefetch,
                        persistent_workers=persistent)
    streams = [[k * 100 + i for i in range(n)] for k, n in enumerate(lengths)]
    expected = interleave(streams, bs, drop_last)
    for _epoch in range(2 if persistent else 1):
        assert [b.tolist() for b in loader] == expected


# ----------------------------------------------------------------------------- spawn
def test_spawn_start_method():
    ds = TensorDataset(np.arange(14.0).reshape(7, 2), np.arange(7))
    ref = batches_of(DataLoader(ds, 3, shuffle=True, seed=4))
    par = DataLoader(ds, 3, shuffle=True, seed=4, num_workers=2, multiprocessing_context="spawn")
    assert batches_of(par) == ref
    unpicklable = DataLoader(ds, 3, num_workers=1, multiprocessing_context="spawn",
                             collate_fn=lambda s: s)
    with pytest.raises(RuntimeError, match="define them at module level"):
        iter(unpicklable)


# ----------------------------------------------------------------------------- options
def test_pin_memory_is_accepted_and_changes_nothing():
    ds = TensorDataset(np.arange(6.0))
    assert batches_of(DataLoader(ds, 4, pin_memory=True, num_workers=1)) == \
        batches_of(DataLoader(ds, 4))


def test_option_errors_as_in_pytorch():
    ds = TensorDataset(np.zeros(4))
    cases = [
        ({"num_workers": -1}, "num_workers option should be a non-negative"),
        ({"num_workers": 1.5}, "num_workers option should be a non-negative"),
        ({"timeout": -1}, "timeout option should be non-negative"),
        ({"prefetch_factor": 2}, "prefetch_factor option could only be specified"),
        ({"num_workers": 1, "prefetch_factor": 0}, "prefetch_factor should be a positive int"),
        ({"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
        ({"sampler": [0, 1], "shuffle": True}, "sampler option is mutually exclusive with shuffle"),
        ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler option is mutually exclusive"),
        ({"batch_sampler": [[0]], "shuffle": True}, "batch_sampler option is mutually exclusive"),
        ({"batch_sampler": [[0]], "sampler": [0]}, "batch_sampler option is mutually exclusive"),
        ({"batch_sampler": [[0]], "drop_last": True}, "batch_sampler option is mutually exclusive"),
        ({"batch_size": None, "drop_last": True}, "disables auto-batching"),
        ({"multiprocessing_context": "spawn"}, "multiprocessing_context can only be used"),
    ]
    for kw, match in cases:
        with pytest.raises(ValueError, match=match):
            DataLoader(ds, **kw)
    with pytest.raises(ValueError, match="not a start method"):
        DataLoader(ds, num_workers=1, multiprocessing_context="teleport")
    with pytest.raises(TypeError, match="worker_init_fn must be callable"):
        DataLoader(ds, num_workers=1, worker_init_fn=3)
    with pytest.raises(TypeError, match="multiprocessing context"):
        DataLoader(ds, num_workers=1, multiprocessing_context=3)
    assert DataLoader(ds, num_workers=2).prefetch_factor == 2
    assert DataLoader(ds).prefetch_factor is None


def test_option_errors_are_the_ones_pytorch_raises():
    torch = pytest.importorskip("torch")
    ds = [0.0, 1.0, 2.0, 3.0]
    for kw in ({"num_workers": -1}, {"timeout": -1}, {"prefetch_factor": 2},
               {"persistent_workers": True}, {"sampler": [0, 1], "shuffle": True},
               {"batch_sampler": [[0]], "batch_size": 2}, {"batch_sampler": [[0]], "shuffle": True},
               {"batch_sampler": [[0]], "sampler": [0]}, {"batch_sampler": [[0]], "drop_last": True},
               {"batch_size": None, "drop_last": True}, {"multiprocessing_context": "spawn"}):
        with pytest.raises(ValueError):
            DataLoader(ds, **kw)
        with pytest.raises(ValueError):
            torch.utils.data.DataLoader(ds, **kw)
    # and the combinations both accept
    for kw in ({"sampler": [3, 1], "batch_size": 2}, {"batch_sampler": [[0, 2]]},
               {"batch_size": None}, {"num_workers": 1, "prefetch_factor": 3}):
        ours = [getattr(b, "tolist", lambda b=b: b)() for b in DataLoader(ds, **kw)]
        theirs = [getattr(b, "tolist", lambda b=b: b)() for b in torch.utils.data.DataLoader(ds, **kw)]
        assert ours == theirs, kw


def test_batch_size_none_yields_converted_samples():
    ds = TensorDataset(np.arange(6.0).reshape(3, 2))
    loader = DataLoader(ds, batch_size=None)
    assert len(loader) == 3
    assert [x.tolist() for (x,) in loader] == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    arrays = DataLoader([np.array([1, 2]), np.array([3, 4])], batch_size=None)
    assert all(isinstance(t, ag.Tensor) for t in arrays)


def test_default_start_method(monkeypatch):
    from autograd import devices
    from autograd.data.loader import _resolve_context
    from autograd.testing.standin_device import StandInBackend

    if sys.platform.startswith("linux"):
        assert _resolve_context(None).get_start_method() == "fork"
        # with a GPU in use too: workers only make host tensors, so forking is safe (PyTorch's)
        monkeypatch.setattr(devices, "_cuda", StandInBackend())
        assert _resolve_context(None).get_start_method() == "fork"
    assert _resolve_context("spawn").get_start_method() == "spawn"
