"""Adamax: Adam with the infinity norm of past gradients in place of their root mean square."""

from __future__ import annotations

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
    direction,
    direction_scalar,
)


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba, 2015, section 7.1), as ``torch.optim.Adamax``.

    For each parameter ``p`` with gradient ``g`` (``-g`` when ``maximize``), at step ``t``::

        d = g + weight_decay * p
        m = m + (1 - beta1) * (d - m)
        u = max(beta2 * u, |d| + eps)             (``exp_inf``: a decaying infinity norm)
        p = p - lr / (1 - beta1**t) * m / u

    ``eps`` is added to ``|d|`` before the maximum (as PyTorch does), so ``u >= eps`` and the
    division is safe even for a zero gradient; NaN in a gradient propagates (as ``torch.maximum``).
    State: ``step``, ``exp_avg``, ``exp_inf``.  Raises ValueError for a negative ``lr``, ``eps`` or
    ``weight_decay`` and betas outside [0, 1).

    >>> import autograd as ag
    >>> w = ag.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = Adamax([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()   # the first step is lr * g / (|g| + eps): about lr against the gradient
    >>> [round(v, 6) for v in w.tolist()]
    [0.9, -1.9]
    """

    _state_keys = frozenset({"step", "exp_avg", "exp_inf"})

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: Group) -> None:
        super()._validate_group(group)
        _check_betas("Adamax", group)
        _check_range("Adamax", "epsilon value", group["eps"], 0.0)
        _check_range("Adamax", "weight_decay value", group["weight_decay"], 0.0)

    def _init_state(self, st: State, d: Any, group: Group) -> None:
        st["step"] = 0
        st["exp_avg"] = 0.0 if d is None else xp.zeros_like(d)
        st["exp_inf"] = 0.0 if d is None else xp.zeros_like(d)

    @staticmethod
    def _step_size(st: State, group: Group) -> float:
        t = st["step"] = st["step"] + 1
        return group["lr"] / (1 - group["betas"][0] ** t)

    def _update_array(
        self, p: Any, g: Any, st: State, group: Group, buf: _Scratch
    ) -> None:
        beta1, beta2 = group["betas"]
        d = direction(p, g, group["weight_decay"], group["maximize"], buf[1])
        clr = self._step_size(st, group)
        m, u = st["exp_avg"], st["exp_inf"]
        s = buf[0]
        m += xp.multiply(xp.subtract(d, m, out=s), 1 - beta1, out=s)
        u *= beta2
        xp.maximum(u, xp.add(xp.abs(d, out=s), group["eps"], out=s), out=u)
        xp.subtract(p, xp.multiply(xp.divide(m, u, out=s), clr, out=s), out=p)

    def _update_scalar(self, p: float, g: float, st: State, group: Group) -> float:
        beta1, beta2 = group["betas"]
        d = direction_scalar(p, g, group["weight_decay"], group["maximize"])
        clr = self._step_size(st, group)
        m = st["exp_avg"] = st["exp_avg"] + (d - st["exp_avg"]) * (1 - beta1)
        u = st["exp_inf"] = _maximum(st["exp_inf"] * beta2, abs(d) + group["eps"])
        return p - m / u * clr


def _maximum(a: float, b: float) -> float:
    """``max`` that returns NaN when either argument is NaN, like ``np.maximum``."""
    return a if a >= b or a != a else b
