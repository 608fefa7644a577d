"""Shape primitives: reshape, transpose, broadcast, repeat, tile, pad, flip, casts (joins and
splits: ``join``).

All of these are linear, so their rules only rearrange ``g`` (they never read the input data:
``reads_inputs=False``) and are written with Tensor-compatible methods or other primitives' ``raw``
so that they also run under ``create_graph``.  Ops whose NumPy result may share memory with the
input say ``view=True`` so in-place changes are tracked across the view.

Public functions mean what PyTorch's do (``split`` by size, ``squeeze(dim)`` a no-op on a
dimension that is not 1, ``transpose(x, dim0, dim1)`` swaps two dims); NumPy's meanings
(``numpy.split`` by sections, ``numpy.repeat``, ``numpy.transpose(t, axes)``, ``numpy.squeeze``
raising) are the ``_np_*`` functions here, reached by calling NumPy's own functions on Tensors
(``autograd.numpy_functions``).

>>> import autograd as ag
>>> x = ag.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
>>> y = ag.cat([x, x * 2], dim=0).reshape(-1)
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
from ..devices import is_array, is_device_array, to_host
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


def _axis(axis: Any, ndim: int, op: str, shape: tuple[int, ...] | None = None,
          scalar: bool = False) -> int:
    """One axis, range-checked and made non-negative.

    ``scalar``: the operation means something for a 0-d tensor, which then accepts axis 0 or -1
    like PyTorch (the caller handles the 0-d case); otherwise a 0-d tensor has no axis at all.
    """
    try:
        a = operator.index(axis)
    except TypeError:
        raise TypeError(f"{op}: axis must be an int, got {axis!r}") from None
    if ndim == 0:
        if scalar and a in (0, -1):
            return 0
        raise AxisError(
            f"{op}: axis {a} is out of range: a 0-d tensor has no dimension to {op} along; "
            "reshape it to 1-D first (x.reshape(1))"
            + (" (only axis 0 or -1 is accepted for a 0-d tensor)" if scalar else "")
        )
    if not -ndim <= a < ndim:
        where = f"shape {shape}" if shape is not None else f"{ndim} dimension(s)"
        raise AxisError(
            f"{op}: axis {a} is out of range for a tensor of {where}; expected an axis in "
            f"[{-ndim}, {ndim - 1}]"
        )
    return a % ndim


def _axes(axis: Any, ndim: int, op: str, shape: tuple[int, ...] | None = None,
          scalar: bool = False) -> tuple[int, ...]:
    """An int or a sequence of ints as a tuple of distinct non-negative axes (in given order)."""
    items = (axis,) if _is_int(axis) else tuple(axis)
    out = tuple(_axis(a, ndim, op, shape, scalar) for a in items)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis!r}")
    return out


def _pick_axis(dim: Any, axis: Any, op: str, default: Any = None) -> Any:
    """``dim``, or its alias ``axis`` when given (``dim`` also given, not at its ``default``,
    is a TypeError)."""
    if axis is None:
        return dim
    if dim is not None and dim != default:
        raise TypeError(f"{op}: pass either dim= or its alias axis=, not both")
    return axis


def _shape_arg(shape: tuple[Any, ...], op: str) -> tuple[int, ...]:
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` alike (PyTorch and NumPy spellings)."""
    if len(shape) == 1 and not _is_int(shape[0]):
        shape = shape[0]
    try:
        return tuple(operator.index(s) for s in shape)
    except TypeError:
        raise TypeError(f"{op}: a shape must be a sequence of ints, got {shape!r}") from None


def _int_data(v: Any, op: str, what: str) -> Any:
    """A host integer array from ints, lists, arrays or integer Tensors.

    These are counts and sizes that decide the result's shape (repeats, pad widths, split
    points), so they are needed on the host: from a GPU tensor that is a copy, the sync PyTorch
    makes too (``repeat_interleave`` without ``output_size``, ``split`` with tensor sizes)."""
    d = v._data if isinstance(v, Tensor) else v
    arr = to_host(d) if is_device_array(d) else np.asarray(d)
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


def squeeze(x: Any, dim: Any = None, *, axis: Any = None) -> Tensor:
    """Remove size-1 dimensions: all of them, or those of ``dim`` (an int or a tuple of ints)
    whose size is 1; a named dimension of another size is kept, as in ``torch.squeeze``.

    ``axis=`` is an alias of ``dim=`` (same meaning).  Raises IndexError/ValueError (AxisError)
    for an out-of-range dim.  NumPy's ``numpy.squeeze(t, axis)``, which raises for a size that
    is not 1, works on Tensors through ``__array_function__``.

    >>> import autograd as ag
    >>> x = ag.tensor([[1.0, 2.0]])
    >>> x.squeeze(0).shape, x.squeeze(1).shape
    ((2,), (1, 2))
    """
    return _squeeze_impl(x, dim, axis, strict=False)


def _np_squeeze(a: Any, axis: Any = None) -> Any:
    """``numpy.squeeze``: naming a dimension whose size is not 1 raises ValueError."""
    return _squeeze_impl(a, None, axis, strict=True)


def _squeeze_impl(x: Any, dim: Any, axis: Any, strict: bool) -> Any:
    if axis is not None and dim is not None:
        raise TypeError("squeeze: pass either dim= or its alias axis=, not both")
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
        if strict:
            bad = [a for a in axes if shape[a] != 1]
            if bad:
                raise ValueError(
                    f"numpy.squeeze: cannot select axis {bad[0]} of a tensor of shape {shape}: "
                    "its size is not 1 (Tensor.squeeze keeps such a dimension, as PyTorch does)"
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
        return _transpose.raw(g, axes=None)
    inv = [0] * len(axes)
    for i, a in enumerate(axes):
        inv[a] = i
    return _transpose.raw(g, axes=tuple(inv))


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


def transpose(x: Any, dim0: int, dim1: int) -> Tensor:
    """Swap dimensions ``dim0`` and ``dim1`` (a view), as ``torch.transpose``.

    Raises IndexError/ValueError (AxisError) for an out-of-range dim.  A full permutation is
    :func:`permute`; NumPy's ``numpy.transpose(t, axes)`` (reversed dims by default) works on
    Tensors through ``__array_function__``, and ``t.T`` reverses all dims.

    >>> import autograd as ag
    >>> import numpy as np
    >>> x = ag.tensor(np.zeros((2, 3, 4)))
    >>> x.transpose(0, 2).shape, ag.transpose(x, 1, -1).shape
    ((4, 3, 2), (2, 4, 3))
    """
    return swapaxes(x, dim0, dim1)


def _np_transpose(a: Any, axes: Any = None) -> Any:
    """``numpy.transpose``: reverse the dims (``axes=None``) or permute them by ``axes``."""
    if axes is None:
        return _transpose(a, axes=None)
    return _transpose(a, axes=_perm(_shape_arg((axes,), "transpose"), _shape(a), "transpose"))


def permute(x: Any, *dims: Any) -> Tensor:
    """Reorder dimensions: result dimension ``i`` is input dimension ``dims[i]``
    (``torch.permute``; ``numpy.transpose(a, axes)``).  ``permute(x, 1, 0)`` and
    ``permute(x, (1, 0))`` alike.  Raises ValueError unless ``dims`` is a permutation."""
    return _permute(x, axes=_perm(_shape_arg(dims, "permute"), _shape(x), "permute"))


def swapaxes(x: Any, axis0: int, axis1: int) -> Tensor:
    """Exchange two dimensions (a view): ``torch.swapaxes`` = ``torch.transpose``,
    ``numpy.swapaxes``."""
    shape = _shape(x)
    a = _axis(axis0, len(shape), "swapaxes", shape, scalar=True)
    b = _axis(axis1, len(shape), "swapaxes", shape, scalar=True)
    if not shape:  # a 0-d tensor: dims 0 and -1 are the same (absent) one, like PyTorch
        return _transpose(x, axes=())
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

    def __call__(self, x: Any, size: Any) -> Tensor:
        """``torch.broadcast_to(input, size)`` / ``numpy.broadcast_to``; ValueError if the shapes
        are incompatible."""
        return _broadcast_to(x, shape=_shape_arg((size,), "broadcast_to"))

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
        mod = xp_of(g)
        src = mod.repeat(mod.arange(work[ax]), repeats)
        gs = _index_add.raw(g, index=_along(ax, src), shape=work)
    return gs.reshape(shape)


_repeat = Primitive(
    "repeat", lambda x, repeats, axis: xp.repeat(x, repeats, axis=axis), (_drepeat,),
    reads_inputs=False,
)


def repeat_interleave(x: Any, repeats: Any, dim: int | None = None) -> Tensor:
    """Repeat each element ``repeats`` times (an int, or one count per element) along ``dim``
    (None: of the flattened tensor), as ``torch.repeat_interleave`` and ``numpy.repeat``.

    Raises ValueError for negative counts or a count list of the wrong length.  Tiling the whole
    tensor is ``Tensor.repeat`` / :func:`tile`.

    >>> import autograd as ag
    >>> ag.repeat_interleave(ag.tensor([1.0, 2.0]), ag.tensor([2, 1]))
    tensor([1., 1., 2.])
    """
    return _np_repeat(x, repeats, dim)


def _np_repeat(x: Any, repeats: Any, axis: int | None = None) -> Any:
    """``numpy.repeat`` (the same meaning as :func:`repeat_interleave`)."""
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
    if type(reps) is not int and xp_of(x) is not np:
        reps = reps.tolist()  # CuPy takes per-element counts as a list (host values)
    return _repeat(x, repeats=reps, axis=ax)


def _dtile(g: Any, out: Any, x: Any, reps: tuple[int, ...]) -> Any:
    shape = x.shape
    full = (1,) * (len(reps) - len(shape)) + tuple(shape)
    split: list[int] = []
    for r, n in zip(reps, full, strict=True):
        split += [r, n]
    return g.reshape(tuple(split)).sum(axis=tuple(range(0, 2 * len(reps), 2))).reshape(shape)


_tile = Primitive("tile", lambda x, reps: xp.tile(x, reps), (_dtile,), reads_inputs=False)


def tile(x: Any, dims: Any) -> Tensor:
    """``dims[i]`` copies along each dimension (``torch.tile``, ``numpy.tile``; ``Tensor.repeat``
    is the same when ``dims`` has at least ``x.ndim`` entries).  Shorter ``dims`` are padded
    with 1s in front, a higher-dimensional ``dims`` adds leading dims.  Raises ValueError for a
    negative count.

    >>> import autograd as ag
    >>> ag.tile(ag.tensor([1.0, 2.0]), (2, 2)).shape
    (2, 4)
    """
    shape = _shape(x)
    r = _shape_arg((dims,), "tile") if not _is_int(dims) else (operator.index(dims),)
    if any(v < 0 for v in r):
        raise ValueError(f"tile: dims must be non-negative, got {dims!r}")
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
    mod = xp_of(x)  # the maps index x: made where x lives
    maps = [xp.pad(mod.arange(n), w, mode=mode) for (w, n) in zip(widths, shape, strict=True)]
    return _pad_gather(x, index=xp.ix_(*maps) if maps else ())


# ------------------------------------------------------------------ flip, casts, clone
_flip: Primitive = Primitive(
    "flip", lambda x, axis: xp.flip(x, axis=axis),
    (lambda g, out, x, axis: _flip.raw(g, axis=axis),), view=True, reads_inputs=False,
)


def flip(x: Any, dims: Any = None, *, axis: Any = None) -> Tensor:
    """Reverse the order of elements along ``dims`` (an int or tuple; None: all dims), as
    ``torch.flip`` and ``numpy.flip`` (``axis=`` is an alias)."""
    sel = _pick_axis(dims, axis, "flip")
    shape = _shape(x)
    axes = None if sel is None else _axes(sel, len(shape), "flip", shape, scalar=True)
    if not shape:  # a 0-d tensor: flipping along dim 0 or -1 leaves it as it is (PyTorch)
        axes = ()
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


def _clone(x: Any) -> Any:
    # an array's own copy (NumPy's array(x, copy=True) would read GPU data back); "K" keeps the
    # memory layout, as array(copy=True) does
    return x.copy(order="K") if is_array(x) else xp.array(x, copy=True)


clone = Primitive("clone", _clone, (lambda g, out, x: g,),
                  reads_inputs=False, scalar=lambda x: x,
                  doc="A copy of ``x`` in its own memory: same shape and dtype; the gradient "
                      "passes through.\n\nPyTorch: ``torch.clone``; NumPy: ``numpy.copy``.")

from ._place import xp_of  # noqa: E402
from .indexing import _index_add, _pad_gather  # noqa: E402  (indexing imports nothing from here)
