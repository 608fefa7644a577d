"""Running the cases: for each engine, build from the shared spec, verify once, then time."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .cases import CASES, Case
from .engines import ENGINES, Unsupported
from .timing import Timing, measure
from .verify import Check, compare


@dataclass
class Settings:
    quick: bool = False
    repeats: int = 11
    warmup: int = 2
    min_time: float = 0.05  # seconds per sample (the inner loop is calibrated to reach it)
    clock: str = "wall"  # or "cpu" (process time), see timing.CLOCKS
    gc_on: bool = False  # keep the garbage collector running while timing


@dataclass
class Row:
    case: str
    engine: str
    status: str  # "ok", "skipped", "fails", "error", "MISMATCH"
    note: str = ""
    timing: Timing | None = None
    check: Check | None = None
    ratio: float | None = None  # median / baseline median
    is_baseline: bool = False

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "case": self.case, "engine": self.engine, "status": self.status, "note": self.note,
            "ratio_to_baseline": self.ratio, "is_baseline": self.is_baseline,
        }
        if self.timing is not None:
            d["seconds"] = self.timing.as_dict()
        if self.check is not None:
            d["check"] = {"ok": self.check.ok, "max_rel_err": self.check.max_err,
                          "worst_output": self.check.worst, "detail": self.check.detail}
        return d


@dataclass
class CaseResult:
    case: Case
    gc_on: bool = False  # the collector mode this case was timed under
    rows: list[Row] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.case.label(self.gc_on)

    def row(self, engine: str) -> Row | None:
        return next((r for r in self.rows if r.engine == engine), None)


def _describe(workload: Any) -> str:
    d = getattr(workload, "describe", None)
    return d() if d is not None else ""


def run_engine(case: Case, engine: str, spec: Any, ref: dict[str, Any], s: Settings) -> Row:
    eng = ENGINES[engine]
    ok, version = eng.available()
    if not ok:
        return Row(case.name, engine, "skipped", version)
    build = eng.builder(case.kind)
    if build is None:
        return Row(case.name, engine, "skipped", f"no {case.kind} workload for {engine}")
    try:
        w = build(spec)
        for _ in range(case.verify_steps):
            w.step()
        check = compare(w.outputs(), ref, case.rtol)
        note = _describe(w)
        del w
        _collect()
        w = build(spec)  # time from a fresh state, not the verified one
        timing = measure(w.step, repeats=s.repeats, warmup=s.warmup, min_time=s.min_time,
                         clock=s.clock, gc_on=case.gc_on(s.gc_on),
                         number=1 if case.one_step else None)
        del w
    except Unsupported as e:
        return Row(case.name, engine, "skipped", str(e))
    except RecursionError as e:
        return Row(case.name, engine, "fails", f"RecursionError: {e}")
    except Exception as e:  # report and go on: one broken engine must not hide the others
        return Row(case.name, engine, "error", f"{type(e).__name__}: {e}")
    finally:
        _collect()
    status = "ok" if check.ok else "MISMATCH"
    return Row(case.name, engine, status, note if check.ok else check.detail, timing, check)


def run_case(case: Case, s: Settings, engines: tuple[str, ...] | None = None,
             log: Any = None) -> CaseResult:
    log = sys.stderr if log is None else log  # looked up now: sys.stderr may have been replaced
    spec = case.make(s.quick)
    ref = case.reference(spec, case.verify_steps)
    res = CaseResult(case, case.gc_on(s.gc_on))
    for engine in case.engines:
        if engines is not None and engine not in engines and engine != case.baseline:
            continue
        print(f"  {case.name}: {engine} ...", file=log, flush=True)
        res.rows.append(run_engine(case, engine, spec, ref, s))
    base = res.row(case.baseline)
    for r in res.rows:
        r.is_baseline = r.engine == case.baseline
        if base is not None and base.timing is not None and r.timing is not None:
            r.ratio = r.timing.median / base.timing.median
    return res


def run(names: list[str], s: Settings, engines: tuple[str, ...] | None = None,
        log: Any = None) -> list[CaseResult]:
    """Run the named cases (see :func:`frozen_gc`)."""
    with frozen_gc():
        return [run_case(CASES[n], s, engines, log) for n in names]


_frozen = False


def _collect() -> None:
    """Collect, and inside :func:`frozen_gc` also freeze what survived (modules an engine
    imported lazily on first use, e.g. torch.optim pulls in torch._dynamo)."""
    gc.collect()
    if _frozen:
        gc.freeze()


@contextmanager
def frozen_gc() -> Iterator[None]:
    """Import every engine, then freeze the objects alive so far out of the collector: the
    collections around each timing then scan only the benchmark's own garbage (with torch
    imported, a full collection otherwise takes ~0.4 s)."""
    global _frozen
    for eng in ENGINES.values():
        eng.available()
    gc.collect()
    gc.freeze()
    prev, _frozen = _frozen, True
    try:
        yield
    finally:
        _frozen = prev
        if not prev:
            gc.unfreeze()
