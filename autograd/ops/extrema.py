"""Extrema: amax/amin (values), max/min (PyTorch's overloads), argmax/argmin (indices).

``max(x, dim)`` means what ``torch.max(x, dim)`` means whichever spelling is used: ``dim`` as the
second positional argument, ``dim=`` or its NumPy alias ``axis=`` all return ``(values,
indices)``.  NumPy's values-only ``max(x, axis)`` is ``amax`` here, or ``numpy.max(t, axis)``
called on a Tensor (routed by ``Tensor.__array_function__``).
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..backend import xp
from ..devices import is_array
from ..primitive import Primitive
from ._args import reduce_args
from ._place import xp_of
from .reduction import _count, _empty_error, _expand, _norm_axis, _quiet, _shape_of, _unreduce

if TYPE_CHECKING:
    from ..tensor import Tensor


def _extreme_fwd(fn: Any, op: str) -> Any:
    def fwd(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
        if x.size == 0 and _count(x.shape, axis) == 0:
            raise _empty_error(op, x.shape, axis)
        return fn(x, axis=axis, keepdims=keepdims)

    return fwd


def _dextreme(g: Any, out: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    # the gradient goes to the elements equal to the result, split evenly among ties
    shape = _shape_of(x)
    hit = x == _unreduce(out, shape, axis, keepdims)
    share = hit / hit.sum(axis=axis, keepdims=True)
    return _expand(g, shape, axis, keepdims) * share


_amax = Primitive("amax", _extreme_fwd(xp.amax, "amax"), (_quiet(_dextreme),), save_out=True)
_amin = Primitive("amin", _extreme_fwd(xp.amin, "amin"), (_quiet(_dextreme),), save_out=True)


class ValuesIndices(NamedTuple):
    """``(values, indices)``: what ``max``/``min`` return for a ``dim`` (``torch.return_types``).

    ``values`` keeps the input's dtype and carries the gradient; ``indices`` is int64.
    """

    values: Tensor
    indices: Tensor


def amax(x: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
         keepdims: bool | None = None) -> Tensor:
    """Largest value over ``dim`` (an int, a tuple of ints, or None: all).

    Shapes: ``dim`` removed (kept as size 1 with ``keepdim=True``); dtype of the input.  Tied
    maxima share the gradient evenly.  Raises ValueError for a reduction over no elements.
    PyTorch: ``torch.amax``; NumPy: ``numpy.amax`` / ``numpy.max`` (``axis``/``keepdims`` are
    accepted as aliases).

    >>> import autograd as ag
    >>> x = ag.tensor([1.0, 3.0, 3.0], requires_grad=True)
    >>> x.amax().backward()
    >>> x.grad
    tensor([0. , 0.5, 0.5])
    """
    dim, keepdim = reduce_args(dim, keepdim, axis, keepdims, "amax")
    return _amax(x, axis=_norm_axis(x, dim, "amax"), keepdims=keepdim)


def amin(x: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
         keepdims: bool | None = None) -> Tensor:
    """Smallest value over ``dim``; the same rules as :func:`amax` (``torch.amin``,
    ``numpy.amin``)."""
    dim, keepdim = reduce_args(dim, keepdim, axis, keepdims, "amin")
    return _amin(x, axis=_norm_axis(x, dim, "amin"), keepdims=keepdim)


def _is_other(a: Any) -> bool:
    from ..tensor import Tensor

    return isinstance(a, Tensor) or is_array(a)


def _max_min(x: Any, dim: Any, keepdim: bool, axis: Any, keepdims: Any, op: str) -> Any:
    if _is_other(dim):  # torch.max(input, other): the elementwise maximum
        if axis is not None or keepdims is not None:
            raise TypeError(f"{op}(input, other) takes no dim/axis/keepdim arguments")
        return (maximum if op == "max" else minimum)(x, dim)
    dim, keepdim = reduce_args(dim, keepdim, axis, keepdims, op)
    if dim is None:
        if keepdim:
            raise TypeError(f"{op}: keepdim=True needs a dim (use amax/amin for all dims)")
        return (amax if op == "max" else amin)(x)
    if not isinstance(dim, int):
        raise TypeError(
            f"{op}: dim must be a single int (the result carries indices), got {dim!r}; use "
            f"a{op}(x, dim=(...)) to reduce over several dims"
        )
    values = (amax if op == "max" else amin)(x, dim, keepdim)
    indices = (argmax if op == "max" else argmin)(x, dim, keepdim)
    return ValuesIndices(values, indices)


def max(x: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
        keepdims: bool | None = None) -> Any:
    """The largest value, as ``torch.max`` means it.

    * ``max(x)``: the largest of all elements, a 0-d Tensor.
    * ``max(x, dim, keepdim=False)`` (``dim`` an int; ``axis=``/``keepdims=`` are aliases): a
      :class:`ValuesIndices` named tuple ``(values, indices)``, ``indices`` int64 (the first
      maximum), ``dim`` removed unless ``keepdim``.
    * ``max(x, other)`` with a Tensor or array ``other``: the elementwise :func:`maximum`.

    Tied maxima share the gradient evenly (``torch.max(x, dim)`` sends it all to the returned
    index; see docs/differences.md).  A tuple of dims raises TypeError (use :func:`amax`); a
    reduction over no elements raises ValueError.  NumPy's values-only ``numpy.max(t, axis)``
    works on Tensors through ``__array_function__``.

    >>> import autograd as ag
    >>> x = ag.tensor([[1.0, 5.0], [7.0, 2.0]])
    >>> x.max()
    tensor(7.)
    >>> values, indices = x.max(1)
    >>> values, indices
    (tensor([5., 7.]), tensor([1, 0]))
    """
    return _max_min(x, dim, keepdim, axis, keepdims, "max")


def min(x: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
        keepdims: bool | None = None) -> Any:
    """The smallest value, as ``torch.min`` means it; the same forms as :func:`max`
    (``(values, indices)`` for a dim, :func:`minimum` for a Tensor ``other``)."""
    return _max_min(x, dim, keepdim, axis, keepdims, "min")


def _arg_fwd(fn: Any, op: str) -> Any:
    def fwd(x: Any, axis: int | None = None, keepdims: bool = False) -> Any:
        if x.ndim == 0:  # a single element: index 0 (axis 0/-1 accepted, like PyTorch)
            return xp_of(x).zeros((), dtype=np.int64)  # (CuPy's zeros_like ignores shape=())
        if x.size == 0 and (axis is None or x.shape[axis] == 0):
            raise _empty_error(op, x.shape, axis)
        return fn(x, axis=axis, keepdims=keepdims).astype(np.int64, copy=False)

    return fwd


_argmax = Primitive("argmax", _arg_fwd(xp.argmax, "argmax"))  # integer result: no gradient
_argmin = Primitive("argmin", _arg_fwd(xp.argmin, "argmin"))


def _arg_axis(x: Any, dim: Any, keepdim: Any, axis: Any, keepdims: Any, op: str) -> Any:
    dim, keepdim = reduce_args(dim, keepdim, axis, keepdims, op)
    if dim is not None and not isinstance(dim, int):
        raise TypeError(f"{op}: dim must be a single int or None (flattened), got {dim!r}")
    if dim is not None:
        nd = len(_shape_of(x))
        dim = _norm_axis(x, operator.index(dim), op)[0] if nd else None  # type: ignore[index]
    return dim, keepdim


def argmax(x: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
           keepdims: bool | None = None) -> Tensor:
    """Index (int64, no gradient) of the first largest value along ``dim``; of the flattened
    tensor if None.  ``torch.argmax`` / ``numpy.argmax``.

    >>> import autograd as ag
    >>> ag.tensor([[1.0, 5.0], [7.0, 2.0]]).argmax(dim=0)
    tensor([1, 0])
    """
    dim, keepdim = _arg_axis(x, dim, keepdim, axis, keepdims, "argmax")
    return _argmax(x, axis=dim, keepdims=keepdim)


def argmin(x: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
           keepdims: bool | None = None) -> Tensor:
    """Index (int64) of the first smallest value along ``dim``; of the flattened tensor if None.
    ``torch.argmin`` / ``numpy.argmin``."""
    dim, keepdim = _arg_axis(x, dim, keepdim, axis, keepdims, "argmin")
    return _argmin(x, axis=dim, keepdims=keepdim)


from .arithmetic import maximum, minimum  # noqa: E402
