"""Gradient clipping (``nn.utils.clip_grad_norm_`` / ``clip_grad_value_``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import autograd as ag
import nn.utils
from autograd.testing import assert_allclose
from nn.utils import clip_grad_norm_, clip_grad_value_, get_total_norm

shapes = st.lists(array_shapes(min_dims=0, max_dims=3, max_side=4), min_size=1, max_size=4)


def with_grads(grads):
    ps = []
    for g in grads:
        p = ag.tensor(np.zeros(np.shape(g)), requires_grad=True)
        p.grad = ag.tensor(g)
        ps.append(p)
    return ps


def _norm(flat, p):
    if p == float("inf"):
        return np.abs(flat).max()
    return (np.abs(flat) ** p).sum() ** (1 / p)


@given(shapes=shapes, seed=st.integers(0, 2**32 - 1), max_norm=st.floats(0.0, 20.0, allow_subnormal=False),
       p=st.sampled_from([1.0, 2.0, 3.0, float("inf")]))
def test_clip_grad_norm(shapes, seed, max_norm, p):
    rng = np.random.default_rng(seed)
    grads = [rng.standard_normal(s) * 3 for s in shapes]
    ps = with_grads([g.copy() for g in grads])
    bufs = [q.grad._data for q in ps]
    flat = np.concatenate([g.ravel() for g in grads])
    total = clip_grad_norm_(ps, max_norm, norm_type=p)
    expected = _norm(flat, p)
    assert isinstance(total, ag.Tensor) and total.shape == () and total.dtype == np.float64
    assert_allclose(total.item(), expected, rtol=1e-12)
    coef = min(1.0, max_norm / (expected + 1e-6))
    for q, g, buf in zip(ps, grads, bufs):
        assert q.grad._data is buf  # scaled in place
        assert_allclose(q.grad.cpu().numpy(), g * coef, rtol=1e-12, atol=1e-300)
    after = _norm(np.concatenate([q.grad.cpu().numpy().ravel() for q in ps]), p)
    assert after <= max_norm * (1 + 1e-9) or expected <= max_norm


def test_no_clipping_below_max_norm_leaves_gradients_bit_identical():
    g = np.array([0.3, -0.4])
    (p,) = with_grads([g.copy()])
    v = p.grad._version
    total = clip_grad_norm_(p, 1.0)  # a single tensor is accepted
    assert total.item() == pytest.approx(0.5)
    assert np.array_equal(p.grad.cpu().numpy(), g)
    if p.device.type == "cpu":  # on a GPU the factor min(coef, 1) is applied unread (PyTorch's
        assert p.grad._version == v  # way, no sync), which counts as an in-place change


def test_clipping_bumps_gradient_versions():
    (p,) = with_grads([np.array([3.0, 4.0])])
    v = p.grad._version
    clip_grad_norm_([p], 1.0)
    assert p.grad._version == v + 1
    clip_grad_value_([p], 0.1)
    assert p.grad._version == v + 2


@pytest.mark.cpu_only("the Python-float scalar fast path exists only for CPU tensors")
def test_scalar_float_gradients():
    s = ag.tensor(0.0, requires_grad=True)
    (s * 3.0 + 0.0).backward()
    assert type(s.grad._data) is float
    a = ag.tensor([0.0], requires_grad=True)
    a.grad = ag.tensor([4.0])
    total = clip_grad_norm_([s, a], 1.0)
    assert_allclose(total.item(), 5.0)
    assert type(s.grad._data) is float
    assert_allclose([s.grad.item(), a.grad.item()], [3 / (5 + 1e-6), 4 / (5 + 1e-6)])
    clip_grad_value_([s], 0.5)
    assert s.grad.item() == 0.5 and type(s.grad._data) is float


def test_skips_missing_gradients_and_handles_none_at_all():
    p, q = ag.tensor([1.0], requires_grad=True), ag.tensor([1.0], requires_grad=True)
    assert clip_grad_norm_([p, q], 1.0).item() == 0.0
    p.grad = ag.tensor([10.0])
    assert clip_grad_norm_([p, q], 1.0).item() == 10.0 and q.grad is None


def test_size_zero_gradients():
    ps = with_grads([np.zeros((0, 3)), np.array([3.0, 4.0])])
    assert clip_grad_norm_(ps, 10.0).item() == 5.0
    assert clip_grad_norm_(ps, 10.0, norm_type="inf").item() == 4.0


def test_float32_gradients_keep_dtype():
    ps = with_grads([np.array([3.0, 4.0], dtype=np.float32)])
    total = clip_grad_norm_(ps, 1.0)
    assert total.dtype == np.float32 and ps[0].grad.dtype == np.float32
    assert_allclose(ps[0].grad.data, [0.6, 0.8], rtol=1e-6)


def test_non_finite_norm():
    ps = with_grads([np.array([1.0, np.inf]), np.array([np.nan])])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    assert np.array_equal(ps[0].grad.cpu().numpy(), [1.0, np.inf])  # untouched after the error
    total = clip_grad_norm_(ps, 1.0)  # as in PyTorch: NaN norm spreads into the gradients
    assert np.isnan(total.item()) and np.isnan(ps[0].grad.cpu().numpy()).all()


def test_get_total_norm_of_tensors():
    ts = [ag.tensor([3.0]), ag.tensor(np.array([[4.0]]))]
    assert get_total_norm(ts).item() == 5.0
    assert get_total_norm(ts, norm_type=1).item() == 7.0
    assert get_total_norm(ts, norm_type=0).item() == 2.0  # number of non-zeros


@given(shapes=shapes, seed=st.integers(0, 2**32 - 1), clip=st.floats(0.0, 2.0))
def test_clip_grad_value(shapes, seed, clip):
    rng = np.random.default_rng(seed)
    grads = [rng.standard_normal(s) * 2 for s in shapes]
    ps = with_grads([g.copy() for g in grads])
    bufs = [q.grad._data for q in ps]
    assert clip_grad_value_(ps, clip) is None
    for q, g, buf in zip(ps, grads, bufs):
        assert q.grad._data is buf
        assert np.array_equal(q.grad.cpu().numpy(), np.clip(g, -clip, clip))


def test_clip_grad_value_keeps_nan():
    ps = with_grads([np.array([np.nan, 5.0, -5.0])])
    s = ag.tensor(0.0, requires_grad=True)
    s.grad = ag.tensor(float("nan"))
    clip_grad_value_(ps + [s], 1.0)
    assert np.array_equal(ps[0].grad.cpu().numpy(), [np.nan, 1.0, -1.0], equal_nan=True)
    assert np.isnan(s.grad.item())


def test_errors():
    ps = with_grads([np.ones(2)])
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm_(ps, -1.0)
    with pytest.raises(ValueError, match="clip_value"):
        clip_grad_value_(ps, -0.5)
    with pytest.raises(TypeError, match="norm_type"):
        clip_grad_norm_(ps, 1.0, norm_type="fro")
    with pytest.raises(TypeError, match="expected Tensors"):
        clip_grad_norm_([np.ones(2)], 1.0)


def test_exposed_as_nn_utils():
    assert nn.utils.clip_grad_norm_ is clip_grad_norm_
    assert nn.utils.clip_grad_value_ is clip_grad_value_
