"""Test data on the suite's device (``pytest --device``): constants that are arrays of it."""

import contextlib

import numpy as np

import autograd as ag
from autograd.devices import transfer


def const(a):
    """``a`` (array-like) as array data on the default device: a NumPy array on the CPU, a device
    array under ``--device=stand-in/cuda`` (host arrays do not mix with GPU tensors, as in
    PyTorch)."""
    return transfer(np.asarray(a), ag.get_default_device())


def range_checks():
    """The mode in which out-of-range device indices raise: always on the CPU; on a GPU only in
    anomaly mode (reading indices back is a sync; docs/differences.md)."""
    if ag.get_default_device().type == "cpu":
        return contextlib.nullcontext()
    return ag.detect_anomaly(check_nan=False)
