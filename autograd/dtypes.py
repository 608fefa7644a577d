"""dtypes (``autograd.float32`` ...) and the default floating dtype.

tapegrad's dtypes are NumPy's: ``autograd.float32 is numpy.dtype('float32')`` and ``autograd.dtype``
is ``numpy.dtype``, so tensors, arrays and dtype arguments mix freely.  The default floating dtype
(of ``tensor([1.0])``, ``zeros``, ``randn``, parameters of ``nn`` layers) is float64, unlike
PyTorch's float32: gradients are checked against central differences, which need the precision
(see docs/differences.md).  ``set_default_dtype(autograd.float32)`` switches, process-wide as in
PyTorch.

>>> import autograd as ag
>>> ag.get_default_dtype()
dtype('float64')
>>> ag.zeros(2, dtype=ag.float32).dtype == ag.float32
True
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

dtype = np.dtype
float16: np.dtype = np.dtype(np.float16)
float32: np.dtype = np.dtype(np.float32)
float64: np.dtype = np.dtype(np.float64)
int32: np.dtype = np.dtype(np.int32)
int64: np.dtype = np.dtype(np.int64)
bool: np.dtype = np.dtype(np.bool_)  # PyTorch's name: autograd.bool

_default: list[np.dtype] = [float64]  # one process-wide setting, as torch.set_default_dtype


def get_default_dtype() -> np.dtype:
    """The dtype of new floating tensors when none is given (float64 unless changed).

    ``torch.get_default_dtype`` (float32 there)."""
    return _default[0]


def set_default_dtype(d: Any) -> None:
    """Make ``d`` (float16, float32 or float64) the dtype of new floating tensors: factories,
    Python floats given to ``tensor``, ``nn`` parameters.  Process-wide, like
    ``torch.set_default_dtype``; raises TypeError for a non-floating dtype."""
    try:
        dt = np.dtype(d)
    except TypeError as e:
        raise TypeError(f"set_default_dtype: unknown dtype {d!r}") from e
    if dt.kind != "f":
        raise TypeError(
            f"set_default_dtype: only floating dtypes can be the default, got {dt}; use "
            "float32 or float64"
        )
    _default[0] = dt


def is_default_float64() -> builtins.bool:
    """True while the default is float64 (the Python-float fast path is then exact)."""
    return _default[0] is float64 or _default[0] == float64
