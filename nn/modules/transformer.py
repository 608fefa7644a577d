"""``TransformerEncoderLayer``: self-attention and a feed-forward block, each with a residual
connection and layer norm (after, or with ``norm_first`` before), as PyTorch builds it; and
``TransformerEncoder``, a stack of copies of one layer.

Sub-module names match PyTorch (``self_attn``, ``linear1``, ``dropout``, ``linear2``, ``norm1``,
``norm2``, ``dropout1``, ``dropout2``), so state dicts map one to one.

>>> import autograd as ag, nn
>>> layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, batch_first=True)
>>> layer(ag.randn(3, 5, 8)).shape
(3, 5, 8)
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .. import functional as F
from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

_ACTIVATIONS: dict[str, Callable[[Any], Any]] = {"relu": F.relu, "gelu": F.gelu}


class TransformerEncoderLayer(Module):
    """``x + SA(x)`` then ``x + FF(x)``, each followed by layer norm (or preceded: ``norm_first``).

    ``SA`` is ``MultiheadAttention(d_model, nhead, dropout)`` then dropout; ``FF`` is
    ``linear2(dropout(activation(linear1(x))))`` then dropout.  ``activation`` is ``'relu'``,
    ``'gelu'`` or a callable.  ``forward(src, src_mask=None, src_key_padding_mask=None,
    is_causal=False)`` takes ``src (S, N, E)`` (``(N, S, E)`` with ``batch_first``, or ``(S, E)``)
    and the masks of :class:`MultiheadAttention`; returns the same shape.
    PyTorch: ``torch.nn.TransformerEncoderLayer``.
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str | Callable[[Any], Any] = "relu",
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, *, dtype: Any = None,
                 device: Any = None,
                 generator: Any = None) -> None:
        super().__init__()
        if isinstance(activation, str):
            if activation not in _ACTIVATIONS:
                raise RuntimeError(
                    f"TransformerEncoderLayer: activation should be relu/gelu, not {activation}"
                )
            self.activation = _ACTIVATIONS[activation]
        elif callable(activation):
            self.activation = activation
        else:
            raise TypeError(f"TransformerEncoderLayer: activation must be 'relu', 'gelu' or a "
                            f"callable, got {type(activation).__name__}")
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, dtype=dtype,
                                            generator=generator)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype,
                              generator=generator)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype,
                              generator=generator)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self._place_on(device)

    def _sa_block(self, x: Any, attn_mask: Any, key_padding_mask: Any, is_causal: bool) -> Any:
        out = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                             need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(out)

    def _ff_block(self, x: Any) -> Any:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def forward(self, src: Any, src_mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool = False) -> Any:
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))


class TransformerEncoder(Module):
    """``num_layers`` independent copies of ``encoder_layer`` applied in turn, then ``norm``.

    ``forward(src, mask=None, src_key_padding_mask=None, is_causal=None)`` passes the masks to
    every layer.  Parameter names are PyTorch's (``layers.0.self_attn.in_proj_weight``, ...,
    ``norm.weight``).  PyTorch: ``torch.nn.TransformerEncoder`` (without its nested-tensor fast
    path, which changes speed, not results).
    """

    def __init__(self, encoder_layer: Module, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True) -> None:
        super().__init__()
        if not isinstance(encoder_layer, Module):
            raise TypeError(f"TransformerEncoder: encoder_layer must be a Module, got "
                            f"{type(encoder_layer).__name__}")
        if not isinstance(num_layers, int) or num_layers < 0:
            raise ValueError(f"TransformerEncoder: num_layers must be a non-negative int, got "
                             f"{num_layers!r}")
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, src: Any, mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool | None = None) -> Any:
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask,
                      is_causal=bool(is_causal))
        return x if self.norm is None else self.norm(x)
