"""Normalisation layers: ``BatchNorm1d/2d/3d`` (running statistics), ``LayerNorm``,
``GroupNorm``, ``InstanceNorm1d/2d``."""

from __future__ import annotations

from typing import Any

from autograd import tape
from autograd.backend import xp
from autograd.devices import is_device_array
from autograd.tensor import Tensor

from .. import functional as F
from .. import init
from ..functional._utils import shape_of
from ..parameter import Parameter
from ._factory import device_ones, device_zeros, param_dtype
from .module import Module


def _affine_parameters(m: Module, affine: bool, n: int, dt: Any) -> None:
    """The learnable per-channel scale (ones) and shift (zeros), or ``None`` for both."""
    if affine:
        m.weight = Parameter(device_ones((n,), dtype=dt))
        m.bias = Parameter(device_zeros((n,), dtype=dt))
    else:
        m.register_parameter("weight", None)
        m.register_parameter("bias", None)


class _BatchNorm(Module):
    _ndims: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, *,
                 dtype: Any = None, device: Any = None) -> None:
        super().__init__()
        dt = param_dtype(dtype, type(self).__name__)
        self.num_features = int(num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, affine, num_features, dt)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(device_zeros((num_features,), dtype=dt)))
            self.register_buffer("running_var", Tensor(device_ones((num_features,), dtype=dt)))
            self.register_buffer("num_batches_tracked", Tensor(device_zeros((), dtype=xp.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self._place_on(device)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            self.num_batches_tracked._data[...] = 0
            tape.bump_version(self.num_batches_tracked)

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def _check_input_dim(self, input: Any) -> None:
        nd = len(shape_of(input))  # a TypeError for non-numeric input, not "0D"
        if nd not in self._ndims:
            want = " or ".join(f"{d}D" for d in self._ndims)
            raise ValueError(f"{type(self).__name__}: expected {want} input (got {nd}D input)")

    def forward(self, input: Any) -> Any:
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            nbt = self.num_batches_tracked
            nbt._data += 1
            tape.bump_version(nbt)
            if self.momentum is None:  # cumulative moving average
                # a GPU count stays there (a 0-d array factor): no read-back per step
                factor = (1.0 / nbt._data if is_device_array(nbt._data)
                          else 1.0 / float(nbt._data))
        use_batch = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            input, self.running_mean if track else None, self.running_var if track else None,
            self.weight, self.bias, use_batch, factor, self.eps,
        )

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of ``(N, C)`` or ``(N, C, L)`` input, per channel.

    Training: batch statistics (biased variance), running statistics updated with
    ``momentum`` (unbiased variance).  Eval: running statistics.

    >>> import autograd as ag, nn
    >>> bn = nn.BatchNorm1d(3)
    >>> sorted(bn.state_dict())
    ['bias', 'num_batches_tracked', 'running_mean', 'running_var', 'weight']
    """

    _ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of ``(N, C, H, W)`` input, per channel."""

    _ndims = (4,)


class BatchNorm3d(_BatchNorm):
    _ndims = (5,)


class LayerNorm(Module):
    """Normalise over the trailing ``normalized_shape`` axes; elementwise affine by default.

    >>> import autograd as ag, nn
    >>> nn.LayerNorm(4)(ag.randn(2, 4)).shape
    (2, 4)
    """

    def __init__(self, normalized_shape: Any, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, *, dtype: Any = None, device: Any = None) -> None:
        super().__init__()
        ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape = tuple(int(s) for s in ns)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dt = param_dtype(dtype, "LayerNorm")
        if elementwise_affine:
            self.weight = Parameter(device_ones(self.normalized_shape, dtype=dt))
            if bias:
                self.bias = Parameter(device_zeros(self.normalized_shape, dtype=dt))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self._place_on(device)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Any) -> Any:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class GroupNorm(Module):
    """Normalise groups of channels of ``(N, C, *)`` input; per-channel affine."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, *, dtype: Any = None, device: Any = None) -> None:
        super().__init__()
        if num_groups < 1 or num_channels % num_groups:
            raise ValueError(
                f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups "
                f"({num_groups})"
            )
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        dt = param_dtype(dtype, "GroupNorm")
        _affine_parameters(self, affine, num_channels, dt)
        self._place_on(device)

    def forward(self, input: Any) -> Any:
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"


class _InstanceNorm(Module):
    _ndims: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, affine: bool = False, *,
                 dtype: Any = None, device: Any = None) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.affine = affine
        dt = param_dtype(dtype, type(self).__name__)
        _affine_parameters(self, affine, num_features, dt)
        self._place_on(device)

    def forward(self, input: Any) -> Any:
        nd = len(shape_of(input))  # a TypeError for non-numeric input, not "0D"
        if nd not in self._ndims:
            raise ValueError(f"{type(self).__name__}: expected {self._ndims[0]}D input (got "
                             f"{nd}D input)")
        return F.instance_norm(input, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, affine={self.affine}"


class InstanceNorm1d(_InstanceNorm):
    _ndims = (3,)


class InstanceNorm2d(_InstanceNorm):
    _ndims = (4,)
