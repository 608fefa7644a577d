"""The inputs of each case: shapes, dtype, data and initial weights, drawn once from NumPy.

Every engine copies its starting state from the same spec, so all engines do the same work from
the same numbers.  Weights follow PyTorch's layout: ``W`` is ``(out, in)`` and a layer computes
``x @ W.T + b``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class MLPSpec:
    """One SGD training step of a ReLU MLP with softmax cross-entropy (mean over the batch)."""

    sizes: tuple[int, ...]
    batch: int
    dtype: np.dtype
    lr: float
    x: np.ndarray  # (batch, sizes[0])
    y: np.ndarray  # (batch,) int64 class labels
    weights: list[np.ndarray]  # (out, in)
    biases: list[np.ndarray]  # (out,)


@dataclass
class ChainSpec:
    """``length`` x (tanh then multiply by ``c``) on a vector, loss = sum, gradient w.r.t. x."""

    length: int
    c: float
    x: np.ndarray


@dataclass
class DeepChainSpec:
    """``y = x; y = y + x`` repeated ``n`` times on a Python-float scalar: dy/dx = n + 1."""

    n: int
    x0: float


@dataclass
class RNNSpec:
    """``h = tanh(x_t W_x^T + h W_h^T + b)`` over ``steps`` inputs from ``h = 0``; loss =
    ``sum(h_last * r)``; gradients with respect to ``W_x``, ``W_h`` and ``b``."""

    xs: np.ndarray  # (steps, batch, n_in)
    wx: np.ndarray  # (hidden, n_in)
    wh: np.ndarray  # (hidden, hidden)
    b: np.ndarray  # (hidden,)
    r: np.ndarray  # (batch, hidden)


@dataclass
class ScalarMLPSpec:
    """A neuron-by-neuron MLP on Python floats, loss = sum of squared errors over the points."""

    sizes: tuple[int, ...]
    xs: np.ndarray  # (points, sizes[0]) float64
    ys: np.ndarray  # (points,) float64
    weights: list[np.ndarray]  # (out, in) float64
    biases: list[np.ndarray]


@dataclass
class ConvSpec:
    """Conv2d (no padding, stride 1) + ReLU + MaxPool2d(2), loss = sum(out * r)."""

    x: np.ndarray  # (N, C, H, W), needs no grad
    weight: np.ndarray  # (F, C, kh, kw)
    bias: np.ndarray  # (F,)
    r: np.ndarray  # loss weights, shaped like the pooled output (N, F, Hp, Wp)
    pool: int = 2


@dataclass
class AdamSpec:
    """Adam steps over fixed gradients (PyTorch's Adam, no weight decay, no amsgrad)."""

    params: list[np.ndarray]
    grads: list[np.ndarray]
    lr: float = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    names: list[str] = field(default_factory=list)


def _uniform(rng: np.random.Generator, bound: float, shape: tuple[int, ...], dtype: np.dtype
             ) -> np.ndarray:
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


def mlp_spec(sizes: tuple[int, ...], batch: int, seed: int, dtype: str = "float32",
             lr: float = 0.05) -> MLPSpec:
    """PyTorch's default Linear init, U(-1/sqrt(in), 1/sqrt(in)), standard-normal inputs."""
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    ws, bs = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        bound = 1.0 / np.sqrt(n_in)
        ws.append(_uniform(rng, bound, (n_out, n_in), dt))
        bs.append(_uniform(rng, bound, (n_out,), dt))
    x = rng.standard_normal((batch, sizes[0])).astype(dt)
    y = rng.integers(0, sizes[-1], size=batch).astype(np.int64)
    return MLPSpec(tuple(sizes), batch, dt, lr, x, y, ws, bs)


def chain_spec(length: int, dim: int, seed: int, c: float = 1.1) -> ChainSpec:
    rng = np.random.default_rng(seed)
    return ChainSpec(length, c, rng.uniform(-1.0, 1.0, size=dim))


def rnn_spec(steps: int, batch: int, n_in: int, hidden: int, seed: int) -> RNNSpec:
    """PyTorch's RNNCell init, U(-1/sqrt(hidden), 1/sqrt(hidden)), float64 (tanh saturates)."""
    rng = np.random.default_rng(seed)
    f64 = np.dtype(np.float64)
    bound = 1.0 / np.sqrt(hidden)
    return RNNSpec(
        xs=rng.standard_normal((steps, batch, n_in)),
        wx=_uniform(rng, bound, (hidden, n_in), f64),
        wh=_uniform(rng, bound, (hidden, hidden), f64),
        b=_uniform(rng, bound, (hidden,), f64),
        r=rng.standard_normal((batch, hidden)),
    )


def deep_chain_spec(n: int) -> DeepChainSpec:
    return DeepChainSpec(n, 0.5)


def scalar_mlp_spec(sizes: tuple[int, ...], points: int, seed: int) -> ScalarMLPSpec:
    """micrograd's init (weights U(-1, 1)); biases drawn too so that no gradient is trivially 0."""
    rng = np.random.default_rng(seed)
    ws = [rng.uniform(-1, 1, size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:], strict=True)]
    bs = [rng.uniform(-0.5, 0.5, size=o) for o in sizes[1:]]
    xs = rng.uniform(-2, 2, size=(points, sizes[0]))
    ys = rng.choice([-1.0, 1.0], size=points)
    return ScalarMLPSpec(tuple(sizes), xs, ys, ws, bs)


def conv_spec(n: int, c: int, hw: int, f: int, k: int, seed: int, dtype: str = "float32"
              ) -> ConvSpec:
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    bound = 1.0 / np.sqrt(c * k * k)
    out = (hw - k + 1) // 2
    return ConvSpec(
        x=rng.standard_normal((n, c, hw, hw)).astype(dt),
        weight=_uniform(rng, bound, (f, c, k, k), dt),
        bias=_uniform(rng, bound, (f,), dt),
        r=rng.standard_normal((n, f, out, out)).astype(dt),
    )


def adam_spec(sizes: tuple[int, ...], seed: int, dtype: str = "float32") -> AdamSpec:
    """The parameters of the MLP ``sizes`` with fixed random gradients."""
    m = mlp_spec(sizes, 1, seed, dtype)
    rng = np.random.default_rng(seed + 1)
    params, names = [], []
    for i, (w, b) in enumerate(zip(m.weights, m.biases, strict=True)):
        params += [w, b]
        names += [f"W{i}", f"b{i}"]
    grads = [(rng.standard_normal(p.shape) * 0.01).astype(p.dtype) for p in params]
    return AdamSpec(params, grads, names=names)


@dataclass
class OpSpec:
    """One op on a matrix along its last dim: ``y = op(x)``, backward with ``gradient=w``."""

    op: str  # "cumsum" or "sort"
    x: np.ndarray
    w: np.ndarray


def op_spec(op: str, n: int, seed: int) -> OpSpec:
    rng = np.random.default_rng(seed)
    return OpSpec(op, rng.standard_normal((n, n)), rng.standard_normal((n, n)))
