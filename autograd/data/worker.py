"""The worker side of multi-process data loading: :func:`get_worker_info`, seeding, the loop a
worker process runs, and how batches and errors travel back to the main process.

A worker receives ``(task number, index)`` items on its own queue, fetches and collates the batch
exactly as the main process would with ``num_workers=0``, and sends ``(task number, result)`` on
its own result pipe. The result is the batch pickled in the worker (a :class:`Pickled`: so a
batch that cannot be pickled becomes an error the main process re-raises, and large arrays
travel as raw bytes), an :class:`ExceptionWrapper` carrying the worker's traceback text, or a
marker saying that an iterable dataset's stream has ended in this worker.

Tensors travel as their arrays: a leaf Tensor is sent as ``(array, requires_grad)`` and rebuilt
as a new leaf; a Tensor inside a graph (one that requires grad and is not a leaf) is refused
with a ``RuntimeError``, since a graph cannot cross processes (PyTorch refuses it too).
"""

from __future__ import annotations

import copyreg
import io
import os
import pickle
import queue
import random
import sys
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import devices
from .. import random as ag_random
from ..tensor import Tensor
from .fetch import make_fetcher

# How often (seconds) a waiting worker checks that the main process is still alive, and how
# often a waiting main process checks that its workers are.
STATUS_CHECK_INTERVAL = 1.0


@dataclass(frozen=True)
class WorkerInfo:
    """What :func:`get_worker_info` returns in a worker process (``torch.utils.data.WorkerInfo``).

    ``id``: this worker's number, ``0 <= id < num_workers``; ``num_workers``: how many workers
    the loader runs; ``seed``: this worker's seed, ``base_seed + id`` (see :func:`seed_worker`);
    ``dataset``: this worker's copy of the dataset (changing it does not touch the main process's
    or other workers' copies).
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """This worker's :class:`WorkerInfo` inside a DataLoader worker process, ``None`` elsewhere
    (``torch.utils.data.get_worker_info``). Use it in an :class:`IterableDataset`'s
    ``__iter__`` to give each worker its own share of the stream, or in ``worker_init_fn``.

    >>> from autograd.data import get_worker_info
    >>> get_worker_info() is None   # the main process
    True
    """
    return _worker_info


def seed_worker(base_seed: int, worker_id: int) -> int:
    """Seed a worker's random sources; returns its seed ``base_seed + worker_id``.

    As in PyTorch, Python's ``random`` and the framework's default generator
    (``autograd.manual_seed``) get ``base_seed + worker_id``, and NumPy's legacy global generator
    (``np.random.rand`` ...) gets a seed mixed from both by ``numpy.random.SeedSequence`` (legacy
    seeds are 32-bit; mixing keeps workers and epochs apart). ``base_seed`` is drawn by the
    loader once per epoch (once per loader life with ``persistent_workers``) from its
    ``generator``, so the workers' random numbers follow the loader's seed.
    """
    seed = base_seed + worker_id
    random.seed(seed)
    ag_random.manual_seed(seed)
    np.random.seed(np.random.SeedSequence([worker_id, base_seed]).generate_state(4))
    return seed


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process as its type and traceback
    text (traceback objects cannot be pickled)."""

    def __init__(self, exc_info: tuple[Any, ...], where: str) -> None:
        self.exc_type: type[BaseException] = exc_info[0]
        self.msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self) -> None:
        """Raise the worker's exception type in this process, the worker's traceback quoted in
        its message; a type that cannot be built from one message becomes a RuntimeError."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        try:
            exc: BaseException | None = self.exc_type(msg)
        except Exception:
            exc = None
        if exc is None:
            raise RuntimeError(msg) from None
        try:
            raise exc
        finally:
            # The traceback holds this frame: without the del, exc -> traceback -> frame -> exc
            # is a cycle that keeps the loader's iterator (and its workers) alive until gc.
            del exc


class KeyErrorMessage(str):
    """KeyError's str() is the repr of its argument; keep the traceback readable."""

    def __repr__(self) -> str:
        return str(self)


class IterableStreamEnd:
    """A worker's iterable dataset is exhausted: the main process stops sending it tasks."""

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id


class ResumeIteration:
    """Sent to persistent workers at a new epoch: restart the iterable stream, then acknowledge
    (so the main process knows every older result of this worker has been read)."""


# ------------------------------------------------------------------------------- transport
def _rebuild_tensor(data: Any, requires_grad: bool) -> Tensor:
    return Tensor._make(data, None, requires_grad)


def _reduce_tensor(t: Tensor) -> tuple[Any, tuple[Any, bool]]:
    if t.requires_grad and t._node is not None:
        raise RuntimeError(
            "DataLoader: a batch holds a Tensor that requires grad and is not a leaf (it was "
            "made by an operation in the worker); a graph cannot cross processes. Return "
            "constants from the dataset, or call detach() on it"
        )
    return _rebuild_tensor, (t._data, bool(t.requires_grad))


_DISPATCH = copyreg.dispatch_table.copy()
_DISPATCH[Tensor] = _reduce_tensor


# Arrays smaller than this travel inside the pickle; larger ones as raw bytes (out of band).
OUT_OF_BAND_BYTES = 1 << 16


class Pickled:
    """A batch pickled in a worker: a header (pickle protocol 5) and the raw memory of its large
    contiguous arrays, kept out of band.

    The worker writes that memory straight into its result pipe (:func:`send_result`) and the
    main process reads it straight into fresh writable buffers (:func:`recv_result`), from which
    the arrays are rebuilt without another copy. Pickling a large array in band instead costs
    several copies into growing buffers, far slower than the transfer itself.
    """

    __slots__ = ("header", "buffers")

    def __init__(self, header: bytes, buffers: list[Any]) -> None:
        self.header = header
        self.buffers = buffers

    def __getstate__(self) -> bytes:
        return self.header  # the buffers travel separately, as raw bytes

    def __setstate__(self, header: bytes) -> None:
        self.header, self.buffers = header, []

    def load(self) -> Any:
        """The batch (its arrays writable, as they would be without workers)."""
        return pickle.loads(self.header, buffers=self.buffers)


def dumps(obj: Any) -> Pickled:
    """Pickle ``obj`` with Tensors sent as arrays (see the module docstring)."""
    out_of_band: list[memoryview] = []

    def keep_in_band(b: pickle.PickleBuffer) -> bool:
        raw = b.raw()
        if raw.nbytes < OUT_OF_BAND_BYTES:
            return True
        out_of_band.append(raw)
        return False

    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=5, buffer_callback=keep_in_band)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(obj)
    return Pickled(buf.getvalue(), out_of_band)


def send_result(conn: Any, idx: Any, result: Any) -> None:
    """Send ``(idx, result)`` on a worker's result pipe, a batch's large buffers as raw bytes
    after it (one writer per pipe, so the pieces of a message stay together)."""
    buffers = result.buffers if isinstance(result, Pickled) else []
    conn.send((idx, result, [b.nbytes for b in buffers]))
    for b in buffers:
        conn.send_bytes(b)


def recv_result(conn: Any) -> tuple[Any, Any]:
    """Receive what :func:`send_result` sent, each raw buffer read into its own bytearray."""
    idx, result, sizes = conn.recv()
    if sizes:
        result.buffers = [bytearray(n) for n in sizes]
        for b in result.buffers:
            conn.recv_bytes_into(b)
    return idx, result


def _safe_error(wrapper: ExceptionWrapper) -> ExceptionWrapper:
    """The wrapper itself if it pickles (its type is importable), else one of RuntimeError."""
    try:
        pickle.dumps(wrapper.exc_type)
    except Exception:
        wrapper.msg = f"{wrapper.exc_type.__qualname__} (not importable here): {wrapper.msg}"
        wrapper.exc_type = RuntimeError
    return wrapper


# ------------------------------------------------------------------------------- the loop
def worker_loop(
    dataset: Any, iterable: bool, auto_collation: bool, collate_fn: Any, drop_last: bool,
    index_queue: Any, result_conn: Any, done_event: Any, base_seed: int,
    worker_init_fn: Any, worker_id: int, num_workers: int, main_ends: tuple[Any, ...] = (),
) -> None:
    """The body of a worker process (see the module docstring).

    ``main_ends`` are the main process's reading ends of the result pipes made so far (this
    worker's included), which a forked worker inherits: it closes them, so that when the main
    process closes its end, a worker blocked writing a batch gets ``BrokenPipeError`` and exits.
    """
    global _worker_info
    for conn in main_ends:
        conn.close()
    where = f"in DataLoader worker process {worker_id}"
    # The process that started this one (the main process; with 'forkserver' the server, which
    # exits with it): when it is gone, this worker is an orphan and must exit.
    parent_pid = os.getppid()
    # workers make host tensors only (PyTorch's too): a forked child must not touch the GPU
    devices.host_only_process("CUDA cannot be used in a DataLoader worker process; move "
                              "batches to the GPU in the main process (xb.to(device))")
    try:
        seed = seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        init_error: ExceptionWrapper | None = None
        fetcher: Any = None
        try:
            if worker_init_fn is not None:
                worker_init_fn(worker_id)
            fetcher = make_fetcher(dataset, iterable, auto_collation, collate_fn, drop_last)
        except Exception:
            # This worker cannot fetch: each of its tasks reports the error (below).
            init_error = _safe_error(ExceptionWrapper(sys.exc_info(), where))
        stream_ended = False
        while True:
            if os.getppid() != parent_pid:  # the main process died: nobody will read results
                break
            try:
                task = index_queue.get(timeout=STATUS_CHECK_INTERVAL)
            except queue.Empty:
                continue
            if task is None:  # the main process asks this worker to exit
                break
            if isinstance(task, ResumeIteration):
                stream_ended = False
                if init_error is None:
                    try:
                        fetcher = make_fetcher(dataset, iterable, auto_collation, collate_fn,
                                               drop_last)
                    except Exception:
                        init_error = _safe_error(ExceptionWrapper(sys.exc_info(), where))
                send_result(result_conn, task, None)
                continue
            if done_event.is_set() or stream_ended:
                continue  # shutting down, or nothing left to fetch: drop the task
            idx, index = task
            result: Any
            if init_error is not None:  # this worker cannot fetch: every task gets the error
                result = init_error
            else:
                try:
                    result = dumps(fetcher.fetch(index))
                except StopIteration:
                    if not iterable:
                        result = _safe_error(ExceptionWrapper(sys.exc_info(), where))
                    else:
                        result = IterableStreamEnd(worker_id)
                        stream_ended = True
                except Exception:
                    result = _safe_error(ExceptionWrapper(sys.exc_info(), where))
            send_result(result_conn, idx, result)
            del result, task, index  # don't hold a batch while waiting for the next task
    except KeyboardInterrupt:
        pass  # Ctrl-C reaches the whole process group; the main process handles it
    except (BrokenPipeError, ConnectionError):
        pass  # the main process closed its end: it is shutting down (or gone)
    result_conn.close()
