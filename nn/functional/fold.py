"""``unfold`` (im2col: sliding blocks into columns) and ``fold`` (col2im: columns summed back).

The two are adjoint linear maps, so each primitive's gradient rule is the other primitive: one
forward per direction, and second derivatives come for free.  ``unfold`` reads a strided window
view (no Python loop over pixels); ``fold`` adds each kernel tap's block with one sliced ``+=``.

>>> import autograd as ag, nn.functional as F
>>> x = ag.arange(16.0).reshape(1, 1, 4, 4)
>>> cols = F.unfold(x, kernel_size=2, stride=2)
>>> cols.shape
(1, 4, 4)
>>> bool((F.fold(cols, output_size=4, kernel_size=2, stride=2) == x).all())
True
"""

from __future__ import annotations

import math
from typing import Any

from autograd.devices import array_module
from autograd.primitive import Primitive
from autograd.tensor import Tensor

from ._utils import kernel_offsets, ntuple, pad_spatial, tap_slices, windows


def _blocks(size: tuple[int, ...], k: tuple[int, ...], dil: tuple[int, ...],
            pad: tuple[int, ...], stride: tuple[int, ...]) -> tuple[int, ...]:
    return tuple((n + 2 * p - d * (kk - 1) - 1) // s + 1
                 for n, kk, d, p, s in zip(size, k, dil, pad, stride, strict=True))


def _unfold_fwd(x: Any, k: tuple[int, ...], dil: tuple[int, ...], pad: tuple[int, ...],
                stride: tuple[int, ...]) -> Any:
    n, c = x.shape[:2]
    xpad = pad_spatial(x, tuple((p, p) for p in pad))
    win = windows(xpad, k, stride, dil)  # (N, C, oh, ow, kh, kw)
    oh, ow = win.shape[2:4]
    return win.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * math.prod(k), oh * ow)


def _fold_fwd(cols: Any, size: tuple[int, ...], k: tuple[int, ...], dil: tuple[int, ...],
              pad: tuple[int, ...], stride: tuple[int, ...]) -> Any:
    n = cols.shape[0]
    c = cols.shape[1] // math.prod(k)
    out_blocks = _blocks(size, k, dil, pad, stride)
    blocks = cols.reshape(n, c, *k, *out_blocks)
    padded = array_module(cols).zeros((n, c, size[0] + 2 * pad[0], size[1] + 2 * pad[1]),
                                      dtype=cols.dtype)
    for tap in kernel_offsets(k):
        # one tap's positions never overlap each other: a plain sliced += is exact
        padded[(slice(None), slice(None)) + tap_slices(tap, out_blocks, stride, dil)] += (
            blocks[(slice(None), slice(None)) + tap]
        )
    return padded[:, :, pad[0]:pad[0] + size[0], pad[1]:pad[1] + size[1]]


def _dunfold(g: Any, out: Any, x: Any, k: Any, dil: Any, pad: Any, stride: Any) -> Any:
    return _fold.raw(g, size=tuple(x.shape[2:]), k=k, dil=dil, pad=pad, stride=stride)


def _dfold(g: Any, out: Any, cols: Any, size: Any, k: Any, dil: Any, pad: Any,
           stride: Any) -> Any:
    return _unfold.raw(g, k=k, dil=dil, pad=pad, stride=stride)


_unfold = Primitive("unfold", _unfold_fwd, (_dunfold,), reads_inputs=False)
_fold = Primitive("fold", _fold_fwd, (_dfold,), reads_inputs=False)


def _params(kernel_size: Any, dilation: Any, padding: Any, stride: Any,
            op: str) -> tuple[tuple[int, ...], ...]:
    return (ntuple(kernel_size, 2, "kernel_size", op), ntuple(dilation, 2, "dilation", op),
            ntuple(padding, 2, "padding", op, minimum=0), ntuple(stride, 2, "stride", op))


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Tensor:
    """Extract sliding ``kernel_size`` blocks of a ``(N, C, H, W)`` (or ``(C, H, W)``) input.

    Returns ``(N, C * kh * kw, L)`` (``(C * kh * kw, L)`` unbatched), ``L`` the number of block
    positions, each column ordered channel-major then kernel row and column as in PyTorch.
    ``padding`` is zero padding on both sides.  Raises ValueError for another input rank or a
    kernel larger than the padded input.  PyTorch: ``torch.nn.functional.unfold``.
    """
    x = input if isinstance(input, Tensor) else Tensor(input)
    k, dil, pad, stride = _params(kernel_size, dilation, padding, stride, "unfold")
    if x.ndim not in (3, 4):
        raise ValueError(
            f"unfold: expected a 3-D (unbatched) or 4-D (batched) input, got shape "
            f"{tuple(x.shape)}"
        )
    batched = x.ndim == 4
    if not batched:
        x = x.unsqueeze(0)
    blocks = _blocks(tuple(x.shape[2:]), k, dil, pad, stride)
    if any(b <= 0 for b in blocks):
        raise ValueError(
            f"unfold: kernel {k} with dilation {dil} does not fit the padded input of spatial "
            f"size {tuple(x.shape[2:])} (padding {pad})"
        )
    out = _unfold(x, k=k, dil=dil, pad=pad, stride=stride)
    return out if batched else out.squeeze(0)


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> Tensor:
    """Sum columns of blocks back into a ``(N, C, *output_size)`` image (the adjoint of unfold).

    ``input`` is ``(N, C * kh * kw, L)`` or unbatched ``(C * kh * kw, L)``; overlapping block
    positions add up.  Raises ValueError when the channel size is not a multiple of ``kh * kw``
    or ``L`` is not the number of blocks that fit ``output_size``.
    PyTorch: ``torch.nn.functional.fold``.
    """
    x = input if isinstance(input, Tensor) else Tensor(input)
    size = ntuple(output_size, 2, "output_size", "fold")
    k, dil, pad, stride = _params(kernel_size, dilation, padding, stride, "fold")
    if x.ndim not in (2, 3):
        raise ValueError(
            f"fold: expected a 2-D (unbatched) or 3-D (batched) input, got shape "
            f"{tuple(x.shape)}"
        )
    batched = x.ndim == 3
    if not batched:
        x = x.unsqueeze(0)
    kk = math.prod(k)
    if x.shape[1] % kk:
        raise ValueError(
            f"fold: expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size {k}, but got input.size(1)={x.shape[1]}"
        )
    blocks = _blocks(size, k, dil, pad, stride)
    if any(b <= 0 for b in blocks) or math.prod(blocks) != x.shape[2]:
        raise ValueError(
            f"fold: given output_size={size}, kernel_size={k}, dilation={dil}, padding={pad}, "
            f"stride={stride}, expected size of input's dimension 2 to match the calculated "
            f"number of sliding blocks {blocks[0]} * {blocks[1]} = {math.prod(blocks)}, but got "
            f"input.size(2)={x.shape[2]}"
        )
    out = _fold(x, size=size, k=k, dil=dil, pad=pad, stride=stride)
    return out if batched else out.squeeze(0)
