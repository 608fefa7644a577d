"""NumPy interoperability: ufuncs on Tensors go through the primitives (and are recorded).

``np.exp(t)``, ``ndarray * t`` and ``np.maximum(t, 0)`` return Tensors with gradients: NumPy hands
every ufunc call that involves a Tensor to ``Tensor.__array_ufunc__``, which calls the matching
primitive.  ``np.asarray(t)`` gives the data (``Tensor.__array__``).

A ufunc (or ufunc method such as ``np.add.reduce``, or a call with ``out=``/``where=``/``dtype=``)
without a gradient rule here raises a TypeError when it would have to record, i.e. an input
requires grad and grad mode is on: never a silently detached result.  Otherwise it is applied
to the data and the result wrapped in Tensors.  ``out=`` Tensors are written in place (their
version is bumped) and returned, as NumPy returns its ``out`` arrays.

>>> import numpy as np
>>> import autograd as ag
>>> x = ag.tensor([0.0, 1.0], requires_grad=True)
>>> y = np.exp(x) * np.array([2.0, 3.0])
>>> y.sum().backward()
>>> x.grad
tensor([2.        , 8.15484549])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import ops, tape
from .backend import xp
from .devices import is_array, is_device_array
from .grad_mode import state
from .tensor import Tensor

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)

#: ufunc -> name of the primitive in ``autograd.ops`` (looked up at call time).
ROUTES: dict[Any, str] = {
    np.add: "add", np.subtract: "sub", np.multiply: "mul", np.true_divide: "div",
    np.negative: "neg", np.power: "pow", np.absolute: "abs", np.fabs: "abs",
    np.exp: "exp", np.log: "log", np.log1p: "log1p", np.expm1: "expm1",
    np.sqrt: "sqrt", np.square: "square", np.reciprocal: "reciprocal",
    np.sin: "sin", np.cos: "cos", np.tan: "tan", np.tanh: "tanh",
    np.arcsin: "asin", np.arccos: "acos", np.arctan: "atan",
    np.sinh: "sinh", np.cosh: "cosh",
    np.arcsinh: "asinh", np.arccosh: "acosh", np.arctanh: "atanh", np.arctan2: "atan2",
    np.hypot: "hypot", np.logaddexp: "logaddexp", np.floor: "floor", np.ceil: "ceil",
    np.trunc: "trunc", np.isnan: "isnan", np.isinf: "isinf", np.isfinite: "isfinite",
    np.maximum: "maximum", np.minimum: "minimum", np.matmul: "matmul",
    np.sign: "sign", np.floor_divide: "floor_divide", np.remainder: "remainder",
    np.equal: "eq", np.not_equal: "ne", np.less: "lt", np.less_equal: "le",
    np.greater: "gt", np.greater_equal: "ge", np.logical_not: "logical_not",
    np.logical_and: "logical_and", np.logical_or: "logical_or",
    np.logical_xor: "logical_xor",
}


def _log2(x: Any) -> Any:
    return ops.log(x) * (1.0 / _LN2)


def _log10(x: Any) -> Any:
    return ops.log(x) * (1.0 / _LN10)


def _exp2(x: Any) -> Any:
    return ops.pow(2.0, x)


#: ufuncs computed from primitives (exact gradients, values equal up to rounding).
COMPOSITES: dict[Any, Callable[..., Any]] = {np.log2: _log2, np.log10: _log10, np.exp2: _exp2}


def _route(ufunc: Any) -> Callable[..., Any] | None:
    name = ROUTES.get(ufunc)
    if name is not None:
        return getattr(ops, name, None)  # None if that primitive doesn't exist (yet)
    return COMPOSITES.get(ufunc)


_PLAIN = (Tensor, xp.ndarray, np.ndarray, float, int, bool, complex, np.generic, list, tuple)


def _foreign(a: Any) -> bool:
    """Another array type with its own ufunc protocol: let it (or NumPy) decide (GPU arrays are
    ours: a primitive takes them, or raises naming both devices)."""
    return (not isinstance(a, _PLAIN) and getattr(type(a), "__array_ufunc__", None) is not None
            and not is_device_array(a))


def _describe(ufunc: Any, method: str) -> str:
    return f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")


def array_ufunc(ufunc: Any, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``Tensor.__array_ufunc__``: route to a primitive, or compute on the data if nothing needs
    recording; raise a TypeError when recording is needed but impossible."""
    outs = kwargs.get("out")
    if any(_foreign(a) for a in inputs) or (outs and any(_foreign(o) for o in outs)):
        return NotImplemented
    recording = state.enabled
    needs_grad = recording and any(isinstance(a, Tensor) and a.requires_grad for a in inputs)
    if method == "__call__" and not kwargs:
        fn = _route(ufunc)
        if fn is not None:
            return fn(*inputs)
    what = _describe(ufunc, method)
    if needs_grad:
        if kwargs:
            extra = f" with {', '.join(f'{k}=' for k in kwargs)}"
            fix = "call it without those arguments"
        else:
            extra = ""
            fix = "use the tapegrad function (e.g. autograd.exp, Tensor.sum)"
        raise TypeError(
            f"{what}{extra} has no gradient rule in tapegrad and an input requires grad; {fix}, "
            "or detach() the input (or use `with autograd.no_grad():`) if no gradient is wanted"
        )
    written: list[Tensor] = []
    if outs:
        for o in outs:
            if isinstance(o, Tensor):
                _writable_out(o, what, recording)
                written.append(o)
        kwargs = dict(kwargs, out=tuple(o._array if isinstance(o, Tensor) else o for o in outs))
    if method == "at" and isinstance(inputs[0], Tensor):
        _writable_out(inputs[0], what, recording)
        written.append(inputs[0])
    raw = [a._array if isinstance(a, Tensor) else a for a in inputs]
    if method == "at" and len(raw) > 1 and is_device_array(raw[0]):
        # the user's host index (a list, a NumPy array) goes to the data's device: CuPy's
        # ufunc.at takes device arrays only
        from .ops._place import on_device_of

        idx = raw[1]
        raw[1] = (tuple(i if isinstance(i, slice) else on_device_of(i, raw[0]) for i in idx)
                  if isinstance(idx, tuple) else on_device_of(idx, raw[0]))
    res = getattr(ufunc, method)(*raw, **kwargs)
    for t in written:
        tape.bump_version(t)
    if outs:
        return outs if len(outs) > 1 else outs[0]
    if res is None:
        return None
    if isinstance(res, tuple):
        return tuple(_result(r) for r in res)
    return _result(res)


def _result(r: Any) -> Tensor:
    """A ufunc's result as a Tensor on the device it was computed on."""
    return Tensor._make(r if is_array(r) else xp.asarray(r), None, False)


def _writable_out(t: Tensor, what: str, recording: bool) -> None:
    """``t`` is about to be written by NumPy: allowed only where no record would be needed."""
    if recording and t.requires_grad:
        raise TypeError(
            f"{what}: writing into a tensor that requires grad (shape {tuple(t.shape)}, via out= "
            "or ufunc.at) can't be recorded; use the tapegrad in-place methods (add_, mul_, "
            "t[i] = ...) or do it under `with autograd.no_grad():`"
        )

