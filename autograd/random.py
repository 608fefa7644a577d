"""Random numbers: one seedable default generator, or an explicit NumPy ``Generator``."""

from __future__ import annotations

import threading

import numpy as np

_lock = threading.Lock()
_default = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the default generator (``rand``, ``randn``, dropout, init ...); returns it."""
    global _default
    with _lock:
        _default = np.random.default_rng(seed)
    return _default


def seed(seed: int) -> np.random.Generator:
    """Alias of :func:`manual_seed`."""
    return manual_seed(seed)


def default_generator() -> np.random.Generator:
    """The generator used when no ``generator=`` is given."""
    return _default


def get_generator(generator: np.random.Generator | int | None) -> np.random.Generator:
    """``generator`` itself, a fresh one seeded with an int, or the default one."""
    if generator is None:
        return _default
    if isinstance(generator, (int, np.integer)):
        return np.random.default_rng(int(generator))
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(
        f"generator must be a numpy.random.Generator, an int seed or None, got "
        f"{type(generator).__name__}"
    )
