"""Padding layers: ``ConstantPad``, ``ZeroPad``, ``ReflectionPad``, ``ReplicationPad`` and
``CircularPad`` in 1, 2 and 3 dimensions (``padding`` an int or the ``F.pad`` tuple).

>>> import autograd as ag, nn
>>> nn.ZeroPad2d((1, 0, 0, 2))(ag.ones(1, 1, 2, 2)).shape
(1, 1, 4, 3)
"""

from __future__ import annotations

from typing import Any

from .. import functional as F
from .module import Module


class _PadNd(Module):
    _mode = "constant"
    _dims = 1

    def __init__(self, padding: Any, value: float = 0.0) -> None:
        super().__init__()
        n = 2 * self._dims
        if isinstance(padding, int) and not isinstance(padding, bool):
            pad = (int(padding),) * n
        else:
            pad = tuple(int(p) for p in padding)
            if len(pad) != n:
                raise ValueError(
                    f"{type(self).__name__}: padding must be an int or a tuple of {n} ints, got "
                    f"{padding!r}"
                )
        self.padding = pad
        self.value = value

    def forward(self, input: Any) -> Any:
        if self._mode == "constant":
            return F.pad(input, self.padding, "constant", self.value)
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        extra = f", value={self.value}" if self._mode == "constant" else ""
        return f"{self.padding}{extra}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding, value)


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with ``value``.  PyTorch: ``torch.nn.ConstantPad1d``."""


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dims with ``value``.  PyTorch: ``torch.nn.ConstantPad2d``."""

    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last 3 dims with ``value``.  PyTorch: ``torch.nn.ConstantPad3d``."""

    _dims = 3


class _ZeroPadNd(_PadNd):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)


class ZeroPad1d(_ZeroPadNd):
    """Pad the last dim with zeros.  PyTorch: ``torch.nn.ZeroPad1d``."""


class ZeroPad2d(_ZeroPadNd):
    """Pad the last 2 dims with zeros.  PyTorch: ``torch.nn.ZeroPad2d``."""

    _dims = 2


class ZeroPad3d(_ZeroPadNd):
    """Pad the last 3 dims with zeros.  PyTorch: ``torch.nn.ZeroPad3d``."""

    _dims = 3


class _ModePadNd(_PadNd):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding)


class ReflectionPad1d(_ModePadNd):
    """Mirror-pad the last dim.  PyTorch: ``torch.nn.ReflectionPad1d``."""

    _mode = "reflect"


class ReflectionPad2d(_ModePadNd):
    """Mirror-pad the last 2 dims.  PyTorch: ``torch.nn.ReflectionPad2d``."""

    _mode, _dims = "reflect", 2


class ReflectionPad3d(_ModePadNd):
    """Mirror-pad the last 3 dims.  PyTorch: ``torch.nn.ReflectionPad3d``."""

    _mode, _dims = "reflect", 3


class ReplicationPad1d(_ModePadNd):
    """Edge-pad the last dim.  PyTorch: ``torch.nn.ReplicationPad1d``."""

    _mode = "replicate"


class ReplicationPad2d(_ModePadNd):
    """Edge-pad the last 2 dims.  PyTorch: ``torch.nn.ReplicationPad2d``."""

    _mode, _dims = "replicate", 2


class ReplicationPad3d(_ModePadNd):
    """Edge-pad the last 3 dims.  PyTorch: ``torch.nn.ReplicationPad3d``."""

    _mode, _dims = "replicate", 3


class CircularPad1d(_ModePadNd):
    """Wrap-pad the last dim.  PyTorch: ``torch.nn.CircularPad1d``."""

    _mode = "circular"


class CircularPad2d(_ModePadNd):
    """Wrap-pad the last 2 dims.  PyTorch: ``torch.nn.CircularPad2d``."""

    _mode, _dims = "circular", 2


class CircularPad3d(_ModePadNd):
    """Wrap-pad the last 3 dims.  PyTorch: ``torch.nn.CircularPad3d``."""

    _mode, _dims = "circular", 3
