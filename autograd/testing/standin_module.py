"""The stand-in device's array module: ``cupy``'s namespace (only names CuPy has) on stand-in
arrays, its creation functions (explicit uploads counted) and its random generator.  See
``standin_device``."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import cupy_names as names
from .standin_device import (
    TRANSFERS,
    StandInArray,
    _call_numpy,
    _current,
    _device_of,
    _in_owner,
    _unwrap,
    _wrap,
)


class _Namespace:
    """``cupy``-like module: names CuPy has, on stand-in arrays."""

    def __init__(self, numpy_mod: Any, allowed: frozenset[str], label: str) -> None:
        self._np, self._allowed, self._label = numpy_mod, allowed, label

    def __getattr__(self, name: str) -> Any:
        if name not in self._allowed:
            raise AttributeError(f"module {self._label!r} has no attribute {name!r}")
        if name in _CREATORS:
            return _CREATORS[name]
        obj = getattr(self._np, name)
        if name == "ndarray":
            return StandInArray
        if isinstance(obj, (type, np.dtype, float, int)) or obj is None:
            return obj  # dtypes, scalar types, constants
        if isinstance(obj, np.ufunc):
            return _Ufunc(obj)

        def call(*args: Any, **kwargs: Any) -> Any:
            return _call_numpy(obj, args, kwargs)

        call.__name__ = name
        return call


class _Ufunc:
    def __init__(self, uf: np.ufunc) -> None:
        self._uf = uf
        self.__name__ = uf.__name__

    def _run(self, method: str, args: Any, kwargs: Any) -> Any:
        dev = _device_of(args)
        probe = StandInArray(np.empty(0), dev)
        return probe.__array_ufunc__(self._uf, method, *args, **kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._run("__call__", args, kwargs)

    def reduce(self, *args: Any, **kwargs: Any) -> Any:
        return self._run("reduce", args, kwargs)

    def accumulate(self, *args: Any, **kwargs: Any) -> Any:
        return self._run("accumulate", args, kwargs)

    def at(self, *args: Any, **kwargs: Any) -> Any:
        return self._run("at", args, kwargs)

    def outer(self, *args: Any, **kwargs: Any) -> Any:
        return self._run("outer", args, kwargs)


def _create(fn_name: str) -> Any:
    fn = getattr(np, fn_name)

    def create(*args: Any, **kwargs: Any) -> Any:
        _in_owner()
        for a in list(args) + list(kwargs.values()):
            if isinstance(a, np.ndarray) or isinstance(a, StandInArray):
                raise TypeError(f"stand-in {fn_name}: array arguments are not supported here")
        return StandInArray(fn(*args, **kwargs))

    return create


def _asarray(a: Any, dtype: Any = None, order: Any = None, copy: Any = None) -> StandInArray:
    _in_owner()
    if isinstance(a, StandInArray):
        if a._dev != _current[0]:
            TRANSFERS["to_device"] += 0  # device to device: not a host crossing
            return StandInArray(np.array(a._a, dtype=dtype, copy=True), _current[0])
        if dtype is None or a.dtype == np.dtype(dtype):
            return StandInArray(a._a.copy(), a._dev) if copy else a
        return StandInArray(a._a.astype(dtype), a._dev)
    if isinstance(a, (list, tuple)) and any(isinstance(v, StandInArray) for v in a):
        raise TypeError("stand-in asarray: a list of device arrays; use stack/concatenate")
    TRANSFERS["to_device"] += 1
    arr = np.array(a, dtype=dtype, order=order or "K", copy=True)
    if not arr.dtype.isnative:  # GPU arrays hold native byte order (CuPy converts)
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return StandInArray(arr)


_CREATORS: dict[str, Any] = {
    n: _create(n) for n in ("zeros", "ones", "empty", "full", "arange", "eye", "identity",
                            "linspace", "logspace", "indices", "tri", "triu_indices",
                            "tril_indices", "diag_indices")
}
_CREATORS["asarray"] = _CREATORS["array"] = _CREATORS["asanyarray"] = _asarray
_CREATORS["ascontiguousarray"] = lambda a, dtype=None: _asarray(a, dtype)


class _Generator:
    """``cupy.random.Generator``: draws made on the device (no transfer)."""

    _METHODS = frozenset(
        "beta binomial chisquare dirichlet exponential f gamma geometric hypergeometric "
        "integers logseries poisson power random standard_exponential standard_gamma "
        "standard_normal uniform".split()
    )

    def __init__(self, seed: Any = None) -> None:
        self._g = np.random.default_rng(seed)

    def __getattr__(self, name: str) -> Any:
        if name not in self._METHODS:
            raise AttributeError(f"'cupy.random.Generator' object has no attribute {name!r}")
        meth = getattr(self._g, name)

        def draw(*args: Any, **kwargs: Any) -> Any:
            return _wrap(meth(*args, **kwargs), _current[0])

        return draw


class _Random(_Namespace):
    def default_rng(self, seed: Any = None) -> _Generator:
        return _Generator(seed)


xp = _Namespace(np, names.CUPY, "cupy")
xp.linalg = _Namespace(np.linalg, names.LINALG, "cupy.linalg")  # type: ignore[attr-defined]
xp.fft = _Namespace(np.fft, names.FFT, "cupy.fft")  # type: ignore[attr-defined]
xp.random = _Random(np.random, names.RANDOM, "cupy.random")  # type: ignore[attr-defined]


class _Special:
    """``cupyx.scipy.special`` on stand-in arrays (through SciPy when installed)."""

    def __getattr__(self, name: str) -> Any:
        if name not in names.SPECIAL:
            raise AttributeError(f"module 'cupyx.scipy.special' has no attribute {name!r}")
        import scipy.special

        fn = getattr(scipy.special, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            dev = _device_of(args)
            return _wrap(fn(*_unwrap(args, dev), **_unwrap(kwargs, dev)), dev)

        return call
