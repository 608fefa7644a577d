"""NumPy interoperability: ufuncs on Tensors go through the primitives (and are recorded).

``np.exp(t)`` and ``ndarray * t`` return Tensors with gradients.  A ufunc without a gradient rule
raises a TypeError when an input requires grad (never a silently detached result); on tensors
that don't require grad it is applied to the data and wrapped.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import ops
from .tensor import Tensor

UFUNCS: dict[Any, Any] = {
    np.add: ops.add, np.subtract: ops.sub, np.multiply: ops.mul, np.true_divide: ops.div,
    np.negative: ops.neg, np.power: ops.pow, np.float_power: ops.pow, np.absolute: ops.abs,
    np.exp: ops.exp, np.log: ops.log, np.log1p: ops.log1p, np.expm1: ops.expm1,
    np.sqrt: ops.sqrt, np.square: ops.square, np.reciprocal: ops.reciprocal,
    np.sin: ops.sin, np.cos: ops.cos, np.tan: ops.tan, np.tanh: ops.tanh,
    np.maximum: ops.maximum, np.minimum: ops.minimum, np.matmul: ops.matmul,
    np.sign: ops.sign, np.floor_divide: ops.floor_divide, np.remainder: ops.remainder,
    np.equal: ops.eq, np.not_equal: ops.ne, np.less: ops.lt, np.less_equal: ops.le,
    np.greater: ops.gt, np.greater_equal: ops.ge, np.logical_not: ops.logical_not,
    np.logical_and: ops.logical_and, np.logical_or: ops.logical_or,
    np.logical_xor: ops.logical_xor,
}


def array_ufunc(ufunc: Any, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    needs_grad = any(isinstance(a, Tensor) and a.requires_grad for a in inputs)
    prim = UFUNCS.get(ufunc)
    if method == "__call__" and not kwargs and prim is not None:
        return prim(*inputs)
    if needs_grad:
        what = f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        extra = " with out=/where=/dtype= arguments" if kwargs else ""
        raise TypeError(
            f"{what}{extra} has no gradient rule in tapegrad and an input requires grad; use the "
            "tapegrad function (e.g. autograd.exp) or detach() the input first"
        )
    raw = [a.data if isinstance(a, Tensor) else a for a in inputs]
    if "out" in kwargs:
        kwargs["out"] = tuple(o.data if isinstance(o, Tensor) else o for o in kwargs["out"])
    res = getattr(ufunc, method)(*raw, **kwargs)
    if isinstance(res, tuple):
        return tuple(Tensor(r) for r in res)
    return Tensor(res) if res is not None else None
