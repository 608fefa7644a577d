"""Tensor constructors: zeros, ones, full, arange, linspace, eye, rand, randn and ``*_like``.

Default dtype is float64, like NumPy (Python floats are float64 too).  Shapes may be given as
``zeros(2, 3)`` or ``zeros((2, 3))``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .backend import xp
from .ops._args import shape_arg
from .random import get_generator
from .tensor import Tensor, _check_grad_dtype, as_dtype


def _new(data: Any, requires_grad: bool) -> Tensor:
    if requires_grad:
        _check_grad_dtype(data)
    return Tensor._make(data, None, bool(requires_grad))


def _dt(dtype: Any, where: str) -> np.dtype:
    return np.dtype(np.float64) if dtype is None else as_dtype(dtype, where)


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """A new tensor holding a copy of ``data`` (like ``torch.tensor``)."""
    from .tensor import _to_data

    return _new(_to_data(data, dtype, copy=True), requires_grad)


def zeros(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(xp.zeros(shape_arg(shape, "zeros"), dtype=_dt(dtype, "zeros")), requires_grad)


def ones(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(xp.ones(shape_arg(shape, "ones"), dtype=_dt(dtype, "ones")), requires_grad)


def empty(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(xp.empty(shape_arg(shape, "empty"), dtype=_dt(dtype, "empty")), requires_grad)


def full(shape: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape = shape_arg((shape,) if not isinstance(shape, int) else (shape,), "full")
    dt = as_dtype(dtype, "full") if dtype is not None else None
    return _new(xp.full(shape, fill_value, dtype=dt), requires_grad)


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Like ``numpy.arange``: ints give int64, floats give float64."""
    dt = as_dtype(dtype, "arange") if dtype is not None else None
    if stop is None:
        data = xp.arange(start, dtype=dt)
    else:
        data = xp.arange(start, stop, step, dtype=dt)
    return _new(data, requires_grad)


def linspace(start: float, stop: float, num: int = 50, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    return _new(xp.linspace(start, stop, num, dtype=_dt(dtype, "linspace")), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(xp.eye(n, m, dtype=_dt(dtype, "eye")), requires_grad)


def rand(*shape: Any, dtype: Any = None, requires_grad: bool = False,
         generator: Any = None) -> Tensor:
    """Uniform [0, 1) samples from ``generator`` (default: the one ``manual_seed`` sets)."""
    dt = _dt(dtype, "rand")
    data = get_generator(generator).random(shape_arg(shape, "rand")).astype(dt, copy=False)
    return _new(xp.asarray(data), requires_grad)


def randn(*shape: Any, dtype: Any = None, requires_grad: bool = False,
          generator: Any = None) -> Tensor:
    """Standard-normal samples from ``generator`` (default: the one ``manual_seed`` sets)."""
    dt = _dt(dtype, "randn")
    gen = get_generator(generator)
    data = gen.standard_normal(shape_arg(shape, "randn")).astype(dt, copy=False)
    return _new(xp.asarray(data), requires_grad)


def randint(low: int, high: int, size: Any, dtype: Any = None, generator: Any = None) -> Tensor:
    dt = as_dtype(dtype, "randint") if dtype is not None else np.dtype(np.int64)
    size = (size,) if isinstance(size, int) else tuple(size)
    return _new(xp.asarray(get_generator(generator).integers(low, high, size, dtype=dt)), False)


def _like_dtype(x: Any, dtype: Any) -> Any:
    return as_dtype(dtype) if dtype is not None else (x.dtype if hasattr(x, "dtype") else None)


def zeros_like(x: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros(tuple(xp.shape(x._array if isinstance(x, Tensor) else x)),
                 dtype=_like_dtype(x, dtype), requires_grad=requires_grad)


def ones_like(x: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return ones(tuple(xp.shape(x._array if isinstance(x, Tensor) else x)),
                dtype=_like_dtype(x, dtype), requires_grad=requires_grad)


def full_like(x: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return full(tuple(xp.shape(x._array if isinstance(x, Tensor) else x)), fill_value,
                dtype=_like_dtype(x, dtype), requires_grad=requires_grad)


def rand_like(x: Any, dtype: Any = None, requires_grad: bool = False,
              generator: Any = None) -> Tensor:
    return rand(tuple(xp.shape(x._array if isinstance(x, Tensor) else x)),
                dtype=_like_dtype(x, dtype), requires_grad=requires_grad, generator=generator)


def randn_like(x: Any, dtype: Any = None, requires_grad: bool = False,
               generator: Any = None) -> Tensor:
    return randn(tuple(xp.shape(x._array if isinstance(x, Tensor) else x)),
                 dtype=_like_dtype(x, dtype), requires_grad=requires_grad, generator=generator)
