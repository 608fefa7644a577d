"""Argument normalisation shared by the primitives (NumPy and PyTorch spellings alike)."""

from __future__ import annotations

import operator
from typing import Any


def reduce_args(
    axis: Any, keepdims: Any, dim: Any = None, keepdim: Any = None, op: str = "reduction"
) -> tuple[tuple[int, ...] | int | None, bool]:
    """Merge NumPy's ``axis``/``keepdims`` with PyTorch's ``dim``/``keepdim``.

    Returns ``(axis, keepdims)`` with ``axis`` an int, a tuple of ints or ``None`` (all axes).
    """
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{op}: pass either axis= or dim=, not both")
        axis = dim
    if keepdim is not None:
        keepdims = keepdim
    if axis is not None and not isinstance(axis, int):
        # operator.index: NumPy integers are accepted, strings and floats are not
        try:
            axis = operator.index(axis)
        except TypeError:
            try:
                axis = tuple(operator.index(a) for a in axis)
            except TypeError as e:
                raise TypeError(
                    f"{op}: axis must be an int or a sequence of ints, got {axis!r}"
                ) from e
    return axis, bool(keepdims)


def norm_axes(axis: Any, ndim: int, op: str) -> tuple[int, ...]:
    """``axis`` (int, tuple or None) as a sorted tuple of non-negative axes, range-checked."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(
                f"{op}: axis {a} is out of range for a tensor with {ndim} dimension(s)"
            )
        out.append(a % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis!r}")
    return tuple(sorted(out))


def shape_arg(shape: tuple[Any, ...], op: str) -> tuple[int, ...]:
    """Accept ``f(2, 3)`` and ``f((2, 3))`` alike (NumPy and PyTorch spellings)."""
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = tuple(shape[0])
    try:
        return tuple(operator.index(s) for s in shape)
    except TypeError as e:
        raise TypeError(f"{op}: shape must be ints, got {shape!r}") from e
