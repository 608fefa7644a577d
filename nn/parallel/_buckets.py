"""Gradient buckets of ``DistributedDataParallel``: flat arrays that are allreduced as one message.

One message per bucket instead of one per parameter: MPI's per-message latency is paid a few
times per step, not once per tensor, and each bucket is a single contiguous buffer that MPI reads
and writes in place (no pickling, no gathering).

Buckets live in host memory: gradients of GPU parameters are copied to the host when staged and
back to their device after the allreduce, explicitly (MPI without a CUDA-aware build can only
read host buffers).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd.distributed as dist
from autograd import tape
from autograd.backend import to_numpy
from autograd.devices import device_of, is_array, transfer, writeable
from autograd.tensor import Tensor


class Bucket:
    """The gradients of a few parameters of one dtype, laid out back to back in ``flat``."""

    __slots__ = ("params", "flat", "views", "staged", "count", "work")

    def __init__(self, params: list[Tensor], dtype: np.dtype) -> None:
        self.params = params
        sizes = [int(np.prod(p.shape)) for p in params]
        self.flat = np.zeros(sum(sizes), dtype=dtype)
        self.views: list[np.ndarray] = []
        off = 0
        for p, n in zip(params, sizes):
            self.views.append(self.flat[off:off + n].reshape(tuple(p.shape)))
            off += n
        self.staged = [False] * len(params)
        self.count = 0
        self.work: dist.Work | None = None

    def reset(self) -> None:
        """Forget the previous backward pass (called by every synchronised forward)."""
        if any(self.staged):
            self.staged = [False] * len(self.params)
        self.count = 0
        self.work = None

    def stage(self, i: int, grad: Any) -> None:
        """Copy parameter ``i``'s accumulated gradient into its slot of the flat buffer."""
        view = self.views[i]
        if grad is not view:  # (with gradient_as_bucket_view it may already live there)
            if grad.shape != view.shape or grad.dtype != view.dtype:
                raise RuntimeError(
                    f"DistributedDataParallel: a parameter's gradient has shape "
                    f"{tuple(grad.shape)} and dtype {grad.dtype}, but the parameter had shape "
                    f"{view.shape} and dtype {view.dtype} when it was wrapped; convert or resize "
                    "the module (e.g. .double()) before wrapping it in DistributedDataParallel"
                )
            # (a GPU gradient is copied to the host here: see the module docstring)
            np.copyto(view, grad if isinstance(grad, np.ndarray) else to_numpy(grad))
        if not self.staged[i]:
            self.staged[i] = True
            self.count += 1

    def complete(self) -> bool:
        """Every parameter of the bucket has been staged."""
        return self.count == len(self.params)

    def missing(self) -> list[Tensor]:
        """Parameters whose hook did not fire in this backward pass."""
        return [p for p, s in zip(self.params, self.staged) if not s]

    def fill_missing(self) -> None:
        """Stage what an unused parameter contributes: its existing gradient (from earlier
        ``no_sync`` steps) or zeros."""
        for i, p in enumerate(self.params):
            if not self.staged[i]:
                g = p.grad
                if g is None:
                    self.views[i].fill(0)
                    self.staged[i] = True
                    self.count += 1
                else:
                    self.stage(i, g._data)

    def launch(self) -> None:
        """Start the non-blocking SUM allreduce of the whole bucket."""
        self.work = dist.all_reduce_buffer(self.flat, "DistributedDataParallel gradient bucket")

    def poke(self) -> None:
        """Let MPI progress this bucket's allreduce (a non-blocking test)."""
        if self.work is not None:
            self.work.is_completed()

    def wait(self) -> None:
        """Wait for the bucket's allreduce, if one was started (raises on timeout)."""
        if self.work is not None:
            self.work.wait()

    def write_back(self, world: int, used: np.ndarray | None, first: int, as_view: bool) -> None:
        """Divide the sums by ``world`` and store them in each parameter's ``.grad``: copied
        into the existing gradient, or (``as_view``) as a view into the bucket.

        ``used[first + i]`` (when given) says whether any rank had a gradient for parameter
        ``i``; one that no rank had keeps ``.grad = None``, as in PyTorch.
        """
        dist.divide_in_place(self.flat, world)
        for i, p in enumerate(self.params):
            if used is not None and not used[first + i]:
                continue
            avg = self.views[i]
            g = p.grad
            dev = device_of(p._data)
            on_host = dev.type == "cpu"
            if g is not None and g._data is avg:
                tape.bump_version(g)  # already the bucket's view: averaged in place
            elif as_view and on_host:
                p.grad = Tensor._wrap_grad(avg)
            elif g is not None and not g.requires_grad and is_array(g._data) \
                    and writeable(g._data):
                if on_host:
                    np.copyto(g._data, avg)
                else:  # back to the parameter's GPU (see the module docstring)
                    g._data[...] = transfer(avg, dev)
                tape.bump_version(g)
            else:  # no local gradient, or one that is part of a graph: a fresh tensor
                p.grad = Tensor._wrap_grad(avg.copy() if on_host else transfer(avg, dev))


def plan_buckets(params: list[Tensor], cap_bytes: int) -> list[Bucket]:
    """Group ``params`` (already in the order gradients are expected) into buckets of one dtype
    and at most ``cap_bytes`` each (a larger single parameter gets a bucket of its own).

    Deterministic: the same model gives the same buckets on every rank.
    """
    groups: list[tuple[np.dtype, list[Tensor]]] = []
    open_by_dtype: dict[np.dtype, tuple[list[Tensor], list[int]]] = {}
    for p in params:
        dtype = np.dtype(p.dtype)
        nbytes = int(np.prod(p.shape)) * dtype.itemsize
        cur = open_by_dtype.get(dtype)
        if cur is None or (cur[0] and cur[1][0] + nbytes > cap_bytes):
            cur = ([], [0])
            open_by_dtype[dtype] = cur
            groups.append((dtype, cur[0]))
        cur[0].append(p)
        cur[1][0] += nbytes
    return [Bucket(ps, dtype) for dtype, ps in groups]
