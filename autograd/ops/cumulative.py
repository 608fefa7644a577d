"""Cumulative primitives: ``cumsum`` and ``cumprod`` along one dimension (PyTorch's meaning).

The gradient of a cumulative sum is the cumulative sum of ``g`` taken from the other end, so one
primitive with a ``reverse`` flag is its own gradient, to any order.  ``cumprod``'s gradient is
``reverse_cumsum(g * out) / x`` where ``x`` has no zeros; where it has zeros (or elements below
sqrt(eps) in magnitude, or products that underflow to 0) that division is 0/0 or inaccurate, so
those inputs use the exact (zero-safe) form: the derivative of ``out_i`` by ``x_k`` is
the product of ``x_j`` for ``j <= i, j != k``, built as a cumulative product of ``x`` with
``x_k`` replaced by 1 (O(n^2) per slice, only for inputs holding a zero).

>>> import autograd as ag
>>> x = ag.tensor([2.0, 0.0, 3.0], requires_grad=True)
>>> y = ag.cumprod(x, 0)
>>> y.sum().backward()
>>> x.grad
tensor([1., 8., 0.])
"""

from __future__ import annotations

from typing import Any

from ..backend import xp
from ..devices import is_device_array, to_host
from ..primitive import Primitive
from ._dims import data_of, one_dim
from ._place import xp_of


def _cumsum_fwd(x: Any, axis: int, reverse: bool = False, dtype: Any = None) -> Any:
    if x.ndim == 0:
        return x.astype(x.dtype if dtype is None else dtype, copy=True)
    if reverse:
        # the gradient's direction: one cumsum of the reversed view, written through a reversed
        # view of a fresh array, so the result is an ordinary C-ordered array (a flipped view
        # would have to be copied again when it lands in a leaf's .grad)
        rev = (slice(None),) * axis + (slice(None, None, -1),)
        if x.dtype.kind != "f" or dtype is not None:  # NumPy's integer promotion decides
            return x[rev].cumsum(axis=axis, dtype=dtype)[rev]
        out = xp_of(x).empty(x.shape, dtype=x.dtype)  # (a direct call: no dispatch layer)
        x[rev].cumsum(axis=axis, out=out[rev])
        return out
    return x.cumsum(axis=axis, dtype=dtype)  # the method: no np.cumsum dispatch layer


def _cumprod_fwd(x: Any, axis: int, dtype: Any = None) -> Any:
    if x.ndim == 0:
        return x.astype(x.dtype if dtype is None else dtype, copy=True)
    return xp.cumprod(x, axis=axis, dtype=dtype)


_cumsum_prims: dict[tuple[int, bool], Primitive] = {}


def _cumsum_along(axis: int, reverse: bool = False) -> Primitive:
    """The cumsum primitive for one axis and direction, built once.  The axis is bound rather
    than passed as a parameter so that a call takes the primitive's one-operand fast path."""
    p = _cumsum_prims.get((axis, reverse))
    if p is None:
        def fwd(x: Any) -> Any:
            return _cumsum_fwd(x, axis, reverse)

        def rule(g: Any, out: Any, x: Any) -> Any:
            return _cumsum_along(axis, not reverse).raw(g)

        p = _cumsum_prims[(axis, reverse)] = Primitive("cumsum", fwd, (rule,),
                                                       reads_inputs=False)
    return p


def _exact_dcumprod(g: Any, x: Any, axis: int) -> Any:
    """Zero-safe VJP of an (ascending) cumprod along ``axis``: O(n^2) per slice."""
    nd = len(x.shape)
    perm = tuple(i for i in range(nd) if i != axis) + (axis,)
    inv = tuple(perm.index(i) for i in range(nd))
    xt = xp.transpose(x, perm)
    gt = xp.transpose(g, perm)
    n = x.shape[axis]
    mod = xp_of(x)
    eye = mod.eye(n, dtype=bool)
    # rows[..., k, :] is the slice with x_k replaced by 1; its cumprod at i >= k is d out_i/d x_k
    rows = where.raw(eye, 1.0, xt[..., None, :])
    parts = _cumprod.raw(rows, axis=nd)
    upper = xp.triu(mod.ones((n, n), dtype=bool))
    return xp.transpose((parts * (gt[..., None, :] * upper)).sum(axis=-1), inv)


def _dcumprod(g: Any, out: Any, x: Any, axis: int, dtype: Any = None) -> Any:
    if len(x.shape) == 0:
        return g
    xd, od = data_of(x), data_of(out)
    # The division form needs no product that underflowed to 0 and no x_k near 0: its own
    # derivative, (g out)'/x - g out/x**2, cancels two terms of size 1/x**2, leaving an absolute
    # error of about eps/x**2 in second derivatives.  Below sqrt(eps) the exact form is used.
    if xd.size and _no_small(xd, od):
        return _cumsum_along(axis, True).raw(g * out) / x
    return _exact_dcumprod(g, x, axis)


def _no_small(xd: Any, od: Any) -> bool:
    ok = od.all() & (xp.abs(xd).min() >= xp.sqrt(xp.finfo(xd.dtype).eps))
    # on a GPU the choice of formula reads one flag back: PyTorch's cumprod backward syncs
    # the same way (it tests the input for zeros with .item())
    return bool(to_host(ok) if is_device_array(ok) else ok)


_cumprod = Primitive("cumprod", _cumprod_fwd, (_dcumprod,), save_out=True)


def _cum_axis(x: Any, dim: Any, dtype: Any, op: str) -> tuple[Any, int]:
    if dim is None:
        raise TypeError(f"{op}: dim is required (PyTorch has no flattened {op}); pass dim=0 "
                        "for a 1-D tensor")
    shape = x.shape if isinstance(x, Tensor) else xp.shape(x)
    ax = one_dim(dim, shape, op)
    if dtype is not None:
        x = astype(x, dtype)
    return x, ax


def cumsum(x: Any, dim: Any = None, *, dtype: Any = None, axis: Any = None) -> Any:
    """Running sum along ``dim``: ``out[i] = x[0] + ... + x[i]`` (``torch.cumsum``).

    ``dtype`` casts the input first (integers and bools otherwise give int64, as in PyTorch).
    ``axis`` is accepted as NumPy's name for ``dim``.  The gradient is the running sum of the
    output gradient taken from the end.  Raises TypeError without a dim, IndexError/ValueError
    (``AxisError``) for a dim out of range.

    >>> import autograd as ag
    >>> ag.cumsum(ag.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([1., 3., 6.])
    """
    x, ax = _cum_axis(x, dim if axis is None else axis, dtype, "cumsum")
    return _cumsum_along(ax)(x)


def cumprod(x: Any, dim: Any = None, *, dtype: Any = None, axis: Any = None) -> Any:
    """Running product along ``dim`` (``torch.cumprod``); exact gradients when ``x`` has zeros.

    >>> import autograd as ag
    >>> ag.cumprod(ag.tensor([1.0, 2.0, 3.0]), 0)
    tensor([1., 2., 6.])
    """
    x, ax = _cum_axis(x, dim if axis is None else axis, dtype, "cumprod")
    return _cumprod(x, axis=ax)


from ..tensor import Tensor  # noqa: E402
from .arithmetic import where  # noqa: E402
from .shape import astype  # noqa: E402
