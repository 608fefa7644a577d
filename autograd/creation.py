"""Tensor constructors: zeros, ones, full, arange, linspace, eye, rand, randn and ``*_like``.

Floating results take the default dtype (``autograd.get_default_dtype()``, float64 unless
``set_default_dtype`` changed it), as PyTorch's factories do; integers stay int64.  Shapes may
be given as ``zeros(2, 3)`` or ``zeros((2, 3))``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import devices as _devices
from .devices import device_of, placed, target
from .dtypes import get_default_dtype
from .ops._args import shape_arg
from .random import generator_for, get_generator
from .tensor import Tensor, _check_grad_dtype, as_dtype


def _on(device: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """``module.name(*args, **kwargs)`` with the array module of ``device`` (default: the
    default device), creating the array there (the factories call NumPy directly when
    everything is on the CPU, before this)."""
    if device is None and _devices._default is None:
        return getattr(np, name)(*args, **kwargs)
    with placed(target(device)) as m:
        return getattr(m, name)(*args, **kwargs)


@contextlib.contextmanager
def _drawing_on(dev: Any, generator: Any) -> Iterator[Any]:
    with placed(dev):
        yield generator_for(dev, generator)


def _filled(name: str, shape: Any, dtype: Any, device: Any, requires_grad: bool) -> Tensor:
    """``zeros``/``ones``/``empty``: NumPy's function directly when everything is on the CPU,
    else the device's."""
    shape, dt = shape_arg(shape, name), _dt(dtype, name)
    if device is None and _devices._default is None:
        return _new(getattr(np, name)(shape, dtype=dt), requires_grad)
    return _new(_on(device, name, shape, dtype=dt), requires_grad)


def _new(data: Any, requires_grad: bool) -> Tensor:
    if requires_grad:
        _check_grad_dtype(data)
    return Tensor._make(data, None, bool(requires_grad))


def _dt(dtype: Any, where: str) -> np.dtype:
    return get_default_dtype() if dtype is None else as_dtype(dtype, where)


def _floats_to_default(data: Any, dtype: Any) -> Any:
    """Data NumPy inferred as float64 (from Python floats) in the default dtype instead."""
    if dtype is None and data.dtype == np.float64 and get_default_dtype() != np.float64:
        return data.astype(get_default_dtype())
    return data


def tensor(data: Any, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (like ``torch.tensor``), on ``device`` (default:
    the device of ``data`` if it is a tensor or GPU array, else the default device)."""
    from .tensor import _to_data

    return _new(_to_data(data, dtype, copy=True, device=device), requires_grad)


def zeros(*shape: Any, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of ``shape`` (``torch.zeros``, ``numpy.zeros``); default dtype."""
    return _filled("zeros", shape, dtype, device, requires_grad)


def ones(*shape: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ones of ``shape`` (``torch.ones``, ``numpy.ones``); default dtype."""
    return _filled("ones", shape, dtype, device, requires_grad)


def empty(*shape: Any, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor of ``shape`` (``torch.empty``, ``numpy.empty``)."""
    return _filled("empty", shape, dtype, device, requires_grad)


def full(shape: Any, fill_value: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ``shape`` filled with ``fill_value`` (``torch.full``); a float fill takes
    the default dtype, an int fill int64."""
    shape = shape_arg((shape,) if not isinstance(shape, int) else (shape,), "full")
    dt = as_dtype(dtype, "full") if dtype is not None else None
    return _new(_floats_to_default(_on(device, "full", shape, fill_value, dtype=dt), dtype),
                requires_grad)


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values ``start, start + step, ...`` below ``stop`` (``torch.arange``, ``numpy.arange``):
    ints give int64, floats the default dtype."""
    dt = as_dtype(dtype, "arange") if dtype is not None else None
    if stop is None:
        data = _on(device, "arange", start, dtype=dt)
    else:
        data = _on(device, "arange", start, stop, step, dtype=dt)
    return _new(_floats_to_default(data, dtype), requires_grad)


def linspace(start: float, stop: float, num: int = 50, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive (``torch.linspace``)."""
    return _new(_on(device, "linspace", start, stop, num, dtype=_dt(dtype, "linspace")),
                requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """The ``n x m`` identity matrix (``torch.eye``, ``numpy.eye``); default dtype."""
    return _new(_on(device, "eye", n, m, dtype=_dt(dtype, "eye")), requires_grad)


def _drawn(method: str, shape: Any, dtype: Any, device: Any, generator: Any,
           requires_grad: bool, where: str) -> Tensor:
    """``generator.method(shape)`` in ``dtype``: NumPy's generator directly when everything is on
    the CPU, else the device's generator, drawing on the device (see ``generator_for``)."""
    shape, dt = shape_arg(shape, where), _dt(dtype, where)
    if device is None and _devices._default is None:
        data = getattr(get_generator(generator), method)(shape)
        return _new(data.astype(dt, copy=False), requires_grad)
    with _drawing_on(target(device), generator) as gen:
        data = getattr(gen, method)(shape).astype(dt, copy=False)
    return _new(data, requires_grad)


def rand(*shape: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
         generator: Any = None) -> Tensor:
    """Uniform [0, 1) samples (``torch.rand``) from ``generator`` (default: the one
    ``manual_seed`` sets; on a GPU, that device's generator, drawing there)."""
    return _drawn("random", shape, dtype, device, generator, requires_grad, "rand")


def randn(*shape: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          generator: Any = None) -> Tensor:
    """Standard-normal samples (``torch.randn``) from ``generator`` (default: the one
    ``manual_seed`` sets; on a GPU, that device's generator, drawing there)."""
    return _drawn("standard_normal", shape, dtype, device, generator, requires_grad, "randn")


def randint(low: int, high: int, size: Any, dtype: Any = None, device: Any = None,
            generator: Any = None) -> Tensor:
    """Integers drawn uniformly from ``[low, high)`` of shape ``size``, int64
    (``torch.randint``)."""
    dt = as_dtype(dtype, "randint") if dtype is not None else np.dtype(np.int64)
    size = (size,) if isinstance(size, int) else tuple(size)
    with _drawing_on(target(device), generator) as gen:
        data = gen.integers(low, high, size).astype(dt, copy=False)
    return _new(data, False)


def _like_dtype(x: Any, dtype: Any) -> Any:
    return as_dtype(dtype) if dtype is not None else (x.dtype if hasattr(x, "dtype") else None)


def _like(x: Any, device: Any) -> tuple[tuple[int, ...], Any]:
    """The shape of ``x`` and the device a ``*_like`` result goes to (``x``'s unless given)."""
    data = x._data if isinstance(x, Tensor) else x
    return tuple(np.shape(data)), (device_of(data) if device is None else device)


def zeros_like(x: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """Zeros of ``x``'s shape, dtype and device (or ``dtype``/``device``)
    (``torch.zeros_like``)."""
    shape, dev = _like(x, device)
    return zeros(shape, dtype=_like_dtype(x, dtype), device=dev, requires_grad=requires_grad)


def ones_like(x: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """Ones of ``x``'s shape, dtype and device (or ``dtype``/``device``) (``torch.ones_like``)."""
    shape, dev = _like(x, device)
    return ones(shape, dtype=_like_dtype(x, dtype), device=dev, requires_grad=requires_grad)


def full_like(x: Any, fill_value: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """``fill_value`` in ``x``'s shape, dtype and device (or ``dtype``/``device``)
    (``torch.full_like``)."""
    shape, dev = _like(x, device)
    return full(shape, fill_value, dtype=_like_dtype(x, dtype), device=dev,
                requires_grad=requires_grad)


def rand_like(x: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
              generator: Any = None) -> Tensor:
    """Uniform [0, 1) samples in ``x``'s shape, on its device (``torch.rand_like``)."""
    shape, dev = _like(x, device)
    return rand(shape, dtype=_like_dtype(x, dtype), device=dev, requires_grad=requires_grad,
                generator=generator)


def randn_like(x: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
               generator: Any = None) -> Tensor:
    """Standard-normal samples in ``x``'s shape, on its device (``torch.randn_like``)."""
    shape, dev = _like(x, device)
    return randn(shape, dtype=_like_dtype(x, dtype), device=dev, requires_grad=requires_grad,
                 generator=generator)


def empty_like(x: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor shaped like ``x``, on its device (its dtype unless given)."""
    shape, dev = _like(x, device)
    return empty(shape, dtype=_like_dtype(x, dtype), device=dev, requires_grad=requires_grad)


def from_numpy(a: Any) -> Tensor:
    """A tensor sharing memory with the NumPy array ``a`` (``torch.from_numpy``): changes to
    one show in the other.  Raises TypeError for anything but an ndarray of bool, integer or
    floating dtype."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(a).__name__}")
    if a.dtype.kind not in "biuf":
        raise TypeError(
            f"from_numpy: arrays of dtype {a.dtype} are not supported; use bool, integer or "
            "floating data"
        )
    return Tensor._make(a, None, False)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor without copying when possible (``torch.as_tensor``): a Tensor of
    the right dtype is returned itself, an ndarray of the right dtype is shared; anything else
    (lists, another dtype) is converted into new memory."""
    if isinstance(data, Tensor):
        if device is not None:
            data = data.to(device)
        if dtype is None or data.dtype == as_dtype(dtype, "as_tensor"):
            return data
        return data.to(dtype)
    if (isinstance(data, np.ndarray) and (dtype is None or data.dtype == as_dtype(dtype))
            and target(device).type == "cpu"):
        return from_numpy(data)
    return Tensor(data, dtype=dtype, device=device)
