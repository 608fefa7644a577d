"""``python -m benchmarks``: run the cases, print the table, optionally write JSON and a chart.

Thread counts are fixed before NumPy (or torch) is imported: ``--threads N`` (default 1) sets
OPENBLAS/OMP/MKL/VECLIB/NUMEXPR thread variables that are not already set, and torch uses the
same count, so every engine runs with the same parallelism.
"""

from __future__ import annotations

import argparse
import os
import sys

_CASE_NAMES = ("mlp_tiny", "mlp_mnist", "mlp_mnist_b1", "mlp_wide", "chain", "rnn", "deep_chain",
               "deep_chain_short", "scalar_mlp", "scalar_mlp_gc", "conv", "adam_step", "op_cumsum",
               "op_sort")
_GPU_CASES = ("mlp_784_b64", "mlp_1024_b256", "mlp_4096_b1024", "mlp_8192_b4096")
_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="tapegrad micro-benchmarks against hand-written NumPy, PyTorch and micrograd",
    )
    p.add_argument("--quick", action="store_true",
                   help="few repeats and smaller sizes (a smoke run, not for quoting)")
    p.add_argument("--case", action="append",
                   choices=_CASE_NAMES + ("memory", "overhead", "ddp") + _GPU_CASES,
                   metavar="NAME", help="run only this case (repeatable): "
                   + ", ".join(_CASE_NAMES)
                   + ", memory, overhead, ddp (mlp_mnist on 1 and 2 MPI processes)")
    p.add_argument("--engine", action="append",
                   choices=("tapegrad", "compiled", "numpy", "torch", "micrograd"),
                   help="run only these engines (plus each case's baseline); repeatable")
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                   help="cpu: the cases above (default); cuda: float32 MLP training steps on a GPU "
                        "against hand-written CuPy (and PyTorch CUDA when installed), "
                        "benchmarks.gpu; takes --case mlp_784_b64 ... , --quick, --repeats, --json")
    p.add_argument("--json", metavar="PATH", help="write the results as JSON")
    p.add_argument("--plot", metavar="PATH", help="write a PNG bar chart of the ratios")
    p.add_argument("--threads", type=int, default=None,
                   help="BLAS/OpenMP/torch threads (default: 1, unless the environment sets them)")
    p.add_argument("--repeats", type=int, help="timed samples per engine (default 11, quick 3)")
    p.add_argument("--warmup", type=int, help="untimed warm-up steps (default 2, quick 1)")
    p.add_argument("--min-time", type=float,
                   help="seconds per sample; the inner loop is calibrated to it (default 0.05)")
    p.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                   help="wall: time.perf_counter (default); cpu: time.process_time, steadier on a "
                        "loaded machine (single-threaded runs only)")
    p.add_argument("--gc", choices=("off", "on"), default="off",
                   help="garbage collector while timing: off (default, as timeit) or on (what a "
                        "program pays, e.g. for micrograd's reference cycles); cases that fix "
                        "their own mode (scalar_mlp off, scalar_mlp_gc on) keep it")
    p.add_argument("--memory-steps", type=int, default=None,
                   help="mlp_mnist steps for the memory check (default 200, quick 20)")
    p.add_argument("--profile", type=int, metavar="N", default=0,
                   help="also cProfile tapegrad on each case and print the top N functions")
    p.add_argument("--profile-dir", metavar="DIR", help="save the .prof files there")
    p.add_argument("--no-overhead", action="store_true",
                   help="skip the per-op overhead measurement (benchmarks.overhead)")
    a = p.parse_args(argv)
    # argparse errors (exit status 2) rather than a traceback or a meaningless run later; checked
    # here, not with autograd._cli's types: importing autograd would load NumPy before the
    # thread counts are set
    for name, low in (("threads", 1), ("repeats", 1), ("warmup", 0), ("memory_steps", 1),
                      ("profile", 0)):
        value = getattr(a, name)
        if value is not None and value < low:
            p.error(f"argument --{name.replace('_', '-')}: must be at least {low}, got {value}")
    if a.min_time is not None and not 0 <= a.min_time < float("inf"):
        p.error(f"argument --min-time: must be a finite number of seconds >= 0, got "
                f"{a.min_time}")
    return a


def set_threads(n: int | None) -> str:
    """Fix thread counts before NumPy loads; returns a note for the report header."""
    if n is not None:
        for k in _THREAD_VARS:
            os.environ[k] = str(n)
        note = f"--threads {n}"
    else:
        preset = [k for k in _THREAD_VARS if k in os.environ]
        for k in _THREAD_VARS:
            os.environ.setdefault(k, "1")
        note = "default 1" if not preset else "from the environment: " + ", ".join(preset)
    if "numpy" in sys.modules:
        note += "; NumPy was imported before these were set, its BLAS may ignore them"
    return note


def main(argv: list[str] | None = None) -> int:
    a = parse(argv)
    note = set_threads(a.threads)
    if a.device == "cuda":
        from .gpu import run as run_gpu

        run_gpu(quick=a.quick, repeats=a.repeats, json_path=a.json, case_names=a.case)
        return 0

    from . import report
    from .engines import ENGINES
    from .harness import Settings, run
    from .memory import measure_memory
    from .profiling import profile_case

    if ENGINES["torch"].available()[0]:
        import torch

        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    if a.clock == "cpu" and int(os.environ["OMP_NUM_THREADS"]) > 1:
        print("warning: --clock cpu adds up the CPU time of every thread; use it with --threads 1",
              file=sys.stderr)
    s = Settings(quick=a.quick, clock=a.clock, gc_on=a.gc == "on")
    s.repeats = a.repeats if a.repeats is not None else (3 if a.quick else 11)
    s.warmup = a.warmup if a.warmup is not None else (1 if a.quick else 2)
    s.min_time = a.min_time if a.min_time is not None else (0.01 if a.quick else 0.05)
    wanted = a.case or list(_CASE_NAMES) + ["memory", "overhead", "ddp"]
    names = [n for n in _CASE_NAMES if n in wanted]

    meta = report.environment(note)
    meta["settings"] = {"quick": s.quick, "repeats": s.repeats, "warmup": s.warmup,
                        "min_time": s.min_time, "clock": s.clock, "gc": a.gc}
    engines = tuple(a.engine) if a.engine else None
    results = run(names, s, engines)
    mem = None
    if "memory" in wanted:
        steps = a.memory_steps if a.memory_steps is not None else (20 if a.quick else 200)
        print(f"  memory: {steps} mlp_mnist steps per engine ...", file=sys.stderr, flush=True)
        mem = measure_memory(steps, a.quick)
    over = None
    if not a.no_overhead and (a.case is None or "overhead" in wanted):
        from .overhead import measure_overhead

        print("  overhead: per-op chains ...", file=sys.stderr, flush=True)
        over = measure_overhead(repeats=5 if a.quick else 21)
    ddp = None
    if "ddp" in wanted:
        from .ddp import format_ddp, measure_ddp

        print("  ddp: mlp_mnist on 1 and 2 MPI processes ...", file=sys.stderr, flush=True)
        ddp = measure_ddp(a.quick)
    report.print_report(meta, results, mem, over)
    if ddp is not None:
        print("\n" + format_ddp(ddp))
    if a.json:
        report.to_json(meta, results, mem, a.json, over)
        if ddp is not None:  # one more top-level entry next to "cases" and "memory"
            import json

            with open(a.json, encoding="utf-8") as f:
                doc = json.load(f)
            doc["ddp"] = ddp
            with open(a.json, "w", encoding="utf-8") as f:
                json.dump(doc, f, indent=2)
        print(f"\nJSON written to {a.json}")
    if a.plot:
        print("\n" + report.plot(results, a.plot))
    if a.profile:
        print("\ncProfile of tapegrad per case (sorted by own time):")
        for n in names:
            print("\n" + profile_case(n, a.quick, a.profile, dump_dir=a.profile_dir))
    bad = [r for res in results for r in res.rows if r.status in ("MISMATCH", "error")]
    if bad:
        print("\nFAILED: " + "; ".join(f"{r.case}/{r.engine}: {r.status} {r.note}" for r in bad),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
