"""Hyperbolic and inverse trigonometric functions, ``atan2``, ``hypot``, ``logaddexp``, ``xlogy``.

Rules are written with operators and other primitives' ``raw``, so they also run on Tensors
(second derivatives).  Where the derivative is infinite or undefined (``asin`` at +-1,
``hypot`` at the origin) the result is inf/nan as in PyTorch, without NumPy warnings;
``atan2`` at the origin has PyTorch's subgradient 0.

>>> import autograd as ag
>>> x = ag.tensor([0.0, 0.5], requires_grad=True)
>>> ag.asin(x).sum().backward()
>>> x.grad
tensor([1.        , 1.15470054])
"""

from __future__ import annotations

import math
from typing import Any

from ..backend import xp
from ..primitive import Primitive
from ._doc import elementwise as _ew


def _quiet(fn: Any) -> Any:
    """A forward or rule whose inf/nan results are intended: no NumPy warnings."""

    def run(*args: Any, **params: Any) -> Any:
        with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return fn(*args, **params)

    return run


sinh: Primitive = Primitive("sinh", xp.sinh, (lambda g, out, x: g * cosh.raw(x),), scalar=math.sinh,
                            doc=_ew("sinh(x)", "torch.sinh", "numpy.sinh"))
cosh: Primitive = Primitive("cosh", xp.cosh, (lambda g, out, x: g * sinh.raw(x),), scalar=math.cosh,
                            doc=_ew("cosh(x)", "torch.cosh", "numpy.cosh"))
asinh = Primitive("asinh", xp.arcsinh, (lambda g, out, x: g / sqrt.raw(x * x + 1),),
                  scalar=math.asinh,
                  doc=_ew("asinh(x)", "torch.asinh", "numpy.arcsinh"))
acosh = Primitive("acosh", _quiet(xp.arccosh), (_quiet(lambda g, out, x: g / sqrt.raw(x * x - 1)),),
                  doc=_ew("acosh(x)", "torch.acosh", "numpy.arccosh",
                          "Below 1: nan; the gradient is inf at 1."))
atanh = Primitive("atanh", _quiet(xp.arctanh), (_quiet(lambda g, out, x: g / (1 - x * x)),),
                  doc=_ew("atanh(x)", "torch.atanh", "numpy.arctanh",
                          "Outside [-1, 1]: nan; +-1 give +-inf."))
asin = Primitive("asin", _quiet(xp.arcsin), (_quiet(lambda g, out, x: g / sqrt.raw(1 - x * x)),),
                 doc=_ew("asin(x)", "torch.asin", "numpy.arcsin",
                         "Outside [-1, 1]: nan; gradient inf at +-1."))
acos = Primitive("acos", _quiet(xp.arccos), (_quiet(lambda g, out, x: -g / sqrt.raw(1 - x * x)),),
                 doc=_ew("acos(x)", "torch.acos", "numpy.arccos",
                         "Outside [-1, 1]: nan; gradient -inf at +-1."))
atan = Primitive("atan", xp.arctan, (lambda g, out, x: g / (1 + x * x),), scalar=math.atan,
                 doc=_ew("atan(x)", "torch.atan", "numpy.arctan"))

# atan2(y, x): d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2); 0 at the origin, as PyTorch
# (a subgradient: the quotient is masked, not the denominator, so second derivatives are nan)
def _atan2_rule(num: Any, y: Any, x: Any) -> Any:
    den = x * x + y * y
    return where.raw(den == 0, 0.0, num / den)


atan2 = Primitive(
    "atan2", xp.arctan2,
    (_quiet(lambda g, out, y, x: _atan2_rule(g * x, y, x)),
     _quiet(lambda g, out, y, x: _atan2_rule(-g * y, y, x))),
    doc=_ew("atan2(y, x)", "torch.atan2", "numpy.arctan2",
            "The angle of (x, y) in [-pi, pi]; gradient 0 at the origin (PyTorch).", arity=2),
)
# hypot(a, b) = sqrt(a^2 + b^2): d/da = a / out (nan at the origin, as PyTorch's a / out)
hypot = Primitive(
    "hypot", xp.hypot,
    (_quiet(lambda g, out, a, b: g * a / out), _quiet(lambda g, out, a, b: g * b / out)),
    save_out=True,
    doc=_ew("sqrt(a**2 + b**2)", "torch.hypot", "numpy.hypot",
            "Without overflow; the gradient at the origin is nan (PyTorch).", arity=2),
)
# logaddexp(a, b) = log(e^a + e^b): d/da = e^(a - out), the softmax weight of a (no overflow)
logaddexp = Primitive(
    "logaddexp", xp.logaddexp,
    (_quiet(lambda g, out, a, b: g * exp.raw(a - out)),
     _quiet(lambda g, out, a, b: g * exp.raw(b - out))),
    save_out=True,
    doc=_ew("log(exp(a) + exp(b))", "torch.logaddexp", "numpy.logaddexp",
            "Without overflow; a tie a == b splits the gradient 1/2 each.", arity=2),
)


def _xlogy_fwd(x: Any, y: Any) -> Any:
    with xp.errstate(divide="ignore", invalid="ignore"):
        # 0 * log(y) is 0 wherever x == 0, even at y == 0 or inf; NaN in y still propagates
        return xp.where((x == 0) & ~xp.isnan(y), 0.0, x * xp.log(y))


def _dxlogy_x(g: Any, out: Any, x: Any, y: Any) -> Any:
    # log(y), also at x == 0 (the derivative of x log y there); 0 where x == 0 and y <= 0,
    # where log(y) is -inf/nan and the value is the constant 0 (PyTorch's mask)
    # a Python-number y: its log stays a number (a NumPy scalar would not mix with devices)
    log_y = log_number(y) if type(y) is float or type(y) is int else log.raw(y)
    return where.raw(logical_and.raw(x == 0, y <= 0), 0.0, g * log_y)


xlogy = Primitive("xlogy", _xlogy_fwd, (_quiet(_dxlogy_x), _quiet(lambda g, out, x, y: g * x / y)),
                  doc=_ew("x * log(y)", "torch.xlogy", None,
                          "0 where x == 0, even at y == 0 (SciPy: scipy.special.xlogy).", arity=2))


# PyTorch's (and NumPy's) other names
arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
arcsinh, arccosh, arctanh = asinh, acosh, atanh

isnan = Primitive("isnan", xp.isnan,  # bool results: no gradient
                  doc=_ew("isnan(x)", "torch.isnan", "numpy.isnan", dtype="bool"))
isinf = Primitive("isinf", xp.isinf,
                  doc=_ew("isinf(x)", "torch.isinf", "numpy.isinf", dtype="bool"))
isfinite = Primitive("isfinite", xp.isfinite,
                     doc=_ew("isfinite(x)", "torch.isfinite", "numpy.isfinite", dtype="bool"))

from .arithmetic import logical_and, where  # noqa: E402
from .elementwise import exp, log, log_number, sqrt  # noqa: E402
