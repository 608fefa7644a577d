"""``Flatten`` (dims ``start_dim..end_dim`` into one) and ``Unflatten`` (one dim into a shape)."""

from __future__ import annotations

import math
from typing import Any

from autograd.tensor import Tensor

from .module import Module


class Flatten(Module):
    """Flatten ``start_dim..end_dim`` (default: everything but the batch dimension).

    >>> import autograd as ag, nn
    >>> nn.Flatten()(ag.ones(2, 3, 4, 5)).shape
    (2, 60)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Any) -> Any:
        x = input if isinstance(input, Tensor) else Tensor(input)
        shape = tuple(x.shape)
        nd = max(len(shape), 1)
        s, e = self.start_dim, self.end_dim
        if not (-nd <= s < nd and -nd <= e < nd):
            raise IndexError(
                f"Flatten: dims {s}..{e} are out of range for input of shape {shape}"
            )
        s, e = s % nd, e % nd
        if s > e:
            raise ValueError(f"Flatten: start_dim ({self.start_dim}) cannot come after end_dim "
                             f"({self.end_dim}) for input of shape {shape}")
        if not shape:
            return x.reshape(1)
        new = shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:]
        return x.reshape(new)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size``."""

    def __init__(self, dim: int, unflattened_size: tuple[int, ...]) -> None:
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input: Any) -> Any:
        x = input if isinstance(input, Tensor) else Tensor(input)
        shape = tuple(x.shape)
        d = self.dim % len(shape)
        return x.reshape(shape[:d] + self.unflattened_size + shape[d + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
