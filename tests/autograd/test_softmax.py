"""softmax / log_softmax (autograd/ops/softmax.py): forward vs the formula along drawn axes,
gradients and second derivatives by central differences, stability, -inf entries and rows
(like PyTorch), size 0, 0-d, dtypes."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import Tensor
from autograd.testing import arrays_for, assert_allclose

FNS = {"softmax": ag.softmax, "log_softmax": ag.log_softmax}


def ref_softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def ref_log_softmax(x, axis):
    z = x - np.max(x, axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


REFS = {"softmax": ref_softmax, "log_softmax": ref_log_softmax}


def leaf(a):
    return Tensor(a, requires_grad=True)


@st.composite
def case(draw, max_dims=3, max_side=3, min_side=1, low=-3.0, high=3.0):
    """(array, axis, how the axis is passed)."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=max_dims, min_side=min_side,
                                  max_side=max_side))
    x = draw(arrays_for(shape, elements=st.floats(low, high)))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    return x, axis, draw(st.sampled_from(["axis", "dim", "positional", "method", "default"]))


def apply(name, t, axis, how):
    fn = FNS[name]
    if how == "axis":
        return fn(t, axis=axis)
    if how == "dim":
        return fn(t, dim=axis)
    if how == "positional":
        return fn(t, axis)
    if how == "method":
        return getattr(t, name)(dim=axis)
    return fn(t)  # the last axis


def used_axis(axis, how):
    return -1 if how == "default" else axis


@pytest.mark.parametrize("name", sorted(FNS))
@given(data=st.data())
def test_forward_matches_formula(name, data):
    x, axis, how = data.draw(case(min_side=0))
    y = apply(name, leaf(x), axis, how)
    assert y.shape == x.shape and y.dtype == np.float64
    if x.size:
        assert_allclose(y.detach().cpu().numpy(), REFS[name](x, used_axis(axis, how)), rtol=1e-13,
                                   atol=1e-15)
        p = y.detach().cpu().numpy() if name == "softmax" else np.exp(y.detach().cpu().numpy())
        assert_allclose(p.sum(axis=used_axis(axis, how)), 1.0, rtol=1e-13)


@pytest.mark.parametrize("name", sorted(FNS))
@given(data=st.data())
def test_gradients(name, data):
    x, axis, how = data.draw(case())
    assert ag.gradcheck(lambda t: apply(name, t, axis, how), (leaf(x),))


@pytest.mark.parametrize("name", sorted(FNS))
@given(data=st.data())
def test_second_derivatives(name, data):
    x, axis, how = data.draw(case(max_dims=2))
    assert ag.gradgradcheck(lambda t: apply(name, t, axis, how), (leaf(x),))


@pytest.mark.parametrize("name", sorted(FNS))
@given(data=st.data())
def test_large_inputs_are_stable(name, data):
    # shifted by the row max: +-1000 neither overflows nor loses the differences
    x, axis, how = data.draw(case(max_dims=2, low=-3.0, high=3.0))
    shift = data.draw(st.sampled_from([-1000.0, 1000.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = apply(name, leaf(x + shift), axis, how)
    assert_allclose(y.detach().cpu().numpy(), REFS[name](x, used_axis(axis, how)), rtol=1e-10,
                               atol=1e-12)
    assert ag.gradcheck(lambda t: apply(name, t, axis, how), (leaf(x + shift),))


@pytest.mark.parametrize("name", sorted(FNS))
@given(data=st.data())
def test_float32_in_float32_out(name, data):
    x, axis, how = data.draw(case(max_dims=2))
    t = leaf(x.astype(np.float32))
    y = apply(name, t, axis, how)
    assert y.dtype == np.float32
    assert_allclose(y.detach().cpu().numpy(), REFS[name](x, used_axis(axis, how)), rtol=1e-5, atol=1e-6)
    (y * y).sum().backward()
    assert t.grad.dtype == np.float32 and t.grad.shape == x.shape


def test_log_softmax_with_minus_inf_entry_like_pytorch():
    x = leaf(np.array([[0.0, -np.inf, 1.0], [2.0, 2.0, -np.inf]]))
    g = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 4.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = ag.log_softmax(x, dim=1)
        y.backward(Tensor(g))
    finite = np.array([[0.0, 1.0], [2.0, 2.0]])
    ls = ref_log_softmax(finite, 1)
    assert_allclose(y.detach().cpu().numpy()[:, [0, 2]][0], ls[0])
    assert_allclose(y.detach().cpu().numpy()[1, :2], ls[1])
    assert y.detach().cpu().numpy()[0, 1] == -np.inf and y.detach().cpu().numpy()[1, 2] == -np.inf
    # g - softmax * sum(g): the -inf entry has probability 0, so its gradient is g itself
    sm = np.exp(y.detach().cpu().numpy())
    expected = g - sm * g.sum(axis=1, keepdims=True)
    assert np.all(np.isfinite(x.grad.cpu().numpy()))
    assert_allclose(x.grad.cpu().numpy(), expected)
    assert x.grad.cpu().numpy()[0, 1] == 2.0 and x.grad.cpu().numpy()[1, 2] == 4.0


def test_softmax_with_minus_inf_entry_gives_zero_probability_and_finite_gradient():
    x = leaf(np.array([0.0, -np.inf, np.log(3.0)]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = ag.softmax(x)
        (y * Tensor(np.array([1.0, 5.0, 2.0]))).sum().backward()
    assert_allclose(y.detach().cpu().numpy(), [0.25, 0.0, 0.75])
    assert_allclose(x.grad.cpu().numpy(), [0.25 * (1 - 1.75), 0.0, 0.75 * (2 - 1.75)])


@pytest.mark.parametrize("name", sorted(FNS))
def test_all_minus_inf_row_is_nan_like_pytorch_without_warnings(name):
    x = leaf(np.array([[-np.inf, -np.inf], [1.0, 2.0]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = FNS[name](x, dim=-1)
        y.sum().backward()
    assert np.all(np.isnan(y.detach().cpu().numpy()[0]))
    assert_allclose(y.detach().cpu().numpy()[1], REFS[name](np.array([1.0, 2.0]), -1))
    assert np.all(np.isfinite(x.grad.cpu().numpy()[1]))


@pytest.mark.parametrize("name", sorted(FNS))
def test_size_zero_and_0d(name):
    fn = FNS[name]
    for shape, axis in (((0, 3), 1), ((3, 0), 1), ((3, 0), 0)):
        x = leaf(np.ones(shape))
        y = fn(x, axis)
        assert y.shape == shape
        y.sum().backward()
        assert x.grad.shape == shape
    s = leaf(np.array(0.7))
    y = fn(s, dim=0)
    assert y.item() == (1.0 if name == "softmax" else 0.0)
    y.backward()
    assert s.grad.item() == 0.0
    assert fn(Tensor(0.7)).item() == y.item()


@pytest.mark.parametrize("name", sorted(FNS))
def test_integer_input_gives_float64(name):
    y = FNS[name](Tensor(np.array([[1, 2], [3, 3]])))
    assert y.dtype == np.float64
    assert_allclose(y.detach().cpu().numpy(), REFS[name](np.array([[1.0, 2.0], [3.0, 3.0]]), -1))


@pytest.mark.parametrize("name", sorted(FNS))
def test_axis_errors(name):
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=f"{name}: axis 2 is out of range"):
        FNS[name](x, 2)
    with pytest.raises(TypeError, match=f"{name}: axis \\(dim\\) must be a single int"):
        FNS[name](x, (0, 1))
    with pytest.raises(ValueError, match=f"{name}: axis 1 is out of range for a 0-d"):
        FNS[name](Tensor(np.array(1.0)), 1)


def test_log_softmax_is_log_of_softmax_and_consistent_under_create_graph():
    x = leaf(np.array([[0.3, -1.2, 2.0], [0.0, 0.1, -0.1]]))
    assert_allclose(ag.log_softmax(x).detach().cpu().numpy(), np.log(ag.softmax(x).detach().cpu().numpy()), rtol=1e-13)
    w = Tensor(np.array([[1.0, 0.0, 2.0], [-1.0, 3.0, 0.5]]))
    (g1,) = ag.grad((ag.log_softmax(x) * w).sum(), x, create_graph=True)
    (g2,) = ag.grad((ag.softmax(x).log() * w).sum(), x, create_graph=True)
    assert_allclose(g1.detach().cpu().numpy(), g2.detach().cpu().numpy(), rtol=1e-12)
    (h1,) = ag.grad((g1 * g1).sum(), x)
    (h2,) = ag.grad((g2 * g2).sum(), x)
    assert_allclose(h1.detach().cpu().numpy(), h2.detach().cpu().numpy(), rtol=1e-10)
