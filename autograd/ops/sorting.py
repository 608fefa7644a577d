"""Sorting and selection: ``sort``, ``argsort``, ``topk``, ``kthvalue``, ``median`` (PyTorch).

Each finds integer indices along one dimension (no gradient) and then reads ``x`` at them with
one primitive pair: :data:`_take` reads ``x`` at indices that are distinct along the dimension,
:data:`_put` writes ``g`` into zeros at those indices.  Each is the other's gradient, so every
order of derivative works, and because the indices never repeat within a slice the write is a
plain assignment (no ``add.at`` accumulation).

Sorting is stable: equal values keep their order (descending too), so the indices are
deterministic.  NaN sorts as the largest value, as in PyTorch.

>>> import autograd as ag
>>> x = ag.tensor([3.0, 1.0, 2.0], requires_grad=True)
>>> values, indices = ag.sort(x)
>>> (values * ag.tensor([1.0, 10.0, 100.0])).sum().backward()
>>> indices, x.grad
(tensor([1, 2, 0]), tensor([100.,   1.,  10.]))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..backend import xp
from ..devices import array_module, is_array, is_device_array
from ..primitive import Primitive
from ._dims import one_dim
from ._place import xp_of
from .extrema import ValuesIndices


# ``index`` is an open grid (``indexing._open_grid``): the indices along the axis and aranges
# broadcasting over the others, built once per call and shared by the forward and the rules
def _take_fwd(x: Any, index: tuple[Any, ...]) -> Any:
    return x[index]


def _put_fwd(g: Any, index: tuple[Any, ...], shape: tuple[int, ...]) -> Any:
    z = array_module(g).zeros(shape, dtype=g.dtype)
    z[index] = g  # distinct positions: a plain assignment, no accumulation needed
    return z


def _dtake(g: Any, out: Any, x: Any, index: tuple[Any, ...]) -> Any:
    return _put.raw(g, index=index, shape=tuple(x.shape))


def _dput(g: Any, out: Any, src: Any, index: tuple[Any, ...], shape: tuple[int, ...]) -> Any:
    return _take.raw(g, index=index)


_take = Primitive("sort", _take_fwd, (_dtake,), reads_inputs=False)
_put = Primitive("sort_backward", _put_fwd, (_dput,), reads_inputs=False)
_take_named = {
    name: Primitive(name, _take_fwd, (_dtake,), reads_inputs=False)
    for name in ("topk", "kthvalue", "median")
}


def _stable_argsort(x: Any, axis: int, descending: bool) -> Any:
    if not descending:
        return xp.argsort(x, axis=axis, kind="stable")
    # descending and stable: sort the reversed slice ascending, reverse the order back, and
    # map the positions to the original ones (ties then keep their original order)
    n = x.shape[axis]
    rev = xp.argsort(xp.flip(x, axis), axis=axis, kind="stable")
    return (n - 1) - xp.flip(rev, axis)


def _prep(x: Any, dim: Any, op: str) -> tuple[Any, Any, int, bool]:
    """(tensor, its data, axis, was 0-d): a 0-d tensor works as a 1-element 1-D one."""
    data = getattr(x, "_data", None)
    if data is None:
        data = x if is_array(x) else np.asarray(x)
        x = data
    elif not is_array(data):
        data = np.asarray(data)  # a Python-float tensor
    scalar = data.ndim == 0
    ax = one_dim(dim, tuple(data.shape), op)
    if scalar:
        x = reshape(x, (1,))
        data = data.reshape(1)
    return x, data, ax, scalar


def _pick(prim: Primitive, x: Any, idx: Any, ax: int, scalar: bool, keep: bool) -> ValuesIndices:
    values = prim(x, index=_open_grid(tuple(idx.shape), ax, idx, array_module(idx)))
    indices = idx.astype(np.int64, copy=False)
    if scalar:
        values = reshape(values, ())
        indices = indices.reshape(())
    elif not keep:
        indices = xp.squeeze(indices, axis=ax)
        values = reshape(values, indices.shape)
    return ValuesIndices(values, Tensor._make(indices, None, False))


def sort(x: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> ValuesIndices:
    """Sort along ``dim``: a named tuple ``(values, indices)`` like ``torch.sort``.

    Always stable (``stable=False`` allows any order of ties; this one keeps them in input order,
    also for ``descending=True``).  Indices are int64.  The gradient of ``values`` goes back to
    the positions it came from.

    >>> import autograd as ag
    >>> ag.sort(ag.tensor([[2.0, 1.0, 2.0]]), descending=True).indices
    tensor([[0, 2, 1]])
    """
    x, data, ax, scalar = _prep(x, dim, "sort")
    idx = _stable_argsort(data, ax, bool(descending))
    return _pick(_take, x, idx, ax, scalar, keep=True)


def argsort(x: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    """Indices (int64) that sort ``x`` along ``dim`` (stable), like ``torch.argsort``."""
    _, data, ax, scalar = _prep(x, dim, "argsort")
    idx = _stable_argsort(data, ax, bool(descending)).astype(np.int64, copy=False)
    return Tensor._make(idx.reshape(()) if scalar else idx, None, False)


def topk(x: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> ValuesIndices:
    """The ``k`` largest (``largest=False``: smallest) elements along ``dim``, like
    ``torch.topk``: ``(values, indices)``, in sorted order, ties in input order.

    Raises RuntimeError when ``k`` is larger than the dimension.

    >>> import autograd as ag
    >>> ag.topk(ag.tensor([1.0, 5.0, 3.0]), 2)
    ValuesIndices(values=tensor([5., 3.]), indices=tensor([1, 2]))
    """
    x, data, ax, scalar = _prep(x, dim, "topk")
    n = data.shape[ax]
    k = int(k)
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: k ({k}) is out of range for dimension {ax} of size {n}")
    idx = _stable_argsort(data, ax, bool(largest))
    idx = idx[(slice(None),) * ax + (slice(0, k),)]
    return _pick(_take_named["topk"], x, idx, ax, scalar, keep=True)


def _nth(data: Any, ax: int, pos: Any) -> Any:
    """Input positions of the elements at sorted positions ``pos`` (keepdims shape)."""
    order = xp.argsort(data, axis=ax, kind="stable")
    return xp.take_along_axis(order, pos, ax)


def kthvalue(x: Any, k: int, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
    """The ``k``-th smallest element (1-based) along ``dim``: ``(values, indices)`` like
    ``torch.kthvalue``; of tied values, the index of the first in input order.

    >>> import autograd as ag
    >>> ag.kthvalue(ag.tensor([3.0, 1.0, 2.0]), 2)
    ValuesIndices(values=tensor(2.), indices=tensor(2))
    """
    x, data, ax, scalar = _prep(x, dim, "kthvalue")
    n = data.shape[ax]
    k = int(k)
    if not 1 <= k <= n:
        raise RuntimeError(
            f"kthvalue: k ({k}) is out of range for dimension {ax} of size {n}; expected 1..{n}"
        )
    shape = list(data.shape)
    shape[ax] = 1
    idx = _nth(data, ax, xp.full_like(data, k - 1, shape=shape, dtype=np.intp))
    return _pick(_take_named["kthvalue"], x, idx, ax, scalar, keep=bool(keepdim))


def _median_all_fwd(x: Any) -> Any:
    flat = x.reshape(-1)
    if flat.size == 0:
        # (not full_like(shape=()): CuPy reads an empty shape as "the prototype's shape")
        return xp_of(flat).full((), np.nan, dtype=x.dtype if x.dtype.kind == "f" else np.float64)
    mid = xp.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2]
    if flat.dtype.kind != "f":
        return mid
    # NaN anywhere makes the median NaN: chosen on the device, without reading a flag back
    return xp.where(xp.isnan(flat).any(), flat.dtype.type(np.nan), mid)


def _median_all_rule(g: Any, out: Any, x: Any) -> Any:
    # PyTorch's convention for the whole-tensor median: elements equal to it share the gradient
    hit = x == out
    return g * hit / hit.sum()


_median_all = Primitive("median", _median_all_fwd, (_median_all_rule,), save_out=True)


def median(x: Any, dim: Any = None, keepdim: bool = False) -> Any:
    """Median, PyTorch's *lower* median (for an even count, the smaller of the two middles).

    * ``median(x)``: a 0-d tensor, the median of all elements; elements equal to it share the
      gradient evenly (as ``torch.median()``); NaN if any element is NaN or the tensor is empty.
    * ``median(x, dim, keepdim=False)``: ``(values, indices)`` like ``torch.median(x, dim)``;
      a slice holding NaN gives NaN and the index of its first NaN.  Of tied values the index
      is the first in input order (PyTorch may return another of the ties).

    >>> import autograd as ag
    >>> ag.median(ag.tensor([4.0, 1.0, 3.0, 2.0]))
    tensor(2.)
    """
    if dim is None:
        return _median_all(x)
    x, data, ax, scalar = _prep(x, dim, "median")
    n = data.shape[ax]
    if n == 0:
        raise IndexError(
            f"median: cannot take the median over dimension {ax} of size 0 (shape {data.shape})"
        )
    pos = xp.full_like(data, (n - 1) // 2, shape=data.shape[:ax] + (1,) + data.shape[ax + 1:],
                       dtype=np.intp)
    if data.dtype.kind == "f":
        nans = xp.isnan(data)
        # NaN sorts last: its first occurrence sits after the non-NaN values (on a GPU always
        # computed: testing for NaN on the host would be a sync)
        if is_device_array(nans) or nans.any():
            count = (~nans).sum(axis=ax, keepdims=True)
            pos = xp.where(nans.any(axis=ax, keepdims=True), count, pos)
    idx = _nth(data, ax, pos)
    return _pick(_take_named["median"], x, idx, ax, scalar, keep=bool(keepdim))


from ..tensor import Tensor  # noqa: E402
from .indexing import _open_grid  # noqa: E402
from .shape import reshape  # noqa: E402
