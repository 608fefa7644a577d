"""Helpers shared by the DataLoader worker tests: datasets that report the process fetching
their samples, process liveness checks, and batch comparison.

Worker processes are identified by the pids the datasets report from inside them; "gone" means
the process no longer exists (it was joined: not even a zombie is left).
"""

import os
import random
import time

import numpy as np

import autograd as ag
from autograd.data import Dataset, IterableDataset, get_worker_info


def alive(pid):
    """Whether process pid exists and has not exited (a zombie has exited: who reaps an orphan
    is up to the system's init, not to the DataLoader)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def assert_gone(pids):
    assert pids, "no worker pid was recorded"
    assert pids.isdisjoint({os.getpid()})
    left = [p for p in pids if alive(p)]
    assert not left, f"worker processes {left} are still alive"


# ----------------------------------------------------------------------------- datasets
class Rows(Dataset):
    """Samples (row, label) from arrays; no fast path (per-sample collate in the worker)."""

    def __init__(self, n):
        self.X = np.arange(n * 2, dtype=np.float64).reshape(n, 2)
        self.y = np.arange(n) % 3

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.X[i], int(self.y[i])


class Pids(Dataset):
    """Each sample is (index, pid of the process that fetched it)."""

    def __init__(self, n, fail_at=None, sleep_at=None, die_at=None, sleep_s=1.5):
        self.n, self.fail_at, self.sleep_at, self.die_at = n, fail_at, sleep_at, die_at
        self.sleep_s = sleep_s

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.fail_at:
            raise ValueError(f"bad sample at index {i}")
        if i == self.sleep_at:
            time.sleep(self.sleep_s)
        if i == self.die_at:
            os._exit(3)
        return i, os.getpid()


class Randoms(Dataset):
    """Each sample reports who fetched it and the random numbers it saw there."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = get_worker_info()
        return {
            "id": info.id, "num_workers": info.num_workers, "seed": info.seed,
            "same_dataset": info.dataset is self, "init": getattr(self, "init_id", -1),
            "np": float(np.random.rand()), "ag": float(ag.rand(()).item()),
            "py": random.random(),
        }


def mark_init(worker_id):
    get_worker_info().dataset.init_id = worker_id


def batches_of(loader):
    """Batches as nested Python lists (comparable with ==)."""
    def plain(x):
        if isinstance(x, ag.Tensor):
            return ("T", str(x.dtype), x.tolist())
        if isinstance(x, np.ndarray):
            return ("A", str(x.dtype), x.tolist())
        if isinstance(x, (list, tuple)):
            return [plain(v) for v in x]
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        return x

    return [plain(b) for b in loader]


def pids_in(batches):
    return {int(p) for b in batches for p in np.ravel(b[1].cpu().numpy())}




def catch(loader, exc_type):
    """Run an epoch expecting exc_type; return its message and the batches seen before it.
    (Catching here lets the iterator, kept by the traceback, go when this returns.)"""
    seen = []
    try:
        for b in loader:
            seen.append(b)
    except exc_type as e:
        return str(e), seen
    raise AssertionError(f"{exc_type.__name__} was not raised")


class Stream(IterableDataset):
    """0..n-1; each worker takes every num_workers-th sample when shard=True."""

    def __init__(self, n, shard=True):
        self.n, self.shard = n, shard

    def __iter__(self):
        info = get_worker_info()
        if info is None or not self.shard:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


def interleave(streams, bs, drop_last):
    """PyTorch's order: batches go round-robin to the workers that still have data."""
    batches = [[s[i:i + bs] for i in range(0, len(s), bs)] for s in streams]
    if drop_last:
        batches = [[b for b in bb if len(b) == bs] for bb in batches]
    out = []
    for k in range(max(map(len, batches), default=0)):
        out += [bb[k] for bb in batches if k < len(bb)]
    return out
