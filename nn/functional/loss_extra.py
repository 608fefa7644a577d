"""More losses: ranking and embedding losses (margin ranking, triplet margin, cosine embedding),
likelihoods (Gaussian and Poisson negative log-likelihood) and the multi-label soft margin loss.

Each is a composition of recorded operations, written as PyTorch computes it (so values, the
gradient at the hinge ``clamp_min(., 0)`` tie and the ``eps`` guards agree); ``reduction`` is
``'mean' | 'sum' | 'none'``.

>>> import autograd as ag, nn.functional as F
>>> F.margin_ranking_loss(ag.tensor([1.0, 2.0]), ag.tensor([2.0, 1.0]), ag.tensor([1.0, 1.0]))
tensor(0.5)
"""

from __future__ import annotations

import math
from typing import Any

import autograd as ag
from autograd.anomaly import is_anomaly_enabled
from autograd.devices import is_device_array, to_host
from autograd.tensor import Tensor

from ._utils import shape_of
from .activation_extra import logsigmoid
from .distance import clamp_min_value, pairwise_distance
from .loss import _check_reduction, _reduce


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        reduction: str = "mean") -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``; ``target`` holds 1 or -1.

    The three inputs must have the same number of dimensions (RuntimeError otherwise, as
    PyTorch).  PyTorch: ``torch.nn.functional.margin_ranking_loss``.
    """
    _check_reduction(reduction, "margin_ranking_loss")
    s1, s2, st = shape_of(input1), shape_of(input2), shape_of(target)
    if not len(s1) == len(s2) == len(st):
        raise RuntimeError(
            f"margin_ranking_loss: All input tensors should have same dimension but got sizes: "
            f"input1: {s1}, input2: {s2}, target: {st}"
        )
    loss = ag.clamp(-_t(target) * (_t(input1) - input2) + margin, min=0.0)
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                        reduction: str = "mean") -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` with ``d`` the ``pairwise_distance`` (``p``, ``eps``).

    ``swap=True`` uses ``min(d(a, n), d(p, n))`` as the negative distance.  Inputs are ``(N, D)``
    or unbatched ``(D,)``, all of the same rank (RuntimeError otherwise); ``margin`` must be
    positive (ValueError).  PyTorch: ``torch.nn.functional.triplet_margin_loss``.
    """
    _check_reduction(reduction, "triplet_margin_loss")
    if margin <= 0:
        raise ValueError(f"triplet_margin_loss: margin must be greater than 0, got {margin}")
    ranks = [len(shape_of(a)) for a in (anchor, positive, negative)]
    if len(set(ranks)) != 1 or ranks[0] not in (1, 2):
        raise RuntimeError(
            "triplet_margin_loss: anchor, positive and negative must all be 1-D (unbatched) or "
            f"2-D (batched) of the same rank, got ranks {ranks}"
        )
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = ag.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce(ag.clamp(margin + d_pos - d_neg, min=0.0), reduction)


_COS_EPS = 1e-12  # PyTorch's guard inside the squared magnitudes


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` where ``target == 1``, ``max(0, cos(x1, x2) - margin)`` where ``-1``.

    ``cos`` is taken along the last dimension of ``(N, D)`` (or unbatched ``(D,)``) inputs as
    ``x1.x2 / sqrt((|x1|^2 + 1e-12) (|x2|^2 + 1e-12))``, like PyTorch.  Raises RuntimeError for
    inputs that are not 1-D or 2-D or a target of the wrong rank.
    PyTorch: ``torch.nn.functional.cosine_embedding_loss``.
    """
    _check_reduction(reduction, "cosine_embedding_loss")
    a, b, y = _t(input1), _t(input2), _t(target)
    if a.ndim not in (1, 2) or b.ndim != a.ndim or y.ndim != a.ndim - 1:
        raise RuntimeError(
            f"cosine_embedding_loss: expected 1-D or 2-D inputs of the same rank and a target "
            f"with one dimension less, got {tuple(a.shape)}, {tuple(b.shape)} and "
            f"{tuple(y.shape)}"
        )
    dim = a.ndim - 1
    prod = (a * b).sum(dim=dim)
    mag = ((a * a).sum(dim=dim) + _COS_EPS) * ((b * b).sum(dim=dim) + _COS_EPS)
    cos = prod / ag.sqrt(mag)
    zero = ag.zeros_like(cos)
    loss = (ag.where(y == 1, 1 - cos, zero)
            + ag.where(y == -1, ag.clamp(cos - margin, min=0.0), zero))
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """``0.5 (log(max(var, eps)) + (input - target)^2 / max(var, eps))`` (+ ``0.5 log(2 pi)``
    with ``full``).

    ``var`` has the input's shape, or lacks its last dimension, or has size 1 there (one variance
    per sample), or is a number.  As in PyTorch the clamp to ``eps`` changes the value only: the
    gradient reaches ``var`` as if unclamped.  Raises ValueError for a ``var`` of another shape
    or with negative entries.  PyTorch: ``torch.nn.functional.gaussian_nll_loss``.
    """
    _check_reduction(reduction, "gaussian_nll_loss")
    x, y = _t(input), _t(target)
    v = _t(var) if isinstance(var, Tensor) else ag.full(tuple(x.shape), float(var), dtype=x.dtype,
                                                        device=x.device)
    xs, vs = tuple(x.shape), tuple(v.shape)
    if vs != xs:
        if xs[:-1] == vs:
            v = v.unsqueeze(-1)
        elif not (xs[:-1] == vs[:-1] and vs[-1:] == (1,)):
            raise ValueError(
                f"gaussian_nll_loss: var of shape {vs} does not fit input of shape {xs}; give "
                "the input's shape, the input's shape without its last dimension, or size 1 there"
            )
    vd = v._array
    # GPU variances are checked on the device (a negative one makes its loss NaN) unless
    # anomaly mode asks for the error: the check would read a flag back every step
    on_device = is_device_array(vd) and not is_anomaly_enabled()
    if not on_device and bool(to_host((vd < 0).any())):
        raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    v = clamp_min_value(v, eps)  # PyTorch clamps a clone under no_grad: identity gradient
    loss = 0.5 * (ag.log(v) + (x - y) ** 2 / v)
    if on_device:
        loss = ag.where(vd >= 0, loss, math.nan)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     eps: float = 1e-8, reduction: str = "mean") -> Tensor:
    """Poisson negative log-likelihood of ``target`` counts with rate ``input``.

    ``log_input=True``: ``exp(input) - target * input`` (``input`` is the log-rate);
    else ``input - target * log(input + eps)``.  ``full`` adds Stirling's approximation
    ``target log(target) - target + 0.5 log(2 pi target)`` where ``target > 1``.
    PyTorch: ``torch.nn.functional.poisson_nll_loss``.
    """
    _check_reduction(reduction, "poisson_nll_loss")
    x, y = _t(input), _t(target)
    if log_input:
        loss = ag.exp(x) - y * x
    else:
        loss = x - y * ag.log(x + eps)
    if full:
        big = y > 1
        ys = ag.where(big, y, 2.0)  # keep log() finite where the term is masked out
        stirling = ys * ag.log(ys) - ys + 0.5 * ag.log(2 * math.pi * ys)
        loss = loss + ag.where(big, stirling, 0.0)
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                reduction: str = "mean") -> Tensor:
    """``-mean_c [y log sigmoid(x) + (1 - y) log sigmoid(-x)]`` per sample (times ``weight``).

    ``input`` and ``target`` are ``(N, C)`` (or ``(C,)``); the class mean gives one value per
    sample, then ``reduction``.  PyTorch: ``torch.nn.functional.multilabel_soft_margin_loss``.
    """
    _check_reduction(reduction, "multilabel_soft_margin_loss")
    x, y = _t(input), _t(target)
    if x.ndim == 0 or tuple(x.shape) != tuple(y.shape):
        raise ValueError(
            f"multilabel_soft_margin_loss: input and target must have the same shape (C,) or "
            f"(N, C), got {tuple(x.shape)} and {tuple(y.shape)}"
        )
    loss = -(y * logsigmoid(x) + (1 - y) * logsigmoid(-x))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(dim=-1) / x.shape[-1]
    return _reduce(loss, reduction)
