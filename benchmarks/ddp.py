"""The ``ddp`` benchmark: data-parallel mlp_mnist on 1 and 2 MPI processes.

``python -m benchmarks --case ddp`` launches ``mpiexec -n 1`` and ``mpiexec -n 2`` runs of
:mod:`benchmarks.ddp_worker` (alternately, ``rounds`` times, so that a change in the machine's
load hits both), and reports steps/s and samples/s at a fixed global batch of 128, the speed-up
and scaling efficiency of 2 processes over 1, the time per step spent finishing the gradient
averaging, the measured allreduce bandwidth, and the compute-only ideal (a plain model at the
per-rank batch of 64).  Needs the ``dist`` extra (mpi4py + an MPI with ``mpiexec``).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _mpiexec() -> str | None:
    return shutil.which("mpiexec") or shutil.which("mpiexec", path=str(Path(sys.executable).parent))


def _launch(n: int, steps: int, repeats: int, timeout: float) -> dict[str, Any]:
    exe = _mpiexec()
    assert exe is not None
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    out = subprocess.run(
        [exe, "-n", str(n), sys.executable, "-m", "benchmarks.ddp_worker", "--steps", str(steps),
         "--repeats", str(repeats)],
        capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT,
    )
    for line in out.stdout.splitlines():
        if line.startswith("DDP_RESULT "):
            return dict(json.loads(line[len("DDP_RESULT "):]))
    raise RuntimeError(f"ddp worker on {n} process(es) failed:\n{out.stdout}\n{out.stderr}")


def measure_ddp(quick: bool, rounds: int | None = None) -> dict[str, Any]:
    """Run the 1- and 2-process workers; returns the raw samples and the summary figures.

    ``{"skipped": reason}`` when mpi4py or mpiexec is missing.
    """
    import importlib.util

    if importlib.util.find_spec("mpi4py") is None or _mpiexec() is None:
        return {"skipped": 'needs mpi4py and mpiexec: pip install -e ".[dist]"'}
    rounds = rounds if rounds is not None else (1 if quick else 3)
    steps, repeats = (5, 2) if quick else (30, 5)
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    for _ in range(rounds):
        for n in (1, 2):
            runs[n].append(_launch(n, steps, repeats, timeout=600))
    return summarise(runs)


def summarise(runs: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    """Medians over every sample of every round, and the derived ratios."""
    def med(n: int, key: str) -> float:
        vals = [v for r in runs[n] for v in (r[key] if isinstance(r[key], list) else [r[key]])]
        return float(statistics.median(vals))

    def best(n: int, key: str) -> float:
        return float(max(v for r in runs[n] for v in r[key]))

    one, two = med(1, "steps_per_s"), med(2, "steps_per_s")
    batch = runs[1][0]["global_batch"]
    plain_half = med(1, "plain_half_batch_steps_per_s")
    cpu_full, cpu_half = med(1, "plain_full_cpu_ms_per_step"), med(1, "plain_half_cpu_ms_per_step")
    bookkeeping = max(0.0, med(1, "cpu_ms_per_step") - cpu_full)
    ar_cpu = med(2, "allreduce_cpu_ms")
    return {
        "global_batch": batch,
        "grad_bytes": runs[1][0]["grad_bytes"], "buckets": runs[2][0]["buckets"],
        "steps_per_s": {"1": one, "2": two},
        "best_steps_per_s": {"1": best(1, "steps_per_s"), "2": best(2, "steps_per_s")},
        "samples_per_s": {"1": one * batch, "2": two * batch},
        "speedup": two / one, "efficiency": two / one / 2,
        "plain_steps_per_s": med(1, "plain_full_batch_steps_per_s"),
        "speedup_vs_plain": two / med(1, "plain_full_batch_steps_per_s"),
        "finish_ms_per_step": {"1": med(1, "finish_s_per_step") * 1e3,
                               "2": med(2, "finish_s_per_step") * 1e3},
        "allreduce_ms": med(2, "allreduce_s") * 1e3,
        "allreduce_gbps": med(2, "allreduce_gbps"),
        "ideal_speedup": plain_half / med(1, "plain_full_batch_steps_per_s"),
        "cpu_fraction_1": med(1, "cpu_fraction"),
        # an estimate from CPU times (less load-sensitive): one process without DDP at the global
        # batch, over one rank's compute + DDP's bookkeeping + the allreduce's CPU time
        "cpu_ms": {"plain_full": cpu_full, "plain_half": cpu_half, "ddp_bookkeeping": bookkeeping,
                   "allreduce": ar_cpu},
        "cpu_estimate_speedup": cpu_full / (cpu_half + bookkeeping + ar_cpu),
        "loadavg": [r["loadavg"] for n in (1, 2) for r in runs[n]],
        "runs": {str(k): v for k, v in runs.items()},
    }


def format_ddp(res: dict[str, Any]) -> str:
    """The report's ddp section."""
    if "skipped" in res:
        return f"ddp: skipped ({res['skipped']})"
    b = res["global_batch"]
    lines = [
        f"ddp: mlp_mnist 784-256-128-10 float32, SGD, global batch {b} split over the processes "
        f"({res['grad_bytes'] / 1e6:.2f} MB of gradients in {res['buckets']} bucket(s)); "
        "medians over all samples",
        f"  {'processes':>9}  {'batch/rank':>10}  {'steps/s':>8}  {'best':>8}  {'samples/s':>9}  "
        f"{'averaging ms/step':>17}",
    ]
    for n in ("1", "2"):
        lines.append(
            f"  {n:>9}  {b // int(n):>10}  {res['steps_per_s'][n]:8.1f}  "
            f"{res['best_steps_per_s'][n]:8.1f}  {res['samples_per_s'][n]:9.0f}  "
            f"{res['finish_ms_per_step'][n]:17.2f}"
        )
    lines += [
        f"  speed-up of 2 processes: {res['speedup']:.2f}x (scaling efficiency "
        f"{res['efficiency']:.0%}; target >= 1.6x); over one process without DDP "
        f"({res['plain_steps_per_s']:.1f} steps/s): {res['speedup_vs_plain']:.2f}x; compute-only "
        f"ideal {res['ideal_speedup']:.2f}x (one process at batch {b // 2} without communication)",
        f"  allreduce of the {res['grad_bytes'] / 1e6:.2f} MB gradient on 2 processes: "
        f"{res['allreduce_ms']:.2f} ms ({res['allreduce_gbps']:.2f} GB/s algorithm bandwidth)",
        "  per step (medians): " + "; ".join(
            f"{n} process(es): {1e3 / res['steps_per_s'][n]:.2f} ms, of which "
            f"{res['finish_ms_per_step'][n]:.2f} ms finishing the averaging" for n in ("1", "2"))
        + f" (the allreduce alone: {res['allreduce_ms']:.2f} ms; the rest is copying and "
        "waiting for the slower rank)",
        "  from CPU times (less sensitive to load than wall times, not immune): one step costs "
        f"{res['cpu_ms']['plain_full']:.2f} ms at batch {b} and {res['cpu_ms']['plain_half']:.2f} "
        f"ms at {b // 2} without DDP; DDP's bookkeeping {res['cpu_ms']['ddp_bookkeeping']:.2f} ms; "
        f"the allreduce {res['cpu_ms']['allreduce']:.2f} ms per rank (waits spin: an upper "
        f"bound) -> estimated {res['cpu_estimate_speedup']:.2f}x on an idle 2-core machine",
        f"  machine: {os.cpu_count()} CPU(s), 1-minute load average "
        f"{min(res['loadavg']):.1f}..{max(res['loadavg']):.1f} during the runs; the 1-process run "
        f"got {res['cpu_fraction_1']:.0%} of a core (below ~95%: other processes compete, and "
        "2 ranks that must meet at every step suffer most)",
    ]
    return "\n".join(lines)
