"""Queries on values, without gradients: ``allclose``, ``equal``, ``nonzero``, ``unique``,
``bincount`` (PyTorch's meaning).

Their results are indices, counts or booleans (or, for ``bincount`` with weights, sums that
PyTorch does not differentiate either), so they never record on the tape.

>>> import autograd as ag
>>> ag.unique(ag.tensor([3, 1, 3, 2]), return_counts=True)
(tensor([1, 2, 3]), tensor([1, 1, 2]))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..backend import xp
from ..devices import is_array, is_device_array, to_host


def _data(x: Any, op: str) -> Any:
    d = getattr(x, "_data", None)
    if d is None:
        d = x if is_array(x) else np.asarray(x)
        if d.dtype.kind not in "biuf":
            raise TypeError(f"{op}: expected a tensor or numbers, got {type(x).__name__}")
    return d if is_array(d) else np.asarray(d)


def _wrap(a: Any) -> Any:
    from ..tensor import Tensor

    return Tensor._make(a if is_array(a) else np.asarray(a), None, False)


def _host_bool(flag: Any) -> bool:
    # a Python bool is the answer (as torch.allclose/equal's): reading it back from a GPU is the
    # sync PyTorch makes too
    return bool(to_host(flag) if is_device_array(flag) else flag)


def allclose(a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """``|a - b| <= atol + rtol * |b|`` everywhere (broadcasting), as a Python bool
    (``torch.allclose``)."""
    return _host_bool(xp.allclose(_data(a, "allclose"), _data(b, "allclose"), rtol=rtol,
                                  atol=atol, equal_nan=equal_nan))


def equal(a: Any, b: Any) -> bool:
    """True if both have the same shape and elements (``torch.equal``; NaN != NaN)."""
    da, db = _data(a, "equal"), _data(b, "equal")
    return da.shape == db.shape and _host_bool(xp.array_equal(da, db))


def nonzero(x: Any, *, as_tuple: bool = False) -> Any:
    """Indices of the nonzero elements: an int64 tensor of shape ``(count, ndim)``, or with
    ``as_tuple=True`` one 1-D index tensor per dimension (a 0-d tensor acts as 1-D there), like
    ``torch.nonzero``."""
    d = _data(x, "nonzero")
    if as_tuple:
        return tuple(_wrap(i.astype(np.int64)) for i in xp.nonzero(xp.atleast_1d(d)))
    return _wrap(xp.argwhere(d).astype(np.int64))


def unique(x: Any, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct values (sorted; ``sorted=False`` is accepted and also sorts, like PyTorch on
    the CPU), with the inverse indices (shaped like the input for ``dim=None``) and the counts
    when asked, as ``torch.unique``.  ``dim``: unique slices along that dimension."""
    d = _data(x, "unique")
    if dim is not None:
        from ._dims import one_dim

        dim = one_dim(dim, tuple(d.shape), "unique")
    res = xp.unique(d, return_inverse=True, return_counts=True, axis=dim)
    values, inverse, counts = res
    if dim is None:
        inverse = inverse.reshape(d.shape)
    else:
        inverse = inverse.reshape(-1)
    out = [_wrap(values)]
    if return_inverse:
        out.append(_wrap(inverse.astype(np.int64)))
    if return_counts:
        out.append(_wrap(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(x: Any, weights: Any = None, minlength: int = 0) -> Any:
    """Count of each value of a 1-D non-negative integer tensor (``torch.bincount``); with
    ``weights``, their sums instead (float weights keep their dtype, others give float64).
    Not differentiable (in PyTorch neither)."""
    d = _data(x, "bincount")
    if d.ndim != 1 or d.dtype.kind not in "iu":
        raise ValueError(
            f"bincount: input must be a 1-D integer tensor, got dtype {d.dtype} and shape "
            f"{d.shape}"
        )
    # bincount's output length is data-dependent (max + 1): it syncs anyway (in PyTorch too),
    # so checking the minimum on the host costs nothing more
    if d.size and _host_bool(d.min() < 0):
        raise ValueError("bincount: input must hold non-negative integers")
    if minlength < 0:
        raise ValueError(f"bincount: minlength must be non-negative, got {minlength}")
    if weights is None:
        return _wrap(xp.bincount(d, minlength=minlength).astype(np.int64))
    w = _data(weights, "bincount")
    if w.shape != d.shape:
        raise ValueError(f"bincount: weights of shape {w.shape} must match the input {d.shape}")
    dt = w.dtype if w.dtype.kind == "f" else np.dtype(np.float64)
    return _wrap(xp.bincount(d, weights=w, minlength=minlength).astype(dt))
