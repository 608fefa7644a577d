"""Reductions: sum, mean, prod, var/std, logsumexp, norm (extrema live in ``extrema``).

Every reduction takes PyTorch's ``dim``/``keepdim`` (positionally too) and accepts NumPy's
``axis``/``keepdims`` as keyword aliases with the same meaning (``_args.reduce_args``).
Rules broadcast the reduced gradient back over the reduced axes
(``_expand``) and use only operators, methods shared by arrays and Tensors and ``.raw`` calls of
other primitives, so they also run on Tensors (``create_graph=True``, higher-order gradients).
"""

from __future__ import annotations

import builtins
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..backend import xp
from ..primitive import Primitive
from ._args import norm_axes, reduce_args
from ._place import xp_of

if TYPE_CHECKING:
    from ..tensor import Tensor

_inf = math.inf


# ------------------------------------------------------------------------------------ helpers
def _shape_of(x: Any) -> tuple[int, ...]:
    if type(x) is float or type(x) is int:
        return ()
    shape = getattr(x, "shape", None)
    return tuple(shape) if shape is not None else xp.shape(x)


def _norm_axis(x: Any, axis: Any, op: str) -> tuple[int, ...] | None:
    """``axis`` as a sorted tuple of non-negative ints (``None``: all axes), range-checked.

    A 0-d tensor accepts axis 0 or -1 (like PyTorch) and reduces over nothing.
    """
    if axis is None:
        return None
    nd = len(_shape_of(x))
    if nd == 0:
        for a in (axis,) if isinstance(axis, int) else axis:
            if a not in (0, -1):
                raise ValueError(f"{op}: axis {a} is out of range for a 0-d tensor")
        return ()
    return norm_axes(axis, nd, op)


def _count(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> int:
    """Number of elements reduced into each output element."""
    n = 1
    for i, s in enumerate(shape):
        if axis is None or i in axis:
            n *= s
    return n


def _kept_shape(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> tuple[int, ...]:
    return tuple(1 if axis is None or i in axis else s for i, s in enumerate(shape))


def _unreduce(g: Any, shape: tuple[int, ...], axis: tuple[int, ...] | None,
              keepdims: bool) -> Any:
    """A reduced array (or Tensor) reshaped with size-1 reduced axes, ready to broadcast."""
    if keepdims:
        return g
    kept = _kept_shape(shape, axis)
    return g if g.shape == kept else g.reshape(kept)


def _expand(g: Any, shape: tuple[int, ...], axis: tuple[int, ...] | None, keepdims: bool) -> Any:
    """Broadcast a reduced gradient back over the reduced axes."""
    return broadcast_to.raw(_unreduce(g, shape, axis, keepdims), shape)  # type: ignore[attr-defined]


def _quiet(fn: Any) -> Any:
    """Run a rule without NumPy's divide/invalid warnings (inf/nan results are intended)."""

    def rule(*args: Any, **params: Any) -> Any:
        with xp.errstate(divide="ignore", invalid="ignore"):
            return fn(*args, **params)

    rule.__name__ = getattr(fn, "__name__", "rule")
    return rule


def _float(x: Any) -> Any:
    """Integer/bool data as float64 (for reductions that only make sense on floats)."""
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def _empty_error(op: str, shape: tuple[int, ...], axis: Any) -> ValueError:
    where = "the whole tensor" if axis is None else f"axis {axis}"
    return ValueError(
        f"{op}: cannot reduce over {where} of a tensor of shape {shape}: it has no elements and "
        f"{op} has no identity; reduce over a non-empty axis"
    )


# ---------------------------------------------------------------------------------------- sum
def _sum_fwd(x: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Any:
    return xp.sum(x, axis=axis, keepdims=keepdims, dtype=dtype)


def _dsum(g: Any, out: Any, x: Any, axis: Any = None, keepdims: bool = False,
          dtype: Any = None) -> Any:
    return _expand(g, _shape_of(x), axis, keepdims)


_sum = Primitive("sum", _sum_fwd, (_dsum,), reads_inputs=False)


def sum(x: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
        axis: Any = None, keepdims: bool | None = None) -> Tensor:
    """Sum over ``dim`` (an int or tuple of ints; None: all elements).

    Shapes: the summed dims are removed (kept as size 1 with ``keepdim=True``); ``dim=()``
    reduces nothing (see docs/differences.md).  dtype: the input's (bool and int sums are int64
    as in NumPy), or ``dtype=``.  Raises ValueError for an out-of-range dim.  PyTorch:
    ``torch.sum``; NumPy: ``numpy.sum`` (``axis``/``keepdims`` are accepted as aliases).

    >>> import autograd as ag
    >>> ag.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(dim=0)
    tensor([4., 6.])
    """
    axis, keepdims = reduce_args(dim, keepdim, axis, keepdims, "sum")
    axis = _norm_axis(x, axis, "sum")
    if dtype is None:
        return _sum(x, axis=axis, keepdims=keepdims)
    return _sum(x, axis=axis, keepdims=keepdims, dtype=dtype)


def mean(x: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
         keepdims: bool | None = None, dtype: Any = None) -> Tensor:
    """Arithmetic mean over ``dim`` (all by default): the sum divided by the count.

    Shapes as :func:`sum`.  Integers give float64 (like NumPy; PyTorch raises).  The mean of no
    elements is nan, without a RuntimeWarning.  ``dtype`` casts the input first (as PyTorch).
    PyTorch: ``torch.mean``; NumPy: ``numpy.mean``.

    >>> import autograd as ag
    >>> ag.tensor([[1.0, 2.0], [3.0, 5.0]]).mean(1)
    tensor([1.5, 4. ])
    """
    axis, keepdims = reduce_args(dim, keepdim, axis, keepdims, "mean")
    if dtype is not None:
        x = astype(x, dtype)
    axis = _norm_axis(x, axis, "mean")
    s = _sum(x, axis=axis, keepdims=keepdims)
    n = _count(_shape_of(x), axis)
    return s / n if n else s * math.nan


# --------------------------------------------------------------------------------------- prod
def _group_last(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[Any, ...]:
    """Permutation moving ``axes`` last, its inverse, the kept shape and the group size."""
    kept = [i for i in range(len(shape)) if i not in axes]
    perm = tuple(kept + list(axes))
    inv = tuple(int(i) for i in np.argsort(perm))
    lead = tuple(shape[i] for i in kept)
    m = 1
    for a in axes:
        m *= shape[a]
    return perm, inv, lead, m


def _others_fwd(x: Any, axes: tuple[int, ...]) -> Any:
    """For each element, the product of the *other* elements of its reduction group.

    Exclusive prefix times exclusive suffix products: no division, so zeros are exact.
    """
    perm, inv, lead, m = _group_last(x.shape, axes)
    if m == 0 or x.size == 0:
        return xp.ones_like(x)
    xt = xp.transpose(x, perm)
    flat = xt.reshape(lead + (m,))
    ones = xp.ones_like(flat, shape=lead + (1,))
    left = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = xp.cumprod(xp.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return xp.transpose((left * right).reshape(xt.shape), inv)


def _dothers(g: Any, out: Any, x: Any, axes: tuple[int, ...]) -> Any:
    # d(others_i)/dx_j = product of the elements other than i and j (i != j).  Row j of `rows`
    # is the group with x_j replaced by 1, so its products-of-others give exactly those
    # (O(m^2) per group; only second and higher derivatives of prod get here).
    shape = tuple(x.shape)
    perm, inv, lead, m = _group_last(shape, axes)
    xt = xp.transpose(x, perm)  # arrays, or Tensors (routed by __array_function__)
    tshape = tuple(xt.shape)
    eye = xp_of(xt).eye(m, dtype=bool)
    rows = where.raw(eye, 1.0, xt.reshape(lead + (1, m)))
    pair = _prod_others.raw(rows, axes=(len(lead) + 1,))
    v = (pair * xp.transpose(g, perm).reshape(lead + (1, m)) * ~eye).sum(axis=-1)
    return xp.transpose(v.reshape(tshape), inv)


_prod_others = Primitive("prod_others", _others_fwd, (_dothers,))


def _dprod(g: Any, out: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    shape = _shape_of(x)
    axes = tuple(range(len(shape))) if axis is None else axis
    return _expand(g, shape, axis, keepdims) * _prod_others.raw(x, axes=axes)


_prod = Primitive(
    "prod", lambda x, axis=None, keepdims=False: xp.prod(x, axis=axis, keepdims=keepdims),
    (_dprod,),
)


def prod(x: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
         keepdims: bool | None = None, dtype: Any = None) -> Tensor:
    """Product over ``dim`` (an int, a tuple of ints, or None: all elements).

    Shapes as :func:`sum`; the input's dtype.  PyTorch: ``torch.prod`` (one dim only there);
    NumPy: ``numpy.prod``.  ``dtype`` casts the input first (as PyTorch).

    The gradient of each element is the product of the others, computed without dividing by the
    element, so it is exact when the input has zeros.

    >>> import autograd as ag
    >>> x = ag.tensor([2.0, 0.0, 3.0], requires_grad=True)
    >>> x.prod().backward()
    >>> x.grad
    tensor([0., 6., 0.])
    """
    axis, keepdims = reduce_args(dim, keepdim, axis, keepdims, "prod")
    if dtype is not None:  # cast first, as PyTorch
        x = astype(x, dtype)
    return _prod(x, axis=_norm_axis(x, axis, "prod"), keepdims=keepdims)


# ------------------------------------------------------------------------------------ var/std
def _moments(x: Any, axis: Any, keepdims: bool, ddof: float) -> tuple[Any, Any, float]:
    """(sum of squared deviations, deviations, divisor max(n - ddof, 0)), two-pass, quiet."""
    n = _count(x.shape, axis)
    mu = xp.sum(x, axis=axis, keepdims=True) / builtins.max(n, 1)
    d = x - mu
    return xp.sum(d * d, axis=axis, keepdims=keepdims), d, builtins.max(n - ddof, 0)


def _var_fwd(x: Any, axis: Any = None, keepdims: bool = False, ddof: float = 1) -> Any:
    with xp.errstate(divide="ignore", invalid="ignore"):
        ss, _, dof = _moments(x, axis, keepdims, ddof)
        return ss / dof  # dof == 0: inf (nan for a zero sum), like NumPy and PyTorch


def _std_fwd(x: Any, axis: Any = None, keepdims: bool = False, ddof: float = 1) -> Any:
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.sqrt(_var_fwd(x, axis, keepdims, ddof))


def _deviation(x: Any, axis: Any) -> Any:
    """x minus its mean over ``axis`` (arrays or Tensors: differentiable for create_graph)."""
    n = _count(_shape_of(x), axis)
    return x - _sum.raw(x, axis=axis, keepdims=True) / builtins.max(n, 1)


def _dvar(g: Any, out: Any, x: Any, axis: Any = None, keepdims: bool = False,
          ddof: float = 1) -> Any:
    dof = builtins.max(_count(_shape_of(x), axis) - ddof, 0)
    c = 2.0 / dof if dof else _inf
    return _expand(g, _shape_of(x), axis, keepdims) * _deviation(x, axis) * c


def _dstd(g: Any, out: Any, x: Any, axis: Any = None, keepdims: bool = False,
          ddof: float = 1) -> Any:
    # (x - mean) / (dof * std); where std == 0 every deviation is 0: a 0 subgradient, not nan.
    # The guard masks the quotient (``_masked_div``), so its own derivative there is nan.
    shape = _shape_of(x)
    dof = builtins.max(_count(shape, axis) - ddof, 0)
    c = 1.0 / dof if dof else _inf
    o = _unreduce(out, shape, axis, keepdims)
    return _expand(g, shape, axis, keepdims) * _masked_div(_deviation(x, axis) * c, o)


def _masked_div(a: Any, b: Any) -> Any:
    """``a / b``, replaced by 0 where ``b == 0`` (a guarded denominator, as PyTorch's
    ``(a / b).masked_fill_(b == 0, 0)``).

    The value there is the subgradient 0; the derivative of the masked quotient is not the
    derivative of a constant: the mask passes a zero gradient to ``a / b``, whose rules give
    ``0 / 0 = nan``.  So second derivatives at the guard are nan (the derivative does not exist
    there), never the finite value that ``a / where(b == 0, 1, b)`` would give.
    """
    return where.raw(b == 0, 0.0, a / b)


_var = Primitive("var", _var_fwd, (_quiet(_dvar),))
_std = Primitive("std", _std_fwd, (_quiet(_dstd),), save_out=True)


def _correction(ddof: Any, unbiased: Any, correction: Any, op: str) -> float:
    given = [(k, v) for k, v in (("ddof", ddof), ("correction", correction)) if v is not None]
    if unbiased is not None:
        given.append(("unbiased", 1 if unbiased else 0))
    if len(given) > 1:
        names = " and ".join(f"{k}=" for k, _ in given)
        raise TypeError(
            f"{op}: pass only one of correction=, its alias ddof= and unbiased= (got {names})"
        )
    return given[0][1] if given else 1


def _var_std(prim: Primitive, x: Any, dim: Any, unbiased: Any, keepdim: Any, correction: Any,
             axis: Any, keepdims: Any, ddof: Any, op: str) -> Any:
    if isinstance(dim, bool):
        # torch.var(x, unbiased) (the legacy overload): a bool where dim goes is ``unbiased``,
        # never dim 0/1 (reducing over a dim would be a silently wrong answer)
        if unbiased is not None:
            raise TypeError(f"{op}: got a bool ({dim!r}) for dim and unbiased={unbiased!r}; pass "
                            "dim as an int (or tuple) and unbiased/correction by keyword")
        dim, unbiased = None, dim
    if unbiased is not None and not isinstance(unbiased, bool):
        # torch.var(x, dim, unbiased) is the only meaning of a third positional argument
        raise TypeError(f"{op}: unbiased must be a bool, got {unbiased!r}; use correction=")
    d = _correction(ddof, unbiased, correction, op)
    axis, keepdims = reduce_args(dim, keepdim, axis, keepdims, op)
    return prim(x, axis=_norm_axis(x, axis, op), keepdims=keepdims, ddof=d)


def var(x: Any, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: float | None = None, axis: Any = None, keepdims: bool | None = None,
        ddof: float | None = None) -> Tensor:
    """Variance over ``dim``: ``sum((x - mean)**2) / max(n - correction, 0)``.

    ``correction`` defaults to 1 (the unbiased estimate), as in ``torch.var``, whatever the
    spelling: ``ddof=`` is an alias of ``correction=``, ``unbiased=True/False`` means 1/0 (pass
    at most one of the three; TypeError otherwise), ``axis``/``keepdims`` alias ``dim``/
    ``keepdim``.  A bool in ``dim``'s place is ``unbiased`` (``x.var(False)``), as in PyTorch.
    Shapes as :func:`sum`.  A divisor of 0 (``n <= correction``) gives inf, or nan for a zero
    sum, without warnings.  NumPy's ``ddof=0`` default: ``numpy.var(t)`` on a Tensor.

    >>> import autograd as ag
    >>> x = ag.tensor([1.0, 2.0, 3.0, 4.0])
    >>> x.var(), x.var(0), x.var(correction=0)
    (tensor(1.66666667), tensor(1.66666667), tensor(1.25))
    """
    return _var_std(_var, x, dim, unbiased, keepdim, correction, axis, keepdims, ddof, "var")


def std(x: Any, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: float | None = None, axis: Any = None, keepdims: bool | None = None,
        ddof: float | None = None) -> Tensor:
    """Standard deviation ``sqrt(var(...))``; the same arguments and defaults as :func:`var`
    (``torch.std``; ``numpy.std(t)`` for NumPy's ddof 0).

    Where all the reduced elements are equal the gradient is 0 (a subgradient), not nan; second
    derivatives there are nan (unbounded nearby; PyTorch gives 0, see docs/conventions.md).

    >>> import autograd as ag
    >>> ag.tensor([1.0, 3.0]).std(0)
    tensor(1.41421356)
    """
    return _var_std(_std, x, dim, unbiased, keepdim, correction, axis, keepdims, ddof, "std")


# -------------------------------------------------------------------------------- logsumexp
def _lse_fwd(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    x = _float(x)
    with xp.errstate(divide="ignore"):  # log(0) = -inf for empty or all -inf groups
        if _count(x.shape, axis) == 0:
            return xp.log(xp.sum(xp.exp(x), axis=axis, keepdims=keepdims))
        m = xp.amax(x, axis=axis, keepdims=True)
        # shift by the max for stability; an infinite or nan max needs (and allows) no shift
        m = xp.where(xp.isfinite(m), m, 0)
        s = xp.log(xp.sum(xp.exp(x - m), axis=axis, keepdims=True)) + m
    return s if keepdims else s.reshape(_reduced_shape(x.shape, axis))


def _reduced_shape(shape: tuple[int, ...], axis: Any) -> tuple[int, ...]:
    return tuple(s for i, s in enumerate(shape) if axis is not None and i not in axis)


def _dlse(g: Any, out: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    # g * softmax(x) = g * exp(x - out); a group of all -inf has out = -inf: use 0 instead, so
    # exp(-inf - 0) = 0 gives a zero gradient rather than exp(nan)
    shape = _shape_of(x)
    o = _unreduce(out, shape, axis, keepdims)
    o = where.raw(o == -_inf, 0.0, o)
    return _expand(g, shape, axis, keepdims) * exp.raw(x - o)


_logsumexp = Primitive("logsumexp", _lse_fwd, (_quiet(_dlse),), save_out=True)


def logsumexp(x: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
              keepdims: bool | None = None) -> Tensor:
    """``log(sum(exp(x)))`` over ``dim`` (None: all elements), computed stably (shifted by the
    max).

    Shapes as :func:`sum`; integers give float64.  A group that is all ``-inf`` (or empty) gives
    ``-inf`` with a zero gradient, and no warnings.  PyTorch: ``torch.logsumexp`` (which requires
    ``dim``); SciPy: ``scipy.special.logsumexp``.

    >>> import autograd as ag
    >>> ag.tensor([1000.0, 1000.0]).logsumexp()
    tensor(1000.69314718)
    """
    axis, keepdims = reduce_args(dim, keepdim, axis, keepdims, "logsumexp")
    return _logsumexp(x, axis=_norm_axis(x, axis, "logsumexp"), keepdims=keepdims)


# --------------------------------------------------------------------------------------- norm
def _pnorm_fwd(x: Any, axis: Any = None, keepdims: bool = False, p: float = 2.0) -> Any:
    x = _float(x)
    if p == 2.0:
        return xp.sqrt(xp.sum(x * x, axis=axis, keepdims=keepdims))
    a = xp.abs(x)
    if _count(x.shape, axis) == 0:
        return xp.sum(a, axis=axis, keepdims=keepdims)
    # scale by the largest magnitude so |x|**p neither overflows nor underflows
    scale = xp.amax(a, axis=axis, keepdims=True)
    scale = xp.where((scale > 0) & xp.isfinite(scale), scale, 1)
    s = xp.sum((a / scale) ** p, axis=axis, keepdims=True) ** (1.0 / p) * scale
    return s if keepdims else s.reshape(_reduced_shape(x.shape, axis))


def _dpnorm(g: Any, out: Any, x: Any, axis: Any = None, keepdims: bool = False,
            p: float = 2.0) -> Any:
    # d||x||_p / dx = sign(x) * (|x| / ||x||)**(p - 1); 0 at the zero vector (a subgradient)
    # (guarded: see _masked_div), as (|x| / m)**(p-1) / (o / m)**(p-1) for the largest magnitude
    # m: no overflow, and m cancels exactly, so it is a constant (no derivative).  Zero entries
    # get 0 (for p < 1 by masking the inf of 0**(p-1)); the derivative of |x|**(p-1) there is
    # inf for p < 2, so second derivatives are nan in a zero entry's column (PyTorch too), and
    # nan at the zero vector (every p, see docs/conventions.md); elsewhere they stay finite.
    shape = _shape_of(x)
    o = _unreduce(out, shape, axis, keepdims)
    ge = _expand(g, shape, axis, keepdims)
    if p == 2.0:
        return ge * _masked_div(x, o)
    ax = xp.abs(getattr(x, "_data", x))
    m = _amax_or_zero(ax, axis)
    m = xp.where((m > 0) & xp.isfinite(m), m, 1.0)
    a = abs.raw(x) / m
    num = a ** (p - 1.0) if p > 1.0 else where.raw(a == 0, 0.0, a ** (p - 1.0))
    return ge * sign.raw(x) * num * _masked_div(1.0, (o / m) ** (p - 1.0))


def _amax_or_zero(a: Any, axis: Any) -> Any:
    """``amax(a, axis, keepdims=True)`` of non-negative ``a``, 0 for empty groups (NumPy's
    ``initial=0``, which CuPy lacks): data with no element has only empty groups."""
    if a.size == 0:
        shape = tuple(1 if (axis is None or i in _axes(axis, a.ndim)) else n
                      for i, n in enumerate(a.shape))
        return xp_of(a).zeros(shape, dtype=a.dtype)
    return xp.amax(a, axis=axis, keepdims=True)


def _axes(axis: Any, ndim: int) -> tuple[int, ...]:
    return tuple(d % ndim for d in (axis if isinstance(axis, tuple) else (axis,)))


_pnorm = Primitive("norm", _pnorm_fwd, (_quiet(_dpnorm),), save_out=True)


def norm(x: Any, p: Any = "fro", dim: Any = None, keepdim: bool = False, *, axis: Any = None,
         keepdims: bool | None = None) -> Tensor:
    """Vector p-norm over ``dim`` (all elements by default, flattened, like ``torch.norm``).

    Shapes as :func:`sum`.  Raises ValueError for an unsupported ``p`` (matrix norms such as
    ``'nuc'``).  PyTorch: ``torch.norm`` / ``torch.linalg.vector_norm``; NumPy:
    ``numpy.linalg.norm(t)`` on a Tensor (NumPy's ``ord`` conventions).

    ``p``: 2 (default), 1, ``inf`` (max magnitude), ``-inf`` (min magnitude), any real ``p > 0``,
    or ``'fro'`` (= 2 over the given axes).  Integer inputs give float64.  At the zero vector the
    gradient is 0 (a subgradient), never nan, and second derivatives there are nan (they do not
    exist; docs/conventions.md); ties of ``inf``/``-inf`` norms share the gradient evenly.

    >>> import autograd as ag
    >>> ag.tensor([3.0, -4.0]).norm(), ag.tensor([3.0, -4.0]).norm(1)
    (tensor(5.), tensor(7.))
    """
    axis, keepdims = reduce_args(dim, keepdim, axis, keepdims, "norm")
    axis = _norm_axis(x, axis, "norm")
    if p is None or (isinstance(p, str) and p == "fro"):
        p = 2
    if isinstance(p, str) or isinstance(p, bool):
        raise ValueError(
            f"norm: unsupported p={p!r}; use a number > 0, inf, -inf or 'fro' (matrix norms such "
            "as 'nuc' are not supported)"
        )
    try:
        pf = float(p)
    except (TypeError, ValueError) as e:
        raise TypeError(f"norm: p must be a number or 'fro', got {p!r}") from e
    if not (pf > 0 or pf == -_inf):
        raise ValueError(f"norm: p must be > 0, inf or -inf, got {p!r}")
    dt = getattr(x, "dtype", None)
    if dt is not None and dt.kind != "f":
        x = mul(x, 1.0)  # integer/bool data as float64 (int * float promotes)
    if pf in (_inf, -_inf):
        if _count(_shape_of(x), axis) == 0:
            raise _empty_error("norm", _shape_of(x), axis)
        return (_extrema._amax if pf > 0 else _extrema._amin)(abs(x), axis=axis, keepdims=keepdims)
    if pf == 1.0:
        return _sum(abs(x), axis=axis, keepdims=keepdims)
    return _pnorm(x, axis=axis, keepdims=keepdims, p=pf)


from . import extrema as _extrema  # noqa: E402  (extrema imports this module's helpers)
from .arithmetic import abs, mul, sign, where  # noqa: E402
from .elementwise import exp  # noqa: E402
from .shape import astype, broadcast_to  # noqa: E402
