"""Parameter initialisation, in place and without recording (PyTorch's ``nn.init``).

Every random initialiser takes ``generator=`` (a ``numpy.random.Generator`` or an int seed); by
default it draws from autograd's generator for the tensor's device (NumPy's for the CPU, the
GPU's own for CUDA tensors, so the values are made on the device), so
``autograd.manual_seed(s)`` makes model construction reproducible.  A NumPy generator given for a
GPU tensor draws on the host and the values are copied over (the caller asked for that stream).

>>> import autograd as ag, nn
>>> w = nn.Parameter(ag.zeros(3, 4))
>>> _ = nn.init.xavier_uniform_(w, generator=0)
>>> bool(abs(w.data).max() <= (6 / 7) ** 0.5)
True
"""

from __future__ import annotations

import math
from typing import Any

from autograd import tape
from autograd.devices import array_module, cuda_backend, device_of, is_device_array, placed
from autograd.random import generator_for, get_generator
from autograd.tensor import Tensor

__all__ = [
    "calculate_gain", "constant_", "eye_", "kaiming_normal_", "kaiming_uniform_", "normal_",
    "ones_", "orthogonal_", "trunc_normal_", "uniform_", "xavier_normal_", "xavier_uniform_",
    "zeros_",
]


def _fill(t: Tensor, values: Any) -> Tensor:
    """Write ``values`` into ``t``'s array in place (no tape record), bumping its version."""
    if not isinstance(t, Tensor):
        raise TypeError(f"nn.init: expected a Tensor, got {type(t).__name__}")
    d = t._data
    if type(d) is float:
        t._data = float(values)
    elif isinstance(values, (int, float)):
        d[...] = values
    else:  # values were made on d's device (see _draws), so this copy stays there
        d[...] = values.astype(d.dtype, copy=False)
    tape.bump_version(t)
    return t


def _float_dtype(t: Tensor) -> Any:
    dt = t.dtype
    if dt.kind != "f":
        raise TypeError(f"nn.init: random initialisation needs a floating tensor, got {dt}")
    return dt


def one_stream(generator: Any) -> Any:
    """``generator`` for several initialisers in a row: an int seed becomes one NumPy stream
    used by all of them; None stays None, so each tensor draws from its own device's default
    generator (a GPU parameter on the GPU)."""
    return None if generator is None else get_generator(generator)


def _draws(t: Tensor, generator: Any) -> Any:
    """The generator drawing ``t``'s values on ``t``'s device (see the module docstring)."""
    return generator_for(device_of(t._data), generator)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """Recommended gain for an activation (``'relu'``: sqrt(2), ``'tanh'``: 5/3, ...)."""
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid")
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(t: Tensor) -> tuple[int, int]:
    """Fans of a weight ``(out, in, *kernel)``: ``in * prod(kernel)`` and ``out * prod(kernel)``."""
    shape = tuple(t.shape)
    if len(shape) < 2:
        raise ValueError(
            f"nn.init: fan in and fan out can not be computed for a tensor with fewer than 2 "
            f"dimensions (shape {shape})"
        )
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fan(t: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"nn.init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(t)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with U(a, b)."""
    _float_dtype(t)
    # a + (b - a) * U[0, 1) is NumPy's own formula for Generator.uniform (the same stream), and
    # random/standard_normal are the draws every device generator has
    return _fill(t, a + (b - a) * _draws(t, generator).random(tuple(t.shape)))


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with N(mean, std^2)."""
    _float_dtype(t)
    return _fill(t, mean + std * _draws(t, generator).standard_normal(tuple(t.shape)))


def trunc_normal_(t: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: Any = None) -> Tensor:
    """Fill with N(mean, std^2) restricted to [a, b].

    On the host the values outside are resampled; on a GPU, where that loop would read a count
    back every round, the inverse-CDF method (PyTorch's): ``mean + std * sqrt(2) *
    erfinv(2u - 1)`` with ``u`` uniform between the CDFs of ``a`` and ``b``."""
    _float_dtype(t)
    if not a < b:
        raise ValueError(f"trunc_normal_: need a < b, got a={a}, b={b}")
    if is_device_array(t._data):
        def cdf(x: float) -> float:
            return (1.0 + math.erf((x - mean) / (std * math.sqrt(2.0)))) / 2.0

        lo, hi = cdf(a), cdf(b)
        u = lo + (hi - lo) * _draws(t, generator).random(tuple(t.shape))
        z = cuda_backend().special().erfinv(2 * u - 1)
        return _fill(t, array_module(z).clip(mean + std * math.sqrt(2.0) * z, a, b))
    rng = get_generator(generator)
    vals = rng.normal(mean, std, size=t.shape)
    bad = (vals < a) | (vals > b)
    for _ in range(1000):  # each round keeps the accepted ones; P(outside) < 1 shrinks fast
        if not bad.any():
            break
        vals[bad] = rng.normal(mean, std, size=int(bad.sum()))
        bad = (vals < a) | (vals > b)
    return _fill(t, array_module(vals).clip(vals, a, b))


def constant_(t: Tensor, val: float) -> Tensor:
    return _fill(t, val)


def zeros_(t: Tensor) -> Tensor:
    return _fill(t, 0.0)


def ones_(t: Tensor) -> Tensor:
    return _fill(t, 1.0)


def eye_(t: Tensor) -> Tensor:
    """Identity matrix for a 2-D tensor."""
    if t.ndim != 2:
        raise ValueError(f"eye_: only 2-D tensors are supported, got shape {tuple(t.shape)}")
    with placed(device_of(t._data)) as xp:  # made on t's GPU (not the current one)
        return _fill(t, xp.eye(*t.shape))


def xavier_uniform_(t: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))`` (Glorot & Bengio, 2010)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(t)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out)) if fan_in + fan_out else 0.0
    return uniform_(t, -a, a, generator)


def xavier_normal_(t: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """N(0, std^2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(t)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out)) if fan_in + fan_out else 0.0
    return normal_(t, 0.0, std, generator)


def kaiming_uniform_(t: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator: Any = None) -> Tensor:
    """U(-bound, bound), ``bound = gain * sqrt(3 / fan)`` (He et al., 2015).

    ``a`` is the negative slope for ``'leaky_relu'``; PyTorch's layers use ``a=sqrt(5)``, which
    gives ``bound = 1 / sqrt(fan_in)``.
    """
    fan = _fan(t, mode)
    if fan == 0:
        return t
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan)
    return uniform_(t, -bound, bound, generator)


def kaiming_normal_(t: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator: Any = None) -> Tensor:
    """N(0, std^2), ``std = gain / sqrt(fan)``."""
    fan = _fan(t, mode)
    if fan == 0:
        return t
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(t, 0.0, std, generator)


def orthogonal_(t: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """A (semi-)orthogonal matrix (rows flattened past the first axis), times ``gain``."""
    if t.ndim < 2:
        raise ValueError("orthogonal_: only tensors with 2 or more dimensions are supported")
    rows = t.shape[0]
    cols = t.numel() // rows if rows else 0
    flat = _draws(t, generator).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    xp = array_module(flat)
    q, r = xp.linalg.qr(flat)
    q = q * xp.sign(xp.diag(r))  # make the decomposition unique (uniform over orthogonal matrices)
    if rows < cols:
        q = q.T
    return _fill(t, (gain * q).reshape(t.shape))


def default_layer_init_(weight: Tensor, bias: Tensor | None, generator: Any = None) -> None:
    """PyTorch's default for Linear and convolution layers: ``kaiming_uniform_(a=sqrt(5))`` for
    the weight (``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``) and the same bound for the bias."""
    rng = one_stream(generator)
    kaiming_uniform_(weight, a=math.sqrt(5), generator=rng)
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        uniform_(bias, -bound, bound, generator=rng)
