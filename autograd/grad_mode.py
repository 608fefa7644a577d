"""Grad mode: whether operations are recorded on the tape.  Thread-local, like PyTorch's."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    # Class attributes are the per-thread defaults: every new thread starts with grad enabled.
    enabled = True
    anomaly = False
    inference = False


state = _State()


def is_grad_enabled() -> bool:
    """True when new operations on tensors that require grad are recorded."""
    return state.enabled


class _ModeContext:
    """Sets grad mode to ``self.mode`` inside ``with``, or around every call when decorating."""

    mode: bool

    def __enter__(self) -> None:
        self.prev = state.enabled
        state.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        state.enabled = self.prev

    def __call__(self, fn: F) -> F:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = state.enabled
            state.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                state.enabled = prev

        return wrapper  # type: ignore[return-value]


class set_grad_enabled(_ModeContext):
    """Context manager (and decorator) that sets grad mode to ``mode`` for this thread.

    Calling it outside ``with`` sets the mode immediately, as in PyTorch.

    >>> import autograd as ag
    >>> with ag.set_grad_enabled(False):
    ...     ag.is_grad_enabled()
    False
    """

    def __init__(self, mode: bool) -> None:
        self.prev = state.enabled
        self.mode = bool(mode)
        state.enabled = self.mode

    def __enter__(self) -> None:
        state.enabled = self.mode  # ``prev`` was taken before __init__ changed the mode

    def __call__(self, fn: F) -> F:
        state.enabled = self.prev  # decorating must not change the current mode
        return super().__call__(fn)


class no_grad(_ModeContext):
    """Disable recording, as a context manager or decorator.

    >>> import autograd as ag
    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> with ag.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    mode = False


class enable_grad(_ModeContext):
    """Enable recording inside a ``no_grad`` region, as a context manager or decorator."""

    mode = True


class inference_mode(_ModeContext):
    """Disable recording for inference, as a context manager or decorator.

    PyTorch's ``torch.inference_mode``.

    Like :class:`no_grad` (thread-local; tensors made inside never record, so they have no
    ``grad_fn`` and ``requires_grad`` is False); ``is_inference_mode_enabled()`` reports it.
    ``inference_mode(False)`` leaves grad mode as it is.  Use as ``@inference_mode()`` or bare
    ``@inference_mode``.

    >>> import autograd as ag
    >>> x = ag.tensor([1.0], requires_grad=True)
    >>> with ag.inference_mode():
    ...     y = x * 2
    >>> y.requires_grad, ag.is_inference_mode_enabled()
    (False, False)
    """

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # bare decorator: @inference_mode
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self.on = bool(mode)

    def __enter__(self) -> None:
        self.prev = state.enabled
        self.prev_inference = state.inference
        if self.on:
            state.enabled = False
            state.inference = True

    def __exit__(self, *exc: object) -> None:
        state.enabled = self.prev
        state.inference = self.prev_inference

    def __call__(self, fn: F) -> F:
        ctx = self

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(ctx)(ctx.on):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()`` (on this thread)."""
    return state.inference
