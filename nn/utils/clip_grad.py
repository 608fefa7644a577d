"""Gradient clipping, as ``torch.nn.utils``: rescale or clamp ``.grad`` in place before a step.

>>> import autograd as ag
>>> from nn.utils import clip_grad_norm_
>>> w = ag.tensor([0.0, 0.0], requires_grad=True)
>>> (w * ag.tensor([3.0, 4.0])).sum().backward()   # grad (3, 4), norm 5
>>> float(clip_grad_norm_([w], max_norm=1.0))
5.0
>>> w.grad.numpy().round(6)
array([0.6, 0.8])
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd.backend import xp
from autograd.devices import array_module, device_of, is_device_array, to_host, transfer, writeable
from autograd.tape import bump_version
from autograd.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]

TensorOrTensors = Tensor | Iterable[Tensor]


def _grads(parameters: TensorOrTensors, where: str) -> list[Tensor]:
    """The ``.grad`` Tensors of the given parameters (those without one are skipped)."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    out = []
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"{where}: expected Tensors, got {type(p).__name__}")
        if p.grad is not None:
            out.append(p.grad)
    return out


def _norm_type(norm_type: Any, where: str) -> float:
    try:
        p = float(norm_type)
    except (TypeError, ValueError):
        raise TypeError(
            f"{where}: norm_type must be a number or 'inf', got {norm_type!r}"
        ) from None
    if math.isnan(p):
        raise ValueError(f"{where}: norm_type must not be NaN")
    return p


def _vector_norm(a: Any, p: float) -> Any:
    """The ``p``-norm of all entries of ``a`` (0: count of non-zeros, +-inf: max/min of |a|).

    A GPU array's norm stays on its device as a 0-d array: CuPy has ``linalg.norm`` (the same
    orders for a vector) but not ``linalg.vector_norm``."""
    if is_device_array(a):
        return xp.linalg.norm(xp.ravel(a), ord=p)
    return xp.linalg.vector_norm(xp.ravel(a), ord=p)


def get_total_norm(tensors: TensorOrTensors, norm_type: float | str = 2.0,
                   error_if_nonfinite: bool = False) -> Tensor:
    """The ``norm_type``-norm of the given tensors taken together as one long vector.

    Returns a 0-d Tensor of the tensors' dtype (0.0 when there are none), on the device of the
    first tensor (norms of tensors on other devices are moved there, as PyTorch does); nothing is
    read back to the host.  With ``error_if_nonfinite`` a NaN or infinite result raises
    RuntimeError (that check reads the norm on the host, as PyTorch's does).
    """
    where = "get_total_norm"
    p = _norm_type(norm_type, where)
    ts = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    arrays = []
    for t in ts:
        if not isinstance(t, Tensor):
            raise TypeError(f"{where}: expected Tensors, got {type(t).__name__}")
        d = t._data
        arrays.append(xp.asarray(d) if type(d) is float else d)
    dtype = np.result_type(*[a.dtype for a in arrays]) if arrays else np.dtype(np.float64)
    norms = [_vector_norm(a, p) for a in arrays if a.size]
    if arrays and is_device_array(arrays[0]):
        dev = device_of(arrays[0])
        parts = [transfer(n, dev).astype(dtype) for n in norms]
        # (not zeros_like(shape=()): CuPy reads an empty shape as "the prototype's")
        total = (_vector_norm(xp.stack(parts), p) if parts
                 else array_module(arrays[0]).zeros((), dtype=dtype))
        total = total.astype(dtype, copy=False)
    else:
        total = _vector_norm(xp.asarray(norms, dtype=dtype), p) if norms else dtype.type(0)
        total = xp.asarray(total, dtype=dtype)
    if error_if_nonfinite:
        host_total = float(to_host(total))  # an explicit sync, as in PyTorch: it must decide now
        if not math.isfinite(host_total):
            raise RuntimeError(
                f"The total norm of order {p} for gradients from {len(arrays)} tensors is "
                f"non-finite ({host_total}), so it cannot be clipped. To disable this error and "
                "scale the gradients by the non-finite norm anyway, set error_if_nonfinite=False"
            )
    return Tensor._make(total, None, False) if arrays else Tensor(total)


def clip_grads_with_norm_(parameters: TensorOrTensors, max_norm: float,
                          total_norm: Tensor | float) -> None:
    """Scale the parameters' gradients by ``max_norm / (total_norm + 1e-6)`` if that is < 1.

    A ``total_norm`` on a GPU is not read back: every gradient is multiplied by
    ``min(coef, 1)`` on the device (PyTorch's way; a factor of 1 leaves the values unchanged but
    counts as an in-place change).  On the host, gradients are left alone when ``coef >= 1``.
    """
    where = "clip_grads_with_norm_"
    mx = float(max_norm)
    if not mx >= 0:
        raise ValueError(f"{where}: max_norm must be >= 0, got {max_norm!r}")
    total_data = total_norm._data if isinstance(total_norm, Tensor) else total_norm
    if is_device_array(total_data):
        _scale_on_device(_grads(parameters, where), mx, total_data)
        return
    total = float(total_data)
    coef = mx / (total + 1e-6)
    if coef >= 1.0:  # nothing to clip (NaN falls through and spreads, as in PyTorch)
        return
    for g in _grads(parameters, where):
        d = g._data
        if type(d) is float:
            g._data = d * coef
        elif writeable(d):
            d *= coef
        else:
            g._data = d * coef
        bump_version(g)


def _scale_on_device(grads: list[Tensor], mx: float, total: Any) -> None:
    """``g *= min(mx / (total + 1e-6), 1)`` with the factor kept on the device (no sync).
    ``fmin`` would drop a NaN factor; ``minimum`` keeps it, so a NaN norm spreads (PyTorch)."""
    coef = xp.minimum(mx / (total + 1e-6), 1.0)
    for g in grads:
        d = g._data
        c = transfer(coef, device_of(d)) if type(d) is not float else coef
        if type(d) is not float and writeable(d):
            d *= c.astype(d.dtype, copy=False)
        else:
            g._data = (d * c).astype(c.dtype if type(d) is float else d.dtype, copy=False)
        bump_version(g)


def clip_grad_norm_(parameters: TensorOrTensors, max_norm: float,
                    norm_type: float | str = 2.0, error_if_nonfinite: bool = False) -> Tensor:
    """Rescale gradients in place so that their total norm is at most ``max_norm``.

    The norm is taken over all gradients together as one vector (``norm_type``: any p > 0, 0, or
    ``inf``).  Gradients are multiplied by ``max_norm / (total_norm + 1e-6)`` when that is below
    1.  Returns the total norm before clipping as a 0-d Tensor.
    """
    grads = _grads(parameters, "clip_grad_norm_")
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grad_value_(parameters: TensorOrTensors, clip_value: float) -> None:
    """Clamp every gradient entry into ``[-clip_value, clip_value]`` in place (NaN stays NaN)."""
    where = "clip_grad_value_"
    c = float(clip_value)
    if not c >= 0:
        raise ValueError(f"{where}: clip_value must be >= 0, got {clip_value!r}")
    for g in _grads(parameters, where):
        d = g._data
        if type(d) is float:
            g._data = d if d != d else (c if d > c else (-c if d < -c else d))
        elif writeable(d):
            xp.clip(d, -c, c, out=d)
        else:
            g._data = xp.clip(d, -c, c)
        bump_version(g)
