"""The one array-module reference.

Every piece of array math in tapegrad goes through ``xp``.  Today that is NumPy; the name is read
once at import from ``TAPEGRAD_BACKEND`` (``numpy`` or ``cupy``) so that a CuPy backend can be
swapped in without touching the primitives.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import numpy

_name = os.environ.get("TAPEGRAD_BACKEND", "numpy").strip().lower() or "numpy"
if _name not in ("numpy", "cupy"):
    raise ImportError(
        f"TAPEGRAD_BACKEND={_name!r} is not a known array backend; use 'numpy' or 'cupy'"
    )

xp: Any = numpy if _name == "numpy" else importlib.import_module(_name)
"""The array module (``numpy`` or ``cupy``) used by every primitive."""

ndarray: type = xp.ndarray

#: dtypes a Tensor may hold; floating ones may require grad.
FLOAT_DTYPES = (numpy.dtype("float16"), numpy.dtype("float32"), numpy.dtype("float64"))
SUPPORTED_KINDS = "biuf"  # bool, signed int, unsigned int, float


def name() -> str:
    """Name of the active array backend."""
    return _name


def to_numpy(a: Any) -> numpy.ndarray:
    """Host (NumPy) copy of a backend array; a no-op view for NumPy."""
    if _name == "numpy":
        return numpy.asarray(a)
    return a.get()  # pragma: no cover - cupy only
