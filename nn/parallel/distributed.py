"""``DistributedDataParallel``: data-parallel training, one replica per MPI process.

Every process (rank) holds a replica of the model and runs forward and backward on its own
shard of each batch; the replicas' gradients are averaged across ranks during ``backward``, so
the same optimizer step on every rank keeps the replicas identical.  Launch one process per
replica with ``mpiexec -n N python train.py`` (see ``autograd.distributed``)::

    dist.init_process_group("mpi")
    model = nn.parallel.DistributedDataParallel(build_model())
    opt = optim.SGD(model.parameters(), lr=0.1)
    for xb, yb in shard_of_each_batch:
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()     # gradients arrive averaged over the ranks
        opt.step()

How the averaging works (PyTorch's design): the parameters that need gradients are laid out, in
reverse registration order (roughly the order backward produces their gradients), into flat
*buckets* of at most ``bucket_cap_mb`` megabytes each (one dtype per bucket).  A hook on every
parameter (``register_post_accumulate_grad_hook``) copies its gradient into its bucket as soon
as it is accumulated; when a bucket is complete, a non-blocking ``MPI_Iallreduce`` of the whole
bucket starts while the rest of the backward runs (later hooks poke it so MPI progresses it).
Buckets start strictly in bucket order, so every rank issues the same collectives in the same
order.  When the backward pass ends (a callback queued with
``autograd.differentiate.queue_callback``), DDP waits for the buckets, divides by the world size
and copies the averages back into each ``.grad``.

How much communication overlaps computation depends on when the tape fires the hooks: today's
walk accumulates every leaf gradient after the last record has been processed, so the buckets
start in a burst at the end of the backward pass and overlap only one another.  A walk that
accumulated each leaf as soon as its last consumer is done would overlap them with the
remaining backward computation, with no change here.

Things to know:

* Each rank's loss is the mean over its *local* shard, and the gradients are averaged over
  ranks, so with equal shards the result equals single-process training on the whole batch.
  With unequal shards, scale each rank's loss (e.g. a ``reduction="sum"`` loss times
  ``world_size / global_batch``) to get the global mean.
* Parameters that get no gradient in a backward pass: RuntimeError naming them (after the
  collectives completed, so the ranks stay in step), unless ``find_unused_parameters=True``,
  in which case they count as zero gradients in the average.
* ``no_sync()``: backward passes of forwards run inside it accumulate local gradients without
  communicating; the first backward outside it averages the accumulated sum.
* Buffers (e.g. BatchNorm's running statistics) are broadcast from rank 0 before every forward
  when ``broadcast_buffers=True`` (the default, as PyTorch), so the replicas agree.  The *batch*
  statistics BatchNorm normalises with in training stay per process (computed over the local
  shard only), as in PyTorch without ``SyncBatchNorm``: a model with BatchNorm therefore does
  not train exactly like a single process on the whole batch.
* ``ddp.module`` is the wrapped model; ``ddp.state_dict()`` keys carry the ``module.`` prefix as
  in PyTorch (save ``ddp.module.state_dict()`` for a checkpoint that loads without DDP).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

import autograd.distributed as dist
from autograd.differentiate import queue_callback
from autograd.grad_mode import is_grad_enabled
from autograd.tensor import Tensor

from ..modules.module import Module
from ._buckets import Bucket, plan_buckets


class DistributedDataParallel(Module):
    """Wrap ``module`` for data-parallel training across the ranks of the default process group.

    Arguments, in PyTorch's order:

    * ``module``: the replica on this rank (its parameters and buffers are overwritten with
      rank 0's at construction, so every rank starts identical).
    * ``device_ids``, ``output_device``, ``dim``: PyTorch's single-process multi-device
      options; tapegrad runs one replica per process, so they must stay None, None, 0.
    * ``broadcast_buffers``: copy rank 0's buffers to every rank before each forward.
    * ``process_group``: None (the default group; the only one there is).
    * ``bucket_cap_mb``: size cap of a gradient bucket in MiB (default 25, as PyTorch).
    * ``find_unused_parameters``: accept parameters that receive no gradient (they average as
      zeros) instead of raising.
    * ``gradient_as_bucket_view``: after averaging, each ``.grad`` is a view into its bucket
      instead of a copy (saves one copy of the gradients per step, and a second one when the
      optimizer zeroes gradients in place with ``zero_grad(set_to_none=False)``); a gradient
      kept across steps is then overwritten by the next step's averaging.  Buckets live in host
      memory, so for GPU parameters the averaged gradients are copied back to the device
      either way (the option saves no copy there).

    Calling it runs ``module``'s forward.  Raises RuntimeError when the process group is not
    initialised, TypeError for a non-Module, ValueError for unsupported options.  Counterpart:
    ``torch.nn.parallel.DistributedDataParallel``.
    """

    def __init__(
        self,
        module: Module,
        device_ids: Any = None,
        output_device: Any = None,
        dim: int = 0,
        broadcast_buffers: bool = True,
        process_group: Any = None,
        bucket_cap_mb: float | None = 25,
        find_unused_parameters: bool = False,
        check_reduction: bool = False,
        gradient_as_bucket_view: bool = False,
    ) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(
                f"DistributedDataParallel: module must be an nn.Module, got {type(module).__name__}"
            )
        if device_ids or output_device is not None or dim != 0:
            raise ValueError(
                "DistributedDataParallel: device_ids, output_device and dim split a batch over "
                "several devices of one process; tapegrad runs one replica per process (launch "
                "more processes with mpiexec), so leave them at None, None, 0"
            )
        if process_group is not None:
            raise ValueError(
                "DistributedDataParallel: only the default process group is supported "
                f"(process_group=None), got {process_group!r}"
            )
        bucket_cap_mb = 25 if bucket_cap_mb is None else bucket_cap_mb
        if not bucket_cap_mb > 0:
            raise ValueError(
                f"DistributedDataParallel: bucket_cap_mb must be positive, got {bucket_cap_mb}"
            )
        if not dist.is_initialized():
            raise RuntimeError(
                "DistributedDataParallel: the default process group is not initialised; call "
                "autograd.distributed.init_process_group() first (under `mpiexec -n N`)"
            )
        del check_reduction  # deprecated in PyTorch, and without effect there too
        self.gradient_as_bucket_view = bool(gradient_as_bucket_view)
        self.module = module
        self.broadcast_buffers = bool(broadcast_buffers)
        self.bucket_cap_mb = bucket_cap_mb
        self.find_unused_parameters = bool(find_unused_parameters)
        self.require_backward_grad_sync = True  # False inside no_sync()
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        self._names = {id(p): n for n, p in named}
        self._world = dist.get_world_size()
        self._sync_state(module)  # every replica starts from rank 0's weights
        self._buckets: list[Bucket] = plan_buckets(
            [p for _, p in reversed(named)], int(bucket_cap_mb * 2**20)
        )
        self._where: dict[int, tuple[Bucket, int]] = {
            id(p): (b, i) for b in self._buckets for i, p in enumerate(b.params)
        }
        self._expect = False  # the last forward asked for a synchronised backward
        self._next = 0  # index of the next bucket to start
        self._queued = False  # the end-of-backward callback is queued
        # The hooks reach this wrapper through a weak reference: parameters must not keep it
        # alive (wrapper -> module -> parameter -> hook -> wrapper would be a reference cycle).
        hook = _WeakHook(weakref.ref(self))
        self._handles = [p.register_post_accumulate_grad_hook(hook) for _, p in named]

    # ----------------------------------------------------------------------------- set-up
    def _sync_state(self, module: Module) -> None:
        """Broadcast every parameter and buffer from rank 0 (one collective per tensor)."""
        if self._world == 1:
            return
        for p in module.parameters():
            dist.broadcast(p, 0)
        self._broadcast_buffers()

    def _broadcast_buffers(self) -> None:
        for b in self.module.buffers():
            dist.broadcast(b, 0)

    # ---------------------------------------------------------------------------- forward
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Run the wrapped module's forward (after syncing buffers from rank 0, if asked); when
        grad mode is on and we are not inside ``no_sync()``, the following backward averages
        the gradients across ranks."""
        if self.broadcast_buffers and self._world > 1:
            self._broadcast_buffers()
        self._expect = (self.require_backward_grad_sync and is_grad_enabled()
                        and bool(self._buckets))
        if self._expect:
            self._reset()
        return self.module(*args, **kwargs)

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """Inside this context, backward passes accumulate gradients locally without
        communicating; the first synchronised backward after it averages the accumulated sum
        (gradient accumulation over micro-batches at the cost of one allreduce)."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    # ---------------------------------------------------------------------------- backward
    def _reset(self) -> None:
        for b in self._buckets:
            b.reset()
        self._next = 0
        self._queued = False

    def _grad_ready(self, p: Tensor) -> None:
        """Post-accumulate-grad hook: stage ``p.grad``; start every bucket that is complete."""
        if not self._expect:
            return
        if not self._queued:
            queue_callback(self._finish)
            self._queued = True
        bucket, i = self._where[id(p)]
        g = p.grad
        assert g is not None  # the tape calls this hook only after storing a gradient
        bucket.stage(i, g._data)
        if bucket.complete():
            self._launch_ready()
        elif self._next:
            # MPI moves a non-blocking collective forward only inside MPI calls: poke the
            # newest started bucket, so that it progresses while the backward goes on.
            self._buckets[self._next - 1].poke()

    def _launch_ready(self) -> None:
        """Start complete buckets in bucket order (never out of order: all ranks must agree)."""
        while self._next < len(self._buckets) and self._buckets[self._next].complete():
            self._buckets[self._next].launch()
            self._next += 1

    def _finish(self) -> None:
        """End of backward: start what is left, wait, average, write the averages to ``.grad``."""
        self._expect = False
        missing = [p for b in self._buckets for p in b.missing()]
        used = None
        if self.find_unused_parameters:
            # Which parameters have a gradient on any rank: one that none has keeps grad None.
            used = np.array([p.grad is not None for b in self._buckets for p in b.params],
                            dtype=np.int32)
        for b in self._buckets:
            b.fill_missing()  # zeros or old grads: the collectives run on every rank regardless
        self._launch_ready()
        if used is not None:
            # Issued after every bucket on every rank (some ranks started buckets during the
            # backward, others only now): MPI needs the same order of collectives everywhere.
            dist.all_reduce_buffer(used, "DistributedDataParallel unused parameters").wait()
        for b in self._buckets:
            b.wait()
        if missing and not self.find_unused_parameters:
            missing_ids = {id(p) for p in missing}
            names = ", ".join(n for i, n in self._names.items() if i in missing_ids)
            raise RuntimeError(
                f"DistributedDataParallel: on rank {dist.get_rank()} these parameters received "
                f"no gradient in this backward pass: {names}. Their gradients were not averaged "
                "across ranks, so the replicas would drift apart. Make sure every parameter "
                "takes part in computing the loss, or pass find_unused_parameters=True to treat "
                "missing gradients as zeros"
            )
        first = 0
        for b in self._buckets:
            b.write_back(self._world, used, first, self.gradient_as_bucket_view)
            first += len(b.params)

    def extra_repr(self) -> str:
        return (f"world_size={self._world}, buckets={len(self._buckets)}, "
                f"bucket_cap_mb={self.bucket_cap_mb}, "
                f"find_unused_parameters={self.find_unused_parameters}")


class _WeakHook:
    """A post-accumulate-grad hook that forwards to a live ``DistributedDataParallel`` only."""

    __slots__ = ("ref",)

    def __init__(self, ref: weakref.ref[DistributedDataParallel]) -> None:
        self.ref = ref

    def __call__(self, p: Tensor) -> None:
        ddp = self.ref()
        if ddp is not None:
            ddp._grad_ready(p)


__all__ = ["DistributedDataParallel"]
