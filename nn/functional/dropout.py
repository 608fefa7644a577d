"""Dropout: zero elements (or whole channels) with probability ``p``, scale the rest by 1/(1-p).

Seedable: masks come from ``generator`` (a ``numpy.random.Generator`` or an int seed) or, by
default, autograd's generator (``autograd.manual_seed``).

>>> import autograd as ag, nn.functional as F
>>> x = ag.ones(4)
>>> F.dropout(x, 0.5, training=False).tolist()
[1.0, 1.0, 1.0, 1.0]
"""

from __future__ import annotations

from typing import Any

from autograd.backend import xp
from autograd.devices import array_module, device_of, is_array
from autograd.random import generator_for
from autograd.tensor import Tensor

from ._utils import shape_of


def _check_p(p: float, op: str) -> float:
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")
    return p


def _dtype(x: Any) -> Any:
    dt = x.dtype if isinstance(x, Tensor) else xp.asarray(x).dtype
    return dt if dt.kind == "f" else xp.dtype(xp.float64)


def _mask(shape: tuple[int, ...], p: float, dtype: Any, generator: Any, like: Any) -> Any:
    """Keep-mask already scaled by 1/(1-p) (inverted dropout: no rescaling at eval time).

    Drawn on the device of the array ``like`` (the input's data), by that device's generator
    unless ``generator`` is given."""
    if p == 1.0:
        return array_module(like).zeros(shape, dtype=dtype)
    rng = generator_for(device_of(like), generator)
    u = rng.random(shape, dtype=xp.float32 if dtype == xp.float32 else xp.float64)
    keep = u >= p
    if not is_array(keep):  # NumPy gives a scalar for shape (): keep 0-d arrays
        keep = xp.asarray(keep)
    return keep.astype(dtype) * dtype.type(1.0 / (1.0 - p))


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
            generator: Any = None) -> Tensor:
    """Zero each element with probability ``p`` during training; identity otherwise."""
    p = _check_p(p, "dropout")
    x = input if isinstance(input, Tensor) else Tensor(input)
    if not training or p == 0.0:
        return x
    return x * _mask(shape_of(x), p, _dtype(x), generator, x._data)


def _feature_dropout(input: Tensor, p: float, training: bool, generator: Any, d: int,
                     op: str) -> Tensor:
    p = _check_p(p, op)
    x = input if isinstance(input, Tensor) else Tensor(input)
    shape = shape_of(x)
    if len(shape) not in (d + 1, d + 2):
        raise ValueError(
            f"{op}: expected {d + 1}-D (unbatched) or {d + 2}-D (batched) input, got shape {shape}"
        )
    if not training or p == 0.0:
        return x
    # one draw per (sample, channel): the whole feature map is kept or dropped
    mshape = shape[: len(shape) - d] + (1,) * d
    return x * _mask(mshape, p, _dtype(x), generator, x._data)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
              generator: Any = None) -> Tensor:
    """Drop whole channels of ``(N, C, L)`` input."""
    return _feature_dropout(input, p, training, generator, 1, "dropout1d")


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
              generator: Any = None) -> Tensor:
    """Drop whole channels of ``(N, C, H, W)`` input."""
    return _feature_dropout(input, p, training, generator, 2, "dropout2d")


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
              generator: Any = None) -> Tensor:
    """Drop whole channels of ``(N, C, D, H, W)`` input."""
    return _feature_dropout(input, p, training, generator, 3, "dropout3d")
