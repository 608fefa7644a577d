"""``F.pad``: PyTorch's padding, with pairs given last dimension first.

``pad=(left, right)`` pads the last dimension, ``(left, right, top, bottom)`` the last two, and so
on.  Negative amounts crop.  The modes map onto NumPy's (``replicate`` is NumPy's ``edge``,
``circular`` its ``wrap``).  Constant padding is ``autograd.pad``; the other modes gather each
padded axis by an index vector (``take_axis``), whose gradient adds every padded copy back into
the element it came from; second derivatives follow.

>>> import autograd as ag, nn.functional as F
>>> F.pad(ag.tensor([[[1.0, 2.0, 3.0]]]), (1, 2), mode="reflect").tolist()
[[[2.0, 1.0, 2.0, 3.0, 2.0, 1.0]]]
>>> F.pad(ag.tensor([1.0, 2.0, 3.0]), (-1, 1), value=9.0).tolist()
[2.0, 3.0, 9.0]
"""

from __future__ import annotations

from typing import Any

import autograd as ag
from autograd.tensor import Tensor

from ._take import index_module, take_axis

_NUMPY_MODE = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
               "circular": "wrap"}


def _pairs(pad: Any, ndim: int) -> list[tuple[int, int]]:
    """``pad`` (last dim first) as one ``(before, after)`` pair per dimension, first dim first."""
    try:
        amounts = [int(p) for p in pad]
    except TypeError as e:
        raise TypeError(f"pad: pad must be a sequence of ints, got {pad!r}") from e
    if len(amounts) % 2:
        raise ValueError(f"pad: pad must have an even number of entries, got {len(amounts)}")
    k = len(amounts) // 2
    if k > ndim:
        raise ValueError(
            f"pad: pad of length {len(amounts)} pads {k} dimensions but the input has only {ndim}"
        )
    pairs = [(0, 0)] * ndim
    for i in range(k):
        pairs[ndim - 1 - i] = (amounts[2 * i], amounts[2 * i + 1])
    return pairs


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad (or, with negative amounts, crop) the trailing dimensions of ``input``.

    ``pad`` lists ``(before, after)`` amounts starting from the last dimension:
    ``(left, right)``, ``(left, right, top, bottom)``, ... ``mode`` is ``'constant'`` (fill with
    ``value``, default 0; any number of dimensions), ``'reflect'`` (mirror without repeating the
    edge), ``'replicate'`` (repeat the edge) or ``'circular'`` (wrap around).  As in PyTorch, the
    non-constant modes pad the last 1, 2 or 3 dimensions of a 2-3-D, 3-4-D or 4-5-D input
    (batched or not), ``reflect`` needs each amount smaller than the dimension and ``circular`` no
    larger than it.  Negative amounts crop first, then the rest is padded.

    Raises ValueError for an odd-length or too long ``pad``, an unknown mode, a ``value`` with a
    non-constant mode, an amount the mode cannot fill or a crop that leaves a negative size;
    NotImplementedError (as PyTorch) for an unsupported input rank in a non-constant mode.
    PyTorch: ``torch.nn.functional.pad``.
    """
    x = input if isinstance(input, Tensor) else Tensor(input)
    if mode not in _NUMPY_MODE:
        raise ValueError(
            f"pad: mode must be one of {tuple(_NUMPY_MODE)}, got {mode!r}"
        )
    shape = tuple(x.shape)
    pairs = _pairs(pad, len(shape))
    k = len(list(pad)) // 2
    if mode != "constant":
        if value is not None and value != 0:
            raise ValueError(f"pad: padding mode {mode!r} doesn't take in value argument")
        if k == 0 or k > 3 or len(shape) not in (k + 1, k + 2):
            raise NotImplementedError(
                f"pad: mode {mode!r} pads the last 1, 2 or 3 dimensions of a batched or "
                f"unbatched input (2-D/3-D, 3-D/4-D or 4-D/5-D); got a pad of {k} dimension(s) "
                f"for input of shape {shape}"
            )
    # crop first: negative amounts are a slice
    crop = tuple(slice(max(-b, 0), n - max(-a, 0)) for (b, a), n in zip(pairs, shape, strict=True))
    for (b, a), n in zip(pairs, shape, strict=True):
        if n - max(-b, 0) - max(-a, 0) < 0:
            raise ValueError(
                f"pad: the negative amounts {pad!r} crop more than the input shape {shape} holds"
            )
    if any(b < 0 or a < 0 for b, a in pairs):
        x = x[crop]
    widths = tuple((max(b, 0), max(a, 0)) for b, a in pairs)
    if not any(b or a for b, a in widths):
        return x
    cropped = tuple(x.shape)
    if mode == "reflect":
        for d, ((b, a), n) in enumerate(zip(widths, cropped, strict=True)):
            if (b or a) and (b >= n or a >= n):
                raise ValueError(
                    f"pad: reflect padding ({b}, {a}) must be less than the size {n} of "
                    f"dimension {d} of input {cropped}"
                )
    elif mode == "circular":
        for d, ((b, a), n) in enumerate(zip(widths, cropped, strict=True)):
            if b > n or a > n:
                raise ValueError(
                    f"pad: circular padding ({b}, {a}) wraps around more than once for dimension "
                    f"{d} of size {n} of input {cropped}"
                )
    elif mode == "replicate":
        for d, ((b, a), n) in enumerate(zip(widths, cropped, strict=True)):
            if (b or a) and n == 0:
                raise ValueError(f"pad: cannot replicate-pad the empty dimension {d} of {cropped}")
    if mode == "constant":
        return ag.pad(x, widths, constant_values=0.0 if value is None else value)
    # one gather per padded axis: NumPy's pad of arange(n) says which element fills each slot
    for axis, ((b, a), n) in enumerate(zip(widths, cropped, strict=True)):
        if b or a:
            m = index_module(x)
            x = take_axis(x, m.pad(m.arange(n), (b, a), mode=_NUMPY_MODE[mode]), axis)
    return x
