"""Adagrad: per-coordinate step sizes shrinking with the accumulated squared gradients."""

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


class Adagrad(Optimizer):
    r"""Adagrad, as ``torch.optim.Adagrad``.

    For each parameter ``p`` with gradient ``g`` (``-g`` when ``maximize``), at step ``t``::

        d = g + weight_decay * p
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + d * d                          (s starts at initial_accumulator_value)
        p = p - clr * d / (sqrt(s) + eps)

    >>> import autograd as ag
    >>> w = ag.tensor([2.0], requires_grad=True)
    >>> opt = Adagrad([w], lr=0.5)
    >>> (w * w).sum().backward()
    >>> opt.step()   # d / sqrt(d^2) = 1: the first step is lr
    >>> round(w.item(), 6)
    1.5
    """

    _state_keys = frozenset({"step", "sum"})

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: Group) -> None:
        super()._validate_group(group)
        _check_range("Adagrad", "lr_decay value", group["lr_decay"], 0.0)
        _check_range("Adagrad", "weight_decay value", group["weight_decay"], 0.0)
        _check_range("Adagrad", "initial_accumulator_value value",
                     group["initial_accumulator_value"], 0.0)
        _check_range("Adagrad", "epsilon value", group["eps"], 0.0)

    def _init_state(self, st: State, d: Any, group: Group) -> None:
        init = float(group["initial_accumulator_value"])
        st["step"] = 0
        st["sum"] = init if d is None else xp.full_like(d, init)

    def _update_array(
        self, p: Any, g: Any, st: State, group: Group, buf: _Scratch
    ) -> None:
        wd = group["weight_decay"]
        t = st["step"] = st["step"] + 1
        d = direction(p, g, wd, group["maximize"], buf[1])
        clr = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        s = buf[0]
        acc = st["sum"]
        acc += xp.multiply(d, d, out=s)
        r = xp.add(xp.sqrt(acc, out=s), group["eps"], out=s)
        xp.subtract(p, xp.multiply(xp.divide(d, r, out=s), clr, out=s), out=p)

    def _update_scalar(self, p: float, g: float, st: State, group: Group) -> float:
        wd = group["weight_decay"]
        t = st["step"] = st["step"] + 1
        d = direction_scalar(p, g, wd, group["maximize"])
        clr = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        acc = st["sum"] = st["sum"] + d * d
        return p - d / (math.sqrt(acc) + group["eps"]) * clr
