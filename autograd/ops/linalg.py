"""Linear algebra: matmul (1-D, 2-D, batched), dot, outer, einsum."""

from __future__ import annotations

from typing import Any

from ..backend import xp
from ..primitive import Primitive


def _dmatmul_a(g: Any, out: Any, a: Any, b: Any) -> Any:
    if b.ndim == 1:
        # (..., n) @ (n,) -> (...): outer product of g with b
        return g[..., None] * b if a.ndim > 1 else g * b
    if a.ndim == 1:
        # (n,) @ (..., n, m) -> (..., m)
        return (b @ g[..., None])[..., 0]
    return g @ b.swapaxes(-1, -2)


def _dmatmul_b(g: Any, out: Any, a: Any, b: Any) -> Any:
    if a.ndim == 1:
        return a[:, None] * g[..., None, :] if b.ndim > 1 else g * a
    if b.ndim == 1:
        return (a.swapaxes(-1, -2) @ g[..., None])[..., 0]
    return a.swapaxes(-1, -2) @ g


def _matmul(a: Any, b: Any) -> Any:
    if xp.ndim(a) == 0 or xp.ndim(b) == 0:
        raise ValueError(
            "matmul: both operands need at least 1 dimension, got shapes "
            f"{xp.shape(a)} and {xp.shape(b)}; use * for scalars"
        )
    try:
        return xp.matmul(a, b)
    except ValueError as e:
        raise ValueError(
            f"matmul: shapes {xp.shape(a)} and {xp.shape(b)} are not aligned (the last dimension "
            "of the first must equal the second-to-last of the second, batch dimensions must "
            "broadcast)"
        ) from e


matmul = Primitive("matmul", _matmul, (_dmatmul_a, _dmatmul_b))
