"""One rank of the ``ddp`` benchmark (run under ``mpiexec -n N python -m benchmarks.ddp_worker``).

Trains mlp_mnist (784-256-128-10, float32, SGD) data-parallel with a fixed *global* batch split
evenly over the ranks, and prints one JSON line (rank 0): steps/s samples (each the slowest
rank's), the time per step spent finishing the gradient averaging (waiting for the allreduce and
copying back), the allreduce bandwidth for a buffer of the model's gradient size, and, on one
process, the step rate of the plain model at the per-rank batch (the compute-only ideal).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread per rank: the ranks are the parallelism

import numpy as np  # noqa: E402

SIZES = (784, 256, 128, 10)


def _model(spec: Any) -> Any:
    import nn

    layers: list[Any] = []
    for w, b in zip(spec.weights, spec.biases):
        lin = nn.Linear(w.shape[1], w.shape[0]).to(spec.dtype)
        lin.weight.data[...] = w
        lin.bias.data[...] = b
        layers += [lin, nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def _rate(step: Any, steps: int, repeats: int, sync: Any,
          cpu: list[tuple[float, float]] | None = None) -> list[float]:
    """``repeats`` samples of steps/s over ``steps`` steps (the slowest rank's time); appends
    this rank's (CPU seconds per step, CPU time / wall time) of each sample to ``cpu``: what a
    step costs regardless of load, and how much of a core the process got."""
    out = []
    for _ in range(repeats):
        sync()
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(steps):
            step()
        wall = time.perf_counter() - t0
        if cpu is not None:
            used = time.process_time() - c0
            cpu.append((used / steps, used / wall))
        out.append(steps / sync(wall))
    return out


def _cpu_ms(cpu: list[tuple[float, float]]) -> float:
    return float(np.median([c[0] for c in cpu]) * 1e3)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.ddp_worker")
    p.add_argument("--global-batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--repeats", type=int, default=5)
    a = p.parse_args(argv)

    import autograd as ag
    import autograd.distributed as dist
    import nn
    import optim

    from . import specs

    dist.init_process_group("mpi", world_size=dist.launched_by_mpi() or 1, timeout=300)
    rank, world = dist.get_rank(), dist.get_world_size()

    def sync(t: float = 0.0) -> float:
        m = ag.tensor([t])
        dist.all_reduce(m, op=dist.ReduceOp.MAX)
        return m.item()

    spec = specs.mlp_spec(SIZES, a.global_batch, seed=2)
    lo, hi = a.global_batch * rank // world, a.global_batch * (rank + 1) // world
    x, y = ag.tensor(spec.x[lo:hi]), ag.tensor(spec.y[lo:hi])
    ddp = nn.parallel.DistributedDataParallel(_model(spec))
    opt = optim.SGD(ddp.parameters(), lr=spec.lr)
    finish_time = [0.0]
    finish = ddp._finish

    def timed_finish() -> None:  # the end-of-backward averaging: wait + divide + copy back
        t0 = time.perf_counter()
        finish()
        finish_time[0] += time.perf_counter() - t0
    ddp._finish = timed_finish  # type: ignore[method-assign]
    loss_fn = nn.CrossEntropyLoss()

    def step() -> None:
        opt.zero_grad()
        loss_fn(ddp(x), y).backward()
        opt.step()

    for _ in range(3):
        step()  # warm-up
    finish_time[0] = 0.0
    cpu: list[tuple[float, float]] = []
    load_before = os.getloadavg()[0]
    rates = _rate(step, a.steps, a.repeats, sync, cpu)
    finish_per_step = sync(finish_time[0] / (a.steps * a.repeats))

    grad_bytes = sum(int(np.prod(p.shape)) * 4 for p in ddp.parameters())
    buf = ag.zeros(grad_bytes // 4, dtype=np.float32)
    dist.all_reduce(buf)
    n_ar = 50
    sync()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(n_ar):
        dist.all_reduce(buf)
    ar_cpu = (time.process_time() - c0) / n_ar
    ar_time = sync(time.perf_counter() - t0) / n_ar

    result: dict[str, Any] = {
        "world": world, "global_batch": a.global_batch, "local_batch": hi - lo,
        "steps_per_s": rates, "finish_s_per_step": finish_per_step,
        "grad_bytes": grad_bytes, "buckets": len(ddp._buckets),
        "allreduce_s": ar_time, "allreduce_gbps": grad_bytes / ar_time / 1e9,
        # CPU time / wall time of rank 0's timed steps (1.0: it had a core to itself; waits
        # spin, so in a multi-rank run this includes waiting) and the 1-minute load average
        "cpu_fraction": float(np.median([c[1] for c in cpu])), "loadavg": load_before,
        # CPU milliseconds (rank 0): per DDP step, and per allreduce (waits spin: an upper bound)
        "cpu_ms_per_step": _cpu_ms(cpu), "allreduce_cpu_ms": ar_cpu * 1e3,
    }
    if world == 1:  # the compute-only ideal: a plain model (no DDP) at the global batch and at
        # each rank's batch of a 2-rank run
        for key, n in (("plain_full", a.global_batch), ("plain_half", a.global_batch // 2)):
            plain = _model(spec)
            popt = optim.SGD(plain.parameters(), lr=spec.lr)
            xh, yh = ag.tensor(spec.x[:n]), ag.tensor(spec.y[:n])

            def plain_step(plain: Any = plain, popt: Any = popt, xh: Any = xh,
                           yh: Any = yh) -> None:
                popt.zero_grad()
                loss_fn(plain(xh), yh).backward()
                popt.step()
            for _ in range(3):
                plain_step()
            pcpu: list[tuple[float, float]] = []
            result[key + "_batch_steps_per_s"] = _rate(plain_step, a.steps, a.repeats, sync, pcpu)
            result[key + "_cpu_ms_per_step"] = _cpu_ms(pcpu)
    if rank == 0:
        print("DDP_RESULT " + json.dumps(result), flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
