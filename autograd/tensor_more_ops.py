"""More Tensor methods with PyTorch's names: cumulative, sorting, structural, rounding,
transcendental, queries and ``new_*`` constructors.

A mixin that :class:`autograd.Tensor` inherits: each method calls the function of the same name
in ``autograd.ops`` (where the primitives and their rules live), with PyTorch's positional order
and defaults.

>>> import autograd as ag
>>> x = ag.tensor([[3.0, 1.0], [2.0, 4.0]])
>>> x.cumsum(1), x.sort(dim=1).values, x.t()
(tensor([[3., 4.],
        [2., 6.]]), tensor([[1., 3.],
        [2., 4.]]), tensor([[3., 2.],
        [1., 4.]]))
"""

from __future__ import annotations

from typing import Any

import numpy as np


class _MoreOpsMixin:
    """Methods that delegate to ``autograd.ops`` (see each function for the details)."""

    __slots__ = ()

    # ------------------------------------------------------------------- cumulative, sorting
    def cumsum(self, dim: Any = None, *, dtype: Any = None) -> Any:
        """Running sum along ``dim`` (required); same shape, integers and bools give int64 unless
        ``dtype`` is given.  Raises TypeError without a dim.  See :func:`autograd.cumsum`
        (``torch.Tensor.cumsum``)."""
        return _ops.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim: Any = None, *, dtype: Any = None) -> Any:
        """Running product along ``dim``; same shape, exact gradients where ``self`` has zeros.
        See :func:`autograd.cumprod` (``torch.Tensor.cumprod``)."""
        return _ops.cumprod(self, dim, dtype=dtype)

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        """Sort along ``dim``: a named tuple ``(values, indices)`` (int64 indices), always stable.
        See :func:`autograd.sort` (``torch.Tensor.sort``)."""
        return _ops.sort(self, dim, descending, stable)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        """The int64 indices that sort ``self`` along ``dim`` (stable); same shape.
        See :func:`autograd.argsort` (``torch.Tensor.argsort``)."""
        return _ops.argsort(self, dim, descending, stable)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        """The ``k`` largest (``largest=False``: smallest) elements along ``dim`` as ``(values,
        indices)``; RuntimeError if ``k`` exceeds the dimension.  See :func:`autograd.topk`
        (``torch.Tensor.topk``)."""
        return _ops.topk(self, k, dim, largest, sorted)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        """The ``k``-th smallest element (1-based) along ``dim`` as ``(values, indices)``.
        See :func:`autograd.kthvalue` (``torch.Tensor.kthvalue``)."""
        return _ops.kthvalue(self, k, dim, keepdim)

    def median(self, dim: Any = None, keepdim: bool = False) -> Any:
        """Lower median: of all elements (0-d) without ``dim``, else ``(values, indices)`` along
        ``dim``.  See :func:`autograd.median` (``torch.Tensor.median``)."""
        return _ops.median(self, dim, keepdim)

    # --------------------------------------------------------------------------- structure
    def tril(self, diagonal: int = 0) -> Any:
        """Lower triangle of the last two dims (``col - row <= diagonal`` kept, the rest zeroed).
        See :func:`autograd.tril` (``torch.Tensor.tril``)."""
        return _ops.tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Any:
        """Upper triangle of the last two dims (``col - row >= diagonal`` kept, the rest zeroed).
        See :func:`autograd.triu` (``torch.Tensor.triu``)."""
        return _ops.triu(self, diagonal)

    def diag(self, diagonal: int = 0) -> Any:
        """1-D: a square matrix with ``self`` on the ``diagonal``-th diagonal; 2-D: that diagonal
        (1-D).  See :func:`autograd.diag` (``torch.Tensor.diag``)."""
        return _ops.diag(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:
        """The ``offset`` diagonal of dims ``dim1``/``dim2``, appended as the last dim (a copy).
        See :func:`autograd.diagonal` (``torch.Tensor.diagonal``)."""
        return _ops.diagonal(self, offset, dim1, dim2)

    def trace(self) -> Any:
        """Sum of the main diagonal of a 2-D tensor, 0-d.  See :func:`autograd.trace`
        (``torch.Tensor.trace``)."""
        return _ops.trace(self)

    def roll(self, shifts: Any, dims: Any = None) -> Any:
        """Shift elements cyclically by ``shifts`` along ``dims`` (``None``: the flattened tensor);
        same shape.  See :func:`autograd.roll` (``torch.Tensor.roll``)."""
        return _ops.roll(self, shifts, dims)

    def movedim(self, source: Any, destination: Any) -> Any:
        """Move dims ``source`` to positions ``destination``, the others keeping their order
        (alias ``moveaxis``).  See :func:`autograd.movedim` (``torch.Tensor.movedim``)."""
        return _ops.movedim(self, source, destination)

    moveaxis = movedim

    def narrow(self, dim: int, start: Any, length: int) -> Any:
        """``self`` restricted to ``start .. start + length`` along ``dim`` (a view).
        See :func:`autograd.narrow` (``torch.Tensor.narrow``)."""
        return _ops.narrow(self, dim, start, length)

    def index_select(self, dim: int, index: Any) -> Any:
        """Entries ``index`` (1-D integers, may repeat) along ``dim``; repeated indices add their
        gradients.  See :func:`autograd.index_select` (``torch.Tensor.index_select``)."""
        return _ops.index_select(self, dim, index)

    def masked_select(self, mask: Any) -> Any:
        """1-D tensor of the elements where the bool ``mask`` (broadcast with ``self``) is True.
        See :func:`autograd.masked_select` (``torch.Tensor.masked_select``)."""
        return _ops.masked_select(self, mask)

    def t(self) -> Any:
        """Transpose of a 2-D tensor; 0-d and 1-D tensors come back unchanged.  See
        :func:`autograd.t` (``torch.Tensor.t``)."""
        return _ops.t(self)

    def reshape_as(self, other: Any) -> Any:
        """``self`` reshaped to ``other.shape`` (a view when possible); same dtype.
        See :func:`autograd.reshape` (``torch.Tensor.reshape_as``)."""
        return _ops.reshape(self, tuple(other.shape))

    def view_as(self, other: Any) -> Any:
        """``self`` viewed with ``other.shape``; RuntimeError where a copy would be needed.
        See :func:`autograd.view` (``torch.Tensor.view_as``)."""
        return _ops.view(self, tuple(other.shape))

    # ------------------------------------------------------------------ rounding and clamps
    def floor(self) -> Any:
        """Elementwise floor (integers unchanged); zero gradient.  See :func:`autograd.floor`
        (``torch.Tensor.floor``)."""
        return _ops.floor(self)

    def ceil(self) -> Any:
        """Elementwise ceiling (integers unchanged); zero gradient.  See :func:`autograd.ceil`
        (``torch.Tensor.ceil``)."""
        return _ops.ceil(self)

    def round(self, decimals: int = 0) -> Any:
        """Round to ``decimals`` places, halves to even; zero gradient.  See :func:`autograd.round`
        (``torch.Tensor.round``)."""
        return _ops.round(self, decimals)

    def trunc(self) -> Any:
        """Elementwise rounding toward zero (integers unchanged); zero gradient.
        See :func:`autograd.trunc` (``torch.Tensor.trunc``)."""
        return _ops.trunc(self)

    def frac(self) -> Any:
        """Elementwise fractional part ``x - trunc(x)`` (sign of ``x``); gradient 1.
        See :func:`autograd.frac` (``torch.Tensor.frac``)."""
        return _ops.frac(self)

    def clamp_min(self, min: Any) -> Any:
        """``max(self, min)`` elementwise, broadcasting.  See :func:`autograd.clamp_min`
        (``torch.Tensor.clamp_min``)."""
        return _ops.clamp_min(self, min)

    def clamp_max(self, max: Any) -> Any:
        """``min(self, max)`` elementwise, broadcasting.  See :func:`autograd.clamp_max`
        (``torch.Tensor.clamp_max``)."""
        return _ops.clamp_max(self, max)

    # ------------------------------------------------------------------------ transcendental
    def sinh(self) -> Any:
        """Elementwise hyperbolic sine; same shape (``torch.Tensor.sinh``)."""
        return _ops.sinh(self)

    def cosh(self) -> Any:
        """Elementwise hyperbolic cosine; same shape (``torch.Tensor.cosh``)."""
        return _ops.cosh(self)

    def asinh(self) -> Any:
        """Elementwise inverse hyperbolic sine (alias ``arcsinh``); same shape
        (``torch.Tensor.asinh``)."""
        return _ops.asinh(self)

    def acosh(self) -> Any:
        """Elementwise inverse hyperbolic cosine (nan below 1; alias ``arccosh``); same shape
        (``torch.Tensor.acosh``)."""
        return _ops.acosh(self)

    def atanh(self) -> Any:
        """Elementwise inverse hyperbolic tangent (+-inf at +-1, nan outside; alias ``arctanh``);
        same shape (``torch.Tensor.atanh``)."""
        return _ops.atanh(self)

    def asin(self) -> Any:
        """Elementwise arcsine (nan outside [-1, 1]; alias ``arcsin``); same shape
        (``torch.Tensor.asin``)."""
        return _ops.asin(self)

    def acos(self) -> Any:
        """Elementwise arccosine (nan outside [-1, 1]; alias ``arccos``); same shape
        (``torch.Tensor.acos``)."""
        return _ops.acos(self)

    def atan(self) -> Any:
        """Elementwise arctangent (alias ``arctan``); same shape (``torch.Tensor.atan``)."""
        return _ops.atan(self)

    def atan2(self, other: Any) -> Any:
        """Elementwise angle of the point ``(other, self)``: ``atan(self / other)`` in the right
        quadrant, broadcasting (alias ``arctan2``); ``torch.Tensor.atan2``."""
        return _ops.atan2(self, other)

    def hypot(self, other: Any) -> Any:
        """Elementwise ``sqrt(self**2 + other**2)`` without overflow, broadcasting
        (``torch.Tensor.hypot``)."""
        return _ops.hypot(self, other)

    def logaddexp(self, other: Any) -> Any:
        """Elementwise ``log(exp(self) + exp(other))`` without overflow, broadcasting
        (``torch.Tensor.logaddexp``)."""
        return _ops.logaddexp(self, other)

    def xlogy(self, other: Any) -> Any:
        """Elementwise ``self * log(other)``, 0 where ``self == 0`` (unless ``other`` is NaN),
        broadcasting (``torch.Tensor.xlogy``)."""
        return _ops.xlogy(self, other)

    # PyTorch's (and NumPy's) other names
    arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    def remainder(self, other: Any) -> Any:
        """Elementwise ``self mod other`` with the sign of ``other`` (Python's ``%``), broadcasting
        (``torch.Tensor.remainder``)."""
        return _ops.remainder(self, other)

    def __rmod__(self, other: Any) -> Any:
        return _ops.remainder(other, self)

    # ------------------------------------------------------------------------------ queries
    def isnan(self) -> Any:
        """Elementwise ``x != x``: a bool tensor of the same shape (``torch.Tensor.isnan``)."""
        return _ops.isnan(self)

    def isinf(self) -> Any:
        """Elementwise test for +-inf: a bool tensor of the same shape (``torch.Tensor.isinf``)."""
        return _ops.isinf(self)

    def isfinite(self) -> Any:
        """Elementwise test for finite values (not inf/nan): a bool tensor of the same shape
        (``torch.Tensor.isfinite``)."""
        return _ops.isfinite(self)

    def allclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
                 equal_nan: bool = False) -> bool:
        """``|self - other| <= atol + rtol * |other|`` everywhere (broadcasting), a Python bool.
        See :func:`autograd.allclose` (``torch.Tensor.allclose``)."""
        return _ops.allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other: Any) -> bool:
        """True if ``other`` has the same shape and elements (NaN != NaN), a Python bool.
        See :func:`autograd.equal` (``torch.Tensor.equal``)."""
        return _ops.equal(self, other)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        """Indices of the nonzero elements: int64 ``(count, ndim)``, or one 1-D tensor per dim with
        ``as_tuple=True``.  See :func:`autograd.nonzero` (``torch.Tensor.nonzero``)."""
        return _ops.nonzero(self, as_tuple=as_tuple)

    def unique(self, sorted: bool = True, return_inverse: bool = False,
               return_counts: bool = False, dim: int | None = None) -> Any:
        """The distinct values (sorted), with inverse indices and counts when asked; ``dim``:
        unique slices.  See :func:`autograd.unique` (``torch.Tensor.unique``)."""
        return _ops.unique(self, sorted, return_inverse, return_counts, dim)

    def bincount(self, weights: Any = None, minlength: int = 0) -> Any:
        """Count (or sum of ``weights``) of each value of a 1-D non-negative integer tensor; no
        gradient.  See :func:`autograd.bincount` (``torch.Tensor.bincount``)."""
        return _ops.bincount(self, weights, minlength)

    # ------------------------------------------------------------------- new_* constructors
    def _new_dtype(self, dtype: Any) -> Any:
        return self.dtype if dtype is None else dtype  # type: ignore[attr-defined]

    def _new_device(self) -> Any:
        return self.device  # type: ignore[attr-defined]  # PyTorch: new_* keep the device

    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        """A new leaf holding a copy of ``data``, with this tensor's dtype unless given, on this
        tensor's device (``torch.Tensor.new_tensor``)."""
        from .devices import is_array
        from .tensor import Tensor

        d = data._data if isinstance(data, Tensor) else data
        dt = self._new_dtype(dtype)
        arr = d.astype(dt, copy=True) if is_array(d) else np.array(d, dtype=dt, copy=True)
        return Tensor(arr, requires_grad=requires_grad, device=self._new_device())

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        """A new leaf of zeros of ``size``, with this tensor's dtype unless ``dtype`` is given
        (``torch.Tensor.new_zeros``), on this tensor's device."""
        return _creation.zeros(*size, dtype=self._new_dtype(dtype), device=self._new_device(),
                               requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        """A new leaf of ones of ``size``, with this tensor's dtype unless ``dtype`` is given
        (``torch.Tensor.new_ones``), on this tensor's device."""
        return _creation.ones(*size, dtype=self._new_dtype(dtype), device=self._new_device(),
                              requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        """A new uninitialised leaf of ``size``, with this tensor's dtype unless ``dtype`` is given
        (``torch.Tensor.new_empty``), on this tensor's device."""
        return _creation.empty(*size, dtype=self._new_dtype(dtype), device=self._new_device(),
                               requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None,
                 requires_grad: bool = False) -> Any:
        """A new leaf of ``size`` filled with ``fill_value``, with this tensor's dtype unless
        ``dtype`` is given (``torch.Tensor.new_full``)."""
        return _creation.full(tuple(size), fill_value, dtype=self._new_dtype(dtype),
                              device=self._new_device(),
                              requires_grad=requires_grad)


class _Deferred:
    """Stands in for ``autograd.ops``/``creation`` until first use: they import ``Tensor``, which
    inherits this mixin, so they cannot be imported while this module loads.  The first
    attribute access replaces the stand-in with the module (no cost afterwards)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, attr: str) -> Any:
        import importlib

        module = importlib.import_module(f"autograd.{self.name}")
        globals()[f"_{self.name}"] = module
        return getattr(module, attr)


_ops: Any = _Deferred("ops")
_creation: Any = _Deferred("creation")
