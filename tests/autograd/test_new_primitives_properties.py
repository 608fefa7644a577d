"""The primitives added for the kink/guard conventions (``hardtanh``, ``clip`` with Tensor
bounds, ``binary_cross_entropy_grad``): first and second derivatives against float64 central
differences on hypothesis-drawn shapes (broadcast, non-contiguous, 0-d, empty), with values kept
away from the kinks (the kinks themselves are pinned in test_conventions.py)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
import nn.functional as F
from autograd.testing import assert_gradients_close, broadcastable_tensors, tensors

# |x| in [0.1, 0.9] or [1.1, 2.5]: at least 0.1 from the bounds -1, 0 (relu6), 1, 6
_off_bounds = st.one_of(st.floats(0.1, 0.9), st.floats(1.1, 2.5)).flatmap(
    lambda m: st.sampled_from([m, -m]))


@given(tensors(elements=_off_bounds, min_side=0))
def test_hardtanh_gradients(x):
    assert_gradients_close(F.hardtanh, x, check_gradgrad=True)
    assert_gradients_close(lambda t: F.hardtanh(t, -1.0, 0.0), x)


@given(tensors(elements=_off_bounds))
def test_relu6_gradients(x):
    assert_gradients_close(lambda t: F.relu6(3 * t + 3), x, check_gradgrad=True)  # 0, 6 at -1, 1


@settings(max_examples=25)
@given(broadcastable_tensors(3, elements=st.floats(-3, 3)), st.sampled_from(["both", "min",
                                                                               "max"]))
def test_clamp_with_tensor_bounds_gradients(xyz, which):
    x, lo, hi = xyz
    # keep x and the bounds at least 0.05 apart (central differences must not straddle a kink;
    # lo == hi is one too: above it the result is hi, below it lo)
    xd, ld, hd = np.broadcast_arrays(x.detach().cpu().numpy(), lo.detach().cpu().numpy(), hi.detach().cpu().numpy())
    gap = np.minimum(np.minimum(np.abs(xd - ld), np.abs(xd - hd)), np.abs(ld - hd))
    if xd.size and gap.min() < 0.05:
        return
    if which == "min":
        assert_gradients_close(lambda a, b: ag.clamp(a, min=b), x, lo, check_gradgrad=True)
    elif which == "max":
        assert_gradients_close(lambda a, c: ag.clamp(a, max=c), x, hi, check_gradgrad=True)
    else:
        assert_gradients_close(lambda a, b, c: ag.clamp(a, b, c), x, lo, hi,
                               check_gradgrad=True)


@given(broadcastable_tensors(2, elements=st.floats(0.05, 0.95)))
def test_binary_cross_entropy_gradients(xt):
    x, t = xt
    shape = np.broadcast_shapes(x.shape, t.shape)
    xb = ag.tensor(np.broadcast_to(x.detach().cpu().numpy(), shape).copy(), requires_grad=True)
    tb = ag.tensor(np.broadcast_to(t.detach().cpu().numpy(), shape).copy(), requires_grad=True)
    # first and second derivatives in both the probabilities and the targets
    assert_gradients_close(lambda a, b: F.binary_cross_entropy(a, b, reduction="sum"), xb, tb,
                           check_gradgrad=True)
