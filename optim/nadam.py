"""NAdam: Adam with Nesterov momentum and a momentum schedule (Dozat, 2016)."""

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


class NAdam(Optimizer):
    r"""NAdam, as ``torch.optim.NAdam`` (``decoupled_weight_decay=True`` gives NAdamW).

    For each parameter ``p`` with gradient ``g`` (``-g`` when ``maximize``), at step ``t``::

        p = p * (1 - lr * weight_decay)           (decoupled weight decay)
        d = g + weight_decay * p                  (otherwise: L2 penalty folded into the gradient)
        mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))        (momentum schedule)
        P = P * mu_t                              (``mu_product``, the running product; P_0 = 1)
        m = m + (1 - beta1) * (d - m)
        v = beta2 * v + (1 - beta2) * d * d
        r = sqrt(v / (1 - beta2**t)) + eps
        p = p - lr * (1 - mu_t) / (1 - P) * d / r
        p = p - lr * mu_{t+1} / (1 - P * mu_{t+1}) * m / r

    ``mu_product`` is one Python float per parameter (a 0-d tensor in PyTorch); the other state
    entries (``exp_avg``, ``exp_avg_sq``) are shaped like the parameter.  Raises ValueError for
    a negative ``lr``, ``eps``, ``weight_decay`` or ``momentum_decay`` and betas outside [0, 1).

    >>> import autograd as ag
    >>> w = ag.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = NAdam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> [round(v, 4) for v in w.tolist()]
    [0.8944, -1.8944]
    """

    _state_keys = frozenset({"step", "mu_product", "exp_avg", "exp_avg_sq"})
    _float_state_keys = frozenset({"mu_product"})

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: Group) -> None:
        super()._validate_group(group)
        _check_betas("NAdam", group)
        _check_range("NAdam", "epsilon value", group["eps"], 0.0)
        _check_range("NAdam", "weight_decay value", group["weight_decay"], 0.0)
        _check_range("NAdam", "momentum_decay value", group["momentum_decay"], 0.0)

    def _init_state(self, st: State, d: Any, group: Group) -> None:
        st["step"] = 0
        st["mu_product"] = 1.0
        st["exp_avg"] = 0.0 if d is None else xp.zeros_like(d)
        st["exp_avg_sq"] = 0.0 if d is None else xp.zeros_like(d)

    @staticmethod
    def _coefficients(st: State, group: Group) -> tuple[float, float, float]:
        """Advance step and ``mu_product``; return ``1 - beta2**t`` and the two step sizes."""
        t = st["step"] = st["step"] + 1
        lr, psi = group["lr"], group["momentum_decay"]
        beta1, beta2 = group["betas"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        prod = st["mu_product"] = st["mu_product"] * mu
        return 1 - beta2**t, lr * (1.0 - mu) / (1.0 - prod), lr * mu_next / (1.0 - prod * mu_next)

    def _update_array(
        self, p: Any, g: Any, st: State, group: Group, buf: _Scratch
    ) -> None:
        d = decayed_direction(p, g, group, buf[1])
        bc2, c_grad, c_avg = self._coefficients(st, group)
        s = buf[0]
        m, v = update_moments(d, st, group["betas"], s)
        r = xp.add(xp.sqrt(xp.divide(v, bc2, out=s), out=s), group["eps"], out=s)
        u = buf[1]  # holds d or is free: d / r may overwrite it
        xp.subtract(p, xp.multiply(xp.divide(d, r, out=u), c_grad, out=u), out=p)
        xp.subtract(p, xp.multiply(xp.divide(m, r, out=u), c_avg, out=u), out=p)

    def _update_scalar(self, p: float, g: float, st: State, group: Group) -> float:
        p, d = decayed_direction_scalar(p, g, group)
        bc2, c_grad, c_avg = self._coefficients(st, group)
        m, v = update_moments_scalar(d, st, group["betas"])
        r = math.sqrt(v / bc2) + group["eps"]
        p = p - d / r * c_grad
        return p - m / r * c_avg
