"""Gather along one axis by an index vector, and its adjoint (scatter-add), as a primitive pair.

``take_axis(x, idx, axis)`` is ``x[..., idx, ...]``; its gradient adds each output slice back
into the input slice it came from.  Indexing's generic gradient does that with ``np.add.at``,
which is slow for the large repeated-index gathers of padding and resampling; here the scatter
is itself a few gathers (one per repeat rank of the index, see ``_scatter_fwd``).  The two maps
are adjoint, so each one's rule is the other: second derivatives come for free.
"""

from __future__ import annotations

from typing import Any

from autograd.backend import xp
from autograd.devices import array_module, is_array, is_device_array
from autograd.primitive import Primitive


def _take_fwd(x: Any, idx: Any, axis: int) -> Any:
    return xp.take(x, idx, axis=axis)


def _scatter_fwd(g: Any, idx: Any, axis: int, n: int) -> Any:
    if not is_array(g):
        g = xp.asarray(g)
    shape = list(g.shape)
    shape[axis] = n
    if idx.size == 0 or g.size == 0:
        return array_module(g).zeros(shape, dtype=g.dtype)
    if is_device_array(g):
        # the ranked gathers below read the largest repeat count back to the host (and need
        # maximum.accumulate, which CuPy lacks); a GPU scatter-adds directly instead
        dxp = array_module(g)
        out = dxp.zeros(shape, dtype=g.dtype)
        dxp.add.at(dxp.moveaxis(out, axis, 0), idx, dxp.moveaxis(g, axis, 0))
        return out
    # Rank each output position among the repeats of its index.  For each rank, every input
    # slot reads (a gather, fast) the output position holding its repeat of that rank, or an
    # extra zero slice when it has none; the ranks' gathers are summed.  Ranks are few (the
    # largest repeat count), and fancy-index writes (slow) are only on the short index vectors.
    order = xp.argsort(idx, kind="stable")
    sorted_idx = idx[order]
    new = xp.r_[True, sorted_idx[1:] != sorted_idx[:-1]]
    starts = xp.maximum.accumulate(xp.where(new, xp.arange(idx.size), 0))
    rank = xp.empty_like(order)
    rank[order] = xp.arange(idx.size) - starts
    zero_shape = list(g.shape)
    zero_shape[axis] = 1
    ext = xp.concatenate([g, xp.zeros(zero_shape, dtype=g.dtype)], axis=axis)
    out = None
    for r in range(int(rank.max()) + 1):
        pos = xp.flatnonzero(rank == r)
        src = xp.full(n, idx.size, dtype=xp.intp)  # the zero slice by default
        src[idx[pos]] = pos
        part = xp.take(ext, src, axis=axis)
        out = part if out is None else out + part
    return out


def _dtake(g: Any, out: Any, x: Any, idx: Any, axis: int) -> Any:
    return _scatter.raw(g, idx=idx, axis=axis, n=x.shape[axis])


def _dscatter(g: Any, out: Any, gin: Any, idx: Any, axis: int, n: int) -> Any:
    return _take.raw(g, idx=idx, axis=axis)


_take = Primitive("take_axis", _take_fwd, (_dtake,), reads_inputs=False)
_scatter = Primitive("scatter_add_axis", _scatter_fwd, (_dscatter,), reads_inputs=False)


def take_axis(x: Any, idx: Any, axis: int) -> Any:
    """``x`` indexed by the integer vector ``idx`` along ``axis`` (``axis`` non-negative).

    ``idx`` is an integer array on ``x``'s device (callers make it there, see
    ``index_module``)."""
    idx = idx.astype(xp.intp, copy=False) if is_array(idx) else xp.asarray(idx, dtype=xp.intp)
    return _take(x, idx=idx, axis=axis)


def index_module(x: Any) -> Any:
    """The array module making index vectors for ``x`` (a Tensor): ``numpy`` for host data, the
    device's module for GPU data, so gathers never copy an index vector over."""
    return array_module(x._data)
