"""Rounding (``floor``, ``ceil``, ``round``, ``trunc``, ``frac``) and one-sided clamps.

Rounding is piecewise constant: like PyTorch, the result still takes part in the graph and its
gradient is zero everywhere (also at the jumps, where no derivative exists), so
``x.floor().sum().backward()`` gives zeros rather than an error.  ``frac = x - trunc(x)`` passes
the gradient through unchanged.  Integer inputs are returned unchanged (copied), as in PyTorch.

>>> import autograd as ag
>>> x = ag.tensor([-1.5, 0.5, 2.7])
>>> ag.floor(x), ag.round(x), ag.frac(x)
(tensor([-2.,  0.,  2.]), tensor([-2.,  0.,  3.]), tensor([-0.5,  0.5,  0.7]))
"""

from __future__ import annotations

import operator
from typing import Any

from ..backend import xp
from ..primitive import Primitive
from ._doc import elementwise as _ew


def _zero_grad(g: Any, out: Any, x: Any, **params: Any) -> Any:
    """Zeros shaped like ``g`` (not ``g * 0``: that would turn inf/nan gradients into nan)."""
    from ..tensor import Tensor

    if isinstance(g, Tensor):
        return Tensor._make(xp.zeros_like(g._data), None, False)
    return xp.zeros_like(g)


def _keep_ints(fn: Any) -> Any:
    def fwd(x: Any, **params: Any) -> Any:
        if x.dtype.kind in "biu":
            return x.copy()  # the method: keeps the array's device
        return fn(x, **params)

    return fwd


_STEP = "Gradient 0 everywhere, also at the jumps (PyTorch)."
floor = Primitive("floor", _keep_ints(xp.floor), (_zero_grad,),
                  doc=_ew("floor(x)", "torch.floor", "numpy.floor", _STEP, dtype="keep"))
ceil = Primitive("ceil", _keep_ints(xp.ceil), (_zero_grad,),
                 doc=_ew("ceil(x)", "torch.ceil", "numpy.ceil", _STEP, dtype="keep"))
trunc = Primitive("trunc", _keep_ints(xp.trunc), (_zero_grad,),
                  doc=_ew("trunc(x)", "torch.trunc", "numpy.trunc", _STEP, dtype="keep"))
_round = Primitive("round", _keep_ints(lambda x, decimals=0: xp.round(x, decimals)),
                   (_zero_grad,))
frac = Primitive("frac", lambda x: x - xp.trunc(x), (lambda g, out, x: g,), reads_inputs=False,
                 doc=_ew("x - trunc(x)", "torch.frac", None, "Keeps the sign of x; gradient 1.",
                         dtype="keep"))


def round(x: Any, decimals: int = 0) -> Any:
    """Round to ``decimals`` places, halves to even (``torch.round``, ``np.round``); zero
    gradient."""
    d = operator.index(decimals)
    return _round(x) if d == 0 else _round(x, decimals=d)


def clamp_min(x: Any, min: Any) -> Any:
    """``max(x, min)`` elementwise (``torch.clamp_min``); the gradient passes where
    ``x >= min``.  A Tensor ``min`` that requires grad gets its share (see :func:`clamp`)."""
    return clamp(x, min, None)


def clamp_max(x: Any, max: Any) -> Any:
    """``min(x, max)`` elementwise (``torch.clamp_max``); the gradient passes where
    ``x <= max``."""
    return clamp(x, None, max)


from .arithmetic import clamp  # noqa: E402
