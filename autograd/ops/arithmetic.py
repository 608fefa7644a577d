"""Arithmetic primitives: + - * / ** and friends, comparisons and logic (no gradient).

Each rule returns the gradient in the broadcast shape; the walker sums it back
(``autograd.tape.unbroadcast``).
"""

from __future__ import annotations

import builtins
import math
import operator
from typing import Any

from ..backend import xp
from ..primitive import Primitive
from ..tape import identity
from ._doc import elementwise as _ew

add = Primitive(
    "add", xp.add, (identity, identity),
    scalar=operator.add, reads_inputs=False,
)
sub = Primitive(
    "sub", xp.subtract, (identity, lambda g, out, a, b: -g),
    scalar=operator.sub, reads_inputs=False,
)
mul = Primitive(
    "mul", xp.multiply, (lambda g, out, a, b: g * b, lambda g, out, a, b: g * a),
    scalar=operator.mul,
    doc=_ew("a * b", "torch.mul", "numpy.multiply", arity=2, dtype="keep"),
)
div = Primitive(
    "div", xp.true_divide, (lambda g, out, a, b: g / b, lambda g, out, a, b: -g * a / (b * b)),
    scalar=operator.truediv,
)
neg = Primitive("neg", xp.negative, (lambda g, out, a: -g,), scalar=operator.neg,
                reads_inputs=False,
                doc=_ew("-x", "torch.neg", "numpy.negative", dtype="keep"))


def _spow(a: float, b: float) -> float:
    r = a ** b
    if type(r) is complex:  # Python gives complex for a negative base; NumPy gives nan
        raise ValueError
    return r


def _dpow_base(g: Any, out: Any, a: Any, b: Any) -> Any:
    # b * a**(b-1); 0 where b == 0 and a == 0 (a**0 is constant: no 0 * inf = nan, like
    # PyTorch).  Only there: elsewhere the b == 0 entries keep their derivative with respect to
    # b (a**-1) for second derivatives.  0**(negative) is inf, without NumPy's warning.
    with xp.errstate(divide="ignore", invalid="ignore"):
        if type(b) is int or type(b) is float:  # the common x ** 2: b is a constant
            if type(a) is float:  # scalar fast path: Python's ** raises where NumPy gives inf
                a = xp.float64(a)
            return g * 0.0 if b == 0 else g * b * a ** (b - 1)
        return where.raw(logical_and.raw(b == 0, a == 0), 0.0, g * b * a ** (b - 1))


def _dpow_exp(g: Any, out: Any, a: Any, b: Any) -> Any:
    # d(a**b)/db = a**b * log(a); 0 at a == 0 for b >= 0 (the limit from the right), like
    # PyTorch.  The product is masked, not the base: masking the base (log 1 = 0) would make the
    # second derivatives there finite and wrong (d2(a**b)/da db = a**(b-1) (1 + b log a) is -inf
    # at a = 0, b = 1); masked, they are nan, as in PyTorch.  0**(negative) gives -inf and a
    # negative base nan, also like PyTorch.
    if (type(a) is float or type(a) is int) and type(b) is not float and type(b) is not int:
        # a constant base next to a tensor exponent stays a Python number, and so does its
        # log: a NumPy scalar would be a host array next to the exponent's device
        with xp.errstate(divide="ignore", invalid="ignore"):
            return where.raw(logical_and.raw(b >= 0, a == 0), 0.0, g * a ** b * log_number(a))
    if type(a) is float:
        a = xp.float64(a)  # scalar fast path: Python's ** raises where NumPy gives inf/nan
    with xp.errstate(divide="ignore", invalid="ignore"):
        return where.raw(logical_and.raw(a == 0, b >= 0), 0.0, g * a ** b * log.raw(a))


pow = Primitive("pow", xp.power, (_dpow_base, _dpow_exp), scalar=_spow,
                doc=_ew("a ** b", "torch.pow", "numpy.power",
                        "Gradients at a == 0 follow docs/conventions.md.", arity=2, dtype="keep"))


def _dabs(g: Any, out: Any, a: Any) -> Any:
    return g * sign.raw(a)  # sign(0) = 0: PyTorch's subgradient at 0


abs = Primitive("abs", xp.absolute, (_dabs,), scalar=builtins.abs,
                doc=_ew("|x|", "torch.abs", "numpy.abs", "Gradient 0 at 0 (sign(0) = 0).",
                        dtype="keep"))
sign = Primitive("sign", xp.sign,  # piecewise constant: no gradient
                 doc=_ew("sign(x)", "torch.sign", "numpy.sign", "-1, 0 or 1; no gradient.",
                         dtype="keep"))


def _tie_split(a: Any, b: Any, win: Any) -> Any:
    """Share of the gradient for the winning side; ties split it evenly (like PyTorch)."""
    return win + (a == b) * 0.5


maximum = Primitive(
    "maximum", xp.maximum,
    (lambda g, out, a, b: g * _tie_split(a, b, a > b),
     lambda g, out, a, b: g * _tie_split(a, b, b > a)),
    doc=_ew("max(a, b)", "torch.maximum", "numpy.maximum",
            "nan propagates; a tie a == b splits the gradient 1/2 each.", arity=2, dtype="keep"),
)
minimum = Primitive(
    "minimum", xp.minimum,
    (lambda g, out, a, b: g * _tie_split(a, b, a < b),
     lambda g, out, a, b: g * _tie_split(a, b, b < a)),
    doc=_ew("min(a, b)", "torch.minimum", "numpy.minimum",
            "nan propagates; a tie a == b splits the gradient 1/2 each.", arity=2, dtype="keep"),
)


def _dwhere_a(g: Any, out: Any, c: Any, a: Any, b: Any) -> Any:
    return where.raw(c, g, 0.0)


def _dwhere_b(g: Any, out: Any, c: Any, a: Any, b: Any) -> Any:
    return where.raw(c, 0.0, g)


where = Primitive("where", xp.where, (None, _dwhere_a, _dwhere_b),
                  doc=_ew("where(condition, a, b)", "torch.where", "numpy.where",
                          "a where condition holds, else b; each gets the gradient where chosen.",
                          arity=2, dtype="keep"))


def _clip(a: Any, lo: Any = None, hi: Any = None) -> Any:
    if lo is not None:
        a = xp.maximum(a, lo)
    if hi is not None:
        a = xp.minimum(a, hi)
    return a


def _inside(a: Any, lo: Any, hi: Any) -> Any:
    """Where the input passes through ``clip``: ``lo <= a <= hi``, bounds included (a tie goes
    to the input, like ``torch.clamp``); ``None`` is no bound."""
    if lo is None:
        return a <= hi
    if hi is None:
        return a >= lo
    return (a >= lo) & (a <= hi)


def _dclip(g: Any, out: Any, a: Any, lo: Any = None, hi: Any = None) -> Any:
    return g * _inside(a, lo, hi)


# Bounds are keyword parameters (constants): None is not an operand.  Array bounds may also be
# passed positionally (they then get no gradient).
_clip_p = Primitive("clip", _clip, (_dclip, None, None))


# Bounds that are Tensors requiring grad are operands of their own primitive (a missing bound is
# -inf/+inf: the bound that requires grad is floating, so the result is too).  Its rules follow
# torch.clamp's: the input gets the gradient where lo <= a <= hi (the same mask as constant
# bounds: a tie goes to the input, never split), ``lo`` where a < lo (and lo < hi: when the bounds
# cross, the result is hi), ``hi`` where a > hi or hi < lo.
def _dclamp_x(g: Any, out: Any, a: Any, lo: Any, hi: Any) -> Any:
    return g * _inside(a, lo, hi)


def _dclamp_lo(g: Any, out: Any, a: Any, lo: Any, hi: Any) -> Any:
    return g * ((a < lo) & (lo < hi))


def _dclamp_hi(g: Any, out: Any, a: Any, lo: Any, hi: Any) -> Any:
    return g * ((a > hi) | (hi < lo))


_clamp_t = Primitive("clip", _clip, (_dclamp_x, _dclamp_lo, _dclamp_hi))


def clip(x: Any, min: Any = None, max: Any = None) -> Any:
    """Limit values to ``[min, max]`` (either may be None); ``clamp`` in PyTorch.

    Where ``min > max`` the result is ``max`` (like ``torch.clamp``).  The gradient passes where
    ``min <= x <= max``: bounds included, a tie goes to the input, whether the bounds are numbers,
    arrays or Tensors.  Bounds that are Tensors requiring grad get the gradient where they are the
    result (``x < min``, resp. ``x > max``); never a share of a tie.

    >>> import autograd as ag
    >>> ag.clip(ag.tensor([-1.0, 0.5, 2.0]), 0.0, 1.0)
    tensor([0. , 0.5, 1. ])
    """
    if min is None and max is None:
        raise ValueError("clip: at least one of min and max must be given")
    from ..tensor import Tensor

    if any(isinstance(b, Tensor) and b.requires_grad for b in (min, max)):
        return _clamp_t(x, -math.inf if min is None else min, math.inf if max is None else max)
    lo = min._data if isinstance(min, Tensor) else min
    hi = max._data if isinstance(max, Tensor) else max
    return _clip_p(x, lo=lo, hi=hi)


def _dhardtanh(g: Any, out: Any, a: Any, lo: float = -1.0, hi: float = 1.0) -> Any:
    # exclusive bounds: no gradient at lo and hi (torch.nn.functional.hardtanh/relu6), the same
    # convention as relu'(0) = 0
    return g * ((a > lo) & (a < hi))


hardtanh = Primitive("hardtanh", _clip, (_dhardtanh,))
"""``clip(x, lo, hi)`` as an activation: no gradient at the bounds (PyTorch's hardtanh)."""

clamp = clip

floor_divide = Primitive("floor_divide", xp.floor_divide,  # piecewise constant: no gradient
                         doc=_ew("floor(a / b)", "torch.floor_divide", "numpy.floor_divide",
                                 "No gradient.", arity=2, dtype="keep"))
remainder = Primitive(
    "remainder", xp.remainder,
    (lambda g, out, a, b: g, lambda g, out, a, b: -g * floor_divide.raw(a, b)),
    doc=_ew("a - b * floor(a / b)", "torch.remainder", "numpy.remainder",
            "The sign of b, as Python's %; gradients 1 and -floor(a / b).", arity=2, dtype="keep"),
)

# comparisons and logic: results are bool tensors outside the graph
_TRUTH = "Non-zero numbers count as true."
eq = Primitive("eq", xp.equal,
               doc=_ew("a == b", "torch.eq", "numpy.equal", arity=2, dtype="bool"))
ne = Primitive("ne", xp.not_equal,
               doc=_ew("a != b", "torch.ne", "numpy.not_equal", arity=2, dtype="bool"))
lt = Primitive("lt", xp.less,
               doc=_ew("a < b", "torch.lt", "numpy.less", arity=2, dtype="bool"))
le = Primitive("le", xp.less_equal,
               doc=_ew("a <= b", "torch.le", "numpy.less_equal", arity=2, dtype="bool"))
gt = Primitive("gt", xp.greater,
               doc=_ew("a > b", "torch.gt", "numpy.greater", arity=2, dtype="bool"))
ge = Primitive("ge", xp.greater_equal,
               doc=_ew("a >= b", "torch.ge", "numpy.greater_equal", arity=2, dtype="bool"))
logical_not = Primitive("logical_not", xp.logical_not,
                        doc=_ew("not x", "torch.logical_not", "numpy.logical_not", dtype="bool"))
logical_and = Primitive("logical_and", xp.logical_and,
                        doc=_ew("a and b", "torch.logical_and", "numpy.logical_and", _TRUTH,
                                arity=2, dtype="bool"))
logical_or = Primitive("logical_or", xp.logical_or,
                       doc=_ew("a or b", "torch.logical_or", "numpy.logical_or", _TRUTH, arity=2,
                               dtype="bool"))
logical_xor = Primitive("logical_xor", xp.logical_xor,
                        doc=_ew("a xor b", "torch.logical_xor", "numpy.logical_xor", _TRUTH,
                                arity=2, dtype="bool"))

from .elementwise import log, log_number  # noqa: E402  (used by pow's rule)
