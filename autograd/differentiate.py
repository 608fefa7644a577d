"""Public entry points of the reverse walk: ``backward`` and ``grad``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from .backend import xp
from .devices import array_module, device_of, is_array
from .tape import run_backward
from .tensor import Tensor

TensorOrTensors = Tensor | Sequence[Tensor]


def _seq(x: Any) -> list[Any]:
    """"A tensor or a sequence of tensors" as a list: an array or a number is *one* tensor (its
    rows are not a sequence of gradients); lists, tuples and other iterables are sequences."""
    if x is None:
        return []
    if isinstance(x, (Tensor, xp.ndarray, xp.generic, float, int)) or is_array(x):
        return [x]
    return list(x)


def _quiet() -> Any:
    """The walk runs without NumPy's divide/overflow/invalid warnings: where a derivative does
    not exist the gradient is inf or nan by convention (docs/conventions.md, as in PyTorch, which
    never warns), e.g. the second derivative of ``norm`` at 0 is ``0 / 0``."""
    return xp.errstate(divide="ignore", invalid="ignore", over="ignore")


def _seed(out: Tensor, g: Any, create_graph: bool, where: str) -> Any:
    """The starting gradient for ``out``: ones for a scalar, else the caller's (shape-checked)."""
    if not out.requires_grad:
        raise RuntimeError(
            f"{where}: element 0 of tensors does not require grad and does not have a grad_fn; "
            "set requires_grad=True on the inputs you differentiate with respect to"
        )
    d = out._data
    if g is None:
        if out.numel() != 1:
            raise RuntimeError(
                f"{where}: grad can be implicitly created only for scalar outputs; the output "
                f"has shape {tuple(out.shape)}, so pass gradient= (the same shape) explicitly"
            )
        seed: Any = 1.0 if type(d) is float else array_module(d).ones(d.shape, d.dtype)
        return Tensor._const(seed) if create_graph else seed
    if isinstance(g, Tensor):
        if create_graph:
            if tuple(g.shape) != tuple(out.shape):
                raise _shape_error(where, g.shape, out.shape)
            return g
        g = g._data
    if type(g) is int or (isinstance(g, xp.generic) and g.dtype.kind in "biuf"):
        g = float(g)  # numbers (NumPy scalars too) mix with any device, as in arithmetic
    gd: Any = g if type(g) is float or is_array(g) else xp.asarray(g)
    if type(gd) is not float and gd.dtype.kind not in "biuf":  # (what it is, before where)
        raise TypeError(
            f"{where}: the gradient must be a Tensor, an array or numbers, got "
            f"{type(g).__name__} of dtype {gd.dtype}"
        )
    if type(d) is not float and device_of(gd) != device_of(d) and is_array(gd):
        raise RuntimeError(
            f"{where}: the gradient is on {device_of(gd)} but the output on {device_of(d)}; "
            "move it with .to(output.device)"
        )
    gshape = () if type(gd) is float else gd.shape
    if gshape != tuple(out.shape):
        raise _shape_error(where, gshape, out.shape)
    if type(d) is float:
        gd = float(gd)
    else:
        if not is_array(gd):  # a Python number for a 0-d array output
            gd = array_module(d).asarray(gd)
        if gd.dtype != d.dtype:
            gd = gd.astype(d.dtype)
    return Tensor._const(gd) if create_graph else gd


def _shape_error(where: str, got: Any, want: Any) -> RuntimeError:
    return RuntimeError(
        f"{where}: mismatch in shape: gradient has shape {tuple(got)} but the output has shape "
        f"{tuple(want)}; pass a gradient of the output's shape"
    )


def backward(
    tensors: TensorOrTensors,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """Accumulate gradients of ``tensors`` into the ``.grad`` of every leaf they depend on.

    >>> import autograd as ag
    >>> x = ag.tensor(3.0, requires_grad=True)
    >>> (x * x).backward()
    >>> x.grad.item()
    6.0
    """
    outs = _seq(tensors)
    gs = [grad_tensors] if isinstance(tensors, Tensor) else (
        _seq(grad_tensors) if grad_tensors is not None else [None] * len(outs)
    )
    if len(gs) != len(outs):
        raise ValueError(
            f"backward: got {len(outs)} tensors but {len(gs)} gradients; pass one per tensor"
        )
    if retain_graph is None:
        retain_graph = create_graph
    seeds = [_seed(o, g, create_graph, "backward") for o, g in zip(outs, gs)]
    stack = _frames()
    stack.append([])  # callbacks queued by hooks during this walk (queue_callback)
    try:
        with _quiet():
            run_backward(outs, seeds, retain_graph=retain_graph, create_graph=create_graph)
    finally:
        queued = stack.pop()
    for fn in queued:  # only reached when the walk succeeded
        fn()


_local = threading.local()


def _frames() -> list[list[Callable[[], None]]]:
    stack: list[list[Callable[[], None]]] | None = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


def queue_callback(fn: Callable[[], None]) -> None:
    """Run ``fn()`` once, right after the ``backward`` call now in progress (in this thread) ends.

    Meant for gradient hooks that need to know when every leaf gradient of a backward pass has
    been accumulated (``nn.parallel.DistributedDataParallel`` finishes its gradient averaging
    there); PyTorch's counterpart is ``Variable._execution_engine.queue_callback``.  Callbacks
    run in the order queued, and not at all if the walk raised.  Raises RuntimeError outside a
    ``backward`` call.
    """
    if not callable(fn):
        raise TypeError(f"queue_callback: expected a callable, got {type(fn).__name__}")
    stack = _frames()
    if not stack:
        raise RuntimeError(
            "queue_callback: no backward() is running in this thread; call it from a gradient "
            "hook during backward"
        )
    stack[-1].append(fn)


def grad(
    outputs: TensorOrTensors,
    inputs: TensorOrTensors,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, without touching any ``.grad``.

    >>> import autograd as ag
    >>> x = ag.tensor(2.0, requires_grad=True)
    >>> (gx,) = ag.grad(x ** 3, x, create_graph=True)
    >>> gx.item(), ag.grad(gx, x)[0].item()
    (12.0, 12.0)
    """
    outs = _seq(outputs)
    ins = _seq(inputs)
    for k, t in enumerate(ins):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: inputs[{k}] is a {type(t).__name__}, expected a Tensor")
        if not t.requires_grad:
            raise RuntimeError(
                f"grad: inputs[{k}] does not require grad; set requires_grad=True on it"
            )
    gs = _seq(grad_outputs) if grad_outputs is not None else [None] * len(outs)
    if len(gs) != len(outs):
        raise ValueError(f"grad: got {len(outs)} outputs but {len(gs)} grad_outputs")
    if retain_graph is None:
        retain_graph = create_graph
    seeds = [_seed(o, g, create_graph, "grad") for o, g in zip(outs, gs)]
    with _quiet():
        got = run_backward(
            outs, seeds, retain_graph=retain_graph, create_graph=create_graph, capture=ins,
            accumulate=False,
        )
    assert got is not None
    res: list[Tensor | None] = []
    for k, (t, g) in enumerate(zip(ins, got)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: one of the differentiated tensors (inputs[{k}], shape "
                    f"{tuple(t.shape)}) appears to not have been used in the graph; set "
                    "allow_unused=True if this is the desired behavior"
                )
            res.append(None)
        elif isinstance(g, Tensor):
            res.append(g)
        else:
            res.append(Tensor._const(g if type(g) is float else g.copy()))
    return tuple(res)
