"""Moving data between devices, recorded: the gradient of a copy to a GPU is a copy back."""

from __future__ import annotations

from typing import Any

from .. import devices as _dev
from ..primitive import Primitive


def _move(x: Any, device: _dev.device, source: _dev.device) -> Any:
    return _dev.transfer(x, device)


def _move_back(g: Any, out: Any, x: Any, device: _dev.device, source: _dev.device) -> Any:
    return to_device.raw(g, device=source, source=device)


to_device: Primitive = Primitive(
    "to_device", _move, (_move_back,),
    reads_inputs=False,
    doc="``x`` copied to ``device`` (``source`` is where it was); the gradient is copied back "
        "to ``source``.\n\nPyTorch: ``torch.Tensor.to(device)``.",
)
