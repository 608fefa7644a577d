"""Checking that an engine did the same work as the reference: same loss, gradients, parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Check:
    ok: bool
    max_err: float  # worst max|a - b| / max(max|b|, tiny) over the compared outputs
    worst: str  # which output it was
    detail: str = ""


def compare(got: dict[str, Any], ref: dict[str, Any], rtol: float) -> Check:
    """Every reference output must be present with the same shape and agree to ``rtol``.

    The error of each output is normalised by the reference's largest magnitude, so tiny entries
    of a large gradient are not judged on their own (cancellation makes them noisy in float32).

    >>> compare({"loss": 1.0}, {"loss": 1.0 + 1e-9}, 1e-6).ok
    True
    """
    worst, max_err = "", 0.0
    for key, want in ref.items():
        if key not in got:
            return Check(False, float("inf"), key, f"missing output {key!r}")
        a = np.asarray(got[key], dtype=np.float64)
        b = np.asarray(want, dtype=np.float64)
        if a.shape != b.shape:
            return Check(False, float("inf"), key, f"{key}: shape {a.shape} != {b.shape}")
        if not np.all(np.isfinite(a)):
            return Check(False, float("inf"), key, f"{key}: non-finite values")
        scale = max(float(np.max(np.abs(b))) if b.size else 0.0, np.finfo(np.float64).tiny)
        err = float(np.max(np.abs(a - b))) / scale if b.size else 0.0
        if err > max_err or not worst:
            worst, max_err = key, err
    ok = max_err <= rtol
    detail = "" if ok else f"{worst}: rel. error {max_err:.2e} > {rtol:.0e}"
    return Check(ok, max_err, worst, detail)
