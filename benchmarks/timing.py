"""Timing one workload: warm-up, calibrated inner loop, repeats with the garbage collector off."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass
class Timing:
    """Per-call seconds of ``repeats`` samples, each the mean of ``number`` back-to-back calls."""

    median: float
    q1: float
    q3: float
    min: float
    max: float
    repeats: int
    number: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


CLOCKS: dict[str, Callable[[], float]] = {
    "wall": time.perf_counter,
    # CPU time of this process: on a shared, loaded machine it leaves out the time the process
    # waited for a core, which wall time charges to whichever engine happened to be running.
    # Only meaningful single-threaded (with N threads it adds their times up).
    "cpu": time.process_time,
}


def _calibrate(step: Callable[[], object], min_time: float, clock: Callable[[], float]) -> int:
    """Smallest power-of-two-ish call count whose total run takes at least ``min_time``."""
    number = 1
    while True:
        t0 = clock()
        for _ in range(number):
            step()
        dt = clock() - t0
        if dt >= min_time or number >= 1 << 16:
            return number
        # aim a little above min_time, at least doubling so the loop ends quickly
        number = max(2 * number, int(number * 1.2 * min_time / max(dt, 1e-9)))


def measure(
    step: Callable[[], object], *, repeats: int, warmup: int, min_time: float,
    clock: str = "wall", gc_on: bool = False, number: int | None = None,
) -> Timing:
    """Time ``step``: ``warmup`` untimed calls, then ``repeats`` samples of a calibrated loop.

    ``number``: calls per sample (default: calibrated so a sample lasts ``min_time``).
    ``clock``: ``"wall"`` (``time.perf_counter``, the default) or ``"cpu"`` (``time.process_time``,
    for loaded machines; see ``CLOCKS``).

    The collector is disabled while sampling (and restored after), as ``timeit`` does, so a
    collection triggered by one engine's garbage does not land in another engine's numbers.
    ``gc_on=True`` keeps it running instead: what a program pays, including the collections an
    engine's reference cycles cause (micrograd's closures form one per node).

    >>> t = measure(lambda: sum(range(10)), repeats=3, warmup=1, min_time=1e-4)
    >>> t.repeats, t.min <= t.median <= t.max
    (3, True)
    """
    now = CLOCKS[clock]
    for _ in range(warmup):
        step()
    if number is None:
        number = _calibrate(step, min_time, now)
    samples: list[float] = []
    gc.collect()
    was_enabled = gc.isenabled()
    if gc_on:
        gc.enable()
    else:
        gc.disable()
    try:
        for _ in range(repeats):
            t0 = now()
            for _ in range(number):
                step()
            samples.append((now() - t0) / number)
    finally:
        if was_enabled:
            gc.enable()
        else:
            gc.disable()
    gc.collect()
    if len(samples) >= 2:
        q1, _, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    else:
        q1 = q3 = samples[0]
    return Timing(
        median=statistics.median(samples), q1=q1, q3=q3, min=min(samples), max=max(samples),
        repeats=repeats, number=number,
    )
