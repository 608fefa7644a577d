"""Tensor methods about devices: ``device``, ``to``, ``cpu``, ``cuda`` (PyTorch's meanings).

Moving a tensor that requires grad is recorded (``ops.transfer``), so a model on a GPU fed by
a CPU pipeline differentiates back to where each tensor came from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import devices as _dev

if TYPE_CHECKING:
    from .tensor import Tensor

_ops: Any = None  # autograd.ops, set by autograd.tensor once the primitives exist


def _is_device_arg(a: Any) -> bool:
    if isinstance(a, _dev.device):
        return True
    if isinstance(a, str):
        if a.partition(":")[0].strip() in ("cpu", "cuda"):
            return True
        try:  # a dtype name ("float32") is no device; anything else is parsed as one, so that
            np.dtype(a)  # to("tpu") says which device types exist
        except TypeError:
            return True
        return False
    return isinstance(a, (int, np.integer)) and not isinstance(a, bool)


class TensorDevice:
    """Mixin: where a tensor lives and how it moves."""

    __slots__ = ()
    _data: Any

    @property
    def device(self) -> _dev.device:
        """The device of this tensor's data: ``device(type='cpu')`` or
        ``device(type='cuda', index=0)`` (``torch.Tensor.device``)."""
        return _dev.device_of(self._data)

    @property
    def is_cuda(self) -> bool:
        """True if the data lives on a GPU (``torch.Tensor.is_cuda``)."""
        return _dev.is_device_array(self._data)

    @property
    def is_cpu(self) -> bool:
        """True if the data lives in host memory (``torch.Tensor.is_cpu``)."""
        return not _dev.is_device_array(self._data)

    def get_device(self) -> int:
        """The GPU ordinal of a CUDA tensor, -1 for a CPU tensor (``torch.Tensor.get_device``)."""
        d = self.device
        return -1 if d.type == "cpu" else int(d.index or 0)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """This tensor on another device and/or with another dtype (``torch.Tensor.to``).

        Call forms, as PyTorch's: ``to(dtype)``, ``to(device, dtype=None)``, ``to(other)`` (the
        device and dtype of the tensor ``other``), each with ``copy=False``; keywords
        ``device=``/``dtype=``.  Returns ``self`` when nothing changes and ``copy`` is False.
        Moves and float-to-float casts are recorded (the gradient goes back to this device and
        dtype).  ``non_blocking`` is accepted and ignored (copies are synchronous).  Raises
        RuntimeError for an unknown or unavailable device, TypeError for bad arguments.
        """
        from .tensor import Tensor

        device = kwargs.pop("device", None)
        dtype = kwargs.pop("dtype", None)
        copy = bool(kwargs.pop("copy", False))
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to(): unexpected keyword argument(s) {sorted(kwargs)}")
        rest = list(args)
        if rest and isinstance(rest[0], Tensor):
            other = rest.pop(0)
            device, dtype = other.device, other.dtype
        elif rest and _is_device_arg(rest[0]):
            device = rest.pop(0)
        if rest and dtype is None and not isinstance(rest[0], bool):
            dtype = rest.pop(0)
        if rest and isinstance(rest[0], bool):  # to(..., non_blocking, copy)
            rest.pop(0)
            if rest and isinstance(rest[0], bool):
                copy = rest.pop(0)
        if rest:
            raise TypeError(
                f"to(): could not parse arguments {args!r}; expected to(dtype), to(device, "
                "dtype=None) or to(tensor)"
            )
        t: Tensor = self  # type: ignore[assignment]
        if device is not None:
            target = _dev.resolve(device)
            source = t.device
            if target != source:
                t = _ops.to_device(t, device=target, source=source)
                copy = False
        if dtype is not None and np.dtype(dtype) != t.dtype:
            t = _ops.astype(t, dtype)
            copy = False
        return _ops.clone(t) if copy else t

    def cpu(self) -> Tensor:
        """This tensor in host memory: ``self`` if already there (``torch.Tensor.cpu``)."""
        return self.to("cpu")

    def cuda(self, device: Any = None, non_blocking: bool = False) -> Tensor:
        """This tensor on a GPU (``device``: an ordinal, ``'cuda:1'``, default the current GPU);
        ``self`` if already there (``torch.Tensor.cuda``).  RuntimeError without CUDA."""
        if device is None:
            return self.to("cuda")
        return self.to(device if not isinstance(device, str) else _dev.device(device))
