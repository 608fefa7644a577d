"""cross_entropy's fused primitive on GPU targets (the stand-in): ignored entries, out-of-range
entries and empty means handled on the device, with the host path's values and gradients."""

import math

import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from autograd.testing import assert_allclose
from autograd.testing.standin_device import count_transfers

CASES = {
    "plain": [0, 2, 1, 2],
    "ignored": [0, -100, 1, -100],
    "all_ignored": [-100, -100, -100, -100],
    "custom_ignore": [0, 7, 1, 2],
}




def _host_and_device(z0, t0, **kw):
    out = []
    for dev in ("cpu", "cuda"):
        z = ag.tensor(z0, device=dev, requires_grad=True)
        t = ag.tensor(t0, device=dev)
        loss = F.cross_entropy(z, t, **kw)
        loss.backward()
        out.append((loss, z.grad))
    return out


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_device_targets_match_the_host(standin, name, reduction):
    z0 = np.random.default_rng(1).standard_normal((4, 3))
    kw = {"reduction": reduction, "ignore_index": 7 if name == "custom_ignore" else -100}
    (hl, hg), (dl, dg) = _host_and_device(z0, CASES[name], **kw)
    assert dl.is_cuda and dg.is_cuda
    assert dl.grad_fn.name() == "CrossEntropyBackward"
    assert_allclose(dl, hl, rtol=1e-12, equal_nan=True)
    assert_allclose(dg, hg, rtol=1e-12, atol=1e-15)
    if name == "all_ignored" and reduction == "mean":
        assert math.isnan(dl.item()) and not np.any(dg.cpu().numpy())  # mean of nothing


def test_out_of_range_device_targets_give_nan_without_reading_back(standin):
    z = ag.tensor(np.zeros((3, 4)), device="cuda", requires_grad=True)
    t = ag.tensor([1, 9, -3], device="cuda")
    with count_transfers() as c:
        loss = F.cross_entropy(z, t)
        loss.backward()
    assert c == {"to_host": 0, "to_device": 0}
    assert math.isnan(loss.item())
    g = z.grad.cpu().numpy()
    assert np.isfinite(g[0]).all() and np.isnan(g[1:]).all()


def test_fused_device_gradients_to_second_order(standin):
    z = ag.tensor(np.random.default_rng(2).standard_normal((3, 4)), device="cuda",
                  requires_grad=True)
    t = ag.tensor([3, -100, 0], device="cuda")
    assert ag.gradcheck(lambda a: F.cross_entropy(a, t), (z,))
    assert ag.gradgradcheck(lambda a: F.cross_entropy(a, t), (z,))
