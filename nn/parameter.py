"""``Parameter``: a Tensor that a :class:`~nn.Module` registers as one of its learnable weights.

>>> import nn
>>> p = nn.Parameter([1.0, 2.0])
>>> p.requires_grad, p.is_leaf
(True, True)
"""

from __future__ import annotations

from typing import Any

from autograd.backend import xp
from autograd.tensor import Tensor


class Parameter(Tensor):
    """A leaf Tensor with ``requires_grad=True`` (by default) owned by a module.

    The data is always an array (never the scalar fast path's Python float), so optimisers can
    update it in place.  ``Parameter(t)`` shares ``t``'s data, like PyTorch.  Results of
    operations on parameters are ordinary Tensors.
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = xp.zeros((0,))
        if isinstance(data, Tensor):
            data = data._array
        super().__init__(data, requires_grad=requires_grad)
        if type(self._data) is float:
            self._data = xp.asarray(self._data)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Buffer(Tensor):
    """Marker for tensors to register as buffers by plain assignment (``self.x = nn.Buffer(t)``).

    ``persistent=False`` keeps it out of ``state_dict``.  After assignment the module stores a
    plain Tensor (sharing the data), like PyTorch's ``nn.Buffer``.
    """

    __slots__ = ("persistent",)

    def __init__(self, data: Any, *, persistent: bool = True) -> None:
        if isinstance(data, Tensor):
            data = data._array
        super().__init__(data)
        if type(self._data) is float:
            self._data = xp.asarray(self._data)
        self.persistent = persistent
