"""Shape primitives: reshape, transpose, broadcast, repeat, pad, concatenate, split, flip, casts.

All of these are linear, so their rules only rearrange ``g`` (they never read the input data:
``reads_inputs=False``) and are written with Tensor-compatible methods or other primitives' ``raw``
so that they also run under ``create_graph``.  Ops whose NumPy result may share memory with the
input say ``view=True`` so in-place changes are tracked across the view.

Naming follows PyTorch for methods and NumPy for functions where they differ: ``repeat(x, r,
axis)`` is NumPy's element repeat (``Tensor.repeat`` tiles, as in PyTorch); ``split(x, indices,
axis)`` is NumPy's, ``split_sizes(x, size_or_sizes, dim)`` is ``Tensor.split``.

>>> import autograd as ag
>>> x = ag.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
>>> y = ag.concatenate([x, x * 2], axis=0).reshape(-1)
>>> (y * ag.tensor([1.0, 1.0, 1.0, 0.0, 0.0, 1.0])).sum().backward()
>>> x.grad
tensor([[1., 1., 3.]])
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..backend import xp
from ..primitive import Primitive
from ..tensor import Tensor, as_dtype

try:  # AxisError subclasses both ValueError and IndexError (NumPy's and PyTorch's conventions)
    from numpy.exceptions import AxisError
except ImportError:  # pragma: no cover - NumPy < 1.25
    from numpy import AxisError  # type: ignore[attr-defined,no-redef]

ndarray = xp.ndarray


# ----------------------------------------------------------------------------------- helpers
def _shape(x: Any) -> tuple[int, ...]:
    return tuple(xp.shape(x))  # Tensors, arrays, numbers and nested lists alike


def _is_int(v: Any) -> bool:
    try:
        operator.index(v)
    except TypeError:
        return False
    return not isinstance(v, Tensor) or v.ndim == 0


def _axis(axis: Any, ndim: int, op: str, shape: tuple[int, ...] | None = None) -> int:
    """One axis, range-checked and made non-negative."""
    try:
        a = operator.index(axis)
    except TypeError:
        raise TypeError(f"{op}: axis must be an int, got {axis!r}") from None
    if not -ndim <= a < ndim:
        where = f"shape {shape}" if shape is not None else f"{ndim} dimension(s)"
        raise AxisError(
            f"{op}: axis {a} is out of range for a tensor of {where}; expected an axis in "
            f"[{-ndim}, {ndim - 1}]"
        )
    return a % ndim


def _axes(axis: Any, ndim: int, op: str, shape: tuple[int, ...] | None = None) -> tuple[int, ...]:
    """An int or a sequence of ints as a tuple of distinct non-negative axes (in given order)."""
    items = (axis,) if _is_int(axis) else tuple(axis)
    out = tuple(_axis(a, ndim, op, shape) for a in items)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis!r}")
    return out


def _shape_arg(shape: tuple[Any, ...], op: str) -> tuple[int, ...]:
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` alike (PyTorch and NumPy spellings)."""
    if len(shape) == 1 and not _is_int(shape[0]):
        shape = shape[0]
    try:
        return tuple(operator.index(s) for s in shape)
    except TypeError:
        raise TypeError(f"{op}: a shape must be a sequence of ints, got {shape!r}") from None


def _int_data(v: Any, op: str, what: str) -> Any:
    """An integer array from ints, lists, arrays or integer Tensors."""
    d = v._data if isinstance(v, Tensor) else v
    arr = xp.asarray(d)
    if arr.dtype.kind not in "iu" and not (arr.size == 0 and arr.dtype.kind == "f"):
        raise TypeError(f"{op}: {what} must be integers, got dtype {arr.dtype}")
    return arr.astype(np.intp, copy=False)


def _along(axis: int, idx: Any) -> tuple[Any, ...]:
    """An index that applies ``idx`` to ``axis`` and takes everything else."""
    return (slice(None),) * axis + (idx,)


# --------------------------------------------------------------------- reshape and friends
def _reshape_rule(g: Any, out: Any, x: Any, shape: Any) -> Any:
    return g.reshape(x.shape)


def _reshape_fwd(x: Any, shape: tuple[int, ...]) -> Any:
    try:
        return xp.reshape(x, shape)
    except ValueError as e:
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {xp.shape(x)} (size {xp.size(x)}) into "
            f"{shape}: {e}"
        ) from e


def _view_fwd(x: Any, shape: tuple[int, ...]) -> Any:
    out = _reshape_fwd(x, shape)
    if xp.size(x) and not xp.may_share_memory(out, x):  # a copy never overlaps x
        raise RuntimeError(
            f"view: a tensor of shape {xp.shape(x)} and strides {x.strides} cannot be viewed as "
            f"{shape} without copying (it is not contiguous in the needed way); use .reshape(...) "
            "instead, or .contiguous() first"
        )
    return out


def _reshape_prim(name: str, fwd: Callable[..., Any] = _reshape_fwd) -> Primitive:
    return Primitive(name, fwd, (_reshape_rule,), view=True, reads_inputs=False)


_reshape = _reshape_prim("reshape")
_view = _reshape_prim("view", _view_fwd)
_flatten = _reshape_prim("flatten")
_squeeze = _reshape_prim("squeeze")
_unsqueeze = _reshape_prim("unsqueeze")


def reshape(x: Any, *shape: Any) -> Any:
    """The same data in ``shape`` (one entry may be -1); a view when NumPy can make one.

    >>> import autograd as ag
    >>> ag.reshape(ag.tensor([1.0, 2.0, 3.0, 4.0]), 2, -1).shape
    (2, 2)
    """
    return _reshape(x, shape=_shape_arg(shape, "reshape"))


def view(x: Any, *shape: Any) -> Any:
    """Like :func:`reshape`, but never copies: raises RuntimeError where a copy would be needed."""
    return _view(x, shape=_shape_arg(shape, "view"))


def flatten(x: Any, start_dim: int = 0, end_dim: int = -1) -> Any:
    """Merge dimensions ``start_dim..end_dim`` (inclusive) into one; a 0-d tensor becomes 1-d."""
    shape = _shape(x)
    if not shape:
        _axis(start_dim, 1, "flatten", shape)
        _axis(end_dim, 1, "flatten", shape)
        return _flatten(x, shape=(1,))
    s = _axis(start_dim, len(shape), "flatten", shape)
    e = _axis(end_dim, len(shape), "flatten", shape)
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    n = 1
    for d in shape[s : e + 1]:
        n *= d
    return _flatten(x, shape=shape[:s] + (n,) + shape[e + 1 :])


def squeeze(x: Any, axis: Any = None, *, dim: Any = None) -> Any:
    """Remove size-1 dimensions (all of them, or those named).

    ``axis=`` follows NumPy: naming a dimension whose size is not 1 raises ValueError.
    ``dim=`` follows PyTorch: such a dimension is silently kept.

    >>> import autograd as ag
    >>> x = ag.tensor([[1.0, 2.0]])
    >>> x.squeeze(0).shape, x.squeeze(dim=1).shape
    ((2,), (1, 2))
    """
    if axis is not None and dim is not None:
        raise TypeError("squeeze: pass either axis= or dim=, not both")
    shape = _shape(x)
    sel = axis if dim is None else dim
    if sel is None:
        drop = {i for i, n in enumerate(shape) if n == 1}
    elif not shape:  # 0-d: NumPy and PyTorch both accept axis 0 / -1 as a no-op
        for a in (sel,) if _is_int(sel) else sel:
            _axis(a, 1, "squeeze", shape)
        drop = set()
    else:
        axes = _axes(sel, len(shape), "squeeze", shape)
        if dim is None:
            bad = [a for a in axes if shape[a] != 1]
            if bad:
                raise ValueError(
                    f"squeeze: cannot squeeze axis {bad[0]} of a tensor of shape {shape}: its "
                    "size is not 1 (use dim= for PyTorch's keep-it behaviour)"
                )
        drop = {a for a in axes if shape[a] == 1}
    return _squeeze(x, shape=tuple(n for i, n in enumerate(shape) if i not in drop))


def unsqueeze(x: Any, dim: int) -> Any:
    """Insert a size-1 dimension at ``dim`` (``-1`` appends), as in PyTorch."""
    shape = _shape(x)
    d = _axis(dim, len(shape) + 1, "unsqueeze", shape)
    return _unsqueeze(x, shape=shape[:d] + (1,) + shape[d:])


def expand_dims(x: Any, axis: Any) -> Any:
    """NumPy's ``expand_dims``: insert size-1 dimensions at ``axis`` (int or tuple) of the
    result."""
    shape = _shape(x)
    nd = len(shape) + (1 if _is_int(axis) else len(tuple(axis)))
    axes = set(_axes(axis, nd, "expand_dims", shape))
    it = iter(shape)
    return _unsqueeze(x, shape=tuple(1 if i in axes else next(it) for i in range(nd)))


# -------------------------------------------------------------------------------- transpose
def _dtranspose(g: Any, out: Any, x: Any, axes: Any) -> Any:
    if axes is None:
        return g.transpose()
    inv = [0] * len(axes)
    for i, a in enumerate(axes):
        inv[a] = i
    return g.transpose(tuple(inv))


def _transpose_prim(name: str) -> Primitive:
    # the array method, not xp.transpose: that goes through a Python wrapper (~1 us per W.T)
    return Primitive(name, lambda x, axes: x.transpose(axes), (_dtranspose,), view=True,
                     reads_inputs=False)


_transpose = _transpose_prim("transpose")
_permute = _transpose_prim("permute")


def _perm(axes: Sequence[Any], shape: tuple[int, ...], op: str) -> tuple[int, ...]:
    nd = len(shape)
    perm = tuple(_axis(a, nd, op, shape) for a in axes)
    if len(perm) != nd or len(set(perm)) != nd:
        raise ValueError(
            f"{op}: {tuple(axes)} is not a permutation of the {nd} dimension(s) of a tensor of "
            f"shape {shape}"
        )
    return perm


def transpose(x: Any, *axes: Any) -> Any:
    """No axes: reverse them (NumPy).  Two ints: swap those two (PyTorch).  Else a permutation.

    >>> import autograd as ag
    >>> import numpy as np
    >>> x = ag.tensor(np.zeros((2, 3, 4)))
    >>> x.transpose().shape, x.transpose(0, 2).shape, x.transpose((1, 0, 2)).shape
    ((4, 3, 2), (4, 3, 2), (3, 2, 4))
    """
    if len(axes) == 2 and all(_is_int(a) for a in axes):
        return swapaxes(x, axes[0], axes[1])
    if len(axes) == 1 and not _is_int(axes[0]):
        axes = tuple(axes[0]) if axes[0] is not None else ()
    if not axes:
        return _transpose(x, axes=None)
    return _transpose(x, axes=_perm(axes, _shape(x), "transpose"))


def permute(x: Any, *dims: Any) -> Any:
    """Reorder dimensions: result dimension ``i`` is input dimension ``dims[i]`` (PyTorch)."""
    return _permute(x, axes=_perm(_shape_arg(dims, "permute"), _shape(x), "permute"))


def swapaxes(x: Any, axis1: int, axis2: int) -> Any:
    """Exchange two dimensions (PyTorch's ``transpose(dim0, dim1)``)."""
    shape = _shape(x)
    a = _axis(axis1, len(shape), "swapaxes", shape)
    b = _axis(axis2, len(shape), "swapaxes", shape)
    perm = list(range(len(shape)))
    perm[a], perm[b] = perm[b], perm[a]
    return _transpose(x, axes=tuple(perm))


# ------------------------------------------------------------------------------- broadcast
def _broadcast_fwd(x: Any, shape: tuple[int, ...]) -> Any:
    try:
        return xp.broadcast_to(x, shape)
    except ValueError as e:
        raise ValueError(
            f"broadcast_to: cannot broadcast a tensor of shape {xp.shape(x)} to {shape} (each "
            "dimension must match or be 1, and new dimensions go in front)"
        ) from e


def _dbroadcast(g: Any, out: Any, x: Any, shape: Any) -> Any:
    return g  # the walker sums it back to x's shape


_broadcast_to = Primitive("broadcast_to", _broadcast_fwd, (_dbroadcast,), view=True,
                          reads_inputs=False)
_expand = Primitive("expand", _broadcast_fwd, (_dbroadcast,), view=True, reads_inputs=False)


class _BroadcastTo:
    """``broadcast_to(x, shape)``: a read-only view of ``x`` broadcast to ``shape`` (NumPy rules).

    ``broadcast_to.raw(x, shape)`` is the form for use inside gradient rules.
    """

    def __call__(self, x: Any, shape: Any) -> Any:
        return _broadcast_to(x, shape=_shape_arg((shape,), "broadcast_to"))

    def raw(self, x: Any, shape: Any) -> Any:
        return _broadcast_to.raw(x, shape=tuple(shape))


broadcast_to = _BroadcastTo()


def expand(x: Any, *sizes: Any) -> Any:
    """PyTorch's ``expand``: broadcast to ``sizes``; ``-1`` keeps that dimension's size."""
    shape = _shape(x)
    sizes_t = _shape_arg(sizes, "expand")
    lead = len(sizes_t) - len(shape)
    if lead < 0:
        raise ValueError(
            f"expand: the number of sizes ({len(sizes_t)}) must be at least the number of "
            f"dimensions of the tensor (shape {shape})"
        )
    target = []
    for i, s in enumerate(sizes_t):
        if s == -1:
            if i < lead:
                raise ValueError(f"expand: -1 is not allowed for a new leading dimension ({i})")
            s = shape[i - lead]
        target.append(s)
    return _expand(x, shape=tuple(target))


# ---------------------------------------------------------------------------- repeat, tile
def _drepeat(g: Any, out: Any, x: Any, repeats: Any, axis: Any) -> Any:
    shape = x.shape
    if axis is None:
        n = 1
        for s in shape:
            n *= s
        work: tuple[int, ...] = (n,)
        ax = 0
    else:
        work, ax = shape, axis
    if type(repeats) is int:
        gs = g.reshape(work[:ax] + (work[ax], repeats) + work[ax + 1 :]).sum(axis=ax + 1)
    else:  # per-element counts: every output slot adds into its source slot
        src = xp.repeat(xp.arange(work[ax]), repeats)
        gs = _index_add.raw(g, index=_along(ax, src), shape=work)
    return gs.reshape(shape)


_repeat = Primitive(
    "repeat", lambda x, repeats, axis: xp.repeat(x, repeats, axis=axis), (_drepeat,),
    reads_inputs=False,
)


def repeat(x: Any, repeats: Any, axis: int | None = None) -> Any:
    """NumPy's ``repeat``: repeat each element ``repeats`` times (an int or one count per element)
    along ``axis`` (``None``: of the flattened tensor).  PyTorch calls this ``repeat_interleave``.

    >>> import autograd as ag
    >>> ag.repeat(ag.tensor([1.0, 2.0]), [2, 1])
    tensor([1., 1., 2.])
    """
    shape = _shape(x)
    if axis is None:
        n = 1
        for s in shape:
            n *= s
        ax = None
    else:
        ax = _axis(axis, len(shape), "repeat", shape)
        n = shape[ax]
    r = _int_data(repeats, "repeat", "repeats")
    if r.size and r.min() < 0:
        raise ValueError(f"repeat: repeats must be non-negative, got {repeats!r}")
    if r.ndim > 1 or (r.ndim == 1 and r.size not in (1, n)):
        raise ValueError(
            f"repeat: repeats of shape {r.shape} does not match the {n} element(s) along the "
            f"axis (tensor shape {shape}); pass an int or one count per element"
        )
    reps: Any = int(r.reshape(-1)[0]) if r.size == 1 else r  # NumPy broadcasts one count
    return _repeat(x, repeats=reps, axis=ax)


def _dtile(g: Any, out: Any, x: Any, reps: tuple[int, ...]) -> Any:
    shape = x.shape
    full = (1,) * (len(reps) - len(shape)) + tuple(shape)
    split: list[int] = []
    for r, n in zip(reps, full, strict=True):
        split += [r, n]
    return g.reshape(tuple(split)).sum(axis=tuple(range(0, 2 * len(reps), 2))).reshape(shape)


_tile = Primitive("tile", lambda x, reps: xp.tile(x, reps), (_dtile,), reads_inputs=False)


def tile(x: Any, reps: Any) -> Any:
    """NumPy's ``tile`` (PyTorch's ``Tensor.repeat``): ``reps`` copies along each dimension.

    >>> import autograd as ag
    >>> ag.tile(ag.tensor([1.0, 2.0]), (2, 2)).shape
    (2, 4)
    """
    shape = _shape(x)
    r = _shape_arg((reps,), "tile") if not _is_int(reps) else (operator.index(reps),)
    if any(v < 0 for v in r):
        raise ValueError(f"tile: reps must be non-negative, got {reps!r}")
    full = (1,) * max(0, len(shape) - len(r)) + r  # NumPy pads reps (and shape) with 1s
    return _tile(x, reps=full)


# ------------------------------------------------------------------------------------- pad
_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def _dpad(g: Any, out: Any, x: Any, pad_width: Any, constant_values: Any) -> Any:
    return g[tuple(slice(b, b + n) for (b, _), n in zip(pad_width, x.shape, strict=True))]


_pad = Primitive(
    "pad",
    lambda x, pad_width, constant_values: xp.pad(  # a 0-d x has no widths: NumPy wants 0
        x, pad_width or 0, mode="constant", constant_values=constant_values),
    (_dpad,), reads_inputs=False,
)


def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = 0) -> Any:
    """NumPy's ``pad``: ``pad_width`` is an int, ``(before, after)`` or one pair per dimension.

    Modes ``constant`` (with ``constant_values``), ``edge``, ``reflect``, ``symmetric`` and
    ``wrap``; the gradient adds every padded copy back into the element it came from.

    >>> import autograd as ag
    >>> ag.pad(ag.tensor([1.0, 2.0]), (1, 2))
    tensor([0., 1., 2., 0., 0.])
    """
    shape = _shape(x)
    pw = _int_data(pad_width, "pad", "pad_width")
    if not shape and pw.size == 0:
        pw = pw.reshape(0, 2)  # a 0-d tensor has nothing to pad
    try:
        pw = xp.broadcast_to(pw, (len(shape), 2))
    except ValueError:
        raise ValueError(
            f"pad: pad_width of shape {pw.shape} does not fit a tensor of shape {shape}; give an "
            "int, a (before, after) pair or one pair per dimension"
        ) from None
    if pw.size and pw.min() < 0:
        raise ValueError(f"pad: pad_width must be non-negative, got {pad_width!r}")
    widths = tuple((int(b), int(a)) for b, a in pw.tolist())
    if mode == "constant":
        cv = constant_values._data if isinstance(constant_values, Tensor) else constant_values
        return _pad(x, pad_width=widths, constant_values=cv)
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode {mode!r} is not supported; use one of {_PAD_MODES}")
    for (b, a), n in zip(widths, shape, strict=True):
        if n == 0 and (b or a):
            raise ValueError(
                f"pad: cannot pad an empty dimension of a tensor of shape {shape} with mode "
                f"{mode!r}; only 'constant' can"
            )
    # These modes copy elements: per axis, np.pad of arange(n) says which source element fills
    # each output slot, so the padded tensor is x indexed by the outer product of those maps.
    maps = [xp.pad(xp.arange(n), w, mode=mode) for (w, n) in zip(widths, shape, strict=True)]
    return _pad_gather(x, index=xp.ix_(*maps) if maps else ())


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


def _pick_axis(axis: Any, dim: Any, default: Any, op: str) -> Any:
    """Merge NumPy's ``axis`` and PyTorch's ``dim`` (``default`` for ``axis`` means unset)."""
    if dim is None:
        return axis
    if axis is not None and axis != default:
        raise TypeError(f"{op}: pass either axis= or dim=, not both")
    return dim


def concatenate(tensors: Sequence[Any], axis: int | None = 0, *, dim: int | None = None) -> Any:
    """Join tensors along an existing axis (``None``: flatten them first), as NumPy does.

    >>> import autograd as ag
    >>> ag.concatenate([ag.tensor([1.0]), ag.tensor([2.0, 3.0])])
    tensor([1., 2., 3.])
    """
    xs = _seq_arg(tensors, "concatenate")
    axis = _pick_axis(axis, dim, 0, "concatenate")
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


def cat(tensors: Sequence[Any], dim: int = 0, *, axis: int | None = None) -> Any:
    """PyTorch's name for :func:`concatenate` (``dim`` instead of ``axis``)."""
    return concatenate(tensors, _pick_axis(dim, axis, 0, "cat"))


def stack(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Any:
    """Join same-shaped tensors along a new axis.

    >>> import autograd as ag
    >>> ag.stack([ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0])], dim=1).shape
    (2, 2)
    """
    xs = _seq_arg(tensors, "stack")
    ax_arg = _pick_axis(axis, dim, 0, "stack")
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
    parts = [
        g if g is not None
        else xp.zeros(shape[:axis] + (b - a,) + shape[axis + 1 :], dtype=x.dtype)
        for g, (a, b) in zip(gs, bounds, strict=True)
    ]
    full = parts[0] if len(parts) == 1 else _cat_prim(len(parts)).raw(*parts, axis=axis)
    ends = [0] + [b for _, b in bounds]
    if all(a == e for (a, _), e in zip(bounds, ends[:-1], strict=True)) and ends[-1] == shape[axis]:
        return full  # the pieces tile the axis in order: their gradients simply concatenate
    # NumPy's split allows unsorted indices, so pieces may overlap or skip: scatter-add them
    src = xp.concatenate([xp.arange(a, b) for a, b in bounds]).astype(np.intp)
    return _index_add.raw(full, index=_along(axis, src), shape=shape)


def _unbind_pieces(x: Any, axis: int) -> tuple[Any, ...]:
    return tuple(x[_along(axis, i)] for i in range(x.shape[axis]))


def _unbind_back(gs: list[Any], x: Any, axis: int) -> Any:
    shape = x.shape
    zshape = shape[:axis] + shape[axis + 1 :]
    parts = [g if g is not None else xp.zeros(zshape, dtype=x.dtype) for g in gs]
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


def split(x: Any, indices_or_sections: Any, axis: int = 0) -> tuple[Any, ...]:
    """NumPy's ``split``: ``k`` equal pieces (an int) or pieces cut before the given indices.

    >>> import autograd as ag
    >>> [p.shape for p in ag.split(ag.tensor([1.0, 2.0, 3.0, 4.0]), [1, 3])]
    [(1,), (2,), (1,)]
    """
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


def split_sizes(x: Any, split_size_or_sections: Any, dim: int = 0) -> tuple[Any, ...]:
    """PyTorch's ``Tensor.split``: pieces of one size (the last may be smaller) or of the listed
    sizes (which must add up to the dimension's size)."""
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


def chunk(x: Any, chunks: int, dim: int = 0) -> tuple[Any, ...]:
    """PyTorch's ``chunk``: at most ``chunks`` pieces of ``ceil(n / chunks)`` elements.

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
        return split_sizes(x, [0] * k, ax)
    return split_sizes(x, -(-n // k), ax)


def unbind(x: Any, dim: int = 0) -> tuple[Any, ...]:
    """The slices along ``dim``, with that dimension removed (PyTorch)."""
    shape, ax = _split_axis(x, dim, "unbind")
    n = shape[ax]
    if n == 0:
        return ()
    p = _n_ary(_unbind_prims, n, lambda n: _multi_out("unbind", n, _unbind_pieces, _unbind_back))
    return _as_views(x, p(x, axis=ax))


# ------------------------------------------------------------------ flip, casts, clone
_flip: Primitive = Primitive(
    "flip", lambda x, axis: xp.flip(x, axis=axis),
    (lambda g, out, x, axis: _flip.raw(g, axis=axis),), view=True, reads_inputs=False,
)


def flip(x: Any, axis: Any = None, *, dims: Any = None) -> Any:
    """Reverse the order of elements along ``axis`` (int, tuple; ``None``: all axes)."""
    sel = _pick_axis(axis, dims, None, "flip")
    shape = _shape(x)
    axes = None if sel is None else _axes(sel, len(shape), "flip", shape)
    return _flip(x, axis=axes)


_astype = Primitive(
    "astype", lambda x, dtype: x.astype(dtype),
    (lambda g, out, x, dtype: g.astype(x.dtype),), reads_inputs=False,
)


def astype(x: Any, dtype: Any, copy: bool = True) -> Any:
    """Cast to ``dtype``.  Float to float is differentiable (the gradient is cast back); a bool or
    integer result is outside the graph.  ``copy=False`` returns ``x`` itself if nothing changes.
    """
    dt = as_dtype(dtype, "astype")
    if not copy and isinstance(x, Tensor) and x.dtype == dt:
        return x
    return _astype(x, dtype=dt)


clone = Primitive("clone", lambda x: xp.array(x, copy=True), (lambda g, out, x: g,),
                  reads_inputs=False, scalar=lambda x: x)

from .indexing import _index_add, _pad_gather  # noqa: E402  (indexing imports nothing from here)
