"""Hand-written NumPy backprop: the floor every engine is measured against.

Written directly from the textbook formulas (row-vector convention, ``z = a W^T + b``):

* softmax cross-entropy: ``dL/dz = (softmax(z) - onehot(y)) / N`` (mean over the batch),
* linear layer: ``dL/dW = dz^T a``, ``dL/db = sum_rows(dz)``, ``dL/da = dz W``,
* ReLU: ``dL/dz = dL/da * (a > 0)``; tanh: ``dL/dz = dL/da * (1 - tanh(z)^2)``,
* SGD: ``w -= lr * dL/dw``; Adam: ``m = b1 m + (1-b1) g``, ``v = b2 v + (1-b2) g^2``,
  ``w -= lr / (1-b1^t) * m / (sqrt(v) / sqrt(1-b2^t) + eps)``.

Each workload has ``step()`` (the timed unit) and ``outputs()`` (loss, gradients and parameters
after the last step, for checking the other engines).  Arrays are updated in place where a careful
hand-written loop would do so; no Python-level work beyond the formulas.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .specs import (
    AdamSpec,
    ChainSpec,
    ConvSpec,
    DeepChainSpec,
    MLPSpec,
    OpSpec,
    RNNSpec,
    ScalarMLPSpec,
)

Outputs = dict[str, "np.ndarray | float"]


class MLPStep:
    """Forward, softmax cross-entropy, backward and SGD update of a ReLU MLP.

    ``xp``: the array module of the spec's arrays (CuPy for the GPU floor of ``benchmarks.gpu``);
    there the loss stays a device array (reading it back would sync every step)."""

    def __init__(self, spec: MLPSpec, xp: Any = np) -> None:
        self.xp = xp
        self.x, self.y, self.lr = spec.x, spec.y, spec.lr
        self.W = [w.copy() for w in spec.weights]
        self.b = [b.copy() for b in spec.biases]
        self.rows = xp.arange(spec.batch)
        self.loss: Any = float("nan")
        self.gW: list[np.ndarray] = []
        self.gb: list[np.ndarray] = []

    def step(self) -> None:
        W, b, rows, y, xp = self.W, self.b, self.rows, self.y, self.xp
        n = self.x.shape[0]
        last = len(W) - 1
        acts = [self.x]  # the input of each layer
        h = self.x
        for i in range(last + 1):
            z = h @ W[i].T
            z += b[i]
            if i < last:
                h = xp.maximum(z, 0, out=z)
                acts.append(h)
        # softmax cross-entropy, shifted by the row max for stability
        z -= z.max(axis=1, keepdims=True)
        e = xp.exp(z)
        s = e.sum(axis=1, keepdims=True)
        loss = (xp.log(s[:, 0]) - z[rows, y]).mean()
        self.loss = float(loss) if xp is np else loss
        dz = e
        dz /= s
        dz[rows, y] -= 1
        dz /= n
        gW: list[np.ndarray] = [None] * (last + 1)  # type: ignore[list-item]
        gb: list[np.ndarray] = [None] * (last + 1)  # type: ignore[list-item]
        for i in range(last, -1, -1):
            a = acts[i]
            gW[i] = dz.T @ a
            gb[i] = dz.sum(axis=0)
            if i:
                dh = dz @ W[i]
                dh *= a > 0
                dz = dh
        lr = self.lr
        for i in range(last + 1):
            W[i] -= lr * gW[i]
            b[i] -= lr * gb[i]
        self.gW, self.gb = gW, gb

    def outputs(self) -> Outputs:
        out: Outputs = {"loss": self.loss}
        for i, (gw, gb, w, b) in enumerate(zip(self.gW, self.gb, self.W, self.b, strict=True)):
            out[f"grad:W{i}"], out[f"grad:b{i}"] = gw, gb
            out[f"param:W{i}"], out[f"param:b{i}"] = w, b
        return out


class ChainStep:
    """``length`` x (tanh, times c) forward, then the reverse sweep to dL/dx."""

    def __init__(self, spec: ChainSpec) -> None:
        self.x, self.c, self.length = spec.x.copy(), spec.c, spec.length
        self.loss = float("nan")
        self.grad = np.empty(0)

    def step(self) -> None:
        c = self.c
        h = self.x
        ts = []
        for _ in range(self.length):
            t = np.tanh(h)
            ts.append(t)
            h = t * c
        self.loss = float(h.sum())
        g = np.ones_like(h)
        for t in reversed(ts):
            g = (g * c) * (1.0 - t * t)
        self.grad = g

    def outputs(self) -> Outputs:
        return {"loss": self.loss, "grad:x": self.grad}


class RNNStep:
    """Forward through the steps keeping every state, then backprop through time:
    ``dz = dh (1 - h^2)``, ``dW_x += dz^T x_t``, ``dW_h += dz^T h_{t-1}``, ``db += sum_rows(dz)``,
    ``dh = dz W_h``."""

    def __init__(self, spec: RNNSpec) -> None:
        self.xs, self.wx, self.wh, self.b, self.r = spec.xs, spec.wx, spec.wh, spec.b, spec.r
        self.loss = float("nan")
        self.grads: dict[str, np.ndarray] = {}

    def step(self) -> None:
        xs, wx, wh, b = self.xs, self.wx, self.wh, self.b
        h = np.zeros((xs.shape[1], wh.shape[0]))
        hs = [h]
        for x in xs:
            z = x @ wx.T
            z += h @ wh.T
            z += b
            h = np.tanh(z, out=z)
            hs.append(h)
        self.loss = float((h * self.r).sum())
        gwx, gwh, gb = np.zeros_like(wx), np.zeros_like(wh), np.zeros_like(b)
        dh = self.r
        for t in range(len(xs) - 1, -1, -1):
            h = hs[t + 1]
            dz = dh * (1.0 - h * h)
            gwx += dz.T @ xs[t]
            gwh += dz.T @ hs[t]
            gb += dz.sum(axis=0)
            dh = dz @ wh
        self.grads = {"grad:Wx": gwx, "grad:Wh": gwh, "grad:b": gb}

    def outputs(self) -> Outputs:
        return {"loss": self.loss, **self.grads}


class ConvStep:
    """Conv2d (as im2col + matmul) + ReLU + MaxPool2d, backward to the weight and bias.

    Computed in (N, H, W, F) layout internally; the loss weights are permuted once at set-up.
    """

    def __init__(self, spec: ConvSpec) -> None:
        self.x = spec.x
        self.W = spec.weight.copy()
        self.b = spec.bias.copy()
        self.p = spec.pool
        self.r = np.ascontiguousarray(spec.r.transpose(0, 2, 3, 1))  # (N, Hp, Wp, F)
        self.loss = float("nan")
        self.gW = self.gb = np.empty(0)

    def step(self) -> None:
        x, W, p = self.x, self.W, self.p
        n, c, _, _ = x.shape
        f, _, kh, kw = W.shape
        win = sliding_window_view(x, (kh, kw), axis=(2, 3))  # (N, C, Ho, Wo, kh, kw), a view
        ho, wo = win.shape[2], win.shape[3]
        cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, c * kh * kw)
        z = cols @ W.reshape(f, -1).T
        z += self.b
        a = np.maximum(z, 0, out=z).reshape(n, ho // p, p, wo // p, p, f)
        pooled = a.max(axis=(2, 4))  # (N, Hp, Wp, F)
        self.loss = float((pooled * self.r).sum())
        # max-pool backward: route each window's gradient to its max (ReLU zeros get none below)
        mask = a == pooled[:, :, None, :, None, :]
        dz = mask * self.r[:, :, None, :, None, :]
        dz *= a > 0
        dz2 = dz.reshape(n * ho * wo, f)
        self.gW = (dz2.T @ cols).reshape(W.shape)
        self.gb = dz2.sum(axis=0)

    def outputs(self) -> Outputs:
        return {"loss": self.loss, "grad:weight": self.gW, "grad:bias": self.gb}


class AdamStep:
    """Adam over fixed gradients: state and parameters updated in place through one scratch
    buffer per parameter (no temporaries), as a careful hand-written loop would."""

    def __init__(self, spec: AdamSpec) -> None:
        self.params = [p.copy() for p in spec.params]
        self.grads = spec.grads
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.tmp = [np.empty_like(p) for p in self.params]
        self.lr, (self.b1, self.b2), self.eps = spec.lr, spec.betas, spec.eps
        self.names = spec.names
        self.t = 0

    def step(self) -> None:
        self.t += 1
        b1, b2, eps = self.b1, self.b2, self.eps
        step_size = self.lr / (1 - b1**self.t)
        bc2_sqrt = math.sqrt(1 - b2**self.t)
        for p, g, m, v, s in zip(self.params, self.grads, self.m, self.v, self.tmp, strict=True):
            m *= b1
            m += np.multiply(g, 1 - b1, out=s)
            v *= b2
            v += np.multiply(np.multiply(g, g, out=s), 1 - b2, out=s)
            np.sqrt(v, out=s)
            s /= bc2_sqrt
            s += eps  # s = sqrt(v / (1 - b2^t)) + eps
            np.divide(m, s, out=s)
            s *= step_size
            p -= s

    def outputs(self) -> Outputs:
        return {f"param:{k}": p for k, p in zip(self.names, self.params, strict=True)}


def scalar_mlp_reference(spec: ScalarMLPSpec) -> Outputs:
    """Loss and gradients of the neuron-by-neuron MLP, computed vectorised in float64."""
    h = spec.xs
    acts = [h]
    last = len(spec.weights) - 1
    for i, (w, b) in enumerate(zip(spec.weights, spec.biases, strict=True)):
        z = h @ w.T + b
        h = np.maximum(z, 0) if i < last else z
        acts.append(h)
    d = h[:, 0] - spec.ys
    out: Outputs = {"loss": float((d * d).sum())}
    dz = (2 * d)[:, None]
    for i in range(last, -1, -1):
        out[f"grad:W{i}"] = dz.T @ acts[i]
        out[f"grad:b{i}"] = dz.sum(axis=0)
        if i:
            dz = (dz @ spec.weights[i]) * (acts[i] > 0)
    return out


def deep_chain_reference(spec: DeepChainSpec) -> Outputs:
    """``y = (n + 1) x`` summed one addition at a time, so rounding matches the engines."""
    y = spec.x0
    for _ in range(spec.n):
        y = y + spec.x0
    return {"loss": y, "grad:x": float(spec.n + 1)}


def run_reference(workload: MLPStep | ChainStep | RNNStep | ConvStep | AdamStep, steps: int
                  ) -> Outputs:
    for _ in range(steps):
        workload.step()
    return workload.outputs()


class OpStep:
    """The NumPy calls of one op's forward and backward (issue 13's per-op floor)."""

    def __init__(self, spec: OpSpec) -> None:
        self.op, self.x, self.w = spec.op, spec.x.copy(), spec.w
        self.out = self.grad = np.empty(0)

    def step(self) -> None:
        x, w = self.x, self.w
        if self.op == "cumsum":
            self.out = np.cumsum(x, axis=-1)
            self.grad = np.flip(np.cumsum(np.flip(w, -1), axis=-1), -1)
        else:  # sort: stable argsort, gather; backward scatters w to where each value came from
            idx = np.argsort(x, axis=-1, kind="stable")
            self.out = np.take_along_axis(x, idx, -1)
            g = np.zeros_like(x)
            np.put_along_axis(g, idx, w, -1)
            self.grad = g

    def outputs(self) -> Outputs:
        return {"out": self.out, "grad:x": self.grad}


BUILDERS = {"mlp": MLPStep, "chain": ChainStep, "rnn": RNNStep, "conv": ConvStep, "adam": AdamStep,
            "op": OpStep}
