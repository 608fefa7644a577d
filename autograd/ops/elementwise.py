"""Elementwise primitives: exponentials, roots, trigonometry, activations.

Each primitive reads as: name, forward on arrays, gradient rule, and (where it pays) a forward on
Python floats for the scalar fast path.  Rules that are cheapest from the result use ``out``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..backend import xp
from ..primitive import Primitive


def _quiet(fn: Any) -> Any:
    """Rules that divide by a value that may be 0 give inf like PyTorch, without NumPy warnings."""

    def rule(*args: Any) -> Any:
        with xp.errstate(divide="ignore", invalid="ignore"):
            return fn(*args)

    return rule


def _slog(x: float) -> float:
    return math.log(x) if x > 0 else math.log(-1.0)  # raises -> NumPy path gives -inf/nan


exp = Primitive("exp", xp.exp, (lambda g, out, x: g * out,), save_out=True, scalar=math.exp)
def _log(x: Any) -> Any:
    with xp.errstate(divide="ignore"):  # log(0) = -inf without a warning, like PyTorch
        return xp.log(x)


log = Primitive("log", _log, (_quiet(lambda g, out, x: g / x),), scalar=_slog)
log1p = Primitive("log1p", xp.log1p, (_quiet(lambda g, out, x: g / (1 + x)),), scalar=math.log1p)
expm1 = Primitive("expm1", xp.expm1, (lambda g, out, x: g * (out + 1),), save_out=True,
                  scalar=math.expm1)
sqrt = Primitive("sqrt", xp.sqrt, (_quiet(lambda g, out, x: g / (2 * out)),), save_out=True,
                 scalar=math.sqrt)
rsqrt = Primitive("rsqrt", lambda x: 1 / xp.sqrt(x),
                  (_quiet(lambda g, out, x: -0.5 * g * out * out * out),), save_out=True)
square = Primitive("square", xp.square, (lambda g, out, x: 2 * g * x,))
# 1 / x rather than xp.reciprocal: integers give floats (like torch), not integer division
reciprocal = Primitive("reciprocal", lambda x: 1 / x, (lambda g, out, x: -g * out * out,),
                       save_out=True)
def _dsin(g: Any, out: Any, x: Any) -> Any:
    return g * cos.raw(x)


def _dcos(g: Any, out: Any, x: Any) -> Any:
    return -g * sin.raw(x)


sin = Primitive("sin", xp.sin, (_dsin,), scalar=math.sin)
cos = Primitive("cos", xp.cos, (_dcos,), scalar=math.cos)
tan = Primitive("tan", xp.tan, (lambda g, out, x: g * (1 + out * out),), save_out=True,
                scalar=math.tan)
tanh = Primitive("tanh", xp.tanh, (lambda g, out, x: g * (1 - out * out),), save_out=True,
                 scalar=math.tanh)


def _sigmoid(x: Any) -> Any:
    # exp of a non-positive number only: no overflow at +-1e4, full precision in both tails
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _ssigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


sigmoid = Primitive("sigmoid", _sigmoid, (lambda g, out, x: g * out * (1 - out),),
                    save_out=True, scalar=_ssigmoid)


def _srelu(x: float) -> float:
    return x if x > 0.0 or x != x else 0.0  # NaN propagates, as in NumPy/PyTorch


relu = Primitive("relu", lambda x: xp.maximum(x, 0), (lambda g, out, x: g * (x > 0),),
                 scalar=_srelu)

def _dleaky_relu(g: Any, out: Any, x: Any, negative_slope: float = 0.01) -> Any:
    return g * where.raw(x > 0, 1.0, negative_slope)  # slope at 0: negative_slope (PyTorch)


leaky_relu = Primitive(
    "leaky_relu",
    lambda x, negative_slope=0.01: xp.where(x > 0, x, x * negative_slope),
    (_dleaky_relu,),
)


def _delu(g: Any, out: Any, x: Any, alpha: float = 1.0) -> Any:
    # slope alpha * exp(x) for x <= 0: alpha at 0 (PyTorch's first derivative there).  The
    # exponent is masked to 0 from x = 0 up, so the second derivative at 0 is 0 (PyTorch's, the
    # right-hand limit), not a tie share as minimum(x, 0) would give
    return g * where.raw(x > 0, 1.0, alpha * exp.raw(where.raw(x < 0, x, 0.0)))


elu = Primitive(
    "elu",
    lambda x, alpha=1.0: xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0))),
    (_delu,),
)

_erf = np.frompyfunc(math.erf, 1, 1)
_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _erf_array(x: Any) -> Any:
    x = xp.asarray(x)
    # frompyfunc gives a Python float for 0-d input, an object array otherwise
    return xp.asarray(_erf(x)).astype(x.dtype if x.dtype.kind == "f" else np.float64)


def _gelu(x: Any, approximate: str = "none") -> Any:
    if approximate == "tanh":
        return 0.5 * x * (1 + xp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3)))
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return 0.5 * x * (1 + _erf_array(x / _SQRT_2))


def _dgelu(g: Any, out: Any, x: Any, approximate: str = "none") -> Any:
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (x + 0.044715 * x**3)
        t = tanh.raw(inner)
        dinner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
        return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dinner)
    cdf = 0.5 * (1 + erf.raw(x / _SQRT_2))
    pdf = exp.raw(-0.5 * x * x) * _INV_SQRT_2PI
    return g * (cdf + x * pdf)


gelu = Primitive("gelu", _gelu, (_dgelu,))
erf = Primitive(
    "erf", _erf_array, (lambda g, out, x: g * (2 / math.sqrt(math.pi)) * exp.raw(-x * x),),
    scalar=math.erf,
)


def _softplus(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Any:
    # log(1 + e^(bx)) / b, stable form; linear above the threshold like PyTorch
    bx = beta * x
    soft = (xp.maximum(bx, 0) + xp.log1p(xp.exp(-xp.abs(bx)))) / beta
    return xp.where(bx > threshold, x, soft)


def _dsoftplus(g: Any, out: Any, x: Any, beta: float = 1.0, threshold: float = 20.0) -> Any:
    bx = beta * x
    return g * where.raw(bx > threshold, 1.0, sigmoid.raw(bx))


softplus = Primitive("softplus", _softplus, (_dsoftplus,))

from .arithmetic import where  # noqa: E402  (rules compose other primitives)
