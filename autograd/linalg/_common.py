"""Shared pieces of ``autograd.linalg``: the error type, argument checks, NumPy's errors reworded.

Rules here and in the sibling modules use only operators, ``swapaxes`` and other primitives'
``raw``, so they run on arrays and (under ``create_graph``) on Tensors alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..anomaly import is_anomaly_enabled
from ..backend import xp
from ..devices import array_module, is_array, is_device_array, to_host


class LinAlgError(RuntimeError):
    """A linear-algebra routine could not complete (singular or not positive-definite input).

    A RuntimeError like ``torch.linalg.LinAlgError``; the message names the operation.
    """


def T(a: Any) -> Any:
    """Transpose of the last two dims (arrays and Tensors)."""
    return a.swapaxes(-1, -2)


def data(a: Any) -> Any:
    """The array data of a Tensor or an array (other values as NumPy arrays)."""
    d = getattr(a, "_data", None)
    d = a if d is None else d
    return d if is_array(d) else np.asarray(d)


def module(a: Any) -> Any:
    """The array module of ``a``'s device: for the arrays rules make from scratch (``eye``)."""
    return array_module(data(a))


def check_matrix(a: Any, op: str, square: bool = False) -> tuple[int, ...]:
    """Shape of ``a`` after checking: at least 2-D, floating, square if asked."""
    d = data(a)
    if d.ndim < 2:
        raise ValueError(
            f"{op}: the input must have at least 2 dimensions (a matrix or a batch of matrices), "
            f"got shape {d.shape}"
        )
    if d.dtype.kind != "f":
        raise TypeError(
            f"{op}: expected a floating point tensor as input, got dtype {d.dtype}; convert "
            "with .double() or .float() first"
        )
    if square and d.shape[-1] != d.shape[-2]:
        raise ValueError(
            f"{op}: A must be batches of square matrices, but they are {d.shape[-2]} by "
            f"{d.shape[-1]} matrices"
        )
    return tuple(d.shape)


def guarded(op: str, problem: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run a NumPy routine, turning its LinAlgError into ours with a message naming ``op``.

    On a GPU, CuPy does not raise (a singular matrix gives inf/nan): checking would read the
    result back, so it is checked only in anomaly mode (``autograd.detect_anomaly()``), the
    opt-in debug mode, as out-of-range GPU indices are (docs/differences.md)."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **params: Any) -> Any:
            try:
                out = fn(*args, **params)
            except np.linalg.LinAlgError as e:
                raise LinAlgError(f"{op}: {problem} (NumPy: {e})") from None
            if is_device_array(out) and is_anomaly_enabled() and not bool(
                    to_host(xp.isfinite(out).all())):
                raise LinAlgError(f"{op}: {problem} (the GPU result is not finite)")
            return out

        run.__name__ = getattr(fn, "__name__", op)
        return run

    return wrap


def quiet(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A rule whose inf/nan results are intended (repeated eigenvalues ...): no warnings."""

    def run(*args: Any, **params: Any) -> Any:
        with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return fn(*args, **params)

    return run
