"""Structural ops with PyTorch's names: triangles, diagonals, ``roll``, ``movedim``, ``narrow``,
``index_select``, ``masked_select``, ``t``.

All are linear and only move or mask elements.  The new primitives here come in adjoint pairs
(``tril``/``triu`` are their own adjoints, ``diagonal`` and ``diag_scatter`` each other's,
``roll`` by ``-shifts``), so their rules are calls of primitives and work to any order.  The
others are compositions of existing primitives (``permute``, ``getitem``, ``broadcast_to``).

>>> import autograd as ag
>>> a = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> ag.tril(a), ag.diagonal(a), ag.trace(a)
(tensor([[1., 0.],
        [3., 4.]]), tensor([1., 4.]), tensor(5.))
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ..anomaly import is_anomaly_enabled
from ..backend import xp
from ..devices import array_module, is_array, is_device_array, to_host
from ..primitive import Primitive
from ._dims import one_dim


def _shape(x: Any) -> tuple[int, ...]:
    return tuple(xp.shape(x))


# ------------------------------------------------------------------------------ triangles
def _dtri(name: str) -> Any:
    def rule(g: Any, out: Any, x: Any, k: int) -> Any:
        return _tri[name].raw(g, k=k)  # masking is self-adjoint

    return rule


_tri = {
    "tril": Primitive("tril", lambda x, k: xp.tril(x, k), (_dtri("tril"),), reads_inputs=False),
    "triu": Primitive("triu", lambda x, k: xp.triu(x, k), (_dtri("triu"),), reads_inputs=False),
}


def _tri_call(name: str, x: Any, diagonal: int) -> Any:
    shape = _shape(x)
    if len(shape) < 2:
        raise ValueError(f"{name}: input tensor must have at least 2 dimensions, got shape {shape}")
    return _tri[name](x, k=operator.index(diagonal))


def tril(x: Any, diagonal: int = 0) -> Any:
    """Lower triangle of the last two dimensions (the rest zeroed), like ``torch.tril``:
    elements with ``col - row <= diagonal`` are kept."""
    return _tri_call("tril", x, diagonal)


def triu(x: Any, diagonal: int = 0) -> Any:
    """Upper triangle of the last two dimensions, like ``torch.triu``: ``col - row >= diagonal``
    kept."""
    return _tri_call("triu", x, diagonal)


# ------------------------------------------------------------------------------- diagonals
def _diag_index(n1: int, n2: int, offset: int, mod: Any) -> tuple[Any, Any]:
    """Row and column indices of the ``offset`` diagonal of an ``n1 x n2`` matrix, made by the
    array module ``mod`` (the device of the data they index)."""
    r0, c0 = max(-offset, 0), max(offset, 0)
    length = max(min(n1 - r0, n2 - c0), 0)
    return mod.arange(r0, r0 + length), mod.arange(c0, c0 + length)


def _last_two(nd: int, d1: int, d2: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    perm = tuple(i for i in range(nd) if i not in (d1, d2)) + (d1, d2)
    return perm, tuple(perm.index(i) for i in range(nd))


def _diagonal_fwd(x: Any, offset: int, d1: int, d2: int) -> Any:
    # a copy: NumPy's diagonal view is read-only, so in-place changes would fail on it
    return xp.diagonal(x, offset, d1, d2).copy()


def _diag_scatter_fwd(g: Any, offset: int, d1: int, d2: int, shape: tuple[int, ...]) -> Any:
    """zeros(shape) with ``g`` (diagonal along its last dim) on the diagonal of dims d1, d2."""
    perm, inv = _last_two(len(shape), d1, d2)
    mod = array_module(g)
    z = mod.zeros(tuple(shape[i] for i in perm), dtype=g.dtype)
    rows, cols = _diag_index(shape[d1], shape[d2], offset, mod)
    z[..., rows, cols] = g
    return xp.transpose(z, inv)


_diagonal: Primitive = Primitive(
    "diagonal", _diagonal_fwd,
    (lambda g, out, x, offset, d1, d2: _diag_scatter.raw(g, offset=offset, d1=d1, d2=d2,
                                                          shape=_shape(x)),),
    reads_inputs=False,
)
_diag_scatter: Primitive = Primitive(
    "diag_embed", _diag_scatter_fwd,
    (lambda g, out, src, offset, d1, d2, shape: _diagonal.raw(g, offset=offset, d1=d1, d2=d2),),
    reads_inputs=False,
)


def diagonal(x: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:
    """The ``offset`` diagonal of dims ``dim1``/``dim2``, appended as the last dim (as
    ``torch.diagonal``; a copy here, not a view)."""
    shape = _shape(x)
    if len(shape) < 2:
        raise ValueError(f"diagonal: input must have at least 2 dimensions, got shape {shape}")
    d1, d2 = one_dim(dim1, shape, "diagonal"), one_dim(dim2, shape, "diagonal")
    if d1 == d2:
        raise ValueError(f"diagonal: dim1 and dim2 must differ, both are {d1}")
    return _diagonal(x, offset=operator.index(offset), d1=d1, d2=d2)


def diag(x: Any, diagonal: int = 0) -> Any:
    """``torch.diag``: a 1-D tensor becomes a square matrix with it on the ``diagonal``-th
    diagonal; a 2-D tensor gives its ``diagonal``-th diagonal (1-D)."""
    shape = _shape(x)
    k = operator.index(diagonal)
    if len(shape) == 1:
        n = shape[0] + abs(k)
        return _diag_scatter(x, offset=k, d1=0, d2=1, shape=(n, n))
    if len(shape) == 2:
        return _diagonal(x, offset=k, d1=0, d2=1)
    raise ValueError(f"diag: expected a 1-D or 2-D tensor, got shape {shape}")


def trace(x: Any) -> Any:
    """Sum of the main diagonal of a 2-D tensor (``torch.trace``)."""
    shape = _shape(x)
    if len(shape) != 2:
        raise ValueError(f"trace: expected a 2-D tensor, got shape {shape}")
    return _diagonal(x, offset=0, d1=0, d2=1).sum()


# ------------------------------------------------------------------------------------ roll
def _roll_fwd(x: Any, shifts: Any, dims: Any) -> Any:
    return xp.roll(x, shifts, axis=dims)


def _droll(g: Any, out: Any, x: Any, shifts: Any, dims: Any) -> Any:
    back = -shifts if isinstance(shifts, int) else tuple(-s for s in shifts)
    return _roll.raw(g, shifts=back, dims=dims)


_roll = Primitive("roll", _roll_fwd, (_droll,), reads_inputs=False)


def roll(x: Any, shifts: Any, dims: Any = None) -> Any:
    """Shift elements cyclically by ``shifts`` along ``dims`` (``None``: the flattened tensor,
    shape kept), like ``torch.roll``."""
    shape = _shape(x)
    if isinstance(shifts, (list, tuple)):
        shifts = tuple(operator.index(s) for s in shifts)
    else:
        shifts = operator.index(shifts)
    if dims is None:
        if isinstance(shifts, tuple) and len(shifts) != 1:
            raise ValueError("roll: with dims=None, shifts must be a single int")
        return _roll(x, shifts=shifts if isinstance(shifts, int) else shifts[0], dims=None)
    if isinstance(dims, (list, tuple)):
        dims = tuple(one_dim(d, shape, "roll") for d in dims)
        if not isinstance(shifts, tuple) or len(shifts) != len(dims):
            raise ValueError(f"roll: shifts {shifts!r} and dims {dims!r} must have equal lengths")
    else:
        dims = one_dim(dims, shape, "roll")
        if isinstance(shifts, tuple):
            raise ValueError(f"roll: one dim needs one shift, got {shifts!r}")
    if not shape:
        return _roll(x, shifts=shifts, dims=None)
    return _roll(x, shifts=shifts, dims=dims)


# ---------------------------------------------------------------------- views by composition
def movedim(x: Any, source: Any, destination: Any) -> Any:
    """Move dims ``source`` to positions ``destination`` (ints or sequences), the others keeping
    their order, like ``torch.movedim`` / ``np.moveaxis``."""
    shape = _shape(x)
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise ValueError(
            f"movedim: source {source!r} and destination {destination!r} must have the same "
            "number of dims"
        )
    if not shape:
        for d in src + dst:
            one_dim(d, shape, "movedim")
        return permute(x, ())
    src = tuple(one_dim(d, shape, "movedim") for d in src)
    dst = tuple(one_dim(d, shape, "movedim") for d in dst)
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError(f"movedim: repeated dim in {source!r} or {destination!r}")
    rest = iter(d for d in range(len(shape)) if d not in src)
    where_to = dict(zip(dst, src, strict=True))
    perm = tuple(where_to[i] if i in where_to else next(rest) for i in range(len(shape)))
    return permute(x, perm)


moveaxis = movedim  # PyTorch's alias (NumPy's name)


def narrow(x: Any, dim: int, start: Any, length: int) -> Any:
    """``x`` restricted to ``start .. start + length`` along ``dim`` (a view), like
    ``torch.narrow``; a negative ``start`` counts from the end."""
    shape = _shape(x)
    if not shape:
        raise RuntimeError("narrow: cannot narrow a 0-d tensor")
    d = one_dim(dim, shape, "narrow")
    n = shape[d]
    s = operator.index(start)
    length = operator.index(length)
    if not -n <= s <= n:
        raise IndexError(f"narrow: start {s} is out of range for dim {d} of size {n}")
    s %= n if n else 1
    if length < 0 or s + length > n:
        raise RuntimeError(
            f"narrow: start ({s}) + length ({length}) exceeds dim {d} of size {n} (shape {shape})"
        )
    return getitem(x, (slice(None),) * d + (slice(s, s + length),))


def index_select(x: Any, dim: int, index: Any) -> Any:
    """Entries ``index`` (1-D integers, may repeat) along ``dim``, like ``torch.index_select``;
    repeated indices accumulate their gradients."""
    shape = _shape(x)
    d = one_dim(dim, shape, "index_select")
    idx = getattr(index, "_data", index)
    idx = idx if is_array(idx) else np.asarray(idx)
    if idx.dtype.kind not in "iu" or idx.ndim > 1:
        raise TypeError(
            f"index_select: index must be a 0-d or 1-D integer tensor, got dtype {idx.dtype} and "
            f"shape {idx.shape}"
        )
    idx = idx.reshape(-1)
    n = shape[d] if shape else 1
    # host indices are checked before they move; reading device ones back would be a sync, so
    # those are checked in anomaly mode only (PyTorch's CUDA kernel asserts on the device)
    check = to_host(idx) if is_device_array(idx) and is_anomaly_enabled() else idx
    if idx.size and not is_device_array(check) and (check.min() < -n or check.max() >= n):
        raise IndexError(f"index_select: index out of range for dim {d} of size {n}")
    if not shape:  # a 0-d tensor acts as a 1-element one and stays 0-d for one index
        out = getitem(reshape(x, (1,)), (idx,))
        return reshape(out, ()) if idx.size == 1 else out
    return getitem(x, (slice(None),) * d + (idx,))


def masked_select(x: Any, mask: Any) -> Any:
    """1-D tensor of the elements of ``x`` where the bool ``mask`` (broadcast with ``x``) is
    True, in row-major order, like ``torch.masked_select``."""
    m = getattr(mask, "_data", mask)
    m = m if is_array(m) else np.asarray(m)
    if m.dtype != np.bool_:
        raise TypeError(f"masked_select: mask must be a bool tensor, got dtype {m.dtype}")
    shape = _shape(x)
    try:
        full = xp.broadcast_shapes(shape, m.shape)
    except ValueError:
        raise ValueError(
            f"masked_select: mask of shape {m.shape} does not broadcast with the tensor's "
            f"shape {shape}"
        ) from None
    if full != shape:
        x = broadcast_to(x, full)
    return getitem(x, xp.broadcast_to(m, full))


def t(x: Any) -> Any:
    """``torch.t``: transpose a 2-D tensor; 0-d and 1-D tensors come back unchanged (as a view,
    like PyTorch)."""
    shape = _shape(x)
    if len(shape) > 2:
        raise ValueError(
            f"t: expects a tensor with <= 2 dimensions, got shape {shape}; use .mT or "
            ".transpose(dim0, dim1)"
        )
    return swapaxes(x, 0, 1) if len(shape) == 2 else reshape(x, shape)


from .indexing import getitem  # noqa: E402
from .shape import broadcast_to, permute, reshape, swapaxes  # noqa: E402
