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
from autograd.devices import array_module, is_device_array, to_host, writeable
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
    """The ``p``-norm of all entries of ``a`` (0: count of non-zeros, +-inf: max/min of |a|)."""
    if is_device_array(a):  # CuPy has no vector_norm; its norm of a vector means the same
        return array_module(a).linalg.norm(a.ravel(), ord=p)
    return xp.linalg.vector_norm(xp.ravel(a), ord=p)


def get_total_norm(tensors: TensorOrTensors, norm_type: float | str = 2.0,
                   error_if_nonfinite: bool = False) -> Tensor:
    """The ``norm_type``-norm of the given tensors taken together as one long vector.

    Returns a 0-d Tensor of the tensors' dtype (0.0 when there are none).  With
    ``error_if_nonfinite`` a NaN or infinite result raises RuntimeError.
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
    if any(is_device_array(a) for a in norms):  # GPU norms stay there: stacked, not copied
        total = _vector_norm(xp.stack([a.astype(dtype) for a in norms]), p).astype(dtype)
    else:
        total = _vector_norm(xp.asarray(norms, dtype=dtype), p) if norms else dtype.type(0)
        total = xp.asarray(total, dtype=dtype)
    # the check reads the norm back (as PyTorch's does): only when asked for
    if error_if_nonfinite and not bool(xp.isfinite(to_host(total))):
        raise RuntimeError(
            f"The total norm of order {p} for gradients from {len(arrays)} tensors is non-finite "
            f"({float(to_host(total))}), so it cannot be clipped. To disable this error and "
            "scale the gradients by the non-finite norm anyway, set error_if_nonfinite=False"
        )
    return Tensor._make(total, None, False)


def clip_grads_with_norm_(parameters: TensorOrTensors, max_norm: float,
                          total_norm: Tensor | float) -> None:
    """Scale the parameters' gradients by ``max_norm / (total_norm + 1e-6)`` if that is < 1."""
    where = "clip_grads_with_norm_"
    mx = float(max_norm)
    if not mx >= 0:
        raise ValueError(f"{where}: max_norm must be >= 0, got {max_norm!r}")
    total = total_norm._data if isinstance(total_norm, Tensor) else total_norm
    if is_device_array(total):
        # a GPU norm is not read back: PyTorch's clamped coefficient, min(coef, 1), multiplies
        # every gradient (by 1 when nothing is clipped; NaN spreads as on the host)
        coef_d = xp.minimum(mx / (total + 1e-6), 1.0)
        for g in _grads(parameters, where):
            g._data *= coef_d.astype(g._data.dtype)
            bump_version(g)
        return
    total = float(total)
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
