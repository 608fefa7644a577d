"""Joining and splitting: cat/concatenate, stack, split, chunk, unbind (and NumPy's versions).

The n-ary joins and the multi-output splits are built once per arity (``_n_ary``); the split's
gradient concatenates the pieces' gradients (zeros for pieces that got none).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..backend import xp
from ..primitive import Primitive
from ._place import xp_of
from .shape import _along, _axis, _int_data, _is_int, _pick_axis, _shape, reshape

if TYPE_CHECKING:
    from ..tensor import Tensor


# ------------------------------------------------------------------- concatenate and stack
def _n_ary(cache: dict[int, Primitive], n: int, make: Callable[[int], Primitive]) -> Primitive:
    """The n-input (or n-output) version of a primitive, built once per arity."""
    p = cache.get(n)
    if p is None:
        p = cache[n] = make(n)
    return p


def _cat_rule(k: int) -> Callable[..., Any]:
    def rule(g: Any, out: Any, *xs: Any, axis: int) -> Any:
        start = 0
        for a in xs[:k]:
            start += a.shape[axis]
        return g[_along(axis, slice(start, start + xs[k].shape[axis]))]

    return rule


def _stack_rule(k: int) -> Callable[..., Any]:
    return lambda g, out, *xs, axis: g[_along(axis, k)]


_cat_prims: dict[int, Primitive] = {}
_stack_prims: dict[int, Primitive] = {}


def _cat_prim(n: int) -> Primitive:
    return _n_ary(_cat_prims, n, lambda n: Primitive(
        "cat", lambda *xs, axis: xp.concatenate(xs, axis=axis),
        tuple(_cat_rule(k) for k in range(n)), reads_inputs=False,
    ))


def _stack_prim(n: int) -> Primitive:
    return _n_ary(_stack_prims, n, lambda n: Primitive(
        "stack", lambda *xs, axis: xp.stack(xs, axis=axis),
        tuple(_stack_rule(k) for k in range(n)), reads_inputs=False,
    ))


def _seq_arg(tensors: Any, op: str) -> list[Any]:
    try:
        xs = list(tensors)  # like NumPy, a tensor counts as the sequence of its rows
    except TypeError:
        raise TypeError(
            f"{op}: expected a sequence of tensors, got {type(tensors).__name__}"
        ) from None
    if not xs:
        raise ValueError(f"{op}: need at least one tensor")
    return xs


def cat(tensors: Sequence[Any], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing dimension ``dim`` (``torch.cat``; ``axis=`` is an alias).

    Every tensor needs the same number (>= 1) of dimensions and the same sizes except along
    ``dim`` (ValueError otherwise); the result has their promoted dtype.  NumPy's
    ``numpy.concatenate(ts, axis=None)`` (flattening first) works on Tensors through
    ``__array_function__``.

    >>> import autograd as ag
    >>> ag.cat([ag.tensor([1.0]), ag.tensor([2.0, 3.0])])
    tensor([1., 2., 3.])
    """
    return _np_concatenate(tensors, _pick_axis(dim, axis, "cat", 0))


def concatenate(tensors: Sequence[Any], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """``torch.concatenate``: an alias of :func:`cat`."""
    return _np_concatenate(tensors, _pick_axis(dim, axis, "concatenate", 0))


def _np_concatenate(tensors: Sequence[Any], axis: int | None = 0) -> Any:
    """``numpy.concatenate``: ``axis=None`` flattens the tensors first."""
    xs = _seq_arg(tensors, "concatenate")
    if axis is None:
        xs = [reshape(t, -1) for t in xs]
        axis = 0
    shapes = [_shape(t) for t in xs]
    nd = len(shapes[0])
    if nd == 0 or any(len(s) != nd for s in shapes):
        raise ValueError(
            f"concatenate: tensors must all have the same number (>= 1) of dimensions; got "
            f"shapes {shapes}"
        )
    ax = _axis(axis, nd, "concatenate", shapes[0])
    rest = [s[:ax] + s[ax + 1 :] for s in shapes]
    if any(r != rest[0] for r in rest):
        raise ValueError(
            f"concatenate: tensors must have the same shape except along axis {ax}; got shapes "
            f"{shapes}"
        )
    return _cat_prim(len(xs))(*xs, axis=ax)


def stack(tensors: Sequence[Any], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join same-shaped tensors along a new dimension ``dim`` (``torch.stack``,
    ``numpy.stack``; ``axis=`` is an alias).  Raises ValueError for different shapes.

    >>> import autograd as ag
    >>> ag.stack([ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0])], dim=1).shape
    (2, 2)
    """
    xs = _seq_arg(tensors, "stack")
    ax_arg = _pick_axis(dim, axis, "stack", 0)
    shapes = [_shape(t) for t in xs]
    if any(s != shapes[0] for s in shapes):
        raise ValueError(f"stack: all tensors must have the same shape; got shapes {shapes}")
    ax = _axis(ax_arg, len(shapes[0]) + 1, "stack", shapes[0])
    return _stack_prim(len(xs))(*xs, axis=ax)


# ---------------------------------------------------------------- split, chunk and unbind
def _multi_out(name: str, n: int, pieces: Callable[..., tuple[Any, ...]],
               back: Callable[..., Any]) -> Primitive:
    """A primitive with ``n`` outputs; ``back(gs, x, **params)`` gets one gradient per output
    (zeros filled in where an output got none) and returns the input's gradient at once."""

    def rule(g: Any, out: Any, x: Any, **params: Any) -> Any:
        return back(g if n != 1 else [g], x, **params)

    if n == 1:  # a single output is returned as such, not as a 1-tuple
        return Primitive(name, lambda x, **p: pieces(x, **p)[0], (rule,), view=True,
                         reads_inputs=False)
    return Primitive(name, pieces, (rule,), view=True, reads_inputs=False, n_out=n)


def _split_pieces(x: Any, axis: int, bounds: tuple[tuple[int, int], ...]) -> tuple[Any, ...]:
    return tuple(x[_along(axis, slice(a, b))] for a, b in bounds)


def _split_back(gs: list[Any], x: Any, axis: int, bounds: tuple[tuple[int, int], ...]) -> Any:
    shape = x.shape
    mod = xp_of(next(g for g in gs if g is not None))  # the gradients' device
    parts = [
        g if g is not None
        else mod.zeros(shape[:axis] + (b - a,) + shape[axis + 1 :], dtype=x.dtype)
        for g, (a, b) in zip(gs, bounds, strict=True)
    ]
    full = parts[0] if len(parts) == 1 else _cat_prim(len(parts)).raw(*parts, axis=axis)
    ends = [0] + [b for _, b in bounds]
    if all(a == e for (a, _), e in zip(bounds, ends[:-1], strict=True)) and ends[-1] == shape[axis]:
        return full  # the pieces tile the axis in order: their gradients simply concatenate
    # NumPy's split allows unsorted indices, so pieces may overlap or skip: scatter-add them
    src = mod.concatenate([mod.arange(a, b) for a, b in bounds]).astype(np.intp)
    return _index_add.raw(full, index=_along(axis, src), shape=shape)


def _unbind_pieces(x: Any, axis: int) -> tuple[Any, ...]:
    return tuple(x[_along(axis, i)] for i in range(x.shape[axis]))


def _unbind_back(gs: list[Any], x: Any, axis: int) -> Any:
    shape = x.shape
    zshape = shape[:axis] + shape[axis + 1 :]
    mod = xp_of(next(g for g in gs if g is not None))  # the gradients' device
    parts = [g if g is not None else mod.zeros(zshape, dtype=x.dtype) for g in gs]
    return _stack_prim(len(parts)).raw(*parts, axis=axis)


_split_prims: dict[int, Primitive] = {}
_unbind_prims: dict[int, Primitive] = {}


def _as_views(x: Any, out: Any) -> tuple[Any, ...]:
    """The pieces as a tuple (``Primitive`` links view pieces' versions to ``x``)."""
    return out if isinstance(out, tuple) else (out,)


def _split_by_bounds(x: Any, axis: int, bounds: list[tuple[int, int]]) -> tuple[Any, ...]:
    p = _n_ary(_split_prims, len(bounds),
               lambda n: _multi_out("split", n, _split_pieces, _split_back))
    return _as_views(x, p(x, axis=axis, bounds=tuple(bounds)))


def _split_axis(x: Any, axis: Any, op: str) -> tuple[tuple[int, ...], int]:
    shape = _shape(x)
    return shape, _axis(axis, len(shape), op, shape)


def _np_split(x: Any, indices_or_sections: Any, axis: int = 0) -> tuple[Any, ...]:
    """``numpy.split``: ``k`` equal pieces (an int) or pieces cut before the given indices."""
    shape, ax = _split_axis(x, axis, "split")
    n = shape[ax]
    if _is_int(indices_or_sections):
        k = operator.index(indices_or_sections)
        if k <= 0:
            raise ValueError(f"split: the number of sections must be positive, got {k}")
        if n % k:
            raise ValueError(
                f"split: array split does not result in an equal division: axis {ax} of shape "
                f"{shape} has {n} elements, not divisible into {k} sections"
            )
        s = n // k
        bounds = [(i * s, (i + 1) * s) for i in range(k)]
    else:
        cuts = [0] + [int(i) for i in _int_data(indices_or_sections, "split", "indices")
                      .reshape(-1).tolist()] + [n]
        bounds = []
        for st, en in zip(cuts[:-1], cuts[1:], strict=True):
            a, b, _ = slice(st, en).indices(n)  # Python slicing, as NumPy's split uses
            bounds.append((a, max(a, b)))
    return _split_by_bounds(x, ax, bounds)


def split(x: Any, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces (views) of ``x`` along ``dim``: of one size (an int; the last may be smaller) or of
    the listed sizes, which must add up to the dimension's size (ValueError otherwise), as
    ``torch.split``.  NumPy's ``numpy.split(t, sections)`` (a number of equal pieces, or cut
    indices) works on Tensors through ``__array_function__``.

    >>> import autograd as ag
    >>> [p.shape for p in ag.split(ag.tensor([1.0, 2.0, 3.0, 4.0, 5.0]), 2)]
    [(2,), (2,), (1,)]
    >>> [p.shape for p in ag.split(ag.tensor([1.0, 2.0, 3.0, 4.0]), [1, 3])]
    [(1,), (3,)]
    """
    shape, ax = _split_axis(x, dim, "split")
    n = shape[ax]
    if _is_int(split_size_or_sections):
        s = operator.index(split_size_or_sections)
        if s <= 0 and not (s == 0 and n == 0):
            raise ValueError(f"split: split_size must be a positive integer, got {s}")
        starts = range(0, n, s) if n else range(1)
        bounds = [(a, min(a + s, n)) for a in starts]
    else:
        sizes = [int(v) for v in _int_data(split_size_or_sections, "split", "sizes")
                 .reshape(-1).tolist()]
        if any(v < 0 for v in sizes) or sum(sizes) != n:
            raise ValueError(
                f"split: split sizes {sizes} must be non-negative and sum to the size of "
                f"dimension {ax} ({n}) of a tensor of shape {shape}"
            )
        bounds, a = [], 0
        for v in sizes:
            bounds.append((a, a + v))
            a += v
    return _split_by_bounds(x, ax, bounds)


def chunk(x: Any, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """At most ``chunks`` pieces of ``ceil(n / chunks)`` elements along ``dim`` (``torch.chunk``;
    NumPy: ``numpy.array_split`` differs in how it sizes the pieces).

    >>> import autograd as ag
    >>> [p.shape for p in ag.chunk(ag.tensor([1.0, 2.0, 3.0, 4.0, 5.0]), 3)]
    [(2,), (2,), (1,)]
    """
    shape, ax = _split_axis(x, dim, "chunk")
    k = operator.index(chunks)
    if k <= 0:
        raise ValueError(f"chunk: chunks must be a positive integer, got {chunks}")
    n = shape[ax]
    if n == 0:
        return split(x, [0] * k, ax)
    return split(x, -(-n // k), ax)


def unbind(x: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices (views) along ``dim``, with that dimension removed (``torch.unbind``)."""
    shape, ax = _split_axis(x, dim, "unbind")
    n = shape[ax]
    if n == 0:
        return ()
    p = _n_ary(_unbind_prims, n, lambda n: _multi_out("unbind", n, _unbind_pieces, _unbind_back))
    return _as_views(x, p(x, axis=ax))


from .indexing import _index_add  # noqa: E402
