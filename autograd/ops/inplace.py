"""In-place operations (``add_``, ``mul_``, ``__setitem__``, ``fill_`` ...), with safety checks.

Outside grad mode (or on tensors nobody differentiates) they mutate the data directly: that is how
optimizers update parameters under ``no_grad``.  While recording, the operation is recorded like
its out-of-place twin and the result is written back into the tensor's own buffer, so views and
other references see it, and the tensor's history moves to the new record.

Either way the tensor's version is bumped (``autograd.tape.bump_version``), so a record that saved
the old data raises at ``backward`` instead of silently using the new values.
"""

from __future__ import annotations

from typing import Any

from .. import tape
from ..backend import xp
from ..grad_mode import state
from ..primitive import Primitive, as_operand
from ..tensor import Tensor
from .arithmetic import _clip_p, add, div, mul, pow, sub

ndarray = xp.ndarray


def _check_target(t: Any, op: str) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a Tensor to modify, got {type(t).__name__}")


def _recording(t: Tensor, others: tuple[Any, ...], op: str) -> bool:
    if not state.enabled:
        return False
    rg = t.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others)
    if not rg:
        return False
    node = t._node
    if node is None and t.requires_grad:
        raise RuntimeError(
            f"{op}: a leaf tensor that requires grad (shape {tuple(t.shape)}) is being used in an "
            "in-place operation; do the update inside `with autograd.no_grad():` (as optimizers "
            "do) or use the out-of-place operation"
        )
    if node is not None and node.prim.view:
        raise RuntimeError(
            f"{op}: in-place modification of a view (output of {node.name()}) of a tensor that "
            "requires grad is not supported; use the out-of-place operation or .clone() the view"
        )
    return True


def _write(t: Tensor, value: Any, op: str) -> None:
    """Store ``value`` into ``t``'s own buffer (shape and dtype of ``t`` are kept)."""
    d = t._data
    if type(d) is float:
        if type(value) is not float and getattr(value, "shape", ()) != ():
            raise RuntimeError(
                f"{op}: output with shape () doesn't match the broadcast shape {value.shape}"
            )
        t._data = float(value)
        return
    vshape = () if type(value) is float else value.shape
    if vshape != d.shape:
        raise RuntimeError(
            f"{op}: output with shape {d.shape} doesn't match the broadcast shape {vshape}; an "
            "in-place operation cannot change the tensor's shape"
        )
    try:
        xp.copyto(d, value, casting="same_kind")
    except TypeError as e:
        raise TypeError(
            f"{op}: result of dtype {getattr(value, 'dtype', 'float64')} can't be cast to the "
            f"tensor's dtype {d.dtype} in place; use the out-of-place operation"
        ) from e


def _apply_inplace(prim: Primitive, t: Tensor, *others: Any, op: str, **params: Any) -> Tensor:
    _check_target(t, op)
    if _recording(t, others, op):
        d = t._data
        # the record must keep the *old* values if its rules read them
        old = d.copy() if prim.reads_inputs and type(d) is not float else d
        src = Tensor._make(old, t._node, t.requires_grad)
        src._idx = t._idx
        res = prim(src, *others, **params)
        _write(t, res._data, op)
        _rebind(t, res, prim)
        return t
    datas = [o._data if isinstance(o, Tensor) else as_operand(o, op) for o in others]
    d = t._data
    if type(d) is float:
        out = prim.fwd(xp.asarray(d), *datas, **params)
        _write(t, out, op)
    else:
        _write(t, prim.fwd(d, *datas, **params), op)
    tape.bump_version(t)
    return t


def _rebind(t: Tensor, res: Tensor, prim: Primitive) -> None:
    """Move ``t``'s history to the record that produced ``res``."""
    tape.bump_version(t)
    t._node = res._node
    t._idx = res._idx
    t.requires_grad = res.requires_grad
    node = t._node
    if node is not None:
        node.clock = tape.now()  # the write-back itself is not a later modification
        if prim.save_out:
            node.out = t._data if type(t._data) is float else t._data.copy()
            node.out_vc = t._vc


def add_(t: Tensor, other: Any) -> Tensor:
    return _apply_inplace(add, t, other, op="add_")


def sub_(t: Tensor, other: Any) -> Tensor:
    return _apply_inplace(sub, t, other, op="sub_")


def mul_(t: Tensor, other: Any) -> Tensor:
    return _apply_inplace(mul, t, other, op="mul_")


def div_(t: Tensor, other: Any) -> Tensor:
    return _apply_inplace(div, t, other, op="div_")


def pow_(t: Tensor, other: Any) -> Tensor:
    return _apply_inplace(pow, t, other, op="pow_")


def clamp_(t: Tensor, min: Any = None, max: Any = None) -> Tensor:
    if min is None and max is None:
        raise ValueError("clamp_: at least one of min and max must be given")
    lo = min._data if isinstance(min, Tensor) else min
    hi = max._data if isinstance(max, Tensor) else max
    return _apply_inplace(_clip_p, t, lo, hi, op="clamp_")


def _index_data(index: Any) -> Any:
    """An index with Tensors (masks, integer indices) replaced by their arrays."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


def _getitem(g: Any, index: Any) -> Any:
    if isinstance(g, Tensor):
        from . import getitem

        return getitem(g, index)
    return g[index]


def _index_put(x: Any, v: Any, index: Any) -> Any:
    y = x.copy()
    y[index] = v
    return y


index_put = Primitive(
    "index_put",
    _index_put,
    (
        lambda g, out, x, v, index: index_put.raw(g, 0.0, index),  # overwritten: no gradient
        lambda g, out, x, v, index: _getitem(g, index),
    ),
    reads_inputs=False,
)


def setitem(t: Tensor, index: Any, value: Any) -> None:
    """``t[index] = value``; a ``value`` that requires grad receives the gradient of its slots."""
    _check_target(t, "__setitem__")
    idx = _index_data(index)
    if _recording(t, (value,), "__setitem__"):
        src = Tensor._make(t._data, t._node, t.requires_grad)
        src._idx = t._idx
        res = index_put(src, value, index=idx)
        _write(t, res._data, "__setitem__")
        _rebind(t, res, index_put)
        return
    v = value._data if isinstance(value, Tensor) else as_operand(value, "__setitem__")
    d = t._data
    if type(d) is float:
        arr = xp.asarray(d)
        arr = _index_put(arr, v, idx)
        t._data = float(arr)
    else:
        try:
            d[idx] = v
        except (ValueError, IndexError) as e:
            raise type(e)(
                f"__setitem__: cannot assign a value of shape {xp.shape(v)} to index {index!r} of "
                f"a tensor of shape {d.shape}: {e}"
            ) from e
    tape.bump_version(t)


def fill_(t: Tensor, value: Any) -> Tensor:
    setitem(t, Ellipsis, value)
    return t


def copy_(t: Tensor, src: Any) -> Tensor:
    """Copy ``src`` (broadcast to ``t``'s shape) into ``t``; gradient flows to ``src``."""
    setitem(t, Ellipsis, src)
    return t
