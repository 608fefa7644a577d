"""Modules for ``logsigmoid``, ``softmin``, ``softsign``, ``hardswish``, ``hardsigmoid``, ``glu``.

>>> import autograd as ag, nn
>>> nn.Hardsigmoid()(ag.tensor([-3.0, 0.0, 3.0])).tolist()
[0.0, 0.5, 1.0]
"""

from __future__ import annotations

from typing import Any

from .. import functional as F
from .module import Module


class LogSigmoid(Module):
    """``log(sigmoid(x))``.  PyTorch: ``torch.nn.LogSigmoid``."""

    def forward(self, input: Any) -> Any:
        return F.logsigmoid(input)


class Softsign(Module):
    """``x / (1 + |x|)``.  PyTorch: ``torch.nn.Softsign``."""

    def forward(self, input: Any) -> Any:
        return F.softsign(input)


class Softmin(Module):
    """``softmax(-x)`` along ``dim``.  PyTorch: ``torch.nn.Softmin``."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Any) -> Any:
        return F.softmin(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Hardswish(Module):
    """``x * relu6(x + 3) / 6``.  PyTorch: ``torch.nn.Hardswish``."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Any) -> Any:
        return F.hardswish(input, self.inplace)


class Hardsigmoid(Module):
    """``relu6(x + 3) / 6``.  PyTorch: ``torch.nn.Hardsigmoid``."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Any) -> Any:
        return F.hardsigmoid(input, self.inplace)


class GLU(Module):
    """Gated linear unit along ``dim``.  PyTorch: ``torch.nn.GLU``."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Any) -> Any:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
