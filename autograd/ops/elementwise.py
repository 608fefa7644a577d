"""Elementwise primitives: exponentials, roots, trigonometry, activations.

Each primitive reads as: name, forward on arrays, gradient rule, and (where it pays) a forward on
Python floats for the scalar fast path.  Rules that are cheapest from the result use ``out``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..backend import xp
from ..devices import cuda_backend, is_device_array
from ..primitive import Primitive
from ._doc import elementwise as _ew


def _quiet(fn: Any) -> Any:
    """Rules that divide by a value that may be 0 give inf like PyTorch, without NumPy warnings."""

    def rule(*args: Any) -> Any:
        with xp.errstate(divide="ignore", invalid="ignore"):
            return fn(*args)

    return rule


def _slog(x: float) -> float:
    return math.log(x) if x > 0 else math.log(-1.0)  # raises -> NumPy path gives -inf/nan


def log_number(x: float) -> float:
    """``log`` of a Python number, as a Python number: -inf at 0, nan below (NumPy's values).

    For rules whose operand was a Python number: ``log.raw`` would give a NumPy scalar, a host
    array next to device data (Python numbers mix with any device, NumPy arrays do not)."""
    return math.log(x) if x > 0 else -math.inf if x == 0 else math.nan


exp = Primitive("exp", xp.exp, (lambda g, out, x: g * out,), save_out=True, scalar=math.exp,
                doc=_ew("exp(x)", "torch.exp", "numpy.exp"))
def _log(x: Any) -> Any:
    with xp.errstate(divide="ignore"):  # log(0) = -inf without a warning, like PyTorch
        return xp.log(x)


log = Primitive("log", _log, (_quiet(lambda g, out, x: g / x),), scalar=_slog,
                doc=_ew("log(x)", "torch.log", "numpy.log",
                        "Negative inputs give nan, 0 gives -inf (gradient inf)."))
log1p = Primitive("log1p", xp.log1p, (_quiet(lambda g, out, x: g / (1 + x)),), scalar=math.log1p,
                  doc=_ew("log(1 + x)", "torch.log1p", "numpy.log1p",
                          "Accurate for small x; -1 gives -inf."))
expm1 = Primitive("expm1", xp.expm1, (lambda g, out, x: g * (out + 1),), save_out=True,
                  scalar=math.expm1,
                  doc=_ew("exp(x) - 1", "torch.expm1", "numpy.expm1", "Accurate for small x."))
sqrt = Primitive("sqrt", xp.sqrt, (_quiet(lambda g, out, x: g / (2 * out)),), save_out=True,
                 scalar=math.sqrt,
                 doc=_ew("sqrt(x)", "torch.sqrt", "numpy.sqrt",
                         "Negative inputs give nan; gradient inf at 0."))
rsqrt = Primitive("rsqrt", lambda x: 1 / xp.sqrt(x),
                  (_quiet(lambda g, out, x: -0.5 * g * out * out * out),), save_out=True,
                  doc=_ew("1 / sqrt(x)", "torch.rsqrt", None, "0 gives inf (gradient -inf)."))
square = Primitive("square", xp.square, (lambda g, out, x: 2 * g * x,),
                   doc=_ew("x * x", "torch.square", "numpy.square", dtype="keep"))
# 1 / x rather than xp.reciprocal: integers give floats (like torch), not integer division
reciprocal = Primitive("reciprocal", lambda x: 1 / x, (lambda g, out, x: -g * out * out,),
                       save_out=True,
                       doc=_ew("1 / x", "torch.reciprocal", "1 / x",
                               "0 gives inf (gradient -inf)."))
def _dsin(g: Any, out: Any, x: Any) -> Any:
    return g * cos.raw(x)


def _dcos(g: Any, out: Any, x: Any) -> Any:
    return -g * sin.raw(x)


sin = Primitive("sin", xp.sin, (_dsin,), scalar=math.sin,
                doc=_ew("sin(x)", "torch.sin", "numpy.sin"))
cos = Primitive("cos", xp.cos, (_dcos,), scalar=math.cos,
                doc=_ew("cos(x)", "torch.cos", "numpy.cos"))
tan = Primitive("tan", xp.tan, (lambda g, out, x: g * (1 + out * out),), save_out=True,
                scalar=math.tan,
                doc=_ew("tan(x)", "torch.tan", "numpy.tan"))
tanh = Primitive("tanh", xp.tanh, (lambda g, out, x: g * (1 - out * out),), save_out=True,
                 scalar=math.tanh,
                 doc=_ew("tanh(x)", "torch.tanh", "numpy.tanh"))


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
                    save_out=True, scalar=_ssigmoid,
                    doc=_ew("1 / (1 + exp(-x))", "torch.sigmoid", None,
                            "No overflow for large |x|."))


def _srelu(x: float) -> float:
    return x if x > 0.0 or x != x else 0.0  # NaN propagates, as in NumPy/PyTorch


relu = Primitive("relu", lambda x: xp.maximum(x, 0), (lambda g, out, x: g * (x > 0),),
                 scalar=_srelu,
                 doc=_ew("max(x, 0)", "torch.relu", None, "Gradient 0 at x == 0 (PyTorch).",
                         dtype="keep"))

def _dleaky_relu(g: Any, out: Any, x: Any, negative_slope: float = 0.01) -> Any:
    return g * where.raw(x > 0, 1.0, negative_slope)  # slope at 0: negative_slope (PyTorch)


leaky_relu = Primitive(
    "leaky_relu",
    lambda x, negative_slope=0.01: xp.where(x > 0, x, x * negative_slope),
    (_dleaky_relu, None),  # negative_slope may come positionally (PyTorch): no gradient
    doc=_ew("x if x > 0 else negative_slope * x", "torch.nn.functional.leaky_relu", None,
            "negative_slope=0.01; the gradient at 0 is negative_slope (the left side)."),
)


def _delu(g: Any, out: Any, x: Any, alpha: float = 1.0) -> Any:
    # slope alpha * exp(x) for x <= 0: alpha at 0 (PyTorch's first derivative there).  The
    # exponent is masked to 0 from x = 0 up, so the second derivative at 0 is 0 (PyTorch's, the
    # right-hand limit), not a tie share as minimum(x, 0) would give
    return g * where.raw(x > 0, 1.0, alpha * exp.raw(where.raw(x < 0, x, 0.0)))


elu = Primitive(
    "elu",
    lambda x, alpha=1.0: xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0))),
    (_delu, None),  # alpha may come positionally (PyTorch): no gradient
    doc=_ew("x if x > 0 else alpha * (exp(x) - 1)", "torch.nn.functional.elu", None,
            "alpha=1.0; the gradient at 0 is alpha (the left side)."),
)

_erf = np.frompyfunc(math.erf, 1, 1)
_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _erf_array(x: Any) -> Any:
    if is_device_array(x):
        # NumPy has no erf ufunc and frompyfunc runs on the host: CuPy's own (cupyx.scipy.special)
        want = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
        r = cuda_backend().special().erf(x if x.dtype == want else x.astype(want))
        return r if r.dtype == want else r.astype(want)  # float16 has no kernel of its own
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


gelu = Primitive("gelu", _gelu, (_dgelu,),
                 doc=_ew("x * Phi(x)", "torch.nn.functional.gelu", None,
                         "approximate='none' (erf) or 'tanh'; any other value raises ValueError."))
erf = Primitive(
    "erf", _erf_array, (lambda g, out, x: g * (2 / math.sqrt(math.pi)) * exp.raw(-x * x),),
    scalar=math.erf,
    doc=_ew("erf(x)", "torch.erf", None, "The Gauss error function (SciPy: scipy.special.erf)."),
)


def _softplus(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Any:
    # log(1 + e^(bx)) / b, stable form; linear above the threshold like PyTorch
    bx = beta * x
    soft = (xp.maximum(bx, 0) + xp.log1p(xp.exp(-xp.abs(bx)))) / beta
    return xp.where(bx > threshold, x, soft)


def _dsoftplus(g: Any, out: Any, x: Any, beta: float = 1.0, threshold: float = 20.0) -> Any:
    bx = beta * x
    return g * where.raw(bx > threshold, 1.0, sigmoid.raw(bx))


softplus = Primitive("softplus", _softplus, (_dsoftplus, None, None),  # beta, threshold
                     doc=_ew("log(1 + exp(beta * x)) / beta", "torch.nn.functional.softplus", None,
                             "beta=1.0, threshold=20.0: x itself where beta * x > threshold."))

from .arithmetic import where  # noqa: E402  (rules compose other primitives)
