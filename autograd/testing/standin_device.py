"""A strict stand-in for a GPU: NumPy arrays behind a wall, usable as the ``cuda`` device.

Most machines that run tests have no GPU, so ``pytest --device=stand-in`` runs tapegrad's suite
on this instead, and any library built on tapegrad can do the same to find host round trips::

    from autograd.devices import set_cuda_backend
    from autograd.testing.standin_device import StandInBackend
    set_cuda_backend(StandInBackend())      # "cuda" tensors now live on the stand-in

It is stricter than CuPy where CuPy would hide a host round trip:

- ``StandInArray`` is not a ``numpy.ndarray``; ``__array__`` raises (as CuPy's), so any NumPy
  function that converts its input (``np.asarray``, ``np.ascontiguousarray``) fails.
- Mixing a NumPy array into its math raises TypeError (as CuPy's ``Unsupported type``); NumPy
  index arrays raise too (CuPy would upload them silently).
- Only names CuPy 14 exports exist (``cupy_names``); others raise AttributeError / TypeError.
- Reductions return 0-d arrays (as CuPy), and ``float()``, ``bool()``, ``int()``, ``.item()``,
  ``.tolist()`` raise: a hidden device-to-host sync.  ``.get()`` is the explicit way across.
- Explicit transfers are counted in ``TRANSFERS`` (``to_host``, ``to_device``).
- Two devices (``cuda:0``, ``cuda:1``); arrays of different ones do not mix.
"""

from __future__ import annotations

import contextlib
import numbers
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import cupy_names as names

TRANSFERS = {"to_host": 0, "to_device": 0}
_OWNER = [0]  # the process that set the device up: CUDA cannot be used in a forked child


def _in_owner() -> None:
    if _OWNER[0] and os.getpid() != _OWNER[0]:
        raise RuntimeError(
            "stand-in device: used in a forked subprocess; CUDA cannot be re-initialized in a "
            "forked subprocess (DataLoader workers must make host tensors)"
        )
_current = [0]  # the current device ordinal (cupy.cuda.Device(i) as a context)
N_DEVICES = 2

# functions NumPy only dispatches through ``like=``: the library must use the device's module
_CREATION = frozenset(
    "zeros ones empty full arange eye identity linspace logspace asarray array asanyarray "
    "ascontiguousarray frombuffer fromfunction fromiter fromstring loadtxt genfromtxt".split()
)
# ufunc methods CuPy 14 implements only for some ufuncs (seen on a GPU: maximum.reduce raises
# NotImplementedError); the library calls ``x.max()``/``xp.amax`` instead
_REDUCIBLE = frozenset(["add", "multiply"])
# keyword arguments CuPy's reductions do not take (seen: amax() got an unexpected keyword
# argument 'initial')
_NO_REDUCTION_KWARGS = ("initial", "where")
_REDUCTIONS = frozenset(
    "amax amin max min sum prod mean std var any all nanmax nanmin nansum nanprod nanmean "
    "nanstd nanvar".split()
)


def _quiet() -> Any:
    return np.errstate(all="ignore")


class ImplicitTransferError(TypeError):
    """Device data was read on the host without an explicit transfer."""


def _sync_error(what: str) -> ImplicitTransferError:
    return ImplicitTransferError(
        f"stand-in device: {what} reads device data on the host (a hidden sync); transfer "
        "explicitly (autograd.devices.to_host / Tensor.cpu())"
    )


def _unsupported(a: Any) -> TypeError:
    return TypeError(f"Unsupported type {type(a)}")


class StandInArray:
    """An array on the stand-in device (see the module docstring)."""

    __slots__ = ("_a", "_dev", "__weakref__")  # (cupy.ndarray is a Python class: weakrefs work)
    __array_priority__ = 100.0  # below Tensor's, so Tensor's reflected operators win

    def __init__(self, a: np.ndarray, dev: int | None = None) -> None:
        self._a = a
        self._dev = _current[0] if dev is None else dev

    # conversions: none implicit
    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            "Implicit conversion to a NumPy array is not allowed. Please use `.get()` to "
            "construct a NumPy array explicitly."
        )

    def get(self, *args: Any, **kwargs: Any) -> np.ndarray:
        TRANSFERS["to_host"] += 1
        return self._a.copy()

    def item(self, *args: Any) -> Any:
        raise _sync_error("item()")

    def tolist(self) -> Any:
        raise _sync_error("tolist()")

    def __float__(self) -> float:
        raise _sync_error("float()")

    def __int__(self) -> int:
        raise _sync_error("int()")

    def __index__(self) -> int:
        raise _sync_error("operator.index()")

    def __bool__(self) -> bool:
        raise _sync_error("bool()")

    def __complex__(self) -> complex:
        raise _sync_error("complex()")

    def __iter__(self) -> Iterator[Any]:
        if self._a.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        for i in range(self._a.shape[0]):
            yield self[i]

    def __len__(self) -> int:
        return len(self._a)

    def __repr__(self) -> str:
        return f"StandInArray(shape={self._a.shape}, dtype={self._a.dtype}, device={self._dev})"

    def __dlpack__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("stand-in device: no DLPack exchange")

    # plain attributes
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    strides = property(lambda self: self._a.strides)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    flags = property(lambda self: _Flags(self._a.flags))
    T = property(lambda self: StandInArray(self._a.T, self._dev))
    mT = property(lambda self: StandInArray(np.swapaxes(self._a, -1, -2), self._dev))
    base = property(lambda self: None if self._a.base is None else StandInArray(
        self._a.base if isinstance(self._a.base, np.ndarray) else self._a, self._dev))
    device = property(lambda self: _Device(self._dev))

    def __getattr__(self, name: str) -> Any:
        if name not in names.NDARRAY:
            raise AttributeError(f"'cupy.ndarray' object has no attribute {name!r}")
        meth = getattr(self._a, name)
        dev = self._dev

        def call(*args: Any, **kwargs: Any) -> Any:
            if name in _REDUCTIONS:
                _check_reduction_kwargs(name, kwargs)
            with _quiet():
                return _wrap(meth(*_unwrap(args, dev), **_unwrap(kwargs, dev)), dev)

        return call

    def __getitem__(self, key: Any) -> Any:
        return _wrap(self._a[_unwrap_index(key, self._dev)], self._dev)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._a[_unwrap_index(key, self._dev)] = _unwrap(value, self._dev)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if any(_foreign(x) for x in inputs):
            return NotImplemented
        if ufunc.__name__ not in names.CUPY:
            raise TypeError(f"stand-in device: CuPy has no ufunc {ufunc.__name__!r}")
        if method in ("reduce", "accumulate") and ufunc.__name__ not in _REDUCIBLE:
            raise NotImplementedError(f"`cupy_{ufunc.__name__}.{method}` is not supported yet")
        if method == "reduce":
            _check_reduction_kwargs(ufunc.__name__, kwargs)
        if method == "at" and len(inputs) > 1 and _has_list(inputs[1]):
            raise TypeError(f"operand type(s) all returned NotImplemented from __array_ufunc__"
                            f"({ufunc.__name__}, 'at'): a list index (CuPy takes arrays)")
        dev = _device_of(inputs)
        with _quiet():  # a GPU never warns about inf/nan (CuPy has no floating-point warnings)
            out = getattr(ufunc, method)(*_unwrap(inputs, dev), **_unwrap(kwargs, dev))
        if method == "at":
            return None
        if "out" in kwargs:
            o = kwargs["out"]
            return o[0] if isinstance(o, tuple) and len(o) == 1 else o
        return _wrap(out, dev)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if any(not issubclass(t, (StandInArray, np.ndarray)) for t in types):
            return NotImplemented  # Tensors handle NumPy functions on themselves
        return _call_numpy(func, args, kwargs)

    # operators: through the ufuncs, as CuPy's
    def _binary(ufunc: Any, reflected: bool = False) -> Any:  # noqa: N805
        def op(self: StandInArray, other: Any) -> Any:
            if _foreign(other):
                return NotImplemented
            a, b = (other, self) if reflected else (self, other)
            return self.__array_ufunc__(ufunc, "__call__", a, b)

        return op

    __add__, __radd__ = _binary(np.add), _binary(np.add, True)
    __sub__, __rsub__ = _binary(np.subtract), _binary(np.subtract, True)
    __mul__, __rmul__ = _binary(np.multiply), _binary(np.multiply, True)
    __truediv__, __rtruediv__ = _binary(np.true_divide), _binary(np.true_divide, True)
    __floordiv__, __rfloordiv__ = _binary(np.floor_divide), _binary(np.floor_divide, True)
    __mod__, __rmod__ = _binary(np.remainder), _binary(np.remainder, True)
    __pow__, __rpow__ = _binary(np.power), _binary(np.power, True)
    __matmul__, __rmatmul__ = _binary(np.matmul), _binary(np.matmul, True)
    __and__, __rand__ = _binary(np.bitwise_and), _binary(np.bitwise_and, True)
    __or__, __ror__ = _binary(np.bitwise_or), _binary(np.bitwise_or, True)
    __xor__, __rxor__ = _binary(np.bitwise_xor), _binary(np.bitwise_xor, True)
    __lshift__, __rlshift__ = _binary(np.left_shift), _binary(np.left_shift, True)
    __rshift__, __rrshift__ = _binary(np.right_shift), _binary(np.right_shift, True)
    __lt__, __le__ = _binary(np.less), _binary(np.less_equal)
    __gt__, __ge__ = _binary(np.greater), _binary(np.greater_equal)
    __eq__, __ne__ = _binary(np.equal), _binary(np.not_equal)  # type: ignore[assignment]
    __hash__ = None  # type: ignore[assignment]

    def _inplace(ufunc: Any) -> Any:  # noqa: N805
        def op(self: StandInArray, other: Any) -> Any:
            if _foreign(other):
                return NotImplemented
            with _quiet():
                ufunc(self._a, _unwrap(other, self._dev), out=self._a)
            return self

        return op

    __iadd__, __isub__ = _inplace(np.add), _inplace(np.subtract)
    __imul__, __itruediv__ = _inplace(np.multiply), _inplace(np.true_divide)
    __ipow__, __imod__ = _inplace(np.power), _inplace(np.remainder)
    __ifloordiv__ = _inplace(np.floor_divide)
    __iand__, __ior__, __ixor__ = (
        _inplace(np.bitwise_and), _inplace(np.bitwise_or), _inplace(np.bitwise_xor))

    def __neg__(self) -> Any:
        return StandInArray(-self._a, self._dev)

    def __pos__(self) -> Any:
        return StandInArray(+self._a, self._dev)

    def __abs__(self) -> Any:
        return StandInArray(abs(self._a), self._dev)

    def __invert__(self) -> Any:
        return StandInArray(~self._a, self._dev)

    def __copy__(self) -> Any:
        return StandInArray(self._a.copy(), self._dev)

    def __deepcopy__(self, memo: Any) -> Any:
        return StandInArray(self._a.copy(), self._dev)

    def __reduce__(self) -> Any:
        raise TypeError("stand-in device: pickling device arrays would copy to the host")


class _Flags:
    """CuPy's ``ndarray.flags``: contiguity and ownership only (no ``writeable``)."""

    def __init__(self, f: Any) -> None:
        self.c_contiguous = bool(f.c_contiguous)
        self.f_contiguous = bool(f.f_contiguous)
        self.owndata = bool(f.owndata)


class _Device:
    def __init__(self, id: int) -> None:  # noqa: A002
        self.id = id

    def synchronize(self) -> None:
        pass


def _check_reduction_kwargs(name: str, kwargs: dict[str, Any]) -> None:
    for k in _NO_REDUCTION_KWARGS:
        if k in kwargs:
            raise TypeError(f"{name}() got an unexpected keyword argument '{k}'")


def _has_list(index: Any) -> bool:
    if isinstance(index, list):
        return True
    return isinstance(index, tuple) and any(isinstance(i, list) for i in index)


def _foreign(x: Any) -> bool:
    """Operands this type leaves to others (Tensors): neither arrays nor plain numbers."""
    return not isinstance(x, (StandInArray, np.ndarray, np.generic, numbers.Number, list, tuple,
                              type(None), slice, str, np.dtype, type))


def _device_of(objs: Any) -> int:
    dev = None
    for x in objs:
        if isinstance(x, StandInArray):
            if dev is not None and x._dev != dev:
                raise ValueError(
                    f"stand-in device: arrays on devices {dev} and {x._dev} do not mix"
                )
            dev = x._dev
        elif isinstance(x, (list, tuple)):
            d = _device_of(x) if x else None
            if d is not None:
                if dev is not None and d != dev:
                    raise ValueError(f"stand-in device: arrays on devices {dev} and {d} do not mix")
                dev = d
    return _current[0] if dev is None else dev


def _unwrap(x: Any, dev: int) -> Any:
    if isinstance(x, StandInArray):
        if x._dev != dev:
            raise ValueError(f"stand-in device: arrays on devices {dev} and {x._dev} do not mix")
        return x._a
    if isinstance(x, np.ndarray):
        raise _unsupported(x)
    if isinstance(x, tuple):
        return tuple(_unwrap(v, dev) for v in x)
    if isinstance(x, list):
        return [_unwrap(v, dev) for v in x]
    if isinstance(x, dict):
        return {k: _unwrap(v, dev) for k, v in x.items()}
    return x


def _unwrap_index(key: Any, dev: int) -> Any:
    if isinstance(key, tuple):
        return tuple(_unwrap_index(k, dev) for k in key)
    if isinstance(key, list):
        key = [_unwrap_index(k, dev) for k in key]
        if any(isinstance(k, np.ndarray) for k in key):
            raise _unsupported(np.ndarray)
        return key
    return _unwrap(key, dev)


def _wrap(x: Any, dev: int) -> Any:
    if isinstance(x, np.ndarray):
        return StandInArray(x, dev)
    if isinstance(x, np.generic):
        return StandInArray(np.asarray(x), dev)  # CuPy's reductions give 0-d arrays
    if isinstance(x, tuple):
        return tuple(_wrap(v, dev) for v in x)
    if isinstance(x, list):
        return [_wrap(v, dev) for v in x]
    return x


# cupy.lib.stride_tricks has sliding_window_view; as_strided through NumPy fails on CuPy arrays
_STRIDE_TRICKS = frozenset(["sliding_window_view"])
_PY_BOOL_IN_NUMPY = frozenset(["allclose", "array_equal", "array_equiv"])  # CuPy: 0-d arrays


def _call_numpy(func: Any, args: Any, kwargs: Any) -> Any:
    mod = func.__module__ or "numpy"
    name = func.__name__
    allowed = (names.LINALG if "linalg" in mod else names.FFT if "fft" in mod
               else _STRIDE_TRICKS if "stride_tricks" in mod else names.CUPY)
    if name not in allowed:
        raise TypeError(
            f"no implementation found for '{mod}.{name}' on types that implement "
            "__array_function__: [<class 'cupy.ndarray'>]"
        )
    if name in _CREATION:
        raise TypeError(
            f"stand-in device: numpy.{name}(..., like=device_array) is not used; create device "
            "arrays with autograd.devices.array_module(ref).{name}(...)"
        )
    if name in _REDUCTIONS:
        _check_reduction_kwargs(name, kwargs)
    if name.endswith("_like") and kwargs.get("shape", None) == ():
        kwargs = {k: v for k, v in kwargs.items() if k != "shape"}  # CuPy: () means "not given"
    if name == "solve" and len(args) == 2 and args[1].ndim > 1 and (
            args[0].shape[:-2] != args[1].shape[:-2]):  # CuPy does not broadcast batch dims
        raise ValueError("linalg_solve: a must have (..., M, M) shape and b must have (..., M, K) "
                         "for multidimensional b")
    dev = _device_of(list(args) + list(kwargs.values()))
    try:
        with _quiet():
            out = func(*_unwrap(args, dev), **_unwrap(kwargs, dev))
    except np.linalg.LinAlgError:
        if "linalg" not in mod:
            raise
        out = _nan_result(func, _unwrap(args, dev), _unwrap(kwargs, dev))
    if name in _PY_BOOL_IN_NUMPY:
        return StandInArray(np.asarray(out), dev)
    return _wrap(out, dev)


def _nan_result(func: Any, args: Any, kwargs: Any) -> Any:
    """What CuPy gives where NumPy's linalg raises (singular, not positive-definite): no error,
    non-finite values (cupyx.errstate(linalg='ignore') is CuPy's default).  The shapes come
    from the same call on identity matrices."""
    a = args[0]
    eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape).copy()
    out = func(eye, *args[1:], **kwargs)
    if isinstance(out, tuple):
        return tuple(np.full_like(o, np.nan) for o in out)
    return np.full_like(out, np.nan)


# the cupy-like module (after the array type it is made of)
from .standin_module import _asarray, _Generator, _Special, xp  # noqa: E402


class StandInBackend:
    """The ``cuda`` device type on stand-in arrays (see ``autograd.devices.set_cuda_backend``)."""

    name = "stand-in"
    xp = xp
    array_type = StandInArray

    def __init__(self) -> None:
        self._generators: dict[int, _Generator] = {}
        _OWNER[0] = os.getpid()

    def index_of(self, a: StandInArray) -> int:
        return a._dev

    def current_index(self) -> int:
        return _current[0]

    @contextlib.contextmanager
    def use(self, index: int) -> Iterator[None]:
        prev = _current[0]
        _current[0] = index
        try:
            yield
        finally:
            _current[0] = prev

    def select(self, index: int) -> None:
        _current[0] = index

    def device_count(self) -> int:
        return N_DEVICES

    def to_host(self, a: StandInArray) -> np.ndarray:
        return a.get()

    def from_host(self, a: Any, index: int) -> StandInArray:
        with self.use(index):
            return _asarray(a)

    def copy_between(self, a: StandInArray, index: int) -> StandInArray:
        return StandInArray(a._a.copy(), index)

    def synchronize(self, index: int) -> None:
        pass

    def generator(self, index: int) -> _Generator:
        _in_owner()
        g = self._generators.get(index)
        if g is None:
            g = self._generators[index] = _Generator()
        return g

    def manual_seed(self, seed: int) -> None:
        for i in range(N_DEVICES):
            self._generators[i] = _Generator(seed)

    def special(self) -> Any:
        return _Special()


@contextlib.contextmanager
def count_transfers() -> Iterator[dict[str, int]]:
    """Counts of explicit transfers made inside the block."""
    before = dict(TRANSFERS)
    counts = {k: 0 for k in TRANSFERS}
    try:
        yield counts
    finally:
        for k in TRANSFERS:
            counts[k] = TRANSFERS[k] - before[k]


@contextlib.contextmanager
def registered() -> Iterator[StandInBackend]:
    """The stand-in as the ``cuda`` device type inside the block, with new tensors on the CPU
    unless moved; the previous backend and default device are restored afterwards."""
    from .. import devices

    prev, prev_default = devices._cuda, devices._default
    backend = StandInBackend()
    devices.set_cuda_backend(backend)
    devices._default = None
    try:
        yield backend
    finally:
        devices.set_cuda_backend(prev)
        devices._default = prev_default
