"""Devices: where a tensor's data lives (``cpu``: NumPy arrays; ``cuda``: CuPy arrays).

A tensor's device is the device of its array, so devices are per tensor, not a process-wide
switch: a CPU data pipeline and a GPU model live in one program, as in PyTorch.  The rules of the
primitives are written once, with NumPy's functions; NumPy hands calls on CuPy arrays to CuPy
(NEP 18, ``__array_function__`` / ``__array_ufunc__``), so the CPU path pays nothing for devices.
What NumPy cannot dispatch (array creation, ``isinstance`` checks, the random generator, moving
data) goes through this module: :func:`array_module`, :func:`is_array`, :func:`to_host`.

Nothing here copies between host and device unless asked: :func:`to_host` and :func:`transfer`
are the only ways across, and library code calls them only where the user asked (``.cpu()``,
``.item()``, printing, ``nn.save``).  Mixing a NumPy array into CuPy math raises in CuPy.

The ``cuda`` device type is backed by CuPy (``pip install tapegrad[cuda]``), loaded on first use.
Tests register a strict stand-in backend instead (``autograd.testing.standin_device``) to run the
whole suite as if on a GPU, on machines without one (:func:`set_cuda_backend`).
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import Any

import numpy as np


class device:  # noqa: N801  (PyTorch's name: ``autograd.device("cuda:0")``)
    """A device: ``device("cpu")``, ``device("cuda")``, ``device("cuda:1")``, ``device("cuda", 1)``.

    ``type`` is ``"cpu"`` or ``"cuda"``; ``index`` the GPU's ordinal, or None when not given
    (``device("cuda")`` means the current GPU; a tensor's ``.device`` always has an index for
    CUDA).  Equal devices compare and hash equal, as ``torch.device``.  Raises RuntimeError for
    an unknown device string, as PyTorch.
    """

    __slots__ = ("type", "index")
    type: str
    index: int | None

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            if index is not None:
                raise ValueError("device(device, index): give the index in one place only")
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise TypeError(
                f"device: expected a string such as 'cpu' or 'cuda:0' (or a device), got "
                f"{type.__class__.__name__}"
            )
        kind, sep, rest = type.strip().partition(":")
        if sep:
            if index is not None:
                raise ValueError(f"device({type!r}, {index}): give the index in one place only")
            if not rest.isdigit():
                raise RuntimeError(f"Invalid device string: {type!r}; expected e.g. 'cuda:0'")
            index = int(rest)
        if kind not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {type!r}"
            )
        if index is not None:
            if not isinstance(index, (int, np.integer)) or index < 0:
                raise RuntimeError(f"device: the index must be a non-negative int, got {index!r}")
            index = int(index)
            if kind == "cpu" and index != 0:
                raise RuntimeError(f"device: the CPU device has index 0 only, got {index}")
        self.type, self.index = kind, index

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, ValueError):
                return False
        return (
            isinstance(other, device) and self.type == other.type and self.index == other.index
        )

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type={self.type!r})"
        return f"device(type={self.type!r}, index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __reduce__(self) -> Any:
        return (device, (self.type, self.index))


CPU = device("cpu")


class CuPyBackend:
    """The ``cuda`` device type through CuPy: the array module and the explicit transfers."""

    name = "cupy"

    def __init__(self) -> None:
        self.xp = importlib.import_module("cupy")
        self.array_type: type = self.xp.ndarray
        self._generators: dict[int, Any] = {}

    def index_of(self, a: Any) -> int:
        return int(a.device.id)

    def current_index(self) -> int:
        return int(self.xp.cuda.runtime.getDevice())

    def use(self, index: int) -> Any:
        return self.xp.cuda.Device(index)

    def select(self, index: int) -> None:
        self.xp.cuda.Device(index).use()

    def device_count(self) -> int:
        return int(self.xp.cuda.runtime.getDeviceCount())

    def to_host(self, a: Any) -> np.ndarray:
        return a.get()  # type: ignore[no-any-return]

    def from_host(self, a: Any, index: int) -> Any:
        with self.use(index):
            return self.xp.asarray(a)

    def copy_between(self, a: Any, index: int) -> Any:
        with self.use(index):
            return self.xp.array(a, copy=True)

    def synchronize(self, index: int) -> None:
        self.use(index).synchronize()

    def generator(self, index: int) -> Any:
        g = self._generators.get(index)
        if g is None:
            with self.use(index):
                g = self._generators[index] = self.xp.random.default_rng()
        return g

    def manual_seed(self, seed: int) -> None:
        for index in range(self.device_count()):
            with self.use(index):
                self._generators[index] = self.xp.random.default_rng(seed)

    def special(self) -> Any:
        """The module of special functions (``erf``, ``gammaln`` ...) for device arrays."""
        return importlib.import_module("cupyx.scipy.special")


_cuda: Any = None  # the backend of the "cuda" device type, loaded on first use
_cuda_error: str | None = None
_cuda_type: type | None = None  # its array type, for the fast checks below


def set_cuda_backend(backend: Any) -> None:
    """Use ``backend`` for the ``cuda`` device type (None: CuPy again, loaded on next use).

    For tests: the suite's strict stand-in device registers itself here.  A backend provides
    ``name``, ``xp`` (the array module), ``array_type``, ``index_of``, ``current_index``,
    ``use``, ``select``, ``device_count``, ``to_host``, ``from_host``, ``copy_between``,
    ``synchronize``, ``generator``, ``manual_seed`` and ``special`` (see
    :class:`CuPyBackend`)."""
    global _cuda, _cuda_error, _cuda_type
    _cuda, _cuda_error = backend, None
    _cuda_type = None if backend is None else backend.array_type


def host_only_process(why: str) -> None:
    """Make this process CPU-only (a DataLoader worker: CUDA cannot be used after ``fork``):
    new tensors go to the host and nothing touches the GPU (not even ``manual_seed``)."""
    global _cuda, _cuda_error, _cuda_type, _default
    _cuda, _cuda_type, _default = None, None, None
    _cuda_error = why


def cuda_backend(required: bool = True) -> Any:
    """The ``cuda`` backend (CuPy unless a test replaced it); RuntimeError when unavailable."""
    global _cuda, _cuda_error, _cuda_type
    if _cuda is None and _cuda_error is None:
        try:
            backend = CuPyBackend()
            if backend.device_count() < 1:
                raise RuntimeError("CuPy found no CUDA device")
        except Exception as e:  # ImportError, CUDA driver errors: all mean "no GPU here"
            _cuda_error = f"{type(e).__name__}: {e}"
        else:
            _cuda, _cuda_type = backend, backend.array_type
    if _cuda is None and required:
        raise RuntimeError(
            "CUDA is not available: tapegrad's GPU tensors need CuPy and an NVIDIA GPU "
            f"(pip install tapegrad[cuda]); {_cuda_error}"
        )
    return _cuda


def is_array(a: Any) -> bool:
    """True for array data of any device (a NumPy or a device ndarray)."""
    return type(a) is np.ndarray or (_cuda_type is not None and isinstance(a, _cuda_type))


def is_device_array(a: Any) -> bool:
    """True for data on a GPU (not host memory)."""
    return _cuda_type is not None and isinstance(a, _cuda_type)


def writeable(a: Any) -> bool:
    """Whether array data may be written in place: NumPy's flag; GPU arrays always may (CuPy
    has no read-only arrays, and its ``flags`` has no ``writeable``)."""
    return type(a) is not np.ndarray or a.flags.writeable


def device_of(a: Any) -> device:
    """The device of array data (NumPy arrays, NumPy scalars and Python numbers: the CPU)."""
    if _cuda_type is not None and isinstance(a, _cuda_type):
        return device("cuda", _cuda.index_of(a))
    return CPU


def array_module(a: Any) -> Any:
    """The array module for ``a``'s device: ``numpy``, or ``cupy`` for GPU data.

    For what NumPy's dispatch cannot do on device data: creating arrays
    (``array_module(g).zeros(shape, dtype)``), the ``cupyx`` special functions."""
    if _cuda_type is not None and isinstance(a, _cuda_type):
        return _cuda.xp
    return np


def module_for(dev: device) -> Any:
    """The array module for a device."""
    return np if dev.type == "cpu" else cuda_backend().xp


def resolve(dev: Any) -> device:
    """A device argument (a string, a device, an int GPU ordinal) as a device with an index."""
    if isinstance(dev, (int, np.integer)) and not isinstance(dev, bool):
        dev = device("cuda", int(dev))
    d = dev if isinstance(dev, device) else device(dev)
    if d.type == "cuda":
        backend = cuda_backend()
        index = backend.current_index() if d.index is None else d.index
        if index >= backend.device_count():
            raise RuntimeError(
                f"CUDA error: invalid device ordinal {index}; {backend.device_count()} GPU(s) "
                "are available"
            )
        return device("cuda", index)
    return CPU


@contextlib.contextmanager
def placed(dev: device) -> Iterator[Any]:
    """Create arrays on ``dev`` inside the block; yields its array module."""
    if dev.type == "cpu":
        yield np
        return
    backend = cuda_backend()
    with backend.use(dev.index if dev.index is not None else backend.current_index()):
        yield backend.xp


def to_host(a: Any) -> Any:
    """Host (NumPy) data of ``a``: a copy for GPU data, ``a`` itself otherwise.

    One of the two explicit crossings (the other is :func:`transfer`); library code calls it only
    where the user asked for host data (``.cpu()``, ``.item()``, ``.tolist()``, printing, saving).
    """
    if _cuda_type is not None and isinstance(a, _cuda_type):
        return _cuda.to_host(a)
    return a


def transfer(a: Any, dev: device) -> Any:
    """``a`` (array data or a Python number) on ``dev``: itself when already there, else a copy."""
    src = device_of(a)
    if src == dev:
        return a
    if dev.type == "cpu":
        return _cuda.to_host(a)
    backend = cuda_backend()
    index = dev.index if dev.index is not None else backend.current_index()
    if src.type == "cuda":
        return backend.copy_between(a, index)
    return backend.from_host(np.asarray(a), index)


def devices_of(arrays: Any) -> list[device]:
    """The distinct devices of some array data, in order of first appearance."""
    seen: list[device] = []
    for a in arrays:
        d = device_of(a)
        if d not in seen:
            seen.append(d)
    return seen


def mismatch_error(op: str, arrays: Any) -> RuntimeError | None:
    """The RuntimeError for an operation whose operands live on different devices, else None.

    Python numbers mix with any device; arrays (tensors) must share one, as in PyTorch."""
    devs = devices_of(a for a in arrays if is_array(a))
    if len(devs) < 2:
        return None
    return RuntimeError(
        f"{op}: expected all tensors to be on the same device, but found at least two devices, "
        f"{devs[0]} and {devs[1]}; move one with .to(other.device) (or .cuda() / .cpu())"
    )


_default: device | None = None  # where factories put new tensors when no device= is given


def set_default_device(dev: Any) -> None:
    """Put tensors made without ``device=`` (``tensor``, ``zeros``, ``randn`` ...) on ``dev``
    (``torch.set_default_device``); None or ``"cpu"`` restores the CPU.  Data already on a
    device stays there, and DataLoader batches stay on the host.  RuntimeError if the device is
    unavailable."""
    global _default
    d = None if dev is None else resolve(dev)
    _default = None if d is None or d.type == "cpu" else d


def get_default_device() -> device:
    """The device of new tensors (``torch.get_default_device``): the CPU unless changed."""
    return CPU if _default is None else _default


def target(dev: Any) -> device:
    """The device a factory puts its result on: ``dev`` if given, else the default device."""
    if dev is None:
        return CPU if _default is None else _default
    return resolve(dev)
