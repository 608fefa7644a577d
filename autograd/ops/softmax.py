"""softmax and log_softmax along one axis: stable forwards, backwards from the output.

Both shift by the row maximum before exponentiating.  Their rules only need the output:
``softmax``: ``out * (g - sum(g * out))``; ``log_softmax``: ``g - exp(out) * sum(g)``.
``-inf`` entries behave like PyTorch: they get probability 0 (``log_softmax`` -inf) and a finite
gradient; a row that is entirely ``-inf`` has no distribution and gives nan, without warnings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..backend import xp
from ..primitive import Primitive

if TYPE_CHECKING:
    from ..tensor import Tensor


def _shifted(x: Any, axis: int | None) -> Any:
    """``x`` minus its maximum along ``axis`` (infinite or nan maxima are not subtracted)."""
    m = xp.amax(x, axis=axis, keepdims=True)
    return x - xp.where(xp.isfinite(m), m, 0)


def _prepare(x: Any) -> Any:
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def _softmax_fwd(x: Any, axis: int | None = -1) -> Any:
    x = _prepare(x)
    if x.size == 0:
        return x.copy()
    e = xp.exp(_shifted(x, axis))
    with xp.errstate(invalid="ignore"):  # an all -inf row: 0 / 0 = nan, like PyTorch
        return e / xp.sum(e, axis=axis, keepdims=True)


def _log_softmax_fwd(x: Any, axis: int | None = -1) -> Any:
    x = _prepare(x)
    if x.size == 0:
        return x.copy()
    z = _shifted(x, axis)
    with xp.errstate(divide="ignore", invalid="ignore"):  # all -inf row: -inf - (-inf) = nan
        return z - xp.log(xp.sum(xp.exp(z), axis=axis, keepdims=True))


def _dsoftmax(g: Any, out: Any, x: Any, axis: int | None = -1) -> Any:
    return out * (g - (g * out).sum(axis=axis, keepdims=True))


def _dlog_softmax(g: Any, out: Any, x: Any, axis: int | None = -1) -> Any:
    # exp(-inf) = 0: a -inf entry gets g, finite
    return g - exp.raw(out) * g.sum(axis=axis, keepdims=True)


_softmax = Primitive("softmax", _softmax_fwd, (_dsoftmax,), save_out=True)
_log_softmax = Primitive("log_softmax", _log_softmax_fwd, (_dlog_softmax,), save_out=True)


def _axis(x: Any, dim: Any, axis: Any, op: str) -> int | None:
    if axis is not None:
        if dim != -1:
            raise TypeError(f"{op}: pass either dim= or its alias axis=, not both")
        dim = axis
    axis = dim
    if isinstance(axis, bool) or not isinstance(axis, (int, xp.integer)):
        raise TypeError(f"{op}: axis (dim) must be a single int, got {axis!r}")
    axis = int(axis)
    shape = getattr(x, "shape", None)
    nd = len(shape) if shape is not None else xp.ndim(x)
    if nd == 0:
        if axis not in (0, -1):
            raise ValueError(f"{op}: axis {axis} is out of range for a 0-d tensor")
        return None  # a single element
    if not -nd <= axis < nd:
        raise ValueError(f"{op}: axis {axis} is out of range for a tensor with {nd} dimension(s)")
    return axis % nd


def softmax(x: Any, dim: Any = -1, *, axis: Any = None, dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along one ``dim`` (the last by default; ``axis=`` is an alias).

    Same shape as ``x``; integer inputs give float64; ``dtype`` casts the input first (as
    PyTorch).  Raises TypeError for a non-int dim.
    PyTorch: ``torch.softmax`` (which requires ``dim``); SciPy: ``scipy.special.softmax``.

    >>> import autograd as ag
    >>> ag.softmax(ag.tensor([[1.0, 1.0], [0.0, float("-inf")]]), dim=1)
    tensor([[0.5, 0.5],
            [1. , 0. ]])
    """
    ax = _axis(x, dim, axis, "softmax")
    return _softmax(x if dtype is None else astype(x, dtype), axis=ax)


def log_softmax(x: Any, dim: Any = -1, *, axis: Any = None, dtype: Any = None) -> Tensor:
    """``x - logsumexp(x)`` along one ``dim`` (the last by default), stable for large inputs.

    Same shape and dtype rules as :func:`softmax` (``torch.log_softmax``).

    >>> import autograd as ag
    >>> ag.log_softmax(ag.tensor([1000.0, 1000.0]))
    tensor([-0.69314718, -0.69314718])
    """
    ax = _axis(x, dim, axis, "log_softmax")
    return _log_softmax(x if dtype is None else astype(x, dtype), axis=ax)


from .elementwise import exp  # noqa: E402  (log_softmax's rule)
from .shape import astype  # noqa: E402
