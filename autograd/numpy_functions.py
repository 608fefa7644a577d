"""NumPy's functions on Tensors, with NumPy's meaning, recorded: ``Tensor.__array_function__``.

``numpy.max(t, 1)`` is the row maxima (values only), ``numpy.var(t)`` uses ``ddof=0``,
``numpy.split(t, 2)`` makes 2 sections, ``numpy.repeat`` repeats elements, ``numpy.transpose(t)``
reverses the dims: what NumPy means, while ``t.max(1)``, ``t.var()``, ``t.split(2)`` ... mean what
PyTorch means.  So NumPy code written for arrays (the seed derivations) runs on Tensors and
gets gradients.  Every routed function returns Tensors built from the primitives.

A NumPy function without a rule here (or called with an option the rule does not cover, such as
``out=`` or ``where=``) raises a TypeError naming it when an input requires grad and grad mode is
on: never a silently detached result.  Otherwise it runs on the data and array results come back
as Tensors.  Queries whose result carries no gradient (``numpy.shape``, ``numpy.allclose``,
``numpy.argsort``, ...) always run on the data and return what NumPy returns.

>>> import numpy as np
>>> import autograd as ag
>>> x = ag.tensor([[1.0, 5.0], [7.0, 2.0]], requires_grad=True)
>>> np.max(x, 1)
tensor([5., 7.], grad_fn=<AmaxBackward>)
>>> np.var(x).backward()
>>> x.grad
tensor([[-1.375,  0.625],
        [ 1.625, -0.875]])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import devices as _devices
from . import ops, tape
from .devices import is_array, is_device_array
from .grad_mode import state
from .ops import join, linalg, shape
from .tensor import Tensor

_NOVALUE = getattr(np, "_NoValue", object())


class _NoRule(Exception):
    """The rule does not cover this call (an option such as ``out=``): fall back or refuse."""


def _plain(**options: Any) -> None:
    """Refuse options that would need more than the rule computes (``out=``, ``where=`` ...)."""
    used = [k for k, v in options.items() if v is not None and v is not _NOVALUE]
    if used:
        raise _NoRule(", ".join(f"{k}=" for k in used))


def _cast(a: Any, dtype: Any) -> Any:
    return a if dtype is None else ops.astype(a, dtype)


# --------------------------------------------------------------------------------- reductions
def _sum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False,
         **extra: Any) -> Any:
    _plain(out=out, **extra)
    return ops.sum(a, axis, keepdims, dtype=dtype)


def _mean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False,
          **extra: Any) -> Any:
    _plain(out=out, **extra)
    return ops.mean(_cast(a, dtype), axis, keepdims)


def _prod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False,
          **extra: Any) -> Any:
    _plain(out=out, **extra)
    return ops.prod(_cast(a, dtype), axis, keepdims)


def _extreme(fn: Callable[..., Any]) -> Callable[..., Any]:
    def rule(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False,
             **extra: Any) -> Any:
        _plain(out=out, **extra)
        return fn(a, axis, keepdims)  # values only, as numpy.max means

    return rule


def _arg(fn: Callable[..., Any]) -> Callable[..., Any]:
    def rule(a: Any, axis: Any = None, out: Any = None, *, keepdims: bool = False) -> Any:
        _plain(out=out)
        return fn(a, axis, keepdims)

    return rule


def _moment(fn: Callable[..., Any]) -> Callable[..., Any]:
    def rule(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0,
             keepdims: bool = False, *, correction: Any = _NOVALUE, **extra: Any) -> Any:
        _plain(out=out, **extra)
        d = ddof if correction is _NOVALUE else correction  # NumPy's default: ddof 0
        return fn(_cast(a, dtype), axis, keepdim=keepdims, correction=d)

    return rule


def _norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    nd = np.ndim(x)
    axes = axis if axis is None or isinstance(axis, tuple) else (axis,)
    matrix = (axes is None and nd == 2 and ord is not None) or (axes is not None and len(axes) == 2)
    if matrix:
        if ord not in (None, "fro"):
            raise _NoRule(f"ord={ord!r} (a matrix norm)")
        return ops.norm(x, 2, axes, keepdims)
    if ord is None:
        if axes is None and keepdims:
            return ops.norm(x, 2, tuple(range(nd)), True)
        return ops.norm(x, 2, axes, keepdims)
    if axes is None and nd != 1:
        raise _NoRule(f"ord={ord!r} on a {nd}-d array without axis")
    p = float(ord)
    if not (p > 0 or p == -np.inf):
        raise _NoRule(f"ord={ord!r}")
    return ops.norm(x, p, axes, keepdims)


# ------------------------------------------------------------------------------------ shapes
def _reshape(a: Any, shape_: Any = None, order: str = "C", *, newshape: Any = None,
             copy: Any = None, **kw: Any) -> Any:
    shp = kw.pop("shape", shape_ if shape_ is not None else newshape)
    if order != "C" or copy is not None or kw:
        raise _NoRule(f"order={order!r}" if order != "C" else "copy=")
    return ops.reshape(a, shp)


def _ravel(a: Any, order: str = "C") -> Any:
    if order != "C":
        raise _NoRule(f"order={order!r}")
    return ops.reshape(a, -1)


def _moveaxis(a: Any, source: Any, destination: Any) -> Any:
    nd = np.ndim(a)
    src = [s % nd for s in ((source,) if isinstance(source, int) else source)]
    dst = [d % nd for d in ((destination,) if isinstance(destination, int) else destination)]
    if len(src) != len(dst):
        raise ValueError("moveaxis: source and destination must have the same number of elements")
    order = [n for n in range(nd) if n not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    return ops.permute(a, tuple(order))


def _seq(arrays: Any, out: Any = None, dtype: Any = None, casting: Any = None) -> list[Any]:
    _plain(out=out, dtype=dtype, casting=casting)
    return list(arrays)


def _concatenate(arrays: Any, axis: Any = 0, out: Any = None, *, dtype: Any = None,
                 casting: Any = None) -> Any:
    return join._np_concatenate(_seq(arrays, out, dtype, casting), axis)


def _stack(arrays: Any, axis: int = 0, out: Any = None, *, dtype: Any = None,
           casting: Any = None) -> Any:
    return ops.stack(_seq(arrays, out, dtype, casting), axis)


def _hstack(tup: Any, *, dtype: Any = None, casting: Any = None) -> Any:
    xs = [ops.reshape(t, 1) if np.ndim(t) == 0 else t for t in _seq(tup, None, dtype, casting)]
    return join._np_concatenate(xs, 0 if np.ndim(xs[0]) == 1 else 1)


def _vstack(tup: Any, *, dtype: Any = None, casting: Any = None) -> Any:
    xs = [ops.reshape(t, 1, -1) if np.ndim(t) < 2 else t for t in _seq(tup, None, dtype, casting)]
    return join._np_concatenate(xs, 0)


def _where(condition: Any, x: Any = _NOVALUE, y: Any = _NOVALUE) -> Any:
    if x is _NOVALUE and y is _NOVALUE:  # numpy.where(c) is nonzero(c): indices, no gradient
        raw = condition._array if isinstance(condition, Tensor) else condition
        return tuple(Tensor._make(i, None, False) for i in np.nonzero(raw))
    return ops.where(condition, x, y)


def _einsum(subscripts: Any, *operands: Any, out: Any = None, dtype: Any = None,
            order: Any = None, casting: Any = None, optimize: Any = None) -> Any:
    _plain(out=out, dtype=dtype, order=order, casting=casting)  # optimize changes no value
    return ops.einsum(subscripts, *operands)


def _clip(a: Any, a_min: Any = _NOVALUE, a_max: Any = _NOVALUE, out: Any = None, *,
          min: Any = _NOVALUE, max: Any = _NOVALUE, **extra: Any) -> Any:
    _plain(out=out, **extra)
    lo = a_min if min is _NOVALUE else min
    hi = a_max if max is _NOVALUE else max
    lo, hi = (None if v is _NOVALUE else v for v in (lo, hi))
    return ops.clip(a, lo, hi)


def _pad(array: Any, pad_width: Any, mode: str = "constant", *,
         constant_values: Any = 0) -> Any:
    return ops.pad(array, pad_width, mode, constant_values)


def _squeeze(a: Any, axis: Any = None) -> Any:
    return shape._np_squeeze(a, axis)


def _copy(a: Any, order: str = "K", subok: bool = False) -> Any:
    return ops.clone(a)


def _outer(a: Any, b: Any, out: Any = None) -> Any:
    _plain(out=out)
    return ops.outer(a, b)


def _dot(a: Any, b: Any, out: Any = None) -> Any:
    _plain(out=out)
    return linalg._np_dot(a, b)


#: NumPy function -> rule with NumPy's signature and meaning, built from the primitives.
HANDLERS: dict[Any, Callable[..., Any]] = {
    np.sum: _sum, np.mean: _mean, np.prod: _prod,
    np.max: _extreme(ops.amax), np.amax: _extreme(ops.amax),
    np.min: _extreme(ops.amin), np.amin: _extreme(ops.amin),
    np.argmax: _arg(ops.argmax), np.argmin: _arg(ops.argmin),
    np.var: _moment(ops.var), np.std: _moment(ops.std),
    np.linalg.norm: _norm,
    np.reshape: _reshape, np.ravel: _ravel, np.transpose: shape._np_transpose,
    np.swapaxes: ops.swapaxes, np.moveaxis: _moveaxis, np.squeeze: _squeeze,
    np.expand_dims: ops.expand_dims, np.broadcast_to: lambda array, shape, subok=False:
    ops.broadcast_to(array, shape), np.flip: lambda m, axis=None: ops.flip(m, axis),
    np.tile: ops.tile, np.repeat: shape._np_repeat, np.pad: _pad, np.copy: _copy,
    np.concatenate: _concatenate, np.stack: _stack, np.hstack: _hstack, np.vstack: _vstack,
    np.split: join._np_split, np.where: _where, np.clip: _clip,
    np.einsum: _einsum, np.dot: _dot, np.outer: _outer,
    np.take_along_axis: ops.take_along_axis,
}

#: Functions whose results carry no gradient (shapes, booleans, indices, constants): they run
#: on the data even for tensors that require grad.
QUERIES: frozenset[Any] = frozenset({
    np.shape, np.ndim, np.size, np.result_type, np.may_share_memory, np.shares_memory,
    np.allclose, np.isclose, np.array_equal, np.array_equiv, np.count_nonzero, np.nonzero,
    np.argwhere, np.flatnonzero, np.iscomplexobj, np.isrealobj, np.any, np.all, np.argsort,
    np.searchsorted, np.zeros_like, np.ones_like, np.empty_like, np.full_like,
})


def _name(func: Any) -> str:
    mod = getattr(func, "__module__", "numpy") or "numpy"
    mod = "numpy.linalg" if "linalg" in mod else "numpy"
    return f"{mod}.{getattr(func, '__name__', repr(func))}"


def _needs_grad(obj: Any) -> bool:
    if isinstance(obj, Tensor):
        return obj.requires_grad
    if isinstance(obj, (list, tuple)):
        return any(_needs_grad(o) for o in obj)
    if isinstance(obj, dict):
        return any(_needs_grad(o) for o in obj.values())
    return False


def _unwrap(obj: Any) -> Any:
    if isinstance(obj, Tensor):
        return obj._array
    if isinstance(obj, (list, tuple)):
        return type(obj)(_unwrap(o) for o in obj)
    return obj


def _wrap(res: Any) -> Any:
    if is_array(res):
        return Tensor._make(res, None, False)  # on its device
    if isinstance(res, np.generic) and res.dtype.kind in "biuf":
        return Tensor._make(np.asarray(res), None, False)
    if isinstance(res, tuple):
        return tuple(_wrap(r) for r in res)
    if isinstance(res, list):
        return [_wrap(r) for r in res]
    return res


def _on_device(res: Any) -> Any:
    if is_device_array(res):
        return Tensor._make(res, None, False)
    if type(res) is tuple:
        return tuple(_on_device(r) for r in res)
    return res


def is_device_type(t: type) -> bool:
    """Whether ``t`` is the GPU array type (a CuPy array among a NumPy function's arguments)."""
    return _devices._cuda_type is not None and issubclass(t, _devices._cuda_type)


def array_function(func: Any, types: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``Tensor.__array_function__``: the rule for ``func``, else NumPy on the data when nothing
    needs recording, else a TypeError naming ``func``."""
    if not all(issubclass(t, (Tensor, np.ndarray)) or is_device_type(t) for t in types):
        return NotImplemented  # another array library: let it (or NumPy) decide
    if func in QUERIES:
        res = func(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})
        # GPU answers stay on the device, as tensors: reading them is the caller's explicit
        # choice (bool(), .item(), .tolist()), never a hidden copy here
        return res if _devices._cuda_type is None else _on_device(res)
    rule = HANDLERS.get(func)
    why = ""
    if rule is not None:
        try:
            return rule(*args, **kwargs)
        except _NoRule as e:
            why = f" with {e}"
    if state.enabled and (_needs_grad(args) or _needs_grad(kwargs)):
        fix = ("call it without those arguments" if why else
               "use the tapegrad function or method (autograd.*, Tensor.*) instead")
        raise TypeError(
            f"{_name(func)}{why} has no gradient rule in tapegrad and an input requires grad; "
            f"{fix}, or detach() the input (or use `with autograd.no_grad():`) if no gradient "
            "is wanted"
        )
    outs = kwargs.get("out")
    res = func(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})
    if isinstance(outs, Tensor):  # NumPy wrote into the tensor's data: later reads must know
        tape.bump_version(outs)
        return outs
    return _wrap(res)
