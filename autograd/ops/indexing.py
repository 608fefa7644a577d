"""Indexing primitives: ``x[index]``, ``take_along_axis`` (NumPy) and ``gather`` (PyTorch).

Every read here is ``x[fancy_index]`` for some index, and every gradient is the matching
*scatter-add*: a zero tensor of ``x``'s shape with ``g`` added at the indexed places
(:data:`_index_add`).  Integer-array indices may repeat an element, so those gradients accumulate
with ``xp.add.at``; slices, ints and boolean masks never repeat, so a plain assignment is enough.
The two primitives are each other's gradient, which makes any order of derivative work.

>>> import autograd as ag
>>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> x[[0, 2, 2]].sum().backward()
>>> x.grad
tensor([1., 0., 2.])
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ..anomaly import is_anomaly_enabled
from ..backend import xp
from ..devices import array_module, device_of, is_array, is_device_array, to_host
from ..primitive import Primitive
from ..tensor import Tensor
from ._dims import data_of
from ._place import on_device_of

try:  # AxisError subclasses both ValueError and IndexError (NumPy's and PyTorch's conventions)
    from numpy.exceptions import AxisError
except ImportError:  # pragma: no cover - NumPy < 1.25
    from numpy import AxisError  # type: ignore[attr-defined,no-redef]

ndarray = xp.ndarray


# ------------------------------------------------------------------------- the scatter-add
def _has_int_array(index: tuple[Any, ...]) -> bool:
    return any(is_array(i) and i.dtype.kind != "b" for i in index)


def _index_add_fwd(g: Any, index: tuple[Any, ...], shape: tuple[int, ...]) -> Any:
    if not is_array(g):
        g = xp.asarray(g)
    m = array_module(g)  # made on g's device
    z = m.zeros(shape, dtype=g.dtype)
    if _has_int_array(index):
        m.add.at(z, index, g)  # repeated integer indices must accumulate
    else:
        z[index] = g
    return z


_index_add = Primitive(
    "index_add", _index_add_fwd, (lambda g, out, x, index, shape: g[index],),
    reads_inputs=False,
)
"""``zeros(shape)`` with ``g`` added at ``index``: the gradient of every read in this module."""


def _dgather(g: Any, out: Any, x: Any, index: tuple[Any, ...]) -> Any:
    return _index_add.raw(g, index=index, shape=x.shape)


def _read_prim(name: str, view: bool) -> Primitive:
    """``x[index]`` under a name; the index is already normalised (arrays, ints, slices...)."""
    return Primitive(name, lambda x, index: x[index], (_dgather,), view=view, reads_inputs=False)


def _basic_view(x: Any, index: tuple[Any, ...]) -> Any:
    # basic indexing gives a view, except that an all-integer index gives a scalar copy: a
    # trailing Ellipsis makes that a 0-d view too, so in-place changes of ``v = x[i]`` reach x
    # (as in PyTorch) instead of silently going to a copy
    return x[index] if Ellipsis in index else x[index + (Ellipsis,)]


_getitem_view = Primitive("getitem", _basic_view, (_dgather,), view=True, reads_inputs=False)
_getitem_copy = _read_prim("getitem", view=False)  # advanced indexing: always a copy
_gather = _read_prim("gather", view=False)
_take_along_axis = _read_prim("take_along_axis", view=False)
_pad_gather = _read_prim("pad", view=False)  # non-constant pad modes (see shape.pad)


# ----------------------------------------------------------------------------------- getitem
def _index_item(it: Any, ref: Any) -> tuple[Any, bool]:
    """One entry of an index as NumPy should see it, and whether it is an advanced index.

    Index arrays end up on the device of ``ref`` (the indexed data; None: on the host): host
    ones (lists, NumPy arrays, CPU tensors) are copied there, as PyTorch does with a CPU index
    of a CUDA tensor."""
    if isinstance(it, Tensor):
        it = it._array
    if it is None or it is Ellipsis or isinstance(it, slice):
        return it, False
    if isinstance(it, (bool, np.bool_)):
        return bool(it), True  # NumPy: a scalar boolean adds a length-1 (or 0) axis
    if isinstance(it, (int, np.integer)):
        return operator.index(it), False
    if is_device_array(it):
        if ref is None:
            raise _gpu_index_error("getitem", np.empty(0))
        if it.dtype.kind not in "biu":
            raise IndexError(
                f"getitem: index arrays must hold integers or booleans, got dtype {it.dtype}"
            )
        return it, True  # a 0-d device index too (CuPy's meaning): int() would sync
    if isinstance(it, (list, tuple, ndarray)):
        arr = np.asarray(it)
        if arr.dtype.kind == "f" and arr.size == 0:
            arr = arr.astype(np.intp)  # ``x[[]]`` selects nothing, as in NumPy
        if arr.dtype.kind == "b":
            return (arr if ref is None else on_device_of(arr, ref)), True
        if arr.dtype.kind in "iu":
            if arr.ndim == 0:
                return int(arr), False
            return (arr if ref is None else on_device_of(arr, ref)), True
        raise IndexError(
            f"getitem: index arrays must hold integers or booleans, got dtype {arr.dtype}"
        )
    raise IndexError(
        f"getitem: only integers, slices, None, Ellipsis and integer or boolean arrays/tensors "
        f"are valid indices; got {type(it).__name__}"
    )


def _normalize(index: Any, ref: Any) -> tuple[tuple[Any, ...], bool]:
    """The index as a tuple of NumPy-style entries, and whether any is advanced; index arrays
    on the device of the data ``ref``."""
    items = index if type(index) is tuple else (index,)
    if not is_device_array(ref):
        ref = None  # host data: host index arrays stay as they are
    norm = []
    advanced = False
    for it in items:
        v, adv = _index_item(it, ref)
        norm.append(v)
        advanced = advanced or adv
    return tuple(norm), advanced


def _check_host_index(shape: tuple[int, ...], index: Any) -> None:
    """IndexError (NumPy's, naming the shape) for out-of-range *host* indices into GPU data,
    where CuPy would wrap them around: checked on the host, before they are copied, by indexing
    a zero-stride boolean view of ``shape`` (no memory of that size).  Indices that are device
    data are not checked (that would be a sync; docs/differences.md)."""
    items = index if type(index) is tuple else (index,)
    if any(is_device_array(i) or isinstance(i, Tensor) for i in items):
        return
    if not any(isinstance(i, (list, ndarray, int, np.integer)) and not isinstance(i, bool)
               for i in items):
        return  # slices, None, Ellipsis: always in range
    probe = np.lib.stride_tricks.as_strided(np.zeros(1, bool), shape=shape,
                                            strides=(0,) * len(shape))
    try:
        probe[tuple(items)]
    except IndexError as e:
        if "out of bounds" in str(e):  # other index errors: the usual path words them
            raise IndexError(f"getitem: {e} (tensor of shape {tuple(shape)})") from None


def getitem(x: Any, index: Any) -> Any:
    """``x[index]`` with NumPy's rules: ints, slices, None, Ellipsis, boolean masks and integer
    arrays (lists or Tensors too), alone or in a tuple.  Repeated integer indices accumulate
    their gradients.

    >>> import autograd as ag
    >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> x[1], x[:, 0], x[x > 2.5]
    (tensor([3., 4.]), tensor([1., 3.]), tensor([3., 4.]))
    """
    d = data_of(x)
    if is_device_array(d):
        _check_host_index(d.shape, index)
    idx, advanced = _normalize(index, d)
    prim = _getitem_copy if advanced else _getitem_view
    try:
        return prim(x, index=idx)
    except IndexError as e:
        raise IndexError(f"getitem: {e} (tensor of shape {tuple(xp.shape(x))})") from e


# ------------------------------------------------------------------ take_along_axis, gather
def _int_index(indices: Any, op: str) -> Any:
    """The index as array data: a device array, or host data (checked on the host, then moved
    to the tensor's device by :func:`_placed`)."""
    d = indices._data if isinstance(indices, Tensor) else indices
    arr = d if is_array(d) else np.asarray(d)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{op}: indices must be an integer tensor or array, got dtype {arr.dtype}")
    return arr


def _placed(idx: Any, x: Any, op: str) -> tuple[Any, Any]:
    """``idx`` on ``x``'s device (a host index is copied there, as PyTorch does), and the array
    module of that device."""
    d = data_of(x)
    if not is_device_array(d):
        if is_device_array(idx):
            raise _gpu_index_error(op, d)
        return idx, np
    return on_device_of(idx, d), array_module(d)


def _gpu_index_error(op: str, d: Any) -> RuntimeError:
    return RuntimeError(
        f"{op}: indices should be either on the CPU or on the same device as the indexed tensor "
        f"({device_of(d)}); move them with .cpu()"
    )


def _axis(axis: Any, ndim: int, op: str, shape: tuple[int, ...]) -> int:
    try:
        a = operator.index(axis)
    except TypeError:
        raise TypeError(f"{op}: axis must be an int, got {axis!r}") from None
    if ndim == 0:
        if op == "gather" and a in (0, -1):  # PyTorch: a 0-d tensor has dims 0 and -1
            return 0
        raise AxisError(
            f"{op}: axis {a} is out of range: a 0-d tensor has no dimension to index along; "
            "reshape it to 1-D first (x.reshape(1))"
        )
    if not -ndim <= a < ndim:
        raise AxisError(
            f"{op}: axis {a} is out of range for a tensor of shape {shape}; expected an axis in "
            f"[{-ndim}, {ndim - 1}]"
        )
    return a % ndim


def _open_grid(sizes: tuple[int, ...], axis: int, idx: Any, mod: Any) -> tuple[Any, ...]:
    """Index arrays selecting ``idx`` along ``axis`` and position ``i`` along every other axis
    (made by ``mod``, the array module of ``idx``'s device)."""
    nd = len(sizes)
    out: list[Any] = []
    for d, n in enumerate(sizes):
        if d == axis:
            out.append(idx)
        else:
            out.append(mod.arange(n).reshape((1,) * d + (n,) + (1,) * (nd - d - 1)))
    return tuple(out)


def _range_check(idx: Any, n: int, op: str, axis: int, shape: tuple[int, ...],
                 negative_ok: bool) -> None:
    if not idx.size:
        return
    if is_device_array(idx):
        # reading device indices back is a sync: PyTorch's CUDA kernels assert on the device
        # instead; here the check runs only in anomaly mode (CuPy wraps bad indices around)
        if not is_anomaly_enabled():
            return
        idx = to_host(idx)
    lo, hi = int(idx.min()), int(idx.max())
    low = -n if negative_ok else 0
    if lo < low or hi >= n:
        bad = lo if lo < low else hi
        raise IndexError(
            f"{op}: index {bad} is out of range for axis {axis} (size {n}) of a tensor of shape "
            f"{shape}; valid indices are {low}..{n - 1}"
        )


def take_along_axis(x: Any, indices: Any, axis: int | None) -> Any:
    """NumPy's ``take_along_axis``: ``out[..., i, ...] = x[..., indices[..., i, ...], ...]``.

    ``indices`` has as many dimensions as ``x`` and broadcasts against it in the other axes;
    ``axis=None`` works on the flattened tensor.

    >>> import autograd as ag
    >>> x = ag.tensor([[10.0, 30.0, 20.0]])
    >>> ag.take_along_axis(x, ag.tensor([[1, 2]]), axis=1)
    tensor([[30., 20.]])
    """
    idx = _int_index(indices, "take_along_axis")
    if axis is None:
        if idx.ndim != 1:
            raise ValueError(
                f"take_along_axis: with axis=None the indices must be 1-D, got shape {idx.shape}"
            )
        x = reshape(x, -1)
        axis = 0
    shape = tuple(xp.shape(x))
    ax = _axis(axis, len(shape), "take_along_axis", shape)
    if idx.ndim != len(shape):
        raise ValueError(
            f"take_along_axis: indices (shape {idx.shape}) must have as many dimensions as the "
            f"tensor (shape {shape})"
        )
    _range_check(idx, shape[ax], "take_along_axis", ax, shape, negative_ok=True)
    grid = _open_grid(shape, ax, *_placed(idx, x, "take_along_axis"))
    try:
        xp.broadcast_shapes(*(g.shape for g in grid))
    except ValueError:
        raise ValueError(
            f"take_along_axis: indices of shape {idx.shape} do not broadcast against a tensor of "
            f"shape {shape} outside axis {ax}"
        ) from None
    return _take_along_axis(x, index=grid)


def gather(x: Any, dim: int, index: Any) -> Any:
    """PyTorch's ``gather``: ``out[i][j][k] = x[i][index[i][j][k]][k]`` for ``dim=1``.

    ``index`` has as many dimensions as ``x``, is no larger than ``x`` outside ``dim`` and
    gives the output's shape; its values must lie in ``[0, x.shape[dim])``.

    >>> import autograd as ag
    >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> ag.gather(x, 1, ag.tensor([[0, 0], [1, 0]]))
    tensor([[1., 1.],
            [4., 3.]])
    """
    idx = _int_index(index, "gather")
    shape = tuple(xp.shape(x))
    ax = _axis(dim, len(shape), "gather", shape)
    if not shape:  # 0-d: the index is 0-d too and can only be 0 (PyTorch); x[()] is x
        if idx.ndim != 0:
            raise ValueError(
                f"gather: index of shape {idx.shape} must be 0-d like the tensor (shape ())"
            )
        _range_check(idx, 1, "gather", ax, shape, negative_ok=False)
        return _gather(x, index=())
    if idx.ndim != len(shape) or any(
        i > n for d, (i, n) in enumerate(zip(idx.shape, shape, strict=True)) if d != ax
    ):
        raise ValueError(
            f"gather: index of shape {idx.shape} must have as many dimensions as the tensor "
            f"(shape {shape}) and be no larger outside dimension {ax}"
        )
    _range_check(idx, shape[ax], "gather", ax, shape, negative_ok=False)
    return _gather(x, index=_open_grid(idx.shape, ax, *_placed(idx, x, "gather")))


from .shape import reshape  # noqa: E402  (shape imports this module's primitives)
