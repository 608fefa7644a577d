"""Rounding (zero gradients), frac, one-sided clamps, hyperbolic and inverse trigonometric
functions, atan2/hypot/logaddexp/xlogy (autograd/ops/rounding.py, transcendental.py): values and
gradients vs PyTorch, central differences and second derivatives on drawn (broadcast, 0-d,
empty, non-contiguous) shapes, PyTorch's conventions at the special points."""

import math

import numpy as np
import pytest
from _opcheck import arrays, check_grads, torch_agrees
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import Tensor
from autograd.testing import arrays_for, assert_allclose, assert_array_equal

ANY = st.floats(-3, 3)
UNIT = st.floats(-0.9, 0.9)  # asin/acos/atanh: away from the +-1 singularities
ABOVE_1 = st.floats(1.1, 4)
# name -> (elements, torch name); the ag function and method share the name
UNARY = {
    "sinh": ANY, "cosh": ANY, "asinh": ANY, "acosh": ABOVE_1, "atanh": UNIT, "asin": UNIT,
    "acos": UNIT, "atan": ANY, "frac": st.floats(-3, 3).filter(lambda v: abs(v - round(v)) > 0.01),
}
BINARY = {
    "atan2": st.floats(0.2, 3), "hypot": st.floats(0.2, 3), "logaddexp": ANY,
    "xlogy": st.floats(0.2, 3),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary(name, data):
    a = data.draw(arrays(min_side=0, elements=UNARY[name]))
    check_grads(getattr(ag, name), a)
    torch_agrees(lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), a)
    if a.size:
        assert_array_equal(getattr(Tensor(a), name)().data, getattr(ag, name)(
            Tensor(a)).data)


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_broadcast(name, data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    a, b = (data.draw(arrays_for(s, elements=BINARY[name])) for s in shapes.input_shapes)
    if name in ("atan2", "logaddexp"):  # any sign is fine for these
        a = a * data.draw(st.sampled_from([1.0, -1.0]))
    check_grads(getattr(ag, name), a, b)
    torch_agrees(lambda x, y: getattr(x, name)(y), lambda x, y: getattr(x, name)(y), a, b)


@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "round"])
@given(a=arrays(min_side=0))
def test_rounding_values_and_zero_gradients_like_torch(name, a):
    torch_agrees(lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), a)
    x = Tensor(a, requires_grad=True)
    y = getattr(ag, name)(x)
    assert y.requires_grad  # still in the graph, as in PyTorch
    y.sum().backward()
    assert_array_equal(x.grad.data, np.zeros(a.shape))


@given(a=arrays(), decimals=st.integers(-1, 3))
def test_round_decimals_like_torch(a, decimals):
    torch_agrees(lambda t: t.round(decimals=decimals), lambda t: t.round(decimals=decimals), a)


def test_rounding_keeps_integers_and_second_derivative_is_zero():
    i = Tensor(np.array([1, -2, 3]))
    assert ag.floor(i).dtype == i.dtype and ag.floor(i).tolist() == [1, -2, 3]
    x = Tensor(np.array([0.3, 1.7]), requires_grad=True)
    (g,) = ag.grad(ag.floor(x).sum() + (x * x).sum(), x, create_graph=True)
    assert_allclose(g.data, 2 * x.data)


@given(a=arrays(elements=st.floats(-3, 3).filter(lambda v: abs(v) > 0.05)),
       bound=st.floats(-2, 2).filter(lambda v: abs(v) > 0.05))
def test_clamp_min_max(a, bound):
    a = a + np.where(np.abs(a - bound) < 0.02, 0.05, 0.0)  # off the kink
    for name in ("clamp_min", "clamp_max"):
        check_grads(lambda t, name=name: getattr(ag, name)(t, bound), a)
        torch_agrees(lambda t, name=name: getattr(t, name)(bound),
                     lambda t, name=name: getattr(t, name)(bound), a)


def test_clamp_min_max_at_the_bound_pass_the_gradient_like_torch():
    a = np.array([-1.0, 0.5, 2.0])
    torch_agrees(lambda t: t.clamp_min(0.5), lambda t: t.clamp_min(0.5), a)
    torch_agrees(lambda t: t.clamp_max(0.5), lambda t: t.clamp_max(0.5), a)


def test_clamp_min_with_a_tensor_bound_gets_its_gradient():
    torch_agrees(lambda x, b: x.clamp_min(b), lambda x, b: x.clamp_min(b),
                 np.array([-1.0, 0.5, 2.0]), np.array([0.0, 1.0, 1.0]))


def test_special_points_follow_pytorch():
    torch = pytest.importorskip("torch")
    # xlogy(0, y) = 0 for y = 0 and inf, NaN propagates from y; its gradients
    x, y = np.array([0.0, 0.0, 0.0, 2.0]), np.array([0.0, np.inf, np.nan, 3.0])
    with np.errstate(all="ignore"):
        torch_agrees(lambda a, b: ag.xlogy(a, b), lambda a, b: torch.xlogy(a, b), x, y)
    # at the origin: hypot's gradients are nan (a / out = 0/0), atan2's are 0 (PyTorch masks
    # its 0/0 there)
    for name, want in (("atan2", 0.0), ("hypot", np.nan)):
        a, b = Tensor(np.array([0.0]), requires_grad=True), Tensor(np.array([0.0]),
                                                                   requires_grad=True)
        getattr(ag, name)(a, b).sum().backward()
        assert_array_equal([a.grad.data[0], b.grad.data[0]], [want, want])
        ta, tb = (torch.zeros(1, dtype=torch.float64, requires_grad=True) for _ in range(2))
        getattr(torch, name)(ta, tb).sum().backward()
        assert_array_equal([ta.grad.item(), tb.grad.item()], [want, want])
    # asin at 1: inf gradient, no warnings (filterwarnings=error in pytest)
    t = Tensor(np.array([1.0]), requires_grad=True)
    ag.asin(t).sum().backward()
    assert t.grad.data[0] == math.inf
    # logaddexp stays finite for large inputs
    u = Tensor(np.array([1000.0]), requires_grad=True)
    ag.logaddexp(u, Tensor(np.array([1000.0]))).sum().backward()
    assert_allclose(u.grad.data, [0.5])


def test_predicates_have_no_gradient():
    a = np.array([1.0, np.nan, np.inf, -np.inf])
    x = Tensor(a, requires_grad=True)
    for name in ("isnan", "isinf", "isfinite"):
        y = getattr(x, name)()
        assert y.dtype == np.bool_ and not y.requires_grad
        assert_array_equal(y.data, getattr(np, name)(a))


def test_arc_aliases_are_the_same_primitives():
    for alias, name in (("arcsin", "asin"), ("arccos", "acos"), ("arctan", "atan"),
                        ("arcsinh", "asinh"), ("arccosh", "acosh"), ("arctanh", "atanh"),
                        ("arctan2", "atan2")):
        assert getattr(ag, alias) is getattr(ag, name)
        assert getattr(Tensor, alias) is getattr(Tensor, name)
    # NumPy's ufuncs on tensors route to them (recorded, with gradients)
    x = Tensor(np.array([0.25, 0.5]), requires_grad=True)
    np.arcsin(x).sum().backward()
    assert_allclose(x.grad.data, 1 / np.sqrt(1 - x.data ** 2))


@pytest.mark.parametrize("y", [2.0, 3, 0.5])
def test_xlogy_with_a_number_y_to_second_order(y):
    # the rule's log(y) of a Python number stays a number: it mixes with tensors of any device
    x = Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    assert ag.gradcheck(lambda t: ag.xlogy(t, y), (x,))
    assert ag.gradgradcheck(lambda t: ag.xlogy(t * t, y), (x,))
