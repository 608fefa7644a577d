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
        return _ops.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim: Any = None, *, dtype: Any = None) -> Any:
        return _ops.cumprod(self, dim, dtype=dtype)

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        return _ops.sort(self, dim, descending, stable)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        return _ops.argsort(self, dim, descending, stable)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        return _ops.topk(self, k, dim, largest, sorted)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        return _ops.kthvalue(self, k, dim, keepdim)

    def median(self, dim: Any = None, keepdim: bool = False) -> Any:
        return _ops.median(self, dim, keepdim)

    # --------------------------------------------------------------------------- structure
    def tril(self, diagonal: int = 0) -> Any:
        return _ops.tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Any:
        return _ops.triu(self, diagonal)

    def diag(self, diagonal: int = 0) -> Any:
        return _ops.diag(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:
        return _ops.diagonal(self, offset, dim1, dim2)

    def trace(self) -> Any:
        return _ops.trace(self)

    def roll(self, shifts: Any, dims: Any = None) -> Any:
        return _ops.roll(self, shifts, dims)

    def movedim(self, source: Any, destination: Any) -> Any:
        return _ops.movedim(self, source, destination)

    moveaxis = movedim

    def narrow(self, dim: int, start: Any, length: int) -> Any:
        return _ops.narrow(self, dim, start, length)

    def index_select(self, dim: int, index: Any) -> Any:
        return _ops.index_select(self, dim, index)

    def masked_select(self, mask: Any) -> Any:
        return _ops.masked_select(self, mask)

    def t(self) -> Any:
        return _ops.t(self)

    def reshape_as(self, other: Any) -> Any:
        return _ops.reshape(self, tuple(other.shape))

    def view_as(self, other: Any) -> Any:
        return _ops.view(self, tuple(other.shape))

    # ------------------------------------------------------------------ rounding and clamps
    def floor(self) -> Any:
        return _ops.floor(self)

    def ceil(self) -> Any:
        return _ops.ceil(self)

    def round(self, decimals: int = 0) -> Any:
        return _ops.round(self, decimals)

    def trunc(self) -> Any:
        return _ops.trunc(self)

    def frac(self) -> Any:
        return _ops.frac(self)

    def clamp_min(self, min: Any) -> Any:
        return _ops.clamp_min(self, min)

    def clamp_max(self, max: Any) -> Any:
        return _ops.clamp_max(self, max)

    # ------------------------------------------------------------------------ transcendental
    def sinh(self) -> Any:
        return _ops.sinh(self)

    def cosh(self) -> Any:
        return _ops.cosh(self)

    def asinh(self) -> Any:
        return _ops.asinh(self)

    def acosh(self) -> Any:
        return _ops.acosh(self)

    def atanh(self) -> Any:
        return _ops.atanh(self)

    def asin(self) -> Any:
        return _ops.asin(self)

    def acos(self) -> Any:
        return _ops.acos(self)

    def atan(self) -> Any:
        return _ops.atan(self)

    def atan2(self, other: Any) -> Any:
        return _ops.atan2(self, other)

    def hypot(self, other: Any) -> Any:
        return _ops.hypot(self, other)

    def logaddexp(self, other: Any) -> Any:
        return _ops.logaddexp(self, other)

    def xlogy(self, other: Any) -> Any:
        return _ops.xlogy(self, other)

    # PyTorch's (and NumPy's) other names
    arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    def remainder(self, other: Any) -> Any:
        return _ops.remainder(self, other)

    def __rmod__(self, other: Any) -> Any:
        return _ops.remainder(other, self)

    # ------------------------------------------------------------------------------ queries
    def isnan(self) -> Any:
        return _ops.isnan(self)

    def isinf(self) -> Any:
        return _ops.isinf(self)

    def isfinite(self) -> Any:
        return _ops.isfinite(self)

    def allclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
                 equal_nan: bool = False) -> bool:
        return _ops.allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other: Any) -> bool:
        return _ops.equal(self, other)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        return _ops.nonzero(self, as_tuple=as_tuple)

    def unique(self, sorted: bool = True, return_inverse: bool = False,
               return_counts: bool = False, dim: int | None = None) -> Any:
        return _ops.unique(self, sorted, return_inverse, return_counts, dim)

    def bincount(self, weights: Any = None, minlength: int = 0) -> Any:
        return _ops.bincount(self, weights, minlength)

    # ------------------------------------------------------------------- new_* constructors
    def _new_dtype(self, dtype: Any) -> Any:
        return self.dtype if dtype is None else dtype  # type: ignore[attr-defined]

    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        """A new leaf holding a copy of ``data``, with this tensor's dtype unless given."""
        from .tensor import Tensor

        d = data._data if isinstance(data, Tensor) else data
        return Tensor(np.array(d, dtype=self._new_dtype(dtype), copy=True),
                      requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        return _creation.zeros(*size, dtype=self._new_dtype(dtype), requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        return _creation.ones(*size, dtype=self._new_dtype(dtype), requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        return _creation.empty(*size, dtype=self._new_dtype(dtype), requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None,
                 requires_grad: bool = False) -> Any:
        return _creation.full(tuple(size), fill_value, dtype=self._new_dtype(dtype),
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
