"""The report: environment header, the table, JSON and an optional bar chart of the ratios."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from .engines import ENGINES
from .harness import CaseResult, Row

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _blas() -> str:
    import numpy as np

    try:
        cfg = np.show_config(mode="dicts")  # NumPy >= 1.25
        b = cfg["Build Dependencies"]["blas"]
        return f"{b.get('name', '?')} {b.get('version', '')}".strip()
    except Exception:
        return "unknown"


def _git_commit() -> str:
    try:
        here = Path(__file__).resolve().parent.parent
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=here,
                             capture_output=True, text=True, timeout=5)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def environment(threads_note: str) -> dict[str, Any]:
    import numpy as np

    meta: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu_name(),
        "cpu_count": os.cpu_count(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "numpy": np.__version__,
        "blas": _blas(),
        "thread_env": {k: os.environ.get(k) for k in THREAD_VARS},
        "threads_note": threads_note,
        "tapegrad_commit": _git_commit(),
        "engines": {},
    }
    for name, eng in ENGINES.items():
        ok, version = eng.available()
        meta["engines"][name] = version if ok else f"unavailable: {version}"
    if ENGINES["torch"].available()[0]:
        import torch

        meta["torch_threads"] = torch.get_num_threads()
    return meta


def header(meta: dict[str, Any]) -> str:
    env = ", ".join(f"{k}={v}" for k, v in meta["thread_env"].items() if v is not None) or "unset"
    eng = ", ".join(f"{k} {v}" for k, v in meta["engines"].items())
    lines = [
        f"CPU: {meta['cpu']} ({meta['cpu_count']} logical CPUs); {meta['platform']}"
        + (f"; load average at start {meta['load_average'][0]:.2f}"
           if meta.get("load_average") else ""),
        f"Python {meta['python']}; NumPy {meta['numpy']} ({meta['blas']}); tapegrad @ "
        f"{meta['tapegrad_commit']}",
        f"engines: {eng}",
        f"threads: {env}" + (f"; torch threads {meta['torch_threads']}"
                             if "torch_threads" in meta else "") + f" ({meta['threads_note']})",
        f"timing: median of {meta['settings']['repeats']} samples (each >= "
        f"{meta['settings']['min_time'] * 1e3:.0f} ms of back-to-back steps, after "
        f"{meta['settings']['warmup']} warm-up steps), "
        + ("time.perf_counter" if meta["settings"].get("clock", "wall") == "wall"
           else "time.process_time (CPU time)")
        + (", gc enabled while timing" if meta["settings"].get("gc") == "on"
           else ", gc disabled while timing") + " unless the case label says otherwise;"
        + f" spread = interquartile range{' [--quick sizes]' if meta['settings']['quick'] else ''}",
    ]
    return "\n".join(lines)


def fmt_time(t: float) -> str:
    if t >= 1:
        return f"{t:.3f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.3f} ms"
    return f"{t * 1e6:.1f} us"


def _verdict(row: Row, res: CaseResult) -> str:
    target = res.case.target
    if row.engine != "tapegrad" or target is None:
        return ""
    if target.ratio is None:
        return "met" if row.status == "ok" else "MISSED"
    if row.ratio is None:
        return "n/a"
    return "met" if row.ratio <= target.ratio else "MISSED"


def table(results: list[CaseResult]) -> str:
    head = ("case", "engine", "median", "IQR (q1 - q3)", "ratio", "target", "check", "note")
    body: list[tuple[str, ...]] = []
    for res in results:
        for r in res.rows:
            if r.timing is not None:
                med = fmt_time(r.timing.median)
                iqr = f"{fmt_time(r.timing.q1)} - {fmt_time(r.timing.q3)}"
            else:
                med, iqr = r.status, ""
            ratio = "baseline" if r.is_baseline and r.timing else (
                f"{r.ratio:.2f}x" if r.ratio is not None else "n/a")
            target = ""
            if r.engine == "tapegrad" and res.case.target is not None:
                target = f"{res.case.target.text}: {_verdict(r, res)}"
            chk = "" if r.check is None else (
                f"ok {r.check.max_err:.0e}" if r.check.ok else f"MISMATCH {r.check.max_err:.0e}")
            body.append((res.label, r.engine, med, iqr, ratio, target, chk, r.note))
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head) - 1)]
    out = []
    for k, row in enumerate([head, *body]):
        cells = [c.ljust(w) for c, w in zip(row, widths, strict=False)] + [row[-1]]
        out.append("  ".join(cells).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths) + "  ----")
    return "\n".join(out)


def memory_lines(mem: dict[str, Any]) -> str:
    if "error" in mem:
        return f"memory: not measured ({mem['error']})"
    t, n = mem["tapegrad"], mem["numpy"]
    lines = [
        f"memory: {mem['steps']} mlp_mnist steps, each engine in a fresh subprocess importing the "
        "same modules",
        f"  peak RSS ({t['rss_method']}): tapegrad {t['peak_rss_mib']:.1f} MiB, numpy "
        f"{n['peak_rss_mib']:.1f} MiB -> ratio {mem['rss_ratio']:.3f} (target <= 1.2: "
        f"{'met' if mem['rss_ratio'] <= 1.2 else 'MISSED'})",
        f"  RSS growth during the loop: tapegrad {t['loop_rss_growth_mib']:.1f} MiB, numpy "
        f"{n['loop_rss_growth_mib']:.1f} MiB",
    ]
    if "tracemalloc_peak_mib" in t:
        lines.append(
            f"  tracemalloc peak during the loop (separate runs): tapegrad "
            f"{t['tracemalloc_peak_mib']:.2f} MiB, numpy {n['tracemalloc_peak_mib']:.2f} MiB -> "
            f"ratio {mem['tracemalloc_ratio']:.3f}"
        )
    return "\n".join(lines)


def to_json(meta: dict[str, Any], results: list[CaseResult], mem: dict[str, Any] | None,
            path: str, overhead: list[Any] | None = None) -> None:
    doc = {
        "meta": meta,
        "cases": [
            {"case": r.case.name, "label": r.label, "gc": "on" if r.gc_on else "off",
             "title": r.case.title, "baseline": r.case.baseline,
             "target": None if r.case.target is None else
             {"ratio": r.case.target.ratio, "text": r.case.target.text},
             "rows": [row.as_dict() | {"target_verdict": _verdict(row, r) or None}
                      for row in r.rows]}
            for r in results
        ],
        "memory": mem,
        "overhead": None if overhead is None else [o.as_dict() for o in overhead],
    }
    Path(path).write_text(json.dumps(doc, indent=2, default=str) + "\n")


def plot(results: list[CaseResult], path: str) -> str:
    """Bar chart of each engine's ratio to its case's baseline (log scale); returns a note."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "plot skipped: matplotlib is not installed (pip install 'tapegrad[bench]')"
    engines = [e for e in ENGINES if any(
        r.engine == e and r.ratio is not None and not r.is_baseline for c in results for r in c.rows
    )]
    cases = [c for c in results if any(r.ratio is not None and not r.is_baseline for r in c.rows)]
    if not cases:
        return "plot skipped: no ratios to plot"
    fig, ax = plt.subplots(figsize=(max(6.0, 1.3 * len(cases)), 4.5))
    width = 0.8 / max(1, len(engines))
    for k, eng in enumerate(engines):
        xs, ys = [], []
        for i, c in enumerate(cases):
            row = c.row(eng)
            if row is not None and row.ratio is not None and not row.is_baseline:
                xs.append(i + (k - (len(engines) - 1) / 2) * width)
                ys.append(row.ratio)
        ax.bar(xs, ys, width, label=eng)
    for i, c in enumerate(cases):
        t = c.case.target
        if t is not None and t.ratio is not None:
            ax.hlines(t.ratio, i - 0.45, i + 0.45, colors="k", linestyles="dashed", linewidth=1)
    ax.axhline(1.0, color="grey", linewidth=0.8)
    ax.set_yscale("log")
    from matplotlib.ticker import FormatStrFormatter

    ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(FormatStrFormatter("%g"))
    ax.set_xticks(range(len(cases)))
    ax.set_xticklabels([f"{c.label}\n(vs {c.case.baseline})" for c in cases], fontsize=8)
    ax.set_ylabel("time / baseline time (log)")
    ax.set_title("tapegrad benchmarks (dashed: tapegrad target)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return f"plot written to {path}"


def print_report(meta: dict[str, Any], results: list[CaseResult], mem: dict[str, Any] | None,
                 overhead: list[Any] | None = None, out: Any = None) -> None:
    out = sys.stdout if out is None else out  # looked up now: sys.stdout may have been replaced
    print(header(meta), file=out)
    print(file=out)
    print(table(results), file=out)
    if mem is not None:
        print(file=out)
        print(memory_lines(mem), file=out)
    if overhead:
        from .overhead import lines

        print(file=out)
        print(lines(overhead), file=out)
