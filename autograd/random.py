"""Random numbers: one seedable default generator, or an explicit NumPy ``Generator``."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from . import devices as _device

_lock = threading.Lock()
_default = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the default generator (``rand``, ``randn``, dropout, init ...); returns it."""
    global _default
    with _lock:
        _default = np.random.default_rng(seed)
    if _device._cuda is not None:  # and every GPU's generator, as torch.manual_seed
        _device._cuda.manual_seed(seed)
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


def generator_for(dev: _device.device, generator: Any = None) -> Any:
    """The generator that draws for ``dev``: ``generator`` if given, else the default one of
    that device (NumPy's for the CPU, the GPU's own for CUDA, so draws happen on the device).
    A NumPy generator given for a GPU tensor draws on the host and the result is copied over."""
    if dev.type == "cpu" or generator is not None:
        gen = get_generator(generator)
        if dev.type == "cpu":
            return gen
        return _HostDraws(gen, dev)
    return _device.cuda_backend().generator(dev.index or 0)


class _HostDraws:
    """A NumPy generator's draws, copied to a GPU (the user asked for that generator)."""

    def __init__(self, gen: np.random.Generator, dev: _device.device) -> None:
        self.gen, self.dev = gen, dev

    def random(self, shape: Any, dtype: Any = np.float64) -> Any:
        return _device.transfer(self.gen.random(shape, dtype=dtype), self.dev)

    def standard_normal(self, shape: Any) -> Any:
        return _device.transfer(self.gen.standard_normal(shape), self.dev)

    def integers(self, low: int, high: int, size: Any) -> Any:
        return _device.transfer(self.gen.integers(low, high, size), self.dev)
