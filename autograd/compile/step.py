"""One compiled signature: the generated forward and backward, replayed on live data.

A replay runs the generated forward on the inputs' and captured tensors' current data and
returns Tensors pointing at one tape record (:class:`~autograd.tape.Node`) for the whole step:
its inputs are the leaves that need gradients (tensor arguments and captured parameters), its
saved arguments the intermediates the backward reads.  The eager walker treats that record like
any other, so ``.grad`` accumulation, ``retain_graph``, ``autograd.grad``, leaf hooks and
backward through only some outputs behave as in eager mode; the record's one rule per leaf runs
the generated backward once per walk (the first leaf's rule) and hands out the gradients.
"""

from __future__ import annotations

from typing import Any

from ..grad_mode import state
from ..primitive import Primitive
from ..tape import Node
from ..tensor import Tensor
from .codegen import Generator
from .trace import Graph, Value


class Retrace(Exception):
    """A captured tensor changed shape or dtype since the trace: trace again."""


class _Walk:
    """Per-record scratch: the gradients of one backward walk, handed out rule by rule."""

    __slots__ = ("cache",)

    def __init__(self) -> None:
        self.cache: Any = None


class CompiledGraph:
    """The generated code of one traced signature and everything needed to replay it."""

    def __init__(self, graph: Graph, name: str) -> None:
        self.graph = graph
        self.name = name
        gen = self.gen = Generator(graph)
        fwd_lines, _ = gen.forward()
        full = tuple(True for _ in graph.outputs)
        bwd_lines, used = gen.backward(full)
        local = {v.name for v in graph.inputs + graph.captures}
        local |= {k.name for k in graph.consts if k.kind == "derived"}
        local |= {v.name for op in graph.ops for v in op.outs}
        self.saved = [n for n in _ordered(graph) if n in used and n in local]
        params = [v.name for v in graph.inputs + graph.captures]
        outs = ", ".join(_out_expr(o) for o in graph.outputs)
        body = fwd_lines + [f"return ({outs},), ({''.join(n + ', ' for n in self.saved)})"]
        self.forward_src = _function(f"{name}_forward", params, body)
        self.backward_src = _function(f"{name}_backward", ["G"] + self.saved, bwd_lines)
        ns = gen.ns
        exec(compile(self.forward_src, f"<compiled {name} forward>", "exec"), ns)  # noqa: S102
        self.forward = ns[f"{name}_forward"]
        self._backwards: dict[tuple[bool, ...], Any] = {}
        exec(compile(self.backward_src, f"<compiled {name} backward>", "exec"), ns)  # noqa: S102
        self._backwards[full] = ns[f"{name}_backward"]
        self.captures = [v.obj for v in graph.captures]
        self.capture_meta = [_meta(c._data) for c in self.captures]
        self.leaf_inputs = [v.index for v in graph.inputs if v.requires_grad]
        self.leaf_captures = [v.obj for v in graph.captures if v.requires_grad]
        self.n_leaves = len(self.leaf_inputs) + len(self.leaf_captures)
        self.n_out = len(graph.outputs)
        self.prim = Primitive(f"compiled_{name}", _not_callable,
                              tuple(self._rule(i) for i in range(self.n_leaves)),
                              n_out=self.n_out)

    @property
    def code(self) -> str:
        return self.forward_src + "\n" + self.backward_src.rstrip("\n")

    def backward_for(self, mask: tuple[bool, ...]) -> Any:
        """The generated backward when only the outputs in ``mask`` received gradients."""
        fn = self._backwards.get(mask)
        if fn is None:
            lines, _ = self.gen.backward(mask)
            src = _function(f"{self.name}_backward", ["G"] + self.saved, lines)
            ns = self.gen.ns
            exec(compile(src, f"<compiled {self.name} backward>", "exec"), ns)  # noqa: S102
            fn = self._backwards[mask] = ns[f"{self.name}_backward"]
        return fn

    def _rule(self, i: int) -> Any:
        last = self.n_leaves - 1

        def rule(g: Any, out: Any, saved: Any, st: _Walk) -> Any:
            # ``saved`` is one tuple (one argument of the record): the walker unpacks a
            # record's arguments at each rule call, once per leaf
            if i == 0 or st.cache is None:
                gs = g if self.n_out > 1 else (g,)
                if any(isinstance(x, Tensor) for x in gs) or isinstance(saved, Tensor):
                    raise RuntimeError(
                        f"compile: backward(create_graph=True) through the compiled step "
                        f"{self.name!r} is not supported: its backward is generated NumPy code, "
                        "which is not recorded. Call the function uncompiled for higher-order "
                        "gradients"
                    )
                mask = tuple(x is not None for x in gs)
                st.cache = self.backward_for(mask)(g, *saved)
            r = st.cache[i]
            if i == last:
                st.cache = None
            return r

        return rule

    def run(self, tensors: list[Tensor]) -> Any:
        """Replay on ``tensors`` (the call's Tensor arguments) and the captures' current data."""
        caps = self.captures
        cdatas = [c._data for c in caps]
        for d, m in zip(cdatas, self.capture_meta, strict=True):
            if (type(d) is float) is not (m is None) or (m is not None and (
                    d.shape != m[0] or d.dtype != m[1])):
                raise Retrace
        outs, saved = self.forward(*[t._data for t in tensors], *cdatas)
        node = None
        if state.enabled and self.n_leaves:
            leaves = [tensors[k] for k in self.leaf_inputs] + self.leaf_captures
            node = Node(self.prim, (saved,), leaves, {"st": _Walk()}, outs[0], self.n_out)
        res = []
        for k, (v, d) in enumerate(zip(self.graph.outputs, outs, strict=True)):
            if v.kind == "input":
                res.append(tensors[v.index])
            elif v.kind == "capture":
                res.append(v.obj)
            elif node is not None and v.kind == "op" and v.requires_grad:
                t = Tensor._make(d, node, True)
                t._idx = k
                if k == 0 and type(d) is not float:
                    t._vc = node.out_vc = []  # in-place changes of the output are detected
                res.append(t)
            else:
                res.append(Tensor._make(d, None, False))
        return tuple(res) if self.graph.out_is_tuple else res[0]


def _not_callable(*args: Any, **params: Any) -> Any:
    raise RuntimeError("compile: the compiled step's record is not callable as a primitive")


def _meta(d: Any) -> Any:
    return None if type(d) is float else (d.shape, d.dtype)


def _out_expr(v: Value) -> str:
    return v.name if v.kind != "const" else v.name


def _ordered(graph: Graph) -> list[str]:
    names = [v.name for v in graph.inputs + graph.captures]
    names += [k.name for k in graph.consts if k.kind == "derived"]
    names += [v.name for op in graph.ops for v in op.outs]
    return list(dict.fromkeys(names))


def _function(name: str, params: list[str], body: list[str]) -> str:
    return f"def {name}({', '.join(params)}):\n" + "".join(f"    {line}\n" for line in body)
