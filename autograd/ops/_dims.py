"""Dimension arguments of PyTorch-style ops: one ``dim``, checked and made non-negative.

A 0-d tensor accepts ``dim`` 0 or -1, as in PyTorch (the op then works on its single element).
"""

from __future__ import annotations

import operator
from typing import Any

try:  # AxisError subclasses both ValueError and IndexError (NumPy's and PyTorch's conventions)
    from numpy.exceptions import AxisError
except ImportError:  # pragma: no cover - NumPy < 1.25
    from numpy import AxisError  # type: ignore[attr-defined,no-redef]


def one_dim(dim: Any, shape: tuple[int, ...], op: str) -> int:
    """``dim`` as a non-negative int in range for ``shape`` (0 for a 0-d tensor)."""
    try:
        d = operator.index(dim)
    except TypeError:
        raise TypeError(f"{op}: dim must be an int, got {dim!r}") from None
    n = max(len(shape), 1)
    if not -n <= d < n:
        raise AxisError(
            f"{op}: dim {d} is out of range for a tensor of shape {shape}; expected a dim in "
            f"[{-n}, {n - 1}]"
        )
    return d % n


def data_of(v: Any) -> Any:
    """The array behind a Tensor (or the value itself): for decisions made on values in rules."""
    return getattr(v, "_data", v)
