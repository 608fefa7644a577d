"""``autograd.compile``: record a step's tape once, replay it as generated NumPy code.

>>> import autograd as ag
>>> w = ag.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
>>> step = ag.compile(lambda x: (x @ w).tanh().sum())
>>> x = ag.tensor([[1.0, 2.0]])
>>> loss = step(x)                # first call for this signature: trace + generate code
>>> loss.backward()               # the generated backward; w.grad lands as in eager mode
>>> print(step.code.splitlines()[1])
    t0 = x0 @ c0

See :func:`compile` for the contract (guards, refusals, fallback).
"""

from __future__ import annotations

import functools
import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import random as _random
from .. import tape as _tape
from ..devices import device_of, is_array, to_host
from ..grad_mode import state
from ..tensor import Tensor
from . import trace as _trace_module
from .step import CompiledGraph, Retrace
from .trace import Graph, TraceError, Tracer, Value, draw, tracing

__all__ = ["compile", "CompiledFunction", "TraceError"]

_EAGER = object()  # cache entry of a signature that runs eagerly (fallback)


class CompiledFunction:
    """A function traced once per input signature and replayed as generated NumPy code.

    Attributes: ``recompiles`` (traces after the first), ``code`` (the generated source of the
    latest signature), ``graph`` (its IR, printable), ``fallbacks`` (signatures run eagerly).
    """

    def __init__(self, fn: Callable[..., Any], *, fallback: bool = True, cache_size: int = 16,
                 warn_after: int = 8) -> None:
        if not callable(fn):
            raise TypeError(f"compile: expected a callable, got {type(fn).__name__}")
        if cache_size < 1:
            raise ValueError(f"compile: cache_size must be >= 1, got {cache_size}")
        self.fn = fn
        self.fallback = fallback
        self.cache_size = cache_size
        self.warn_after = warn_after
        self.recompiles = 0
        self.fallbacks = 0
        self._traces = 0
        self._warned = False
        self._cache: OrderedDict[Any, Any] = OrderedDict()
        self._latest: CompiledGraph | None = None
        self._modules = _find_modules(fn)
        self._name = _ident(getattr(fn, "__name__", "step"))
        functools.update_wrapper(self, fn, updated=())  # type: ignore[arg-type]

    @property
    def code(self) -> str:
        """The generated forward and backward source of the latest traced signature."""
        if self._latest is None:
            raise RuntimeError("compile: no signature traced yet; call the function first")
        return self._latest.code

    @property
    def graph(self) -> Graph:
        if self._latest is None:
            raise RuntimeError("compile: no signature traced yet; call the function first")
        return self._latest.graph

    def __call__(self, *args: Any) -> Any:
        key, tensors = self._signature(args)
        entry = self._cache.get(key)
        if entry is None:
            return self._trace(key, args, tensors)
        if entry is _EAGER:
            return self.fn(*args)
        try:
            return entry.run(tensors)
        except Retrace:
            del self._cache[key]
            return self._trace(key, args, tensors)

    def _signature(self, args: tuple[Any, ...]) -> tuple[Any, list[Tensor]]:
        key: list[Any] = [state.enabled]
        tensors: list[Tensor] = []
        for a in args:
            if isinstance(a, Tensor):
                d = a._data
                key.append(("f", a.requires_grad) if type(d) is float
                           else (d.shape, d.dtype, a.requires_grad,
                                 None if type(d) is np.ndarray else device_of(d)))
                tensors.append(a)
            elif is_array(a):
                key.append(("a", a.shape, a.dtype,
                            None if type(a) is np.ndarray else device_of(a)))
                tensors.append(Tensor._const(a))
            elif type(a) in (int, float, bool, str, type(None)):
                key.append((type(a), a))
            else:
                raise TypeError(
                    f"compile: unsupported argument of type {type(a).__name__}; pass Tensors, "
                    "arrays or Python numbers (capture other objects in the closure)"
                )
        for m in self._modules:
            # a reassigned parameter or buffer is a new tensor object: a new trace captures it
            key.append(m.training)
            key.extend(map(id, m._parameters.values()))
            key.extend(map(id, m._buffers.values()))
        return tuple(key), tensors

    # ------------------------------------------------------------------------------ tracing
    def _trace(self, key: Any, args: tuple[Any, ...], tensors: list[Tensor]) -> Any:
        self._traces += 1
        if self._traces > 1:
            self.recompiles += 1
            if self.recompiles > self.warn_after and not self._warned:
                self._warned = True
                warnings.warn(
                    f"compile: {self._name} was retraced {self.recompiles} times (shapes, dtypes,"
                    " flags or number arguments keep changing); consider fixed shapes",
                    stacklevel=3,
                )
        try:
            graph = _build(self.fn, args, tensors)
            compiled = CompiledGraph(graph, self._name)
        except _EagerResult as e:  # refused after a complete eager run: use that result
            self._refuse(key, e.error)
            return e.result
        except TraceError as e:
            self._refuse(key, e)
            return self.fn(*args)
        self._store(key, compiled)
        self._latest = compiled
        if not graph.gpu_draws:
            return compiled.run(tensors)
        _trace_module.replay[:] = graph.gpu_draws  # the numbers the trace took from GPU streams
        try:
            return compiled.run(tensors)
        finally:
            _trace_module.replay.clear()
            graph.gpu_draws = []

    def _refuse(self, key: Any, err: TraceError) -> None:
        if not self.fallback:
            raise err
        self.fallbacks += 1
        if self.fallbacks == 1:
            warnings.warn(f"{err} -- running {self._name} eagerly for this signature "
                          "(compile(fn, fallback=False) makes this an error)", stacklevel=4)
        self._store(key, _EAGER)

    def _store(self, key: Any, entry: Any) -> None:
        self._cache[key] = entry
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)


class _EagerResult(Exception):
    def __init__(self, error: TraceError, result: Any) -> None:
        self.error = error
        self.result = result


def _build(fn: Callable[..., Any], args: tuple[Any, ...], tensors: list[Tensor]) -> Graph:
    """Trace ``fn`` (twice: once more on perturbed inputs, to find input-derived constants)."""
    gen = _random.default_generator()
    rng_state = gen.bit_generator.state
    clock = _tape._clock
    tracer = Tracer(tensors)
    try:
        with tracing(tracer):
            result = fn(*_replace(args, tensors))
    except TraceError:
        gen.bit_generator.state = rng_state  # the eager rerun draws what eager mode would
        raise
    graph = tracer.graph
    _outputs(tracer, result)
    if tracer.gpu_stream_used or (gen.bit_generator.state != rng_state
                                  and not _draws_explain(graph, rng_state, gen)):
        raise _EagerResult(TraceError(
            f"compile: {_ident(getattr(fn, '__name__', 'fn'))} draws random numbers outside "
            "autograd.rand/randn with the default generator (dropout, an explicit generator); "
            "the generated code cannot redraw them"), result)
    if _tape._clock != clock:
        raise _EagerResult(TraceError(
            "compile: the function modifies a tensor in place; in-place operations are not "
            "supported inside compile (use the out-of-place form)"), result)
    for op in graph.ops:
        for v in op.outs:
            node = v.obj._node
            if node is not None and (node.hooks is not None or node.retained is not None):
                raise _EagerResult(TraceError(
                    f"compile: a hook or retain_grad() on the output of {op.prim.name} inside "
                    "the function is not supported (hooks on parameters and inputs are)"), result)
    _check_consts(fn, args, tensors, graph, rng_state)
    return graph


def _draws_explain(graph: Graph, start: Any, gen: Any) -> bool:
    """Whether the recorded ``rand``/``randn`` draws account for every number drawn."""
    bg = type(gen.bit_generator)()
    bg.state = start
    sim = np.random.Generator(bg)
    n = 0
    for op in graph.ops:
        if op.prim is draw and "device" not in op.params:  # GPU draws use their own stream
            getattr(sim, op.params["kind"])(op.params["shape"])
            n += 1
    return n > 0 and bg.state == gen.bit_generator.state


def _replace(args: tuple[Any, ...], tensors: list[Tensor]) -> list[Any]:
    it = iter(tensors)
    return [next(it) if isinstance(a, Tensor) or is_array(a) else a for a in args]


def _outputs(tracer: Tracer, result: Any) -> None:
    graph = tracer.graph
    items = list(result) if isinstance(result, (tuple, list)) else [result]
    graph.out_is_tuple = isinstance(result, (tuple, list))
    if not items or not all(isinstance(t, Tensor) for t in items):
        raise TraceError(
            "compile: the function must return a Tensor or a tuple of Tensors, got "
            f"{type(result).__name__}"
        )
    for t in items:
        v = tracer.by_id.get(id(t))
        if v is None:
            if t._node is not None:
                raise TraceError("compile: the function returns a tensor computed outside it")
            v = tracer.const(t._data)
        graph.outputs.append(v)


def _perturbed(t: Tensor) -> Tensor:
    """``t`` with every element changed (so that anything computed from it changes too), kept in
    range for indices: integers move by one towards the other valid neighbour (0 -> 1, k -> k-1),
    booleans flip, floats are rolled along the first axis and shifted by 0.5."""
    d = t._data
    if type(d) is float:
        return Tensor._make(d + 0.5, None, t.requires_grad)
    k = d.dtype.kind
    if k in "iu":
        p = np.where(d > 0, d - 1, d + 1).astype(d.dtype)
    elif k == "b":
        p = ~d
    else:
        p = (np.roll(d, 1, axis=0) if d.ndim else d) + d.dtype.type(0.5)  # any device
    return Tensor._make(p, None, t.requires_grad)


def _check_consts(fn: Callable[..., Any], args: tuple[Any, ...], tensors: list[Tensor],
                  graph: Graph, rng_state: Any) -> None:
    """Trace again on perturbed inputs: a constant that changes depends on the inputs.

    Such a constant is replayed as a cast of an input when it is one (the integer targets that
    ``cross_entropy`` converts), and refused otherwise: freezing it would be a silent wrong answer.
    """
    pert = [_perturbed(t) for t in tensors]
    caps = [v.obj for v in graph.captures]
    seen = {id(c) for c in caps} | {id(t) for t in tensors}
    hidden = [t for t in _closure_tensors(fn) if id(t) not in seen]  # read by ._data, unseen
    caps += hidden
    orig = [c._data for c in caps]
    cpert = [_perturbed(c)._data for c in caps]
    tracer = Tracer(pert)
    tracer.scratch_draws = True  # GPU streams can't be rewound: this trace must not advance them
    try:
        for c, d in zip(caps, cpert, strict=True):
            c._data = d  # captured tensors too: a constant may come from their data
        with tracing(tracer), np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(*_replace(args, pert))
    except Exception as e:  # noqa: BLE001 - any failure means: not verified
        raise TraceError(f"compile: could not verify the traced constants ({e})") from e
    finally:
        for c, d in zip(caps, orig, strict=True):
            c._data = d
        _random.default_generator().bit_generator.state = rng_state
    other = tracer.graph
    if len(other.ops) != len(graph.ops) or any(
            a.prim is not b.prim for a, b in zip(graph.ops, other.ops, strict=True)):
        raise TraceError("compile: the function runs different operations for different input "
                         "values (data-dependent control flow); it cannot be compiled")
    for a, b in zip(graph.ops, other.ops, strict=True):
        lits = [(x, y) for x, y in zip(a.args, b.args, strict=True) if not isinstance(x, Value)]
        lits += [(a.params[k], b.params.get(k)) for k in a.params
                 if not isinstance(a.params[k], Value)]
        if any(not _same(x, y) for x, y in lits):
            raise TraceError(
                f"compile: a Python number passed to {a.prim.name} depends on the input values "
                "(read from tensor data outside autograd's operations); the generated code "
                "would freeze it. Use tensor operations, or pass the number as an argument"
            )
    sources = [(v, t._data, p._data) for v, t, p in zip(graph.inputs, tensors, pert, strict=True)]
    if len(other.captures) != len(graph.captures):
        raise TraceError("compile: the function reads different tensors for different input "
                         "values; it cannot be compiled")
    made = [(va, vb) for va, vb in zip(graph.captures, other.captures, strict=True)
            if va.obj is not vb.obj]  # tensors created inside the function, outside operations
    made_ids = {id(va) for va, _ in made}
    n_caps = len(graph.captures) + len(hidden)
    cvals = list(graph.captures)
    for t in hidden:  # a hidden read becomes a capture when a constant derives from it
        cvals.append(Value("capture", f"c{len(cvals)}", len(cvals), t._data, False, t))
    sources += [s for s in zip(cvals, orig, cpert, strict=True) if id(s[0]) not in made_ids]
    sources += [(x, x.obj._data, y.obj._data) for a, b in zip(graph.ops, other.ops, strict=True)
                for x, y in zip(a.outs, b.outs, strict=True)]  # x.detach() of an intermediate

    def use(src: Any) -> None:
        nonlocal n_caps
        if src[0] not in graph.captures and src[0].kind == "capture":
            src[0].index = n_caps
            src[0].name = f"c{n_caps}"
            n_caps += 1
            graph.captures.append(src[0])

    for va, vb in made:
        if _same(va.obj._data, vb.obj._data):
            continue  # a constant (ag.zeros(3), a tensor of fixed numbers): frozen, correctly
        src = _derivation(va.obj._data, vb.obj._data, sources)
        if src is None or va.requires_grad:
            raise TraceError(
                "compile: the function makes a tensor from input data outside autograd's "
                "operations (ag.tensor(x.numpy()), .data, ...); the generated code would freeze "
                "it. Use tensor operations (x.detach() is supported)"
            )
        graph.captures.remove(va)  # an alias of its source (x.detach()), recomputed each call
        va.kind = "derived"
        va.obj = src
        graph.consts.insert(0, va)
        use(src)
    for k, k2 in zip(graph.consts, other.consts, strict=False):
        if k.kind == "derived":
            continue
        a, b = k.obj, k2.obj
        if _same(a, b):
            continue
        src = _derivation(a, b, sources)
        if src is None:
            raise TraceError(
                "compile: a constant array passed to an operation depends on the input values "
                "but was computed outside autograd's operations (NumPy on .numpy()/._data?); "
                "the generated code cannot recompute it. Use tensor operations"
            )
        k.kind = "derived"
        k.obj = src
        use(src)


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if is_array(a):
        # trace-time verification, once per compilation: a GPU answer is read back on purpose
        return a.shape == b.shape and a.dtype == b.dtype and bool(to_host(
            np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")))
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return False


def _derivation(a: Any, b: Any, sources: list[tuple[Any, Any, Any]]) -> Any:
    """``(value, dtype)`` when constant ``a`` (``b`` on perturbed data) is a source's data, or its
    cast to ``dtype`` (the integer targets ``cross_entropy`` converts); else None."""
    if not is_array(a):
        return None
    for v, d, p in sources:
        if type(d) is float or d.shape != a.shape:
            continue
        if a is d:
            return (v, None)
        if v.kind == "op":
            continue  # intermediates: aliases (x.detach()) only, a cast could be a coincidence
        if type(d) is not type(a):
            continue  # another device: not a cast of this source
        # trace-time verification (once per compilation): a GPU answer is read back on purpose
        if bool(to_host(np.array_equal(a, d.astype(a.dtype)))) and bool(
                to_host(np.array_equal(b, p.astype(a.dtype)))):
            return (v, a.dtype)
    return None


def _candidates(fn: Any) -> list[Any]:
    """What ``fn`` can reach: itself, its ``self``, closure cells, defaults, named globals."""
    cands: list[Any] = [fn, getattr(fn, "__self__", None)]
    cands += [c.cell_contents for c in (getattr(fn, "__closure__", None) or ())
              if _filled(c)]
    cands += list(getattr(fn, "__defaults__", None) or ())
    code = getattr(fn, "__code__", None)
    if code is not None:
        g = getattr(fn, "__globals__", {})
        cands += [g[n] for n in code.co_names if n in g]
    return cands


def _reachable(fn: Any) -> tuple[list[Any], list[Any]]:
    """(Tensors, Modules) that ``fn`` can reach: its closure, defaults and globals, directly or
    one or two levels down in lists/tuples and plain objects (a trainer's ``self.model``), and
    every submodule of a module found.  One walk serves the guards and the constant check."""
    try:
        from nn.modules.module import Module
    except ImportError:  # pragma: no cover - nn is part of tapegrad
        Module = ()  # type: ignore[assignment,misc]
    tensors: list[Any] = []
    modules: list[Any] = []
    seen: set[int] = set()

    def visit(c: Any, depth: int) -> None:
        if id(c) in seen:
            return
        if isinstance(c, Tensor):
            seen.add(id(c))
            tensors.append(c)
        elif isinstance(c, Module):
            seen.add(id(c))
            for m in c.modules():
                seen.add(id(m))
                modules.append(m)
                for v in vars(m).values():  # parameters and buffers (dicts), tensor attributes
                    for t in (v.values() if isinstance(v, dict) else (v,)):
                        if isinstance(t, Tensor) and id(t) not in seen:
                            seen.add(id(t))
                            tensors.append(t)
        elif isinstance(c, (list, tuple)) and depth:
            for x in c[:64]:
                visit(x, depth - 1)
        elif depth and hasattr(c, "__dict__") and not isinstance(c, type) and not callable(c):
            for v in list(vars(c).values())[:64]:
                visit(v, depth - 1)

    for c in _candidates(fn):
        visit(c, 2)
    return tensors, modules


def _closure_tensors(fn: Any) -> list[Tensor]:
    """Tensors ``fn`` may read without passing them to an operation (``y._data`` of targets);
    the constant check perturbs them too."""
    return _reachable(fn)[0]


def _find_modules(fn: Any) -> list[Any]:
    """Modules whose ``training`` flag guards the trace (with all their submodules)."""
    return _reachable(fn)[1]


def _filled(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:
        return False
    return True


def _ident(name: str) -> str:
    s = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    if not s or s == "_lambda_":
        return "step"
    return s if not s[0].isdigit() else f"f_{s}"


def compile(fn: Callable[..., Any] | None = None, *, fallback: bool = True,  # noqa: A001
            cache_size: int = 16, warn_after: int = 8) -> Any:
    """Compile ``fn`` (Tensors/arrays/numbers -> Tensor or tuple of Tensors) into NumPy code.

    The first call for an input signature runs ``fn`` with a tracer and generates straight-line
    forward and backward source (``.code``); later calls replay it on the new data, and the
    returned Tensors' ``backward`` runs the generated backward (``.grad`` accumulation,
    ``retain_graph``, ``autograd.grad`` and partial outputs as in eager mode).

    Guards: shapes, dtypes and ``requires_grad`` of Tensor arguments, grad mode, Python-number
    arguments, the ``training`` flags and the parameter/buffer objects of the modules ``fn``
    references (itself, its closure/globals/defaults, a trainer's ``self.model``) are the key
    (at most ``cache_size`` signatures,
    ``recompiles`` counts retraces, warning past ``warn_after``); captured tensors are read live
    at each call and retraced when their shape or dtype changes.

    Refused (``TraceError``, a RuntimeError): ``.item()``, ``bool/float/int(t)``,
    ``np.asarray(t)``, iteration, ``tolist``/``numpy`` on a traced tensor (naming the call and
    the line), random draws other than ``autograd.rand``/``randn`` with the default generator
    (those are recorded and redraw at every replay from the stream eager mode uses; dropout's
    masks are not), in-place operations, hooks/retain_grad on intermediate tensors,
    constants computed from input data outside autograd, and ``create_graph=True`` through the
    step (at backward).  With ``fallback=True`` (default) a refused signature runs eagerly with a
    one-time warning; ``fallback=False`` raises instead.  Usable as ``@compile`` or
    ``@compile(fallback=False)``.  Counterparts: ``torch.compile``, ``jax.jit``.
    """
    if fn is None:
        return lambda f: CompiledFunction(f, fallback=fallback, cache_size=cache_size,
                                          warn_after=warn_after)
    return CompiledFunction(fn, fallback=fallback, cache_size=cache_size, warn_after=warn_after)
