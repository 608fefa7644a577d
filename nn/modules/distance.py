"""``CosineSimilarity`` and ``PairwiseDistance`` modules.

>>> import autograd as ag, nn
>>> nn.PairwiseDistance(eps=0.0)(ag.tensor([[0.0, 0.0]]), ag.tensor([[3.0, 4.0]])).tolist()
[5.0]
"""

from __future__ import annotations

from typing import Any

from .. import functional as F
from .module import Module


class CosineSimilarity(Module):
    """Cosine similarity along ``dim``.  PyTorch: ``torch.nn.CosineSimilarity``."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Any, x2: Any) -> Any:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """``||x1 - x2 + eps||_p`` over the last dim.  PyTorch: ``torch.nn.PairwiseDistance``."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Any, x2: Any) -> Any:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
