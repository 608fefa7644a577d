"""Peak memory of N mlp_mnist training steps, tapegrad vs the hand-written NumPy loop.

Each engine runs in a fresh subprocess (``python -m benchmarks.memory ENGINE STEPS``) that imports
the same modules (NumPy, autograd, nn, optim) before building its model, so the interpreter's own
footprint is the same on both sides.  Measured two ways, in separate runs:

* peak resident set size (the number the target is about), plus how much it grew during the
  training loop.  On Linux this is ``VmHWM`` from ``/proc/self/status``, the high-water mark of
  the child's own address space: ``getrusage(RUSAGE_SELF).ru_maxrss`` is *not* usable there,
  because Linux carries the parent's high-water mark across ``fork``/``execve`` (the child would
  report the parent's footprint, torch included).  Elsewhere ``ru_maxrss`` is used;
* ``tracemalloc`` peak during the loop (Python and NumPy allocations, live state included).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

MIB = 1024 * 1024


def peak_rss() -> tuple[int, str]:
    """(peak resident set size of this process in bytes, how it was measured)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024, "VmHWM"
    except OSError:
        pass
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (r if sys.platform == "darwin" else r * 1024), "ru_maxrss"


def child(engine: str, steps: int, quick: bool, trace: bool) -> dict[str, Any]:
    import tracemalloc

    from . import baselines_numpy, engine_tapegrad
    from .cases import CASES

    engine_tapegrad.api()  # import nn / optim in both children alike
    spec = CASES["mlp_mnist"].make(quick)
    cls = engine_tapegrad.MLPStep if engine == "tapegrad" else baselines_numpy.MLPStep
    if trace:
        tracemalloc.start()
    w = cls(spec)
    w.step()  # one step outside the loop: first-call allocations (BLAS buffers) on both sides
    res: dict[str, Any] = {"engine": engine, "steps": steps}
    before, _ = peak_rss()
    if trace:
        tracemalloc.reset_peak()
    for _ in range(steps):
        w.step()
    if trace:
        res["tracemalloc_peak_mib"] = tracemalloc.get_traced_memory()[1] / MIB
        tracemalloc.stop()
    else:
        peak, how = peak_rss()
        res["rss_method"] = how
        res["peak_rss_mib"] = peak / MIB
        res["loop_rss_growth_mib"] = (peak - before) / MIB
    return res


def _spawn(engine: str, steps: int, quick: bool, trace: bool) -> dict[str, Any]:
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-m", "benchmarks.memory", engine, str(steps)]
    cmd += ["--quick"] if quick else []
    cmd += ["--tracemalloc"] if trace else []
    out = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"memory child for {engine} failed:\n{out.stderr.strip()[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_memory(steps: int, quick: bool, trace: bool = True) -> dict[str, Any]:
    """Run the children; returns a dict for the report (``{"error": ...}`` if a child failed)."""
    try:
        res: dict[str, Any] = {"steps": steps}
        for engine in ("numpy", "tapegrad"):
            r = _spawn(engine, steps, quick, False)
            if trace:
                r.update(_spawn(engine, steps, quick, True))
            res[engine] = r
        res["method"] = res["numpy"]["rss_method"] + (" + tracemalloc" if trace else "")
        res["rss_ratio"] = res["tapegrad"]["peak_rss_mib"] / res["numpy"]["peak_rss_mib"]
        if trace:
            res["tracemalloc_ratio"] = (res["tapegrad"]["tracemalloc_peak_mib"]
                                        / res["numpy"]["tracemalloc_peak_mib"])
        return res
    except (RuntimeError, OSError, subprocess.SubprocessError, ValueError, KeyError) as e:
        return {"error": str(e), "steps": steps}


def main(argv: list[str] | None = None) -> None:
    import argparse

    p = argparse.ArgumentParser(prog="python -m benchmarks.memory")
    p.add_argument("engine", choices=("numpy", "tapegrad"))
    p.add_argument("steps", type=int)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--tracemalloc", action="store_true")
    a = p.parse_args(argv)
    print(json.dumps(child(a.engine, a.steps, a.quick, a.tracemalloc)))


if __name__ == "__main__":
    main()
