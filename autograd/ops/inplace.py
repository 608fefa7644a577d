"""In-place operations (``add_``, ``mul_``, ``__setitem__``, ``fill_`` ...), with safety checks.

Outside grad mode, or when neither the tensor nor the operand requires grad, they just mutate
the data: that is how optimizers update parameters under ``no_grad``.

While recording, an in-place operation is recorded as its out-of-place twin applied to a
stand-in for the tensor's current version, and the result is written back into the tensor's own
buffer (so views and other references see it); then the tensor's history moves to the new record.
Records made *before* keep routing their gradients to the version they saw: the tensor remembers
its past versions (``_extra["history"]``, consulted by the walker through
``autograd.tape.as_recorded``).

Either way the tensor's version is bumped (``autograd.tape.bump_version``); views share the
counter with their base.  A record that saved the old data raises at ``backward`` instead of
silently using the new values.

Rules (PyTorch's):

* in-place on a leaf that requires grad raises outside ``no_grad``;
* in-place on a recorded view (``x[1:]``, ``x.reshape(...)``, ``x.T`` of an ``x`` that requires
  grad) updates the base's history too: the base becomes ``index_put(base, new values at the
  view's positions)`` and the view a fresh view of that, so ``x[0] += w`` works; a view of a
  leaf that requires grad raises, and so does a view whose elements overlap (``expand``);
* a view of a tensor that does not require grad (or one taken outside grad mode) has no record
  of its base, so ``view.copy_(w)`` / ``view.add_(w)`` with a ``w`` that requires grad raise
  rather than leave the base without a gradient.  Write through the base instead
  (``base[i] = value``), as ``base[i] += value`` does: there Python stores the result back with
  ``base.__setitem__``, so the augmented operators are allowed on such views.

>>> import autograd as ag
>>> w = ag.tensor([1.0, 2.0], requires_grad=True)
>>> h = w * 1.0
>>> h.mul_(3.0)
tensor([3., 6.], grad_fn=<MulBackward>)
>>> h._version
1
>>> h.sum().backward()
>>> w.grad
tensor([3., 3.])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import tape
from ..backend import xp
from ..devices import device_of, is_array, is_device_array, transfer, writeable
from ..grad_mode import state
from ..primitive import UNRECORDED_VIEW, Primitive, as_operand
from ..tensor import Tensor
from .arithmetic import _clip, add, clip, div, mul, pow, sub

ndarray = xp.ndarray
Compute = Callable[..., Tensor]


# ------------------------------------------------------------------------------- checks
def _check_target(t: Any, op: str) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a Tensor to modify, got {type(t).__name__}")


def _leaf_error(op: str, t: Tensor, view: bool) -> RuntimeError:
    what = "a view of a leaf tensor" if view else "a leaf tensor"
    return RuntimeError(
        f"{op}: {what} that requires grad (shape {tuple(t.shape)}) is being used in an in-place "
        "operation; do the update inside `with autograd.no_grad():` (as optimizers do) or use "
        "the out-of-place operation"
    )


def _recording(t: Tensor, others: tuple[Any, ...], op: str, augmented: bool = False) -> bool:
    """Whether the operation must be recorded; raises for a leaf that requires grad."""
    if not state.enabled:
        return False
    if not (t.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others)):
        return False
    if t._node is None and t.requires_grad:
        raise _leaf_error(op, t, view=False)
    if t._node is None and t._idx == UNRECORDED_VIEW and not augmented:
        # (``buf[i] += v`` is fine: Python writes the result back with buf.__setitem__)
        # the write would change the base's data, but the base's history would not know
        raise RuntimeError(
            f"{op}: writing a value that requires grad into a view (shape {tuple(t.shape)}) of "
            "a tensor that does not require grad, or of one viewed outside grad mode: the "
            "gradient could not reach the base. Write into the base instead (base[index] = "
            "value), or take the view from a tensor that is recorded"
        )
    return True


def _check_writeable(d: Any, op: str) -> None:
    if not writeable(d):
        raise RuntimeError(
            f"{op}: the tensor's data (shape {d.shape}) is read-only (e.g. an expand/broadcast "
            "view whose elements share memory); clone() it before modifying it in place"
        )
    if type(d) is not ndarray and any(s == 0 and n > 1 for s, n in zip(d.strides, d.shape)):
        # GPU arrays have no read-only flag (CuPy): a broadcast view is known by a zero stride
        raise RuntimeError(
            f"{op}: the tensor's data (shape {d.shape}) is read-only: an expand/broadcast view "
            "whose elements share memory; clone() it before modifying it in place"
        )


def _write(t: Tensor, value: Any, op: str) -> None:
    """Store ``value`` into ``t``'s own buffer (``t`` keeps its shape and dtype)."""
    d = t._data
    vshape = () if type(value) is float else value.shape
    if type(d) is float:
        if vshape != ():
            raise RuntimeError(
                f"{op}: output with shape () doesn't match the broadcast shape {vshape}"
            )
        t._data = float(value)
        return
    if vshape != d.shape:
        raise RuntimeError(
            f"{op}: output with shape {d.shape} doesn't match the broadcast shape {vshape}; an "
            "in-place operation cannot change the tensor's shape"
        )
    _check_writeable(d, op)
    try:
        xp.copyto(d, value, casting="same_kind")
    except TypeError as e:
        raise TypeError(
            f"{op}: result of dtype {getattr(value, 'dtype', 'float64')} can't be cast to the "
            f"tensor's dtype {d.dtype} in place; use the out-of-place operation"
        ) from e


# ------------------------------------------------------------------ views and their bases
def _view_chain(t: Tensor, op: str) -> list[Tensor]:
    """``[t, base, base of base, ...]`` while each is a recorded view sharing the next's memory.

    Raises when the root is a leaf that requires grad (PyTorch's rule) or when a view's record
    was already freed by ``backward``.
    """
    chain = [t]
    cur = t
    while True:
        node = cur._node
        if node is None or not node.prim.view:
            return chain
        if node.args is None or node.inputs is None:
            raise RuntimeError(
                f"{op}: this tensor is a view ({node.name()}) whose record was freed by an earlier "
                "backward(); clone() it, or pass retain_graph=True to that backward"
            )
        base = node.inputs[0]
        d, a0 = cur._data, node.args[0]
        if base is None or not _is_array(d) or not _is_array(a0):
            return chain
        if not xp.may_share_memory(d, a0):
            return chain  # the "view" is a copy (e.g. reshape of a non-contiguous tensor)
        if base._node is None:
            raise _leaf_error(op, base, view=True)
        chain.append(base)
        cur = base


def _view_of(node: tape.Node, base: Any, idx: int) -> Any:
    """Apply the view record ``node`` again, to ``base`` (a Tensor or an array)."""
    res = node.prim(base, **(node.params or {}))
    return res[idx] if node.n_out > 1 else res


def _positions(node: tape.Node, shape: tuple[int, ...], idx: int, op: str,
               mod: Any) -> tuple[Any, ...]:
    """Index (into a base of ``shape``) of each element of the view made by ``node``, made
    with the base's array module ``mod`` (on its device)."""
    size = 1
    for n in shape:
        size *= n
    ids = mod.arange(size, dtype=xp.intp).reshape(shape)
    fwd = node.prim.fwd(ids, **(node.params or {}))
    pos = fwd[idx] if node.n_out > 1 else fwd
    pos = pos if _is_array(pos) else mod.asarray(pos)
    if pos.size != xp.unique(pos).size:
        raise RuntimeError(
            f"{op}: unsupported operation: more than one element of the written-to tensor (a view "
            f"made by {node.name()}) refers to a single memory location; clone() it first"
        )
    return tuple(xp.unravel_index(pos, shape))


# ------------------------------------------------------------------------- the machinery
def _stand_in(t: Tensor, copy: bool) -> Tensor:
    """A tensor for ``t``'s current version: its data (copied if asked) and its history."""
    d = t._data
    if copy and type(d) is not float:
        d = d.copy()
    s = Tensor._make(d, t._node, t.requires_grad)
    s._idx = t._idx
    return s


def _operand(o: Any, t: Tensor, src: Tensor) -> Any:
    """An operand as the record should see it, given that ``t``'s buffer is about to change.

    ``t`` itself is its current version ``src``.  An operand sharing ``t``'s memory (a view of
    it, say) gets a stand-in with a private copy of the data and the same history, so the record
    keeps the values it used.  A leaf that requires grad can't be stood in for (its gradient is
    accumulated by identity): it stays, and ``backward`` reports its modification.
    """
    if o is t:
        return src
    if not isinstance(o, Tensor) or (o._node is None and o.requires_grad):
        return o
    d, buf = o._data, t._data
    if _is_array(d) and _is_array(buf) and xp.may_share_memory(d, buf):
        return _stand_in(o, True)
    return o


def _move_retain(t: Tensor, old: tape.Node, new: tape.Node) -> None:
    """``retain_grad()`` follows the tensor to its new version (as in PyTorch)."""
    if old.retained is None:
        return
    keep = [(i, r) for i, r in old.retained if r() is not t]
    if len(keep) == len(old.retained):
        return
    old.retained = keep or None
    t.retain_grad()  # registers on t's current record, which is ``new`` by now
    assert t._node is new


def _freed(v: Tensor) -> bool:
    n = v._node
    return n is not None and n.inputs is None


def _compress(hist: list[tuple[int, Tensor]]) -> None:
    """Keep the history of a tensor modified over and over (a buffer in a loop) short.

    Entry ``i`` serves the records made before its start (and after the previous entry's).  Two
    neighbouring versions whose records ``backward`` already freed answer alike (a "freed"
    error), so the earlier entry can go: its records now find the later one.
    """
    i = 0
    while i < len(hist) - 1:
        if _freed(hist[i][1]) and _freed(hist[i + 1][1]):
            del hist[i]
        else:
            i += 1


def _rebind(t: Tensor, new: Tensor, old: Tensor) -> None:
    """Move ``t``'s history to ``new``; records made earlier keep seeing ``old``."""
    prev = t._node
    node = new._node
    assert node is not None
    if prev is not None:
        if t._extra is None:
            t._extra = {}
        hist = t._extra.setdefault("history", [])
        hist.append((node.seq, old))
        if len(hist) >= 2 and _freed(hist[-2][1]) and _freed(hist[-1][1]):
            del hist[-2]  # the usual case (a buffer updated once per backward): O(1)
        # a full scan only when the history has doubled since the last one: scanning on every
        # update made a loop of n updates before any backward O(n^2)
        if len(hist) >= t._extra.get("history_limit", 8):
            _compress(hist)
            t._extra["history_limit"] = max(8, 2 * len(hist))
    t._node = node
    t._idx = new._idx
    t.requires_grad = True
    if prev is not None:
        _move_retain(t, prev, node)


def _inplace(t: Tensor, op: str, compute: Compute, others: tuple[Any, ...], reads: bool) -> None:
    """Recorded in-place update of ``t`` to ``compute(current t, *others)``.

    ``reads``: whether the computation's rules read ``t``'s old data (then it is copied first).
    """
    chain = _view_chain(t, op)
    # plan everything that can fail before anything is written
    # a stand-in, not the root itself: the records made below must not point back at the root,
    # whose history is about to lead to them (a reference cycle that only gc could free)
    cur: Any = _stand_in(chain[-1], False)
    reps = [cur]  # fresh views of the root's current history, root first
    for k in range(len(chain) - 2, -1, -1):
        node = chain[k]._node
        assert node is not None
        cur = _view_of(node, cur, chain[k]._idx)
        reps.append(cur)
    reps.reverse()  # reps[k] stands for chain[k], now
    pos = [
        _positions(chain[k]._node, tuple(chain[k + 1].shape), chain[k]._idx, op,  # type: ignore[arg-type]
                   _module_of(chain[k + 1]._data))
        for k in range(len(chain) - 1)
    ]
    src = _stand_in(reps[0], reads)
    res = compute(src, *(_operand(o, t, src) if reads else (src if o is t else o)
                         for o in others))
    olds = [_stand_in(c, False) for c in chain]  # the versions earlier records saw

    _write(t, res._data, op)
    tape.bump_version(t)  # views share the counter: this is the base's bump too
    if len(chain) == 1:
        _rebind(t, res, olds[0])
    else:
        # push the new values down to the root, then make every level a fresh view of it
        val = res
        for k in range(len(chain) - 1):
            val = index_put(_stand_in(reps[k + 1], False), val, index=pos[k])
        _rebind(chain[-1], val, olds[-1])
        for k in range(len(chain) - 2, -1, -1):
            node = chain[k]._node
            assert node is not None
            _rebind(chain[k], _view_of(node, chain[k + 1], chain[k]._idx), olds[k])
    _refresh_views(chain)


def _refresh_views(changed: list[Tensor]) -> None:
    """Other live views of the tensors just modified show new values: give them a fresh view
    history too (records made before keep the old one, as for the tensors themselves)."""
    seen = {id(c) for c in changed}
    stack = list(changed)
    while stack:
        s = stack.pop()
        reg = s._extra.get("views") if s._extra is not None else None
        if not reg:
            continue
        for ref in list(reg.values()):
            u = ref()
            if u is None or id(u) in seen:
                continue
            seen.add(id(u))
            node = u._node
            if node is None or not node.prim.view or node.inputs is None:
                continue  # no longer a view's history (or freed by backward): nothing to redo
            if node.inputs[0] is not s or not _is_array(u._data):
                continue
            if not _is_array(s._data) or not xp.may_share_memory(u._data, s._data):
                continue  # a copy after all (e.g. reshape of a non-contiguous tensor)
            _rebind(u, _view_of(node, s, u._idx), _stand_in(u, False))
            stack.append(u)


def _raw_binary(prim: Primitive, t: Tensor, other: Any, op: str) -> None:
    """Unrecorded ``t op= other``: straight into the buffer."""
    o = other._data if isinstance(other, Tensor) else as_operand(other, op)
    d = t._data
    if type(d) is float:
        _write(t, prim.fwd(xp.asarray(d), o), op)
        return
    oshape = () if type(o) in (float, int, bool) else o.shape
    if oshape != d.shape:
        try:
            bshape = xp.broadcast_shapes(d.shape, oshape)
        except ValueError:
            bshape = None
        if bshape != d.shape:
            raise RuntimeError(
                f"{op}: output with shape {d.shape} doesn't match the broadcast shape "
                f"{bshape if bshape is not None else oshape}; an in-place operation cannot change "
                "the tensor's shape"
            )
    _check_writeable(d, op)
    if not isinstance(prim.fwd, xp.ufunc):
        _write(t, prim.fwd(d, o), op)
        return
    try:
        prim.fwd(d, o, out=d, casting="same_kind")  # no temporary: optimizer steps stay cheap
    except TypeError as e:
        raise TypeError(
            f"{op}: the result can't be cast to the tensor's dtype {d.dtype} in place ({e}); use "
            "the out-of-place operation"
        ) from e


def _binary(prim: Primitive, t: Any, other: Any, op: str, augmented: bool = False) -> Tensor:
    _check_target(t, op)
    if _recording(t, (other,), op, augmented):
        _inplace(t, op, prim, (other,), prim.reads_inputs)
        return t
    _raw_binary(prim, t, other, op)
    tape.bump_version(t)
    return t


def add_(t: Tensor, other: Any, augmented: bool = False) -> Tensor:
    """``t += other`` in place (``Tensor.add_``, ``__iadd__``)."""
    return _binary(add, t, other, "add_", augmented)


def sub_(t: Tensor, other: Any, augmented: bool = False) -> Tensor:
    """``t -= other`` in place."""
    return _binary(sub, t, other, "sub_", augmented)


def mul_(t: Tensor, other: Any, augmented: bool = False) -> Tensor:
    """``t *= other`` in place."""
    return _binary(mul, t, other, "mul_", augmented)


def div_(t: Tensor, other: Any, augmented: bool = False) -> Tensor:
    """``t /= other`` in place (true division; integer tensors can't hold the result)."""
    return _binary(div, t, other, "div_", augmented)


def pow_(t: Tensor, other: Any, augmented: bool = False) -> Tensor:
    """``t **= other`` in place."""
    return _binary(pow, t, other, "pow_", augmented)


def clamp_(t: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Limit ``t`` to ``[min, max]`` in place (either bound may be None or a Tensor)."""
    _check_target(t, "clamp_")
    if min is None and max is None:
        raise ValueError("clamp_: at least one of min and max must be given")
    if _recording(t, (min, max), "clamp_"):
        _inplace(t, "clamp_", lambda s, lo, hi: clip(s, lo, hi), (min, max), True)
        return t
    lo = min._data if isinstance(min, Tensor) else min
    hi = max._data if isinstance(max, Tensor) else max
    d = t._data
    _write(t, _clip(xp.asarray(d) if type(d) is float else d, lo, hi), "clamp_")
    tape.bump_version(t)
    return t


# -------------------------------------------------------------------------- __setitem__
def _index_put_fwd(x: Any, v: Any, index: Any) -> Any:
    y = x.copy()
    try:
        y[index] = v
    except (ValueError, IndexError) as e:
        raise type(e)(
            f"__setitem__: cannot assign a value of shape {tuple(xp.shape(v))} to index "
            f"{_show(index)} of a tensor of shape {x.shape}: {e}"
        ) from e
    return y


def _show(index: Any) -> str:
    items = index if isinstance(index, tuple) else (index,)
    return "[" + ", ".join(
        f"<array {i.dtype}{tuple(i.shape)}>" if _is_array(i) else repr(i) for i in items
    ) + "]"


def _landed(shape: tuple[int, ...], index: Any, sel_shape: tuple[int, ...], mod: Any) -> Any:
    """Where integer indices repeat a position only the last write lands: a mask of the value's
    (broadcast) elements that did, or None when every one did (``mod``: the gradient's array
    module, so the mask is made on its device)."""
    size = 1
    for n in sel_shape:
        size *= n
    ids = mod.arange(size, dtype=xp.intp).reshape(sel_shape)
    owner = mod.full(shape, -1, dtype=xp.intp)
    owner[index] = ids
    won = owner[index] == ids
    if mod is not xp:  # a GPU: applying an all-true mask is cheaper than asking (a sync)
        return won
    return None if bool(won.all()) else won


def _has_int_array(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return any(_is_array(i) and i.dtype.kind != "b" and i.ndim > 0 for i in items)


def _dtarget(g: Any, out: Any, x: Any, v: Any, index: Any) -> Any:
    if len(index) == 1 and index[0] is Ellipsis:
        return None  # all overwritten (fill_, copy_): the old history gets nothing at all
    return index_put.raw(g, 0.0, index=index)  # the overwritten places get no gradient


def _dvalue(g: Any, out: Any, x: Any, v: Any, index: Any) -> Any:
    sel = getitem(g, index) if isinstance(g, Tensor) else g[index]
    if _has_int_array(index):
        won = _landed(tuple(x.shape), index, tuple(sel.shape),
                      _module_of(sel._data if isinstance(sel, Tensor) else sel))
        if won is not None:
            sel = sel * won
    return sel


index_put: Primitive = Primitive(
    "index_put",
    _index_put_fwd,
    (
        _dtarget,
        _dvalue,
    ),
    reads_inputs=False,
    doc="""``index_put(x, v, index=index)``: ``x`` with ``v`` written at ``index``, out of place.

The record behind ``x[index] = v``: same shape and dtype as ``x``, ``v`` broadcast to the indexed
shape; ``x`` gets no gradient at the overwritten places, ``v`` the gradient of the slots it filled
(repeated indices: the slot that won).  PyTorch: ``torch.index_put`` (without ``accumulate``).""",
)


def _private_index(idx: tuple[Any, ...]) -> tuple[Any, ...]:
    """The index with its arrays copied, so later changes to a mask don't alter the record."""
    return tuple(i.copy() if _is_array(i) else i for i in idx)


def setitem(t: Tensor, index: Any, value: Any) -> None:
    """``t[index] = value``; a ``value`` that requires grad receives the gradient of the slots it
    filled and the overwritten slots of ``t`` get none.

    >>> import autograd as ag
    >>> x = ag.zeros(3)
    >>> w = ag.tensor(2.0, requires_grad=True)
    >>> x[1:] = w
    >>> (x * ag.tensor([1.0, 2.0, 3.0])).sum().backward()
    >>> w.grad
    tensor(5.0)
    """
    _setitem(t, index, value, "__setitem__")


def _setitem(t: Tensor, index: Any, value: Any, op: str) -> None:
    _check_target(t, op)
    idx, _ = _normalize(index, t._data)
    if _recording(t, (value,), op):
        pidx = _private_index(idx)
        _inplace(t, op, lambda s, v: index_put(s, v, index=pidx), (value,), reads=False)
        return
    v = value._data if isinstance(value, Tensor) else as_operand(value, op)
    d = t._data
    if is_device_array(d) and not isinstance(value, Tensor) and is_array(v) \
            and not is_device_array(v):
        v = transfer(v, device_of(d))  # host numbers written into a GPU tensor, as PyTorch does
    if type(d) is float:
        t._data = float(_index_put_fwd(xp.asarray(d), v, idx))
    else:
        _check_writeable(d, op)
        try:
            d[idx] = v
        except (ValueError, IndexError) as e:
            raise type(e)(
                f"{op}: cannot assign a value of shape {tuple(xp.shape(v))} to index "
                f"{_show(idx)} of a tensor of shape {d.shape}: {e}"
            ) from e
    tape.bump_version(t)


def fill_(t: Tensor, value: Any) -> Tensor:
    """Set every element to ``value`` (a number, or a Tensor broadcast to ``t``'s shape).

    Nothing of ``t``'s earlier history survives, so no gradient flows back into it (a buffer
    refilled in a loop doesn't drag its old graphs along)."""
    _setitem(t, Ellipsis, value, "fill_")
    return t


def copy_(t: Tensor, src: Any) -> Tensor:
    """Copy ``src`` (broadcast to ``t``'s shape, cast to its dtype) into ``t``; gradient flows to
    ``src`` and none into ``t``'s earlier history (see ``fill_``)."""
    _setitem(t, Ellipsis, src, "copy_")
    return t


from ..devices import array_module as _module_of  # noqa: E402
from ..devices import is_array as _is_array  # noqa: E402
from .indexing import _normalize, getitem  # noqa: E402  (indexing imports the core first)
