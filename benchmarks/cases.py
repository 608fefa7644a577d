"""The benchmark cases (issues 7, 14): what each does, sizes, baseline, targets, tolerances."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import baselines_numpy as bn
from . import specs


@dataclass(frozen=True)
class Target:
    """Goal for tapegrad's median time over the baseline's (a goal for the report, never a test).

    ``ratio=None``: the goal is only that tapegrad completes.
    """

    ratio: float | None
    text: str


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # which workload builder each engine uses
    title: str
    make: Callable[[bool], Any]  # quick -> spec
    baseline: str  # engine whose median is the denominator of the ratios
    engines: tuple[str, ...]
    reference: Callable[[Any, int], dict[str, Any]]  # (spec, steps) -> NumPy outputs
    rtol: float  # max |a - b| / max|b|, per output
    target: Target | None = None
    verify_steps: int = 1
    gc: str | None = None  # "on"/"off": timed with the collector so, whatever ``--gc`` says
    one_step: bool = False  # each timed sample is one step (no calibrated inner loop)

    def gc_on(self, default: bool) -> bool:
        return default if self.gc is None else self.gc == "on"

    def label(self, gc_on: bool) -> str:
        """The case name with the collector mode it was timed under, as the report shows it."""
        mode = "gc on" if gc_on else "gc off"
        return f"{self.name} [{mode}, 1 step/sample]" if self.one_step else f"{self.name} [{mode}]"


def _numpy_ref(cls: Any) -> Callable[[Any, int], dict[str, Any]]:
    return lambda spec, steps: bn.run_reference(cls(spec), steps)


TENSOR_ENGINES = ("tapegrad", "compiled", "numpy", "torch")
SCALAR_ENGINES = ("tapegrad", "compiled", "micrograd", "torch")
F32 = 2e-5  # float32: a few ulps of accumulated rounding in different summation orders
F64 = 1e-10

CASES: dict[str, Case] = {
    c.name: c
    for c in (
        Case(
            "mlp_tiny", "mlp", "train step 2-16-16-2 MLP, batch 32, float32 (SGD)",
            lambda q: specs.mlp_spec((2, 16, 16, 2), 32, seed=1),
            "numpy", TENSOR_ENGINES, _numpy_ref(bn.MLPStep), F32, Target(2.0, "<= 2.0 x numpy"),
        ),
        Case(
            "mlp_mnist", "mlp", "train step 784-256-128-10 MLP, batch 64, float32 (SGD)",
            lambda q: specs.mlp_spec((784, 256, 128, 10), 64, seed=2),
            "numpy", TENSOR_ENGINES, _numpy_ref(bn.MLPStep), F32,
            Target(1.08, "<= 1.08 x numpy"),
        ),
        Case(
            "mlp_mnist_b1", "mlp", "train step 784-256-128-10 MLP, batch 1, float32 (SGD)",
            lambda q: specs.mlp_spec((784, 256, 128, 10), 1, seed=8),
            "numpy", TENSOR_ENGINES, _numpy_ref(bn.MLPStep), F32,
            Target(1.15, "<= 1.15 x numpy"),
        ),
        Case(
            "mlp_wide", "mlp", "train step 1024-1024-1024-10 MLP, batch 256, float32 (SGD)",
            lambda q: specs.mlp_spec((256, 256, 256, 10) if q else (1024, 1024, 1024, 10),
                                     64 if q else 256, seed=3),
            "numpy", TENSOR_ENGINES, _numpy_ref(bn.MLPStep), F32,
            Target(1.02, "<= 1.02 x numpy"),
        ),
        Case(
            "chain", "chain", "100 x (tanh, * const) on a 16-vector, float64, fwd+bwd",
            lambda q: specs.chain_spec(100, 16, seed=4),
            "numpy", TENSOR_ENGINES, _numpy_ref(bn.ChainStep), F64, Target(2.0, "<= 2.0 x numpy"),
        ),
        Case(
            "rnn", "rnn", "50-step tanh RNN cell, batch 4, 16 -> hidden 32, float64, fwd+bwd",
            lambda q: specs.rnn_spec(50, 4, 16, 32, seed=9),
            "numpy", TENSOR_ENGINES, _numpy_ref(bn.RNNStep), F64, Target(2.0, "<= 2.0 x numpy"),
        ),
        Case(
            "deep_chain", "deep_chain", "100,000 scalar additions y = y + x, fwd+bwd",
            lambda q: specs.deep_chain_spec(2_000 if q else 100_000),
            "micrograd", SCALAR_ENGINES, lambda s, k: bn.deep_chain_reference(s), F64,
            Target(None, "completes (micrograd fails past ~1000 nodes)"),
        ),
        Case(
            "deep_chain_short", "deep_chain", "500 scalar additions (micrograd can run it)",
            lambda q: specs.deep_chain_spec(500),
            "micrograd", SCALAR_ENGINES, lambda s, k: bn.deep_chain_reference(s), F64,
            Target(1.0, "<= 1.0 x micrograd"),
        ),
        Case(
            "scalar_mlp", "scalar_mlp", "neuron-by-neuron MLP(2,[16,16,1]) on 8 points, fwd+bwd",
            lambda q: specs.scalar_mlp_spec((2, 16, 16, 1), 8, seed=5),
            "micrograd", SCALAR_ENGINES, lambda s, k: bn.scalar_mlp_reference(s), F64,
            Target(0.5, "<= 0.5 x micrograd"), gc="off",
        ),
        Case(
            "scalar_mlp_gc", "scalar_mlp", "scalar_mlp with the collector on, one step per sample "
            "(what a script pays)",
            lambda q: specs.scalar_mlp_spec((2, 16, 16, 1), 8, seed=5),
            "micrograd", SCALAR_ENGINES, lambda s, k: bn.scalar_mlp_reference(s), F64,
            Target(0.5, "<= 0.5 x micrograd"), gc="on", one_step=True,
        ),
        Case(
            "conv", "conv", "Conv2d(3->16, 3x3)+ReLU+MaxPool2d(2) on 32x3x32x32, f32, fwd+bwd",
            lambda q: specs.conv_spec(4 if q else 32, 3, 16 if q else 32, 16, 3, seed=6),
            "numpy", TENSOR_ENGINES, _numpy_ref(bn.ConvStep), F32,
            Target(1.10, "<= 1.10 x numpy"),
        ),
        Case(
            "adam_step", "adam", "Adam step over the 784-256-128-10 MLP's parameters, float32",
            lambda q: specs.adam_spec((784, 256, 128, 10), seed=7),
            "numpy", TENSOR_ENGINES, _numpy_ref(bn.AdamStep), F32, Target(1.02, "<= 1.02 x numpy"),
            verify_steps=3,
        ),
        # issue 13: a new op on a (64, 64) float64 input vs the NumPy calls of its fwd + bwd
        Case(
            "op_cumsum", "op", "x.cumsum(-1) on 64x64 float64, backward(w)",
            lambda q: specs.op_spec("cumsum", 64, seed=8),
            "numpy", TENSOR_ENGINES, _numpy_ref(bn.OpStep), F64, Target(1.3, "<= 1.3 x numpy"),
        ),
        Case(
            "op_sort", "op", "x.sort(dim=-1).values on 64x64 float64, backward(w)",
            lambda q: specs.op_spec("sort", 64, seed=9),
            "numpy", TENSOR_ENGINES, _numpy_ref(bn.OpStep), F64, Target(1.3, "<= 1.3 x numpy"),
        ),
    )
}
