"""The micrograd workload, written once for any scalar type (tapegrad, micrograd, 0-d torch).

``act = b + w0*x0 + w1*x1 + ...`` neuron by neuron (the order micrograd's ``Neuron`` uses), ReLU on
hidden layers, loss = sum over the points of ``(out - y) ** 2``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .specs import ScalarMLPSpec

Layer = tuple[list[list[Any]], list[Any]]


def build(spec: ScalarMLPSpec, make_param: Callable[[float], Any]) -> list[Layer]:
    """The model's parameters as ``make_param(value)`` objects, rows of ``W`` then ``b``."""
    layers = []
    for w, b in zip(spec.weights, spec.biases, strict=True):
        rows = [[make_param(v) for v in row] for row in w.tolist()]
        layers.append((rows, [make_param(v) for v in b.tolist()]))
    return layers


def parameters(layers: list[Layer]) -> list[Any]:
    return [p for rows, bs in layers for p in [q for r in rows for q in r] + bs]


def loss(layers: list[Layer], xs: list[list[float]], ys: list[float],
         relu: Callable[[Any], Any]) -> Any:
    last = len(layers) - 1
    terms = []
    for xrow, y in zip(xs, ys, strict=True):
        h: list[Any] = xrow
        for i, (rows, bs) in enumerate(layers):
            out = []
            for wrow, b in zip(rows, bs, strict=True):
                act = sum((wi * hi for wi, hi in zip(wrow, h, strict=True)), b)
                out.append(relu(act) if i < last else act)
            h = out
        terms.append((h[0] - y) ** 2)
    return sum(terms[1:], terms[0])


def grads_by_name(layers: list[Layer], grad_of: Callable[[Any], float]) -> dict[str, Any]:
    """Gradients as arrays named like the NumPy reference (``grad:W0``, ``grad:b0``, ...)."""
    import numpy as np

    out: dict[str, Any] = {}
    for i, (rows, bs) in enumerate(layers):
        out[f"grad:W{i}"] = np.array([[grad_of(p) for p in r] for r in rows])
        out[f"grad:b{i}"] = np.array([grad_of(p) for p in bs])
    return out
