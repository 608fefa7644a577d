"""Arithmetic primitives (autograd/ops/arithmetic.py): forward vs NumPy, gradients by central
differences (hypothesis-drawn broadcastable shapes, non-contiguous views), second derivatives,
ties, base-0 powers, the Python-float fast path, dtypes and the no-grad comparisons."""

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
NONZERO = st.one_of(st.floats(0.5, 3), st.floats(-3, -0.5))
POSITIVE = st.floats(0.5, 2.5)
EXPONENT = st.floats(-2, 2)
# two grids 0.1 apart at least: maximum/minimum never see a tie (a kink)
GRID_A = st.integers(-12, 12).map(lambda k: k / 4 + 0.1)
GRID_B = st.integers(-12, 12).map(lambda k: k / 4)
# a / b never within 1/16 of an integer: remainder away from its jumps
REM_A = st.integers(-12, 12).map(lambda k: k / 4 + 0.125)
REM_B = st.sampled_from([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])

# name -> (function, NumPy reference, elements of a, elements of b)
BINARY = {
    "add": (ag.add, np.add, ANY, ANY),
    "sub": (ag.sub, np.subtract, ANY, ANY),
    "mul": (ag.mul, np.multiply, ANY, ANY),
    "div": (ag.div, np.true_divide, ANY, NONZERO),
    "pow": (ag.pow, np.power, POSITIVE, EXPONENT),
    "maximum": (ag.maximum, np.maximum, GRID_A, GRID_B),
    "minimum": (ag.minimum, np.minimum, GRID_A, GRID_B),
    "remainder": (ag.remainder, np.remainder, REM_A, REM_B),
}
OPERATORS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a ** b,
    "remainder": lambda a, b: a % b,
}


@st.composite
def operands(draw, ea, eb, max_dims=3, max_side=3, min_side=1):
    """Two arrays of mutually broadcastable shapes, each C-contiguous, transposed or strided."""
    shapes = draw(hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=0, max_dims=max_dims, min_side=min_side, max_side=max_side))
    sa, sb = shapes.input_shapes
    return draw(arrays_for(sa, elements=ea)), draw(arrays_for(sb, elements=eb))


def leaf(a):
    return Tensor(a, requires_grad=True)


# ------------------------------------------------------------------------------ binary ops
@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_forward_matches_numpy(name, data):
    fn, ref, ea, eb = BINARY[name]
    a, b = data.draw(operands(ea, eb, min_side=0))
    y = fn(leaf(a), leaf(b))
    expected = ref(a, b)
    assert y.shape == expected.shape and y.dtype == expected.dtype
    assert_allclose(y.detach().cpu().numpy(), expected, rtol=1e-15, atol=0)
    if name in OPERATORS:
        assert_array_equal(OPERATORS[name](leaf(a), leaf(b)).data, y.detach().cpu().numpy())


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_gradients(name, data):
    fn, _, ea, eb = BINARY[name]
    a, b = data.draw(operands(ea, eb))
    assert ag.gradcheck(fn, (leaf(a), leaf(b)))


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_second_derivatives(name, data):
    fn, _, ea, eb = BINARY[name]
    a, b = data.draw(operands(ea, eb, max_dims=2, max_side=2))
    assert ag.gradgradcheck(fn, (leaf(a), leaf(b)))


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_with_a_python_number(name, data):
    # the number is a weak scalar on either side; only the Tensor gets a gradient
    fn, ref, ea, eb = BINARY[name]
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3))
    a = data.draw(arrays_for(shape, elements=ea))
    b = data.draw(arrays_for(shape, elements=eb))
    sa, sb = float(a.flat[0]), float(b.flat[0])
    assert_allclose(fn(leaf(a), sb).data, ref(a, sb), rtol=1e-15)
    assert_allclose(fn(sa, leaf(b)).data, ref(sa, b), rtol=1e-15)
    assert ag.gradcheck(lambda t: fn(t, sb), (leaf(a),))
    assert ag.gradcheck(lambda t: fn(sa, t), (leaf(b),))


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_size_zero(name):
    fn, ref, _, _ = BINARY[name]
    a, b = leaf(np.ones((0, 3))), leaf(np.full((1, 3), 2.0))
    y = fn(a, b)
    assert y.shape == (0, 3)
    y.sum().backward()
    assert a.grad.shape == (0, 3)
    assert_array_equal(b.grad.cpu().numpy(), np.zeros((1, 3)))


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_float32_in_float32_out(name, data):
    fn, _, ea, eb = BINARY[name]
    a, b = data.draw(operands(ea, eb, max_dims=2))
    ta, tb = leaf(a.astype(np.float32)), leaf(b.astype(np.float32))
    y = fn(ta, tb)
    assert y.dtype == np.float32
    y.sum().backward()
    assert ta.grad.dtype == np.float32 and tb.grad.dtype == np.float32
    assert ta.grad.shape == ta.shape and tb.grad.shape == tb.shape


@pytest.mark.parametrize("name", ["add", "mul", "div", "pow", "maximum"])
def test_float32_with_python_number_stays_float32(name):
    fn = BINARY[name][0]
    x = leaf(np.array([0.5, 1.5], dtype=np.float32))
    assert fn(x, 2.0).dtype == np.float32 and fn(2.0, x).dtype == np.float32


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_scalar_fast_path_matches_0d_arrays(name, data):
    fn, _, ea, eb = BINARY[name]
    a, b = data.draw(ea), data.draw(eb)
    fa, fb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    za, zb = Tensor(np.array(a), requires_grad=True), Tensor(np.array(b), requires_grad=True)
    yf, yz = fn(fa, fb), fn(za, zb)
    assert yf.shape == () and yf.dtype == np.float64
    assert_allclose(yf.item(), yz.item(), rtol=1e-14)
    yf.backward()
    yz.backward()
    assert_allclose(fa.grad.item(), za.grad.item(), rtol=1e-14)
    assert_allclose(fb.grad.item(), zb.grad.item(), rtol=1e-14)
    assert ag.gradcheck(fn, (fa, fb))


def test_scalar_fast_path_keeps_python_floats():
    # the fast path is for Python floats on the host: device tensors hold 0-d device arrays
    a, b = Tensor(1.5, requires_grad=True, device="cpu"), Tensor(-0.5, requires_grad=True,
                                                                 device="cpu")
    for y in (a + b, a - b, a * b, a / b, a ** 2.0, -a, abs(b)):
        assert type(y._data) is float
    y = a * b + a / b
    y.backward()
    assert type(a.grad._data) is float and type(b.grad._data) is float
    assert a.grad.item() == pytest.approx(-0.5 + 1 / -0.5)
    assert b.grad.item() == pytest.approx(1.5 - 1.5 / 0.25)


# ------------------------------------------------------------------------ ties and kinks
def test_maximum_minimum_ties_split_the_gradient():
    a, b = leaf(np.array([1.0, 2.0, 3.0])), leaf(np.array([1.0, 5.0, 3.0]))
    ag.maximum(a, b).sum().backward()
    assert_array_equal(a.grad.cpu().numpy(), [0.5, 0.0, 0.5])
    assert_array_equal(b.grad.cpu().numpy(), [0.5, 1.0, 0.5])
    a.grad = b.grad = None
    ag.minimum(a, b).sum().backward()
    assert_array_equal(a.grad.cpu().numpy(), [0.5, 1.0, 0.5])
    assert_array_equal(b.grad.cpu().numpy(), [0.5, 0.0, 0.5])


def test_maximum_tie_with_broadcast_number():
    x = leaf(np.array([0.0, 1.0, -1.0]))
    ag.maximum(x, 0.0).sum().backward()
    assert_array_equal(x.grad.cpu().numpy(), [0.5, 1.0, 0.0])


def test_abs_subgradient_at_zero_is_zero_like_pytorch():
    x = leaf(np.array([0.0, -2.0, 3.0, -0.0]))
    abs(x).sum().backward()
    assert_array_equal(x.grad.cpu().numpy(), [0.0, -1.0, 1.0, 0.0])
    s = Tensor(0.0, requires_grad=True)
    ag.abs(s).backward()
    assert s.grad.item() == 0.0


@given(data=st.data())
def test_abs_neg_sign_gradients(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=3))
    x = data.draw(arrays_for(shape, elements=NONZERO))
    assert_array_equal(ag.abs(leaf(x)).data, np.abs(x))
    assert_array_equal(ag.neg(leaf(x)).data, -x)
    assert ag.gradcheck(ag.abs, (leaf(x),))
    assert ag.gradcheck(ag.neg, (leaf(x),))
    assert ag.gradgradcheck(lambda t: ag.abs(t) * t, (leaf(x),))
    s = ag.sign(leaf(x))
    assert_array_equal(s.detach().cpu().numpy(), np.sign(x))
    assert not s.requires_grad


# ------------------------------------------------------------------------------------ pow
def test_pow_tensor_exponent_with_base_zero_matches_pytorch():
    # d/da = b * a**(b-1) (0 where b == 0, inf for 0**(negative)), d/db = a**b * log(a) with the
    # b >= 0 limit 0 at a == 0: the values torch.pow gives
    a = leaf(np.array([0.0, 0.0, 0.0, 0.0, 2.0]))
    b = leaf(np.array([2.0, 3.0, 0.5, 0.0, 1.5]))
    y = a ** b
    assert_array_equal(y.detach().cpu().numpy(), [0.0, 0.0, 0.0, 1.0, 2.0 ** 1.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y.sum().backward()
    assert_allclose(a.grad.cpu().numpy(), [0.0, 0.0, np.inf, 0.0, 1.5 * 2.0 ** 0.5])
    assert_allclose(b.grad.cpu().numpy(), [0.0, 0.0, 0.0, 0.0, 2.0 ** 1.5 * np.log(2.0)])


def test_pow_zero_base_negative_exponent_gives_infinities_without_warnings():
    a, b = leaf(np.array([0.0])), leaf(np.array([-1.0]))
    with np.errstate(divide="ignore"):  # the forward is NumPy's 0**-1 = inf
        y = a ** b
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y.sum().backward()
    assert a.grad.item() == -np.inf and b.grad.item() == -np.inf


@given(data=st.data())
def test_pow_exponent_gradient_at_base_zero_by_central_differences(data):
    # 0**b is 0 for every b > 0, so the exponent's derivative there is 0
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3))
    b = data.draw(arrays_for(shape, elements=st.floats(0.5, 3)))
    assert ag.gradcheck(lambda t: ag.pow(ag.zeros(shape, dtype=ag.float64), t), (leaf(b),))


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_pow_integer_exponent_on_negative_and_zero_bases(n):
    x = leaf(np.array([-1.5, 0.0, 0.7, -0.2]))
    assert_allclose((x ** n).data, x.detach().cpu().numpy() ** n)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x ** n).sum().backward()
    expected = n * x.detach().cpu().numpy() ** (n - 1) if n else np.zeros(4)
    assert_allclose(x.grad.cpu().numpy(), expected)
    assert ag.gradcheck(lambda t: t ** n, (leaf(np.array([-1.5, 0.7, -0.2])),))
    assert ag.gradgradcheck(lambda t: t ** n, (leaf(np.array([-1.5, 0.7, -0.2])),))


def test_pow_half_at_zero_gives_inf_like_pytorch():
    for x in (Tensor(0.0, requires_grad=True), leaf(np.array(0.0))):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            (x ** 0.5).backward()
        assert x.grad.item() == np.inf


# ----------------------------------------------------------------------------- where, clip
@given(data=st.data())
def test_where_gradients(data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    sc, sa, sb = shapes.input_shapes
    c = data.draw(arrays_for(sc, dtype=bool))
    a, b = data.draw(arrays_for(sa, elements=ANY)), data.draw(arrays_for(sb, elements=ANY))
    ct = Tensor(c)  # the condition on the operands' (default) device
    assert_array_equal(ag.where(ct, leaf(a), leaf(b)).data, np.where(c, a, b))
    assert ag.gradcheck(lambda x, y: ag.where(ct, x, y), (leaf(a), leaf(b)))
    assert ag.gradgradcheck(lambda x, y: ag.where(ct, x * x, y), (leaf(a), leaf(b)))


CLIP_X = st.integers(-12, 12).map(lambda k: k / 4 + 0.1)  # never on a bound below


@given(data=st.data())
def test_clip_values_and_gradients(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=3))
    x = data.draw(arrays_for(shape, elements=CLIP_X))
    lo, hi = -1.05, 0.55
    for kw, ref in (
        ({"min": lo, "max": hi}, np.clip(x, lo, hi)),
        ({"min": lo}, np.maximum(x, lo)),
        ({"max": hi}, np.minimum(x, hi)),
    ):
        assert_array_equal(ag.clip(leaf(x), **kw).data, ref)
        assert_array_equal(leaf(x).clamp(**kw).data, ref)
        assert ag.gradcheck(lambda t: ag.clip(t, **kw), (leaf(x),))
        assert ag.gradgradcheck(lambda t: ag.clamp(t * t, **kw), (leaf(x),))


def test_clip_gradient_passes_at_the_bounds_like_torch_clamp():
    x = leaf(np.array([-1.0, 0.0, 1.0, -2.0, 2.0]))
    ag.clip(x, -1.0, 1.0).sum().backward()
    assert_array_equal(x.grad.cpu().numpy(), [1.0, 1.0, 1.0, 0.0, 0.0])


@given(data=st.data())
def test_clip_with_tensor_bounds_requiring_grad(data):
    x = data.draw(arrays_for((2, 3), elements=CLIP_X))
    lo = leaf(np.full((1, 3), -1.05))
    hi = leaf(np.array(0.55))
    assert_array_equal(ag.clip(leaf(x), lo, hi).data, np.clip(x, -1.05, 0.55))
    assert ag.gradcheck(lambda t, a, b: ag.clip(t, a, b), (leaf(x), lo, hi))


def test_clip_errors():
    with pytest.raises(ValueError, match="clip: at least one"):
        ag.clip(leaf(np.ones(2)))


# --------------------------------------------------------------------- no-grad operations
COMPARISONS = {
    "eq": (ag.eq, np.equal, lambda a, b: a == b),
    "ne": (ag.ne, np.not_equal, lambda a, b: a != b),
    "lt": (ag.lt, np.less, lambda a, b: a < b),
    "le": (ag.le, np.less_equal, lambda a, b: a <= b),
    "gt": (ag.gt, np.greater, lambda a, b: a > b),
    "ge": (ag.ge, np.greater_equal, lambda a, b: a >= b),
}
SMALL_INTS = st.integers(-2, 2).map(float)  # repeated values: equal pairs do occur


@pytest.mark.parametrize("name", sorted(COMPARISONS))
@given(data=st.data())
def test_comparisons_are_bool_tensors_without_grad(name, data):
    fn, ref, op = COMPARISONS[name]
    a, b = data.draw(operands(SMALL_INTS, SMALL_INTS, min_side=0))
    for y in (fn(leaf(a), leaf(b)), op(leaf(a), leaf(b)), op(leaf(a), 0.0)):
        assert y.dtype == np.bool_
        assert not y.requires_grad and y.grad_fn is None
    assert_array_equal(fn(leaf(a), leaf(b)).data, ref(a, b))
    assert_array_equal(op(leaf(a), leaf(b)).data, ref(a, b))


@given(data=st.data())
def test_logical_ops(data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    a = data.draw(arrays_for(shapes.input_shapes[0], dtype=bool))
    b = data.draw(arrays_for(shapes.input_shapes[1], dtype=bool))
    ta, tb = Tensor(a), Tensor(b)
    for got, want in (
        (ag.logical_and(ta, tb), a & b), (ta & tb, a & b),
        (ag.logical_or(ta, tb), a | b), (ta | tb, a | b),
        (ag.logical_xor(ta, tb), a ^ b), (ta ^ tb, a ^ b),
        (ag.logical_not(ta), ~a), (~ta, ~a),
    ):
        assert got.dtype == np.bool_
        assert_array_equal(got.detach().cpu().numpy(), want)


@given(data=st.data())
def test_floor_divide_matches_numpy_and_has_no_grad(data):
    a, b = data.draw(operands(REM_A, REM_B))
    y = ag.floor_divide(leaf(a), leaf(b))
    assert_array_equal(y.detach().cpu().numpy(), np.floor_divide(a, b))
    assert_array_equal((leaf(a) // leaf(b)).data, np.floor_divide(a, b))
    assert not y.requires_grad


def test_integer_arithmetic_keeps_numpy_dtypes():
    i = Tensor(np.array([1, 2, 3]))
    assert (i + 1).dtype == np.int64 and (i * 2).dtype == np.int64
    assert (i / 2).dtype == np.float64
    assert (i + 0.5).dtype == np.float64
    assert ag.maximum(i, 2).dtype == np.int64


def test_unsupported_operands_name_the_op():
    x = leaf(np.ones(2))
    with pytest.raises(TypeError, match="add"):
        ag.add(x, "a")
    with pytest.raises(TypeError, match="mul"):
        ag.mul(x, None)


@pytest.mark.parametrize("base", [2.0, 3, 0.5])
def test_pow_of_a_number_base_to_second_order(base):
    # d(base**b)/db = base**b * log(base), with log(base) of the Python number kept a number
    b = leaf(np.array([-1.5, 0.3, 2.0]))
    assert ag.gradcheck(lambda t: base ** t, (b,))
    assert ag.gradgradcheck(lambda t: ag.pow(base, t * t), (b,))


def test_pow_of_a_zero_base_to_second_order():
    # 0**b = 0 for b > 0: every derivative in b is 0 there (docs/conventions.md)
    for base in (0.0, 0):
        b = leaf(np.array([0.5, 1.0, 2.0]))
        (g,) = ag.grad((base ** b).sum(), [b], create_graph=True)
        assert_array_equal(g.detach().cpu().numpy(), np.zeros(3))
        (h,) = ag.grad(g.sum(), [b], allow_unused=True)
        assert h is None or not np.any(h.cpu().numpy())
