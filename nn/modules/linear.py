"""``Linear`` (``y = x W^T + b``, weight ``(out_features, in_features)`` as in PyTorch) and
``Identity``."""

from __future__ import annotations

from typing import Any

from .. import functional as F
from .. import init
from ..parameter import Parameter
from ._factory import device_empty, param_dtype
from .module import Module


class Identity(Module):
    """Returns its input unchanged (a placeholder that accepts and ignores any arguments)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input


class Linear(Module):
    """Fully connected layer: ``y = x W^T + b`` for ``x (*, in_features)``.

    Initialised like PyTorch: ``W, b ~ U(-1/sqrt(in_features), 1/sqrt(in_features))``.

    >>> import autograd as ag, nn
    >>> layer = nn.Linear(3, 2)
    >>> layer(ag.ones(5, 3)).shape, tuple(layer.weight.shape)
    ((5, 2), (2, 3))
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *,
                 dtype: Any = None, device: Any = None, generator: Any = None) -> None:
        super().__init__()
        if in_features < 0 or out_features < 0:
            raise ValueError(
                f"Linear: in_features and out_features must be non-negative, got "
                f"{in_features} and {out_features}"
            )
        dt = param_dtype(dtype, "Linear")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.weight = Parameter(device_empty((out_features, in_features), dtype=dt))
        if bias:
            self.bias = Parameter(device_empty((out_features,), dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters(generator)
        self._place_on(device)

    def reset_parameters(self, generator: Any = None) -> None:
        """PyTorch's default: ``U(-1/sqrt(in_features), 1/sqrt(in_features))`` for both."""
        init.default_layer_init_(self.weight, self.bias, generator)

    def forward(self, input: Any) -> Any:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
