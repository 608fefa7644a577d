"""Shape primitives: reshape, transpose, broadcast, concatenate, split, flip, pad, ..."""

from __future__ import annotations

from typing import Any

from ..backend import xp
from ..primitive import Primitive
from ._args import shape_arg


def _reshape_fwd(x: Any, shape: tuple[int, ...]) -> Any:
    try:
        return xp.reshape(x, shape)
    except ValueError as e:
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {xp.shape(x)} (size {xp.size(x)}) into "
            f"{shape}"
        ) from e


_reshape = Primitive(
    "reshape", _reshape_fwd, (lambda g, out, x, shape: g.reshape(x.shape),),
    view=True, reads_inputs=False,
)


def reshape(x: Any, *shape: Any) -> Any:
    """A tensor with the same data in ``shape`` (one entry may be -1)."""
    return _reshape(x, shape=shape_arg(shape, "reshape"))


def _transpose_fwd(x: Any, axes: Any) -> Any:
    return xp.transpose(x, axes)


def _dtranspose(g: Any, out: Any, x: Any, axes: Any) -> Any:
    if axes is None:
        return g.transpose()
    inv = [0] * len(axes)
    for i, a in enumerate(axes):
        inv[a] = i
    return g.transpose(tuple(inv))


_transpose = Primitive("transpose", _transpose_fwd, (_dtranspose,), view=True,
                       reads_inputs=False)


def transpose(x: Any, *axes: Any) -> Any:
    """No axes: reverse them (NumPy).  Two ints: swap those two (PyTorch).  Else a permutation."""
    if len(axes) == 2 and all(isinstance(a, int) for a in axes):
        return swapaxes(x, axes[0], axes[1])
    if len(axes) == 1 and not isinstance(axes[0], int):
        axes = tuple(axes[0]) if axes[0] is not None else ()
    return _transpose(x, axes=tuple(axes) if axes else None)


def swapaxes(x: Any, axis1: int, axis2: int) -> Any:
    nd = x.ndim
    perm = list(range(nd))
    perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
    return _transpose(x, axes=tuple(perm))


def _dbroadcast(g: Any, out: Any, x: Any, shape: Any) -> Any:
    return g  # the walker sums it back to x's shape


_broadcast_to = Primitive("broadcast_to", lambda x, shape: xp.broadcast_to(x, shape),
                          (_dbroadcast,), view=True, reads_inputs=False)


def broadcast_to(x: Any, shape: Any) -> Any:
    return _broadcast_to(x, shape=shape_arg((shape,), "broadcast_to"))


broadcast_to.raw = lambda x, shape: (  # type: ignore[attr-defined]
    _broadcast_to.raw(x, shape=tuple(shape))
)
