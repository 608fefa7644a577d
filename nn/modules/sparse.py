"""``Embedding``: a lookup table of ``num_embeddings`` vectors of size ``embedding_dim``."""

from __future__ import annotations

from typing import Any

from .. import functional as F
from .. import init
from ..parameter import Parameter
from ._factory import device_empty, param_dtype
from .module import Module


class Embedding(Module):
    """``weight[indices]`` with ``weight (num_embeddings, embedding_dim) ~ N(0, 1)``.

    The ``padding_idx`` row is initialised to zeros and never receives a gradient.

    >>> import autograd as ag, nn
    >>> emb = nn.Embedding(10, 3, padding_idx=0)
    >>> emb(ag.tensor([[1, 2], [0, 9]])).shape
    (2, 2, 3)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False,
                 _weight: Any = None, *, dtype: Any = None,
                 device: Any = None, generator: Any = None) -> None:
        super().__init__()
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(
                    f"Embedding: padding_idx must be within num_embeddings ({num_embeddings}), "
                    f"got {padding_idx}"
                )
            padding_idx %= num_embeddings
        if scale_grad_by_freq or sparse:
            raise NotImplementedError("Embedding: scale_grad_by_freq and sparse are not supported")
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        dt = param_dtype(dtype, "Embedding")
        if _weight is None:
            self.weight = Parameter(device_empty((num_embeddings, embedding_dim), dtype=dt))
            self.reset_parameters(generator)
        else:
            w = _weight if isinstance(_weight, Parameter) else Parameter(_weight)
            if tuple(w.shape) != (num_embeddings, embedding_dim):
                raise ValueError("Embedding: _weight must have shape (num_embeddings, "
                                 f"embedding_dim) = {(num_embeddings, embedding_dim)}")
            self.weight = w
        self._place_on(device)

    def reset_parameters(self, generator: Any = None) -> None:
        init.normal_(self.weight, generator=init.one_stream(generator))
        if self.padding_idx is not None:
            self.weight._data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True,
                        padding_idx: int | None = None, **kwargs: Any) -> Embedding:
        """An Embedding holding ``embeddings`` (2-D); ``freeze`` turns its gradient off."""
        w = Parameter(embeddings)
        if w.ndim != 2:
            raise ValueError("Embedding.from_pretrained: embeddings must be 2-D")
        emb = cls(w.shape[0], w.shape[1], padding_idx=padding_idx, _weight=w, **kwargs)
        emb.weight.requires_grad = not freeze
        return emb

    def forward(self, input: Any) -> Any:
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        return s
