"""Arithmetic primitives: + - * / ** and friends, comparisons and logic (no gradient).

Each rule returns the gradient in the broadcast shape; the walker sums it back
(``autograd.tape.unbroadcast``).
"""

from __future__ import annotations

import operator
from typing import Any

from ..backend import xp
from ..primitive import Primitive

add = Primitive(
    "add", xp.add, (lambda g, out, a, b: g, lambda g, out, a, b: g),
    scalar=operator.add, reads_inputs=False,
)
sub = Primitive(
    "sub", xp.subtract, (lambda g, out, a, b: g, lambda g, out, a, b: -g),
    scalar=operator.sub, reads_inputs=False,
)
mul = Primitive(
    "mul", xp.multiply, (lambda g, out, a, b: g * b, lambda g, out, a, b: g * a),
    scalar=operator.mul,
)
div = Primitive(
    "div", xp.true_divide, (lambda g, out, a, b: g / b, lambda g, out, a, b: -g * a / (b * b)),
    scalar=operator.truediv,
)
neg = Primitive("neg", xp.negative, (lambda g, out, a: -g,), scalar=operator.neg,
                reads_inputs=False)


def _spow(a: float, b: float) -> float:
    r = a ** b
    if type(r) is complex:  # Python gives complex for a negative base; NumPy gives nan
        raise ValueError
    return r


def _dpow_base(g: Any, out: Any, a: Any, b: Any) -> Any:
    return g * b * a ** (b - 1)


def _dpow_exp(g: Any, out: Any, a: Any, b: Any) -> Any:
    # d(a**b)/db = a**b * log(a); defined as 0 at a == 0 (b >= 0), like PyTorch
    zero = a == 0
    safe = where.raw(zero, 1.0, a)
    return where.raw(zero & (b >= 0), 0.0, g * a ** b * log.raw(safe))


pow = Primitive("pow", xp.power, (_dpow_base, _dpow_exp), scalar=_spow)


def _sabs(a: float) -> float:
    return a if a >= 0 else -a


abs = Primitive("abs", xp.absolute, (lambda g, out, a: g * sign.raw(a),), scalar=_sabs)
sign = Primitive("sign", xp.sign)  # piecewise constant: no gradient


def _tie_split(a: Any, b: Any, win: Any) -> Any:
    """Share of the gradient for the winning side; ties split it evenly (like PyTorch)."""
    return win + (a == b) * 0.5


maximum = Primitive(
    "maximum", xp.maximum,
    (lambda g, out, a, b: g * _tie_split(a, b, a > b), lambda g, out, a, b: g * _tie_split(a, b, b > a)),
)
minimum = Primitive(
    "minimum", xp.minimum,
    (lambda g, out, a, b: g * _tie_split(a, b, a < b), lambda g, out, a, b: g * _tie_split(a, b, b < a)),
)
where = Primitive(
    "where", xp.where,
    (None, lambda g, out, c, a, b: where.raw(c, g, 0.0), lambda g, out, c, a, b: where.raw(c, 0.0, g)),
)


def _clip(a: Any, lo: Any, hi: Any) -> Any:
    if lo is not None:
        a = xp.maximum(a, lo)
    if hi is not None:
        a = xp.minimum(a, hi)
    return a


def _dclip(g: Any, out: Any, a: Any, lo: Any, hi: Any) -> Any:
    # gradient passes where lo <= a <= hi (inclusive at the bounds, like torch.clamp)
    inside = (a >= lo) if lo is not None else True
    if hi is not None:
        inside = inside & (a <= hi)
    return g * inside


_clip_p = Primitive("clip", _clip, (_dclip, None, None))


def clip(x: Any, min: Any = None, max: Any = None) -> Any:
    """Limit values to ``[min, max]`` (either may be None); ``clamp`` in PyTorch."""
    if min is None and max is None:
        raise ValueError("clip: at least one of min and max must be given")
    from ..tensor import Tensor

    if isinstance(min, Tensor) and min.requires_grad or isinstance(max, Tensor) and max.requires_grad:
        y = x if min is None else maximum(x, min)
        return y if max is None else minimum(y, max)
    lo = min._data if isinstance(min, Tensor) else min
    hi = max._data if isinstance(max, Tensor) else max
    return _clip_p(x, lo, hi)


clamp = clip

floor_divide = Primitive("floor_divide", xp.floor_divide)  # piecewise constant: no gradient
remainder = Primitive(
    "remainder", xp.remainder,
    (lambda g, out, a, b: g, lambda g, out, a, b: -g * floor_divide.raw(a, b)),
)

# comparisons and logic: results are bool tensors outside the graph
eq = Primitive("eq", xp.equal)
ne = Primitive("ne", xp.not_equal)
lt = Primitive("lt", xp.less)
le = Primitive("le", xp.less_equal)
gt = Primitive("gt", xp.greater)
ge = Primitive("ge", xp.greater_equal)
logical_not = Primitive("logical_not", xp.logical_not)
logical_and = Primitive("logical_and", xp.logical_and)
logical_or = Primitive("logical_or", xp.logical_or)
logical_xor = Primitive("logical_xor", xp.logical_xor)

from .elementwise import log  # noqa: E402  (used by pow's rule)
