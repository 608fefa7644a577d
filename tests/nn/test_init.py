"""nn.init: bounds and moments of the initialisers, gains, fans, seeding, in-place semantics."""

import math

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.testing import assert_allclose, assert_array_equal
from nn import init


def _p(*shape):
    return nn.Parameter(np.zeros(shape))


def test_calculate_gain():
    assert init.calculate_gain("linear") == 1.0
    assert init.calculate_gain("conv2d") == 1.0
    assert init.calculate_gain("sigmoid") == 1.0
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01**2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        init.calculate_gain("swish")


def test_fans():
    assert init._calculate_fan_in_and_fan_out(_p(5, 3)) == (3, 5)
    assert init._calculate_fan_in_and_fan_out(_p(8, 4, 3, 3)) == (36, 72)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(_p(3))


def test_uniform_normal_constant():
    w = _p(200, 300)
    assert init.uniform_(w, -2, 3, generator=0) is w
    assert w.detach().cpu().numpy().min() >= -2 and w.detach().cpu().numpy().max() < 3 and abs(w.detach().cpu().numpy().mean() - 0.5) < 0.05
    init.normal_(w, 1.0, 2.0, generator=0)
    assert abs(w.detach().cpu().numpy().mean() - 1) < 0.05 and abs(w.detach().cpu().numpy().std() - 2) < 0.05
    init.constant_(w, 0.25)
    assert np.all(w.detach().cpu().numpy() == 0.25)
    init.zeros_(w)
    assert np.all(w.detach().cpu().numpy() == 0)
    init.ones_(w)
    assert np.all(w.detach().cpu().numpy() == 1)
    e = _p(3, 4)
    init.eye_(e)
    assert_array_equal(e.detach().cpu().numpy(), np.eye(3, 4))


def test_xavier_and_kaiming_statistics():
    w = _p(256, 128)
    fan_in, fan_out = 128, 256
    init.xavier_uniform_(w, gain=2.0, generator=1)
    a = 2.0 * math.sqrt(6 / (fan_in + fan_out))
    assert np.abs(w.detach().cpu().numpy()).max() <= a and np.abs(w.detach().cpu().numpy()).max() > 0.95 * a
    init.xavier_normal_(w, generator=1)
    assert abs(w.detach().cpu().numpy().std() - math.sqrt(2 / (fan_in + fan_out))) < 0.003
    init.kaiming_uniform_(w, nonlinearity="relu", generator=1)
    bound = math.sqrt(2) * math.sqrt(3 / fan_in)
    assert np.abs(w.detach().cpu().numpy()).max() <= bound and np.abs(w.detach().cpu().numpy()).max() > 0.95 * bound
    init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu", generator=1)
    assert abs(w.detach().cpu().numpy().std() - math.sqrt(2 / fan_out)) < 0.003
    init.kaiming_uniform_(w, a=math.sqrt(5), generator=1)  # PyTorch's layer default
    assert np.abs(w.detach().cpu().numpy()).max() <= 1 / math.sqrt(fan_in)
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_normal_(w, mode="fan_avg")


def test_trunc_normal_and_orthogonal():
    w = _p(100, 100)
    init.trunc_normal_(w, 0.0, 1.0, -0.5, 1.0, generator=2)
    assert w.detach().cpu().numpy().min() >= -0.5 and w.detach().cpu().numpy().max() <= 1.0
    q = _p(6, 4)
    init.orthogonal_(q, generator=3)
    assert_allclose(q.detach().cpu().numpy().T @ q.detach().cpu().numpy(), np.eye(4), atol=1e-12)
    q2 = _p(3, 2, 2)
    init.orthogonal_(q2, gain=2.0, generator=3)
    m = q2.detach().cpu().numpy().reshape(3, 4)
    assert_allclose(m @ m.T, 4 * np.eye(3), atol=1e-12)


def test_seeding_through_autograd_and_generators():
    ag.manual_seed(123)
    a = nn.Linear(4, 3)
    ag.manual_seed(123)
    b = nn.Linear(4, 3)
    assert_array_equal(a.weight.detach().cpu().numpy(), b.weight.detach().cpu().numpy())
    assert_array_equal(a.bias.detach().cpu().numpy(), b.bias.detach().cpu().numpy())
    c = nn.Conv2d(2, 3, 3, generator=np.random.default_rng(9))
    d = nn.Conv2d(2, 3, 3, generator=9)
    assert_array_equal(c.weight.detach().cpu().numpy(), d.weight.detach().cpu().numpy())
    e1, e2 = nn.Embedding(5, 2, generator=4), nn.Embedding(5, 2, generator=4)
    assert_array_equal(e1.weight.detach().cpu().numpy(), e2.weight.detach().cpu().numpy())
    with pytest.raises(TypeError, match="generator"):
        init.normal_(_p(2, 2), generator="seed")


def test_init_is_in_place_unrecorded_and_version_bumped():
    w = nn.Parameter(np.ones((2, 2)))
    y = (w * w).sum()
    data = w._data  # the array itself (on any device): init writes into it
    init.normal_(w, generator=0)
    assert w._data is data and w.is_leaf and w.grad_fn is None
    assert np.all(w.detach().cpu().numpy() != 1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
    f32 = nn.Parameter(np.zeros(3, dtype=np.float32))
    init.uniform_(f32, generator=0)
    assert f32.dtype == np.float32
    with pytest.raises(TypeError, match="floating"):
        init.normal_(ag.tensor([1, 2]))
