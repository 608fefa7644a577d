"""PyTorch CPU workloads: idiomatic ``torch.nn`` / ``torch.optim`` code on the same numbers."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import scalar_model
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

Outputs = dict[str, Any]


def _t(a: np.ndarray, requires_grad: bool = False) -> Any:
    import torch

    return torch.from_numpy(a.copy()).requires_grad_(requires_grad)


def _np(t: Any) -> np.ndarray:
    return t.detach().numpy().copy()


class MLPStep:
    def __init__(self, spec: MLPSpec) -> None:
        import torch

        self.torch = torch
        dt = getattr(torch, str(spec.dtype))
        layers: list[Any] = []
        self.linears = []
        for w, b in zip(spec.weights, spec.biases, strict=True):
            lin = torch.nn.Linear(w.shape[1], w.shape[0], dtype=dt)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(w))
                lin.bias.copy_(torch.from_numpy(b))
            self.linears.append(lin)
            layers += [lin, torch.nn.ReLU()]
        self.model = torch.nn.Sequential(*layers[:-1])
        self.opt = torch.optim.SGD(self.model.parameters(), lr=spec.lr)
        self.x, self.y = _t(spec.x), _t(spec.y)
        self.loss: Any = None

    def step(self) -> None:
        self.opt.zero_grad()
        loss = self.torch.nn.functional.cross_entropy(self.model(self.x), self.y)
        loss.backward()
        self.opt.step()
        self.loss = loss

    def outputs(self) -> Outputs:
        out: Outputs = {"loss": float(self.loss.item())}
        for i, lin in enumerate(self.linears):
            out[f"grad:W{i}"], out[f"grad:b{i}"] = _np(lin.weight.grad), _np(lin.bias.grad)
            out[f"param:W{i}"], out[f"param:b{i}"] = _np(lin.weight), _np(lin.bias)
        return out


class ChainStep:
    def __init__(self, spec: ChainSpec) -> None:
        import torch

        self.tanh, self.c, self.length = torch.tanh, spec.c, spec.length
        self.x = _t(spec.x, True)
        self.loss: Any = None

    def step(self) -> None:
        tanh, c = self.tanh, self.c
        self.x.grad = None
        h = self.x
        for _ in range(self.length):
            h = tanh(h) * c
        loss = h.sum()
        loss.backward()
        self.loss = loss

    def outputs(self) -> Outputs:
        return {"loss": float(self.loss.item()), "grad:x": _np(self.x.grad)}


class RNNStep:
    def __init__(self, spec: RNNSpec) -> None:
        import torch

        self.torch = torch
        self.xs = [_t(x) for x in spec.xs]
        self.wx, self.wh, self.b = _t(spec.wx, True), _t(spec.wh, True), _t(spec.b, True)
        self.r = _t(spec.r)
        self.loss: Any = None

    def step(self) -> None:
        wx, wh, b = self.wx, self.wh, self.b
        wx.grad = wh.grad = b.grad = None
        h = self.torch.zeros(self.r.shape, dtype=self.r.dtype)
        for x in self.xs:
            h = self.torch.tanh(x @ wx.T + h @ wh.T + b)
        loss = (h * self.r).sum()
        loss.backward()
        self.loss = loss

    def outputs(self) -> Outputs:
        return {"loss": float(self.loss.item()), "grad:Wx": _np(self.wx.grad),
                "grad:Wh": _np(self.wh.grad), "grad:b": _np(self.b.grad)}


class DeepChainStep:
    def __init__(self, spec: DeepChainSpec) -> None:
        import torch

        self.x: Any = torch.tensor(spec.x0, dtype=torch.float64, requires_grad=True)
        self.n = spec.n
        self.loss: Any = None

    def step(self) -> None:
        x = self.x
        x.grad = None
        y = x
        for _ in range(self.n):
            y = y + x
        y.backward()
        self.loss = y

    def outputs(self) -> Outputs:
        return {"loss": float(self.loss.item()), "grad:x": float(self.x.grad.item())}


class ScalarMLPStep:
    """0-d float64 tensors, neuron by neuron (what PyTorch costs on the micrograd workload)."""

    def __init__(self, spec: ScalarMLPSpec) -> None:
        import torch

        self.relu = torch.relu
        self.layers = scalar_model.build(
            spec, lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)
        )
        self.params = scalar_model.parameters(self.layers)
        self.xs, self.ys = spec.xs.tolist(), spec.ys.tolist()
        self.loss: Any = None

    def step(self) -> None:
        for p in self.params:
            p.grad = None
        loss = scalar_model.loss(self.layers, self.xs, self.ys, self.relu)
        loss.backward()
        self.loss = loss

    def outputs(self) -> Outputs:
        out: Outputs = {"loss": float(self.loss.item())}
        out.update(scalar_model.grads_by_name(self.layers, lambda p: p.grad.item()))
        return out


class ConvStep:
    def __init__(self, spec: ConvSpec) -> None:
        import torch

        self.torch = torch
        f, c, kh, _ = spec.weight.shape
        conv: Any = torch.nn.Conv2d(c, f, kh, dtype=getattr(torch, str(spec.weight.dtype)))
        with torch.no_grad():
            conv.weight.copy_(torch.from_numpy(spec.weight))
            conv.bias.copy_(torch.from_numpy(spec.bias))
        self.conv = conv
        self.model = torch.nn.Sequential(self.conv, torch.nn.ReLU(), torch.nn.MaxPool2d(spec.pool))
        self.x, self.r = _t(spec.x), _t(spec.r)
        self.loss: Any = None

    def step(self) -> None:
        self.conv.weight.grad = self.conv.bias.grad = None
        loss = (self.model(self.x) * self.r).sum()
        loss.backward()
        self.loss = loss

    def outputs(self) -> Outputs:
        return {"loss": float(self.loss.item()), "grad:weight": _np(self.conv.weight.grad),
                "grad:bias": _np(self.conv.bias.grad)}


class AdamStep:
    def __init__(self, spec: AdamSpec) -> None:
        import torch

        self.params = []
        for p, g in zip(spec.params, spec.grads, strict=True):
            t = _t(p, True)
            t.grad = _t(g)
            self.params.append(t)
        self.names = spec.names
        self.opt = torch.optim.Adam(self.params, lr=spec.lr, betas=spec.betas, eps=spec.eps)

    def step(self) -> None:
        self.opt.step()

    def outputs(self) -> Outputs:
        return {f"param:{k}": _np(p) for k, p in zip(self.names, self.params, strict=True)}


class OpStep:
    def __init__(self, spec: OpSpec) -> None:
        self.x = _t(spec.x, True)
        self.w = _t(spec.w)
        self.op = spec.op
        self.out: Any = None

    def step(self) -> None:
        self.x.grad = None
        y = self.x.cumsum(-1) if self.op == "cumsum" else self.x.sort(dim=-1, stable=True).values
        y.backward(self.w)
        self.out = y

    def outputs(self) -> Outputs:
        return {"out": _np(self.out), "grad:x": _np(self.x.grad)}


BUILDERS = {
    "mlp": MLPStep, "chain": ChainStep, "rnn": RNNStep, "deep_chain": DeepChainStep,
    "scalar_mlp": ScalarMLPStep, "conv": ConvStep, "adam": AdamStep, "op": OpStep,
}
