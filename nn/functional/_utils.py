"""Argument helpers shared by the functional layers (tuples of ints, padding, array access)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from autograd.backend import xp
from autograd.tensor import Tensor

sliding_window_view = xp.lib.stride_tricks.sliding_window_view


def ntuple(v: Any, d: int, name: str, op: str, minimum: int = 1) -> tuple[int, ...]:
    """``v`` (an int or a sequence of ``d`` ints, each ``>= minimum``) as a ``d``-tuple."""
    if isinstance(v, (int,)) and not isinstance(v, bool):
        t = (int(v),) * d
    else:
        try:
            t = tuple(int(a) for a in v)
        except TypeError as e:
            raise TypeError(f"{op}: {name} must be an int or a tuple of {d} ints, got {v!r}") from e
        if len(t) == 1:
            t = t * d
        if len(t) != d:
            raise ValueError(f"{op}: {name} must have {d} element(s), got {v!r}")
    if any(a < minimum for a in t):
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {v!r}")
    return t


def data(a: Any) -> Any:
    """The raw array behind a Tensor (constants only: no gradient flows through the result)."""
    if isinstance(a, Tensor):
        a = a._data
    return xp.asarray(a) if type(a) is float else a


def shape_of(a: Any) -> tuple[int, ...]:
    """Shape of a Tensor, an array, a number (``()``) or a nested list of numbers.

    Anything else (a string, ``None``, a dict ...) is a TypeError: taking it as shape ``()`` would
    blame the shape for what is really a wrong type.
    """
    shape = getattr(a, "shape", None)
    if shape is not None:
        return tuple(shape)
    if isinstance(a, (bool, int, float)):
        return ()
    if isinstance(a, (list, tuple)):
        return tuple(xp.shape(a))
    raise TypeError(
        f"expected a Tensor, an array or numbers, got {type(a).__name__}"
        + (f" {a!r:.40}" if isinstance(a, str) else "")
    )


def kernel_offsets(ksize: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
    """Every position inside a kernel (Python loops over kernel taps, never over pixels)."""
    return itertools.product(*(range(k) for k in ksize))


def tap_slices(
    k: tuple[int, ...], out: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]
) -> tuple[slice, ...]:
    """Slices of the padded input that kernel tap ``k`` visits, one per output position."""
    return tuple(
        slice(kk * dl, kk * dl + (o - 1) * s + 1, s)
        for kk, o, s, dl in zip(k, out, stride, dilation, strict=False)
    )


def windows(
    xpad: Any, ksize: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]
) -> Any:
    """A strided view ``(*lead, *out, *ksize)`` of every window over the trailing axes (no copy)."""
    d = len(ksize)
    nd = xpad.ndim
    eff = tuple(dl * (k - 1) + 1 for k, dl in zip(ksize, dilation, strict=False))
    win = sliding_window_view(xpad, eff, axis=tuple(range(nd - d, nd)))
    sl = (slice(None),) * (nd - d) + tuple(slice(None, None, s) for s in stride) + tuple(
        slice(None, None, dl) for dl in dilation
    )
    return win[sl]


def pad_spatial(x: Any, pads: tuple[tuple[int, int], ...], value: float = 0.0) -> Any:
    """``x`` padded on its trailing ``len(pads)`` axes (a copy only when padding is needed)."""
    if not any(lo or hi for lo, hi in pads):
        return x
    width = ((0, 0),) * (x.ndim - len(pads)) + tuple(pads)
    return xp.pad(x, width, mode="constant", constant_values=value)


def crop_spatial(xpad: Any, pads: tuple[tuple[int, int], ...], shape: tuple[int, ...]) -> Any:
    """Inverse of :func:`pad_spatial` on the trailing axes, back to ``shape``."""
    lead = len(shape) - len(pads)
    sl = (slice(None),) * lead + tuple(
        slice(lo, lo + n) for (lo, _), n in zip(pads, shape[lead:], strict=False)
    )
    return xpad[sl]
