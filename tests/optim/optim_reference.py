"""Direct NumPy transcriptions of each optimizer's formula, and hypothesis strategies for options.

The transcriptions are deliberately plain (out of place, one line per formula line) so that they
can be checked against the documented algorithms by eye; the library's in-place versions must
agree with them.  Conventions follow PyTorch's implementation: ``maximize`` negates the gradient
first, then weight decay is added (so the L2 penalty still pulls towards 0 when maximizing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

import optim


def _direction(x: np.ndarray, g: np.ndarray, wd: float, maximize: bool) -> np.ndarray:
    d = -g if maximize else g
    return d + wd * x


def ref_sgd(x, grads, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
            maximize=False):
    x = np.array(x, dtype=np.float64)
    b = None
    for g in grads:
        d = _direction(x, g, weight_decay, maximize)
        if momentum != 0:
            b = d if b is None else momentum * b + (1 - dampening) * d
            d = d + momentum * b if nesterov else b
        x = x - lr * d
    return x


def ref_adam(x, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
             maximize=False, decoupled_weight_decay=False):
    b1, b2 = betas
    x = np.array(x, dtype=np.float64)
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    vmax = np.zeros_like(x)
    for t, g in enumerate(grads, start=1):
        if decoupled_weight_decay:
            x = x * (1 - lr * weight_decay)
            d = _direction(x, g, 0.0, maximize)
        else:
            d = _direction(x, g, weight_decay, maximize)
        m = b1 * m + (1 - b1) * d
        v = b2 * v + (1 - b2) * d**2
        m_hat = m / (1 - b1**t)
        if amsgrad:
            vmax = np.maximum(vmax, v)
            v_hat = vmax / (1 - b2**t)
        else:
            v_hat = v / (1 - b2**t)
        x = x - lr * m_hat / (np.sqrt(v_hat) + eps)
    return x


def ref_adamw(x, grads, weight_decay=1e-2, **kw):
    return ref_adam(x, grads, weight_decay=weight_decay, decoupled_weight_decay=True, **kw)


def ref_rmsprop(x, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                centered=False, maximize=False):
    x = np.array(x, dtype=np.float64)
    s = np.zeros_like(x)
    a = np.zeros_like(x)
    b = np.zeros_like(x)
    for g in grads:
        d = _direction(x, g, weight_decay, maximize)
        s = alpha * s + (1 - alpha) * d**2
        if centered:
            a = alpha * a + (1 - alpha) * d
            r = np.sqrt(s - a**2) + eps
        else:
            r = np.sqrt(s) + eps
        if momentum > 0:
            b = momentum * b + d / r
            x = x - lr * b
        else:
            x = x - lr * d / r
    return x


def ref_adagrad(x, grads, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                eps=1e-10, maximize=False):
    x = np.array(x, dtype=np.float64)
    s = np.full_like(x, initial_accumulator_value)
    for t, g in enumerate(grads, start=1):
        d = _direction(x, g, weight_decay, maximize)
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + d**2
        x = x - clr * d / (np.sqrt(s) + eps)
    return x


def _decay_first(x, g, weight_decay, maximize, decoupled, lr):
    """Decoupled decay shrinks x before the step; coupled L2 decay is folded into d."""
    if decoupled:
        return x * (1 - lr * weight_decay), _direction(x, g, 0.0, maximize)
    return x, _direction(x, g, weight_decay, maximize)


def ref_nadam(x, grads, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
              momentum_decay=4e-3, decoupled_weight_decay=False, maximize=False):
    b1, b2 = betas
    x = np.array(x, dtype=np.float64)
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    mu_prod = 1.0
    for t, g in enumerate(grads, start=1):
        x, d = _decay_first(x, g, weight_decay, maximize, decoupled_weight_decay, lr)
        mu = b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        mu_prod = mu_prod * mu
        m = b1 * m + (1 - b1) * d
        v = b2 * v + (1 - b2) * d**2
        v_hat = v / (1 - b2**t)
        # Nesterov: the current gradient with this step's momentum weight, plus the average
        # with the next step's weight, each bias-corrected by the product of the mus
        m_bar = (1 - mu) * d / (1 - mu_prod) + mu_next * m / (1 - mu_prod * mu_next)
        x = x - lr * m_bar / (np.sqrt(v_hat) + eps)
    return x


def ref_radam(x, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
              decoupled_weight_decay=False, maximize=False):
    b1, b2 = betas
    x = np.array(x, dtype=np.float64)
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    rho_inf = 2 / (1 - b2) - 1
    for t, g in enumerate(grads, start=1):
        x, d = _decay_first(x, g, weight_decay, maximize, decoupled_weight_decay, lr)
        m = b1 * m + (1 - b1) * d
        v = b2 * v + (1 - b2) * d**2
        m_hat = m / (1 - b1**t)
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho_t > 5:
            v_hat_sqrt = np.sqrt(v / (1 - b2**t))
            r = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            # eps is added to sqrt(v) before the bias correction, as PyTorch does
            x = x - lr * m_hat * r / (v_hat_sqrt + eps / np.sqrt(1 - b2**t))
        else:
            x = x - lr * m_hat
    return x


def ref_adamax(x, grads, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
               maximize=False):
    b1, b2 = betas
    x = np.array(x, dtype=np.float64)
    m = np.zeros_like(x)
    u = np.zeros_like(x)
    for t, g in enumerate(grads, start=1):
        d = _direction(x, g, weight_decay, maximize)
        m = b1 * m + (1 - b1) * d
        u = np.maximum(b2 * u, np.abs(d) + eps)
        x = x - lr / (1 - b1**t) * m / u
    return x


def ref_adadelta(x, grads, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    x = np.array(x, dtype=np.float64)
    s = np.zeros_like(x)
    a = np.zeros_like(x)
    for g in grads:
        d = _direction(x, g, weight_decay, maximize)
        s = rho * s + (1 - rho) * d**2
        delta = np.sqrt(a + eps) / np.sqrt(s + eps) * d
        a = rho * a + (1 - rho) * delta**2
        x = x - lr * delta
    return x


# ------------------------------------------------------------------- hyperparameter strategies
lrs = st.floats(1e-3, 0.5)
decays = st.sampled_from([0.0, 0.0, 1e-3, 0.1, 0.5])
flags = st.booleans()


@st.composite
def sgd_options(draw: Any) -> dict[str, Any]:
    nesterov = draw(flags)
    momentum = draw(st.floats(0.05, 0.99)) if nesterov else draw(st.sampled_from([0.0, 0.5, 0.9]))
    return dict(lr=draw(lrs), momentum=momentum,
                dampening=0.0 if nesterov else draw(st.sampled_from([0.0, 0.1, 0.9])),
                weight_decay=draw(decays), nesterov=nesterov, maximize=draw(flags))


@st.composite
def adam_options(draw: Any) -> dict[str, Any]:
    return dict(lr=draw(lrs), betas=(draw(st.floats(0.0, 0.99)), draw(st.floats(0.5, 0.9999))),
                eps=draw(st.sampled_from([1e-8, 1e-3])), weight_decay=draw(decays),
                amsgrad=draw(flags), maximize=draw(flags))


@st.composite
def rmsprop_options(draw: Any) -> dict[str, Any]:
    return dict(lr=draw(lrs), alpha=draw(st.floats(0.5, 0.999)),
                eps=draw(st.sampled_from([1e-8, 1e-3])), weight_decay=draw(decays),
                momentum=draw(st.sampled_from([0.0, 0.5, 0.9])), centered=draw(flags),
                maximize=draw(flags))


@st.composite
def adagrad_options(draw: Any) -> dict[str, Any]:
    return dict(lr=draw(lrs), lr_decay=draw(st.sampled_from([0.0, 0.01, 0.5])),
                weight_decay=draw(decays),
                initial_accumulator_value=draw(st.sampled_from([0.0, 0.1, 1.0])),
                eps=draw(st.sampled_from([1e-10, 1e-3])), maximize=draw(flags))


@st.composite
def nadam_options(draw: Any) -> dict[str, Any]:
    return dict(lr=draw(lrs), betas=(draw(st.floats(0.0, 0.99)), draw(st.floats(0.5, 0.9999))),
                eps=draw(st.sampled_from([1e-8, 1e-3])), weight_decay=draw(decays),
                momentum_decay=draw(st.sampled_from([0.0, 4e-3, 0.1, 1.0])),
                decoupled_weight_decay=draw(flags), maximize=draw(flags))


@st.composite
def radam_options(draw: Any) -> dict[str, Any]:
    # beta2 up to 0.9999 and beta2 = 0.5..0.9: both the rectified and the plain-momentum branch
    return dict(lr=draw(lrs), betas=(draw(st.floats(0.0, 0.99)), draw(st.floats(0.5, 0.9999))),
                eps=draw(st.sampled_from([1e-8, 1e-3])), weight_decay=draw(decays),
                decoupled_weight_decay=draw(flags), maximize=draw(flags))


@st.composite
def adamax_options(draw: Any) -> dict[str, Any]:
    return dict(lr=draw(lrs), betas=(draw(st.floats(0.0, 0.99)), draw(st.floats(0.0, 0.9999))),
                eps=draw(st.sampled_from([1e-8, 1e-3, 0.5])), weight_decay=draw(decays),
                maximize=draw(flags))


@st.composite
def adadelta_options(draw: Any) -> dict[str, Any]:
    return dict(lr=draw(st.floats(1e-3, 2.0)), rho=draw(st.floats(0.0, 1.0)),
                eps=draw(st.sampled_from([1e-6, 1e-3, 0.5])), weight_decay=draw(decays),
                maximize=draw(flags))


#: name -> (class, options strategy, NumPy reference)
CASES: dict[str, tuple[type[optim.Optimizer], Any, Callable[..., np.ndarray]]] = {
    "SGD": (optim.SGD, sgd_options(), ref_sgd),
    "Adam": (optim.Adam, adam_options(), ref_adam),
    "AdamW": (optim.AdamW, adam_options(), ref_adamw),
    "RMSprop": (optim.RMSprop, rmsprop_options(), ref_rmsprop),
    "Adagrad": (optim.Adagrad, adagrad_options(), ref_adagrad),
    "NAdam": (optim.NAdam, nadam_options(), ref_nadam),
    "RAdam": (optim.RAdam, radam_options(), ref_radam),
    "Adamax": (optim.Adamax, adamax_options(), ref_adamax),
    "Adadelta": (optim.Adadelta, adadelta_options(), ref_adadelta),
}
