"""micrograd (Karpathy's scalar engine) on the scalar cases."""

from __future__ import annotations

from typing import Any

from . import scalar_model
from .specs import DeepChainSpec, ScalarMLPSpec

Outputs = dict[str, Any]


class DeepChainStep:
    """micrograd's ``backward`` sorts the graph with a recursive DFS: past ~1000 nodes it raises
    RecursionError, which the harness reports as 'fails'."""

    def __init__(self, spec: DeepChainSpec) -> None:
        from micrograd.engine import Value

        self.x = Value(spec.x0)
        self.n = spec.n
        self.loss: Any = None

    def step(self) -> None:
        x = self.x
        x.grad = 0
        y = x
        for _ in range(self.n):
            y = y + x
        y.backward()
        self.loss = y

    def outputs(self) -> Outputs:
        return {"loss": float(self.loss.data), "grad:x": float(self.x.grad)}


class ScalarMLPStep:
    def __init__(self, spec: ScalarMLPSpec) -> None:
        from micrograd.engine import Value

        self.layers = scalar_model.build(spec, Value)
        self.params = scalar_model.parameters(self.layers)
        self.xs, self.ys = spec.xs.tolist(), spec.ys.tolist()
        self.loss: Any = None

    def step(self) -> None:
        for p in self.params:
            p.grad = 0
        loss = scalar_model.loss(self.layers, self.xs, self.ys, lambda v: v.relu())
        loss.backward()
        self.loss = loss

    def outputs(self) -> Outputs:
        out: Outputs = {"loss": float(self.loss.data)}
        out.update(scalar_model.grads_by_name(self.layers, lambda p: float(p.grad)))
        return out


BUILDERS = {"deep_chain": DeepChainStep, "scalar_mlp": ScalarMLPStep}
