"""Dtype handling shared by the layers' constructors."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.tensor import as_dtype


def param_dtype(dtype: Any, where: str) -> np.dtype:
    """The dtype for new parameters: ``dtype`` if given, else autograd's default (float64).

    Parameters follow the project-wide default (NumPy's float64) so that layers and tensors made
    with ``autograd.tensor`` / ``randn`` agree; use ``dtype="float32"`` or ``module.float()`` for
    single precision.
    """
    if dtype is None:
        import autograd

        get_default = getattr(autograd, "get_default_dtype", None)
        return np.dtype(get_default()) if get_default is not None else np.dtype(np.float64)
    dt = as_dtype(dtype, where)
    if dt.kind != "f":
        raise TypeError(f"{where}: parameters must have a floating dtype, got {dt}")
    return dt


def _made(fill: str, shape: Any, dtype: Any) -> Any:
    from autograd import devices

    with devices.placed(devices.get_default_device()) as m:
        return getattr(m, fill)(shape, dtype=dtype)


def device_empty(shape: Any, dtype: Any) -> Any:
    """An uninitialised array for a new parameter, made on the default device (the CPU unless
    ``autograd.set_default_device`` chose a GPU): no host array is copied over."""
    return _made("empty", shape, dtype)


def device_zeros(shape: Any, dtype: Any) -> Any:
    """Zeros for a new parameter or buffer, on the default device (see :func:`device_empty`)."""
    return _made("zeros", shape, dtype)


def device_ones(shape: Any, dtype: Any) -> Any:
    """Ones for a new parameter or buffer, on the default device (see :func:`device_empty`)."""
    return _made("ones", shape, dtype)
