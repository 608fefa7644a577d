"""More activations: ``logsigmoid``, ``softmin``, ``softsign``, ``hardswish``, ``hardsigmoid``,
``glu``.

All but ``hardswish`` are compositions of existing primitives.  ``hardswish`` is its own
primitive because its kinks follow PyTorch's rule (slope ``x/3 + 1/2`` strictly inside
``(-3, 3)``, 0 at and below ``-3``, 1 at and above ``3``), which a composition with ``clip``
(whose gradient passes at its bounds) would not give.

>>> import autograd as ag, nn.functional as F
>>> F.hardswish(ag.tensor([-4.0, 0.0, 1.0, 4.0])).tolist()
[-0.0, 0.0, 0.6666666666666666, 4.0]
>>> F.glu(ag.tensor([1.0, 0.0])).tolist()
[0.5]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import autograd as ag
from autograd.backend import xp
from autograd.ops.arithmetic import where as _where  # the primitive (rules call .raw)
from autograd.primitive import Primitive
from autograd.tensor import Tensor


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def apply_maybe_inplace(fn: Callable[[Tensor], Tensor], input: Any, inplace: bool) -> Tensor:
    """``fn(input)``, or with ``inplace`` the same values written into ``input`` (returned).

    The in-place form computes on a clone so the gradient rules never read the overwritten
    values, then ``copy_``s the result back: the caller's tensor changes as in PyTorch and the
    tape's version checks still hold (a leaf that requires grad raises, as in PyTorch).
    """
    x = _t(input)
    if not inplace:
        return fn(x)
    if not isinstance(input, Tensor):
        raise TypeError(f"inplace=True needs a Tensor to write into, got {type(input).__name__}")
    return x.copy_(fn(x.clone()))


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, stable for large ``|x|`` (no threshold cut-off).

    Same shape and dtype as ``input``.  PyTorch: ``torch.nn.functional.logsigmoid``.
    """
    return -ag.softplus(-_t(input), threshold=math.inf)


def softmin(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """``softmax(-x)`` along ``dim`` (default: the last axis); ``dtype`` casts the input first.

    PyTorch: ``torch.nn.functional.softmin`` (its ``dim=None`` legacy guess is not copied: the
    last axis is used).
    """
    x = _t(input)
    if dtype is not None:
        x = x.astype(dtype)
    return ag.softmax(-x, dim=-1 if dim is None else dim)


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``.  PyTorch: ``torch.nn.functional.softsign``."""
    x = _t(input)
    return x / (1 + ag.abs(x))


def _dhardswish(g: Any, out: Any, x: Any) -> Any:
    # PyTorch's kinks: 0 up to -3, x/3 + 1/2 strictly between, 1 from 3 on
    inner = _where.raw((x > -3.0) & (x < 3.0), 1.0, 0.0)
    above = _where.raw(x >= 3.0, 1.0, 0.0)
    return g * (inner * (x / 3.0 + 0.5) + above)


_hardswish = Primitive(
    "hardswish", lambda x: x * xp.clip(x + 3.0, 0.0, 6.0) / 6.0, (_dhardswish,)
)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6``; gradient ``x/3 + 1/2`` on ``(-3, 3)``, 0 at/below, 1 at/above.

    ``inplace=True`` writes the result into ``input``.  PyTorch: ``F.hardswish``.
    """
    return apply_maybe_inplace(_hardswish, input, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``; gradient ``1/6`` strictly inside ``(-3, 3)``, 0 elsewhere (PyTorch).

    ``inplace=True`` writes the result into ``input``.  PyTorch: ``F.hardsigmoid``.
    """

    def fn(x: Tensor) -> Tensor:
        # clip passes gradient at its bounds: the strict interior is PyTorch's convention
        y = ag.clip(x + 3.0, 0.0, 6.0) / 6.0
        return ag.where((x > -3.0) & (x < 3.0), y, y.detach())

    return apply_maybe_inplace(fn, input, inplace)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: split ``input`` in halves ``a, b`` along ``dim``; ``a * sigmoid(b)``.

    Raises RuntimeError (as PyTorch) for a 0-d input or an odd size along ``dim``.
    PyTorch: ``torch.nn.functional.glu``.
    """
    x = _t(input)
    if x.ndim == 0:
        raise RuntimeError("glu: does not support scalars because halving size must be even")
    n = x.shape[dim]
    if n % 2:
        raise RuntimeError(
            f"glu: halving dimension must be even, but dimension {dim} is size {n} "
            f"(input shape {tuple(x.shape)})"
        )
    a, b = ag.chunk(x, 2, dim=dim)
    return a * ag.sigmoid(b)
