"""``MultiheadAttention`` with PyTorch's parameters (``in_proj_weight``, ``in_proj_bias``,
``out_proj``; ``q/k/v_proj_weight`` when ``kdim``/``vdim`` differ; ``bias_k``/``bias_v``) and
mask conventions.

>>> import autograd as ag, nn
>>> mha = nn.MultiheadAttention(8, 2, batch_first=True)
>>> out, w = mha(ag.randn(3, 5, 8), ag.randn(3, 6, 8), ag.randn(3, 6, 8))
>>> out.shape, w.shape
((3, 5, 8), (3, 5, 6))
"""

from __future__ import annotations

import math
from typing import Any

import autograd as ag
from autograd.backend import xp
from autograd.tensor import Tensor

from .. import functional as F
from .. import init
from ..functional.attention import masked_softmax
from ..parameter import Parameter
from ._factory import device_empty, param_dtype
from .linear import Linear
from .module import Module


def _float_mask(mask: Any, what: str, dtype: Any) -> Any:
    """A bool mask (True = not allowed) as an additive ``-inf`` array; a float mask as is."""
    if mask is None:
        return None
    m = mask if isinstance(mask, Tensor) else Tensor(mask)
    if m.dtype == bool:
        return Tensor(xp.where(m._data, -math.inf, 0.0).astype(dtype))
    if m.dtype.kind != "f":
        raise TypeError(f"MultiheadAttention: only bool and floating types of {what} are "
                        f"supported, got {m.dtype}")
    return m


class MultiheadAttention(Module):
    """Attention over ``num_heads`` heads of size ``embed_dim // num_heads``.

    ``forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False)``: ``query (L, N, E)``, ``key (S, N, kdim)``,
    ``value (S, N, vdim)`` (batch first with ``batch_first``; unbatched ``(L, E)`` ...).
    ``key_padding_mask (N, S)`` and ``attn_mask (L, S)`` or ``(N * num_heads, L, S)``: bool
    masks mark the positions **not** allowed to attend (True), float masks are added to the
    scores.  Returns ``(output, weights)``: ``output`` like ``query`` with ``E`` features,
    ``weights (N, L, S)`` averaged over heads (``(N, num_heads, L, S)`` with
    ``average_attn_weights=False``), or None when ``need_weights=False``.  ``dropout`` applies to
    the weights in training.  Query rows with every key masked get zero weights instead of
    PyTorch's NaN.  PyTorch: ``torch.nn.MultiheadAttention``.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, *, dtype: Any = None,
                 device: Any = None,
                 generator: Any = None) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"MultiheadAttention: embed_dim and num_heads must be greater than "
                             f"0, got embed_dim={embed_dim} and num_heads={num_heads} instead")
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by "
                             f"num_heads ({num_heads})")
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"MultiheadAttention: dropout must be in [0, 1], got {dropout}")
        dt = param_dtype(dtype, "MultiheadAttention")
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = float(dropout)
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        e = embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(device_empty((3 * e, e), dtype=dt))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = Parameter(device_empty((e, e), dtype=dt))
            self.k_proj_weight = Parameter(device_empty((e, self.kdim), dtype=dt))
            self.v_proj_weight = Parameter(device_empty((e, self.vdim), dtype=dt))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(device_empty((3 * e,), dtype=dt))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(e, e, bias=bias, dtype=dt, generator=generator)
        self.bias_k: Parameter | None = None
        self.bias_v: Parameter | None = None
        if add_bias_kv:
            self.bias_k = Parameter(device_empty((1, 1, e), dtype=dt))
            self.bias_v = Parameter(device_empty((1, 1, e), dtype=dt))
        self.add_zero_attn = add_zero_attn
        self._reset_parameters(generator)
        self._place_on(device)

    def _reset_parameters(self, generator: Any = None) -> None:
        """PyTorch's init: Xavier-uniform projections, zero biases, Xavier-normal ``bias_k/v``."""
        rng = init.one_stream(generator)
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight, generator=rng)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w, generator=rng)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        for b in (self.bias_k, self.bias_v):
            if b is not None:
                init.xavier_normal_(b, generator=rng)

    def _project(self, query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, ...]:
        e = self.embed_dim
        b = self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:e], b[e:2 * e], b[2 * e:])
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            wq, wk, wv = w[:e], w[e:2 * e], w[2 * e:]
        else:
            wq, wk, wv = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        return F.linear(query, wq, bq), F.linear(key, wk, bk), F.linear(value, wv, bv)

    def forward(self, query: Any, key: Any, value: Any, key_padding_mask: Any = None,
                need_weights: bool = True, attn_mask: Any = None,
                average_attn_weights: bool = True, is_causal: bool = False) -> Any:
        q_in, k_in, v_in = (a if isinstance(a, Tensor) else Tensor(a) for a in (query, key, value))
        if is_causal and attn_mask is None:
            raise RuntimeError(
                "MultiheadAttention: need attn_mask if specifying the is_causal hint (the mask "
                "is what is applied; is_causal only says it is causal)"
            )
        batched = q_in.ndim == 3
        if q_in.ndim not in (2, 3) or k_in.ndim != q_in.ndim or v_in.ndim != q_in.ndim:
            raise ValueError(
                f"MultiheadAttention: query, key and value must all be 3-D (batched) or 2-D "
                f"(unbatched), got {tuple(q_in.shape)}, {tuple(k_in.shape)}, {tuple(v_in.shape)}"
            )
        if not batched:  # (L, E): a batch of one in the (L, N, E) layout
            q_in, k_in, v_in = q_in.unsqueeze(1), k_in.unsqueeze(1), v_in.unsqueeze(1)
            if key_padding_mask is not None:
                unbatched_kpm = key_padding_mask if isinstance(key_padding_mask, Tensor) else \
                    Tensor(key_padding_mask)
                key_padding_mask = unbatched_kpm.unsqueeze(0)
        elif self.batch_first:
            q_in, k_in, v_in = (a.swapaxes(0, 1) for a in (q_in, k_in, v_in))
        n_l, n, e = q_in.shape
        n_s = k_in.shape[0]
        if e != self.embed_dim or k_in.shape[-1] != self.kdim or v_in.shape[-1] != self.vdim \
                or v_in.shape[0] != n_s or k_in.shape[1] != n or v_in.shape[1] != n:
            raise ValueError(
                f"MultiheadAttention: expected query (L, N, {self.embed_dim}), key (S, N, "
                f"{self.kdim}) and value (S, N, {self.vdim}) (in the (L, N, E) layout), got "
                f"{tuple(q_in.shape)}, {tuple(k_in.shape)}, {tuple(v_in.shape)}"
            )
        dt = q_in.dtype
        mask: Tensor | None = _float_mask(attn_mask, "attn_mask", dt)
        kpm: Tensor | None = _float_mask(key_padding_mask, "key_padding_mask", dt)
        h, hd = self.num_heads, self.head_dim
        if mask is not None:
            if mask.ndim == 2:
                if tuple(mask.shape) != (n_l, n_s):
                    raise RuntimeError(f"MultiheadAttention: the shape of the 2D attn_mask is "
                                       f"{tuple(mask.shape)}, but should be {(n_l, n_s)}")
                mask = mask.reshape(1, 1, n_l, n_s)
            elif mask.ndim == 3:
                if tuple(mask.shape) != (n * h, n_l, n_s):
                    raise RuntimeError(f"MultiheadAttention: the shape of the 3D attn_mask is "
                                       f"{tuple(mask.shape)}, but should be {(n * h, n_l, n_s)}")
                mask = mask.reshape(n, h, n_l, n_s)  # PyTorch's batch-major (N * H) order
            else:
                raise RuntimeError(f"MultiheadAttention: attn_mask's dimension {mask.ndim} is "
                                   "not supported (use 2-D or 3-D)")
        if kpm is not None and tuple(kpm.shape) != (n, n_s):
            raise RuntimeError(f"MultiheadAttention: expected key_padding_mask of shape "
                               f"{(n, n_s)}, got {tuple(kpm.shape)}")
        q, k, v = self._project(q_in, k_in, v_in)  # (L, N, E), (S, N, E), (S, N, E)
        if self.bias_k is not None and self.bias_v is not None:
            k = ag.cat([k, self.bias_k.expand(1, n, e)], dim=0)
            v = ag.cat([v, self.bias_v.expand(1, n, e)], dim=0)
            mask = None if mask is None else F.pad(mask, (0, 1))
            kpm = None if kpm is None else F.pad(kpm, (0, 1))
        # heads: (N, H, L, hd)
        q = q.reshape(n_l, n, h, hd).permute(1, 2, 0, 3)
        k = k.reshape(k.shape[0], n, h, hd).permute(1, 2, 0, 3)
        v = v.reshape(v.shape[0], n, h, hd).permute(1, 2, 0, 3)
        if self.add_zero_attn:
            k = ag.cat([k, ag.zeros(n, h, 1, hd, dtype=k.dtype)], dim=2)
            v = ag.cat([v, ag.zeros(n, h, 1, hd, dtype=v.dtype)], dim=2)
            mask = None if mask is None else F.pad(mask, (0, 1))
            kpm = None if kpm is None else F.pad(kpm, (0, 1))
        scores = ag.matmul(q * (1.0 / math.sqrt(hd)), k.swapaxes(-1, -2))  # (N, H, L, S')
        if mask is not None:
            scores = scores + mask
        if kpm is not None:
            scores = scores + kpm.reshape(n, 1, 1, kpm.shape[-1])
        weights = masked_softmax(scores)
        if self.dropout and self.training:
            weights = F.dropout(weights, self.dropout, training=True)
        out = ag.matmul(weights, v)  # (N, H, L, hd)
        out = self.out_proj(out.permute(2, 0, 1, 3).reshape(n_l, n, e))
        if self.batch_first and batched:
            out = out.swapaxes(0, 1)
        if not batched:
            out = out.squeeze(1)
        if not need_weights:
            return out, None
        w = weights.mean(dim=1) if average_attn_weights else weights
        return out, (w if batched else w.squeeze(0))

    def extra_repr(self) -> str:
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
                f"dropout={self.dropout}, batch_first={self.batch_first}")
