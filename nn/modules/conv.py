"""Convolutions ``Conv1d/2d/3d`` (weight ``(out, in / groups, *k)``) and ``ConvTranspose1d/2d/3d``
(weight ``(in, out / groups, *k)``), PyTorch's layouts."""

from __future__ import annotations

from typing import Any

from .. import init
from ..functional._utils import ntuple
from ..functional.conv import convolution
from ..functional.conv_transpose import conv_transpose
from ..functional.conv_transpose import output_size as output_size_of
from ..parameter import Parameter
from ._factory import device_empty, param_dtype
from .module import Module


class _ConvNd(Module):
    _dims = 0

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
        padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
        padding_mode: str = "zeros", *, dtype: Any = None,
        device: Any = None, generator: Any = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        d = self._dims
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{name}: in_channels ({in_channels}) and out_channels ({out_channels}) must be "
                f"divisible by groups ({groups})"
            )
        if padding_mode != "zeros":
            raise ValueError(
                f"{name}: only padding_mode='zeros' is supported, got {padding_mode!r}"
            )
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: invalid padding string {padding!r}")
            if padding == "same" and any(s != 1 for s in ntuple(stride, d, "stride", name)):
                raise ValueError(
                    f"{name}: padding='same' is not supported for strided convolutions"
                )
            self.padding: Any = padding
        else:
            self.padding = ntuple(padding, d, "padding", name, minimum=0)
        self.in_channels = int(in_channels)
        self.out_channels = int(out_channels)
        self.kernel_size = ntuple(kernel_size, d, "kernel_size", name)
        self.stride = ntuple(stride, d, "stride", name)
        self.dilation = ntuple(dilation, d, "dilation", name)
        self.groups = int(groups)
        self.padding_mode = padding_mode
        dt = param_dtype(dtype, name)
        self.weight = Parameter(
            device_empty((out_channels, in_channels // groups) + self.kernel_size, dtype=dt))
        if bias:
            self.bias = Parameter(device_empty((out_channels,), dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters(generator)
        self._place_on(device)

    def reset_parameters(self, generator: Any = None) -> None:
        """PyTorch's default: ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` for weight and bias."""
        init.default_layer_init_(self.weight, self.bias, generator)

    def forward(self, input: Any) -> Any:
        return convolution(input, self.weight, self.bias, self.stride, self.padding,
                           self.dilation, self.groups, dims=self._dims,
                           op=type(self).__name__.lower())

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * self._dims:
            s += f", padding={self.padding!r}" if isinstance(self.padding, str) else \
                f", padding={self.padding}"
        if self.dilation != (1,) * self._dims:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class Conv1d(_ConvNd):
    """1-D convolution over ``(N, C_in, L)``.

    >>> import autograd as ag, nn
    >>> nn.Conv1d(2, 4, 3, padding=1)(ag.ones(5, 2, 10)).shape
    (5, 4, 10)
    """

    _dims = 1


class Conv2d(_ConvNd):
    """2-D convolution over ``(N, C_in, H, W)``; weight ``(C_out, C_in / groups, kH, kW)``.

    >>> import autograd as ag, nn
    >>> conv = nn.Conv2d(3, 8, kernel_size=3, stride=2, padding=1)
    >>> conv(ag.ones(2, 3, 16, 16)).shape
    (2, 8, 8, 8)
    >>> conv
    Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))
    """

    _dims = 2


class Conv3d(_ConvNd):
    """3-D convolution over ``(N, C_in, D, H, W)``."""

    _dims = 3


class _ConvTransposeNd(Module):
    _dims = 0

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
        padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
        dilation: Any = 1, padding_mode: str = "zeros", *, dtype: Any = None, device: Any = None,
        generator: Any = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        d = self._dims
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{name}: in_channels ({in_channels}) and out_channels ({out_channels}) must be "
                f"divisible by groups ({groups})"
            )
        if padding_mode != "zeros":
            raise ValueError(f"{name}: only padding_mode='zeros' is supported")
        self.in_channels = int(in_channels)
        self.out_channels = int(out_channels)
        self.kernel_size = ntuple(kernel_size, d, "kernel_size", name)
        self.stride = ntuple(stride, d, "stride", name)
        self.padding = ntuple(padding, d, "padding", name, minimum=0)
        self.output_padding = ntuple(output_padding, d, "output_padding", name, minimum=0)
        self.dilation = ntuple(dilation, d, "dilation", name)
        self.groups = int(groups)
        self.padding_mode = padding_mode
        dt = param_dtype(dtype, name)
        # PyTorch's layout for transposed convolutions: (in, out / groups, *kernel)
        self.weight = Parameter(
            device_empty((in_channels, out_channels // groups) + self.kernel_size, dtype=dt))
        if bias:
            self.bias = Parameter(device_empty((out_channels,), dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters(generator)
        self._place_on(device)

    def reset_parameters(self, generator: Any = None) -> None:
        """PyTorch's default: bounds from the weight's fan-in, ``(out / groups) * prod(k)``."""
        init.default_layer_init_(self.weight, self.bias, generator)

    def forward(self, input: Any, output_size: Any = None) -> Any:
        opad = self.output_padding
        if output_size is not None:
            d = self._dims
            want = tuple(int(s) for s in tuple(output_size)[-d:])
            base = output_size_of(tuple(input.shape)[-d:], self.kernel_size, self.stride,
                                  self.padding, self.dilation, (0,) * d)
            opad = tuple(w - b for w, b in zip(want, base, strict=True))
            if any(not 0 <= o < max(s, dl) for o, s, dl in zip(opad, self.stride, self.dilation,
                                                                strict=True)):
                raise ValueError(
                    f"{type(self).__name__}: requested output size {want} is not reachable "
                    f"from input size {tuple(input.shape)} (smallest {base})"
                )
        return conv_transpose(input, self.weight, self.bias, self.stride, self.padding, opad,
                              self.groups, self.dilation, dims=self._dims,
                              op=type(self).__name__.lower())

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * self._dims:
            s += f", padding={self.padding}"
        if self.output_padding != (0,) * self._dims:
            s += f", output_padding={self.output_padding}"
        if self.dilation != (1,) * self._dims:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution; weight ``(C_in, C_out / groups, k)``."""

    _dims = 1


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution (upsampling); weight ``(C_in, C_out / groups, kH, kW)``.

    >>> import autograd as ag, nn
    >>> up = nn.ConvTranspose2d(4, 2, kernel_size=2, stride=2)
    >>> up(ag.ones(1, 4, 5, 5)).shape
    (1, 2, 10, 10)
    """

    _dims = 2


class ConvTranspose3d(_ConvTransposeNd):
    _dims = 3
