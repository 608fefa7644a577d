"""Code generation: the traced :class:`~autograd.compile.trace.Graph` as straight-line NumPy code.

The forward is one line per primitive call, calling the primitive's own forward (NumPy's ufunc
itself for most: ``t1 = tanh(t0)``) or, for arithmetic, the operator.  The backward visits the
ops in reverse call order, which is the order the eager walker visits their records, and for
every input that needs a gradient emits that input's vector-Jacobian product: from a per-primitive
template for the common primitives (the same expression as the primitive's rule, so the same
NumPy calls run and the numbers are bit-identical), else a call of the rule itself by name.  The
broadcast reduction (the walker's ``unbroadcast``) is specialised at generation time from the
traced shapes: nothing is emitted where shapes already match.  Gradients reaching one value from
several consumers are summed in the walker's order.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..devices import array_module, is_array, is_device_array
from ..tape import identity, unbroadcast
from .trace import Graph, Op, Value

# VJP templates: ``{g}`` the output gradient, ``{out}`` the output, ``{0}``, ``{1}`` the inputs.
# Each is the expression of the primitive's rule (autograd/ops/*, nn/functional/linear.py); the
# result has the output's (broadcast) shape.
_VJP: dict[str, tuple[str | None, ...]] = {
    "sub": (None, "-{g}"),
    "mul": ("{g} * {1}", "{g} * {0}"),
    "div": ("{g} / {1}", "-{g} * {0} / ({1} * {1})"),
    "neg": ("-{g}",),
    "tanh": ("{g} * (1 - {out} * {out})",),
    "exp": ("{g} * {out}",),
    "relu": ("{g} * ({0} > 0)",),
    "sigmoid": ("{g} * {out} * (1 - {out})",),
}
_FWD_OPS = {"add": "{0} + {1}", "sub": "{0} - {1}", "mul": "{0} * {1}", "div": "{0} / {1}",
            "neg": "-{0}"}
_PRIMS: dict[str, Any] = {}


def _prim(name: str) -> Any:
    """tapegrad's own primitive called ``name`` (templates apply to it, not to a namesake)."""
    if not _PRIMS:
        from ..ops import arithmetic, elementwise, linalg, shape

        for mod in (arithmetic, elementwise):
            for n in ("add", "sub", "mul", "div", "neg", "tanh", "exp", "relu", "sigmoid"):
                if hasattr(mod, n):
                    _PRIMS[n] = getattr(mod, n)
        _PRIMS["matmul"] = linalg.matmul
        _PRIMS["transpose"] = shape._transpose
        try:
            from nn.functional.linear import linear_p
            _PRIMS["linear"] = linear_p
        except ImportError:  # pragma: no cover - nn is part of tapegrad
            pass
    return _PRIMS.get(name)


def _is(op: Op, name: str) -> bool:
    return op.prim is _prim(name)


def _two_d(op: Op) -> bool:
    return all(isinstance(a, Value) and len(a.shape) == 2 for a in op.args[:2])


def fit(gi: Any, is_float: bool, shape: tuple[int, ...], dtype: Any) -> Any:
    """The walker's reduction of a rule's result to its input's shape and dtype (``tape._fit``),
    for rules whose result shape is not known when the code is generated."""
    if type(gi) is float:
        if is_float:
            return gi
        return np.full(shape, gi, dtype=dtype)
    if is_float:
        if gi.shape:
            gi = unbroadcast(gi, ())
        return gi if type(gi) is not np.ndarray and not isinstance(gi, np.generic) else float(gi)
    if gi.shape == shape and gi.dtype == dtype:
        return gi
    if isinstance(gi, np.generic):
        return np.full(shape, gi, dtype=dtype)
    if gi.shape != shape:
        gi = unbroadcast(gi, shape)
    return gi if gi.dtype == dtype else gi.astype(dtype)


def _unbroadcast_code(expr: str, gshape: tuple[int, ...], shape: tuple[int, ...]) -> str:
    """``unbroadcast(expr, shape)`` specialised for a known gradient shape (same NumPy calls)."""
    if gshape == shape:
        return expr
    lead = len(gshape) - len(shape)
    if lead:
        axis = 0 if lead == 1 else tuple(range(lead))
        expr = f"add_reduce({expr}, {axis})"
        gshape = gshape[lead:]
        if gshape == shape:
            return expr
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and gshape[i] != 1)
    if axes:
        expr = f"({expr}).sum(axis={axes}, keepdims=True)"
        gshape = tuple(1 if i in axes else n for i, n in enumerate(gshape))
    return expr if gshape == shape else f"({expr}).reshape({shape})"


def _device_fit(xp: Any) -> Any:
    """:func:`fit` for a graph on a GPU: new arrays are made with the device's module ``xp``."""

    def fit_on_device(gi: Any, is_float: bool, shape: tuple[int, ...], dtype: Any) -> Any:
        if type(gi) is float and not is_float:
            return xp.full(shape, gi, dtype=dtype)
        if isinstance(gi, np.generic):
            gi = xp.asarray(gi)
        if is_float:
            if gi.shape:
                gi = unbroadcast(gi, ())
            return gi  # a 0-d device array: reading it as a float would be a hidden sync
        return fit(gi, is_float, shape, dtype)

    return fit_on_device


def _device_asarray(xp: Any) -> Any:
    """``asarray`` of the generated code for a GPU graph: device arrays are kept where they are
    (``xp.asarray`` would copy one to the current GPU), numbers become 0-d device arrays."""

    def asarray(a: Any) -> Any:
        return a if isinstance(a, xp.ndarray) else xp.asarray(a)

    return asarray


def _graph_module(graph: Graph) -> Any:
    """The array module of a graph's data (NumPy, or CuPy for a graph traced on a GPU):
    creation calls in the generated code go through it."""
    for v in graph.inputs + graph.captures + graph.consts:
        if v.kind == "derived" or v.is_float:
            continue
        d = v.obj._data if hasattr(v.obj, "_data") else v.obj
        if is_device_array(d):
            return array_module(d)
    return np


class Generator:
    """Builds the forward and backward source of one graph, and the namespace they run in."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        xp = _graph_module(graph)
        if xp is np:
            self.ns: dict[str, Any] = {"asarray": np.asarray, "add_reduce": np.add.reduce,
                                       "fit": fit, "many": _many}
        else:  # a GPU graph: the same code, with the device's creation calls
            self.ns = {"asarray": _device_asarray(xp),
                       "add_reduce": lambda g, axis: g.sum(axis=axis),
                       "fit": _device_fit(xp), "many": _many}
        self._names: dict[int, str] = {}
        for k in graph.consts:
            if k.kind == "const":
                self.ns[k.name] = k.obj
        self.leaves = [v for v in graph.inputs + graph.captures if v.requires_grad]

    # ------------------------------------------------------------------ names and operands
    def _fn(self, f: Any, name: str) -> str:
        """A readable global name for function ``f`` in the generated code."""
        key = id(f)
        if key in self._names:
            return self._names[key]
        base = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
        n, i = base, 2
        while n in self.ns:
            n, i = f"{base}_{i}", i + 1
        self.ns[n] = f
        self._names[key] = n
        return n

    def _lit(self, v: Any) -> str:
        if isinstance(v, Value):
            return v.name
        if type(v) is float and not math.isfinite(v):
            return self._fn(v, "lit")  # inf/nan: a named global
        if type(v) is tuple:
            return "(" + "".join(self._lit(x) + ", " for x in v) + ")"
        return repr(v)

    def _kw(self, op: Op) -> str:
        return "".join(f", {k}={self._lit(v)}" for k, v in op.params.items())

    # ---------------------------------------------------------------------------- forward
    def forward(self) -> tuple[list[str], list[str]]:
        """Lines of the forward body, and the derived-value lines (casts of inputs)."""
        lines: list[str] = []
        # derived values (casts/aliases of inputs, captures or intermediates) are emitted as soon
        # as their source exists
        pending = [k for k in self.graph.consts if k.kind == "derived"]

        def emit_ready() -> None:
            for k in list(pending):
                src, dt = k.obj
                if src.kind == "op" and src.name not in defined:
                    continue
                pending.remove(k)
                lines.append(f"{k.name} = {src.name}" if dt is None else
                             f"{k.name} = {src.name}.astype({self._fn(dt, 'dtype_' + str(dt))})")

        defined: set[str] = set()
        emit_ready()
        seen: dict[tuple[str, ...], Value] = {}
        for op in self.graph.ops:
            # common subexpressions among transposes of inputs/parameters (an RNN's W.T at every
            # step): computed once; the gradients of all uses are summed before the one
            # transpose back, which is exact (a permutation), so the result is bit-identical
            if _is(op, "transpose") and op.params.get("axes") is None and isinstance(
                    op.args[0], Value) and op.args[0].kind in ("input", "capture"):
                key = (op.args[0].name,)
                first = seen.get(key)
                if first is not None:
                    op.outs[0].name = first.name
                    op.dup = True
                    continue
                seen[key] = op.outs[0]
            lines.append(self._fwd_line(op))
            defined.update(o.name for o in op.outs)
            emit_ready()
        return lines, []

    def _fwd_line(self, op: Op) -> str:
        prim, name = op.prim, op.prim.name
        args = [self._lit(a) for a in op.args]
        outs = op.outs
        if len(outs) > 1:
            any_array = any(isinstance(a, Value) and not a.is_float for a in op.args)
            call_args = args if any_array else [
                f"asarray({a})" if isinstance(v, float) or (isinstance(v, Value) and v.is_float)
                else a for a, v in zip(args, op.args, strict=True)]
            f = self._fn(prim.fwd, name)
            outs_s = ", ".join(o.name for o in outs)
            return f"{outs_s}, = many({f}({_join(call_args, self._kw(op))}))"
        out = outs[0]
        if out.is_float:  # the scalar path (Python floats in, a float out)
            if name in _FWD_OPS and not op.params and _is(op, name):
                return f"{out.name} = {_FWD_OPS[name].format(*args)}"
            fs = self._fn(prim.scalar, name + "_s")
            return f"{out.name} = {fs}({_join(args, self._kw(op))})"
        if not any(is_array(a) or (isinstance(a, Value) and not a.is_float)
                   for a in op.args):
            args = [f"asarray({a})" if (type(v) is float or (isinstance(v, Value) and v.is_float))
                    else a for a, v in zip(args, op.args, strict=True)]
        if name in _FWD_OPS and not op.params and _is(op, name):
            expr = _FWD_OPS[name].format(*args)
        elif _is(op, "matmul") and _two_d(op):
            expr = f"{args[0]} @ {args[1]}"
        elif _is(op, "transpose") and op.params.get("axes") is None:
            expr = f"{args[0]}.T"
        else:
            expr = f"{self._fn(prim.fwd, name)}({_join(args, self._kw(op))})"
        if not out.shape:
            expr = f"asarray({expr})"  # 0-d results stay arrays, as in eager mode
        return f"{out.name} = {expr}"

    # --------------------------------------------------------------------------- backward
    def backward(self, mask: tuple[bool, ...]) -> tuple[list[str], set[str]]:
        """Lines of the backward for the outputs selected by ``mask``; the forward names read."""
        g = self.graph
        lines: list[str] = []
        have: dict[str, str] = {}  # value name -> its gradient variable
        used: set[str] = set()
        n_out = len(g.outputs)

        def add(v: Value, expr: str) -> None:
            gv = f"g_{v.name}"
            if gv in have.values():
                lines.append(f"{gv} = {gv} + {expr}")
            else:
                lines.append(f"{gv} = {expr}")
                have[v.name] = gv

        for i, (o, m) in enumerate(zip(g.outputs, mask, strict=True)):
            if m and o.kind == "op" and o.requires_grad:
                add(o, "G" if n_out == 1 else f"G[{i}]")
        for op in reversed(g.ops):
            if not op.recorded or op.dup:
                continue
            gs = [have.get(o.name) for o in op.outs]
            if all(x is None for x in gs):
                continue  # not reached from the selected outputs: the walker skips it too
            gexpr = str(gs[0]) if len(gs) == 1 else "[" + ", ".join(x or "None" for x in gs) + "]"
            names = [self._lit(a) for a in op.args]
            for i, a in enumerate(op.args):
                if not (isinstance(a, Value) and a.requires_grad and a.kind != "const"):
                    continue
                rule = op.prim.vjps[i] if i < len(op.prim.vjps) else None
                if rule is None:
                    continue
                expr = self._vjp(op, i, rule, gexpr, names, used)
                add(a, expr)
        for line in lines:
            for tok in _tokens(line):
                used.add(tok)
        ret = ", ".join(have.get(v.name, "None") for v in self.leaves)
        lines.append(f"return ({ret}{',' if len(self.leaves) == 1 else ''})")
        return lines, used

    def _vjp(self, op: Op, i: int, rule: Any, gexpr: str, names: list[str],
             used: set[str]) -> str:
        prim, a = op.prim, op.args[i]
        assert isinstance(a, Value)
        out = op.outs[0]
        if rule is identity:
            return self._reduce(gexpr, out, a)
        if _is(op, "matmul") and _two_d(op):  # the rule's 2-D case
            expr = f"{gexpr} @ {names[1]}.swapaxes(-1, -2)" if i == 0 else \
                f"{names[0]}.swapaxes(-1, -2) @ {gexpr}"
            return self._reduce(expr, out, a, a.shape)
        if _is(op, "transpose") and op.params.get("axes") is None:
            return self._reduce(f"{gexpr}.transpose()", out, a, a.shape)
        tpl = _VJP.get(prim.name, ()) if _is(op, prim.name) else ()
        t = tpl[i] if i < len(tpl) else None
        if t is not None and not op.params and len(op.outs) == 1:
            expr = t.format(*names, g=gexpr, out=out.name)
            return self._reduce(expr, out, a)
        if _is(op, "linear") and len(op.outs) == 1 and not out.is_float:
            expr = self._linear_vjp(op, i, gexpr, names)
            return expr if i == 2 else self._reduce(expr, out, a, a.shape)
        outname = out.name if prim.save_out else "None"
        f = self._fn(rule, f"{prim.name}_vjp{i}")
        return f"fit({f}({_join([gexpr, outname, *names], self._kw(op))}), "\
               f"{a.is_float}, {a.shape}, {self._fn(a.dtype, 'dtype_' + str(a.dtype))})"

    def _reduce(self, expr: str, out: Value, a: Value, shape: tuple[int, ...] | None = None
                ) -> str:
        """The walker's fit of a result with ``out``'s dtype and shape (or ``shape``)."""
        gshape = out.shape if shape is None else shape
        if a.is_float or out.is_float:
            if a.is_float and out.is_float:
                return expr
            return f"fit({expr}, {a.is_float}, {a.shape}, {self._fn(a.dtype, 'dtype')})"
        if out.dtype != a.dtype:
            return f"fit({expr}, False, {a.shape}, {self._fn(a.dtype, 'dtype_' + str(a.dtype))})"
        return _unbroadcast_code(expr, gshape, a.shape)

    def _linear_vjp(self, op: Op, i: int, g: str, names: list[str]) -> str:
        """Seed 000's layer formulas, as in nn/functional/linear.py's rules."""
        x, w = op.args[0], op.args[1]
        assert isinstance(x, Value) and isinstance(w, Value)
        if i == 0:
            return f"{g} @ {names[1]}"  # delta_prev = delta W
        if i == 1:
            n_out, n_in = w.shape
            if len(x.shape) == 1:
                return f"{g}.reshape({n_out}, 1) * {names[0]}.reshape(1, {n_in})"
            return f"{g}.reshape(-1, {n_out}).swapaxes(0, 1) @ {names[0]}.reshape(-1, {n_in})"
        b = op.args[2]
        assert isinstance(b, Value)
        return self._reduce(g, op.outs[0], b)  # dL/db = delta summed over the batch


def _join(args: list[str], kw: str) -> str:
    """Positional arguments then ``kw`` (", k=v, ..."): valid with no positional ones too."""
    return ", ".join(args) + kw if args else kw[2:]


def _tokens(line: str) -> list[str]:
    out, cur = [], []
    for c in line:
        if c.isalnum() or c == "_":
            cur.append(c)
        else:
            if cur:
                out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


def _many(outs: Any) -> list[Any]:
    return [o if type(o) is np.ndarray or is_device_array(o) else np.asarray(o) for o in outs]
