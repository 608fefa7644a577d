"""Transposed convolutions (``conv_transpose1d/2d/3d``), the adjoint of ``conv`` in its input.

A transposed convolution of ``x`` with weight ``w (C_in, C_out / groups, *kernel)`` is exactly the
gradient of a convolution with that weight with respect to its input, so it reuses the
``conv_input_grad`` primitive (and with it the higher-order rules).  Output size per spatial dim:
``(in - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1``.

>>> import autograd as ag, nn.functional as F
>>> F.conv_transpose2d(ag.ones(1, 1, 2, 2), ag.ones(1, 1, 2, 2), stride=2).tolist()[0][0]
[[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]]
"""

from __future__ import annotations

from typing import Any

from autograd.ops.linalg import check_same_float
from autograd.tensor import Tensor

from ._utils import ntuple, shape_of
from .conv import conv_input_grad


def output_size(
    sp: tuple[int, ...], ks: tuple[int, ...], stride: tuple[int, ...], padding: tuple[int, ...],
    dilation: tuple[int, ...], output_padding: tuple[int, ...],
) -> tuple[int, ...]:
    return tuple(
        (s - 1) * st - 2 * p + dl * (k - 1) + op + 1
        for s, k, st, p, dl, op in zip(sp, ks, stride, padding, dilation, output_padding,
                                       strict=True)
    )


def conv_transpose(
    input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
    output_padding: Any = 0, groups: int = 1, dilation: Any = 1, *, dims: int,
    op: str = "conv_transpose",
) -> Tensor:
    """N-d transposed convolution: ``input (N, C_in, *spatial)`` (or unbatched), ``weight
    (C_in, C_out / groups, *kernel)``, ``bias (C_out,)``."""
    check_same_float(op, input, weight)
    d = dims
    wshape, xshape = shape_of(weight), shape_of(input)
    if len(wshape) != d + 2:
        raise ValueError(f"{op}: weight must have {d + 2} dimensions (in_channels, "
                         f"out_channels/groups, *kernel), got shape {wshape}")
    if len(xshape) not in (d + 1, d + 2):
        raise ValueError(f"{op}: expected {d + 1}-D (unbatched) or {d + 2}-D (batched) input, "
                         f"got input of shape {xshape}")
    if not isinstance(groups, int) or groups < 1 or wshape[0] % groups:
        raise ValueError(f"{op}: in_channels ({wshape[0]}) must be divisible by groups "
                         f"({groups})")
    unbatched = len(xshape) == d + 1
    if unbatched:
        input = (input if isinstance(input, Tensor) else Tensor(input)).reshape((1,) + xshape)
        xshape = (1,) + xshape
    if xshape[1] != wshape[0]:
        raise ValueError(f"{op}: expected input with {wshape[0]} channels (weight {wshape}), got "
                         f"input of shape {xshape}")
    ks = tuple(wshape[2:])
    st = ntuple(stride, d, "stride", op)
    pad = ntuple(padding, d, "padding", op, minimum=0)
    dil = ntuple(dilation, d, "dilation", op)
    opad = ntuple(output_padding, d, "output_padding", op, minimum=0)
    for o, s, dl in zip(opad, st, dil, strict=True):
        if o >= max(s, dl):
            raise ValueError(f"{op}: output_padding {opad} must be smaller than either stride "
                             f"{st} or dilation {dil}")
    out_sp = output_size(xshape[2:], ks, st, pad, dil, opad)
    if any(o < 1 for o in out_sp):
        raise ValueError(f"{op}: the output size {out_sp} is too small (input {xshape}, "
                         f"kernel {ks}, padding {pad})")
    c_out = wshape[1] * groups
    if bias is not None and shape_of(bias) != (c_out,):
        raise ValueError(f"{op}: bias must have shape ({c_out},), got {shape_of(bias)}")
    y = conv_input_grad(input, weight, x_shape=(xshape[0], c_out) + out_sp, stride=st,
                        pads=tuple((p, p) for p in pad), dilation=dil, groups=groups)
    if bias is not None:
        y = y + bias.reshape((c_out,) + (1,) * d)
    return y.reshape(y.shape[1:]) if unbatched else y


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    return conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation,
                          dims=1, op="conv_transpose1d")


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """2-D transposed convolution (sometimes called deconvolution), e.g. for upsampling."""
    return conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation,
                          dims=2, op="conv_transpose2d")


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    return conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation,
                          dims=3, op="conv_transpose3d")
