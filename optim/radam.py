"""RAdam: Adam whose adaptive step is switched on gradually by a variance rectification term."""

from __future__ import annotations

import math
from typing import Any

from autograd.backend import xp

from .adam import update_moments, update_moments_scalar
from .optimizer import (
    Group,
    Optimizer,
    ParamsT,
    State,
    _check_betas,
    _check_range,
    _Scratch,
    decayed_direction,
    decayed_direction_scalar,
)


class RAdam(Optimizer):
    r"""Rectified Adam (Liu et al., 2019), as ``torch.optim.RAdam``.

    For each parameter ``p`` with gradient ``g`` (``-g`` when ``maximize``), at step ``t``::

        p = p * (1 - lr * weight_decay)           (decoupled weight decay, RAdamW)
        d = g + weight_decay * p                  (otherwise: L2 penalty folded into the gradient)
        m = m + (1 - beta1) * (d - m)
        v = beta2 * v + (1 - beta2) * d * d
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)     (length of the approximated SMA)
        if rho_t > 5:
            rect = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
            p = p - lr * rect * sqrt(1 - beta2**t) / (1 - beta1**t) * m / (sqrt(v) + eps)
        else:                                     (too few steps for a trustworthy variance)
            p = p - lr / (1 - beta1**t) * m       (momentum SGD with bias correction)

    State: ``step``, ``exp_avg``, ``exp_avg_sq``.  Raises ValueError for a negative ``lr``,
    ``eps`` or ``weight_decay`` and betas outside [0, 1).

    >>> import autograd as ag
    >>> w = ag.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = RAdam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()   # rho_1 = 1 <= 5: a bias-corrected momentum step, lr * g
    >>> [round(v, 6) for v in w.tolist()]
    [0.8, -1.6]
    """

    _state_keys = frozenset({"step", "exp_avg", "exp_avg_sq"})

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: Group) -> None:
        super()._validate_group(group)
        _check_betas("RAdam", group)
        _check_range("RAdam", "epsilon value", group["eps"], 0.0)
        _check_range("RAdam", "weight_decay value", group["weight_decay"], 0.0)

    def _init_state(self, st: State, d: Any, group: Group) -> None:
        st["step"] = 0
        st["exp_avg"] = 0.0 if d is None else xp.zeros_like(d)
        st["exp_avg_sq"] = 0.0 if d is None else xp.zeros_like(d)

    @staticmethod
    def _coefficients(st: State, group: Group) -> tuple[float, float | None]:
        """Advance the step; return the momentum step size and the adaptive one (None: off)."""
        t = st["step"] = st["step"] + 1
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        bc1, bc2 = 1 - beta1**t, 1 - beta2**t
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / bc2
        if rho_t > 5.0:
            rect = math.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            return lr / bc1, lr / bc1 * rect * math.sqrt(bc2)
        return lr / bc1, None

    def _update_array(
        self, p: Any, g: Any, st: State, group: Group, buf: _Scratch
    ) -> None:
        d = decayed_direction(p, g, group, buf[1])
        plain, adaptive = self._coefficients(st, group)
        s = buf[0]
        m, v = update_moments(d, st, group["betas"], s)
        if adaptive is None:
            xp.subtract(p, xp.multiply(m, plain, out=s), out=p)
        else:
            r = xp.add(xp.sqrt(v, out=s), group["eps"], out=s)
            xp.subtract(p, xp.multiply(xp.divide(m, r, out=s), adaptive, out=s), out=p)

    def _update_scalar(self, p: float, g: float, st: State, group: Group) -> float:
        p, d = decayed_direction_scalar(p, g, group)
        plain, adaptive = self._coefficients(st, group)
        m, v = update_moments_scalar(d, st, group["betas"])
        if adaptive is None:
            return p - m * plain
        return p - m / (math.sqrt(v) + group["eps"]) * adaptive
