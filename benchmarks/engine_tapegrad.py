"""tapegrad workloads, written as a user would: ``nn``/``optim`` when this tree has them.

Where a module is not there yet the case falls back to raw autograd ops (``x @ W.T + b``,
``autograd.relu``, a log-sum-exp cross-entropy, an SGD loop over ``p.data``) so the harness runs
on every tree; :func:`api` says which path each case took and the report prints it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import scalar_model
from .engines import Unsupported
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


@dataclass(frozen=True)
class Api:
    """Which PyTorch-style pieces this tree provides (``None`` where missing)."""

    nn: Any
    F: Any
    optim: Any

    def has(self, mod: str, name: str) -> bool:
        return getattr(getattr(self, mod), name, None) is not None


def _try_import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


_API: Api | None = None


def api() -> Api:
    global _API
    if _API is None:
        nn = _try_import("nn")
        F = _try_import("nn.functional") if nn is not None else None
        _API = Api(nn, F, _try_import("optim"))
    return _API


def _np(t: Any) -> Any:
    """A Tensor (or a gradient Tensor) as a NumPy value, copied."""
    return np.array(t.detach().numpy(), copy=True)


# --------------------------------------------------------------------------------- MLP step
def _cross_entropy_raw(ag: Any, logits: Any, onehot: Any, n: int) -> Any:
    """Mean softmax cross-entropy from primitives.  The row max is a constant shift (the loss
    and its gradient do not depend on it), so it is taken from the data, outside the graph."""
    zs = logits - logits.detach().numpy().max(axis=1, keepdims=True)
    lse = ag.log(ag.exp(zs).sum(axis=1, keepdims=True))
    return -(onehot * (zs - lse)).sum() / n


class MLPStep:
    """One training step: zero_grad, forward, cross-entropy, backward, SGD."""

    def __init__(self, spec: MLPSpec) -> None:
        import autograd as ag

        a = api()
        self.ag, self.lr = ag, spec.lr
        self.x = ag.Tensor(spec.x)
        self.y = ag.Tensor(spec.y)
        self.n = spec.batch
        self.paths: list[str] = []
        if a.has("nn", "Linear") and a.has("nn", "Sequential") and a.has("nn", "ReLU"):
            nn = a.nn
            layers: list[Any] = []
            self.linears = []
            for w, b in zip(spec.weights, spec.biases, strict=True):
                lin = nn.Linear(w.shape[1], w.shape[0])
                if tuple(lin.weight.shape) != w.shape:
                    raise Unsupported(f"nn.Linear weight has shape {tuple(lin.weight.shape)}, "
                                      f"expected (out, in) = {w.shape}")
                lin.weight.data = w.copy()
                lin.bias.data = b.copy()
                self.linears.append(lin)
                layers += [lin, nn.ReLU()]
            self.model = nn.Sequential(*layers[:-1])
            self.params = [p for lin in self.linears for p in (lin.weight, lin.bias)]
            self.paths.append("nn.Linear")
        else:
            self.model = None
            self.params = []
            for w, b in zip(spec.weights, spec.biases, strict=True):
                self.params += [ag.Tensor(w.copy(), requires_grad=True),
                                ag.Tensor(b.copy(), requires_grad=True)]
            self.paths.append("raw matmul")
        if a.has("F", "cross_entropy"):
            self.ce = lambda logits: a.F.cross_entropy(logits, self.y)
            self.paths.append("F.cross_entropy")
        else:
            onehot = ag.Tensor(np.eye(spec.sizes[-1], dtype=spec.dtype)[spec.y])
            self.ce = lambda logits: _cross_entropy_raw(ag, logits, onehot, self.n)
            self.paths.append("raw log-sum-exp CE")
        if a.has("optim", "SGD"):
            self.opt = a.optim.SGD(self.params, lr=spec.lr)
            self.paths.append("optim.SGD")
        else:
            self.opt = None
            self.paths.append("raw SGD on .data")
        self.loss: Any = None

    def forward(self, x: Any) -> Any:
        if self.model is not None:
            return self.model(x)
        ag = self.ag
        p = self.params
        last = len(p) // 2 - 1
        h = x
        for i in range(last + 1):
            h = h @ p[2 * i].T + p[2 * i + 1]
            if i < last:
                h = ag.relu(h)
        return h

    def step(self) -> None:
        opt = self.opt
        if opt is not None:
            opt.zero_grad()
        else:
            for p in self.params:
                p.grad = None
        loss = self.compute_loss()
        loss.backward()
        if opt is not None:
            opt.step()
        else:
            lr = self.lr
            for p in self.params:
                p.data -= lr * p.grad.data
        self.loss = loss

    def compute_loss(self) -> Any:
        """The forward: the compiled engine replaces this one method."""
        return self.ce(self.forward(self.x))

    def outputs(self) -> Outputs:
        out: Outputs = {"loss": float(self.loss.item())}
        for i in range(len(self.params) // 2):
            w, b = self.params[2 * i], self.params[2 * i + 1]
            out[f"grad:W{i}"], out[f"grad:b{i}"] = _np(w.grad), _np(b.grad)
            out[f"param:W{i}"], out[f"param:b{i}"] = _np(w), _np(b)
        return out

    def describe(self) -> str:
        return " + ".join(self.paths)


# ------------------------------------------------------------------------------ chains
class ChainStep:
    def __init__(self, spec: ChainSpec) -> None:
        import autograd as ag

        self.tanh, self.c, self.length = ag.tanh, spec.c, spec.length
        self.x = ag.Tensor(spec.x.copy(), requires_grad=True)
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
    """A tanh RNN cell written out as a user would: ``tanh(x @ Wx.T + h @ Wh.T + b)``."""

    def __init__(self, spec: RNNSpec) -> None:
        import autograd as ag

        self.tanh = ag.tanh
        self.xs = [ag.Tensor(x) for x in spec.xs]
        self.wx, self.wh, self.b = (ag.Tensor(a.copy(), requires_grad=True)
                                    for a in (spec.wx, spec.wh, spec.b))
        self.r = ag.Tensor(spec.r)
        self.h0 = ag.zeros(spec.r.shape, dtype=spec.r.dtype)
        self.loss: Any = None

    def step(self) -> None:
        tanh, wx, wh, b = self.tanh, self.wx, self.wh, self.b
        wx.grad = wh.grad = b.grad = None
        h = self.h0
        for x in self.xs:
            h = tanh(x @ wx.T + h @ wh.T + b)
        loss = (h * self.r).sum()
        loss.backward()
        self.loss = loss

    def outputs(self) -> Outputs:
        return {"loss": float(self.loss.item()), "grad:Wx": _np(self.wx.grad),
                "grad:Wh": _np(self.wh.grad), "grad:b": _np(self.b.grad)}


class DeepChainStep:
    def __init__(self, spec: DeepChainSpec) -> None:
        import autograd as ag

        self.x: Any = ag.Tensor(float(spec.x0), requires_grad=True)  # a Python float: scalar path
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
    def __init__(self, spec: ScalarMLPSpec) -> None:
        import autograd as ag

        self.relu = ag.relu
        self.layers = scalar_model.build(spec, lambda v: ag.Tensor(v, requires_grad=True))
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


# ------------------------------------------------------------------------------------ conv
class ConvStep:
    def __init__(self, spec: ConvSpec) -> None:
        import autograd as ag

        a = api()
        missing = [n for n in ("Conv2d", "MaxPool2d", "ReLU") if not a.has("nn", n)]
        if missing:
            raise Unsupported("needs nn." + ", nn.".join(missing) + " (not in this tree yet)")
        f, c, kh, _ = spec.weight.shape
        self.conv = a.nn.Conv2d(c, f, kh)
        if tuple(self.conv.weight.shape) != spec.weight.shape:
            raise Unsupported(f"nn.Conv2d weight has shape {tuple(self.conv.weight.shape)}, "
                              f"expected {spec.weight.shape}")
        self.conv.weight.data = spec.weight.copy()
        self.conv.bias.data = spec.bias.copy()
        self.model = a.nn.Sequential(self.conv, a.nn.ReLU(), a.nn.MaxPool2d(spec.pool))
        self.x, self.r = ag.Tensor(spec.x), ag.Tensor(spec.r)
        self.loss: Any = None

    def step(self) -> None:
        self.conv.weight.grad = self.conv.bias.grad = None
        loss = (self.model(self.x) * self.r).sum()
        loss.backward()
        self.loss = loss

    def outputs(self) -> Outputs:
        return {"loss": float(self.loss.item()), "grad:weight": _np(self.conv.weight.grad),
                "grad:bias": _np(self.conv.bias.grad)}


# ------------------------------------------------------------------------------------ adam
class AdamStep:
    def __init__(self, spec: AdamSpec) -> None:
        import autograd as ag

        a = api()
        if not a.has("optim", "Adam"):
            raise Unsupported("needs optim.Adam (not in this tree yet)")
        self.params = []
        for p, g in zip(spec.params, spec.grads, strict=True):
            t = ag.Tensor(p.copy(), requires_grad=True)
            t.grad = ag.Tensor(g.copy())
            self.params.append(t)
        self.names = spec.names
        self.opt = a.optim.Adam(self.params, lr=spec.lr, betas=spec.betas, eps=spec.eps)

    def step(self) -> None:
        self.opt.step()

    def outputs(self) -> Outputs:
        return {f"param:{k}": _np(p) for k, p in zip(self.names, self.params, strict=True)}


class OpStep:
    def __init__(self, spec: OpSpec) -> None:
        import autograd as ag

        self.x = ag.Tensor(spec.x.copy(), requires_grad=True)
        self.w = ag.Tensor(spec.w)
        self.op = spec.op
        self.out: Any = None

    def step(self) -> None:
        self.x.grad = None
        y = self.x.cumsum(-1) if self.op == "cumsum" else self.x.sort(dim=-1).values
        y.backward(self.w)
        self.out = y

    def outputs(self) -> Outputs:
        return {"out": _np(self.out), "grad:x": _np(self.x.grad)}


BUILDERS = {
    "mlp": MLPStep, "chain": ChainStep, "rnn": RNNStep, "deep_chain": DeepChainStep,
    "scalar_mlp": ScalarMLPStep, "conv": ConvStep, "adam": AdamStep, "op": OpStep,
}
