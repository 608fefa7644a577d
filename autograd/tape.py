"""The tape: how operations are recorded and how ``backward`` walks them.

The record
    Every differentiable operation executed while grad mode is on and at least one input requires
    grad makes one *record*, a :class:`Node` (what PyTorch calls ``grad_fn``), pointed to by its
    output tensor(s) (``t._node``; ``t._idx`` is the output's index for multi-output primitives).
    Its fields, all slots, set in one place (``Primitive.__call__``, or ``Node.__init__`` for
    multi-output primitives and ``autograd.Function``):

    * ``prim``: the primitive: forward, one gradient rule per input, flags (``autograd.primitive``),
    * ``args``: the input *data* (arrays or Python floats) the rules read; never output tensors,
      so a graph holds no reference cycles and is freed by reference counting,
    * ``inputs``: per input, the Tensor its gradient is routed to, ``None`` for constants,
    * ``params``: keyword arguments (axis, shapes, ...) or ``None``; ``out``: the output data, only
      for primitives whose rules read the result (``exp``, ``tanh``, ...; ``save_out``),
    * ``seq``: its number from one global counter, ``clock``: the modification clock then,
    * ``n_out``: number of outputs, ``g``: the gradient arriving during a walk (a list of
      per-output gradients when ``n_out > 1``), ``None`` otherwise.

    ``consts``: the Tensor inputs without grad, whose data the rules may read (in-place checks);
    ``out_vc``: the output's version list when ``out`` is saved; ``rare``: ``None``, or a dict
    holding ``hooks``, ``retained`` (``retain_grad``) or the anomaly-mode ``trace`` (properties of
    the same names read and set it), so the walk tests one slot for all of them.

    The tape is therefore not one global list but the records reachable from an output;
    independent graphs (or graphs built in two threads) share nothing.  ``seq`` order is a
    topological order: a record is newer than the records of its inputs.

The walk
    ``backward`` starts from a virtual record, newer than any real one, whose inputs are the roots
    and whose rules return the seeds, and visits records newest-first from a heap keyed on
    ``-seq``.  A record is popped only after every newer record was, so every consumer of its
    output has contributed by then: its gradient (slot ``g``) is complete.  For each input the
    rule's result is reduced to the input's shape (``unbroadcast``, the one broadcast-reduction
    helper; one comparison when it already fits) and routed: into the slot ``g`` of the record that
    made the input (pushing that record on the heap on the first arrival), or, for a leaf, into
    this walk's ``leaf -> gradient`` dict.  Leaves are handled after the loop: hooks, then
    ``.grad`` accumulation under a lock (several threads may share a leaf).  Only records the
    roots depend on are visited, and the walk is a loop, never recursion, so a chain of a million
    operations backs up as easily as ten.  Hooks, ``retain_grad``, captured gradients
    (``autograd.grad``), in-place checks and anomaly mode each cost one comparison per record or
    per input when unused.  Pending gradients live on the records, so two walks through the same
    retained graph must not run at the same time in two threads (separate graphs may, and may
    share leaves).

Memory
    After a record is used its buffers (``args``, ``inputs``, ``params``, ``out``) are dropped,
    unless ``retain_graph=True``; a walk that raises leaves no gradient behind in any slot.  A
    second walk through a freed record raises a RuntimeError that says to pass
    ``retain_graph=True``.

In-place safety
    Every in-place operation stamps the modified tensor with a fresh value of a global modification
    clock (``bump_version``).  A record remembers the clock when it was made; when the clock has
    moved since (one comparison), the walk checks whether a tensor whose data a rule reads was
    modified after that and raises instead of using stale data.

Higher order
    With ``create_graph=True`` the rules are called with Tensors instead of arrays, so the walk
    itself is recorded and can be differentiated again.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from typing import TYPE_CHECKING, Any

from .backend import xp
from .devices import array_module, is_array
from .grad_mode import enable_grad, no_grad, state

ndarray = xp.ndarray
_add_reduce = xp.add.reduce

if TYPE_CHECKING:
    from .primitive import Primitive
    from .tensor import Tensor
else:
    Tensor = None  # installed by autograd.tensor, which imports this module first (a cycle)

_seq = itertools.count()
_NEWEST = 1 << 62  # seq of the virtual record a walk starts from (newer than any real one)
_clock = 0  # global modification clock, advanced by every in-place operation
anomaly_seen = False  # set once anomaly mode is first enabled: records check the flag only then
# Serialises gradient accumulation into leaves: backward calls running in several threads into
# a shared leaf must not lose a contribution to a read-modify-write of ``.grad`` (as in PyTorch).
_grad_lock = threading.Lock()


def identity(g: Any, out: Any, *args: Any, **params: Any) -> Any:
    """The gradient rule of inputs that pass the output's gradient through unchanged (``a + b``);
    the walker recognises it and skips the call."""
    return g


def now() -> int:
    """Current value of the modification clock."""
    return _clock


# A tensor's version history ``_vc`` is a list shared with its views: ``[count, clock, ...]``,
# the number of in-place modifications and the clock values of the latest ones (at most
# ``_KEEP``: enough to tell exactly which version an older record saw, without growing forever
# for a parameter an optimizer updates at every step).  ``[]`` means never modified.
_KEEP = 64


def bump_version(t: Tensor) -> None:
    """Mark ``t`` (and every view sharing its storage) as modified in place now."""
    global _clock
    _clock += 1
    vc = t._vc
    if vc is None:
        vc = t._vc = []
    if vc:
        vc[0] += 1
        if len(vc) > 2 * _KEEP:
            del vc[1 : _KEEP + 1]
    else:
        vc.append(1)
    vc.append(_clock)


def version(vc: list[int] | None) -> int:
    """How many times the data behind a version history was modified in place."""
    return vc[0] if vc else 0


def expected_version(vc: list[int] | None, clock: int) -> str:
    """'expected version N': the version count as it was at ``clock``, for error messages."""
    if not vc:
        return "expected version 0"
    n = vc[0] - sum(1 for c in vc[1:] if c > clock)
    trimmed = len(vc) - 1 < vc[0] and vc[1] > clock  # older clocks were dropped
    return f"expected version {'at most ' if trimmed else ''}{n}"


def track_views(base: Tensor, views: Sequence[Tensor]) -> None:
    """Remember recorded views of ``base`` (weakly), so that a recorded in-place change of
    ``base`` can give them a fresh history (``autograd.ops.inplace``)."""
    extra = base._extra
    if extra is None:
        extra = base._extra = {}
    reg = extra.get("views")
    if reg is None:
        reg = extra["views"] = {}
    elif len(reg) >= 16 and len(reg) & (len(reg) - 1) == 0:  # now and then: drop dead views
        for k in [k for k, r in reg.items() if r() is None]:
            del reg[k]
    for v in views:
        reg[id(v)] = weakref.ref(v)


class _Rare:
    """A record field that is rarely set, kept in the record's ``rare`` dict (``None`` unset)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, node: Node | None, owner: type | None = None) -> Any:
        if node is None:
            return self
        return None if node.rare is None else node.rare.get(self.name)

    def __set__(self, node: Node, value: Any) -> None:
        if node.rare is None:
            node.rare = {}
        node.rare[self.name] = value


class Node:
    """One record on the tape (what PyTorch calls ``grad_fn``).

    ``Primitive.__call__`` sets the same fields inline (the hot path): a field added here must be
    set there too (``tests/autograd/test_tape.py`` checks that both set every slot).
    """

    # Every field is a slot (one comparison to test it); the rare ones (hooks, retained outputs,
    # the anomaly-mode creation trace) share one dict in ``rare``, ``None`` until one is set.
    __slots__ = ("prim", "args", "inputs", "params", "out", "seq", "clock", "n_out", "g",
                 "consts", "out_vc", "rare", "__weakref__")

    consts: Sequence[Tensor] | None  # inputs that need no grad, for in-place checks
    out_vc: list[int] | None  # version list of the output, when ``out`` is saved
    rare: dict[str, Any] | None
    hooks = _Rare()  # tensor hooks of the outputs: {output index: [hook, ...]}
    retained = _Rare()  # retain_grad() outputs: [(output index, weak reference), ...]
    trace = _Rare()  # where the record was made (anomaly mode)

    def __init__(
        self,
        prim: Primitive,
        args: Sequence[Any],
        inputs: Sequence[Tensor | None],
        params: dict[str, Any] | None,
        out: Any,
        n_out: int = 1,
    ) -> None:
        self.prim = prim
        self.args: Sequence[Any] | None = args
        self.inputs: Sequence[Tensor | None] | None = inputs
        self.params = params
        self.out = out
        self.seq = next(_seq)
        self.clock = _clock
        self.n_out = n_out
        self.g: Any = None
        self.consts = self.out_vc = self.rare = None
        if anomaly_seen:
            self.trace_if_anomaly()

    def trace_if_anomaly(self) -> None:
        """In anomaly mode, remember where this record was made."""
        if state.anomaly:
            from .anomaly import creation_trace

            self.trace = creation_trace()

    def name(self) -> str:
        return f"{self.prim.name.title().replace('_', '')}Backward"

    @property
    def next_functions(self) -> tuple[tuple[Node | None, int], ...]:
        """(record, output index) feeding each input, ``(None, 0)`` for leaves and constants."""
        if self.inputs is None:
            return ()
        feeds = (as_recorded(t, self.seq) if t is not None else None for t in self.inputs)
        return tuple((t._node, t._idx) if t is not None else (None, 0) for t in feeds)

    def __repr__(self) -> str:
        return f"<{self.name()}>"


def unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``g`` over the axes that broadcasting added or stretched, so it has ``shape``.

    The one broadcast-reduction helper: every gradient is passed through it by the walker.
    Works for arrays and (under ``create_graph``) Tensors alike.
    """
    gshape = g.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    if lead:  # added leading axes (a bias over a batch, the common case): one plain sum
        axis = 0 if lead == 1 else tuple(range(lead))
        # ndarray.sum goes through a Python wrapper in NumPy; add.reduce is the same sum
        g = _add_reduce(g, axis) if type(g) is ndarray else g.sum(axis=axis)
        gshape = g.shape
        if gshape == shape:
            return g
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and gshape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g if g.shape == shape else g.reshape(shape)


def _freed_error(node: Node) -> RuntimeError:
    return RuntimeError(
        f"Trying to backward through the graph a second time (through {node.name()}): its saved "
        "buffers were already freed. Specify retain_graph=True on the first backward() or "
        "autograd.grad() call if you need to backward through the graph again."
    )


def _modified_error(node: Node, t: Tensor, what: str) -> RuntimeError:
    vc = t._vc
    expected = expected_version(vc, node.clock)
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{t.dtype} tensor of shape {tuple(t.shape)}], which is {what} of "
        f"{node.name()}, is at version {version(vc)}; {expected} instead. "
        f"Use an out-of-place operation (or .clone()) before modifying it.{_anomaly_hint(node)}"
    )


class _Seeds:
    """The primitive of the virtual record that starts a walk: it consumes the roots, and the
    gradient rule of its input ``i`` returns seed ``i``.  Seeding is therefore routed by the same
    code as every other gradient."""

    name = "seed"
    save_out = False
    reads_inputs = False

    def __init__(self, n: int) -> None:
        self.vjps = tuple((lambda g, out, i=i: g[i]) for i in range(n))


_SEEDERS: dict[int, _Seeds] = {}  # by number of roots


def run_backward(
    roots: Sequence[Tensor],
    seeds: Sequence[Any],
    *,
    retain_graph: bool,
    create_graph: bool,
    capture: Sequence[Tensor] | None = None,
    accumulate: bool = True,
) -> list[Any] | None:
    """Walk the tape from ``roots`` (gradients ``seeds``) back to the leaves.

    With ``accumulate`` the leaf gradients are added to ``.grad``; with ``capture`` the gradients
    reaching those tensors (leaves or not) are returned instead, in order, ``None`` where none
    arrived.  Seeds are arrays, or Tensors when ``create_graph``.
    """
    wrap = Tensor._wrap_grad if create_graph else None
    leaf_grads: dict[Tensor, Any] = {}  # leaf -> its gradient in this walk
    cap_nodes: dict[tuple[Node, int], int] = {}
    cap_leaves: dict[int, int] = {}
    captured: list[Any] = []
    t: Any  # an input during the walk, a leaf afterwards
    if capture is not None:
        captured = [None] * len(capture)
        for k, c in enumerate(capture):
            if c._node is not None:
                cap_nodes[(c._node, c._idx)] = k
            else:
                cap_leaves[id(c)] = k
    # The walk starts at a virtual record, newer than every real one, whose inputs are the roots.
    seeder = _SEEDERS.get(len(roots))
    if seeder is None:
        seeder = _SEEDERS[len(roots)] = _Seeds(len(roots))
    start = Node(seeder, (),  # type: ignore[arg-type]
                 tuple(r if r.requires_grad else None for r in roots), None, None)
    start.seq = _NEWEST
    start.rare = None  # no anomaly trace for the seeds
    start.g = list(seeds)
    heap: list[tuple[int, Node]] = [(-_NEWEST, start)]
    anomaly = anomaly_seen
    try:
        # the walk itself is recorded only with create_graph (that is how higher orders work)
        with enable_grad() if create_graph else no_grad():
            while heap:
                node = heappop(heap)[1]
                g = node.g
                node.g = None
                if node.rare is not None or cap_nodes:  # hooks, retain_grad, capture
                    g = _node_output_hooks(node, g, cap_nodes, captured, wrap)
                inputs = node.inputs
                if inputs is None:
                    raise _freed_error(node)
                args: Sequence[Any] = node.args  # type: ignore[assignment]  # set with inputs
                if node.clock != _clock:
                    inputs = _check_modified(node, inputs)
                out = node.out
                if create_graph:
                    args, out = _as_tensors(node, args, inputs)
                vjps = node.prim.vjps
                params = node.params
                for i, t in enumerate(inputs):
                    rule = vjps[i]
                    if t is None or rule is None:  # a constant, or an input without a gradient
                        continue
                    if rule is identity:  # add, sub, ...: no call needed
                        gi = g
                    else:
                        try:
                            gi = rule(g, out, *args, **params) if params else rule(g, out, *args)
                        except ZeroDivisionError:
                            gi = _rule_on_numpy_scalars(rule, g, out, args, params)
                        if gi is None:
                            continue
                    # reduce to the input's shape and dtype; one comparison when they fit
                    d = t._data
                    if type(gi) is float:
                        if type(d) is not float:
                            gi = _fit(gi, t, node, i)
                    elif type(d) is float or gi.shape != d.shape or (
                        gi.dtype is not d.dtype and gi.dtype != d.dtype
                    ):
                        gi = _fit(gi, t, node, i)
                    if anomaly and node.trace is not None:
                        from .anomaly import check_finite

                        check_finite(node, i, gi)
                    # route it: into the producing record's slot (queued on first arrival), or
                    # into this walk's gradient for a leaf
                    tn = t._node
                    if tn is None:
                        prev = leaf_grads.get(t)
                        leaf_grads[t] = gi if prev is None else prev + gi
                    elif tn.n_out == 1:
                        prev = tn.g
                        if prev is None:
                            tn.g = gi
                            heappush(heap, (-tn.seq, tn))
                        else:
                            tn.g = prev + gi
                    else:
                        slots = tn.g
                        if slots is None:
                            slots = tn.g = [None] * tn.n_out
                            heappush(heap, (-tn.seq, tn))
                        k = t._idx
                        slots[k] = gi if slots[k] is None else slots[k] + gi
                if not retain_graph:
                    node.args = node.inputs = node.params = node.out = node.consts = None
    finally:  # after an error, no record keeps a gradient of this walk
        for _, node in heap:
            node.g = None

    # Leaves: hooks, then capture or accumulate.  A gradient stored in ``.grad`` must not alias
    # another gradient or the caller's seed, so shared or borrowed buffers are copied once here.
    stored: set[int] = {id(s) for s in seeds}
    for t, g in leaf_grads.items():
        if t._extra is not None:
            g = _leaf_hooks(t, g)
        slot = cap_leaves.get(id(t))
        if slot is not None:
            captured[slot] = g if captured[slot] is None else captured[slot] + g
            continue
        if not accumulate:
            continue
        if create_graph:
            if id(g) in stored:
                g = g * 1
            stored.add(id(g))
        elif type(g) is not float:
            if id(g) in stored or g.base is not None or not (type(g) is not ndarray
                                                              or g.flags.writeable):
                g = g.copy()
            stored.add(id(g))
        _accumulate(t, g, create_graph, wrap)
        if t._extra is not None and t._extra.get("post_hooks"):
            for h in list(t._extra["post_hooks"].values()):
                h(t)
    return captured if capture is not None else None


def _rule_on_numpy_scalars(
    rule: Callable[..., Any], g: Any, out: Any, args: Sequence[Any], params: Any
) -> Any:
    """Python floats raise on x/0; NumPy scalars give inf/nan as an array rule would."""
    f64 = xp.float64

    def conv(v: Any) -> Any:
        return f64(v) if type(v) is float else v

    with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
        gi = rule(conv(g), conv(out), *map(conv, args), **(params or {}))
    return float(gi) if isinstance(gi, xp.generic) else gi


def _fit(gi: Any, t: Tensor, node: Node, i: int) -> Any:
    """Reduce a rule's result to input ``t``'s shape and dtype (broadcasting, promotion)."""
    d = t._data
    if type(d) is float:  # scalar fast path: keep Python floats where we can
        if type(gi) is float:
            return gi
        if gi.shape:
            gi = unbroadcast(gi, ())
        return gi if type(gi) is not ndarray and not isinstance(gi, xp.generic) else float(gi)
    if type(gi) is float or isinstance(gi, xp.generic):
        return array_module(d).full(d.shape, gi, dtype=d.dtype)
    if gi.shape != d.shape:
        try:
            gi = unbroadcast(gi, d.shape)
        except ValueError as e:  # pragma: no cover - a rule bug, not a user error
            raise RuntimeError(
                f"{node.name()} returned a gradient of shape {tuple(gi.shape)} for input {i} "
                f"of shape {d.shape}"
            ) from e
    if gi.dtype != d.dtype:
        gi = gi.astype(d.dtype)
    return gi


def _as_tensors(node: Node, args: Sequence[Any], inputs: Sequence[Any]) -> tuple[Any, Any]:
    """Arguments as Tensors for a recorded (create_graph) walk; recompute ``out`` if needed."""
    targs = tuple(
        inp if inp is not None else (Tensor._const(a) if is_array(a) else a)
        for a, inp in zip(args, inputs)
    )
    out = None
    if node.prim.save_out:
        out = node.prim(*targs, **(node.params or {}))
    return targs, out


def _check_modified(node: Node, inputs: Sequence[Any]) -> Sequence[Any]:
    """Something was modified in place since ``node`` was recorded: was it data the node reads?

    Returns the inputs to route gradients to: an input whose history moved on (an in-place
    operation recorded after ``node``) is replaced by the version ``node`` saw.
    """
    reads = node.prim.reads_inputs
    clock = node.clock
    resolved: list[Any] | None = None
    for i, t in enumerate(inputs):
        if t is None:
            continue
        vc = t._vc
        if vc and vc[-1] > clock:
            if reads:
                raise _modified_error(node, t, f"input {i}")
            tn = t._node
            if tn is not None and tn.seq > node.seq:
                if resolved is None:
                    resolved = list(inputs)
                resolved[i] = as_recorded(t, node.seq)
    if reads and node.consts:
        for t in node.consts:
            vc = t._vc
            if vc and vc[-1] > clock:
                raise _modified_error(node, t, "a constant (no-grad) input")
    vc = node.out_vc
    if vc and vc[-1] > clock:
        out = node.out
        shape = () if type(out) is float else tuple(out.shape)
        dtype = "float64" if type(out) is float else out.dtype
        expected = expected_version(vc, clock)
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{dtype} tensor of shape {shape}], which is output 0 of "
            f"{node.name()} (saved for its backward), is at version {version(vc)}; "
            f"{expected} instead. Use an out-of-place operation (or .clone()) before modifying "
            f"it.{_anomaly_hint(node)}"
        )
    return tuple(resolved) if resolved is not None else inputs


def as_recorded(t: Tensor, seq: int) -> Tensor:
    """``t`` as it was when record number ``seq`` was made.

    A recorded in-place operation moves a tensor's history to a new record; records made before
    it must still send their gradients to the version they used, which the tensor keeps (see
    ``autograd.ops.inplace``).
    """
    extra = t._extra
    hist = extra.get("history") if extra is not None else None
    if not hist:
        return t
    for start, prev in reversed(hist):
        if start <= seq:
            break
        t = prev
    return t


def _anomaly_hint(node: Node) -> str:
    if node.trace is not None:
        return f" The forward operation that saved it was created at:\n{node.trace}"
    return (
        " Hint: enable anomaly detection (autograd.detect_anomaly()) to see where the operation "
        "that saved it was created."
    )


def _node_output_hooks(
    node: Node, g: Any, cap_nodes: dict[tuple[Node, int], int], captured: list[Any], wrap: Any
) -> Any:
    """Apply tensor hooks, retain_grad and capture for a non-leaf output's complete gradient."""
    from .hooks import hook_result
    multi = node.n_out > 1
    for idx in range(node.n_out):
        gi = g[idx] if multi else g
        if gi is None:
            continue
        hooks = node.hooks.get(idx) if node.hooks is not None else None
        if hooks:
            for h in list(hooks):
                r = h(Tensor._wrap_grad(gi) if wrap is None else gi)
                if r is not None:
                    gi = hook_result(h, r, gi, wrap is not None)
            if wrap is None:
                gi = _copy(gi)  # a hook may keep its argument: don't pass that buffer on
        if node.retained is not None:
            for ridx, ref in node.retained:
                t = ref()
                if ridx == idx and t is not None:
                    # like a leaf's, a retained grad accumulates over backward calls
                    if wrap is not None:
                        t.grad = gi if t.grad is None else t.grad + gi
                    elif t.grad is None:
                        t.grad = Tensor._wrap_grad(_copy(gi))
                    else:
                        t.grad = Tensor._wrap_grad(t.grad._data + gi)
        k = cap_nodes.get((node, idx))
        if k is not None:
            captured[k] = gi
        if multi:
            g[idx] = gi
        else:
            g = gi
    return g


def _copy(g: Any) -> Any:
    return g if type(g) is float else g.copy()


def _leaf_hooks(t: Tensor, g: Any) -> Any:
    from .hooks import hook_result
    extra = t._extra
    assert extra is not None
    hooks = extra.get("hooks")
    if not hooks:
        return g
    create = isinstance(g, Tensor)
    for h in list(hooks.values()):
        r = h(g if create else Tensor._wrap_grad(g))
        if r is not None:
            g = hook_result(h, r, g, create)
    # a hook may keep its argument (or return an array it keeps): .grad gets its own buffer
    return g if create else _copy(g)


def _accumulate(t: Tensor, g: Any, create_graph: bool, wrap: Any) -> None:
    with _grad_lock:
        if create_graph:
            t.grad = g if t.grad is None else t.grad + g
            return
        cur = t.grad
        if cur is None:
            t.grad = Tensor._make(g, None, False)
        elif cur.requires_grad or type(cur._data) is float or type(g) is float:
            # a grad that is itself part of a graph (from create_graph) is never mutated
            t.grad = Tensor._wrap_grad(cur._data + g) if not cur.requires_grad else cur + g
        else:
            cur._data += g  # we own this buffer (never aliased, see above): accumulate in place
