"""Hypothesis strategies that draw Tensors: any shape, dtype, values and memory layout.

``contiguous=False`` draws views that are not C-contiguous (transposed or strided), the inputs
that catch rules assuming a layout; ``None`` (default) draws both kinds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..tensor import Tensor


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4) -> Any:
    """Array shapes (``min_side=0`` allows size-0 arrays)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def _default_elements(dtype: np.dtype, min_value: float, max_value: float) -> Any:
    if dtype.kind == "f":
        width: Any = 8 * dtype.itemsize
        return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False, width=width)
    if dtype.kind in "iu":
        return st.integers(int(max(min_value, np.iinfo(dtype).min)),
                           int(min(max_value, np.iinfo(dtype).max)))
    return st.booleans()


@st.composite
def arrays_for(
    draw: Any,
    shape: tuple[int, ...],
    dtype: Any = np.float64,
    elements: Any = None,
    contiguous: bool | None = None,
    min_value: float = -3.0,
    max_value: float = 3.0,
) -> np.ndarray:
    """An array of exactly ``shape``; non-contiguous (a view) when ``contiguous`` is False."""
    base, view = _layout(draw, shape, dtype, elements, contiguous, min_value, max_value)
    return view(base)  # type: ignore[no-any-return]


def _layout(
    draw: Any, shape: tuple[int, ...], dtype: Any, elements: Any, contiguous: bool | None,
    min_value: float, max_value: float,
) -> tuple[np.ndarray, Any]:
    """A drawn host array and the view to take of it (so a tensor on a GPU can take the same
    view of its own copy: the device data is then non-contiguous too)."""
    dt = np.dtype(dtype)
    elems = elements if elements is not None else _default_elements(dt, min_value, max_value)
    layout = (
        draw(st.sampled_from(["c", "transposed", "strided"])) if contiguous is None
        else ("c" if contiguous else draw(st.sampled_from(["transposed", "strided"])))
    )
    if layout == "transposed" and len(shape) >= 2:
        base = draw(hnp.arrays(dt, shape[::-1], elements=elems))
        return base, lambda a: a.T  # same values layout-reversed: an F-ordered view
    if layout != "c" and len(shape) >= 1:
        big = (*shape[:-1], 2 * shape[-1])
        base = draw(hnp.arrays(dt, big, elements=elems))
        return base, lambda a: a[..., ::2]  # every other element: a strided view
    return draw(hnp.arrays(dt, shape, elements=elems)), lambda a: a


@st.composite
def tensors(
    draw: Any,
    shape: Any = None,
    *,
    dtype: Any = np.float64,
    elements: Any = None,
    min_dims: int = 0,
    max_dims: int = 3,
    min_side: int = 1,
    max_side: int = 4,
    contiguous: bool | None = None,
    requires_grad: bool = True,
    min_value: float = -3.0,
    max_value: float = 3.0,
) -> Tensor:
    """A Tensor with a drawn (or given) shape; float tensors require grad by default.

    ``shape`` may be a tuple or a strategy of tuples; ``elements`` a strategy for the values
    (default: finite numbers in ``[min_value, max_value]``).
    """
    if shape is None:
        shp = draw(shapes(min_dims, max_dims, min_side, max_side))
    elif isinstance(shape, st.SearchStrategy):
        shp = draw(shape)
    else:
        shp = tuple(shape)
    base, view = _layout(draw, shp, dtype, elements, contiguous, min_value, max_value)
    rg = requires_grad and np.dtype(dtype).kind == "f"
    # on the default device (the CPU unless the suite runs on a GPU), viewed there
    return Tensor(view(Tensor(base)._data), requires_grad=rg)


@st.composite
def broadcastable_tensors(
    draw: Any,
    n: int = 2,
    *,
    dtype: Any = np.float64,
    elements: Any = None,
    min_dims: int = 0,
    max_dims: int = 3,
    min_side: int = 1,
    max_side: int = 4,
    contiguous: bool | None = None,
    requires_grad: bool = True,
    min_value: float = -3.0,
    max_value: float = 3.0,
) -> tuple[Tensor, ...]:
    """``n`` Tensors whose shapes broadcast together (NumPy rules)."""
    bshapes = draw(hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    ))
    return tuple(
        draw(tensors(s, dtype=dtype, elements=elements, contiguous=contiguous,
                     requires_grad=requires_grad, min_value=min_value, max_value=max_value))
        for s in bshapes.input_shapes
    )
