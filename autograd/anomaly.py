"""Anomaly detection: find the forward operation whose backward produced NaN or Inf.

While enabled (``with autograd.detect_anomaly():``), each record keeps the source location that
created it; the walker checks every gradient it computes and raises naming the record and that
location.  Off by default; when off, records store nothing and the walker checks nothing.
"""

from __future__ import annotations

import os
import traceback
from typing import Any

from . import tape
from .backend import xp
from .grad_mode import state

_PKG = os.path.dirname(os.path.abspath(__file__))


def creation_trace() -> str:
    """The user's stack at record creation (frames inside autograd itself left out)."""
    frames = [
        f for f in traceback.extract_stack()[:-1] if not os.path.abspath(f.filename).startswith(_PKG)
    ]
    return "".join(traceback.format_list(frames[-8:]))


def check_finite(node: tape.Node, i: int, g: Any) -> None:
    data = g._data if hasattr(g, "_data") else g
    if type(data) is float:
        bad = data != data or data in (float("inf"), float("-inf"))
    else:
        bad = not bool(xp.isfinite(data).all())
    if bad:
        raise RuntimeError(
            f"Function '{node.name()}' returned nan or inf values in its gradient for input {i}. "
            f"The forward operation was created at:\n{node.trace}"
        )


def set_detect_anomaly(mode: bool) -> None:
    """Turn anomaly detection on or off for this thread."""
    state.anomaly = bool(mode)
    if mode:
        tape.anomaly_seen = True


def is_anomaly_enabled() -> bool:
    return bool(state.anomaly)


class detect_anomaly:
    """Context manager (and decorator) enabling anomaly detection for this thread.

    >>> import autograd as ag
    >>> x = ag.tensor([0.0], requires_grad=True)
    >>> with ag.detect_anomaly():
    ...     y = x.sqrt() * 0.0
    ...     try:
    ...         y.sum().backward()
    ...     except RuntimeError as e:
    ...         print(str(e).splitlines()[0])
    Function 'SqrtBackward' returned nan or inf values in its gradient for input 0. The forward operation was created at:
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.mode = bool(check_nan)

    def __enter__(self) -> None:
        self.prev = state.anomaly
        set_detect_anomaly(self.mode)

    def __exit__(self, *exc: object) -> None:
        state.anomaly = self.prev

    def __call__(self, fn: Any) -> Any:
        import functools

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly(self.mode):
                return fn(*args, **kwargs)

        return wrapper
