"""Adam and AdamW: momentum plus RMSprop scaling, with bias correction (seed 001)."""

from __future__ import annotations

import math
from typing import Any

from autograd.backend import xp

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


def update_moments(d: Any, st: State, betas: tuple[float, float], s: Any) -> tuple[Any, Any]:
    """Adam's moment estimates, in place: ``m += (d - m)(1 - beta1)``,
    ``v = beta2 v + (1 - beta2) d**2`` (``s``: a scratch array).  Shared by Adam, NAdam, RAdam."""
    beta1, beta2 = betas
    m, v = st["exp_avg"], st["exp_avg_sq"]
    m += xp.multiply(xp.subtract(d, m, out=s), 1 - beta1, out=s)
    v *= beta2
    v += xp.multiply(xp.multiply(d, d, out=s), 1 - beta2, out=s)
    return m, v


def update_moments_scalar(d: float, st: State, betas: tuple[float, float]) -> tuple[float, float]:
    """:func:`update_moments` for Python floats (same operations in the same order)."""
    beta1, beta2 = betas
    m = st["exp_avg"] = st["exp_avg"] + (d - st["exp_avg"]) * (1 - beta1)
    v = st["exp_avg_sq"] = st["exp_avg_sq"] * beta2 + d * d * (1 - beta2)
    return m, v


class Adam(Optimizer):
    r"""Adam, as ``torch.optim.Adam`` (``decoupled_weight_decay=True`` gives AdamW).

    For each parameter ``p`` with gradient ``g`` (``-g`` when ``maximize``), at step ``t``::

        p = p * (1 - lr * weight_decay)           (decoupled weight decay, AdamW)
        d = g + weight_decay * p                  (otherwise: L2 penalty folded into the gradient)
        m = m + (1 - beta1) * (d - m)             (= beta1 m + (1 - beta1) d)
        v = beta2 * v + (1 - beta2) * d * d
        vmax = max(vmax, v); use vmax for v        (amsgrad)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    which is seed 001's ``m_hat / (sqrt(v_hat) + eps)`` with the bias corrections
    ``m_hat = m / (1 - beta1**t)``, ``v_hat = v / (1 - beta2**t)``.

    >>> import autograd as ag
    >>> w = ag.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = Adam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()   # the first step moves every coordinate by about lr against its gradient
    >>> w.detach().numpy().round(6)
    array([ 0.9, -1.9])
    """

    _state_keys = frozenset({"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"})

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _validate_group(self, group: Group) -> None:
        super()._validate_group(group)
        name = type(self).__name__
        _check_betas(name, group)
        _check_range(name, "epsilon value", group["eps"], 0.0)
        _check_range(name, "weight_decay value", group["weight_decay"], 0.0)

    def _init_state(self, st: State, d: Any, group: Group) -> None:
        st["step"] = 0
        zero = (lambda: 0.0) if d is None else (lambda: xp.zeros_like(d))
        st["exp_avg"] = zero()
        st["exp_avg_sq"] = zero()
        if group["amsgrad"]:
            st["max_exp_avg_sq"] = zero()

    @staticmethod
    def _coefficients(st: dict[str, Any], group: dict[str, Any]) -> tuple[float, float]:
        """Advance the step count; return the step size and ``sqrt(1 - beta2**t)``."""
        t = st["step"] = st["step"] + 1
        beta1, beta2 = group["betas"]
        return group["lr"] / (1 - beta1**t), math.sqrt(1 - beta2**t)

    def _update_array(
        self, p: Any, g: Any, st: State, group: Group, buf: _Scratch
    ) -> None:
        d = decayed_direction(p, g, group, buf[1])
        step_size, bc2_sqrt = self._coefficients(st, group)
        s = buf[0]
        m, v = update_moments(d, st, group["betas"], s)
        if group["amsgrad"]:
            v = xp.maximum(st["max_exp_avg_sq"], v, out=st["max_exp_avg_sq"])
        denom = xp.add(xp.divide(xp.sqrt(v, out=s), bc2_sqrt, out=s), group["eps"], out=s)
        xp.subtract(p, xp.multiply(xp.divide(m, denom, out=s), step_size, out=s), out=p)

    def _update_scalar(self, p: float, g: float, st: State, group: Group) -> float:
        p, d = decayed_direction_scalar(p, g, group)
        step_size, bc2_sqrt = self._coefficients(st, group)
        m, v = update_moments_scalar(d, st, group["betas"])
        if group["amsgrad"]:
            v = st["max_exp_avg_sq"] = max(st["max_exp_avg_sq"], v)
        return p - m / (math.sqrt(v) / bc2_sqrt + group["eps"]) * step_size


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``.

    Each step first shrinks the parameter, ``p = p * (1 - lr * weight_decay)``, then applies the
    plain Adam update (the decay is not folded into the gradient moments).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)
