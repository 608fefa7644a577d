"""Per-operation overhead: what recording and walking one operation costs above its own work.

A plain chain ``y = y * c`` (``c`` a Python float) of ``n`` operations from one leaf, on a
Python-float scalar and on a 16-element float64 array, in every engine that is installed:

* forward microseconds per op *above* the same loop on plain floats / NumPy arrays (the work
  itself), i.e. the cost of making the output object and its record;
* backward microseconds per record: ``backward()`` over the chain divided by ``n`` (this includes
  each rule's own float / NumPy multiply, as it does in every engine).

Each figure is the median of ``repeats`` fresh graphs, garbage collector off.  These are the
numbers that explain the small cases (``scalar_mlp``, ``chain``, ``mlp_tiny``).
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .engines import ENGINES

C = 0.999


@dataclass
class Overhead:
    engine: str
    kind: str  # "scalar" or "array16"
    forward_us: float  # per op, above the plain float / NumPy loop
    backward_us: float  # per record

    def as_dict(self) -> dict[str, Any]:
        return {"engine": self.engine, "kind": self.kind, "forward_us_per_op": self.forward_us,
                "backward_us_per_record": self.backward_us}


def _floor(x0: Any, n: int) -> float:
    y = x0
    t0 = time.perf_counter()
    for _ in range(n):
        y = y * C
    return time.perf_counter() - t0


def _chain(leaf: Any, n: int, backward: Callable[[Any], None]) -> tuple[float, float]:
    y = leaf
    t0 = time.perf_counter()
    for _ in range(n):
        y = y * C
    t1 = time.perf_counter()
    backward(y)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def _makers(kind: str) -> dict[str, tuple[Callable[[], Any], Callable[[Any], None]]]:
    """engine -> (fresh leaf, backward) for the engines installed here."""
    out: dict[str, tuple[Callable[[], Any], Callable[[Any], None]]] = {}
    arr = np.linspace(-1.0, 1.0, 16)
    import autograd as ag

    if kind == "scalar":
        out["tapegrad"] = (lambda: ag.Tensor(0.5, requires_grad=True), lambda y: y.backward())
    else:
        out["tapegrad"] = (lambda: ag.Tensor(arr.copy(), requires_grad=True),
                           lambda y: y.backward(np.ones(16)))
    if ENGINES["torch"].available()[0]:
        import torch

        if kind == "scalar":
            out["torch"] = (lambda: torch.tensor(0.5, dtype=torch.float64, requires_grad=True),
                            lambda y: y.backward())
        else:
            ones = torch.ones(16, dtype=torch.float64)
            out["torch"] = (lambda: torch.tensor(arr, requires_grad=True),
                            lambda y: y.backward(ones))
    if kind == "scalar" and ENGINES["micrograd"].available()[0]:
        from micrograd.engine import Value

        out["micrograd"] = (lambda: Value(0.5), lambda y: y.backward())
    return out


def measure_overhead(n: int = 500, repeats: int = 21) -> list[Overhead]:
    """Per-op forward overhead and backward cost for each engine, scalars and 16-arrays.

    ``n`` stays below micrograd's recursion limit (its topological sort recurses per node).
    """
    res = []
    was = gc.isenabled()
    gc.disable()
    try:
        for kind in ("scalar", "array16"):
            x0: Any = 0.5 if kind == "scalar" else np.linspace(-1.0, 1.0, 16)
            for engine, (leaf, bwd) in _makers(kind).items():
                fl, fw, bw = [], [], []
                for _ in range(repeats):
                    fl.append(_floor(x0, n))
                    f, b = _chain(leaf(), n, bwd)
                    fw.append(f)
                    bw.append(b)
                    gc.collect()
                floor = statistics.median(fl)
                res.append(Overhead(engine, kind, (statistics.median(fw) - floor) / n * 1e6,
                                    statistics.median(bw) / n * 1e6))
    finally:
        if was:
            gc.enable()
    return res


def lines(results: list[Overhead]) -> str:
    """One line per kind: tapegrad's figures with the other engines' beside them."""
    out = ["overhead per recorded op (chain y = y * c; forward us/op above the plain float/NumPy "
           "loop, backward us/record):"]
    for kind, label in (("scalar", "scalars (Python float / 0-d)"), ("array16", "16-element f64")):
        cells = [f"{r.engine} +{r.forward_us:.2f} / {r.backward_us:.2f}"
                 for r in results if r.kind == kind]
        out.append(f"  {label}: " + "; ".join(cells))
    return "\n".join(out)


if __name__ == "__main__":  # python -m benchmarks.overhead
    print(lines(measure_overhead()))
