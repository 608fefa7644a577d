"""RMSprop: divide the gradient by a running root-mean-square of recent gradients (seed 001)."""

from __future__ import annotations

import math
from typing import Any

from autograd.backend import xp

from .optimizer import (
    Group,
    Optimizer,
    ParamsT,
    State,
    _check_range,
    _Scratch,
    direction,
    direction_scalar,
)


class RMSprop(Optimizer):
    r"""RMSprop, as ``torch.optim.RMSprop``.

    For each parameter ``p`` with gradient ``g`` (``-g`` when ``maximize``)::

        d = g + weight_decay * p
        s = alpha * s + (1 - alpha) * d * d
        a = a + (1 - alpha) * (d - a)                     (centered: running mean of d)
        r = sqrt(s - a * a) + eps   if centered  else  sqrt(s) + eps
        b = momentum * b + d / r;  p = p - lr * b         (momentum > 0)
        p = p - lr * d / r                                (momentum = 0)

    Seed 001 writes ``S = beta S + (1 - beta) dw^2``, ``w -= alpha dw / sqrt(S)``: its ``beta``
    is ``alpha`` here and its ``alpha`` is ``lr``; ``eps`` guards the division.

    >>> import autograd as ag
    >>> w = ag.tensor([3.0], requires_grad=True)
    >>> opt = RMSprop([w], lr=0.01, alpha=0.9)
    >>> (w * w).sum().backward()
    >>> opt.step()   # d / sqrt(0.1 d^2) = sqrt(10): the step is lr * 3.1623
    >>> round(w.item(), 4)
    2.9684
    """

    _state_keys = frozenset({"step", "square_avg", "momentum_buffer", "grad_avg"})

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: Group) -> None:
        super()._validate_group(group)
        _check_range("RMSprop", "epsilon value", group["eps"], 0.0)
        _check_range("RMSprop", "momentum value", group["momentum"], 0.0)
        _check_range("RMSprop", "weight_decay value", group["weight_decay"], 0.0)
        _check_range("RMSprop", "alpha value", group["alpha"], 0.0)

    def _init_state(self, st: State, d: Any, group: Group) -> None:
        zero = (lambda: 0.0) if d is None else (lambda: xp.zeros_like(d))
        st["step"] = 0
        st["square_avg"] = zero()
        if group["momentum"] > 0:
            st["momentum_buffer"] = zero()
        if group["centered"]:
            st["grad_avg"] = zero()

    def _update_array(
        self, p: Any, g: Any, st: State, group: Group, buf: _Scratch
    ) -> None:
        lr, wd, alpha = group["lr"], group["weight_decay"], group["alpha"]
        st["step"] += 1
        d = direction(p, g, wd, group["maximize"], buf[1])
        s = buf[0]
        sq = st["square_avg"]
        sq *= alpha
        sq += xp.multiply(xp.multiply(d, d, out=s), 1 - alpha, out=s)
        if group["centered"]:
            a = st["grad_avg"]
            a += xp.multiply(xp.subtract(d, a, out=s), 1 - alpha, out=s)
            r = xp.sqrt(xp.subtract(sq, xp.multiply(a, a, out=s), out=s), out=s)
        else:
            r = xp.sqrt(sq, out=s)
        r += group["eps"]
        if group["momentum"] > 0:
            b = st["momentum_buffer"]
            b *= group["momentum"]
            b += xp.divide(d, r, out=s)
            xp.subtract(p, xp.multiply(b, lr, out=s), out=p)
        else:
            xp.subtract(p, xp.multiply(xp.divide(d, r, out=s), lr, out=s), out=p)

    def _update_scalar(self, p: float, g: float, st: State, group: Group) -> float:
        lr, wd, alpha = group["lr"], group["weight_decay"], group["alpha"]
        st["step"] += 1
        d = direction_scalar(p, g, wd, group["maximize"])
        sq = st["square_avg"] = st["square_avg"] * alpha + d * d * (1 - alpha)
        if group["centered"]:
            a = st["grad_avg"] = st["grad_avg"] + (d - st["grad_avg"]) * (1 - alpha)
            r = _sqrt(sq - a * a) + group["eps"]
        else:
            r = math.sqrt(sq) + group["eps"]
        if group["momentum"] > 0:
            b = st["momentum_buffer"] = st["momentum_buffer"] * group["momentum"] + d / r
            return p - b * lr
        return p - d / r * lr


def _sqrt(x: float) -> float:
    """``sqrt`` that gives NaN for a negative argument, like the array path (no exception)."""
    return math.sqrt(x) if x >= 0 else math.nan
