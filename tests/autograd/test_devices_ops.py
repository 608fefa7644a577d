"""Indexing, sorting, cumulative and linalg ops on the strict stand-in GPU: host indices are
copied once and in the open, device indices stay on the device, rules make their arrays there,
and nothing reads device data back except where PyTorch syncs too."""

import numpy as np
import pytest

import autograd as ag
from autograd.testing import standin_device
from autograd.testing.assertions import assert_allclose, assert_array_equal

T = standin_device.TRANSFERS


def counts():
    return dict(T)


def moved(before, kind):
    return T[kind] - before[kind]


def test_host_index_of_a_gpu_tensor_is_copied_once(standin):  # noqa: F811
    x = ag.ones(5, device="cuda", requires_grad=True)
    before = counts()
    y = x[[0, 2, 2]]
    assert moved(before, "to_device") == 1 and y.device == x.device
    y.sum().backward()
    assert moved(before, "to_host") == 0  # the repeated-index scatter-add ran on the device
    assert_array_equal(x.grad.cpu().numpy(), [1.0, 0.0, 2.0, 0.0, 0.0])
    m = np.array([True, False, True, False, True])
    assert_array_equal(x.detach()[m].cpu().numpy(), [1.0, 1.0, 1.0])


def test_device_indices_stay_on_the_device(standin):  # noqa: F811
    x = ag.tensor(np.arange(6.0).reshape(2, 3), device="cuda", requires_grad=True)
    i = ag.tensor([[2, 0], [1, 1]], device="cuda")
    j = ag.tensor([2, 0], device="cuda")
    before = counts()
    g = ag.gather(x, 1, i)
    t = ag.take_along_axis(x, i, 1)
    s = ag.index_select(x, 1, j)
    (g.sum() + t.sum() + s.sum()).backward()
    assert moved(before, "to_host") == 0 and moved(before, "to_device") == 0
    assert_array_equal(g.detach().cpu().numpy(), [[2.0, 0.0], [4.0, 4.0]])
    assert_array_equal(x.grad.cpu().numpy(), [[3.0, 0.0, 3.0], [1.0, 4.0, 1.0]])


def test_gpu_index_of_a_cpu_tensor_raises(standin):  # noqa: F811
    x = ag.ones((2, 3))
    i = ag.tensor([[0]], device="cuda")
    with pytest.raises(RuntimeError, match=r"getitem: indices should be either on the CPU"):
        x[i]
    with pytest.raises(RuntimeError, match=r"gather: indices .* same device as the indexed"):
        ag.gather(x, 1, i)
    with pytest.raises(RuntimeError, match=r"take_along_axis: indices"):
        ag.take_along_axis(x, i, 1)


def test_device_index_ranges_are_checked_in_anomaly_mode(standin):  # noqa: F811
    x = ag.zeros((2, 3), device="cuda")
    bad = ag.tensor([[3]], device="cuda")
    before = counts()
    try:  # without anomaly mode nothing is read back (CuPy would wrap the index around)
        ag.gather(x, 1, bad)
    except IndexError:
        pass  # the stand-in (NumPy underneath) refuses it itself
    assert moved(before, "to_host") == 0
    with ag.detect_anomaly(check_nan=False):
        with pytest.raises(IndexError, match=r"gather: index 3 is out of range for axis 1"):
            ag.gather(x, 1, bad)
        with pytest.raises(IndexError, match="index_select: index out of range"):
            ag.index_select(x, 1, ag.tensor([3], device="cuda"))
    # host indices are checked before they move, in any mode
    with pytest.raises(IndexError, match=r"take_along_axis: index 3 is out of range"):
        ag.take_along_axis(x, np.array([[3]]), 1)


def test_rules_make_their_arrays_on_the_device_without_syncs(standin):  # noqa: F811
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4))
    x = ag.tensor(a, device="cuda", requires_grad=True)
    before = counts()
    parts = [
        ag.median(x), ag.median(x, 1).values.sum(), ag.sort(x, 1).values[:, 0].sum(),
        ag.topk(x, 2).values.sum(), ag.kthvalue(x, 2).values.sum(), x.prod(1).sum(),
        ag.cumsum(x, 1).sum(), ag.diag(x).sum(), ag.einsum("ij,ij->", x, x),
        ag.pad(x, 1, mode="reflect").sum(), ag.linalg.det(x[:, :3]),
        ag.linalg.vector_norm(x, -1.0), x.new_zeros(2).sum(), x.clone().sum(),
        sum(ag.split(x, [1, 3], 1)[1].sum() for _ in range(1)), ag.diagonal(x).sum(),
    ]
    ag.stack(parts).sum().backward()
    assert moved(before, "to_host") == 0 and moved(before, "to_device") == 0
    assert x.grad.device == x.device


def test_only_pytorchs_own_syncs_read_back(standin):  # noqa: F811
    # where PyTorch syncs too (a Python bool, a data-dependent length, the choice of the
    # cumprod gradient's formula) exactly one explicit copy to the host happens
    x = ag.tensor([2.0, 0.5, 3.0], device="cuda", requires_grad=True)
    for run in (lambda: ag.allclose(x, x), lambda: ag.equal(x, x),
                lambda: ag.bincount(ag.tensor([0, 2, 2], device="cuda")),
                lambda: ag.repeat_interleave(x, ag.tensor([1, 0, 2], device="cuda")),
                lambda: ag.cumprod(x, 0).sum().backward()):
        before = counts()
        run()
        assert moved(before, "to_host") == 1
    assert_allclose(x.grad.cpu().numpy(), [1.0 + 0.5 + 0.5 * 3.0, 2.0 + 2.0 * 3.0, 2.0 * 0.5])
