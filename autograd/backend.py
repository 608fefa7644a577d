"""The one array-module reference of the rules: NumPy, dispatching to a device's own library.

Every rule writes its math once, with NumPy's functions on ``xp``.  Called on CuPy arrays, NumPy
hands the call to CuPy (``__array_function__`` / ``__array_ufunc__``), so one rule serves every
device and the CPU path pays nothing for it.  What NumPy cannot dispatch (making new arrays, the
random generator, moving data) goes through ``autograd.devices`` (``array_module(ref)``,
``to_host``, ``transfer``).  There is no process-wide backend switch: devices are per tensor.
"""

from __future__ import annotations

from typing import Any

import numpy

from .devices import to_host

xp: Any = numpy
"""The array namespace of the rules (NumPy; dispatches to CuPy for GPU arrays)."""

ndarray: type = numpy.ndarray

#: dtypes a Tensor may hold; floating ones may require grad.
FLOAT_DTYPES = (numpy.dtype("float16"), numpy.dtype("float32"), numpy.dtype("float64"))
SUPPORTED_KINDS = "biuf"  # bool, signed int, unsigned int, float


def to_numpy(a: Any) -> numpy.ndarray:
    """Host (NumPy) data of ``a``: ``a`` itself on the CPU, an explicit copy from a GPU."""
    return numpy.asarray(to_host(a))
