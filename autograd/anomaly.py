"""Anomaly detection: find the forward operation whose backward produced NaN or Inf.

While enabled (``with autograd.detect_anomaly():``), each record keeps the source location that
created it; during ``backward`` every gradient a record computes is checked, and the first NaN or
Inf raises a RuntimeError naming the record (``SqrtBackward`` ...) and that location.  Version
errors from in-place operations then also show where the record was made.

The check fires for records made while anomaly mode was on (in the thread that made them): the
creation location is what makes the error useful.  Off by default; when off, records store
nothing and the walk checks nothing.  The mode is per thread, like grad mode.
"""

from __future__ import annotations

import functools
import math
import os
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from . import tape
from .backend import xp
from .devices import to_host
from .grad_mode import state

F = TypeVar("F", bound=Callable[..., Any])

_PKG = os.path.dirname(os.path.abspath(__file__))


class _Trace(str):
    """A record's creation stack, and whether its gradients are checked for NaN/Inf."""

    check_nan: bool = True


def _check_nan_now() -> bool:
    return bool(getattr(state, "anomaly_check_nan", True))


def creation_trace() -> str:
    """The user's stack at record creation (frames inside autograd itself left out)."""
    frames = [
        f for f in traceback.extract_stack()[:-1]
        if not os.path.abspath(f.filename).startswith(_PKG)
    ]
    trace = _Trace("".join(traceback.format_list(frames[-8:])))
    trace.check_nan = _check_nan_now()
    return trace


def check_finite(node: tape.Node, i: int, g: Any) -> None:
    """Raise if ``g``, the gradient ``node`` computed for its input ``i``, has NaN or Inf."""
    if not getattr(node.trace, "check_nan", True):
        return
    data = g._data if hasattr(g, "_data") else g
    if type(data) is float:
        bad = not math.isfinite(data)
        nan = math.isnan(data)
    else:
        # anomaly mode is the opt-in debug mode: it reads a GPU flag back on purpose (as
        # PyTorch's detect_anomaly does), one explicit copy of a 0-d result per gradient
        bad = not bool(to_host(xp.isfinite(data).all()))
        nan = bad and bool(to_host(xp.isnan(data).any()))
    if bad:
        what = "nan" if nan else "inf"
        raise RuntimeError(
            f"Function '{node.name()}' returned {what} values in its gradient for input {i}. "
            f"The forward operation was created at:\n{node.trace}"
        )


def _set(mode: bool, check_nan: bool) -> None:
    state.anomaly = bool(mode)
    state.anomaly_check_nan = bool(check_nan)
    if mode:
        tape.anomaly_seen = True


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on in this thread."""
    return bool(state.anomaly)


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly mode (when on) checks gradients for NaN/Inf in this thread."""
    return _check_nan_now()


class _AnomalyMode:
    mode: bool
    check_nan: bool

    def __enter__(self) -> None:
        self._prev = (state.anomaly, _check_nan_now())
        _set(self.mode, self.check_nan)

    def __exit__(self, *exc: object) -> None:
        _set(*self._prev)

    def __call__(self, fn: F) -> F:
        mode, check_nan = self.mode, self.check_nan

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = (state.anomaly, _check_nan_now())
            _set(mode, check_nan)
            try:
                return fn(*args, **kwargs)
            finally:
                _set(*prev)

        return wrapper  # type: ignore[return-value]


class detect_anomaly(_AnomalyMode):
    """Context manager (and decorator) enabling anomaly detection for this thread.

    ``check_nan=False`` records creation locations (for version errors) without checking
    gradients for NaN/Inf.

    >>> import autograd as ag
    >>> x = ag.tensor([0.0], requires_grad=True)
    >>> with ag.detect_anomaly():
    ...     y = x.sqrt() * 0.0
    ...     try:
    ...         y.sum().backward()
    ...     except RuntimeError as e:
    ...         print(str(e).split(' in its')[0])
    Function 'SqrtBackward' returned nan values
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.mode = True
        self.check_nan = bool(check_nan)


class set_detect_anomaly(_AnomalyMode):
    """Turn anomaly detection on or off for this thread.

    Takes effect immediately when called; used as a context manager (or decorator) the
    previous setting comes back afterwards.

    >>> import autograd as ag
    >>> with ag.set_detect_anomaly(True):
    ...     ag.is_anomaly_enabled()
    True
    >>> ag.is_anomaly_enabled()
    False
    """

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.mode = bool(mode)
        self.check_nan = bool(check_nan)
        self._prev = (state.anomaly, _check_nan_now())
        _set(self.mode, self.check_nan)

    def __enter__(self) -> None:
        pass  # already set by the constructor; __exit__ restores what was before it

    def __call__(self, fn: F) -> F:
        _set(*self._prev)  # decorating must not change the current mode
        return super().__call__(fn)
