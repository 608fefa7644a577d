"""Assertions for tests: gradients of a function agree with central differences."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import numpy as np

from ..devices import is_device_array, to_host
from ..gradcheck import GradcheckError, gradcheck, gradgradcheck
from ..tensor import Tensor


def assert_gradients_close(
    fn: Callable[..., Any],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    fast_mode: bool = False,
    check_gradgrad: bool = False,
) -> None:
    """Assert ``fn``'s analytic gradients match central differences (and second ones, optionally).

    Non-Tensor float inputs (arrays, numbers) are turned into float64 Tensors requiring grad.
    Raises ``AssertionError`` with gradcheck's explanation on mismatch.
    """
    ts = tuple(
        x if isinstance(x, Tensor)
        else Tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
        for x in inputs
    )
    if not any(t.requires_grad for t in ts):
        raise ValueError("assert_gradients_close: no input requires grad; nothing to check")
    try:
        gradcheck(fn, ts, eps=eps, atol=atol, rtol=rtol, fast_mode=fast_mode)
        if check_gradgrad:
            gradgradcheck(fn, ts, eps=eps, atol=atol, rtol=rtol, fast_mode=fast_mode)
    except GradcheckError as e:
        raise AssertionError(str(e)) from None


def _host(x: Any) -> Any:
    """``x`` with tensors (of any device) and GPU arrays as NumPy arrays, for comparisons."""
    if isinstance(x, Tensor):
        return x.detach().cpu().numpy()
    if is_device_array(x):
        return to_host(x)
    if type(x) in (list, tuple):
        return type(x)(_host(v) for v in x)
    return x


def assert_allclose(actual: Any, desired: Any, *args: Any, **kwargs: Any) -> None:
    """``numpy.testing.assert_allclose`` (same arguments and defaults) that also takes tensors
    on any device, copying GPU data to the host first (the explicit transfer a test asks for)."""
    np.testing.assert_allclose(_host(actual), _host(desired), *args, **kwargs)


def assert_array_equal(actual: Any, desired: Any, *args: Any, **kwargs: Any) -> None:
    """``numpy.testing.assert_array_equal`` that also takes tensors on any device."""
    np.testing.assert_array_equal(_host(actual), _host(desired), *args, **kwargs)


def assert_array_less(actual: Any, desired: Any, *args: Any, **kwargs: Any) -> None:
    """``numpy.testing.assert_array_less`` that also takes tensors on any device."""
    np.testing.assert_array_less(_host(actual), _host(desired), *args, **kwargs)


def value_checks() -> contextlib.AbstractContextManager[Any]:
    """The context in which checks of *values* raise on every device: nothing extra on the CPU
    (host data is always checked); anomaly mode on a GPU, where such checks (class indices in
    range, a non-singular matrix) would read data back and run only under
    ``autograd.detect_anomaly()`` (docs/differences.md).  For tests that expect those errors
    whatever the default device is."""
    from ..anomaly import detect_anomaly
    from ..devices import get_default_device

    if get_default_device().type == "cpu":
        return contextlib.nullcontext()
    return detect_anomaly(check_nan=False)
