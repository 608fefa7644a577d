"""cProfile of tapegrad's workload for each case: where the engine's per-op time goes."""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from pathlib import Path
from typing import Any

from .cases import CASES
from .engines import ENGINES, Unsupported


def profile_case(name: str, quick: bool, top: int, seconds: float = 1.0,
                 dump_dir: str | None = None) -> str:
    """Profile ``seconds`` worth of tapegrad steps of case ``name``; top functions by own time."""
    case = CASES[name]
    build = ENGINES["tapegrad"].builder(case.kind)
    if build is None:
        return f"{name}: no tapegrad workload"
    try:
        w: Any = build(case.make(quick))
    except Unsupported as e:
        return f"{name}: skipped ({e})"
    w.step()
    t0 = time.perf_counter()
    w.step()
    steps = max(1, int(seconds / max(time.perf_counter() - t0, 1e-9)))
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(steps):
        w.step()
    prof.disable()
    if dump_dir is not None:
        Path(dump_dir).mkdir(parents=True, exist_ok=True)
        prof.dump_stats(str(Path(dump_dir) / f"{name}.prof"))
    buf = io.StringIO()
    st = pstats.Stats(prof, stream=buf)
    st.sort_stats("tottime").print_stats(top)
    text = buf.getvalue()
    # drop pstats' preamble lines up to the column header
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if "ncalls" in ln), 0)
    total = getattr(st, "total_tt", float("nan"))
    return (f"== {name}: {steps} steps under cProfile, {total:.3f} s total "
            f"({total / steps * 1e3:.3f} ms/step with profiling overhead)\n"
            + "\n".join(lines[start:]).rstrip())
