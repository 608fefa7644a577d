"""Test data on the suite's device (``pytest --device``): constants that are arrays of it."""

import numpy as np

import autograd as ag
from autograd.devices import transfer


def const(a):
    """``a`` (array-like) as array data on the default device: a NumPy array on the CPU, a device
    array under ``--device=stand-in/cuda`` (host arrays do not mix with GPU tensors, as in
    PyTorch)."""
    return transfer(np.asarray(a), ag.get_default_device())
