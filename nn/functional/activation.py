"""Activation functions (stateless forms), delegating to the autograd primitives.

>>> import autograd as ag, nn.functional as F
>>> F.relu(ag.tensor([-1.0, 2.0])).tolist()
[0.0, 2.0]
"""

from __future__ import annotations

import math

import autograd as ag
from autograd.ops.arithmetic import hardtanh as _hardtanh
from autograd.tensor import Tensor

from .activation_extra import apply_maybe_inplace


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)``; the gradient at exactly 0 is 0 (like PyTorch).

    ``inplace=True`` writes the result into ``input`` (here and in the other activations).
    """
    return apply_maybe_inplace(ag.relu, input, inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` for ``x > 0`` else ``negative_slope * x``."""
    return apply_maybe_inplace(
        lambda x: ag.leaky_relu(x, negative_slope=float(negative_slope)), input, inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` for ``x > 0`` else ``alpha * (exp(x) - 1)``."""
    return apply_maybe_inplace(lambda x: ag.elu(x, alpha=float(alpha)), input, inplace)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit, exact (``erf``) or ``approximate='tanh'``."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return ag.gelu(input, approximate=approximate)


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))``, stable for large ``|x|``."""
    return ag.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    return ag.tanh(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta x)) / beta``, linear where ``beta x > threshold`` (like PyTorch)."""
    if beta == 0:
        raise ValueError("softplus: beta must be non-zero")
    return ag.softplus(input, beta=float(beta), threshold=float(threshold))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (a.k.a. swish)."""
    return apply_maybe_inplace(lambda x: x * ag.sigmoid(x), input, inplace)


def softmax(input: Tensor, dim: int | None = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim`` (stable); ``dim`` defaults to the last axis."""
    return ag.softmax(input, dim=-1 if dim is None else dim)


def log_softmax(input: Tensor, dim: int | None = None) -> Tensor:
    """``x - logsumexp(x)`` along ``dim`` (stable); ``dim`` defaults to the last axis."""
    return ag.log_softmax(input, dim=-1 if dim is None else dim)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """``clip(x, min_val, max_val)``; no gradient at the bounds themselves (like PyTorch, and
    like ``relu'(0) = 0``), unlike ``clamp``, which passes it there."""
    if min_val > max_val:
        raise ValueError(
            f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})"
        )
    return apply_maybe_inplace(
        lambda x: _hardtanh(x, lo=float(min_val), hi=float(max_val)), input, inplace)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(x, 0), 6)`` = ``hardtanh(x, 0, 6)``: no gradient at 0 and 6 (like PyTorch)."""
    return apply_maybe_inplace(lambda x: _hardtanh(x, lo=0.0, hi=6.0), input, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``."""
    return apply_maybe_inplace(
        lambda x: x * ag.tanh(ag.softplus(x, threshold=math.inf)), input, inplace)
