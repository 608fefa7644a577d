"""Recurrent layers ``RNN``, ``LSTM`` and ``GRU``, with PyTorch's parameters, names and maths.

Parameters are named and shaped exactly as in PyTorch (``weight_ih_l0``, ``weight_hh_l0``,
``bias_ih_l0``, ``bias_hh_l0``, ``weight_hr_l0`` for LSTM projections, ``..._reverse`` for the
backward direction), so a PyTorch state dict loads one to one.  Gate order in the stacked weights
is PyTorch's: LSTM ``(i, f, g, o)``, GRU ``(r, z, n)``.

The input projection of a whole sequence is one matrix product per layer and direction; only
the recurrent product runs per time step (a Python loop over steps, never recursion).

>>> import autograd as ag, nn
>>> lstm = nn.LSTM(3, 5, num_layers=2, batch_first=True)
>>> out, (h, c) = lstm(ag.randn(4, 7, 3))
>>> out.shape, h.shape, c.shape
((4, 7, 5), (2, 4, 5), (2, 4, 5))
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import autograd as ag
from autograd.tensor import Tensor

from .. import functional as F
from .. import init
from ..parameter import Parameter
from ._factory import device_empty, param_dtype
from .module import Module

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _rnn_step(xw: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None, relu: bool) -> Tensor:
    pre = xw + F.linear(h, w_hh, b_hh)
    return ag.relu(pre) if relu else ag.tanh(pre)


def _lstm_step(xw: Tensor, h: Tensor, c: Tensor, w_hh: Tensor, b_hh: Tensor | None,
               w_hr: Tensor | None) -> tuple[Tensor, Tensor]:
    i, f, g, o = ag.chunk(xw + F.linear(h, w_hh, b_hh), 4, dim=-1)
    c = ag.sigmoid(f) * c + ag.sigmoid(i) * ag.tanh(g)
    h = ag.sigmoid(o) * ag.tanh(c)
    if w_hr is not None:
        h = F.linear(h, w_hr)
    return h, c


def _gru_step(xr: Tensor, xz: Tensor, xn: Tensor, h: Tensor, w_hh: Tensor,
              b_hh: Tensor | None) -> Tensor:
    hr, hz, hn = ag.chunk(F.linear(h, w_hh, b_hh), 3, dim=-1)
    r = ag.sigmoid(xr + hr)
    z = ag.sigmoid(xz + hz)
    n = ag.tanh(xn + r * hn)  # PyTorch: the reset gate multiplies (W_hn h + b_hn)
    return (1 - z) * n + z * h


class RNNBase(Module):
    """Shared machinery: parameters, initial states, layers, directions and inter-layer dropout.

    Input is ``(L, N, H_in)`` (``(N, L, H_in)`` with ``batch_first``) or unbatched ``(L, H_in)``;
    the output holds the top layer's hidden state at every step, ``(L, N, D * H_out)``, with the
    final states ``(num_layers * D, N, H_out)`` (layer-major, forward direction first).
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, *, dtype: Any = None,
                 device: Any = None,
                 generator: Any = None) -> None:
        super().__init__()
        name = {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(mode, mode)
        for what, v in (("input_size", input_size), ("hidden_size", hidden_size),
                        ("num_layers", num_layers)):
            if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
                raise ValueError(f"{name}: {what} must be a positive int, got {v!r}")
        if not isinstance(dropout, (int, float)) or isinstance(dropout, bool) or \
                not 0 <= dropout <= 1:
            raise ValueError(
                f"{name}: dropout should be a number in range [0, 1] representing the "
                f"probability of an element being zeroed, got {dropout!r}"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                f"{name}: dropout option adds dropout after all but last recurrent layer, so "
                f"non-zero dropout expects num_layers greater than 1, but got dropout={dropout} "
                f"and num_layers={num_layers}", UserWarning, stacklevel=3,
            )
        if proj_size < 0 or (proj_size and mode != "LSTM"):
            raise ValueError(f"{name}: proj_size must be 0 (LSTM: >= 0), got {proj_size}")
        if proj_size >= hidden_size:
            raise ValueError(f"{name}: proj_size ({proj_size}) has to be smaller than "
                             f"hidden_size ({hidden_size})")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.dropout = float(dropout)
        self.bidirectional = bool(bidirectional)
        self.proj_size = int(proj_size)
        dt = param_dtype(dtype, name)
        gate = _GATES[mode] * hidden_size
        out_size = proj_size or hidden_size
        for layer in range(num_layers):
            in_size = input_size if layer == 0 else out_size * self.num_directions
            for sfx in self._suffixes(layer):
                setattr(self, f"weight_ih{sfx}", Parameter(device_empty((gate, in_size), dt)))
                setattr(self, f"weight_hh{sfx}", Parameter(device_empty((gate, out_size), dt)))
                if self.bias:
                    setattr(self, f"bias_ih{sfx}", Parameter(device_empty((gate,), dtype=dt)))
                    setattr(self, f"bias_hh{sfx}", Parameter(device_empty((gate,), dtype=dt)))
                if proj_size:
                    setattr(self, f"weight_hr{sfx}",
                            Parameter(device_empty((proj_size, hidden_size), dtype=dt)))
        self.reset_parameters(generator)
        self._place_on(device)

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    def _suffixes(self, layer: int) -> list[str]:
        return [f"_l{layer}"] + ([f"_l{layer}_reverse"] if self.bidirectional else [])

    def reset_parameters(self, generator: Any = None) -> None:
        """PyTorch's init: every weight and bias ``U(-1/sqrt(hidden), 1/sqrt(hidden))``."""
        rng = init.one_stream(generator)
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -stdv, stdv, generator=rng)

    def flatten_parameters(self) -> None:
        """Does nothing: PyTorch compacts the weights into one cuDNN buffer here; NumPy needs no
        such layout, so ported code that calls it keeps working unchanged."""

    def _param(self, name: str) -> Any:
        return self._parameters.get(name)

    def _check_state(self, h: Tensor, expect: tuple[int, ...], what: str) -> None:
        if tuple(h.shape) != expect:
            raise RuntimeError(
                f"{type(self).__name__}: expected {what} of size {expect}, got {tuple(h.shape)}"
            )

    def _initial(self, hx: Any, n: int, batched: bool, dtype: Any,
                 device: Any = None) -> list[Tensor]:
        """Initial states as ``(layers * D, N, size)`` (one for GRU/RNN, two for LSTM); default
        zeros on ``device`` (the input's)."""
        nd = self.num_layers * self.num_directions
        sizes = [self.proj_size or self.hidden_size]
        if self.mode == "LSTM":
            sizes.append(self.hidden_size)
        if hx is None:
            return [ag.zeros(nd, n, s, dtype=dtype, device=device) for s in sizes]
        states = list(hx) if self.mode == "LSTM" else [hx]
        if self.mode == "LSTM" and len(states) != 2:
            raise TypeError("LSTM: hx must be a tuple (h_0, c_0)")
        out = []
        for s, h, what in zip(sizes, states, ("h_0", "c_0"), strict=False):
            h = h if isinstance(h, Tensor) else Tensor(h)
            if batched and h.ndim != 3 or not batched and h.ndim != 2:
                raise RuntimeError(
                    f"{type(self).__name__}: for {'batched 3-D' if batched else 'unbatched 2-D'} "
                    f"input, {what} should also be {3 if batched else 2}-D but got "
                    f"{h.ndim}-D tensor"
                )
            if not batched:
                h = h.unsqueeze(1)
            self._check_state(h, (nd, n, s), what)
            out.append(h)
        return out

    def forward(self, input: Any, hx: Any = None) -> Any:
        x = input if isinstance(input, Tensor) else Tensor(input)
        name = type(self).__name__
        if x.ndim not in (2, 3):
            raise ValueError(
                f"{name}: expected input to be 2-D (unbatched) or 3-D, got {x.ndim}-D tensor"
            )
        if x.shape[-1] != self.input_size:
            raise RuntimeError(
                f"{name}: input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {x.shape[-1]}"
            )
        batched = x.ndim == 3
        if not batched:
            x = x.unsqueeze(1)
        elif self.batch_first:
            x = x.swapaxes(0, 1)
        states = self._initial(hx, x.shape[1], batched, x.dtype, x.device)
        finals: list[list[Tensor]] = [[] for _ in states]
        for layer in range(self.num_layers):
            outs = []
            for d, sfx in enumerate(self._suffixes(layer)):
                k = layer * self.num_directions + d
                seq, last = self._run_direction(x, [s[k] for s in states], sfx, reverse=d == 1)
                outs.append(seq)
                for f, v in zip(finals, last, strict=True):
                    f.append(v)
            x = outs[0] if len(outs) == 1 else ag.cat(outs, dim=-1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, training=True)
        hs = [ag.stack(f, dim=0) for f in finals]
        if not batched:
            x = x.squeeze(1)
            hs = [h.squeeze(1) for h in hs]
        elif self.batch_first:
            x = x.swapaxes(0, 1)
        return x, (tuple(hs) if self.mode == "LSTM" else hs[0])

    def _run_direction(self, x: Tensor, state: list[Tensor], sfx: str,
                       reverse: bool) -> tuple[Tensor, list[Tensor]]:
        """One layer in one direction over ``x (L, N, in)``: all outputs and the final state."""
        w_hh, b_hh = self._param(f"weight_hh{sfx}"), self._param(f"bias_hh{sfx}")
        xw = F.linear(x, self._param(f"weight_ih{sfx}"), self._param(f"bias_ih{sfx}"))
        steps = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
        outs: list[Tensor] = []
        h = state[0]
        if self.mode == "LSTM":
            c = state[1]
            w_hr = self._param(f"weight_hr{sfx}")
            for t in steps:
                h, c = _lstm_step(xw[t], h, c, w_hh, b_hh, w_hr)
                outs.append(h)
            last = [h, c]
        elif self.mode == "GRU":
            xr, xz, xn = ag.chunk(xw, 3, dim=-1)
            for t in steps:
                h = _gru_step(xr[t], xz[t], xn[t], h, w_hh, b_hh)
                outs.append(h)
            last = [h]
        else:
            relu = self.mode == "RNN_RELU"
            for t in steps:
                h = _rnn_step(xw[t], h, w_hh, b_hh, relu)
                outs.append(h)
            last = [h]
        if reverse:
            outs.reverse()
        if not outs:  # an empty sequence: no steps, the state passes through
            return ag.zeros(0, *h.shape, dtype=h.dtype, device=h.device), last
        return ag.stack(outs, dim=0), last

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or ``relu``).

    Returns ``(output, h_n)``.  ``hx`` is ``h_0`` (default zeros).  PyTorch: ``torch.nn.RNN``.
    Raises ValueError for bad sizes or ``nonlinearity``, RuntimeError for inputs or states of
    the wrong size.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, *, dtype: Any = None,
                 device: Any = None,
                 generator: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: unknown nonlinearity {nonlinearity!r}; use 'tanh' or 'relu'")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         dtype=dtype, generator=generator)
        self.nonlinearity = nonlinearity
        self._place_on(device)

    def extra_repr(self) -> str:
        s = super().extra_repr()
        return s + (", nonlinearity='relu'" if self.nonlinearity == "relu" else "")


class LSTM(RNNBase):
    """Long short-term memory, gates ``i, f, g, o``: ``c_t = f c_{t-1} + i g``,
    ``h_t = o tanh(c_t)``.

    Returns ``(output, (h_n, c_n))``; ``hx`` is ``(h_0, c_0)`` (default zeros).  With
    ``proj_size > 0`` the hidden state is projected by ``weight_hr_l{k}`` to ``proj_size``.
    PyTorch: ``torch.nn.LSTM``.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, *, dtype: Any = None,
                 device: Any = None, generator: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, dtype=dtype, generator=generator)
        self._place_on(device)


class GRU(RNNBase):
    """Gated recurrent unit: gates ``r, z``; ``n = tanh(W_in x + b_in + r (W_hn h + b_hn))``,
    ``h_t = (1 - z) n + z h_{t-1}``.

    Returns ``(output, h_n)``; ``hx`` is ``h_0`` (default zeros).  PyTorch: ``torch.nn.GRU``.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, *,
                 dtype: Any = None, device: Any = None, generator: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, dtype=dtype, generator=generator)
        self._place_on(device)
