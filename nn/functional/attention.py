"""``scaled_dot_product_attention``: ``softmax(q k^T * scale + bias) v``, with masks, a causal
mask, dropout on the weights and grouped-query attention.

Built on ``matmul``, ``where``, ``softmax`` and dropout.  A query row whose keys are all masked
out gets zero weights (and zero output), as PyTorch 2.x's math kernel does, instead of NaN: the
row's scores are replaced before the softmax, so its gradient is zero too.

>>> import autograd as ag, nn.functional as F
>>> q = k = v = ag.ones(1, 2, 3, 4)
>>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
(1, 2, 3, 4)
"""

from __future__ import annotations

import math
from typing import Any

import autograd as ag
from autograd.backend import xp
from autograd.devices import array_module, is_device_array
from autograd.tensor import Tensor

from .dropout import dropout


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def masked_softmax(scores: Tensor) -> Tensor:
    """Softmax over the last axis where a row of only ``-inf`` gives zeros, not NaN."""
    dead = xp.isneginf(scores._data).all(axis=-1, keepdims=True)
    # on a GPU the masked path always runs: asking whether a row is dead would read it back
    if not is_device_array(dead) and not dead.any():
        return ag.softmax(scores, dim=-1)
    weights = ag.softmax(ag.where(dead, 0.0, scores), dim=-1)
    return ag.where(dead, 0.0, weights)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False, *, generator: Any = None) -> Tensor:
    """Attention of ``query (..., L, E)`` over ``key (..., S, E)`` and ``value (..., S, Ev)``.

    Returns ``(..., L, Ev)``.  ``attn_mask`` broadcasts to ``(..., L, S)``: a bool mask keeps the
    positions where it is **True** (PyTorch's convention here, the opposite of
    ``MultiheadAttention``'s); a float mask is added to the scores.  ``is_causal`` keeps
    ``j <= i`` (the top-left aligned lower triangle) and excludes ``attn_mask``.  ``scale``
    defaults to ``1/sqrt(E)``.  ``dropout_p`` drops attention weights (always applied when
    positive, as in PyTorch: pass 0 at evaluation; ``generator`` seeds it).  ``enable_gqa``
    lets ``key``/``value`` have fewer heads (dim -3) than ``query``, each shared by a group.
    Raises ValueError for mismatched sizes or ``is_causal`` with ``attn_mask``.
    PyTorch: ``torch.nn.functional.scaled_dot_product_attention``.
    """
    q, k, v = _t(query), _t(key), _t(value)
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise ValueError(
            "scaled_dot_product_attention: query, key and value need at least 2 dimensions "
            f"(..., L, E), got {tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}"
        )
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(
            "scaled_dot_product_attention: expected query (..., L, E), key (..., S, E) and "
            f"value (..., S, Ev), got {tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}"
        )
    if is_causal and attn_mask is not None:
        raise ValueError(
            "scaled_dot_product_attention: give either attn_mask or is_causal=True, not both"
        )
    if enable_gqa and q.ndim >= 3 and k.ndim >= 3:
        hq, hk, hv = q.shape[-3], k.shape[-3], v.shape[-3]
        if hq % hk or hq % hv:
            raise ValueError(
                f"scaled_dot_product_attention: with enable_gqa the query heads ({hq}) must be a "
                f"multiple of the key ({hk}) and value ({hv}) heads"
            )
        k = k.repeat_interleave(hq // hk, dim=-3)
        v = v.repeat_interleave(hq // hv, dim=-3)
    n_l, n_s = q.shape[-2], k.shape[-2]
    s = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    scores = ag.matmul(q, k.swapaxes(-1, -2)) * s
    if is_causal:
        keep = xp.tril(array_module(scores._data).ones((n_l, n_s), dtype=bool))
        scores = ag.where(keep, scores, -math.inf)
    elif attn_mask is not None:
        m = _t(attn_mask)
        if m.dtype == bool:
            scores = ag.where(m._data, scores, -math.inf)
        else:
            scores = scores + m
    weights = masked_softmax(scores)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, training=True, generator=generator)
    return ag.matmul(weights, v)
