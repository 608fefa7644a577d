"""Custom differentiable functions: subclass :class:`Function`, call ``MyFn.apply(...)``.

``forward(ctx, *args, **kwargs)`` runs on Tensors with recording off (as in PyTorch) and returns a
Tensor or a tuple of Tensors; ``backward(ctx, *grads)`` receives one gradient Tensor per output and
returns one gradient (or ``None``) per positional input of ``forward``.  Between the two, ``ctx``
carries ``save_for_backward``/``saved_tensors`` and any attribute you set on it.

How it sits on the tape: each subclass gets a :class:`~autograd.primitive.Primitive` (cached per
number of inputs and outputs) whose rules call the user's ``backward``.  The walker calls one rule
per input that needs a gradient, in input order, all with the same output gradient ``g``; the rule
of the first such input runs ``backward`` once and stores every input's gradient on ``ctx``, the
later rules take theirs from there, and the last one drops the store.  So ``backward`` runs once per
backward step however many inputs there are.  Under ``create_graph=True`` the walker records, so
``backward`` gets Tensors whose operations are recorded and the result can be differentiated again.

>>> import autograd as ag
>>> class ClippedExp(ag.Function):
...     '''exp(min(x, 5)): saves its output and reuses it in backward.'''
...     @staticmethod
...     def forward(ctx, x):
...         y = x.clip(None, 5.0).exp()
...         ctx.save_for_backward(x, y)
...         return y
...     @staticmethod
...     def backward(ctx, gy):
...         x, y = ctx.saved_tensors
...         return gy * y * (x < 5.0)
>>> x = ag.tensor([0.0, 1.0, 7.0], requires_grad=True)
>>> ClippedExp.apply(x).sum().backward()
>>> x.grad
tensor([1.        , 2.71828183, 0.        ])
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from typing import Any

from . import tape
from .backend import xp
from .devices import array_module, device_of, is_array
from .grad_mode import no_grad, state
from .primitive import Primitive
from .tape import Node
from .tensor import Tensor


def _shape(d: Any) -> tuple[int, ...]:
    return () if type(d) is float else tuple(d.shape)


def _version(t: Tensor) -> int:
    return tape.version(t._vc)


def _expandable(small: tuple[int, ...], big: tuple[int, ...]) -> bool:
    """Whether ``small`` broadcasts to ``big`` (a gradient of shape ``big`` sums back to it)."""
    if len(small) > len(big):
        return False
    return all(s == b or s == 1 for s, b in zip(small[::-1], big[::-1], strict=False))


class _SavedOutput:
    """A saved output of ``forward``, stored without a reference to its record (no cycle).

    The output Tensor points at the record, the record at ``ctx``: holding the Tensor itself would
    make a cycle.  Unpacking rebuilds an equivalent Tensor (same data, record, index and version
    list), so under ``create_graph`` operations on it are recorded as depending on this output.
    """

    __slots__ = ("data", "idx", "vc")

    def __init__(self, t: Tensor, idx: int) -> None:
        self.data = t._data
        self.idx = idx
        if type(t._data) is not float and t._vc is None:
            t._vc = []  # share one version list so in-place changes of the output are seen
        self.vc = t._vc


class FunctionCtx:
    """The ``ctx`` passed to ``forward`` and ``backward``; set any other attribute you need."""

    def __init__(self) -> None:
        self.needs_input_grad: tuple[bool, ...] = ()
        self.materialize_grads = True
        self._fn_name = "Function"
        self._saved: list[tuple[Any, int]] = []
        self._non_diff: set[int] = set()
        self._node_ref: weakref.ref[Node] | None = None
        self._cache: list[Any] | None = None
        self._cache_g: Any = None
        self._out_meta: list[tuple[tuple[int, ...], Any, Any]] = []

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep Tensors (inputs, outputs or intermediates) for ``backward``; in-place changes to
        them afterwards are detected when ``backward`` reads ``saved_tensors``."""
        for k, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    f"{self._fn_name}.forward: save_for_backward can only save Tensors (or None), "
                    f"got a {type(t).__name__} at position {k}; store other values as attributes "
                    "of ctx (ctx.something = value)"
                )
        self._saved = [(t, _version(t) if t is not None else 0) for t in tensors]

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        """The Tensors given to ``save_for_backward``, checked against in-place modification."""
        res: list[Tensor | None] = []
        for k, (entry, version) in enumerate(self._saved):
            if isinstance(entry, _SavedOutput):
                node = self._node_ref() if self._node_ref is not None else None
                t = Tensor._make(entry.data, node, node is not None)
                t._idx = entry.idx
                t._vc = entry.vc
            else:
                t = entry
            if t is not None and _version(t) != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: [{t.dtype} tensor of shape {tuple(t.shape)}], which "
                    f"is saved tensor {k} of {self._fn_name}Backward, is at version "
                    f"{_version(t)}; expected version {version} instead. Use an out-of-place "
                    "operation (or .clone()) before modifying it."
                )
            res.append(t)
        return tuple(res)

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        """Declare outputs (Tensors ``forward`` returns) that get no gradient (indices, masks).

        ``backward`` still receives a gradient for them: zeros (or ``None`` after
        ``set_materialize_grads(False)``).
        """
        for t in outputs:
            if not isinstance(t, Tensor):
                raise TypeError(
                    f"{self._fn_name}.forward: mark_non_differentiable expects output Tensors, "
                    f"got a {type(t).__name__}"
                )
            self._non_diff.add(id(t))

    def set_materialize_grads(self, value: bool) -> None:
        """With ``False``, ``backward`` gets ``None`` (not zeros) for outputs without gradient."""
        self.materialize_grads = bool(value)


class Function:
    """Base class of custom differentiable operations (see the module docstring).

    Subclasses define static ``forward(ctx, *args, **kwargs)`` and ``backward(ctx, *grads)`` and
    are used through :meth:`apply`.  Keyword arguments of ``forward`` are settings: they get no
    gradient, so Tensors that need one must be passed positionally.
    """

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("forward")

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        raise NotImplementedError("backward")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` on ``args`` and record the call so ``backward`` is used for gradients."""
        name = cls.__name__
        if cls.forward is Function.forward:
            raise NotImplementedError(
                f"{name} must define a static forward(ctx, *args) method (and backward)"
            )
        for k, v in kwargs.items():
            if isinstance(v, Tensor) and v.requires_grad:
                raise TypeError(
                    f"{name}.apply: keyword argument {k!r} is a Tensor that requires grad, but "
                    "keyword arguments get no gradient; pass it positionally"
                )
        ctx = FunctionCtx()
        ctx._fn_name = name
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        record = state.enabled and any(needs)
        ctx.needs_input_grad = needs if record else (False,) * len(args)
        with no_grad():
            raw = cls.forward(ctx, *args, **kwargs)
        is_tuple = isinstance(raw, (tuple, list))
        outs = _as_outputs(raw, name)
        diff = [
            record and o.dtype.kind == "f" and id(o) not in ctx._non_diff for o in outs
        ]
        if not any(diff):
            return _result(_detached_outputs(outs), is_tuple)
        node = Node(
            _primitive(cls, len(args), len(outs)),
            (None,) * len(args),  # the rules read ctx, not the arguments: keep nothing alive
            tuple(a if n else None for a, n in zip(args, needs, strict=True)),
            {"ctx": ctx},
            None,
            len(outs),
        )
        ctx._node_ref = weakref.ref(node)
        # with each output's array module: a materialized zero gradient is made on its device
        ctx._out_meta = [(_shape(o._data), o.dtype, array_module(o._data)) for o in outs]
        results = _attach_outputs(outs, args, diff, node)
        ctx._saved = [_unlink_output(e, v, outs, results, diff) for e, v in ctx._saved]
        return _result(results, is_tuple)


def _as_outputs(raw: Any, name: str) -> list[Tensor]:
    items = list(raw) if isinstance(raw, (tuple, list)) else [raw]
    if not items:
        raise TypeError(f"{name}.forward returned an empty tuple; return at least one Tensor")
    outs: list[Tensor] = []
    for k, o in enumerate(items):
        if isinstance(o, Tensor):
            outs.append(o)
        elif is_array(o) or isinstance(o, xp.generic):
            outs.append(Tensor(o, device=device_of(o)))  # an array stays on its device
        else:
            raise TypeError(
                f"{name}.forward must return a Tensor or a tuple of Tensors, but output {k} is a "
                f"{type(o).__name__}"
            )
    return outs


def _result(outs: Sequence[Tensor], is_tuple: bool) -> Any:
    return tuple(outs) if is_tuple else outs[0]


def _is_fresh(o: Tensor, args: tuple[Any, ...], seen: set[int]) -> bool:
    """A Tensor made inside ``forward``: safe to become the output itself."""
    return (
        o._node is None and not o.requires_grad and id(o) not in seen
        and all(o is not a for a in args)
    )


def _alias(o: Tensor, node: Node | None) -> Tensor:
    """A new Tensor sharing ``o``'s data and version list (for outputs that are inputs etc.)."""
    t = Tensor._make(o._data, node, node is not None)
    if type(o._data) is not float:
        if o._vc is None:
            o._vc = []
        t._vc = o._vc
    return t


def _detached_outputs(outs: list[Tensor]) -> list[Tensor]:
    """Outputs when nothing is recorded: an input returned as-is comes back outside any graph."""
    return [o if (o._node is None and not o.requires_grad) else _alias(o, None) for o in outs]


def _attach_outputs(
    outs: list[Tensor], args: tuple[Any, ...], diff: list[bool], node: Node
) -> list[Tensor]:
    seen: set[int] = set()
    res: list[Tensor] = []
    for i, (o, d) in enumerate(zip(outs, diff, strict=True)):
        fresh = _is_fresh(o, args, seen)
        seen.add(id(o))
        if not d:
            res.append(o if fresh else _alias(o, None))
            continue
        t = o if fresh else _alias(o, node)
        t._node = node
        t._idx = i
        t.requires_grad = True
        res.append(t)
    return res


def _unlink_output(
    entry: Any, version: int, outs: list[Tensor], results: list[Tensor], diff: list[bool]
) -> tuple[Any, int]:
    """Saved entries that became differentiable outputs are kept without the Tensor (no cycle).

    An input returned unchanged stays saved as the input (its output is a separate alias).
    """
    if entry is None:
        return (None, 0)
    for i, (o, d) in enumerate(zip(outs, diff, strict=True)):
        if d and entry is o and results[i] is o:
            return (_SavedOutput(o, i), version)
    return (entry, version)


_CAPITAL = re.compile(r"(?<!^)(?=[A-Z])")


def _primitive(cls: type[Function], n_in: int, n_out: int) -> Primitive:
    """The cached primitive of ``cls`` for this many inputs and outputs."""
    cache: dict[tuple[int, int], Primitive] | None = cls.__dict__.get("_tapegrad_prims")
    if cache is None:
        cache = {}
        cls._tapegrad_prims = cache  # type: ignore[attr-defined]
    prim = cache.get((n_in, n_out))
    if prim is None:
        # Node.name() title-cases the name and drops underscores: "My_Exp" -> "MyExpBackward".
        name = _CAPITAL.sub("_", cls.__name__)

        def fwd(*args: Any, **params: Any) -> Any:
            raise RuntimeError(f"{cls.__name__}: call {cls.__name__}.apply(...)")

        rules = tuple(_make_rule(cls, i) for i in range(n_in))
        prim = Primitive(name, fwd, rules, reads_inputs=False, n_out=n_out)
        cache[(n_in, n_out)] = prim
    return prim


def _make_rule(cls: type[Function], i: int) -> Any:
    def rule(g: Any, out: Any, *args: Any, ctx: FunctionCtx) -> Any:
        return _input_grad(cls, ctx, i, g, len(args))

    return rule


def _input_grad(cls: type[Function], ctx: FunctionCtx, i: int, g: Any, n_in: int) -> Any:
    """Input ``i``'s gradient for this backward step, running ``backward`` once per step."""
    needs = ctx.needs_input_grad
    first = needs.index(True)
    if i == first or ctx._cache is None or ctx._cache_g is not g:
        ctx._cache = _run_backward(cls, ctx, g, n_in)
        ctx._cache_g = g
    gi = ctx._cache[i]
    if not any(needs[i + 1:]):  # the last input the walker asks about: drop the store
        ctx._cache = ctx._cache_g = None
    return gi


def _run_backward(cls: type[Function], ctx: FunctionCtx, g: Any, n_in: int) -> list[Any]:
    name = cls.__name__
    if cls.backward is Function.backward:
        raise NotImplementedError(
            f"{name} defines no backward(ctx, *grads); it is needed to differentiate through it"
        )
    meta = ctx._out_meta
    gs = list(g) if len(meta) > 1 else [g]
    create = any(isinstance(x, Tensor) for x in gs)
    targs: list[Any] = []
    for x, (shape, dtype, mod) in zip(gs, meta, strict=True):
        if x is None:
            if ctx.materialize_grads:
                z = mod.zeros(shape, dtype=dtype)
                x = Tensor._const(z)
        elif not isinstance(x, Tensor):
            x = Tensor._const(x)
        targs.append(x)
    res = cls.backward(ctx, *targs)
    grads = list(res) if isinstance(res, tuple) else [res]
    if len(grads) < n_in or any(r is not None for r in grads[n_in:]):
        raise RuntimeError(
            f"{name}.backward returned {len(grads)} gradient{'s' if len(grads) != 1 else ''}, "
            f"but forward has {n_in} input{'s' if n_in != 1 else ''}; return one gradient (or "
            "None) per positional input of forward, in order"
        )
    node = ctx._node_ref() if ctx._node_ref is not None else None
    inputs = node.inputs if node is not None and node.inputs is not None else (None,) * n_in
    out: list[Any] = []
    for k in range(n_in):
        r = grads[k]
        t = inputs[k]
        if r is None or t is None:
            out.append(None)
            continue
        r = _as_grad(r, name, k)
        want = tuple(t.shape)
        if not _expandable(want, tuple(r.shape)):
            raise RuntimeError(
                f"{name}.backward returned a gradient of shape {tuple(r.shape)} for input {k}, "
                f"which has shape {want}; return a gradient of the input's shape"
            )
        out.append(r if create else r._data)
    return out


def _as_grad(r: Any, name: str, k: int) -> Tensor:
    if isinstance(r, Tensor):
        g = r
    elif (is_array(r) or isinstance(r, (xp.generic, float, int))) and not isinstance(r, bool):
        g = Tensor._const(r if type(r) is float or is_array(r) else xp.asarray(r))
    else:
        raise TypeError(
            f"{name}.backward returned a {type(r).__name__} as the gradient of input {k}; "
            "return a Tensor (or an array, or None)"
        )
    if g.dtype.kind not in "fiu":
        raise TypeError(
            f"{name}.backward returned a gradient of dtype {g.dtype} for input {k}; gradients "
            "must be numeric (floating)"
        )
    return g
