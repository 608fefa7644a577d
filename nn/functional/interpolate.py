"""``F.interpolate``: resize the spatial dimensions by nearest-neighbour or (multi)linear
interpolation, with PyTorch's source-index conventions.

Every mode is separable: one axis at a time, the output reads ``x[i0] * (1 - w) + x[i1] * w``
(nearest: ``x[i0]``) with integer index vectors gathered by ``take_axis``, whose gradient is its
adjoint scatter-add: first and second derivatives follow.

>>> import autograd as ag, nn.functional as F
>>> x = ag.tensor([[[1.0, 2.0]]])
>>> F.interpolate(x, scale_factor=2, mode="nearest").tolist()
[[[1.0, 1.0, 2.0, 2.0]]]
>>> F.interpolate(x, size=4, mode="linear", align_corners=True).tolist()  # doctest: +ELLIPSIS
[[[1.0, 1.333..., 1.666..., 2.0]]]
"""

from __future__ import annotations

import math
from typing import Any

from autograd.backend import xp
from autograd.tensor import Tensor

from ._take import index_module, take_axis
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d

_MODES = {"nearest": None, "nearest-exact": None, "linear": 1, "bilinear": 2, "trilinear": 3,
          "area": None}


def _as_list(v: Any, d: int, name: str) -> list[Any]:
    if isinstance(v, (list, tuple)):
        if len(v) != d:
            raise ValueError(
                f"interpolate: {name} must have {d} element(s) for {d} spatial dimension(s), "
                f"got {v!r}"
            )
        return list(v)
    return [v] * d


def _source(m: Any, out_n: int, in_n: int, scale: float | None, align_corners: bool | None,
            linear: bool) -> Any:
    """Source coordinate of each output position (PyTorch's ``area_pixel_compute_source_index``).

    ``scale`` is the user's ``scale_factor`` (its inverse is the step, as in PyTorch) or None
    (then ``in / out``).  ``m``: the array module of the input's device.
    """
    dst = m.arange(out_n, dtype=xp.float64)
    if linear and align_corners:
        step = (in_n - 1) / (out_n - 1) if out_n > 1 else 0.0
        return dst * step
    step = 1.0 / scale if scale is not None else in_n / out_n
    if linear:
        return xp.maximum((dst + 0.5) * step - 0.5, 0.0)
    return dst * step


def _axis_linear(x: Tensor, axis: int, out_n: int, scale: float | None,
                 align_corners: bool) -> Tensor:
    in_n = x.shape[axis]
    src = _source(index_module(x), out_n, in_n, scale, align_corners, True)
    i0 = xp.minimum(xp.floor(src).astype(xp.intp), in_n - 1)
    i1 = xp.minimum(i0 + 1, in_n - 1)
    w = (src - i0).astype(x.dtype)
    shape = (out_n,) + (1,) * (x.ndim - axis - 1)
    w = w.reshape(shape)
    return take_axis(x, i0, axis) * (1 - w) + take_axis(x, i1, axis) * w


def _axis_nearest(x: Tensor, axis: int, out_n: int, scale: float | None, exact: bool) -> Tensor:
    in_n = x.shape[axis]
    step = 1.0 / scale if scale is not None else in_n / out_n
    dst = index_module(x).arange(out_n, dtype=xp.float64)
    # nearest: floor(dst * step) (PyTorch's legacy rule); nearest-exact: pixel centres
    src = xp.floor((dst + 0.5) * step if exact else dst * step).astype(xp.intp)
    idx = xp.minimum(src, in_n - 1)
    return take_axis(x, idx, axis)


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resize the spatial dimensions of ``(N, C, *spatial)`` input (1 to 3 spatial dims).

    Give exactly one of ``size`` (an int or one per spatial dim) and ``scale_factor`` (output
    size ``floor(in * scale)``).  ``mode``: ``'nearest'`` (PyTorch's ``floor(dst * in/out)``),
    ``'nearest-exact'``, ``'linear'`` (3-D input), ``'bilinear'`` (4-D), ``'trilinear'`` (5-D),
    ``'area'`` (adaptive average pooling; 3-D or 4-D input).
    ``align_corners=True`` maps the corner pixels onto each other (linear modes only); with a
    ``scale_factor`` and no ``recompute_scale_factor`` the step is ``1/scale_factor``, as in
    PyTorch.  Raises ValueError for a missing/duplicated size, a mode/rank mismatch,
    ``align_corners`` with a nearest mode, or ``antialias``.
    PyTorch: ``torch.nn.functional.interpolate``.
    """
    x = input if isinstance(input, Tensor) else Tensor(input)
    if mode not in _MODES:
        raise ValueError(
            f"interpolate: mode {mode!r} is not supported; use one of {tuple(_MODES)}"
        )
    if antialias:
        raise ValueError("interpolate: antialias=True is not supported")
    d = x.ndim - 2
    if d not in (1, 2, 3):
        raise ValueError(
            f"interpolate: expected a 3-D, 4-D or 5-D (N, C, *spatial) input, got shape "
            f"{tuple(x.shape)}"
        )
    want = _MODES[mode]
    if want is not None and want != d:
        raise ValueError(
            f"interpolate: mode {mode!r} expects a {want + 2}-D input, got a {x.ndim}-D input "
            f"of shape {tuple(x.shape)}"
        )
    linear = want is not None
    if not linear and align_corners is not None:
        raise ValueError(
            "interpolate: align_corners option can only be set with the interpolating modes: "
            "linear | bilinear | trilinear"
        )
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    in_sizes = tuple(x.shape[2:])
    scales: list[float | None]
    if size is not None:
        sizes = [int(s) for s in _as_list(size, d, "size")]
        scales = [None] * d
    else:
        factors = [float(s) for s in _as_list(scale_factor, d, "scale_factor")]
        if any(not f > 0 or not math.isfinite(f) for f in factors):
            raise ValueError(f"interpolate: scale_factor must be positive, got {scale_factor!r}")
        sizes = [int(math.floor(n * f)) for n, f in zip(in_sizes, factors, strict=True)]
        scales = [None] * d if recompute_scale_factor else list(factors)
    if any(s <= 0 for s in sizes):
        raise ValueError(
            f"interpolate: output size {tuple(sizes)} must be positive (input {in_sizes})"
        )
    if x.dtype.kind != "f":
        raise TypeError(f"interpolate: expected a floating-point input, got {x.dtype}")
    if mode == "area":
        if d == 3:
            raise ValueError("interpolate: mode 'area' supports 3-D and 4-D inputs only")
        pool = adaptive_avg_pool1d if d == 1 else adaptive_avg_pool2d
        return pool(x, tuple(sizes))
    for i in range(d):
        axis = 2 + i
        if linear:
            x = _axis_linear(x, axis, sizes[i], scales[i], bool(align_corners))
        else:
            x = _axis_nearest(x, axis, sizes[i], scales[i], mode == "nearest-exact")
    return x
