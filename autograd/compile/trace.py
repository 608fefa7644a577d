"""Tracing: run a function once eagerly and capture every primitive call into a small IR.

The IR (:class:`Graph`) is a list of :class:`Op` in call order (which is the tape's ``seq`` order,
so reversing it is the order the eager walker visits records in).  Every operand is a
:class:`Value`:

* ``input``: a Tensor (or array) argument of the traced function, by position,
* ``capture``: a Tensor the function reads from its closure (a parameter, a buffer); it is kept
  by reference and its current ``._data`` is read at every replay,
* ``op``: an output of a traced primitive call,
* ``const``: an array passed to a primitive that is not a Tensor (frozen at trace time; the
  compiler checks, by tracing a second time on perturbed inputs, that it does not depend on the
  inputs, or finds it is a cast of one),

while Python numbers, ``None``, strings and tuples of them are literals.

While a trace runs, the hook in ``autograd.primitive`` (one global test per call) reports every
primitive call to the active :class:`Tracer`, and the Tensor methods that would turn a traced
value into a Python value (``item``, ``bool``, ``float``, ``int``, ``np.asarray``, iteration,
``tolist``, ``numpy``) raise :class:`TraceError`: the generated code cannot replay a Python
decision taken on data.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from .. import primitive as _primitive
from .. import tape as _tape
from ..devices import is_array
from ..primitive import Primitive
from ..tensor import Tensor

_lock = threading.Lock()  # one trace at a time (the hook is process-wide)
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# frames in tapegrad's own packages are skipped when naming the user's line
_PKG_DIRS = tuple(os.path.join(_ROOT, p) + os.sep for p in ("autograd", "nn", "optim"))


class TraceError(RuntimeError):
    """The traced function did something the generated code cannot replay."""


class Value:
    """One operand of the IR: its kind, its name in the generated code and its trace-time meta."""

    __slots__ = ("kind", "name", "index", "shape", "dtype", "is_float", "requires_grad", "obj")

    def __init__(self, kind: str, name: str, index: int, data: Any, requires_grad: bool,
                 obj: Any) -> None:
        self.kind = kind
        self.name = name
        self.index = index
        self.is_float = type(data) is float
        self.shape: tuple[int, ...] = () if self.is_float else tuple(np.shape(data))
        self.dtype = (np.dtype(np.float64) if self.is_float
                      else data.dtype if is_array(data) else np.asarray(data).dtype)
        self.requires_grad = requires_grad
        self.obj = obj  # the Tensor (input/capture/op) or the array (const)

    def __repr__(self) -> str:
        return self.name


class Op:
    """One primitive call: ``outs = prim(*args, **params)``; ``recorded``: it made a tape record."""

    __slots__ = ("prim", "args", "params", "outs", "recorded", "dup")

    def __init__(self, prim: Primitive, args: list[Any], params: dict[str, Any],
                 outs: list[Value], recorded: bool) -> None:
        self.prim = prim
        self.args = args
        self.params = params
        self.outs = outs
        self.recorded = recorded
        self.dup = False  # a repeat of an earlier op: its value is reused (codegen)


class Graph:
    """The traced program: inputs, captured tensors, constants, ops and the outputs."""

    def __init__(self) -> None:
        self.inputs: list[Value] = []
        self.captures: list[Value] = []
        self.consts: list[Value] = []
        self.ops: list[Op] = []
        self.outputs: list[Value] = []
        self.out_is_tuple = False
        # what the trace drew from GPU streams: the first run replays them (a GPU stream can't
        # be rewound to draw them again, as the CPU's is)
        self.gpu_draws: list[Any] = []

    def __str__(self) -> str:
        lines = [f"inputs: {self.inputs}  captures: {self.captures}  consts: {self.consts}"]
        for op in self.ops:
            args = ", ".join(map(repr, op.args))
            params = "".join(f", {k}={v!r}" for k, v in op.params.items())
            outs = ", ".join(o.name for o in op.outs)
            lines.append(f"{outs} = {op.prim.name}({args}{params})")
        lines.append(f"return {', '.join(o.name for o in self.outputs)}")
        return "\n".join(lines)


_LITERAL = (int, float, bool, str, type(None))


def _is_literal(v: Any) -> bool:
    if type(v) in _LITERAL:
        return True
    return type(v) is tuple and all(_is_literal(x) for x in v)


class Tracer:
    """Collects primitive calls into a :class:`Graph` while the traced function runs."""

    def __init__(self, inputs: list[Tensor]) -> None:
        self.graph = Graph()
        self.by_id: dict[int, Value] = {}
        self.keep: list[Any] = []  # strong references: ids stay unique during the trace
        self.clock = _tape._clock  # in-place operations move the modification clock
        self.thread = threading.get_ident()  # primitive calls of other threads are not ours
        # GPU random streams can't be saved and restored (CuPy's states don't serialize), so:
        # a draw from a GPU's stream outside ``draw`` (dropout) is noticed, and the verifying
        # second trace draws from a scratch stream instead of advancing the device's
        self.gpu_stream_used = False
        self.scratch_draws = False
        for t in inputs:
            v = Value("input", f"x{len(self.graph.inputs)}", len(self.graph.inputs), t._data,
                      t.requires_grad, t)
            self.graph.inputs.append(v)
            self.by_id[id(t)] = v
            self.keep.append(t)

    def known(self, t: Any) -> bool:
        return id(t) in self.by_id

    def ref(self, a: Any) -> Any:
        """The IR operand for a primitive's argument ``a``."""
        if isinstance(a, Tensor):
            v = self.by_id.get(id(a))
            if v is None:
                if _tape._clock != self.clock:
                    raise TraceError(
                        f"compile: a tensor was modified in place (before {user_line()}); "
                        "in-place operations are not supported inside compile (use the "
                        "out-of-place form)"
                    )
                if a._node is not None:
                    raise TraceError(
                        "compile: the function uses a tensor made by recorded operations that "
                        "the tracer did not see (an in-place operation, a non-leaf tensor from "
                        "an earlier graph, or the output of an autograd.Function, at "
                        f"{user_line()}); the compiled step cannot replay that computation. Use "
                        "out-of-place operations, or pass the tensor as a (detached) argument"
                    )
                g = self.graph
                v = Value("capture", f"c{len(g.captures)}", len(g.captures), a._data,
                          a.requires_grad, a)
                g.captures.append(v)
                self.by_id[id(a)] = v
                self.keep.append(a)
            return v
        if _is_literal(a):
            return a
        return self.const(a)

    def const(self, a: Any) -> Value:
        g = self.graph
        v = Value("const", f"k{len(g.consts)}", len(g.consts), a if is_array(a) else 0.0,
                  False, a)
        g.consts.append(v)
        self.keep.append(a)
        return v

    def record(self, prim: Primitive, args: tuple[Any, ...], params: dict[str, Any],
               outs: tuple[Tensor, ...]) -> None:
        """Called by ``Primitive.__call__`` (through ``autograd.primitive.tracer``)."""
        if threading.get_ident() != self.thread:
            return
        rargs = [self.ref(a) for a in args]
        rparams = {k: (p if _is_literal(p) else self.const(p))
                   for k, p in (params or {}).items()}  # None: no keyword arguments
        g = self.graph
        vals: list[Value] = []
        for t in outs:
            v = Value("op", f"t{len(g.ops)}" if len(outs) == 1 else f"t{len(g.ops)}_{len(vals)}",
                      len(g.ops), t._data, t.requires_grad, t)
            self.by_id[id(t)] = v
            self.keep.append(t)
            vals.append(v)
        g.ops.append(Op(prim, rargs, rparams, vals, outs[0]._node is not None))


def user_line() -> str:
    """``file:line`` of the innermost frame outside tapegrad's packages (the user's code)."""
    f: Any = sys._getframe(1)
    while f is not None:
        fn = os.path.abspath(f.f_code.co_filename)
        if not fn.startswith(_PKG_DIRS):
            return f"{f.f_code.co_filename}:{f.f_lineno}"
        f = f.f_back
    return "<unknown>"


_REFUSED = ("item", "tolist", "numpy", "__array__", "__iter__", "__bool__", "__float__",
            "__int__", "__index__")


def _refusing(name: str, orig: Callable[..., Any], tracer: Tracer) -> Callable[..., Any]:
    call = {"__array__": "np.asarray(t)", "__iter__": "iteration over t", "__bool__": "bool(t)",
            "__float__": "float(t)", "__int__": "int(t)", "__index__": "using t as an index"
            }.get(name, f"t.{name}()")

    def method(self: Tensor, *a: Any, **k: Any) -> Any:
        if tracer.known(self) and threading.get_ident() == tracer.thread:
            raise TraceError(
                f"compile: {call} on a traced tensor at {user_line()}: the value is only known "
                "when the step runs, so a Python decision or number taken from it cannot be "
                "replayed by the generated code. Keep the computation in tensor operations "
                "(e.g. autograd.where instead of if), or call the function uncompiled"
            )
        return orig(self, *a, **k)

    method.__name__ = name
    return method


def _draw_fwd(*, kind: str, shape: tuple[int, ...], dtype: Any, device: str = "cpu") -> Any:
    """Fresh samples from the default generator, as ``autograd.rand``/``randn`` draw them
    (on a GPU, from that device's generator, drawing there)."""
    from ..random import default_generator

    if device == "cpu":
        return np.asarray(getattr(default_generator(), kind)(shape).astype(dtype, copy=False))
    from ..devices import device as _device
    from ..devices import placed
    from ..random import generator_for

    if replay:
        return replay.pop(0)
    dev = _device(device)
    tracer = _primitive.tracer
    scratch = tracer is not None and tracer.scratch_draws
    with placed(dev) as mod:
        if scratch:  # a throwaway stream on the device (no transfer, the real one untouched)
            gen = mod.random.default_rng(0)
        else:
            _in_draw[0] = True
            try:
                gen = generator_for(dev)
            finally:
                _in_draw[0] = False
        out = getattr(gen, kind)(shape).astype(dtype, copy=False)
    if tracer is not None and not scratch:
        tracer.graph.gpu_draws.append(out)
    return out


replay: list[Any] = []  # GPU draws of a trace, handed out again by the first compiled run
_in_draw = [False]  # inside ``draw``: its use of a GPU stream is recorded, not hidden


@contextmanager
def _watching_gpu_streams(tracer: Tracer) -> Iterator[None]:
    """Note in ``tracer`` any use of a GPU's random stream outside ``draw`` while tracing."""
    from .. import devices

    backend = devices._cuda
    if backend is None:
        yield
        return
    orig = backend.generator
    own = vars(backend).get("generator")  # an instance attribute (not the class's method)?

    def generator(index: int) -> Any:
        if not _in_draw[0]:
            tracer.gpu_stream_used = True
        return orig(index)

    backend.generator = generator
    try:
        yield
    finally:
        if own is None:
            del backend.generator  # the class's method again
        else:
            backend.generator = own


# ``rand``/``randn`` with the default generator, as a recorded operation: a replay draws fresh
# numbers from the same stream eager mode uses (no gradient: samples are constants)
draw = Primitive("draw", _draw_fwd)


def _drawing(kind: str, orig: Callable[..., Any]) -> Callable[..., Any]:
    from ..creation import _dt
    from ..devices import target
    from ..ops._args import shape_arg

    name = "rand" if kind == "random" else "randn"

    def fn(*shape: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           generator: Any = None) -> Any:
        if generator is not None or requires_grad:
            return orig(*shape, dtype=dtype, device=device, requires_grad=requires_grad,
                        generator=generator)
        dev = target(device)
        where = {} if dev.type == "cpu" else {"device": str(dev)}  # a GPU draws there
        return draw(kind=kind, shape=tuple(shape_arg(shape, name)), dtype=_dt(dtype, name),
                    **where)

    fn.__name__ = name
    return fn


@contextmanager
def tracing(tracer: Tracer) -> Iterator[Tracer]:
    """Activate ``tracer``: the primitive hook, the refusing Tensor methods and the recorded
    ``rand``/``randn``, then restore."""
    import autograd

    from .. import creation

    with _lock:
        saved = {n: Tensor.__dict__[n] for n in _REFUSED if n in Tensor.__dict__}
        for n, m in saved.items():
            setattr(Tensor, n, _refusing(n, m, tracer))
        draws = {(mod, n): getattr(mod, n) for mod in (autograd, creation)
                 for n in ("rand", "randn")}
        for mod, n in draws:
            setattr(mod, n, _drawing("random" if n == "rand" else "standard_normal",
                                     draws[(creation, n)]))
        _primitive.tracer = tracer
        try:
            with _watching_gpu_streams(tracer):
                yield tracer
        finally:
            _primitive.tracer = None
            for n, m in saved.items():
                setattr(Tensor, n, m)
            for (mod, n), f in draws.items():
                setattr(mod, n, f)
