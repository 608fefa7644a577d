"""Elementwise primitives (autograd/ops/elementwise.py): forward vs NumPy or the formula,
gradients and second derivatives by central differences on hypothesis-drawn shapes (size 0,
non-contiguous), subgradients at kinks, saturation at +-1e4, the fast path and dtypes."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import Tensor
from autograd.testing import arrays_for, assert_allclose, assert_array_equal

ANY = st.floats(-3, 3)
POSITIVE = st.floats(0.2, 3)
NONZERO = st.one_of(st.floats(0.2, 3), st.floats(-3, -0.2))
AWAY_FROM_0 = st.one_of(st.floats(0.05, 3), st.floats(-3, -0.05))  # relu-like kinks at 0

_verf = np.vectorize(math.erf, otypes=[np.float64])


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


# name -> (function, reference, elements)
UNARY = {
    "exp": (ag.exp, np.exp, ANY),
    "log": (ag.log, np.log, POSITIVE),
    "log1p": (ag.log1p, np.log1p, st.floats(-0.8, 3)),
    "expm1": (ag.expm1, np.expm1, ANY),
    "sqrt": (ag.sqrt, np.sqrt, POSITIVE),
    "rsqrt": (ag.rsqrt, lambda x: 1 / np.sqrt(x), POSITIVE),
    "square": (ag.square, np.square, ANY),
    "reciprocal": (ag.reciprocal, lambda x: 1 / x, NONZERO),
    "sin": (ag.sin, np.sin, ANY),
    "cos": (ag.cos, np.cos, ANY),
    "tan": (ag.tan, np.tan, st.floats(-1.3, 1.3)),
    "tanh": (ag.tanh, np.tanh, ANY),
    "sigmoid": (ag.sigmoid, lambda x: 1 / (1 + np.exp(-x)), ANY),
    "relu": (ag.relu, lambda x: np.maximum(x, 0), AWAY_FROM_0),
    "leaky_relu": (lambda t: ag.leaky_relu(t, negative_slope=0.2),
                   lambda x: np.where(x > 0, x, 0.2 * x), AWAY_FROM_0),
    "elu": (lambda t: ag.elu(t, alpha=1.5), lambda x: np.where(x > 0, x, 1.5 * np.expm1(x)),
            AWAY_FROM_0),
    "gelu": (ag.gelu, lambda x: 0.5 * x * (1 + _verf(x / math.sqrt(2))), ANY),
    "gelu_tanh": (lambda t: ag.gelu(t, approximate="tanh"), _gelu_tanh, ANY),
    "erf": (ag.erf, _verf, ANY),
    "softplus": (ag.softplus, lambda x: np.log1p(np.exp(x)), ANY),
    "softplus_beta": (lambda t: ag.softplus(t, beta=2.0), lambda x: np.log1p(np.exp(2 * x)) / 2,
                      ANY),
}
METHODS = ["exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "square", "reciprocal", "sin", "cos",
           "tan", "tanh", "sigmoid", "relu"]


@st.composite
def inputs(draw, elements, max_dims=3, max_side=3, min_side=1):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=min_side,
                                  max_side=max_side))
    return draw(arrays_for(shape, elements=elements))


def leaf(a):
    return Tensor(a, requires_grad=True)


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_forward_matches_reference(name, data):
    fn, ref, elems = UNARY[name]
    x = data.draw(inputs(elems, min_side=0))
    y = fn(leaf(x))
    assert y.shape == x.shape and y.dtype == np.float64
    assert_allclose(y.detach().cpu().numpy(), ref(x), rtol=1e-12, atol=1e-15)
    if name in METHODS:
        assert_array_equal(getattr(leaf(x), name)().data, y.detach().cpu().numpy())


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_gradients(name, data):
    fn, _, elems = UNARY[name]
    assert ag.gradcheck(fn, (leaf(data.draw(inputs(elems))),))


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_second_derivatives(name, data):
    fn, _, elems = UNARY[name]
    assert ag.gradgradcheck(fn, (leaf(data.draw(inputs(elems, max_dims=2, max_side=2))),))


@pytest.mark.parametrize("name", sorted(UNARY))
def test_size_zero(name):
    fn = UNARY[name][0]
    x = leaf(np.ones((2, 0)))
    y = fn(x)
    assert y.shape == (2, 0)
    y.sum().backward()
    assert x.grad.shape == (2, 0)


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_scalar_fast_path_matches_0d_arrays(name, data):
    fn, _, elems = UNARY[name]
    v = data.draw(elems)
    f, z = Tensor(v, requires_grad=True), Tensor(np.array(v), requires_grad=True)
    yf, yz = fn(f), fn(z)
    assert yf.shape == () and yf.dtype == np.float64
    # math.* and NumPy may differ in the last bit; rules like 1 - tanh**2 turn that into a few
    # 1e-16 absolute near saturation, hence the absolute tolerance of a few ulps of 1
    assert_allclose(yf.item(), yz.item(), rtol=1e-14, atol=1e-15)
    yf.backward()
    yz.backward()
    assert f.grad.shape == ()
    assert_allclose(f.grad.item(), z.grad.item(), rtol=1e-14, atol=1e-15)
    assert ag.gradcheck(fn, (Tensor(v, requires_grad=True),))


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_float32_in_float32_out(name, data):
    fn, ref, elems = UNARY[name]
    x = data.draw(inputs(elems, max_dims=2)).astype(np.float32)
    t = leaf(x)
    y = fn(t)
    assert y.dtype == np.float32
    assert_allclose(y.detach().cpu().numpy(), ref(x.astype(np.float64)), rtol=1e-5, atol=1e-6)
    y.sum().backward()
    assert t.grad.dtype == np.float32 and t.grad.shape == x.shape


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "tanh", "sigmoid", "reciprocal"])
def test_integer_inputs_give_float64(name):
    fn = UNARY[name][0]
    y = fn(Tensor(np.array([1, 2, 4])))
    assert y.dtype == np.float64
    assert_allclose(y.detach().cpu().numpy(), UNARY[name][1](np.array([1.0, 2.0, 4.0])))


# --------------------------------------------------------------- kinks, tails, saturation
@pytest.mark.parametrize("make", [lambda v: Tensor(v, requires_grad=True),
                                  lambda v: leaf(np.array([v]))])
def test_relu_and_abs_subgradient_at_zero_is_zero_like_pytorch(make):
    for fn in (ag.relu, ag.abs):
        x = make(0.0)
        y = fn(x)
        assert y.sum().item() == 0.0
        y.sum().backward()
        assert x.grad.cpu().numpy().item() == 0.0


def test_leaky_relu_slope_at_zero_is_negative_slope_like_pytorch():
    x = leaf(np.array([0.0, 2.0, -2.0]))
    ag.leaky_relu(x, negative_slope=0.1).sum().backward()
    assert_allclose(x.grad.cpu().numpy(), [0.1, 1.0, 0.1])


@pytest.mark.parametrize("name,v,value,slope", [
    ("sigmoid", 1e4, 1.0, 0.0), ("sigmoid", -1e4, 0.0, 0.0),
    ("tanh", 1e4, 1.0, 0.0), ("tanh", -1e4, -1.0, 0.0),
    ("softplus", 1e4, 1e4, 1.0), ("softplus", -1e4, 0.0, 0.0),
])
@pytest.mark.parametrize("kind", ["python float", "float64 array", "float32 array"])
def test_saturation_at_1e4_is_finite_without_warnings(name, v, value, slope, kind):
    x = {
        "python float": lambda: Tensor(v, requires_grad=True),
        "float64 array": lambda: leaf(np.array([v, v])),
        "float32 array": lambda: leaf(np.array([v, v], dtype=np.float32)),
    }[kind]()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = getattr(ag, name)(x)
        y.sum().backward()
    assert_array_equal(y.detach().cpu().numpy(), np.full(y.shape, value))
    assert_array_equal(x.grad.cpu().numpy(), np.full(x.shape, slope))


def test_sigmoid_is_accurate_in_both_tails():
    x = np.array([-40.0, -20.0, 20.0, 40.0])
    y = ag.sigmoid(Tensor(x)).data
    assert_allclose(y[:2], np.exp(x[:2]) / (1 + np.exp(x[:2])), rtol=1e-14)
    assert_allclose(1 - y[2:], np.exp(-x[2:]) / (1 + np.exp(-x[2:])), atol=1e-16)
    assert ag.sigmoid(Tensor(-40.0)).item() == pytest.approx(math.exp(-40.0), rel=1e-14)


def test_softplus_is_linear_above_the_threshold_like_pytorch():
    x = leaf(np.array([25.0, 19.0, -30.0]))
    y = ag.softplus(x)
    assert_allclose(y.detach().cpu().numpy(), [25.0, np.log1p(np.exp(19.0)), np.log1p(np.exp(-30.0))],
                               rtol=1e-15)
    y.sum().backward()
    assert_allclose(x.grad.cpu().numpy(), [1.0, 1 / (1 + np.exp(-19.0)), np.exp(-30.0)],
                               rtol=1e-12)


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="gelu: approximate"):
        ag.gelu(Tensor(np.ones(2)), approximate="fast")


def test_gelu_tanh_approximation_is_close_to_exact():
    x = np.linspace(-3, 3, 13)
    exact = ag.gelu(Tensor(x)).data
    approx = ag.gelu(Tensor(x), approximate="tanh").data
    assert_allclose(approx, exact, atol=1e-3)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64])
def test_erf_and_gelu_dtypes(dtype):
    # floating inputs keep their dtype (on a GPU too, where CuPy's erf has no float16 kernel);
    # integers give float64
    x = np.array([-2, 0, 1, 3], dtype=dtype)
    want = np.dtype(dtype) if np.dtype(dtype).kind == "f" else np.dtype(np.float64)
    y = ag.erf(ag.tensor(x))
    assert y.dtype == want
    tol = 1e-3 if dtype == np.float16 else 1e-6
    assert_allclose(y.cpu().numpy(), [math.erf(v) for v in x.tolist()], rtol=tol, atol=tol)
    if np.dtype(dtype).kind == "f":
        assert ag.gelu(ag.tensor(x)).dtype == want


@pytest.mark.parametrize("name, fn, params", [
    ("leaky_relu", ag.leaky_relu, {"negative_slope": 0.2}),
    ("elu", ag.elu, {"alpha": 0.5}),
    ("softplus", ag.softplus, {"beta": 2.0, "threshold": 1.0}),
])
def test_parameters_may_be_positional(name, fn, params):
    # PyTorch's call forms: F.leaky_relu(x, 0.2), F.elu(x, 0.5), F.softplus(x, 2.0, 1.0)
    x = np.array([-1.5, 0.0, 0.3, 2.0])
    a, b = leaf(x), leaf(x)
    ya, yb = fn(a, *params.values()), fn(b, **params)
    assert_array_equal(ya.detach().cpu().numpy(), yb.detach().cpu().numpy())
    ya.sum().backward()
    yb.sum().backward()
    assert_array_equal(a.grad.cpu().numpy(), b.grad.cpu().numpy())
    assert ag.gradgradcheck(lambda t: fn(t, *params.values()), (leaf(np.array([-1.5, 0.3, 2.0])),))
