"""Pooling (max, average, adaptive average) in 1-D, 2-D and 3-D, vectorised with NumPy.

Max pooling is a selection: ``max_pool(x) = gather(x, argmax windows of x)``.  Its gradient
scatters ``g`` to the selected positions (``max_pool_scatter``), whose own gradient gathers again
(``max_pool_gather``); the selected positions are piecewise constant in ``x``, so these two
primitives close under differentiation and max pooling has derivatives of every order.  All three
loop over the kernel taps (a handful), one vectorised pass over strided slices per tap; the
selected position of a window is its first maximum in row-major kernel order, among the taps
inside the input (padding is never selected).
Average pooling is linear: its gradient is its transpose (``avg_pool_transpose``) and vice versa.
Adaptive average pooling is two matrix products with constant averaging matrices.

>>> import autograd as ag, nn.functional as F
>>> x = ag.arange(16.0).reshape(1, 1, 4, 4)
>>> F.max_pool2d(x, 2).tolist()
[[[[5.0, 7.0], [13.0, 15.0]]]]
"""

from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

from autograd.backend import xp
from autograd.devices import array_module, is_device_array
from autograd.primitive import Primitive
from autograd.tensor import Tensor

from ._utils import (
    crop_spatial,
    kernel_offsets,
    ntuple,
    pad_spatial,
    shape_of,
    tap_slices,
    windows,
)

Pads = tuple[tuple[int, int], ...]


# -------------------------------------------------------------------------------- geometry
def _pool_geometry(
    sp: tuple[int, ...], ks: tuple[int, ...], stride: tuple[int, ...], pad: tuple[int, ...],
    dilation: tuple[int, ...], ceil_mode: bool, op: str,
) -> Pads:
    """Padding per spatial dim as (left, right), the right side grown for ``ceil_mode``."""
    pads = []
    for s, k, st, p, dl in zip(sp, ks, stride, pad, dilation, strict=False):
        eff = dl * (k - 1) + 1
        span = s + 2 * p - eff
        if span < 0:
            raise ValueError(
                f"{op}: kernel size {ks} (dilation {dilation}) is larger than the padded input "
                f"{tuple(a + 2 * b for a, b in zip(sp, pad, strict=False))}"
            )
        n_out = (-(-span // st) if ceil_mode else span // st) + 1
        # ceil_mode: the last window must start inside the input or the left padding
        if ceil_mode and (n_out - 1) * st >= s + p:
            n_out -= 1
        right = max(0, (n_out - 1) * st + eff - (s + 2 * p))
        pads.append((p, p + right))
    return tuple(pads)


def _out_size(x_shape: tuple[int, ...], ks: tuple[int, ...], stride: tuple[int, ...],
              pads: Pads, dilation: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(
        (s + lo + hi - (dl * (k - 1) + 1)) // st + 1
        for s, (lo, hi), k, st, dl in zip(
            x_shape[-len(ks):], pads, ks, stride, dilation, strict=False
        )
    )


# -------------------------------------------------------------------------------- max pool
# Max pooling loops over the kernel taps (a window has a few), each step one vectorised pass
# over strided slices: tap ``t`` of output ``o`` reads input ``o * stride + t * dilation - pad``.
# The slices keep only the outputs for which that index lies inside the input, so nothing is
# padded: a window's padding is simply not among its taps.
class _Tap(NamedTuple):
    k: int  # flat (row-major) index of the tap in the kernel
    osl: tuple[Any, ...]  # the outputs that read this tap inside the input ...
    isl: tuple[Any, ...]  # ... and the input positions they read, in the same order
    full: bool  # every output reads this tap inside the input


class _Taps(NamedTuple):
    taps: tuple[_Tap, ...]  # taps with at least one output, in kernel order
    out_sp: tuple[int, ...]
    offsets: tuple[int, ...]  # per kernel tap: its flat offset in the input plane from output 0
    strides: tuple[int, ...]  # per spatial dim: flat offset in the input plane of output step 1
    injective: bool  # no input position is read by two (output, tap) pairs


@functools.lru_cache(maxsize=256)
def _max_taps(sp: tuple[int, ...], ks: tuple[int, ...], stride: tuple[int, ...], pads: Pads,
              dilation: tuple[int, ...]) -> _Taps:
    out_sp = _out_size(sp, ks, stride, pads, dilation)
    plane = tuple(math.prod(sp[i + 1:]) for i in range(len(sp)))  # row-major plane strides
    taps, offsets = [], []
    for k, tap in enumerate(kernel_offsets(ks)):
        offsets.append(sum((t * dl - lo) * ps for t, dl, (lo, _), ps in zip(
            tap, dilation, pads, plane, strict=False)))
        osl: list[slice] = []
        isl: list[slice] = []
        full = True
        for t, s, n, st, dl, (lo, _) in zip(tap, sp, out_sp, stride, dilation, pads,
                                            strict=False):
            off = t * dl - lo  # input index read by output 0
            o_lo = max(0, -(off // st))  # first output reading an index >= 0
            o_hi = min(n, (s - 1 - off) // st + 1)  # one past the last reading an index < s
            if o_hi <= o_lo:
                break
            full = full and o_lo == 0 and o_hi == n
            osl.append(slice(o_lo, o_hi))
            isl.append(slice(o_lo * st + off, (o_hi - 1) * st + off + 1, st))
        else:
            taps.append(_Tap(k, (Ellipsis, *osl), (Ellipsis, *isl), full))
    injective = all(
        len({o * st + t * dl for o in range(n) for t in range(k)}) == n * k
        for n, k, st, dl in zip(out_sp, ks, stride, dilation, strict=False)
    )
    strides = tuple(st * ps for st, ps in zip(stride, plane, strict=False))
    return _Taps(tuple(taps), out_sp, tuple(offsets), strides, injective)


def _geometry(x: Any, ks: tuple[int, ...], stride: tuple[int, ...], pads: Pads,
              dilation: tuple[int, ...]) -> _Taps:
    return _max_taps(tuple(x.shape[-len(ks):]), ks, stride, pads, dilation)


def _window_max(x: Any, geo: _Taps) -> Any:
    """Each window's maximum: a running ``maximum`` over the taps (NaN propagates)."""
    start = next((tap for tap in geo.taps if tap.full), None)
    if start is None:  # no tap reads every window: start from -inf, the padding value
        out = array_module(x).full(x.shape[:-len(geo.out_sp)] + geo.out_sp, -xp.inf,
                                   dtype=x.dtype)
    else:
        out = x[start.isl].copy()
    for tap in geo.taps:
        if tap is not start:
            o = out[tap.osl]
            xp.maximum(o, x[tap.isl], out=o)
    return out


def _first_max(x: Any, out: Any, geo: _Taps) -> list[Any]:
    """Per tap (as ``geo.taps``), the windows whose *first* maximum the tap reads.

    Each mask is a bool array over the tap's output slice.  Ties go to the first tap in
    row-major kernel order (``argmax``'s choice, and PyTorch's); a NaN, which ``maximum``
    propagates, is selected at its first occurrence."""
    taken = array_module(out).zeros(out.shape, dtype=bool)
    # NaNs are looked for only when the host can tell there are some; on a GPU (where asking
    # would read a flag back) the NaN test always runs: it selects nothing without NaNs
    nan = is_device_array(out) or (out.size > 0 and bool(xp.isnan(out.max())))
    masks = []
    for tap in geo.taps:
        v = x[tap.isl]
        hit = v == out[tap.osl]
        if nan:
            hit |= v != v
        done = taken[tap.osl]
        hit &= ~done
        done |= hit
        masks.append(hit)
    return masks


def _first_max_index(masks: list[Any], geo: _Taps, lead: tuple[int, ...], m: Any) -> Any:
    """Flat index within its input plane of each window's first maximum (int64).

    A window with no tap inside the input gets its first tap's (outside) position.  ``m``: the
    array module of the input's device."""
    n = len(geo.offsets)
    arg = m.zeros(lead + geo.out_sp, dtype=xp.min_scalar_type(n - 1))
    for tap, hit in zip(geo.taps, masks, strict=True):
        if tap.k:
            a = arg[tap.osl]
            a += hit * arg.dtype.type(tap.k)  # masks are disjoint: a sum selects
    table = m.empty(n, dtype=xp.int64)
    for k, off in enumerate(geo.offsets):  # filled tap by tap: no host table copied over
        table[k] = off
    idx = table[arg]
    d = len(geo.out_sp)
    for i, (o, s) in enumerate(zip(geo.out_sp, geo.strides, strict=True)):
        idx += (m.arange(o, dtype=xp.int64) * s).reshape((-1,) + (1,) * (d - 1 - i))
    return idx


_UINTS = {2: xp.uint16, 4: xp.uint32, 8: xp.uint64}


def _select(a: Any, hit: Any, out: Any, *, merge: bool = False) -> None:
    """``out[...] = where(hit, a, +0.0)`` bit for bit (``merge``: OR it into ``out``'s bits).

    ``where`` and masked copies branch per element and are several times slower than a full
    arithmetic pass on random masks, while ``a * hit`` would turn an unselected NaN into NaN and
    a negative into -0.0; so the bits are ANDed with an all-ones / all-zeros integer mask."""
    u = _UINTS.get(a.dtype.itemsize)
    if u is None or out.dtype != a.dtype:  # e.g. long double: the plain (slower) way
        out[...] = xp.where(hit, a, out if merge else 0)
        return
    m = hit.astype(u)
    xp.negative(m, out=m)  # 1 -> all ones (unsigned wrap-around), 0 -> 0
    if merge:
        xp.bitwise_and(a.view(u), m, out=m)
        xp.bitwise_or(out.view(u), m, out=out.view(u))
    else:
        xp.bitwise_and(a.view(u), m, out=out.view(u))


def _max_pool_fwd(x: Any, *, ks: tuple[int, ...], stride: tuple[int, ...], pads: Pads,
                  dilation: tuple[int, ...]) -> Any:
    return _window_max(x, _geometry(x, ks, stride, pads, dilation))


def _max_pool_scatter_fwd(g: Any, x: Any, *, ks: tuple[int, ...], stride: tuple[int, ...],
                          pads: Pads, dilation: tuple[int, ...]) -> Any:
    """``g`` added at each window's first maximum, in an array shaped like ``x``."""
    geo = _geometry(x, ks, stride, pads, dilation)
    out = _window_max(x, geo)
    masks = _first_max(x, out, geo)
    dt = xp.result_type(g.dtype, x.dtype)
    g = xp.broadcast_to(g, out.shape).astype(dt, copy=False)
    gx = array_module(x).zeros(x.shape, dtype=dt)
    if geo.injective:  # each input position is read by at most one window: plain writes
        for tap, hit in zip(geo.taps, masks, strict=True):
            _select(g[tap.osl], hit, gx[tap.isl])
        return gx
    # Overlapping windows: accumulate in the gradient's precision (like PyTorch); each
    # position's terms are added in row-major window order (taps last to first).
    part = array_module(out).empty(out.shape, dtype=dt)
    for tap, hit in zip(reversed(geo.taps), reversed(masks), strict=True):
        c, a = part[tap.osl], gx[tap.isl]
        _select(g[tap.osl], hit, c)
        xp.add(a, c, out=a)
    return gx


def _max_pool_gather_fwd(v: Any, x: Any, *, ks: tuple[int, ...], stride: tuple[int, ...],
                         pads: Pads, dilation: tuple[int, ...]) -> Any:
    """``v`` read at each window's first maximum of ``x`` (the transpose of the scatter)."""
    geo = _geometry(x, ks, stride, pads, dilation)
    out = _window_max(x, geo)
    v = xp.broadcast_to(v, x.shape)
    # a window without taps reads padding: 0
    res = array_module(out).zeros(out.shape, dtype=v.dtype)
    for tap, hit in zip(geo.taps, _first_max(x, out, geo), strict=True):
        _select(v[tap.isl], hit, res[tap.osl], merge=True)  # one tap per window: OR is exact
    return res


def _no_grad(*args: Any, **params: Any) -> None:
    """The selected positions are piecewise constant in ``x``: zero gradient almost everywhere."""
    return None


def _dmax_pool(g: Any, out: Any, x: Any, **p: Any) -> Any:
    return max_pool_scatter.raw(g, x, **p)


def _dmax_scatter(u: Any, out: Any, g: Any, x: Any, **p: Any) -> Any:
    return max_pool_gather.raw(u, x, **p)


def _dmax_gather(g: Any, out: Any, v: Any, x: Any, **p: Any) -> Any:
    return max_pool_scatter.raw(g, x, **p)


max_pool = Primitive("max_pool", _max_pool_fwd, (_dmax_pool,))
max_pool_scatter = Primitive("max_pool_scatter", _max_pool_scatter_fwd, (_dmax_scatter, _no_grad))
max_pool_gather = Primitive("max_pool_gather", _max_pool_gather_fwd, (_dmax_gather, _no_grad))


# -------------------------------------------------------------------------------- avg pool
def _divisor(sp: tuple[int, ...], ks: tuple[int, ...], stride: tuple[int, ...], pads: Pads,
             pad: tuple[int, ...], count_include_pad: bool, dtype: Any, m: Any) -> Any:
    """Number of counted elements in each window (the ceil_mode overhang never counts).

    ``m``: the array module of the device it is made on."""
    d = len(ks)
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(sp, pads, strict=False))
    mask = m.zeros(padded, dtype=dtype)
    if count_include_pad:
        mask[tuple(slice(0, s + 2 * p) for s, p in zip(sp, pad, strict=False))] = 1
    else:
        mask[tuple(slice(p, p + s) for s, p in zip(sp, pad, strict=False))] = 1
    win = windows(mask[None, None], ks, stride, (1,) * d)
    return win.sum(axis=tuple(range(-d, 0)))[0, 0]


def _avg_pool_fwd(x: Any, *, ks: tuple[int, ...], stride: tuple[int, ...], pads: Pads,
                  pad: tuple[int, ...], count_include_pad: bool, divisor_override: Any) -> Any:
    d = len(ks)
    win = windows(pad_spatial(x, pads), ks, stride, (1,) * d)
    s = win.sum(axis=tuple(range(-d, 0)))
    if divisor_override is not None:
        return s / s.dtype.type(divisor_override)
    return s / _divisor(x.shape[-d:], ks, stride, pads, pad, count_include_pad, s.dtype,
                        array_module(s))


def _avg_pool_transpose_fwd(g: Any, *, x_shape: tuple[int, ...], ks: tuple[int, ...],
                            stride: tuple[int, ...], pads: Pads, pad: tuple[int, ...],
                            count_include_pad: bool, divisor_override: Any) -> Any:
    d = len(ks)
    if divisor_override is not None:
        gd = g / g.dtype.type(divisor_override)
    else:
        gd = g / _divisor(x_shape[-d:], ks, stride, pads, pad, count_include_pad, g.dtype,
                          array_module(g))
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(x_shape[-d:], pads, strict=False))
    lead = tuple(x_shape[:-d])
    gx = array_module(gd).zeros(lead + padded, dtype=gd.dtype)
    out_sp = tuple(g.shape[-d:])
    ell = (slice(None),) * len(lead)
    for k in kernel_offsets(ks):
        gx[ell + tap_slices(k, out_sp, stride, (1,) * d)] += gd
    return array_module(gx).ascontiguousarray(crop_spatial(gx, pads, x_shape))


def _davg_pool(g: Any, out: Any, x: Any, **p: Any) -> Any:
    return avg_pool_transpose.raw(g, x_shape=tuple(x.shape), **p)


def _davg_transpose(u: Any, out: Any, g: Any, *, x_shape: Any, **p: Any) -> Any:
    return avg_pool.raw(u, **p)


avg_pool = Primitive("avg_pool", _avg_pool_fwd, (_davg_pool,), reads_inputs=False)
avg_pool_transpose = Primitive("avg_pool_transpose", _avg_pool_transpose_fwd, (_davg_transpose,),
                               reads_inputs=False)


# ------------------------------------------------------------------------------ public API
def _check_input(x: Any, d: int, op: str) -> tuple[int, ...]:
    shape = shape_of(x)
    if len(shape) not in (d + 1, d + 2):
        raise ValueError(
            f"{op}: expected {d + 1}-D (unbatched) or {d + 2}-D (batched) input, got input of "
            f"shape {shape}"
        )
    return shape


def _pool_args(
    x: Any, d: int, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
    ceil_mode: bool, op: str,
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...], Pads]:
    shape = _check_input(x, d, op)
    ks = ntuple(kernel_size, d, "kernel_size", op)
    st = ks if stride is None or (not isinstance(stride, int) and len(stride) == 0) else ntuple(
        stride, d, "stride", op)
    pad = ntuple(padding, d, "padding", op, minimum=0)
    dil = ntuple(dilation, d, "dilation", op)
    if any(2 * p > k for p, k in zip(pad, ks, strict=False)):
        raise ValueError(
            f"{op}: padding should be at most half of the kernel size, got padding={pad} for "
            f"kernel_size={ks}"
        )
    pads = _pool_geometry(shape[-d:], ks, st, pad, dil, ceil_mode, op)
    return ks, st, pad, dil, pads


def _max_pool(x: Tensor, d: int, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
              ceil_mode: bool, return_indices: bool, op: str) -> Any:
    ks, st, _, dil, pads = _pool_args(x, d, kernel_size, stride, padding, dilation, ceil_mode, op)
    dt = x.dtype if isinstance(x, Tensor) else xp.asarray(x).dtype
    if dt.kind != "f":
        raise TypeError(f"{op}: expected a floating point input, got dtype {dt}")
    y = max_pool(x, ks=ks, stride=st, pads=pads, dilation=dil)
    if not return_indices:
        return y
    xd = x._data if isinstance(x, Tensor) else xp.asarray(x)
    geo = _geometry(xd, ks, st, pads, dil)
    # PyTorch's indices: flat positions within each (unpadded) input plane
    idx = _first_max_index(_first_max(xd, y._data, geo), geo, xd.shape[:-d], array_module(xd))
    return y, Tensor._make(idx, None, False)


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """1-D max pooling over ``(N, C, L)``; ``stride`` defaults to ``kernel_size``."""
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices, "max_pool1d")


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """2-D max pooling over ``(N, C, H, W)``; ``stride`` defaults to ``kernel_size``."""
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices, "max_pool2d")


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """3-D max pooling over ``(N, C, D, H, W)``; ``stride`` defaults to ``kernel_size``."""
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices, "max_pool3d")


def _avg_pool(x: Tensor, d: int, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool,
              count_include_pad: bool, divisor_override: Any, op: str) -> Tensor:
    ks, st, pad, _, pads = _pool_args(x, d, kernel_size, stride, padding, 1, ceil_mode, op)
    if divisor_override is not None and (not isinstance(divisor_override, int)
                                         or divisor_override == 0):
        raise ValueError(f"{op}: divisor_override must be a non-zero int, got {divisor_override!r}")
    return avg_pool(x, ks=ks, stride=st, pads=pads, pad=pad,
                    count_include_pad=bool(count_include_pad), divisor_override=divisor_override)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """1-D average pooling over ``(N, C, L)``."""
    return _avg_pool(input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad, None,
                     "avg_pool1d")


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """2-D average pooling over ``(N, C, H, W)``."""
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, "avg_pool2d")


def avg_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """3-D average pooling over ``(N, C, D, H, W)``."""
    return _avg_pool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, "avg_pool3d")


# ------------------------------------------------------------------------- adaptive average
def _adaptive_matrix(n_in: int, n_out: int, dtype: Any, m: Any) -> Any:
    """(n_out, n_in) averaging matrix: window i is [floor(i n/o), ceil((i+1) n/o)).

    Made with the array module ``m`` (the input's device), row by row from Python numbers."""
    a = m.zeros((n_out, n_in), dtype=dtype)
    for i in range(n_out):  # loop over output positions of one axis only (a few), not pixels
        lo = (i * n_in) // n_out
        hi = -(-((i + 1) * n_in) // n_out)
        a[i, lo:hi] = 1.0 / (hi - lo)
    return a


def _adaptive_avg_pool(x: Tensor, d: int, output_size: Any, op: str) -> Tensor:
    shape = _check_input(x, d, op)
    sp = shape[-d:]
    if isinstance(output_size, int) or output_size is None:
        output_size = (output_size,) * d
    if len(output_size) != d:
        raise ValueError(f"{op}: output_size must have {d} element(s), got {output_size!r}")
    out = tuple(s if o is None else int(o) for s, o in zip(sp, output_size, strict=False))
    if any(o < 1 for o in out) or any(s == 0 for s in sp):
        raise ValueError(f"{op}: output_size {out} and input size {sp} must be positive")
    x = x if isinstance(x, Tensor) else Tensor(x)
    dt = x.dtype if x.dtype.kind == "f" else xp.float64
    y = x
    nd = len(shape)
    for i in range(d):
        axis = nd - d + i
        if out[i] == sp[i]:
            continue
        a = Tensor._make(_adaptive_matrix(sp[i], out[i], dt, array_module(x._data)), None, False)
        # move this axis last, multiply by A^T, move it back (matmul is differentiable)
        y = (y.swapaxes(axis, -1) @ a.swapaxes(0, 1)).swapaxes(axis, -1)
    return y if y is not x else x * 1


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling to a fixed output length (any input length)."""
    return _adaptive_avg_pool(input, 1, output_size, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling to a fixed ``(H_out, W_out)`` (``None`` keeps that input size)."""
    return _adaptive_avg_pool(input, 2, output_size, "adaptive_avg_pool2d")
