"""Functional transforms: ``grad``, ``value_and_grad``, ``vjp``, ``jvp``, ``jacobian``, ``hessian``,
``hvp`` -- derivatives of Python functions of Tensors, in the style of JAX and ``torch.func``.

Inputs may be Tensors, arrays or Python floats (only floating inputs can be differentiated).  Each
transform evaluates ``f`` on fresh variables that share the inputs' data, so no ``.grad`` is ever
touched, and returns plain Tensors.

Composition.  While grad mode is on, the derivatives are computed with ``create_graph=True`` and
stay connected to any Tensor that requires grad *outside* the transform (an input passed as such
a Tensor, or a Tensor ``f`` captures), so transforms nest (``grad(grad(f))``, ``jacobian`` of a
``grad``) and their results can be differentiated by ``backward``.  When nothing outside is
involved the results are returned detached.  ``create_graph=False`` skips the recording (faster,
results always detached); ``create_graph=True`` keeps it whatever ``f`` depends on.

``jvp`` (forward mode) is exact, by the double-vjp trick: with ``u`` a dummy cotangent,
``g(u) = J^T u`` is linear in ``u``, so the vjp of ``g`` along the tangent ``v`` is ``J v``.  It
needs every rule on the path to be differentiable in its incoming gradient (all tapegrad primitives
are; a custom :class:`~autograd.Function` must write ``backward`` with tensor operations).

>>> import autograd as ag
>>> from autograd import functional as F
>>> f = lambda x: (x ** 3).sum()
>>> F.grad(f)(ag.tensor([1.0, 2.0]))
tensor([ 3., 12.])
>>> F.hessian(f, ag.tensor([1.0, 2.0]))
tensor([[ 6.,  0.],
        [ 0., 12.]])
>>> out, tangent_out = F.jvp(lambda x: x.sin(), (ag.tensor([0.0]),), (ag.tensor([2.0]),))
>>> tangent_out
tensor([2.])
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from . import tape
from .backend import xp
from .devices import array_module, is_array
from .differentiate import grad as _grad
from .grad_mode import enable_grad, state
from .primitive import Primitive
from .tensor import Tensor

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacobian", "hessian", "hvp"]

Fn = Callable[..., Any]


# ------------------------------------------------------------------------- private primitives
class _Token:
    """Stops the walk at an input's alias while the transform computes its own derivatives."""

    __slots__ = ("active",)

    def __init__(self) -> None:
        self.active = False


def _alias_rule(g: Any, out: Any, x: Any, token: _Token) -> Any:
    # While the transform differentiates w.r.t. the alias, walking on into the caller's graph
    # would be wasted (or fail if that graph was freed); later walks pass straight through.
    return None if token.active else g


# The variable a transform differentiates w.r.t. when the caller's input requires grad: a
# differentiable identity, so derivatives computed with respect to it stay connected to the input.
_alias = Primitive("alias", lambda x, token: x, (_alias_rule,), reads_inputs=False)


def _select_fwd(a: Any, index: int) -> Any:
    return a[index]


def _embed_fwd(g: Any, index: int, shape: tuple[int, ...]) -> Any:
    z = array_module(g).zeros(shape, dtype=xp.result_type(g) if type(g) is float else g.dtype)
    z[index] = g
    return z


# a[index] along axis 0 and its adjoint (zeros with row ``index`` set): each is the other's VJP,
# so stacked Jacobian rows can be differentiated to any order.
_embed: Primitive
_select = Primitive(
    "select", _select_fwd,
    (lambda g, out, a, index: _embed.raw(g, index=index, shape=tuple(a.shape)),),
    reads_inputs=False,
)
_embed = Primitive(
    "embed", _embed_fwd, (lambda g, out, x, index, shape: _select.raw(g, index=index),),
    reads_inputs=False,
)
_stacks: dict[int, Primitive] = {}


def _row_rule(i: int) -> Callable[..., Any]:
    return lambda g, out, *rows: _select.raw(g, index=i)


def _stack(rows: Sequence[Tensor]) -> Tensor:
    """Differentiable ``stack(rows)`` along a new axis 0."""
    n = len(rows)
    prim = _stacks.get(n)
    if prim is None:
        rules = tuple(_row_rule(i) for i in range(n))
        prim = _stacks[n] = Primitive("stack", lambda *rows: xp.stack(rows), rules,
                                      reads_inputs=False)
    res: Tensor = prim(*rows)
    return res


# ------------------------------------------------------------------------------------ helpers
class _Vars:
    """The variables of one transform call: what ``f`` is evaluated on, and what is external."""

    def __init__(self, record: bool) -> None:
        self.record = record
        self.start = next(tape._seq)  # records made from here on belong to this call
        self.leaves: set[int] = set()
        self.tokens: list[_Token] = []
        self.external = False  # some input requires grad outside: keep results connected

    def make(self, x: Any, where: str, what: str) -> Tensor:
        """A variable for input ``x``: a fresh leaf sharing its data, or an alias of it."""
        if isinstance(x, Tensor):
            t = x
        else:
            try:
                t = Tensor(x)  # host data goes to the default device, device data stays
            except (TypeError, ValueError) as e:
                raise TypeError(
                    f"{where}: {what} is a {type(x).__name__}, expected a Tensor, an array or a "
                    f"float ({e})"
                ) from e
        if t.dtype.kind != "f":
            raise TypeError(
                f"{where}: {what} has dtype {t.dtype}; only floating inputs can be "
                "differentiated (convert with .double() or pass floats)"
            )
        if self.record and t.requires_grad:
            token = _Token()
            self.tokens.append(token)
            self.external = True
            return _alias(t, token=token)
        return self.leaf(t._data)

    def leaf(self, data: Any) -> Tensor:
        """A fresh leaf that requires grad, internal to this call."""
        v = Tensor._make(data, None, True)
        self.leaves.add(id(v))
        return v

    def grad(
        self, outs: Sequence[Tensor], wrt: Sequence[Tensor], seeds: Sequence[Any] | None,
        create_graph: bool, retain_graph: bool,
    ) -> list[Tensor]:
        """d(outs . seeds)/d(wrt), zeros where there is no dependence."""
        pairs = [
            (o, s) for o, s in zip(outs, seeds or [None] * len(outs), strict=True)
            if o.requires_grad and o.dtype.kind == "f"
        ]
        got: Sequence[Tensor | None] = [None] * len(wrt)
        if pairs:
            for tok in self.tokens:
                tok.active = True
            try:
                got = _grad(
                    [p[0] for p in pairs], list(wrt),
                    grad_outputs=None if seeds is None else [p[1] for p in pairs],
                    retain_graph=retain_graph, create_graph=create_graph, allow_unused=True,
                )
            finally:
                for tok in self.tokens:
                    tok.active = False
        return [g if g is not None else _zeros_like(w) for g, w in zip(got, wrt, strict=True)]

    def keep(self, results: Sequence[Any], create_graph: bool | None) -> bool:
        """Whether results stay connected to the graph (else they are detached)."""
        if not self.record:
            return False
        if create_graph or self.external:
            return True
        return self._reaches_outside(results)

    def _reaches_outside(self, results: Sequence[Any]) -> bool:
        """Does any result depend on a Tensor requiring grad that this call did not make?"""
        stack: list[tape.Node] = []
        for r in results:
            if not isinstance(r, Tensor) or not r.requires_grad:
                continue
            if r._node is None:
                if id(r) not in self.leaves:
                    return True
            else:
                stack.append(r._node)
        seen: set[int] = set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if node.seq < self.start or node.inputs is None:
                return True  # recorded before this call (or freed: assume it may matter)
            for t in node.inputs:
                if t is None:
                    continue
                if t._node is None:
                    if t.requires_grad and id(t) not in self.leaves:
                        return True
                else:
                    stack.append(t._node)
        return False


def _zeros(shape: Any, dtype: Any, ref: Tensor) -> Any:
    """Zeros made on ``ref``'s device (an array module call: NumPy can't dispatch creation)."""
    return array_module(ref._data).zeros(shape, dtype=dtype)


def _zeros_like(t: Tensor) -> Tensor:
    return Tensor._const(_zeros(t.shape, t.dtype, t))


def _detach(obj: Any) -> Any:
    if isinstance(obj, Tensor):
        return obj.detach() if obj.requires_grad else obj
    if isinstance(obj, tuple):
        return tuple(_detach(o) for o in obj)
    if isinstance(obj, list):
        return [_detach(o) for o in obj]
    if isinstance(obj, dict):
        return {k: _detach(v) for k, v in obj.items()}
    return obj


def _flat(obj: Any) -> list[Any]:
    if isinstance(obj, (tuple, list)):
        return [x for o in obj for x in _flat(o)]
    if isinstance(obj, dict):
        return [x for o in obj.values() for x in _flat(o)]
    return [obj]


def _finish(v: _Vars, results: Any, create_graph: bool | None) -> Any:
    return results if v.keep(_flat(results), create_graph) else _detach(results)


def _record(create_graph: bool | None) -> bool:
    return state.enabled if create_graph is None else bool(create_graph)


def _outputs(res: Any, where: str) -> tuple[list[Tensor], bool]:
    """``f``'s result as a list of Tensors, and whether it was a tuple."""
    is_tuple = isinstance(res, (tuple, list))
    items = list(res) if is_tuple else [res]
    if is_tuple and not items:
        raise TypeError(f"{where}: f returned an empty tuple; return a Tensor or Tensors")
    for k, o in enumerate(items):
        if not isinstance(o, Tensor):
            what = "f's result" if not is_tuple else f"output {k} of f"
            raise TypeError(
                f"{where}: {what} is a {type(o).__name__}; f must return a Tensor (or a tuple of "
                "Tensors) computed from its inputs"
            )
    return items, is_tuple


def _scalar_output(res: Any, where: str, has_aux: bool) -> tuple[Tensor, Any]:
    aux = None
    if has_aux:
        if not (isinstance(res, (tuple, list)) and len(res) == 2):
            raise TypeError(
                f"{where}: with has_aux=True, f must return a pair (output, aux), got a "
                f"{type(res).__name__}"
                + (f" of length {len(res)}" if isinstance(res, (tuple, list)) else "")
            )
        res, aux = res
    if not isinstance(res, Tensor):
        raise TypeError(
            f"{where}: f must return a scalar Tensor, got a {type(res).__name__}"
            + ("; with has_aux=True return (output, aux)" if not has_aux and
               isinstance(res, (tuple, list)) else "")
        )
    if res.ndim != 0:
        raise ValueError(
            f"{where}: f must return a scalar (0-d) Tensor, got shape {tuple(res.shape)}; reduce "
            "it (e.g. .sum()) or use vjp/jacobian for non-scalar outputs"
        )
    if res.dtype.kind != "f":
        raise TypeError(f"{where}: f returned a Tensor of dtype {res.dtype}; expected floating")
    return res, aux


def _argnums(argnums: Any, where: str) -> tuple[tuple[int, ...], bool]:
    single = isinstance(argnums, int) and not isinstance(argnums, bool)
    nums = (argnums,) if single else argnums
    if not isinstance(nums, (tuple, list)) or not nums or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in nums
    ):
        raise TypeError(
            f"{where}: argnums must be an int or a non-empty tuple of ints, got {argnums!r}"
        )
    return tuple(nums), single


def _positions(nums: tuple[int, ...], n: int, where: str) -> list[int]:
    idx = []
    for i in nums:
        if not -n <= i < n:
            raise TypeError(
                f"{where}: differentiating with respect to argnums={i} requires at least "
                f"{i + 1 if i >= 0 else -i} positional arguments, but f was called with {n}"
            )
        idx.append(i % n)
    if len(set(idx)) != len(idx):
        raise ValueError(f"{where}: argnums {nums} name the same argument twice")
    return idx


def _check_like(name: str, t: Any, ref: Tensor, where: str, k: int) -> Tensor:
    """A cotangent/tangent for ``ref``: a Tensor (or array) of ``ref``'s shape and device.

    Numbers and lists are made on ``ref``'s device; arrays and Tensors must already be there
    (as PyTorch, a gradient on another device raises: nothing is copied behind the caller)."""
    if not isinstance(t, Tensor):
        try:
            if is_array(t):
                t = Tensor._const(t if t.dtype == ref.dtype else t.astype(ref.dtype))
            else:
                t = Tensor._const(array_module(ref._data).asarray(t, dtype=ref.dtype))
        except (TypeError, ValueError) as e:
            raise TypeError(
                f"{where}: {name} {k} is a {type(t).__name__}, expected a Tensor or an array"
            ) from e
    what = "output" if name == "cotangent" else "input"
    if tuple(t.shape) != tuple(ref.shape):
        raise ValueError(
            f"{where}: {name} {k} has shape {tuple(t.shape)} but must have the shape "
            f"{tuple(ref.shape)} of the {what} it goes with"
        )
    if t.device != ref.device:
        raise RuntimeError(
            f"{where}: {name} {k} is on {t.device} but its {what} is on {ref.device}; pass it "
            "on the same device (.to(device))"
        )
    return t


# ------------------------------------------------------------------------- grad and friends
def value_and_grad(
    f: Fn, argnums: int | Sequence[int] = 0, has_aux: bool = False, *,
    create_graph: bool | None = None,
) -> Fn:
    """A function returning ``(f(*args), gradient)`` (``((value, aux), gradient)`` with
    ``has_aux``); the gradient is w.r.t. ``args[argnums]`` (a tuple when argnums is a tuple).

    >>> import autograd as ag
    >>> from autograd.functional import value_and_grad
    >>> value, (gx, gy) = value_and_grad(lambda x, y: (x * y).sum(), argnums=(0, 1))(
    ...     ag.tensor([2.0]), 3.0)
    >>> value.item(), gx.tolist(), gy.item()
    (6.0, [3.0], 2.0)
    """
    return _value_and_grad(f, argnums, has_aux, create_graph, "value_and_grad")


def _name(f: Fn) -> str:
    return str(getattr(f, "__name__", type(f).__name__))


def _value_and_grad(
    f: Fn, argnums: Any, has_aux: bool, create_graph: bool | None, what: str
) -> Fn:
    where = f"{what}({_name(f)})"
    nums, single = _argnums(argnums, where)

    @functools.wraps(f)
    def value_and_grad_f(*args: Any, **kwargs: Any) -> Any:
        idx = _positions(nums, len(args), where)
        v = _Vars(_record(create_graph))
        call = list(args)
        with enable_grad():
            for i in idx:
                call[i] = v.make(args[i], where, f"argument {i}")
            out, aux = _scalar_output(f(*call, **kwargs), where, has_aux)
            gs = v.grad([out], [call[i] for i in idx], None, v.record, v.record)
        g: Any = gs[0] if single else tuple(gs)
        value = (out, aux) if has_aux else out
        return _finish(v, (value, g), create_graph)

    return value_and_grad_f


def grad(
    f: Fn, argnums: int | Sequence[int] = 0, has_aux: bool = False, *,
    create_graph: bool | None = None,
) -> Fn:
    """A function returning the gradient of scalar-valued ``f`` w.r.t. ``args[argnums]``
    (``(gradient, aux)`` with ``has_aux``).  Nests: ``grad(grad(f))`` is the second derivative.

    >>> import autograd as ag
    >>> from autograd.functional import grad
    >>> grad(grad(lambda x: x ** 3))(ag.tensor(2.0)).item()
    12.0
    """
    vg = _value_and_grad(f, argnums, has_aux, create_graph, "grad")

    @functools.wraps(f)
    def grad_f(*args: Any, **kwargs: Any) -> Any:
        value, g = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return grad_f


# ----------------------------------------------------------------------------------- vjp, jvp
def vjp(f: Fn, *primals: Any, create_graph: bool | None = None) -> tuple[Any, Fn]:
    """``(f(*primals), vjp_fn)``; ``vjp_fn(cotangent)`` returns ``cotangent^T J`` for each primal
    (a tuple, one per primal).  The cotangent has the structure of the output (a Tensor, or a
    tuple for a tuple output); ``vjp_fn`` may be called many times.

    >>> import autograd as ag
    >>> from autograd.functional import vjp
    >>> out, vjp_fn = vjp(lambda x: x * x, ag.tensor([1.0, 3.0]))
    >>> vjp_fn(ag.tensor([1.0, 10.0]))
    (tensor([ 2., 60.]),)
    """
    where = "vjp"
    if not primals:
        raise TypeError("vjp: pass at least one primal input: vjp(f, x, ...)")
    v = _Vars(_record(create_graph))
    with enable_grad():
        xs = [v.make(p, where, f"primal {k}") for k, p in enumerate(primals)]
        res = f(*xs)
    outs, is_tuple = _outputs(res, where)
    out_value = _finish(v, res if not isinstance(res, list) else tuple(res), create_graph)

    def vjp_fn(cotangents: Any) -> tuple[Tensor, ...]:
        cts = list(cotangents) if is_tuple and isinstance(cotangents, (tuple, list)) else (
            [cotangents] if not is_tuple else None
        )
        if cts is None or len(cts) != len(outs):
            got = len(cotangents) if isinstance(cotangents, (tuple, list)) else "a single value"
            raise ValueError(
                f"vjp_fn: f has {len(outs)} output{'s' if len(outs) != 1 else ''}"
                f"{' (a tuple)' if is_tuple else ''}; pass one cotangent per output with the "
                f"same structure, got {got}"
            )
        seeds = [_check_like("cotangent", c, o, "vjp_fn", k)
                 for k, (c, o) in enumerate(zip(cts, outs, strict=True))]
        if not v.record and create_graph is None and state.enabled:
            # a cotangent that requires grad makes the result differentiable w.r.t. it
            if any(s.requires_grad for s in seeds):
                v.record = v.external = True
        with enable_grad():
            gs = v.grad(outs, xs, seeds, v.record, True)
        return tuple(_finish(v, tuple(gs), create_graph))

    return out_value, vjp_fn


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def jvp(
    f: Fn, primals: Any, tangents: Any, *, create_graph: bool | None = None
) -> tuple[Any, Any]:
    """``(f(*primals), J @ tangents)``: the directional derivative, exact (double-vjp trick).

    ``primals`` and ``tangents`` are tuples (or single inputs) of the same length and shapes; the
    result has the structure of ``f``'s output.
    """
    where = "jvp"
    ps, ts = _as_tuple(primals), _as_tuple(tangents)
    if not ps:
        raise TypeError("jvp: pass at least one primal input")
    if len(ps) != len(ts):
        raise ValueError(
            f"jvp: got {len(ps)} primal{'s' if len(ps) != 1 else ''} but {len(ts)} "
            f"tangent{'s' if len(ts) != 1 else ''}; pass one tangent per primal"
        )
    v = _Vars(_record(create_graph))
    with enable_grad():
        xs = [v.make(p, where, f"primal {k}") for k, p in enumerate(ps)]
        tans = [_check_like("tangent", t, x, where, k)
                for k, (t, x) in enumerate(zip(ts, xs, strict=True))]
        res = f(*xs)
        outs, is_tuple = _outputs(res, where)
        diff = [o for o in outs if o.requires_grad and o.dtype.kind == "f"]
        us = [v.leaf(_zeros(o.shape, o.dtype, o)) for o in diff]
        jv: list[Tensor] = [_zeros_like(o) for o in outs]
        if diff:
            # g(u) = J^T u, recorded; it is linear in u, so d<g(u), t>/du = J t
            gs = v.grad(diff, xs, us, True, True)
            pairs = [(g, t) for g, t in zip(gs, tans, strict=True) if g.requires_grad]
            if pairs:
                js = iter(v.grad([p[0] for p in pairs], us, [p[1] for p in pairs], v.record,
                                 v.record))
                jv = [next(js) if (o.requires_grad and o.dtype.kind == "f") else z
                      for o, z in zip(outs, jv, strict=True)]
    jout: Any = tuple(jv) if is_tuple else jv[0]
    value: Any = tuple(outs) if is_tuple else outs[0]
    return _finish(v, (value, jout), create_graph)


# ---------------------------------------------------------------------- jacobian and hessian
def jacobian(f: Fn, *inputs: Any, create_graph: bool | None = None) -> Any:
    """The Jacobian of ``f`` at ``inputs``, of shape ``out.shape + in.shape``.

    A tuple over inputs when there are several, over outputs when ``f`` returns a tuple (then
    ``J[i][j]`` is output ``i`` w.r.t. input ``j``).  Computed row by row in reverse mode.

    >>> import autograd as ag
    >>> from autograd.functional import jacobian
    >>> jacobian(lambda x: x * x, ag.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    where = "jacobian"
    if not inputs:
        raise TypeError("jacobian: pass at least one input: jacobian(f, x, ...)")
    v = _Vars(_record(create_graph))
    with enable_grad():
        xs = [v.make(p, where, f"input {k}") for k, p in enumerate(inputs)]
        outs, is_tuple = _outputs(f(*xs), where)
        blocks = []
        for o in outs:
            rows = _rows(v, o, xs)
            blocks.append([_assemble(rows[j], o, xs[j], v.record) for j in range(len(xs))])
    res: Any = [tuple(b) if len(xs) > 1 else b[0] for b in blocks]
    res = tuple(res) if is_tuple else res[0]
    return _finish(v, res, create_graph)


def _rows(v: _Vars, o: Tensor, xs: list[Tensor]) -> list[list[Tensor]]:
    """For each input, the gradients of every element of ``o`` (one reverse walk per element)."""
    rows: list[list[Tensor]] = [[] for _ in xs]
    if not (o.requires_grad and o.dtype.kind == "f"):
        return rows
    n = o.numel()
    for k in range(n):
        seed = _zeros(o.numel(), o.dtype, o)
        seed[k] = 1
        seed = seed.reshape(o.shape)
        gs = v.grad([o], xs, [Tensor._const(seed)], v.record, True)
        for j, g in enumerate(gs):
            rows[j].append(g)
    return rows


def _assemble(rows: list[Tensor], o: Tensor, x: Tensor, record: bool) -> Tensor:
    shape = tuple(o.shape) + tuple(x.shape)
    dtype = xp.result_type(o.dtype, x.dtype) if o.dtype.kind == "f" else x.dtype
    if not rows:
        return Tensor._const(_zeros(shape, dtype, x))
    if record and any(r.requires_grad for r in rows):
        return _stack(rows).reshape(shape)
    return Tensor._const(xp.stack([r._array for r in rows]).reshape(shape))


def hessian(f: Fn, *inputs: Any, create_graph: bool | None = None) -> Any:
    """The Hessian of scalar-valued ``f``: shape ``in.shape + in.shape``; with several inputs a
    tuple of tuples (``H[i][j]``: w.r.t. input ``i`` then input ``j``).
    """
    if not inputs:
        raise TypeError("hessian: pass at least one input: hessian(f, x, ...)")
    nums: Any = tuple(range(len(inputs))) if len(inputs) > 1 else 0
    vg = _value_and_grad(f, nums, False, None, "hessian")
    return jacobian(lambda *xs: vg(*xs)[1], *inputs, create_graph=create_graph)


def hvp(f: Fn, x: Any, v: Any, *, create_graph: bool | None = None) -> tuple[Tensor, Any]:
    """``(f(x), H v)`` for scalar-valued ``f`` without forming the Hessian (reverse over reverse).

    ``x`` and ``v`` are single inputs or tuples of the same length (``f(*x)`` then).
    """
    where = "hvp"
    is_tuple = isinstance(x, (tuple, list))
    ps, vs = _as_tuple(x), _as_tuple(v)
    if not ps:
        raise TypeError("hvp: pass at least one input")
    if len(ps) != len(vs) or isinstance(v, (tuple, list)) != is_tuple:
        raise ValueError(
            f"hvp: x has {len(ps)} input{'s' if len(ps) != 1 else ''} but v has {len(vs)}; pass "
            "v with the structure of x"
        )
    w = _Vars(_record(create_graph))
    with enable_grad():
        xs = [w.make(p, where, f"input {k}") for k, p in enumerate(ps)]
        dirs = [_check_like("direction", d, t, where, k)
                for k, (d, t) in enumerate(zip(vs, xs, strict=True))]
        out, _ = _scalar_output(f(*xs), where, False)
        gs = w.grad([out], xs, None, True, True)
        pairs = [(g, d) for g, d in zip(gs, dirs, strict=True) if g.requires_grad]
        hv = [_zeros_like(t) for t in xs]
        if pairs:
            hv = w.grad([p[0] for p in pairs], xs, [p[1] for p in pairs], w.record, w.record)
    res: Any = tuple(hv) if is_tuple else hv[0]
    return _finish(w, (out, res), create_graph)
