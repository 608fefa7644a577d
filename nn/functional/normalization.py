"""Batch, layer and group normalisation.

One fused primitive, ``normalize``, standardises over some axes: ``xhat = (x - mean) / sqrt(var +
eps)`` (biased variance).  Its rule is the classic closed form
``dx = rstd * (g - mean(g) - xhat * mean(g * xhat))``, written with operators and reductions only,
so it runs on Tensors as well (derivatives of every order).  The affine part (``* weight + bias``)
is composed from ordinary primitives, so the weight and bias gradients come for free.

>>> import autograd as ag, nn.functional as F
>>> x = ag.tensor([[1.0, 3.0], [3.0, 5.0]])
>>> F.layer_norm(x, (2,)).tolist()
[[-0.9999950000374997, 0.9999950000374997], [-0.9999950000374997, 0.9999950000374997]]
"""

from __future__ import annotations

import math
from typing import Any

from autograd import tape
from autograd.backend import xp
from autograd.devices import is_array
from autograd.ops import rsqrt
from autograd.primitive import Primitive
from autograd.tensor import Tensor

from ._utils import data, shape_of


def _mean(a: Any, axes: tuple[int, ...]) -> Any:
    """Mean over ``axes`` (kept) of an array; over no elements 0 rather than NumPy's warning and
    nan (an empty group normalises nothing: the output and its gradient are empty anyway)."""
    n = math.prod(a.shape[i] for i in axes)
    return a.sum(axis=axes, keepdims=True) / max(n, 1)


def _normalize_fwd(x: Any, *, axes: tuple[int, ...], eps: float, stats: dict[str, Any]) -> Any:
    mean = _mean(x, axes)
    xc = x - mean
    var = _mean(xc * xc, axes)
    rstd = 1.0 / xp.sqrt(var + eps)
    # the rule and the running-statistics update reuse these instead of recomputing them
    stats["mean"], stats["var"], stats["rstd"] = mean, var, rstd
    return xc * rstd


def _dnormalize(g: Any, out: Any, x: Any, *, axes: tuple[int, ...], eps: float,
                stats: dict[str, Any]) -> Any:
    if isinstance(x, Tensor):  # create_graph: rebuild rstd from x so it is differentiated too
        xc = x - x.mean(axis=axes, keepdims=True)
        rstd = rsqrt((xc * xc).mean(axis=axes, keepdims=True) + eps)
    else:
        rstd = stats["rstd"]
    if isinstance(g, Tensor) or isinstance(out, Tensor):
        gm = g.mean(axis=axes, keepdims=True)
        gxm = (g * out).mean(axis=axes, keepdims=True)
    else:
        gm = _mean(g, axes)
        gxm = _mean(g * out, axes)
    return rstd * (g - gm - out * gxm)


normalize = Primitive("normalize", _normalize_fwd, (_dnormalize,), save_out=True)


def _affine(y: Tensor, weight: Any, bias: Any, shape: tuple[int, ...]) -> Tensor:
    if weight is not None:
        y = y * (weight.reshape(shape) if shape_of(weight) != shape else weight)
    if bias is not None:
        y = y + (bias.reshape(shape) if shape_of(bias) != shape else bias)
    return y


def batch_norm(
    input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
    weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
    momentum: float = 0.1, eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (axis 1) over the batch and spatial axes.

    ``training=True`` uses the batch statistics and updates ``running_mean``/``running_var`` in
    place (``running = (1 - momentum) * running + momentum * batch``, the unbiased batch variance
    for ``running_var``; ``nn.BatchNorm`` with ``momentum=None`` passes the cumulative-average
    factor ``1 / num_batches_tracked``, a 0-d GPU array when the counter lives on a GPU, so it is
    not read back).  ``training=False`` uses the running statistics.
    """
    shape = shape_of(input)
    if len(shape) < 2:
        raise ValueError(f"batch_norm: expected at least 2-D input (N, C, ...), got shape {shape}")
    c = shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and shape_of(t) != (c,):
            raise ValueError(
                f"batch_norm: {name} must have shape ({c},) for input of shape {shape}, got "
                f"{shape_of(t)}"
            )
    bshape = (c,) + (1,) * (len(shape) - 2)
    axes = (0,) + tuple(range(2, len(shape)))
    if training:
        n = math.prod(shape) // c if c else 0
        if n <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {shape}"
            )
        stats: dict[str, Any] = {}
        y = normalize(input, axes=axes, eps=float(eps), stats=stats)
        if running_mean is not None or running_var is not None:
            m = momentum if is_array(momentum) else float(momentum)  # a GPU 0-d array stays
            if running_mean is not None:
                _ema(running_mean, stats["mean"].reshape(c), m)
            if running_var is not None:
                _ema(running_var, stats["var"].reshape(c) * (n / (n - 1)), m)
        return _affine(y, weight, bias, bshape)
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are required when not training")
    x = input if isinstance(input, Tensor) else Tensor(input)
    rm = data(running_mean).reshape(bshape)
    rstd = 1.0 / xp.sqrt(data(running_var).reshape(bshape) + eps)
    y = (x - rm.astype(x.dtype, copy=False)) * rstd.astype(x.dtype, copy=False)
    return _affine(y, weight, bias, bshape)


def _ema(buf: Tensor, value: Any, momentum: float) -> None:
    """``buf = (1 - momentum) * buf + momentum * value`` in place (buffers carry no gradient)."""
    d = buf._data
    d *= 1.0 - momentum
    d += (momentum * value).astype(d.dtype, copy=False)
    tape.bump_version(buf)


def layer_norm(
    input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
    bias: Tensor | None = None, eps: float = 1e-5,
) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` axes of each sample."""
    ns = (int(normalized_shape),) if isinstance(normalized_shape, int) else tuple(
        int(s) for s in normalized_shape)
    shape = shape_of(input)
    k = len(ns)
    if k == 0 or tuple(shape[len(shape) - k:]) != ns or len(shape) < k:
        raise ValueError(
            f"layer_norm: input of shape {shape} does not end with normalized_shape {ns}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and shape_of(t) != ns:
            raise ValueError(f"layer_norm: {name} must have shape {ns}, got {shape_of(t)}")
    axes = tuple(range(len(shape) - k, len(shape)))
    y = normalize(input, axes=axes, eps=float(eps), stats={})
    return _affine(y, weight, bias, ns)


def group_norm(
    input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each group of ``C / num_groups`` channels over the channels and spatial axes."""
    shape = shape_of(input)
    if len(shape) < 2:
        raise ValueError(f"group_norm: expected at least 2-D input (N, C, ...), got shape {shape}")
    n, c = shape[:2]
    if num_groups < 1 or c % num_groups:
        raise ValueError(f"group_norm: num_channels ({c}) must be divisible by num_groups "
                         f"({num_groups})")
    x = input if isinstance(input, Tensor) else Tensor(input)
    xg = x.reshape(n, num_groups, math.prod(shape[1:]) // num_groups)  # no -1: n may be 0
    y = normalize(xg, axes=(2,), eps=float(eps), stats={}).reshape(shape)
    return _affine(y, weight, bias, (c,) + (1,) * (len(shape) - 2))


def instance_norm(
    input: Tensor, weight: Tensor | None = None, bias: Tensor | None = None, eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel of each sample over its spatial axes (no running statistics)."""
    shape = shape_of(input)
    if len(shape) < 3:
        raise ValueError(f"instance_norm: expected (N, C, *spatial) input, got shape {shape}")
    y = normalize(input, axes=tuple(range(2, len(shape))), eps=float(eps), stats={})
    return _affine(y, weight, bias, (shape[1],) + (1,) * (len(shape) - 2))
