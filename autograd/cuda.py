"""``autograd.cuda``: the GPUs, as ``torch.cuda`` (through CuPy; ``pip install tapegrad[cuda]``).

>>> import autograd as ag
>>> if ag.cuda.is_available():
...     x = ag.randn(3, device="cuda")
"""

from __future__ import annotations

from typing import Any

from . import devices as _device


def is_available() -> bool:
    """True if CuPy is installed and sees at least one GPU (``torch.cuda.is_available``)."""
    return _device.cuda_backend(required=False) is not None


def device_count() -> int:
    """The number of GPUs (0 without CUDA) (``torch.cuda.device_count``)."""
    backend = _device.cuda_backend(required=False)
    return 0 if backend is None else int(backend.device_count())


def current_device() -> int:
    """The ordinal of the current GPU (``torch.cuda.current_device``); RuntimeError without
    CUDA."""
    return int(_device.cuda_backend().current_index())


def set_device(device: Any) -> None:
    """Make ``device`` (an ordinal, ``"cuda:1"`` or a device) the current GPU
    (``torch.cuda.set_device``): new ``"cuda"`` tensors go there, and CuPy runs kernels there.
    With several GPUs, work on ``cuda:1`` tensors with ``cuda:1`` current (CuPy refuses arrays of
    another GPU than the current one; PyTorch switches by itself)."""
    backend = _device.cuda_backend()
    d = _device.resolve(_device.device("cuda", device) if isinstance(device, int) else device)
    if d.type != "cuda":
        raise ValueError(f"set_device: expected a CUDA device, got {d}")
    backend.select(d.index)


class device:  # noqa: N801  (PyTorch's name: ``with ag.cuda.device(1): ...``)
    """Context manager making a GPU current inside the block (``torch.cuda.device``)."""

    def __init__(self, device: Any) -> None:
        self.target = device
        self.prev: int | None = None

    def __enter__(self) -> None:
        self.prev = current_device()
        set_device(self.target)

    def __exit__(self, *exc: Any) -> None:
        if self.prev is not None:
            set_device(self.prev)


def synchronize(device: Any = None) -> None:
    """Wait for all work queued on ``device`` (default: the current GPU) to finish
    (``torch.cuda.synchronize``).  For timing: GPU work runs asynchronously."""
    backend = _device.cuda_backend()
    index = backend.current_index() if device is None else _device.resolve(
        device if not isinstance(device, int) else _device.device("cuda", device)).index
    backend.synchronize(index)


def manual_seed(seed: int) -> None:
    """Seed the generator of every GPU (``torch.cuda.manual_seed_all``; tapegrad seeds all,
    so ``manual_seed`` and ``manual_seed_all`` agree).  Does nothing without CUDA, as PyTorch."""
    backend = _device.cuda_backend(required=False)
    if backend is not None:
        backend.manual_seed(int(seed))


manual_seed_all = manual_seed
