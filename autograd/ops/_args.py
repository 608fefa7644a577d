"""Argument normalisation shared by the primitives (PyTorch's names, NumPy's as aliases)."""

from __future__ import annotations

import operator
from typing import Any


def reduce_args(
    dim: Any, keepdim: Any, axis: Any = None, keepdims: Any = None, op: str = "reduction"
) -> tuple[tuple[int, ...] | int | None, bool]:
    """Merge PyTorch's ``dim``/``keepdim`` with their NumPy spellings ``axis``/``keepdims``.

    The spellings are aliases with one meaning: passing both spellings of one argument is a
    TypeError.  Returns ``(axis, keepdims)`` with ``axis`` an int, a tuple of ints or ``None``
    (all axes).
    """
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: pass either dim= or its alias axis=, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is not None and not isinstance(dim, int):
        # operator.index: NumPy integers are accepted, strings and floats are not
        try:
            dim = operator.index(dim)
        except TypeError:
            try:
                dim = tuple(operator.index(a) for a in dim)
            except TypeError as e:
                raise TypeError(
                    f"{op}: dim must be an int or a sequence of ints, got {dim!r}"
                ) from e
    return dim, bool(keepdim)


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
