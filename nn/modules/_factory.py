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
