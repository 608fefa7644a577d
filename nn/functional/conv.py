"""Convolutions (1-D, 2-D, 3-D; stride, padding, dilation, groups) as fused primitives.

Forward: im2col (``sliding_window_view`` + one copy) and one matrix product per group.  The
gradients are two more primitives, the transposes of the convolution in each argument:

* ``conv_input_grad(g, w)``: d<g, conv(x, w)>/dx, i.e. the transposed convolution (col2im by a
  Python loop over the *kernel taps* only, never over pixels);
* ``conv_weight_grad(x, g)``: d<g, conv(x, w)>/dw, one matrix product per group.

The three are the partial derivatives of the trilinear form ``<g, conv(x, w)>``, so each one's
gradient rules are written with the other two: derivatives of every order are available
(``create_graph=True``, ``gradgradcheck``).

>>> import autograd as ag, nn.functional as F
>>> x = ag.ones((1, 1, 3, 3)); w = ag.ones((1, 1, 2, 2))
>>> F.conv2d(x, w).shape
(1, 1, 2, 2)
"""

from __future__ import annotations

import math
from typing import Any

from autograd.backend import xp
from autograd.devices import array_module
from autograd.ops.linalg import check_same_float
from autograd.primitive import Primitive
from autograd.tensor import Tensor

from ._utils import kernel_offsets, ntuple, pad_spatial, shape_of, tap_slices, windows

Pads = tuple[tuple[int, int], ...]


def _prod(t: tuple[int, ...]) -> int:
    return math.prod(t)


def _im2col(
    x: Any, ks: tuple[int, ...], stride: tuple[int, ...], pads: Pads, dilation: tuple[int, ...],
    groups: int, out: tuple[int, ...] | None = None,
) -> tuple[Any, tuple[int, ...]]:
    """Columns ``(G, N * P, C/G * prod(ks))`` of every receptive field, and the output size.

    ``out`` keeps only the first ``out`` positions per dim (a transposed convolution with
    ``output_padding`` has input rows that no output position of the forward reaches).
    """
    d = len(ks)
    n, c = x.shape[:2]
    win = windows(pad_spatial(x, pads), ks, stride, dilation)  # (N, C, *out, *ks), a view
    if out is not None:
        win = win[(slice(None), slice(None)) + tuple(slice(0, o) for o in out)]
    out_sp = tuple(win.shape[2:2 + d])
    cg = c // groups
    win = win.reshape((n, groups, cg) + out_sp + ks)
    perm = (1, 0) + tuple(range(3, 3 + d)) + (2,) + tuple(range(3 + d, 3 + 2 * d))
    cols = xp.transpose(win, perm).reshape(groups, n * _prod(out_sp), cg * _prod(ks))
    return cols, out_sp


def _grad_matrix(g: Any, groups: int) -> Any:
    """``g`` (N, O, *out) as ``(G, O/G, N * P)``, the layout both gradients multiply with."""
    n, o = g.shape[:2]
    p = _prod(tuple(g.shape[2:]))
    # xp.transpose: NumPy's permutation for arrays and (routed) for Tensors under create_graph
    return xp.transpose(g.reshape(n, groups, o // groups, p), (1, 2, 0, 3)).reshape(
        groups, o // groups, n * p)


def _conv_fwd(
    x: Any, w: Any, b: Any = None, *, stride: tuple[int, ...], pads: Pads,
    dilation: tuple[int, ...], groups: int,
) -> Any:
    n = x.shape[0]
    o = w.shape[0]
    ks = tuple(w.shape[2:])
    cols, out_sp = _im2col(x, ks, stride, pads, dilation, groups)
    wm = w.reshape(groups, o // groups, _prod(w.shape[1:]))  # no -1: w may have size 0
    y = wm @ cols.swapaxes(1, 2)  # (G, O/G, N * P): one large product per group
    y = y.reshape(o, n, _prod(out_sp)).swapaxes(0, 1)
    y = array_module(y).ascontiguousarray(y).reshape((n, o) + out_sp)
    if b is not None:
        bb = b.reshape((o,) + (1,) * len(ks))
        if bb.dtype == y.dtype:
            y += bb
        else:
            y = y + bb
    return y


def _conv_input_grad_fwd(
    g: Any, w: Any, *, x_shape: tuple[int, ...], stride: tuple[int, ...], pads: Pads,
    dilation: tuple[int, ...], groups: int,
) -> Any:
    n, c = x_shape[:2]
    ks = tuple(w.shape[2:])
    out_sp = tuple(g.shape[2:])
    o = w.shape[0]
    wm = w.reshape(groups, o // groups, _prod(w.shape[1:]))  # no -1: w may have size 0
    gcols = wm.swapaxes(1, 2) @ _grad_matrix(g, groups)  # (G, C/G * prod(ks), N * P)
    gcols = gcols.reshape((c,) + ks + (n,) + out_sp)
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(x_shape[2:], pads, strict=False))
    # channel-major: contiguous tap adds
    gx = array_module(gcols).zeros((c, n) + padded, dtype=gcols.dtype)
    full = (slice(None), slice(None))
    for k in kernel_offsets(ks):
        gx[full + tap_slices(k, out_sp, stride, dilation)] += gcols[(slice(None),) + k]
    sl = full + tuple(slice(lo, lo + s) for (lo, _), s in zip(pads, x_shape[2:], strict=False))
    return array_module(gx).ascontiguousarray(gx[sl].swapaxes(0, 1))


def _conv_weight_grad_fwd(
    x: Any, g: Any, *, w_shape: tuple[int, ...], stride: tuple[int, ...], pads: Pads,
    dilation: tuple[int, ...], groups: int,
) -> Any:
    cols, _ = _im2col(x, tuple(w_shape[2:]), stride, pads, dilation, groups, tuple(g.shape[2:]))
    return (_grad_matrix(g, groups) @ cols).reshape(w_shape)


def _dconv_x(g: Any, out: Any, x: Any, w: Any, *b: Any, **p: Any) -> Any:
    return conv_input_grad.raw(g, w, x_shape=tuple(x.shape), **p)


def _dconv_w(g: Any, out: Any, x: Any, w: Any, *b: Any, **p: Any) -> Any:
    return conv_weight_grad.raw(x, g, w_shape=tuple(w.shape), **p)


def _dconv_b(g: Any, out: Any, x: Any, w: Any, b: Any, **p: Any) -> Any:
    return g.sum(axis=(0,) + tuple(range(2, g.ndim)))


conv = Primitive("conv", _conv_fwd, (_dconv_x, _dconv_w, _dconv_b))


def _crop(y: Any, shape: tuple[int, ...]) -> Any:
    """``y`` limited to the leading ``shape`` (no-op for ordinary convolutions)."""
    if tuple(y.shape) == tuple(shape):
        return y
    return y[tuple(slice(0, s) for s in shape)]


def _dinput_grad_g(u: Any, out: Any, g: Any, w: Any, *, x_shape: Any, **p: Any) -> Any:
    return _crop(conv.raw(u, w, **p), tuple(g.shape))


def _dinput_grad_w(u: Any, out: Any, g: Any, w: Any, *, x_shape: Any, **p: Any) -> Any:
    return conv_weight_grad.raw(u, g, w_shape=tuple(w.shape), **p)


conv_input_grad = Primitive(
    "conv_input_grad", _conv_input_grad_fwd, (_dinput_grad_g, _dinput_grad_w)
)


def _dweight_grad_x(v: Any, out: Any, x: Any, g: Any, *, w_shape: Any, **p: Any) -> Any:
    return conv_input_grad.raw(g, v, x_shape=tuple(x.shape), **p)


def _dweight_grad_g(v: Any, out: Any, x: Any, g: Any, *, w_shape: Any, **p: Any) -> Any:
    return _crop(conv.raw(x, v, **p), tuple(g.shape))


conv_weight_grad = Primitive(
    "conv_weight_grad", _conv_weight_grad_fwd, (_dweight_grad_x, _dweight_grad_g)
)


# ------------------------------------------------------------------------------ public API
def _padding(
    padding: Any, d: int, ks: tuple[int, ...], stride: tuple[int, ...],
    dilation: tuple[int, ...], op: str,
) -> Pads:
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * d
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{op}: padding='same' is not supported for strided convolutions")
            total = tuple(dl * (k - 1) for k, dl in zip(ks, dilation, strict=False))
            # an odd total puts the extra zero on the right, like PyTorch
            return tuple((t // 2, t - t // 2) for t in total)
        raise ValueError(
            f"{op}: padding must be an int, a tuple, 'valid' or 'same', got {padding!r}"
        )
    return tuple((p, p) for p in ntuple(padding, d, "padding", op, minimum=0))


def convolution(
    input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
    dilation: Any = 1, groups: int = 1, *, dims: int, op: str = "conv",
) -> Tensor:
    """N-d convolution (really cross-correlation, as in PyTorch) of ``input`` with ``weight``.

    ``input``: ``(N, C_in, *spatial)`` or unbatched ``(C_in, *spatial)``; ``weight``:
    ``(C_out, C_in / groups, *kernel)``; ``bias``: ``(C_out,)``.
    """
    check_same_float(op, input, weight)
    d = dims
    wshape = shape_of(weight)
    xshape = shape_of(input)
    if len(wshape) != d + 2:
        raise ValueError(
            f"{op}: weight must have {d + 2} dimensions (out_channels, in_channels/groups, "
            f"{'kernel' if d == 1 else ', '.join(['k'] * d)}), got shape {wshape}"
        )
    if len(xshape) not in (d + 1, d + 2):
        raise ValueError(
            f"{op}: expected {d + 1}-D (unbatched) or {d + 2}-D (batched) input, got input of "
            f"shape {xshape}"
        )
    if not isinstance(groups, int) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive integer, got {groups!r}")
    unbatched = len(xshape) == d + 1
    if unbatched:
        input = _as_tensor(input).reshape((1,) + xshape)
        xshape = (1,) + xshape
    o, cg = wshape[:2]
    ks = tuple(wshape[2:])
    if o % groups:
        raise ValueError(f"{op}: out_channels ({o}) must be divisible by groups ({groups})")
    if xshape[1] != cg * groups:
        raise ValueError(
            f"{op}: expected input with {cg * groups} channels (weight {wshape} with "
            f"groups={groups}), got input of shape {xshape}"
        )
    if bias is not None and shape_of(bias) != (o,):
        raise ValueError(f"{op}: bias must have shape ({o},), got {shape_of(bias)}")
    stride_t = ntuple(stride, d, "stride", op)
    dil_t = ntuple(dilation, d, "dilation", op)
    pads = _padding(padding, d, ks, stride_t, dil_t, op)
    for s, (lo, hi), k, dl in zip(xshape[2:], pads, ks, dil_t, strict=False):
        if s + lo + hi < dl * (k - 1) + 1:
            raise ValueError(
                f"{op}: kernel size {ks} (dilation {dil_t}) is larger than the padded input "
                f"{tuple(a + b + c for a, (b, c) in zip(xshape[2:], pads, strict=False))}"
            )
    args = (input, weight) if bias is None else (input, weight, bias)
    y = conv(*args, stride=stride_t, pads=pads, dilation=dil_t, groups=groups)
    return y.reshape(y.shape[1:]) if unbatched else y


def _as_tensor(a: Any) -> Tensor:
    return a if isinstance(a, Tensor) else Tensor(a)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution: ``input (N, C_in, L)``, ``weight (C_out, C_in/groups, k)``."""
    return convolution(input, weight, bias, stride, padding, dilation, groups, dims=1,
                       op="conv1d")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution: ``input (N, C_in, H, W)``, ``weight (C_out, C_in/groups, kH, kW)``.

    >>> import autograd as ag, nn.functional as F
    >>> x = ag.randn(2, 3, 8, 8); w = ag.randn(4, 3, 3, 3)
    >>> F.conv2d(x, w, stride=2, padding=1).shape
    (2, 4, 4, 4)
    """
    return convolution(input, weight, bias, stride, padding, dilation, groups, dims=2,
                       op="conv2d")


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """3-D convolution: ``input (N, C_in, D, H, W)``, ``weight (C_out, C_in/g, kD, kH, kW)``."""
    return convolution(input, weight, bias, stride, padding, dilation, groups, dims=3,
                       op="conv3d")
