"""Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay."""

from __future__ import annotations

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


class SGD(Optimizer):
    r"""Stochastic gradient descent, as ``torch.optim.SGD``.

    For each parameter ``p`` with gradient ``g`` (``-g`` when ``maximize``)::

        d = g + weight_decay * p
        b = d                                     (first step)
        b = momentum * b + (1 - dampening) * d    (later steps)
        d = d + momentum * b  if nesterov  else  b        (only when momentum != 0)
        p = p - lr * d

    With ``dampening=momentum`` the buffer is the exponentially weighted average
    ``v = beta v + (1 - beta) g`` of seed 001 (except on the first step, where PyTorch starts the
    buffer at ``g`` rather than ``(1 - beta) g``).

    >>> import autograd as ag
    >>> w = ag.tensor([1.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()
    ...     opt.step()
    >>> round(w.item(), 6)   # 1 - 0.1*2 = 0.8, then 0.8 - 0.1*(0.9*2 + 1.6)
    0.46
    """

    _state_keys = frozenset({"momentum_buffer"})

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: Group) -> None:
        super()._validate_group(group)
        _check_range("SGD", "momentum", group["momentum"], 0.0)
        _check_range("SGD", "weight_decay", group["weight_decay"], 0.0)
        _check_range("SGD", "dampening", group["dampening"], float("-inf"))
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"SGD: Nesterov momentum requires a positive momentum and zero dampening, got "
                f"momentum={group['momentum']}, dampening={group['dampening']}"
            )

    def _update_array(
        self, p: Any, g: Any, st: State, group: Group, buf: _Scratch
    ) -> None:
        lr, wd, mu = group["lr"], group["weight_decay"], group["momentum"]
        d = direction(p, g, wd, group["maximize"], buf[0])
        if mu != 0:
            b = st.get("momentum_buffer")
            if b is None:
                b = st["momentum_buffer"] = d.copy()  # on the parameter's device
            else:
                b *= mu
                damp = 1 - group["dampening"]
                if damp == 1:
                    b += d
                else:
                    b += xp.multiply(d, damp, out=buf[1])
            if group["nesterov"]:
                d = xp.add(d, xp.multiply(b, mu, out=buf[1]), out=buf[0])
            else:
                d = b
        xp.subtract(p, xp.multiply(d, lr, out=buf[0]), out=p)

    def _update_scalar(self, p: float, g: float, st: State, group: Group) -> float:
        lr, wd, mu = group["lr"], group["weight_decay"], group["momentum"]
        d = direction_scalar(p, g, wd, group["maximize"])
        if mu != 0:
            b = st.get("momentum_buffer")
            if b is None:
                b = d
            else:
                damp = 1 - group["dampening"]
                b = b * mu + d if damp == 1 else b * mu + d * damp
            st["momentum_buffer"] = b
            d = d + b * mu if group["nesterov"] else b
        return p - d * lr
