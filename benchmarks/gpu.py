"""``python -m benchmarks --device cuda``: float32 MLP training steps on a GPU.

The floor is hand-written CuPy backprop (the textbook formulas of ``baselines_numpy.MLPStep``,
on CuPy arrays, updating in place); tapegrad runs the same step through ``nn``/``optim`` on
``cuda`` tensors, and PyTorch CUDA beside them when installed.  GPU work is asynchronous, so a
sample is ``n`` steps followed by a device synchronize, divided by ``n``; nothing reads the loss
back to the host inside the timed loop (that would add a sync per step to every engine).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# (name, layer sizes, batch, target ratio to hand-written CuPy): issue #17's table
CASES: list[tuple[str, list[int], int, float]] = [
    ("mlp_784_b64", [784, 256, 128, 10], 64, 1.3),
    ("mlp_1024_b256", [1024, 1024, 1024, 10], 256, 1.2),
    ("mlp_4096_b1024", [4096, 4096, 4096, 10], 1024, 1.05),
    ("mlp_8192_b4096", [8192, 8192, 8192, 10], 4096, 1.02),
]
LR = 0.01


@dataclass
class Problem:
    """Host data for one case: the same initial weights and batch for every engine."""

    sizes: list[int]
    x: Any
    y: Any
    weights: list[Any]
    biases: list[Any]


def make_problem(sizes: list[int], batch: int, seed: int = 0) -> Problem:
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch)
    ws = [(rng.standard_normal((o, i)) / np.sqrt(i)).astype(np.float32)
          for i, o in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros(o, np.float32) for o in sizes[1:]]
    return Problem(sizes, x, y, ws, bs)


class CuPyStep:
    """Hand-written backprop on CuPy arrays: ``baselines_numpy.MLPStep`` (the textbook formulas,
    updating in place) with CuPy as its array module."""

    def __init__(self, p: Problem, xp: Any = None) -> None:
        from .baselines_numpy import MLPStep
        from .specs import MLPSpec

        if xp is None:
            import cupy as xp
        self.cp = xp  # (tests pass the stand-in device's module)
        spec = MLPSpec(tuple(p.sizes), p.x.shape[0], p.x.dtype, LR, xp.asarray(p.x),
                       xp.asarray(p.y), [xp.asarray(w) for w in p.weights],
                       [xp.asarray(b) for b in p.biases])
        self.floor = MLPStep(spec, xp=xp)

    def step(self) -> None:
        self.floor.step()

    def sync(self) -> None:
        self.cp.cuda.Device().synchronize()

    def first_weight(self) -> Any:
        return self.floor.W[0].get()

    def loss_value(self) -> float:
        return float(self.floor.loss.get())


class TapegradStep:
    """The same step through ``nn.Linear``/``nn.ReLU``, ``cross_entropy`` and ``optim.SGD``."""

    def __init__(self, p: Problem) -> None:
        import autograd as ag
        import nn
        import optim

        layers: list[Any] = []
        for i, (w, b) in enumerate(zip(p.weights, p.biases)):
            lin = nn.Linear(w.shape[1], w.shape[0], dtype="float32")
            lin.weight.data = ag.tensor(w)
            lin.bias.data = ag.tensor(b)
            layers.append(lin)
            if i < len(p.weights) - 1:
                layers.append(nn.ReLU())
        self.model = nn.Sequential(*layers).to("cuda")
        self.x = ag.tensor(p.x, device="cuda")
        self.y = ag.tensor(p.y, device="cuda")
        self.opt = optim.SGD(self.model.parameters(), lr=LR)
        self.F, self.ag = nn.functional, ag
        self.loss: Any = None

    def step(self) -> None:
        self.opt.zero_grad()
        loss = self.F.cross_entropy(self.model(self.x), self.y)
        loss.backward()
        self.opt.step()
        self.loss = loss

    def sync(self) -> None:
        self.ag.cuda.synchronize()

    def first_weight(self) -> Any:
        return self.model[0].weight.detach().cpu().numpy()

    def loss_value(self) -> float:
        return float(self.loss)


class TorchStep:
    """PyTorch CUDA: ``torch.nn.Linear``, ``F.cross_entropy``, ``torch.optim.SGD``."""

    def __init__(self, p: Problem) -> None:
        import torch

        self.torch = torch
        layers: list[Any] = []
        for i, (w, b) in enumerate(zip(p.weights, p.biases)):
            lin = torch.nn.Linear(w.shape[1], w.shape[0])
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(w))
                lin.bias.copy_(torch.from_numpy(b))
            layers.append(lin)
            if i < len(p.weights) - 1:
                layers.append(torch.nn.ReLU())
        self.model = torch.nn.Sequential(*layers).cuda()
        self.x = torch.from_numpy(p.x).cuda()
        self.y = torch.from_numpy(p.y).cuda()
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LR)
        self.loss: Any = None

    def step(self) -> None:
        self.opt.zero_grad(set_to_none=True)
        loss = self.torch.nn.functional.cross_entropy(self.model(self.x), self.y)
        loss.backward()
        self.opt.step()
        self.loss = loss

    def sync(self) -> None:
        self.torch.cuda.synchronize()

    def first_weight(self) -> Any:
        return self.model[0].weight.detach().cpu().numpy()


def time_step(eng: Any, repeats: int, warmup: int, min_time: float) -> dict[str, float]:
    """Median seconds per step over ``repeats`` samples of ``n`` steps (calibrated to about
    ``min_time`` seconds each), each sample ended by a device synchronize."""
    for _ in range(warmup):
        eng.step()
    eng.sync()
    n, t = 1, 0.0
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            eng.step()
        eng.sync()
        t = time.perf_counter() - t0
        if t >= min_time or n >= 1 << 14:
            break
        n *= 2
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            eng.step()
        eng.sync()
        samples.append((time.perf_counter() - t0) / n)
    q = statistics.quantiles(samples, n=4) if len(samples) > 1 else samples * 3
    return {"median_s": statistics.median(samples), "q1_s": q[0], "q3_s": q[-1], "inner": n}


def agree(engines: dict[str, Callable[[], Any]], steps: int = 3) -> dict[str, float]:
    """Max relative difference of the first layer's weights after ``steps`` steps, each engine
    against the CuPy floor (all start from the same weights and batch)."""
    import numpy as np

    ref = None
    out = {}
    for name, make in engines.items():
        eng = make()
        for _ in range(steps):
            eng.step()
        w = eng.first_weight()
        if ref is None:
            ref = w
        out[name] = float(np.max(np.abs(w - ref)) / (np.max(np.abs(ref)) + 1e-30))
    return out


def _fmt(s: float) -> str:
    return f"{s * 1e6:.1f} µs" if s < 1e-3 else f"{s * 1e3:.3f} ms"


def run(quick: bool = False, repeats: int | None = None, json_path: str | None = None,
        case_names: list[str] | None = None) -> list[dict[str, Any]]:
    """Run the GPU cases, print a Markdown table, optionally write JSON; returns the rows."""
    import autograd as ag

    if not ag.cuda.is_available():
        raise SystemExit("python -m benchmarks --device cuda: no GPU (CuPy and an NVIDIA GPU are "
                         "needed: pip install tapegrad[cuda])")
    try:
        import torch

        has_torch = torch.cuda.is_available()
    except ImportError:
        has_torch = False
    reps = repeats or (3 if quick else 7)
    min_time = 0.02 if quick else 0.1
    rows: list[dict[str, Any]] = []
    print("| case | hand-written CuPy | tapegrad | ratio | target | torch | torch ratio | "
          "agreement (max rel. diff, 3 steps) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, sizes, batch, target in CASES:
        if case_names and name not in case_names:
            continue
        p = make_problem(sizes, batch)
        makers: dict[str, Callable[[], Any]] = {
            "cupy": lambda p=p: CuPyStep(p), "tapegrad": lambda p=p: TapegradStep(p)}
        if has_torch:
            makers["torch"] = lambda p=p: TorchStep(p)
        try:
            diffs = agree(makers)
            times = {k: time_step(make(), reps, 3, min_time) for k, make in makers.items()}
        except Exception as e:  # report the failing case and go on with the others
            print(f"| {name} | error: {type(e).__name__}: {e} |||||||", flush=True)
            rows.append({"case": name, "error": f"{type(e).__name__}: {e}"})
            continue
        base = times["cupy"]["median_s"]
        row = {"case": name, "sizes": sizes, "batch": batch, "target": target, "times": times,
               "ratio": times["tapegrad"]["median_s"] / base, "agreement": diffs}
        tr = times["torch"]["median_s"] / base if has_torch else None
        row["torch_ratio"] = tr
        met = "met" if row["ratio"] <= target else "missed"
        print(f"| {name} | {_fmt(base)} | {_fmt(times['tapegrad']['median_s'])} | "
              f"{row['ratio']:.3f}x | ≤ {target} {met} | "
              f"{_fmt(times['torch']['median_s']) if has_torch else '–'} | "
              f"{f'{tr:.3f}x' if tr is not None else '–'} | "
              f"tapegrad {diffs['tapegrad']:.1e}"
              f"{', torch ' + format(diffs['torch'], '.1e') if has_torch else ''} |", flush=True)
        rows.append(row)
    if json_path:
        from autograd._files import atomic_write

        text = json.dumps({"device": "cuda", "rows": rows}, indent=1).encode()
        atomic_write(json_path, lambda f: f.write(text))
    return rows
