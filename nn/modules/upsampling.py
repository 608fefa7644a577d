"""``Upsample`` (any ``F.interpolate`` mode) and the fixed-mode ``UpsamplingNearest2d`` /
``UpsamplingBilinear2d`` (the latter with ``align_corners=True``, as in PyTorch).

>>> import autograd as ag, nn
>>> nn.Upsample(scale_factor=2)(ag.ones(1, 1, 2, 2)).shape
(1, 1, 4, 4)
"""

from __future__ import annotations

from typing import Any

from .. import functional as F
from .module import Module


class Upsample(Module):
    """Resize by ``size`` or ``scale_factor`` with ``mode``.  PyTorch: ``torch.nn.Upsample``."""

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Any) -> Any:
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            return f"scale_factor={self.scale_factor!r}, mode={self.mode!r}"
        return f"size={self.size!r}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour 2-D upsampling.  PyTorch: ``torch.nn.UpsamplingNearest2d``."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear 2-D upsampling with ``align_corners=True``.
    PyTorch: ``torch.nn.UpsamplingBilinear2d``."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
