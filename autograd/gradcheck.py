"""Numerical gradient checks by central differences: ``gradcheck`` and ``gradgradcheck``.

For each float input ``x`` that requires grad and each output ``y``, the analytic Jacobian (from
the tape, one backward per output element) is compared with the numeric one,
``(f(x + eps e_j) - f(x - eps e_j)) / (2 eps)``, element by element:
``|analytic - numeric| <= atol + rtol * |numeric|``.  ``fast_mode`` compares the single number
``v^T J u`` for random ``u``, ``v`` instead (one backward and two forwards per input).

>>> import autograd as ag
>>> x = ag.tensor([0.5, 1.5], dtype="float64", requires_grad=True)
>>> ag.gradcheck(lambda t: (t.sin() * t).sum(), (x,))
True
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .backend import to_numpy, xp
from .devices import array_module, transfer
from .differentiate import grad
from .grad_mode import enable_grad, no_grad
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """Analytic and numerical gradients disagree (the message says where and by how much)."""


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(fn: Callable[..., Any], inputs: tuple[Any, ...]) -> tuple[Tensor, ...]:
    outs = _as_tuple(fn(*inputs))
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: output {k} of fn is a {type(o).__name__}, expected Tensor")
    return outs


def _diff_inputs(inputs: tuple[Any, ...]) -> list[int]:
    idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not idx:
        raise ValueError(
            "gradcheck: no input requires grad; pass float64 Tensors with requires_grad=True"
        )
    for i in idx:
        if inputs[i].dtype != np.float64:
            warnings.warn(
                f"gradcheck: input {i} has dtype {inputs[i].dtype}; central differences are only "
                "reliable in float64 (use .double())",
                UserWarning,
                stacklevel=3,
            )
    return idx


def _flat_outputs(fn: Callable[..., Any], inputs: tuple[Any, ...]) -> list[np.ndarray]:
    with no_grad():
        return [to_numpy(o._array).astype(np.float64).ravel().copy() for o in _outputs(fn, inputs)]


class _Perturb:
    """Set one element of an input's data to a value and restore it exactly afterwards."""

    def __init__(self, t: Tensor) -> None:
        self.t = t
        self.scalar = type(t._data) is float
        self.orig = t._data

    def set(self, j: int, value: float) -> None:
        if self.scalar:
            self.t._data = float(value)
        else:
            self.t._data[np.unravel_index(j, self.t._data.shape)] = value

    def get(self, j: int) -> float:
        if self.scalar:
            return float(self.orig)
        # a GPU value is read explicitly: gradcheck is a debugging tool that asks for values
        return float(to_numpy(self.t._data[np.unravel_index(j, self.t._data.shape)]))

    def restore(self, j: int, value: float) -> None:
        self.set(j, value)
        if self.scalar:
            self.t._data = self.orig


def numerical_jacobian(
    fn: Callable[..., Any], inputs: Sequence[Any], i: int, eps: float = 1e-6
) -> list[np.ndarray]:
    """Central-difference Jacobians of every output w.r.t. ``inputs[i]``: (out.size, in.size)."""
    inputs = tuple(inputs)
    t = inputs[i]
    p = _Perturb(t)
    n = t.numel()
    cols: list[list[np.ndarray]] = []
    for j in range(n):
        v = p.get(j)
        try:
            p.set(j, v + eps)
            plus = _flat_outputs(fn, inputs)
            p.set(j, v - eps)
            minus = _flat_outputs(fn, inputs)
        finally:
            p.restore(j, v)
        with np.errstate(invalid="ignore", over="ignore"):  # nan/inf outputs: a failed check
            cols.append([(a - b) / (2 * eps) for a, b in zip(plus, minus)])
    outs = _flat_outputs(fn, inputs)
    return [
        np.stack([c[k] for c in cols], axis=1) if n else np.zeros((outs[k].size, 0))
        for k in range(len(outs))
    ]


def analytical_jacobian(fn: Callable[..., Any], inputs: Sequence[Any], i: int) -> list[np.ndarray]:
    """Jacobians from the tape (one backward per output element): (out.size, in.size)."""
    inputs = tuple(inputs)
    with enable_grad():
        outs = _outputs(fn, inputs)
    t = inputs[i]
    jacs = []
    for o in outs:
        J = np.zeros((o.numel(), t.numel()))
        if o.requires_grad and o.dtype.kind == "f":
            for k in range(o.numel()):
                seed = np.zeros(o.shape, dtype=o.dtype)
                seed.reshape(-1)[k] = 1
                seed_t = Tensor._make(transfer(seed, o.device), None, False)
                (g,) = grad(o, t, grad_outputs=seed_t, retain_graph=True, allow_unused=True)
                if g is not None:
                    _check_grad_like(g, t, i)
                    J[k] = to_numpy(g._array).astype(np.float64).ravel()
        jacs.append(J)
    return jacs


def _check_grad_like(g: Tensor, t: Tensor, i: int) -> None:
    if tuple(g.shape) != tuple(t.shape) or g.dtype != t.dtype:
        raise GradcheckError(
            f"gradcheck: gradient for input {i} has shape {tuple(g.shape)} and dtype {g.dtype}, "
            f"but the input has shape {tuple(t.shape)} and dtype {t.dtype}"
        )


def _compare(
    a: np.ndarray, n: np.ndarray, atol: float, rtol: float, where: str, raise_exception: bool
) -> bool:
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf: nan, a failure below
        err = np.abs(a - n) - (atol + rtol * np.abs(n))
    bad = ~(err <= 0)  # nan (a rule or an output that gave nan or inf) counts as a failure
    if not bad.any():
        return True
    if not raise_exception:
        return False
    k = int(np.nanargmax(np.where(bad, np.nan_to_num(err, nan=np.inf), -np.inf)))
    idx = np.unravel_index(k, a.shape) if a.ndim else ()
    raise GradcheckError(
        f"gradcheck: Jacobian mismatch for {where}, worst at element {tuple(int(x) for x in idx)}"
        f" (output element, input element): numerical {float(n.flat[k])!r} vs analytical "
        f"{float(a.flat[k])!r} (atol={atol}, rtol={rtol}); {int(bad.sum())} of {bad.size} elements "
        "differ.\nnumerical:\n" + np.array2string(n, precision=6) + "\nanalytical:\n"
        + np.array2string(a, precision=6)
    )


def gradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    fast_mode: bool = False,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """Check ``fn``'s gradients w.r.t. every float input requiring grad by central differences.

    Returns True, or raises :class:`GradcheckError` naming the input and output index, the worst
    element and the numeric vs analytic values (returns False instead with
    ``raise_exception=False``).  Inputs should be float64 (a warning says so otherwise).
    """
    inputs = _as_tuple(inputs)
    idx = _diff_inputs(inputs)
    rng = np.random.default_rng(seed)
    ok = True
    for i in idx:
        if fast_mode:
            ok &= _fast_check(fn, inputs, i, eps, atol, rtol, rng, raise_exception)
            continue
        num = numerical_jacobian(fn, inputs, i, eps)
        ana = analytical_jacobian(fn, inputs, i)
        for k, (a, n) in enumerate(zip(ana, num)):
            ok &= _compare(a, n, atol, rtol, f"input {i}, output {k}", raise_exception)
    return bool(ok)


def _fast_check(
    fn: Callable[..., Any], inputs: tuple[Any, ...], i: int, eps: float, atol: float,
    rtol: float, rng: np.random.Generator, raise_exception: bool,
) -> bool:
    """Compare v^T J u, analytic (one backward) vs numeric (two forwards along u)."""
    t = inputs[i]
    u = rng.standard_normal(t.shape)
    with enable_grad():
        outs = _outputs(fn, inputs)
    ok = True
    for k, o in enumerate(outs):
        if not (o.requires_grad and o.dtype.kind == "f"):
            continue
        v = rng.standard_normal(o.shape)
        v_t = Tensor._make(transfer(v.astype(o.dtype), o.device), None, False)
        (g,) = grad(o, t, grad_outputs=v_t, retain_graph=True, allow_unused=True)
        with np.errstate(invalid="ignore", over="ignore"):
            analytic = 0.0 if g is None else float(np.sum(to_numpy(g._array) * u))
        orig = t._data
        u_dev = u if type(orig) is float else transfer(u, t.device)
        try:
            t._data = orig + eps * u_dev if type(orig) is not float else float(orig + eps * u)
            with no_grad():
                plus = to_numpy(_outputs(fn, inputs)[k]._array).astype(np.float64)
            t._data = orig - eps * u_dev if type(orig) is not float else float(orig - eps * u)
            with no_grad():
                minus = to_numpy(_outputs(fn, inputs)[k]._array).astype(np.float64)
        finally:
            t._data = orig
        with np.errstate(invalid="ignore", over="ignore"):
            numeric = float(np.sum((plus - minus) / (2 * eps) * v))
        ok &= _compare(np.array([analytic]), np.array([numeric]), atol, rtol,
                       f"input {i}, output {k} (fast mode v^T J u)", raise_exception)
    return ok


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    fast_mode: bool = False,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """Check second derivatives: gradcheck of ``(inputs, v) -> grad(fn(inputs), inputs, v)``.

    The backward pass is recorded with ``create_graph=True``; ``v`` (random unless given)
    is checked as an input too, so both halves of the double-backward are verified.
    """
    inputs = _as_tuple(inputs)
    idx = _diff_inputs(inputs)
    rng = np.random.default_rng(seed + 1)
    with no_grad():
        outs = _outputs(fn, inputs)
    if grad_outputs is None:
        # drawn on the host (reproducible on every device), placed beside each output
        vs = [
            Tensor(transfer(rng.standard_normal(o.shape).astype(o.dtype), o.device),
                   requires_grad=True)
            for o in outs if o.dtype.kind == "f"
        ]
    else:
        vs = [
            g if isinstance(g, Tensor) else Tensor(xp.asarray(g), requires_grad=True)
            for g in _as_tuple(grad_outputs)
        ]
    n_in = len(inputs)

    def first_grads(*args: Any) -> tuple[Tensor, ...]:
        xs, v = args[:n_in], args[n_in:]
        with enable_grad():  # also when gradcheck evaluates this numerically under no_grad
            return _first_grads(xs, v)

    def _first_grads(xs: tuple[Any, ...], v: tuple[Any, ...]) -> tuple[Tensor, ...]:
        ys = [o for o in _outputs(fn, xs) if o.dtype.kind == "f"]
        pairs = [(y, g) for y, g in zip(ys, v) if y.requires_grad]
        diff = [xs[i] for i in idx]
        if not pairs:
            return tuple(Tensor._make(_zeros_like(x), None, False) for x in diff)
        gs = grad([p[0] for p in pairs], diff, grad_outputs=[p[1] for p in pairs],
                  create_graph=True, allow_unused=True)
        return tuple(
            g if g is not None else Tensor._make(_zeros_like(x), None, False)
            for g, x in zip(gs, diff)
        )

    return gradcheck(first_grads, inputs + tuple(vs), eps=eps, atol=atol, rtol=rtol,
                     fast_mode=fast_mode, raise_exception=raise_exception, seed=seed)


def _zeros_like(x: Tensor) -> Any:
    """Zeros of ``x``'s shape and dtype on ``x``'s device (a float for a float-backed tensor)."""
    d = x._data
    return 0.0 if type(d) is float else array_module(d).zeros(d.shape, dtype=d.dtype)
