"""DataLoader with worker processes: the same batches as num_workers=0, seeds and worker info,
errors from workers, timeouts, dead workers, clean shutdown (no process left behind) and
persistent workers. Iterable datasets, 'spawn' and the options are in
test_data_loader_streams_options.py; the helpers in workers_common.py.

Every test runs under an alarm (the bounded_in_time fixture): a hang fails the test instead of
stalling the suite.
"""

import os
import random
import signal
import sys
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workers_common import (
    Pids,
    Randoms,
    Rows,
    alive,
    assert_gone,
    batches_of,
    catch,
    mark_init,
    pids_in,
)

import autograd as ag
from autograd.data import DataLoader, Dataset, TensorDataset, WeightedRandomSampler, get_worker_info
from autograd.testing import assert_array_equal

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="uses fork, SIGALRM and SIGKILL"),
    pytest.mark.usefixtures("bounded_in_time"),
]


# ----------------------------------------------------------------------------- same batches
@pytest.mark.parametrize("make_ds", [lambda: TensorDataset(np.arange(26.0).reshape(13, 2),
                                                           np.arange(13) % 3),
                                     lambda: Rows(13)])
@pytest.mark.parametrize("bs, shuffle, drop_last, workers, prefetch",
                         [(4, True, False, 2, None), (3, False, True, 3, 1), (5, True, True, 1, 3),
                          (1, True, False, 2, 1), (20, False, False, 2, None)])
def test_workers_give_the_same_batches_in_the_same_order(make_ds, bs, shuffle, drop_last,
                                                         workers, prefetch):
    ds = make_ds()
    ref = DataLoader(ds, bs, shuffle=shuffle, drop_last=drop_last, seed=7)
    par = DataLoader(ds, bs, shuffle=shuffle, drop_last=drop_last, seed=7, num_workers=workers,
                     prefetch_factor=prefetch)
    assert len(par) == len(ref)
    for _epoch in range(2):  # the second epoch has a different order, equal in both loaders
        expected = batches_of(ref)
        assert batches_of(par) == expected and len(expected) == len(ref)


def test_batches_arriving_out_of_order_are_yielded_in_order():
    # worker 0 is slow on the first batch: worker 1's batches arrive first and must wait
    got = list(DataLoader(Pids(12, sleep_at=0, sleep_s=0.5), batch_size=2, num_workers=2))
    assert [b[0].tolist() for b in got] == [[2 * k, 2 * k + 1] for k in range(6)]
    assert len(pids_in(got)) == 2


def test_same_batches_with_a_sampler_a_batch_sampler_and_no_batching():
    ds = Rows(9)
    w = np.linspace(0.0, 1.0, 9)
    for make_kw in (lambda: {"batch_size": 2, "sampler": WeightedRandomSampler(w, 12, generator=3)},
                    lambda: {"batch_sampler": [[8, 1], [2], [0, 0, 5]]},
                    lambda: {"batch_size": None},
                    lambda: {"batch_size": None, "shuffle": True},
                    lambda: {"batch_size": 4, "collate_fn": lambda s: [x for x, _ in s]}):
        ag.manual_seed(0)
        expected = batches_of(DataLoader(ds, **make_kw()))
        ag.manual_seed(0)
        assert batches_of(DataLoader(ds, num_workers=2, **make_kw())) == expected, make_kw()


def test_global_generator_use_is_the_same_with_and_without_workers():
    """Each iter(loader) draws one base seed from the loader's source, with or without workers,
    so code drawing random numbers after an epoch sees the same stream either way."""
    ds = TensorDataset(np.arange(10.0))
    after = []
    for workers in (0, 2):
        ag.manual_seed(1)
        order = batches_of(DataLoader(ds, 3, shuffle=True, num_workers=workers))
        after.append((order, ag.rand(3).tolist()))
    assert after[0] == after[1]


# ----------------------------------------------------------------------------- seeds, info
def test_worker_seeds_info_and_init_fn():
    loader = DataLoader(Randoms(), batch_size=2, num_workers=2, seed=5, worker_init_fn=mark_init,
                        collate_fn=lambda s: s)
    epoch1 = [s for b in loader for s in b]
    # base_seed is the first draw of the loader's generator, as in PyTorch
    base = int(np.random.default_rng(5).integers(0, 2**63 - 1, dtype=np.int64))
    for k, s in enumerate(epoch1):
        assert s["id"] == (k // 2) % 2  # batches go round-robin to the workers
        assert s["num_workers"] == 2 and s["seed"] == base + s["id"]
        assert s["same_dataset"] and s["init"] == s["id"]
    by_worker = {w: [s for s in epoch1 if s["id"] == w] for w in (0, 1)}
    for source in ("np", "ag", "py"):  # workers draw different numbers from every source
        assert by_worker[0][0][source] != by_worker[1][0][source]
    for w, samples in by_worker.items():  # ... exactly the ones their seeds give
        seed = base + w
        legacy = np.random.RandomState(np.random.SeedSequence([w, base]).generate_state(4))
        py = random.Random(seed)
        ag_rng = np.random.default_rng(seed)
        for s in samples:
            assert s["np"] == legacy.rand() and s["py"] == py.random()
            assert s["ag"] == ag.rand((), generator=ag_rng).item()
    epoch2 = [s for b in loader for s in b]
    assert epoch2[0]["seed"] != epoch1[0]["seed"]  # a new base seed every epoch
    again = DataLoader(Randoms(), batch_size=2, num_workers=2, seed=5, worker_init_fn=mark_init,
                       collate_fn=lambda s: s)
    assert [s for b in again for s in b] == epoch1  # the seed fixes every worker's numbers
    assert get_worker_info() is None


# ----------------------------------------------------------------------------- errors
def test_an_error_in_a_worker_is_reraised_with_its_traceback_and_workers_stop():
    loader = DataLoader(Pids(12, fail_at=5), batch_size=2, num_workers=2)
    msg, seen = catch(loader, ValueError)
    assert "Caught ValueError in DataLoader worker process 0" in msg
    assert "bad sample at index 5" in msg and "in __getitem__" in msg and "Traceback" in msg
    assert [b[0].tolist() for b in seen] == [[0, 1], [2, 3]]  # the batches before, in order
    assert_gone(pids_in(seen))


def test_iteration_can_go_on_after_a_worker_error_as_in_pytorch():
    it = iter(DataLoader(Pids(8, fail_at=2), batch_size=2, num_workers=2))
    first = next(it)
    with pytest.raises(ValueError, match="bad sample at index 2"):
        next(it)
    rest = list(it)
    assert [b[0].tolist() for b in [first, *rest]] == [[0, 1], [4, 5], [6, 7]]
    assert_gone(pids_in([first, *rest]))


class NeedsTwoArgs(Exception):
    def __init__(self, a, b):
        super().__init__(a, b)


class RaisesOdd(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 1:
            raise NeedsTwoArgs("x", "y")
        if i == 3:
            raise KeyError("missing")
        return i


def test_exception_types_that_cannot_be_rebuilt_become_runtime_errors():
    it = iter(DataLoader(RaisesOdd(), batch_size=None, num_workers=1))
    assert next(it) == 0
    with pytest.raises(RuntimeError, match="Caught NeedsTwoArgs in DataLoader worker process 0"):
        next(it)
    assert next(it) == 2
    with pytest.raises(KeyError) as excinfo:
        next(it)
    text = str(excinfo.value)
    assert "Caught KeyError" in text and "\n" in text and "\\n" not in text  # readable
    del excinfo, it


def test_error_in_worker_init_fn_is_reraised():
    def init(worker_id):
        raise OSError(f"cannot open the files of worker {worker_id}")

    msg, _ = catch(DataLoader(Pids(4), batch_size=2, num_workers=1, worker_init_fn=init), OSError)
    assert "cannot open the files of worker 0" in msg and ", in init" in msg
    assert "Caught OSError in DataLoader worker process 0" in msg
    it = iter(DataLoader(Pids(4), batch_size=2, num_workers=1, worker_init_fn=init))
    for _ in range(2):  # a worker that could not start fails each of its tasks the same way
        with pytest.raises(OSError, match="cannot open the files of worker 0"):
            next(it)
    assert next(it, "end") == "end"


def test_a_batch_that_cannot_be_pickled_is_an_error_not_a_hang():
    loader = DataLoader(Pids(4), batch_size=2, num_workers=1, collate_fn=lambda s: lambda: s)
    msg, _ = catch(loader, Exception)
    assert "pickle" in msg.lower() and "worker process 0" in msg


def test_a_graph_cannot_cross_processes():
    # (worker processes make host tensors: GPU data does not cross processes, as in PyTorch)
    def collate(samples):
        w = ag.tensor([1.0, 2.0], requires_grad=True, device="cpu")
        return w * 2.0  # a non-leaf that requires grad

    msg, _ = catch(DataLoader(Pids(2), batch_size=2, num_workers=1, collate_fn=collate),
                   RuntimeError)
    assert "graph cannot cross processes" in msg and "detach()" in msg
    # leaves keep requires_grad; constants arrive as constants
    leaf = DataLoader(Pids(2), batch_size=2, num_workers=1,
                      collate_fn=lambda s: (ag.tensor([1.0], requires_grad=True, device="cpu"),
                                            ag.ones(2, device="cpu")))
    (a, b), = list(leaf)
    assert a.requires_grad and a.is_leaf and not b.requires_grad and b.tolist() == [1.0, 1.0]


def test_timeout_raises_runtime_error_and_stops_workers():
    loader = DataLoader(Pids(4, sleep_at=0), batch_size=2, num_workers=1, timeout=0.2)
    msg, _ = catch(loader, RuntimeError)
    assert "timed out after 0.2 seconds" in msg
    fast = DataLoader(Pids(4), batch_size=2, num_workers=1, timeout=30)
    assert [b[0].tolist() for b in fast] == [[0, 1], [2, 3]]


def test_a_worker_that_dies_is_an_error():
    msg, _ = catch(DataLoader(Pids(8, die_at=4), batch_size=2, num_workers=2), RuntimeError)
    assert "exited unexpectedly" in msg and "exit code 3" in msg


# ----------------------------------------------------------------------------- shutdown
def test_break_stops_the_workers():
    loader = DataLoader(Pids(40), batch_size=2, num_workers=2)
    seen = []
    for b in loader:
        seen.append(b)
        if len(seen) == 3:
            break
    assert_gone(pids_in(seen))


def test_workers_blocked_sending_large_batches_exit_when_asked():
    """Batches far larger than a pipe's buffer: at a break, workers are blocked writing them;
    closing the pipes makes them exit by themselves (exit code 0), not by being terminated."""
    ds = TensorDataset(np.ones((64, 64, 64)))  # 32 KB samples, 1 MB batches of 32
    it = iter(DataLoader(ds, 32, num_workers=2, prefetch_factor=2))
    next(it)
    time.sleep(0.2)  # let the workers fill their pipes
    del it  # (the iterator is gone: its exit codes were recorded on the way)
    it = iter(DataLoader(ds, 32, num_workers=2))
    next(it)
    time.sleep(0.2)
    it._shutdown_workers()
    assert it.exitcodes == [0, 0]


def test_large_and_odd_arrays_cross_intact_and_writable():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 3, 40, 40))  # batches of 8 are 300 KB: sent out of band

    def collate(samples):
        xs = np.stack([x.cpu().numpy() for (x,) in samples])
        return {"c": ag.tensor(xs, device="cpu"), "f": np.asfortranarray(xs[:, 0]),  # host data
                "strided": xs[:, :, ::3, 1], "small": xs[:, 0, 0, :2].astype(np.float32)}

    ref = list(DataLoader(TensorDataset(X), 8, collate_fn=collate))
    got = list(DataLoader(TensorDataset(X), 8, collate_fn=collate, num_workers=2))
    for a, b in zip(ref, got, strict=True):
        for k in a:
            va = a[k].cpu().numpy() if k == "c" else a[k]
            vb = b[k].cpu().numpy() if k == "c" else b[k]
            assert vb.dtype == va.dtype and vb.shape == va.shape
            assert_array_equal(vb, va)
        assert b["f"].flags.f_contiguous
        b["c"].cpu().numpy()[...] = 0.0  # writable, as without workers
        b["f"][...] = 0.0
        assert not b["c"].cpu().numpy().any()


def test_del_of_the_iterator_stops_the_workers():
    it = iter(DataLoader(Pids(40), batch_size=2, num_workers=2))
    seen = [next(it), next(it)]
    workers = [w.pid for w in it._workers]
    del it
    assert_gone(pids_in(seen) | set(workers))


def test_an_exception_in_the_loop_body_stops_the_workers():
    seen = []

    def train():
        for b in DataLoader(Pids(40), batch_size=2, num_workers=2):
            seen.append(b)
            raise ArithmeticError("loss is NaN")

    with pytest.raises(ArithmeticError):
        train()
    assert_gone(pids_in(seen))


def test_an_empty_dataset_gives_no_batches_with_workers():
    it = iter(DataLoader(TensorDataset(np.zeros((0, 2))), 3, shuffle=True, num_workers=2))
    workers = {w.pid for w in it._workers}
    assert list(it) == []
    assert_gone(workers)


def test_an_unstarted_iterator_and_the_end_of_an_epoch_stop_the_workers():
    it = iter(DataLoader(Pids(4), batch_size=2, num_workers=2))
    workers = {w.pid for w in it._workers}
    del it  # never advanced
    assert_gone(workers)
    it = iter(DataLoader(Pids(4), batch_size=2, num_workers=2))
    seen = list(it)  # exhausted: stopped at the end of the epoch, iterator still referenced
    assert_gone(pids_in(seen))
    assert next(it, "done") == "done"


_KILLED_MAIN = """
import os, signal
from autograd.data import DataLoader, Dataset

class Pids(Dataset):
    def __len__(self):
        return 1000

    def __getitem__(self, i):
        return os.getpid()

it = iter(DataLoader(Pids(), batch_size=2, num_workers=2))
pids = {int(p) for _ in range(4) for p in next(it).tolist()}
print(*sorted(pids), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # the main process dies without any cleanup
"""


def test_workers_exit_when_the_main_process_is_killed():
    import subprocess

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run([sys.executable, "-c", _KILLED_MAIN], capture_output=True, text=True,
                          timeout=40, env=env)  # within the test's alarm
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    pids = {int(p) for p in proc.stdout.split()}
    assert len(pids) == 2
    deadline = time.monotonic() + 20  # workers check on their parent every second
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert_gone(pids)


def test_loaders_and_iterators_are_freed_without_the_garbage_collector():
    """No reference cycles: reference counting alone frees iterators (stopping their workers),
    also after a worker error, and a loader holding persistent workers."""
    import gc
    import weakref

    gc.collect()
    gc.disable()
    try:
        it = iter(DataLoader(Pids(8), 2, num_workers=2))
        first = next(it)
        ref = weakref.ref(it)
        del it
        assert ref() is None
        assert_gone(pids_in([first]))

        it = iter(DataLoader(Pids(8, fail_at=2), 2, num_workers=2))
        first = next(it)
        try:
            next(it)
        except ValueError:
            pass
        ref = weakref.ref(it)
        del it
        assert ref() is None
        assert_gone(pids_in([first]))

        loader = DataLoader(Pids(8), 2, num_workers=2, persistent_workers=True)
        pids = pids_in(list(loader))
        ref = weakref.ref(loader)
        del loader
        assert ref() is None
        assert_gone(pids)
    finally:
        gc.enable()


# ----------------------------------------------------------------------------- persistent
def test_persistent_workers_are_reused_and_give_the_same_batches():
    ds = Pids(10)
    ref = DataLoader(ds, 3, shuffle=True, seed=2)
    par = DataLoader(ds, 3, shuffle=True, seed=2, num_workers=2, persistent_workers=True)
    pids = set()
    for _epoch in range(3):
        got = list(par)
        assert [b[0].tolist() for b in got] == [b[0].tolist() for b in ref]
        pids |= pids_in(got)
    assert len(pids) == 2 and all(alive(p) for p in pids)  # the same two processes throughout
    # leaving an epoch early: the next one still starts from its beginning, stale batches dropped
    for b in par:
        break
    next(iter(ref))  # the reference loader draws its 4th epoch too
    assert [b[0].tolist() for b in par] == [b[0].tolist() for b in ref]
    assert pids_in(list(par)) == pids
    del par, b
    assert_gone(pids)


@settings(max_examples=10)
@given(n=st.integers(0, 15), bs=st.integers(1, 5), drop_last=st.booleans(),
       shuffle=st.booleans(), workers=st.integers(1, 3), prefetch=st.integers(1, 3),
       seed=st.integers(0, 2**32 - 1))
def test_map_dataset_batches_equal_the_main_process_ones(n, bs, drop_last, shuffle, workers,
                                                         prefetch, seed):
    ds = Rows(n)
    ref = DataLoader(ds, bs, shuffle=shuffle, drop_last=drop_last, seed=seed)
    par = DataLoader(ds, bs, shuffle=shuffle, drop_last=drop_last, seed=seed,
                     num_workers=workers, prefetch_factor=prefetch)
    assert batches_of(par) == batches_of(ref)
