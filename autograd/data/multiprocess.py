"""The main-process side of ``DataLoader(num_workers > 0)``: start worker processes, hand them
batches to fetch, put the results back in order, and always stop them.

How it works (PyTorch's design):

- Each worker has its own index queue; all share one result queue. Task ``k`` (the ``k``-th item
  of the index sampler) goes to the next worker in round-robin order; at most
  ``prefetch_factor * num_workers`` tasks are out at a time. Results may arrive out of order:
  early ones wait in a dict until their turn, so batches come out in sampler order, the same
  batches as with ``num_workers=0``.
- An iterable dataset ends per worker: when a worker's stream is exhausted it says so, and gets
  no more tasks; the epoch ends when every worker has ended.
- Errors: a worker's exception is re-raised here with the worker's traceback in the message
  (the iteration may go on, as in PyTorch); a worker that dies (killed, crashed) is detected
  within ``STATUS_CHECK_INTERVAL`` and raises ``RuntimeError``; ``timeout > 0`` bounds each wait
  for a batch (``RuntimeError`` after it).
- Shutdown: at the end of the epoch (unless ``persistent_workers``), and whenever the iterator is
  garbage (``break`` out of the loop, ``del``, an exception unwinding the loop): the workers are
  told to exit, joined for a bounded time, then terminated if still alive. Workers are daemonic
  (killed if the main process exits) and exit on their own if the main process dies.
"""

from __future__ import annotations

import itertools
import os
import pickle
import queue
import time
from typing import TYPE_CHECKING, Any

from .worker import (
    STATUS_CHECK_INTERVAL,
    ExceptionWrapper,
    IterableStreamEnd,
    ResumeIteration,
    worker_loop,
)

if TYPE_CHECKING:
    from .loader import DataLoader

# How long shutdown waits for a worker to exit by itself before terminating it.
JOIN_TIMEOUT = 5.0


class MultiProcessIter:
    """One epoch (or, with ``persistent_workers``, every epoch) of a loader with workers.

    Holds no reference to the loader (the loader holds persistent iterators: no cycle).
    """

    def __init__(self, loader: DataLoader, base_seed: int) -> None:
        self._shutdown = True  # until the workers exist, there is nothing to stop
        ctx = loader._mp_context()
        self._num_workers = n = loader.num_workers
        self._iterable = loader._iterable
        self._timeout = float(loader.timeout)
        self._persistent = loader.persistent_workers
        self._prefetch = loader.prefetch_factor * n  # type: ignore[operator]
        self._result_queue = ctx.Queue()
        self._done_event = ctx.Event()
        self._index_queues: list[Any] = []
        self._workers: list[Any] = []
        self._shutdown = False
        try:
            for wid in range(n):
                iq = ctx.Queue()
                iq.cancel_join_thread()  # never block exiting on tasks nobody will take
                w = ctx.Process(
                    target=worker_loop,
                    args=(loader.dataset, loader._iterable, loader._auto_collation,
                          loader.collate_fn, loader.drop_last, iq, self._result_queue,
                          self._done_event, base_seed, loader.worker_init_fn, wid, n,
                          os.getpid()),
                    daemon=True,
                )
                w.start()
                self._index_queues.append(iq)
                self._workers.append(w)
        except BaseException as e:
            self._shutdown_workers()
            if isinstance(e, (pickle.PicklingError, AttributeError, TypeError)):
                raise RuntimeError(
                    f"DataLoader: could not start workers with the {ctx.get_start_method()!r} "
                    f"start method ({type(e).__name__}: {e}); it pickles the dataset, "
                    "collate_fn and worker_init_fn: define them at module level (no lambdas or "
                    "local classes), or use num_workers=0"
                ) from e
            raise
        self._start_epoch(loader, first=True)

    # --------------------------------------------------------------------------- epochs
    def _start_epoch(self, loader: DataLoader, first: bool) -> None:
        self._sampler_iter = iter(loader._index_sampler)
        self._send_idx = 0  # number of the next task to send
        self._rcvd_idx = 0  # number of the next batch to yield
        # task number -> [worker id] while out, [worker id, result] once arrived early
        self._task_info: dict[int, list[Any]] = {}
        self._tasks_outstanding = 0
        self._active = [True] * self._num_workers
        self._worker_cycle = itertools.cycle(range(self._num_workers))
        if not first:
            # Persistent workers: restart their streams; each acknowledges after all its older
            # results, which are stale (an epoch left early) and dropped here.
            for iq in self._index_queues:
                iq.put(ResumeIteration())
            pending = self._num_workers
            while pending:
                idx, _ = self._get_result()
                if isinstance(idx, ResumeIteration):
                    pending -= 1
        for _ in range(self._prefetch):
            self._put_task()

    def _reset(self, loader: DataLoader) -> None:
        """A new epoch on the same (persistent) workers."""
        self._start_epoch(loader, first=False)

    def _put_task(self) -> None:
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            return
        for _ in range(self._num_workers):
            wid = next(self._worker_cycle)
            if self._active[wid]:
                break
        else:
            return  # every worker's stream has ended
        self._index_queues[wid].put((self._send_idx, index))
        self._task_info[self._send_idx] = [wid]
        self._tasks_outstanding += 1
        self._send_idx += 1

    # --------------------------------------------------------------------------- results
    def _check_workers_alive(self) -> None:
        dead = [w for w, active in zip(self._workers, self._active)
                if (active or self._persistent) and not w.is_alive()]
        if dead:
            pids = ", ".join(f"{w.pid} (exit code {w.exitcode})" for w in dead)
            self._shutdown_workers()
            raise RuntimeError(
                f"DataLoader worker (pid(s) {pids}) exited unexpectedly; a negative exit code "
                "is the signal that killed it (e.g. -9: out of memory). Run with num_workers=0 "
                "to see the error in the main process"
            )

    def _get_result(self) -> tuple[Any, Any]:
        """The next ``(task number, result)`` from any worker, checking on the workers while
        waiting; ``RuntimeError`` after ``timeout`` seconds (if set) or when a worker died."""
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        while True:
            wait = STATUS_CHECK_INTERVAL
            if deadline is not None:
                wait = max(0.0, min(wait, deadline - time.monotonic()))
            try:
                return self._result_queue.get(timeout=wait)  # type: ignore[no-any-return]
            except queue.Empty:
                pass
            self._check_workers_alive()
            if deadline is not None and time.monotonic() >= deadline:
                self._shutdown_workers()
                raise RuntimeError(
                    f"DataLoader timed out after {self._timeout:g} seconds waiting for a batch "
                    "from its workers; raise timeout= (or leave it 0 to wait without limit)"
                )

    def _next_result(self) -> Any:
        while True:
            # Skip the tasks of workers whose stream ended before reaching them.
            while self._rcvd_idx < self._send_idx:
                info = self._task_info[self._rcvd_idx]
                if len(info) == 2 or self._active[info[0]]:
                    break
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                if not self._persistent:
                    self._shutdown_workers()
                raise StopIteration
            info = self._task_info[self._rcvd_idx]
            if len(info) == 2:  # arrived earlier, out of order
                del self._task_info[self._rcvd_idx]
                return self._deliver(info[1])
            idx, result = self._get_result()
            self._tasks_outstanding -= 1
            if isinstance(result, IterableStreamEnd):
                self._active[result.worker_id] = False
                self._put_task()
                continue
            if idx != self._rcvd_idx:
                self._task_info[idx].append(result)
                continue
            del self._task_info[idx]
            return self._deliver(result)

    def _deliver(self, result: Any) -> Any:
        self._rcvd_idx += 1
        self._put_task()
        if isinstance(result, ExceptionWrapper):
            result.reraise()
        try:
            return pickle.loads(result)
        except Exception as e:
            raise RuntimeError(
                f"DataLoader: a batch from a worker could not be unpickled here: {e}"
            ) from e

    def __iter__(self) -> MultiProcessIter:
        return self

    def __next__(self) -> Any:
        if self._shutdown:
            raise StopIteration
        return self._next_result()

    # --------------------------------------------------------------------------- shutdown
    def _shutdown_workers(self) -> None:
        """Stop every worker: ask, wait a bounded time, terminate. Safe to call twice."""
        if self._shutdown:
            return
        self._shutdown = True
        try:
            self._done_event.set()
            for iq in self._index_queues:
                try:
                    iq.put(None)
                except (OSError, ValueError):
                    pass
            for w in self._workers:
                w.join(timeout=JOIN_TIMEOUT)
        finally:
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=JOIN_TIMEOUT)
            for iq in self._index_queues:
                iq.close()
            self._result_queue.close()
            for w in self._workers:
                if not w.is_alive():
                    w.close()  # release its pipe and sentinel now, not at garbage collection
            # Free the queues and pipes now; the iterator may outlive shutdown (a traceback).
            self._index_queues = []
            self._sampler_iter = iter(())

    def __del__(self) -> None:
        try:
            self._shutdown_workers()
        except Exception:
            pass  # interpreter shutdown: daemonic workers are killed by multiprocessing anyway
