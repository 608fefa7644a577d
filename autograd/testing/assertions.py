"""Assertions for tests: gradients of a function agree with central differences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

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
