"""Each optimizer, for every option, against a direct NumPy transcription of its formula."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes
from optim_reference import CASES

import autograd as ag
import optim
from autograd.devices import to_host
from autograd.testing import assert_allclose

NAMES = sorted(CASES)
STEPS = 5


def _grads(rng: np.random.Generator, shape: tuple[int, ...], n: int = STEPS) -> list[np.ndarray]:
    return [rng.standard_normal(shape) for _ in range(n)]


def _run(cls, opts, x0, grads, make=None):
    """Run ``cls`` on one parameter for len(grads) steps, with the grads given."""
    p = make(x0) if make else ag.tensor(x0, requires_grad=True)
    opt = cls([p], **opts)
    for g in grads:
        p.grad = ag.tensor(g)
        opt.step()
    return p


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data(), shape=array_shapes(min_dims=0, max_dims=3, max_side=4),
       seed=st.integers(0, 2**32 - 1))
def test_matches_numpy_formula(name, data, shape, seed):
    cls, options, ref = CASES[name]
    opts = data.draw(options, label="options")
    rng = np.random.default_rng(seed)
    x0 = rng.standard_normal(shape)
    grads = _grads(rng, shape)
    p = _run(cls, opts, x0, grads)
    expected = ref(x0, grads, **opts)
    assert p.shape == shape and p.dtype == np.float64
    assert_allclose(p.detach().cpu().numpy(), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_defaults_match_numpy_formula(name):
    cls, _, ref = CASES[name]
    rng = np.random.default_rng(7)
    x0 = rng.standard_normal((2, 3))
    grads = _grads(rng, (2, 3), 8)
    assert_allclose(_run(cls, {}, x0, grads).detach().cpu().numpy(), ref(x0, grads), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.cpu_only("the Python-float scalar fast path exists only for CPU tensors")
@pytest.mark.parametrize("name", NAMES)
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_scalar_fast_path_bit_identical_to_arrays(name, data, seed):
    """A Python-float parameter follows exactly the same arithmetic as a 0-d or 1-element array."""
    cls, options, _ = CASES[name]
    opts = data.draw(options, label="options")
    rng = np.random.default_rng(seed)
    x0 = float(rng.standard_normal())
    grads = [float(g) for g in rng.standard_normal(STEPS)]
    ps = ag.tensor(x0, requires_grad=True)
    assert type(ps._data) is float
    p0 = ag.tensor(np.array(x0), requires_grad=True)
    p1 = ag.tensor(np.array([x0]), requires_grad=True)
    opt = cls([ps, p0, p1], **opts)
    for g in grads:
        ps.grad = ag.tensor(g)  # a float gradient
        p0.grad = ag.tensor(np.array(g))
        p1.grad = ag.tensor(np.array([g]))
        opt.step()
    assert type(ps._data) is float
    assert ps.item() == p0.item() == p1.item()
    for key, value in opt.state[ps].items():
        if key == "step":
            assert type(value) is int and value == opt.state[p1][key] == STEPS
        elif key in cls._float_state_keys:  # one float per parameter whatever its shape
            assert type(value) is float and value == opt.state[p0][key] == opt.state[p1][key]
        else:
            assert type(value) is float
            assert value == opt.state[p0][key] == opt.state[p1][key][0]


@pytest.mark.cpu_only("the Python-float scalar fast path exists only for CPU tensors")
@pytest.mark.parametrize("name", NAMES)
def test_scalar_param_with_array_gradient(name):
    cls, _, ref = CASES[name]
    p = ag.tensor(0.5, requires_grad=True)
    opt = cls([p], lr=0.1)
    p.grad = ag.tensor(np.array(2.0))  # 0-d array gradient for a float parameter
    opt.step()
    assert type(p._data) is float
    assert_allclose(p.item(), ref(np.array(0.5), [np.array(2.0)], lr=0.1), rtol=1e-14)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_float32_parameters_stay_float32(name, data, seed):
    cls, options, ref = CASES[name]
    opts = data.draw(options, label="options")
    rng = np.random.default_rng(seed)
    x0 = rng.standard_normal((3, 2)).astype(np.float32)
    grads = [g.astype(np.float32) for g in _grads(rng, (3, 2))]
    p = _run(cls, opts, x0, grads)
    assert p.dtype == np.float32
    assert all(v.dtype == np.float32 for v in opt_state_arrays(cls, opts, x0, grads))
    expected = ref(x0.astype(np.float64), [g.astype(np.float64) for g in grads], **opts)
    # float32 rounding in every step, relative to the size of the updates
    assert_allclose(p.detach().cpu().numpy(), expected, rtol=1e-4, atol=1e-4 * (1 + np.abs(x0).max()))


def opt_state_arrays(cls, opts, x0, grads):
    p = ag.tensor(x0, requires_grad=True)
    opt = cls([p], **opts)
    p.grad = ag.tensor(grads[0])
    opt.step()
    return [v for v in opt.state[p].values() if isinstance(v, np.ndarray)]


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_non_contiguous_parameter_updated_through_its_view(name, data, seed):
    """A parameter that is a strided view of a larger array is updated in place (writes through)."""
    cls, options, ref = CASES[name]
    opts = data.draw(options, label="options")
    rng = np.random.default_rng(seed)
    base = ag.tensor(rng.standard_normal((4, 6)))._data  # on the suite's device
    view = base[::2, ::3].T  # non-contiguous, transposed
    x0 = to_host(view).copy()
    grads = _grads(rng, view.shape)
    p = ag.Tensor(view, requires_grad=True)  # shares memory with base
    opt = cls([p], **opts)
    for g in grads:
        p.grad = ag.tensor(g)
        opt.step()
    assert p._data is view
    expected = ref(x0, grads, **opts)
    assert_allclose(base[::2, ::3].T, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_size_zero_parameter(name):
    cls, _, _ = CASES[name]
    p = ag.tensor(np.zeros((0, 3)), requires_grad=True)
    opt = cls([p], lr=0.1)
    p.grad = ag.tensor(np.zeros((0, 3)))
    opt.step()
    assert p.shape == (0, 3)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_param_groups_use_their_own_options(name, data, seed):
    cls, options, ref = CASES[name]
    o1 = data.draw(options, label="group 1")
    o2 = data.draw(options, label="group 2")
    rng = np.random.default_rng(seed)
    x1, x2 = rng.standard_normal(3), rng.standard_normal((2, 2))
    g1, g2 = _grads(rng, (3,)), _grads(rng, (2, 2))
    p1 = ag.tensor(x1, requires_grad=True)
    p2 = ag.tensor(x2, requires_grad=True)
    opt = cls([{"params": [p1], **o1}, {"params": [p2], **o2}])
    for a, b in zip(g1, g2):
        p1.grad, p2.grad = ag.tensor(a), ag.tensor(b)
        opt.step()
    assert_allclose(p1.detach().cpu().numpy(), ref(x1, g1, **o1), rtol=1e-12, atol=1e-12)
    assert_allclose(p2.detach().cpu().numpy(), ref(x2, g2, **o2), rtol=1e-12, atol=1e-12)


def test_sgd_dampening_equal_momentum_is_seed_ewma_after_first_step():
    """Seed 001: v = beta v + (1 - beta) g, w -= alpha v (PyTorch starts v at g on step 1)."""
    beta, alpha = 0.9, 0.1
    rng = np.random.default_rng(3)
    grads = _grads(rng, (4,), 6)
    x = rng.standard_normal(4)
    p = ag.tensor(x, requires_grad=True)
    opt = optim.SGD([p], lr=alpha, momentum=beta, dampening=beta)
    v = None
    for g in grads:
        p.grad = ag.tensor(g)
        opt.step()
        v = g if v is None else beta * v + (1 - beta) * g
        x = x - alpha * v
    assert_allclose(p.detach().cpu().numpy(), x, rtol=1e-12)


def test_adam_bias_correction_first_step_moves_by_lr():
    """With bias correction the very first Adam step is lr * sign(g) (up to eps)."""
    g = np.array([1e-3, -5.0, 200.0])
    p = ag.tensor(np.zeros(3), requires_grad=True)
    opt = optim.Adam([p], lr=0.01, eps=0.0)
    p.grad = ag.tensor(g)
    opt.step()
    assert_allclose(p.detach().cpu().numpy(), -0.01 * np.sign(g), rtol=1e-12)
    assert opt.state[p]["step"] == 1


def test_adamw_is_adam_with_decoupled_weight_decay():
    rng = np.random.default_rng(4)
    x0, grads = rng.standard_normal(5), _grads(rng, (5,))
    a = _run(optim.AdamW, dict(lr=0.05, weight_decay=0.3), x0, grads)
    b = _run(optim.Adam, dict(lr=0.05, weight_decay=0.3, decoupled_weight_decay=True), x0, grads)
    c = _run(optim.Adam, dict(lr=0.05, weight_decay=0.3), x0, grads)
    assert np.array_equal(a.detach().cpu().numpy(), b.detach().cpu().numpy())
    assert not np.allclose(a.detach().cpu().numpy(), c.detach().cpu().numpy())  # coupled L2 decay is a different algorithm


@pytest.mark.parametrize("name", NAMES)
def test_maximize_ascends(name):
    cls, _, _ = CASES[name]
    p = ag.tensor(np.zeros(3), requires_grad=True)
    opt = cls([p], lr=0.1, maximize=True)
    p.grad = ag.tensor(np.array([1.0, -2.0, 3.0]))
    opt.step()
    assert np.all(np.sign(p.detach().cpu().numpy()) == [1, -1, 1])
