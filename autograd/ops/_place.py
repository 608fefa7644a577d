"""Where the arrays a rule creates live: on the device of the data they meet.

Rules write ``xp.f(x)`` (NumPy dispatches to CuPy for device arrays), but arrays made from
scratch (``zeros``, ``eye``, ``arange``) and index arrays built from host values must be made with
the module of the data they are combined with: these helpers say which.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..devices import array_module, device_of, is_device_array, transfer
from ._dims import data_of


def xp_of(a: Any) -> Any:
    """The array module (``numpy`` or ``cupy``) of ``a``'s device; ``a`` an array or a Tensor."""
    return array_module(data_of(a))


def on_device_of(host: Any, ref: Any) -> Any:
    """Host values (a list, a NumPy array) as an array on ``ref``'s device.

    For values the *user* gave on the host (a list index, a NumPy index array): copying them to
    the device is what PyTorch does with a CPU index for a CUDA tensor, and it happens once per
    call, in the open, here."""
    if is_device_array(host):
        return host  # already device data: its device is checked where it meets ``ref``
    arr = host if type(host) is np.ndarray else np.asarray(host)
    r = data_of(ref)
    if not is_device_array(r):
        return arr  # the CPU path: nothing to move
    return transfer(arr, device_of(r))
