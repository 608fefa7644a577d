"""Single-step recurrent cells ``RNNCell``, ``LSTMCell`` and ``GRUCell`` (one time step of the
corresponding layer; PyTorch's parameter names ``weight_ih``, ``weight_hh``, ``bias_ih``,
``bias_hh``, gate order and initialisation).

>>> import autograd as ag, nn
>>> cell = nn.LSTMCell(3, 5)
>>> h, c = cell(ag.randn(4, 3))
>>> h.shape, c.shape
((4, 5), (4, 5))
"""

from __future__ import annotations

import math
from typing import Any

import autograd as ag
from autograd.tensor import Tensor

from .. import functional as F
from .. import init
from ..parameter import Parameter
from ._factory import device_empty, param_dtype
from .module import Module
from .rnn import _gru_step, _lstm_step, _rnn_step


class RNNCellBase(Module):
    """Parameters, init and input/state checks shared by the three cells."""

    _gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, *,
                 dtype: Any = None, device: Any = None, generator: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        for what, v in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
                raise ValueError(f"{name}: {what} must be a positive int, got {v!r}")
        dt = param_dtype(dtype, name)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bool(bias)
        gate = self._gates * hidden_size
        self.weight_ih = Parameter(device_empty((gate, input_size), dtype=dt))
        self.weight_hh = Parameter(device_empty((gate, hidden_size), dtype=dt))
        if bias:
            self.bias_ih = Parameter(device_empty((gate,), dtype=dt))
            self.bias_hh = Parameter(device_empty((gate,), dtype=dt))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters(generator)
        self._place_on(device)

    def reset_parameters(self, generator: Any = None) -> None:
        """PyTorch's init: every weight and bias ``U(-1/sqrt(hidden), 1/sqrt(hidden))``."""
        rng = init.one_stream(generator)
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -stdv, stdv, generator=rng)

    def _input(self, input: Any) -> tuple[Tensor, bool]:
        x = input if isinstance(input, Tensor) else Tensor(input)
        name = type(self).__name__
        if x.ndim not in (1, 2):
            raise ValueError(f"{name}: expected input to be 1-D or 2-D, got {x.ndim}-D tensor")
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input has inconsistent input_size: got {x.shape[-1]} "
                               f"expected {self.input_size}")
        return (x, True) if x.ndim == 2 else (x.unsqueeze(0), False)

    def _state(self, h: Any, x: Tensor, batched: bool, what: str) -> Tensor:
        if h is None:
            return ag.zeros(x.shape[0], self.hidden_size, dtype=x.dtype, device=x.device)
        h = h if isinstance(h, Tensor) else Tensor(h)
        h = h if batched else h.unsqueeze(0)
        if tuple(h.shape) != (x.shape[0], self.hidden_size):
            raise RuntimeError(f"{type(self).__name__}: expected {what} of size "
                               f"{(x.shape[0], self.hidden_size)}, got {tuple(h.shape)}")
        return h

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


class RNNCell(RNNCellBase):
    """``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or ``relu``).

    ``forward(input, hx=None)``: ``input (N, H_in)`` or ``(H_in,)``, ``hx`` like the output
    ``(N, H)`` (default zeros).  PyTorch: ``torch.nn.RNNCell``.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", *, dtype: Any = None,
                 device: Any = None, generator: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: unknown nonlinearity {nonlinearity!r}; use 'tanh' or "
                             "'relu'")
        super().__init__(input_size, hidden_size, bias, dtype=dtype, generator=generator)
        self.nonlinearity = nonlinearity
        self._place_on(device)

    def forward(self, input: Any, hx: Any = None) -> Any:
        x, batched = self._input(input)
        h = self._state(hx, x, batched, "hx")
        xw = F.linear(x, self.weight_ih, self.bias_ih)
        h = _rnn_step(xw, h, self.weight_hh, self.bias_hh, self.nonlinearity == "relu")
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; ``forward(input, (h, c)=None)`` returns ``(h', c')``.
    PyTorch: ``torch.nn.LSTMCell``."""

    _gates = 4

    def forward(self, input: Any, hx: Any = None) -> Any:
        x, batched = self._input(input)
        if hx is None:
            h = c = self._state(None, x, batched, "h")
        else:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError("LSTMCell: hx must be a tuple (h, c)")
            h = self._state(hx[0], x, batched, "h")
            c = self._state(hx[1], x, batched, "c")
        xw = F.linear(x, self.weight_ih, self.bias_ih)
        h, c = _lstm_step(xw, h, c, self.weight_hh, self.bias_hh, None)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step.  PyTorch: ``torch.nn.GRUCell``."""

    _gates = 3

    def forward(self, input: Any, hx: Any = None) -> Any:
        x, batched = self._input(input)
        h = self._state(hx, x, batched, "hx")
        xr, xz, xn = ag.chunk(F.linear(x, self.weight_ih, self.bias_ih), 3, dim=-1)
        h = _gru_step(xr, xz, xn, h, self.weight_hh, self.bias_hh)
        return h if batched else h.squeeze(0)
