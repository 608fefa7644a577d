"""Adadelta: step sizes from running averages of squared gradients and squared updates."""

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


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012), as ``torch.optim.Adadelta``.

    For each parameter ``p`` with gradient ``g`` (``-g`` when ``maximize``)::

        d = g + weight_decay * p
        s = rho * s + (1 - rho) * d * d                   (``square_avg``)
        delta = sqrt(a + eps) / sqrt(s + eps) * d         (unit-corrected step)
        a = rho * a + (1 - rho) * delta * delta           (``acc_delta``)
        p = p - lr * delta

    ``lr`` scales ``delta`` before it is applied (1.0 is the paper's algorithm).  State:
    ``step``, ``square_avg``, ``acc_delta``.  Raises ValueError for a negative ``lr``, ``eps`` or
    ``weight_decay`` and ``rho`` outside [0, 1].

    >>> import autograd as ag
    >>> w = ag.tensor([3.0], requires_grad=True)
    >>> opt = Adadelta([w], lr=1.0, rho=0.9, eps=1e-6)
    >>> (w * w).sum().backward()
    >>> opt.step()   # sqrt(1e-6) / sqrt(0.1 * 36 + 1e-6) * 6: about 0.0032
    >>> round(w.item(), 6)
    2.996838
    """

    _state_keys = frozenset({"step", "square_avg", "acc_delta"})

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: Group) -> None:
        super()._validate_group(group)
        _check_range("Adadelta", "rho value", group["rho"], 0.0, 1.0, high_open=False)
        _check_range("Adadelta", "epsilon value", group["eps"], 0.0)
        _check_range("Adadelta", "weight_decay value", group["weight_decay"], 0.0)

    def _init_state(self, st: State, d: Any, group: Group) -> None:
        st["step"] = 0
        st["square_avg"] = 0.0 if d is None else xp.zeros_like(d)
        st["acc_delta"] = 0.0 if d is None else xp.zeros_like(d)

    def _update_array(
        self, p: Any, g: Any, st: State, group: Group, buf: _Scratch
    ) -> None:
        rho, eps = group["rho"], group["eps"]
        st["step"] += 1
        d = direction(p, g, group["weight_decay"], group["maximize"], buf[1])
        sq, acc = st["square_avg"], st["acc_delta"]
        s, delta = buf[0], buf[2]
        sq *= rho
        sq += xp.multiply(xp.multiply(d, d, out=s), 1 - rho, out=s)
        std = xp.sqrt(xp.add(sq, eps, out=s), out=s)
        xp.sqrt(xp.add(acc, eps, out=delta), out=delta)
        delta /= std
        delta *= d
        acc *= rho
        acc += xp.multiply(xp.multiply(delta, delta, out=s), 1 - rho, out=s)
        xp.subtract(p, xp.multiply(delta, group["lr"], out=s), out=p)

    def _update_scalar(self, p: float, g: float, st: State, group: Group) -> float:
        rho, eps = group["rho"], group["eps"]
        st["step"] += 1
        d = direction_scalar(p, g, group["weight_decay"], group["maximize"])
        sq = st["square_avg"] = st["square_avg"] * rho + d * d * (1 - rho)
        delta = math.sqrt(st["acc_delta"] + eps) / math.sqrt(sq + eps) * d
        st["acc_delta"] = st["acc_delta"] * rho + delta * delta * (1 - rho)
        return p - delta * group["lr"]
