"""Math methods of ``Tensor`` (a mixin): elementwise functions, reductions, softmax, products.

Signatures are PyTorch's: ``dim``/``keepdim`` first (positionally too), NumPy's ``axis``/
``keepdims`` accepted as keyword aliases with the same meaning; ``max(dim)`` returns ``(values,
indices)`` and ``var``/``std`` default to ``correction=1`` whichever spelling is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .backend import xp
from .devices import is_array

if TYPE_CHECKING:
    _ops: Any  # autograd.ops (its in-place functions are typed for Tensor, not the mixin)
    from .ops import ValuesIndices
    from .tensor import Tensor
else:
    _ops = None  # bound by autograd.tensor


class TensorMath:
    """Elementwise, reduction and product methods; PyTorch's meanings."""

    __slots__ = ()

    if TYPE_CHECKING:
        _data: Any

    def exp(self) -> Tensor:
        """Elementwise e**x; same shape (``torch.Tensor.exp``)."""
        return _ops.exp(self)

    def log(self) -> Tensor:
        """Elementwise natural logarithm (nan below 0, -inf at 0); ``torch.Tensor.log``."""
        return _ops.log(self)

    def log1p(self) -> Tensor:
        """Elementwise log(1 + x), accurate near 0; same shape (``torch.Tensor.log1p``)."""
        return _ops.log1p(self)

    def expm1(self) -> Tensor:
        """Elementwise e**x - 1, accurate near 0; same shape (``torch.Tensor.expm1``)."""
        return _ops.expm1(self)

    def sqrt(self) -> Tensor:
        """Elementwise square root; same shape (``torch.Tensor.sqrt``)."""
        return _ops.sqrt(self)

    def rsqrt(self) -> Tensor:
        """Elementwise 1 / sqrt(x); same shape (``torch.Tensor.rsqrt``)."""
        return _ops.rsqrt(self)

    def square(self) -> Tensor:
        """Elementwise x**2; same shape (``torch.Tensor.square``)."""
        return _ops.square(self)

    def reciprocal(self) -> Tensor:
        """Elementwise 1 / x; same shape (``torch.Tensor.reciprocal``)."""
        return _ops.reciprocal(self)

    def sin(self) -> Tensor:
        """Elementwise sine; same shape (``torch.Tensor.sin``)."""
        return _ops.sin(self)

    def cos(self) -> Tensor:
        """Elementwise cosine; same shape (``torch.Tensor.cos``)."""
        return _ops.cos(self)

    def tan(self) -> Tensor:
        """Elementwise tangent; same shape (``torch.Tensor.tan``)."""
        return _ops.tan(self)

    def tanh(self) -> Tensor:
        """Elementwise hyperbolic tangent; same shape (``torch.Tensor.tanh``)."""
        return _ops.tanh(self)

    def sigmoid(self) -> Tensor:
        """Elementwise logistic sigmoid 1 / (1 + e**-x); same shape (``torch.Tensor.sigmoid``)."""
        return _ops.sigmoid(self)

    def relu(self) -> Tensor:
        """Elementwise max(x, 0), gradient 0 at 0; same shape (``torch.Tensor.relu``)."""
        return _ops.relu(self)

    def abs(self) -> Tensor:
        """Elementwise absolute value, gradient 0 at 0; same shape (``torch.Tensor.abs``)."""
        return _ops.abs(self)

    def neg(self) -> Tensor:
        """Elementwise -x; same shape (``torch.Tensor.neg``)."""
        return _ops.neg(self)

    def sign(self) -> Tensor:
        """Elementwise sign (-1, 0, 1); no gradient; same shape (``torch.Tensor.sign``)."""
        return _ops.sign(self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        """Limit values to ``[min, max]`` (either may be None); the gradient passes inside the
        bounds, ties included (``torch.Tensor.clamp``; ``numpy.clip``)."""
        return _ops.clip(self, min, max)

    def clip(self, min: Any = None, max: Any = None) -> Tensor:
        """Alias of :meth:`clamp` (``torch.Tensor.clip``)."""
        return _ops.clip(self, min, max)

    # reductions: see autograd.ops.reduction / extrema for the rules
    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
            axis: Any = None, keepdims: bool | None = None) -> Tensor:
        """Sum over ``dim`` (int, tuple, None: all); see :func:`autograd.sum`."""
        return _ops.sum(self, dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
             axis: Any = None, keepdims: bool | None = None) -> Tensor:
        """Mean over ``dim``; see :func:`autograd.mean`."""
        return _ops.mean(self, dim, keepdim, axis=axis, keepdims=keepdims, dtype=dtype)

    def prod(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
             axis: Any = None, keepdims: bool | None = None) -> Tensor:
        """Product over ``dim``; see :func:`autograd.prod`."""
        return _ops.prod(self, dim, keepdim, axis=axis, keepdims=keepdims, dtype=dtype)

    def max(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
            keepdims: bool | None = None) -> Tensor | ValuesIndices:
        """The largest value, as ``torch.Tensor.max`` means it.

        * ``t.max()``: the largest element, a 0-d Tensor.
        * ``t.max(dim, keepdim=False)`` (``dim`` an int, positional or keyword; ``axis=`` and
          ``keepdims=`` are aliases): a :class:`~autograd.ops.ValuesIndices` named tuple
          ``(values, indices)``: ``dim`` removed (size 1 with ``keepdim``), ``values`` in the
          tensor's dtype and differentiable, ``indices`` int64 (the first maximum).
        * ``t.max(other)`` with a Tensor or array: the elementwise maximum.

        Tied maxima share the gradient evenly.  Raises TypeError for a tuple of dims (use
        :meth:`amax`) or ``keepdim`` without ``dim``, ValueError for an empty reduction or an
        out-of-range dim.  NumPy's values-only ``ndarray.max(axis)`` is ``numpy.max(t, axis)``.
        """
        return _ops.max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
            keepdims: bool | None = None) -> Tensor | ValuesIndices:
        """The smallest value, as ``torch.Tensor.min`` means it: ``min()``, ``min(dim)`` ->
        ``(values, indices)``, ``min(other)`` elementwise; the same rules as :meth:`max`
        (NumPy's values-only form: ``numpy.min(t, axis)``)."""
        return _ops.min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amax(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
             keepdims: bool | None = None) -> Tensor:
        """Largest values over ``dim`` (int, tuple, None); see :func:`autograd.amax`."""
        return _ops.amax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amin(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
             keepdims: bool | None = None) -> Tensor:
        """Smallest values over ``dim`` (int, tuple, None); see :func:`autograd.amin`."""
        return _ops.amin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def var(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None, axis: Any = None, keepdims: bool | None = None,
            ddof: float | None = None) -> Tensor:
        """Variance over ``dim``, ``correction=1`` by default (``ddof=`` is an alias); see
        :func:`autograd.var`."""
        return _ops.var(self, dim, unbiased, keepdim, correction=correction, axis=axis,
                        keepdims=keepdims, ddof=ddof)

    def std(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None, axis: Any = None, keepdims: bool | None = None,
            ddof: float | None = None) -> Tensor:
        """Standard deviation over ``dim``, ``correction=1`` by default; see
        :func:`autograd.std`."""
        return _ops.std(self, dim, unbiased, keepdim, correction=correction, axis=axis,
                        keepdims=keepdims, ddof=ddof)

    def logsumexp(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
                  keepdims: bool | None = None) -> Tensor:
        """Stable ``log(sum(exp(x)))`` over ``dim``; see :func:`autograd.logsumexp`."""
        return _ops.logsumexp(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False, *, axis: Any = None,
             keepdims: bool | None = None) -> Tensor:
        """Vector p-norm over ``dim`` (all elements by default); see :func:`autograd.norm`."""
        return _ops.norm(self, p, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmax(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
               keepdims: bool | None = None) -> Tensor:
        """Index (int64) of the first largest value along ``dim`` (flattened if None)."""
        return _ops.argmax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmin(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
               keepdims: bool | None = None) -> Tensor:
        """Index (int64) of the first smallest value along ``dim`` (flattened if None)."""
        return _ops.argmin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def all(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
            keepdims: bool | None = None) -> Tensor:
        """True where every element along ``dim`` (all if None) is nonzero: a bool tensor
        without grad (``torch.Tensor.all``, ``numpy.all``)."""
        return self._logical_reduce(xp.all, dim, keepdim, axis, keepdims, "all")

    def any(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
            keepdims: bool | None = None) -> Tensor:
        """True where some element along ``dim`` (all if None) is nonzero: a bool tensor
        without grad (``torch.Tensor.any``, ``numpy.any``)."""
        return self._logical_reduce(xp.any, dim, keepdim, axis, keepdims, "any")

    def _logical_reduce(self, fn: Any, dim: Any, keepdim: bool, axis: Any, keepdims: Any,
                        op: str) -> Tensor:
        from .ops._args import reduce_args
        from .tensor import Tensor

        dim, keepdim = reduce_args(dim, keepdim, axis, keepdims, op)
        r = fn(self._data, axis=dim, keepdims=keepdim)
        return Tensor._make(r if is_array(r) else xp.asarray(r), None, False)

    def softmax(self, dim: Any = -1, *, dtype: Any = None, axis: Any = None) -> Tensor:
        """Softmax along ``dim`` (the last by default); see :func:`autograd.softmax`."""
        return _ops.softmax(self, dim, axis=axis, dtype=dtype)

    def log_softmax(self, dim: Any = -1, *, dtype: Any = None, axis: Any = None) -> Tensor:
        """Log-softmax along ``dim`` (the last by default); see :func:`autograd.log_softmax`."""
        return _ops.log_softmax(self, dim, axis=axis, dtype=dtype)

    # products
    def matmul(self, other: Any) -> Tensor:
        """Matrix product ``self @ other``; see :func:`autograd.matmul`."""
        return _ops.matmul(self, other)

    def dot(self, other: Any) -> Tensor:
        """Inner product of two 1-D tensors (``torch.Tensor.dot``); see :func:`autograd.dot`."""
        return _ops.dot(self, other)

    def outer(self, vec2: Any) -> Tensor:
        """Outer product with the 1-D ``vec2`` (``torch.Tensor.outer``)."""
        return _ops.outer(self, vec2)
