"""Reductions (sum, mean, max, var, logsumexp, norm, ...) and the softmax family."""

from __future__ import annotations

from typing import Any

from ..backend import xp
from ..primitive import Primitive
from ._args import reduce_args


def _expand(g: Any, shape: tuple[int, ...], axis: Any, keepdims: bool) -> Any:
    """Broadcast a reduced gradient back over the reduced axes."""
    if not keepdims and axis is not None and len(shape):
        axes = (axis,) if isinstance(axis, int) else axis
        g = g.reshape(tuple(1 if (i in axes or i - len(shape) in axes) else n
                            for i, n in enumerate(shape)))
    return broadcast_to.raw(g, shape)


def _shape_of(x: Any) -> tuple[int, ...]:
    return () if type(x) is float else x.shape


_sum = Primitive(
    "sum",
    lambda x, axis=None, keepdims=False, dtype=None: xp.sum(x, axis=axis, keepdims=keepdims,
                                                            dtype=dtype),
    (lambda g, out, x, axis=None, keepdims=False, dtype=None: _expand(g, _shape_of(x), axis,
                                                                      keepdims),),
    reads_inputs=False,
)


def sum(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
        keepdim: bool | None = None, dtype: Any = None) -> Any:
    """Sum over ``axis`` (all by default); ``dim``/``keepdim`` are accepted as in PyTorch."""
    axis, keepdims = reduce_args(axis, keepdims, dim, keepdim, "sum")
    if dtype is None:
        return _sum(x, axis=axis, keepdims=keepdims)
    return _sum(x, axis=axis, keepdims=keepdims, dtype=dtype)


def mean(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
         keepdim: bool | None = None) -> Any:
    """Arithmetic mean over ``axis`` (all by default)."""
    axis, keepdims = reduce_args(axis, keepdims, dim, keepdim, "mean")
    from ..tensor import Tensor

    shape = x.shape if isinstance(x, Tensor) else xp.shape(x)
    if axis is None:
        n = 1
        for s in shape:
            n *= s
    else:
        axes = (axis,) if isinstance(axis, int) else axis
        n = 1
        for a in axes:
            n *= shape[a]
    return _sum(x, axis=axis, keepdims=keepdims) / n if n else _sum(x, axis=axis, keepdims=keepdims) * float("nan")


from .shape import broadcast_to  # noqa: E402
