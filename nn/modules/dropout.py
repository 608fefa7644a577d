"""``Dropout`` (elementwise) and ``Dropout1d/2d/3d`` (whole channels); inactive in eval mode."""

from __future__ import annotations

from typing import Any

from .. import functional as F
from .module import Module


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False, *, generator: Any = None) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = float(p)
        self.inplace = inplace
        self.generator = generator  # None: autograd's default generator (autograd.manual_seed)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero elements with probability ``p`` in training, scaling the rest by ``1 / (1 - p)``.

    >>> import autograd as ag, nn
    >>> d = nn.Dropout(0.5).eval()
    >>> d(ag.ones(3)).tolist()
    [1.0, 1.0, 1.0]
    """

    def forward(self, input: Any) -> Any:
        return F.dropout(input, self.p, self.training, generator=self.generator)


class Dropout1d(_DropoutNd):
    def forward(self, input: Any) -> Any:
        return F.dropout1d(input, self.p, self.training, generator=self.generator)


class Dropout2d(_DropoutNd):
    def forward(self, input: Any) -> Any:
        return F.dropout2d(input, self.p, self.training, generator=self.generator)


class Dropout3d(_DropoutNd):
    def forward(self, input: Any) -> Any:
        return F.dropout3d(input, self.p, self.training, generator=self.generator)
