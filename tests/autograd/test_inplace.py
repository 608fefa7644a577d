"""In-place operations: values, gradients, version counters, saved-tensor checks, views."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import Tensor
from autograd.testing import arrays_for, assert_allclose, assert_array_equal, shapes


def leaf(a, rg=True):
    return Tensor(np.array(a, dtype=np.float64), requires_grad=rg)


@st.composite
def target_and_operand(draw, lo=-3.0, hi=3.0, olo=-3.0, ohi=3.0, min_dims=0):
    """A target array and an operand whose shape broadcasts *to* the target's shape."""
    shape = draw(shapes(min_dims=min_dims, max_dims=3, max_side=3))
    k = draw(st.integers(0, len(shape)))
    oshape = tuple(1 if draw(st.booleans()) else n for n in shape[len(shape) - k:])
    t = draw(arrays_for(shape, min_value=lo, max_value=hi))
    o = draw(arrays_for(oshape, min_value=olo, max_value=ohi))
    return t, o


def away_from_zero(a, m=0.3):
    return np.where(np.abs(a) < m, np.where(a < 0, -m, m), a)


BINARY = {
    "add_": (np.add, lambda a, b: a + b),
    "sub_": (np.subtract, lambda a, b: a - b),
    "mul_": (np.multiply, lambda a, b: a * b),
    "div_": (np.true_divide, lambda a, b: a / b),
    "pow_": (np.power, lambda a, b: a**b),
}


def prepare(name, t, o):
    if name == "div_":
        o = away_from_zero(o)
    if name == "pow_":
        t = np.abs(t) + 0.5  # positive base: real powers, smooth in both arguments
    return t, o


def sum_to(a, shape):
    """Sum ``a`` over the axes broadcasting added or stretched, so it has ``shape``."""
    a = a.sum(axis=tuple(range(a.ndim - len(shape))))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and a.shape[i] != 1)
    return a.sum(axis=axes, keepdims=True).reshape(shape)


# ------------------------------------------------------------------------------ values
@pytest.mark.parametrize("name", list(BINARY))
@given(data=target_and_operand())
def test_binary_inplace_values_equal_out_of_place(name, data):
    t, o = prepare(name, *data)
    ref = BINARY[name][0](t, o)
    x = Tensor(t.copy())
    buf = x._data
    r = getattr(x, name)(Tensor(o))
    assert r is x and x._data is buf and x._version == 1
    assert_allclose(x.detach().cpu().numpy(), ref, rtol=1e-12, atol=1e-12)
    # recorded path (a non-leaf in a graph) gives the same values
    w = leaf(t)
    h = w * 1.0
    getattr(h, name)(Tensor(o, requires_grad=True))
    assert_allclose(h.detach().cpu().numpy(), ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", list(BINARY))
@given(data=target_and_operand())
def test_augmented_assignment_is_in_place(name, data):
    t, o = prepare(name, *data)
    ref = BINARY[name][1](t, o)
    x = Tensor(t.copy())
    ident, buf = id(x), x._data
    if name == "add_":
        x += Tensor(o)
    elif name == "sub_":
        x -= Tensor(o)
    elif name == "mul_":
        x *= Tensor(o)
    elif name == "div_":
        x /= Tensor(o)
    else:
        x **= Tensor(o)
    assert id(x) == ident and x._data is buf and x._version == 1
    assert_allclose(x.detach().cpu().numpy(), ref, rtol=1e-12, atol=1e-12)


def test_augmented_assignment_on_non_leaf_moves_history():
    w = leaf([1.0, 2.0])
    h = w * 2.0
    before = h
    h += w
    assert h is before and h.grad_fn is not None and h._version == 1
    h.sum().backward()
    assert_allclose(w.grad.cpu().numpy(), [3.0, 3.0])


def test_alpha_and_python_numbers():
    x = Tensor([1.0, 2.0])
    x.add_(Tensor([1.0, 1.0]), alpha=3)
    x.sub_(1)
    x.mul_(2.0)
    x.div_(4)
    assert_allclose(x.detach().cpu().numpy(), [1.5, 2.0])
    assert x._version == 4


@given(data=target_and_operand(), lo=st.floats(-2, 0), width=st.floats(0.1, 3))
def test_clamp_values(data, lo, width):
    t, _ = data
    x = Tensor(t.copy())
    x.clamp_(lo, lo + width)
    assert_array_equal(x.detach().cpu().numpy(), np.clip(t, lo, lo + width))
    y = Tensor(t.copy())
    y.clamp_(min=lo)
    assert_array_equal(y.detach().cpu().numpy(), np.maximum(t, lo))
    z = Tensor(t.copy())
    z.clamp_(max=Tensor(lo))
    assert_array_equal(z.detach().cpu().numpy(), np.minimum(t, lo))
    with pytest.raises(ValueError, match="clamp_: at least one"):
        Tensor(t.copy()).clamp_()


@given(data=target_and_operand())
def test_fill_zero_copy_values(data):
    t, o = data
    x = Tensor(t.copy())
    x.fill_(2.5)
    assert_array_equal(x.detach().cpu().numpy(), np.full(t.shape, 2.5))
    x.zero_()
    assert_array_equal(x.detach().cpu().numpy(), np.zeros(t.shape))
    x.copy_(Tensor(o))
    assert_array_equal(x.detach().cpu().numpy(), np.broadcast_to(o, t.shape))
    assert x._version == 3


def test_copy_casts_to_the_target_dtype():
    x = Tensor(np.zeros(3, dtype=np.float32))
    x.copy_(Tensor(np.array([1.0, 2.0, 3.0])))
    assert x.dtype == np.float32
    assert_array_equal(x.detach().cpu().numpy(), [1, 2, 3])


def test_in_place_keeps_shape_and_dtype():
    x = Tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"add_: output with shape \(2,\) doesn't match the "
                                           r"broadcast shape \(3, 2\)"):
        x.add_(Tensor(np.ones((3, 2))))
    i = Tensor(np.array([1, 2]))
    with pytest.raises(TypeError, match="can't be cast to the tensor's dtype int64"):
        i += 0.5
    with pytest.raises(TypeError, match="div_"):
        i /= 2
    i += 3
    assert_array_equal(i.detach().cpu().numpy(), [4, 5])
    assert i.dtype == np.int64
    f32 = Tensor(np.ones(2, dtype=np.float32))
    f32 *= Tensor(np.array([2.0, 3.0]))  # float64 operand, result stays float32
    assert f32.dtype == np.float32
    assert_array_equal(f32.detach().cpu().numpy(), [2, 3])


def test_target_must_be_a_tensor():
    with pytest.raises(TypeError, match="expected a Tensor"):
        ag.add_(np.ones(2), 1.0)


def test_read_only_data_raises():
    x = Tensor(np.ones(3)).expand(2, 3)
    with pytest.raises(RuntimeError, match="read-only"):
        x.add_(1.0)
    with pytest.raises(RuntimeError, match="read-only"):
        x[0] = 2.0


# --------------------------------------------------------------------------- gradients
def inplace_fn(name):
    def f(x, y):
        h = x.clone()  # clone, then modify the non-leaf in place
        getattr(h, name)(y)
        return h * 1.5

    return f


def out_of_place_fn(name):
    def f(x, y):
        return BINARY[name][1](x, y) * 1.5

    return f


@pytest.mark.parametrize("name", list(BINARY))
@given(data=target_and_operand(lo=-2, hi=2, olo=-2, ohi=2))
def test_binary_inplace_gradients(name, data):
    t, o = prepare(name, *data)
    x, y = leaf(t), leaf(o)
    assert ag.gradcheck(inplace_fn(name), (x, y))
    # equal to the out-of-place graph's gradients
    g_in = ag.grad(inplace_fn(name)(x, y).sum(), (x, y))
    g_out = ag.grad(out_of_place_fn(name)(x, y).sum(), (x, y))
    for a, b in zip(g_in, g_out):
        assert_allclose(a.detach().cpu().numpy(), b.detach().cpu().numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_inplace_second_derivatives(name):
    t, o = prepare(name, np.array([[0.7, -1.2, 0.4]]), np.array([1.3, -0.6, 0.9]))
    assert ag.gradgradcheck(inplace_fn(name), (leaf(t), leaf(o)))


def test_chain_of_in_place_ops_on_one_tensor():
    def f(x, y):
        h = x * 1.0
        h.mul_(y)
        h.add_(x)
        h.pow_(2.0)
        h.div_(y)
        h.sub_(h + 0.5)  # operand computed from h itself (add does not save h)
        return h

    x, y = leaf([[0.5, -1.0], [1.5, 2.0]]), leaf([0.8, -1.3])
    assert ag.gradcheck(f, (x, y))
    assert ag.gradgradcheck(f, (x, y))


@given(t=arrays_for((3, 4), min_value=-2, max_value=2), lo=st.floats(-1.5, -0.2),
       hi=st.floats(0.2, 1.5))
def test_clamp_gradient(t, lo, hi):
    assume(np.all(np.abs(t - lo) > 1e-3) and np.all(np.abs(t - hi) > 1e-3))

    def f(x):
        h = x.clone()
        h.clamp_(lo, hi)
        return h * h

    assert ag.gradcheck(f, (leaf(t),))


def test_clamp_with_tensor_bounds_that_require_grad():
    def f(x, lo, hi):
        h = x.clone()
        h.clamp_(lo, hi)
        return h

    x = leaf([-2.0, -0.3, 0.4, 2.0])
    assert ag.gradcheck(f, (x, leaf([-1.0, -1.0, -1.0, -1.0]), leaf(1.0)))


def test_self_operands():
    # x.mul_(x), x.add_(x), x.mul_(x.T): the operand is the tensor (or a view of it) itself
    def square(x):
        h = x.clone()
        h.mul_(h)
        return h

    def double(x):
        h = x.clone()
        h.add_(h)
        return h

    def times_transpose(x):
        h = x.clone()
        h.mul_(h.T)
        return h

    x = leaf([[1.0, 2.0], [3.0, -4.0]])
    for f in (square, double, times_transpose):
        assert ag.gradcheck(f, (x,))
        assert ag.gradgradcheck(f, (x,))
    h = x.clone()
    h.mul_(h.T)
    assert_allclose(h.detach().cpu().numpy(), x.detach().cpu().numpy() * x.detach().cpu().numpy().T)
    h.sum().backward()
    assert_allclose(x.grad.cpu().numpy(), 2 * x.detach().cpu().numpy().T)


def test_records_made_before_keep_their_version():
    # y reads nothing of h (add), then h changes in place: y's gradient goes to the old h
    w = leaf([1.0, 2.0])
    h = w * 2.0
    y = h + 1.0
    h.mul_(3.0)
    (y.sum() + h.sum()).backward()
    assert_allclose(w.grad.cpu().numpy(), [2.0 + 6.0, 2.0 + 6.0])


def test_consumers_between_several_versions():
    def f(w):
        h = w * 1.0
        a = h + 0.0  # version 0
        h.mul_(2.0)
        b = h + 0.0  # version 1
        h.add_(w)
        c = h.sum() * 3.0  # version 2
        return a.sum() + 10 * b.sum() + c

    w = leaf([0.5, -1.0, 2.0])
    f(w).backward()
    assert_allclose(w.grad.cpu().numpy(), np.full(3, 1 + 20 + 9))
    assert ag.gradcheck(f, (leaf([0.5, -1.0, 2.0]),))


def test_in_place_with_retain_graph_walks_twice():
    w = leaf([1.0, 2.0])
    h = w * 1.0
    y = h + 0.0
    h.mul_(w)
    loss = y.sum() + h.sum()
    loss.backward(retain_graph=True)
    loss.backward()
    assert_allclose(w.grad.cpu().numpy(), 2 * (1 + 2 * w.detach().cpu().numpy()))


def test_non_grad_target_gets_history_from_operand():
    w = leaf([1.0, -2.0])
    buf = ag.zeros(2)
    buf.add_(w * w)
    assert buf.requires_grad and not buf.is_leaf
    buf.mul_(3.0)
    buf.sum().backward()
    assert_allclose(w.grad.cpu().numpy(), 6 * w.detach().cpu().numpy())


# -------------------------------------------------------------------------- __setitem__
@st.composite
def index_case(draw):
    shape = draw(shapes(min_dims=1, max_dims=3, max_side=4))
    kind = draw(st.sampled_from(["int", "slice", "tuple", "mask", "intarray", "ellipsis", "neg"]))
    if kind == "int":
        idx = draw(st.integers(0, shape[0] - 1))
    elif kind == "neg":
        idx = draw(st.integers(-shape[0], -1))
    elif kind == "slice":
        a = draw(st.integers(0, shape[0]))
        idx = slice(a, draw(st.integers(a, shape[0])), draw(st.sampled_from([1, 2])))
    elif kind == "tuple":
        idx = tuple(slice(0, draw(st.integers(0, n)), draw(st.sampled_from([1, 2])))
                    for n in shape)
    elif kind == "mask":
        idx = draw(hnp.arrays(np.bool_, shape))
    elif kind == "intarray":
        idx = np.array(draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=3,
                                     unique=True)))
    else:
        idx = Ellipsis
    sel_shape = np.zeros(shape)[idx].shape
    # the value may be smaller than the selection and broadcast
    k = draw(st.integers(0, len(sel_shape)))
    vshape = sel_shape[len(sel_shape) - k:]
    t = draw(arrays_for(shape, min_value=-2, max_value=2))
    v = draw(arrays_for(vshape, min_value=-2, max_value=2))
    return t, idx, v


@given(case=index_case())
def test_setitem_values_and_gradients(case):
    t, idx, v = case
    coef = np.arange(t.size, dtype=np.float64).reshape(t.shape) + 1.0
    coef_t = ag.tensor(coef)  # on the tensors' device

    def f(x, val):
        h = x * 1.0
        h[idx] = val
        return h * coef_t

    x, val = leaf(t), leaf(v)
    out = f(x, val)
    ref = t.copy()
    ref[idx] = v
    assert_array_equal(out.detach().cpu().numpy(), ref * coef)
    out.sum().backward()
    written = np.zeros(t.shape, dtype=bool)
    written[idx] = True
    # the overwritten region gets no gradient, the rest passes through (t[...] = v overwrites
    # all of it: then nothing reaches x at all and its grad stays None)
    if idx is Ellipsis:
        assert x.grad is None
    else:
        assert_allclose(x.grad.cpu().numpy(), np.where(written, 0.0, coef))
    # the value gets the gradient of the places it filled (summed where it was broadcast)
    sel = np.broadcast_to(coef[idx], np.zeros(t.shape)[idx].shape)
    assert_allclose(val.grad.cpu().numpy(), sum_to(sel, v.shape))
    assert ag.gradcheck(f, (leaf(t), leaf(v)))


def test_setitem_equals_where_formula():
    t = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    mask = t > 0.7
    w = np.array(7.0)

    def with_setitem(x, v):
        h = x.clone()
        h[mask] = v
        return (h * h).sum()

    def with_where(x, v):
        return (ag.where(Tensor(mask), v, x) ** 2).sum()

    xa, wa = leaf(t), leaf(w)
    xb, wb = leaf(t), leaf(w)
    ga = ag.grad(with_setitem(xa, wa), (xa, wa))
    gb = ag.grad(with_where(xb, wb), (xb, wb))
    for p, q in zip(ga, gb):
        assert_allclose(p.detach().cpu().numpy(), q.detach().cpu().numpy())


@pytest.mark.cpu_only("which of repeated positions an assignment keeps is NumPy's (the last); "
                      "on a GPU it is undefined, as in CuPy and CUDA PyTorch (docs/differences.md)")
def test_setitem_repeated_integer_indices():
    # NumPy keeps the last write to a repeated position: only that value element gets gradient
    def f(x, v):
        h = x.clone()
        h[np.array([1, 3, 1])] = v
        return h * ag.tensor([1.0, 2.0, 3.0, 4.0])

    x, v = leaf([0.0, 0.0, 0.0, 0.0]), leaf([10.0, 20.0, 30.0])
    out = f(x, v)
    assert_array_equal(out.detach().cpu().numpy(), [0.0, 60.0, 0.0, 80.0])
    out.sum().backward()
    assert_allclose(v.grad.cpu().numpy(), [0.0, 4.0, 2.0])
    assert_allclose(x.grad.cpu().numpy(), [1.0, 0.0, 3.0, 0.0])
    assert ag.gradcheck(f, (leaf([0.1, 0.2, 0.3, 0.4]), leaf([1.0, 2.0, 3.0])))
    # a scalar value written twice to one place counts once
    w = leaf(5.0)
    h = ag.zeros(3)
    h[[0, 0, 2]] = w
    (h * Tensor([1.0, 2.0, 3.0])).sum().backward()
    assert w.grad.item() == pytest.approx(4.0)


def test_setitem_on_tensor_without_grad_gets_history():
    w = leaf([1.0, 2.0])
    buf = ag.zeros((3, 2))
    for i in range(3):
        buf[i] = w * float(i)
    assert buf.requires_grad and buf._version == 3
    (buf * buf).sum().backward()
    assert_allclose(w.grad.cpu().numpy(), 2 * w.detach().cpu().numpy() * (0 + 1 + 4))


def test_setitem_index_tensors_and_later_mask_changes():
    x = leaf([1.0, 2.0, 3.0])
    mask = Tensor(np.array([True, False, True]))
    h = x.clone()
    h[mask] = 0.0
    mask.data[:] = False  # changing the mask afterwards does not change the record
    h.sum().backward()
    assert_allclose(x.grad.cpu().numpy(), [0.0, 1.0, 0.0])
    idx = Tensor(np.array([2]))
    y = ag.zeros(3)
    y[idx] = 4.0
    assert_array_equal(y.detach().cpu().numpy(), [0, 0, 4])


def test_setitem_errors_name_the_operation():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"__setitem__: cannot assign a value of shape \(4,\)"):
        x[0] = Tensor(np.ones(4))
    with pytest.raises(ValueError, match=r"__setitem__: cannot assign a value of shape \(4,\)"):
        x[0] = leaf(np.ones(4))
    with pytest.raises(IndexError, match="__setitem__"):
        x[5] = 1.0


def test_setitem_second_derivatives():
    def f(x, v):
        h = x * x
        h[1:] = v * v
        return h * h

    assert ag.gradgradcheck(f, (leaf([0.5, -1.0, 1.5]), leaf([0.3, 0.7])))


# ----------------------------------------------------------------------- leaves, no_grad
LEAF_OPS = {
    "add_": lambda t: t.add_(1.0),
    "sub_": lambda t: t.sub_(1.0),
    "mul_": lambda t: t.mul_(2.0),
    "div_": lambda t: t.div_(2.0),
    "pow_": lambda t: t.pow_(2.0),
    "clamp_": lambda t: t.clamp_(0.0, 1.0),
    "fill_": lambda t: t.fill_(3.0),
    "__setitem__": lambda t: t.__setitem__(0, 3.0),
    "copy_": lambda t: t.copy_(Tensor([5.0, 6.0])),
}


@pytest.mark.parametrize("name", list(LEAF_OPS))
def test_leaf_requiring_grad_raises_outside_no_grad(name):
    w = leaf([0.5, 2.0])
    with pytest.raises(RuntimeError, match=rf"{name}.*a leaf tensor that requires "
                                           r"grad \(shape \(2,\)\).*no_grad"):
        LEAF_OPS[name](w)
    assert w._version == 0
    assert_array_equal(w.detach().cpu().numpy(), [0.5, 2.0])


@pytest.mark.parametrize("name", list(LEAF_OPS))
def test_leaf_in_place_inside_no_grad(name):
    w = leaf([0.5, 2.0])
    with ag.no_grad():
        LEAF_OPS[name](w)
    assert w._version == 1 and w.requires_grad and w.is_leaf and w.grad_fn is None


def test_augmented_assignment_on_leaf_raises_and_zero_():
    w = leaf([1.0])
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        w += 1.0
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        w.zero_()
    with ag.no_grad():
        w -= 0.5
        w.zero_()
    assert_array_equal(w.detach().cpu().numpy(), [0.0])


def test_optimizer_style_update():
    w = leaf([1.0, -1.0])
    (w * w).sum().backward()
    with ag.no_grad():
        w.sub_(w.grad, alpha=0.25)
    assert_allclose(w.detach().cpu().numpy(), [0.5, -0.5])
    w.grad = None
    (w * w).sum().backward()  # the graph built after the update is fine
    assert_allclose(w.grad.cpu().numpy(), [1.0, -1.0])


def test_non_leaf_in_place_under_no_grad_keeps_history_and_is_checked():
    w = leaf([1.0, 2.0])
    h = w * 1.0
    s = h + 0.0  # add does not read h
    with ag.no_grad():
        h.mul_(10.0)
    assert h.grad_fn is not None and h._version == 1
    s.sum().backward()
    assert_allclose(w.grad.cpu().numpy(), [1.0, 1.0])


# ------------------------------------------------------------------ saved-tensor checks
def version_error(op, shape, now, expected):
    shape_s = str(tuple(shape)).replace("(", r"\(").replace(")", r"\)")
    return (rf"modified by an inplace operation: \[float64 tensor of shape {shape_s}\], which is "
            rf".*{op}.*is at version {now}; expected version {expected} instead")


def test_modified_input_of_mul_is_caught():
    w = leaf([1.0, 2.0])
    h = w * 1.0
    y = h * w
    h.add_(1.0)
    with pytest.raises(RuntimeError, match=version_error("MulBackward", (2,), 1, 0)):
        y.sum().backward()


@pytest.mark.parametrize("fn,name", [(lambda t: t.exp(), "ExpBackward"),
                                     (lambda t: t.sigmoid(), "SigmoidBackward"),
                                     (lambda t: t.tanh(), "TanhBackward")])
def test_modified_output_saved_for_backward_is_caught(fn, name):
    w = leaf([[0.1, 0.2, 0.3]])
    y = fn(w)
    y.mul_(2.0)
    y.mul_(2.0)
    with pytest.raises(RuntimeError, match=version_error(name, (1, 3), 2, 0)):
        y.sum().backward()


def test_modified_constant_input_of_matmul_is_caught():
    w = leaf(np.ones((3, 2)))
    c = Tensor(np.arange(6.0).reshape(2, 3))  # needs no grad, but matmul's rule reads it
    y = c @ w
    c[0, 0] = 100.0
    with pytest.raises(RuntimeError, match=version_error("MatmulBackward", (2, 3), 1, 0)):
        y.sum().backward()


def test_error_counts_versions_made_before_the_record():
    w = leaf([1.0, 2.0])
    h = w * 1.0
    h.add_(1.0)
    h.add_(1.0)  # version 2 when saved
    y = h * h
    h.add_(1.0)
    with pytest.raises(RuntimeError, match=version_error("MulBackward", (2,), 3, 2)):
        y.sum().backward()


def test_modified_input_of_add_is_allowed():
    w = leaf([1.0, 2.0])
    c = Tensor([3.0, 4.0])
    y = w + c
    c.add_(10.0)
    y.sum().backward()
    assert_allclose(w.grad.cpu().numpy(), [1.0, 1.0])


def test_unrelated_modification_does_not_disturb():
    w = leaf([1.0, 2.0])
    y = (w * w).sum()
    other = Tensor([0.0])
    other.add_(1.0)  # advances the global clock only
    y.backward()
    assert_allclose(w.grad.cpu().numpy(), [2.0, 4.0])


@pytest.mark.cpu_only("about the Python-float scalar path, which is host data (GPU scalars are "
                      "0-d arrays)")
def test_scalar_tensors_in_place():
    w = Tensor(1.5, requires_grad=True)
    h = w * 2.0
    assert type(h._data) is float
    h.mul_(w)
    h.add_(1.0)
    h.pow_(2.0)
    assert type(h._data) is float and h._version == 3
    assert h.item() == pytest.approx((2 * 1.5 * 1.5 + 1) ** 2)
    h.backward()
    assert w.grad.item() == pytest.approx(2 * (2 * 1.5**2 + 1) * 4 * 1.5)
    s = Tensor(2.0)
    s += 1.0
    s *= Tensor(3.0)
    s[()] = s * 2.0
    assert type(s._data) is float and s.item() == 18.0 and s._version == 3
    with pytest.raises(RuntimeError, match=r"output with shape \(\) doesn't match"):
        s.add_(Tensor([1.0, 2.0]))
    # scalar saved input modified: caught like arrays
    v = Tensor(2.0, requires_grad=True)
    k = v * 1.0
    y = k * k
    k.add_(1.0)
    with pytest.raises(RuntimeError, match="MulBackward"):
        y.backward()


def test_scalar_gradcheck():
    def f(x, y):
        h = x * 1.0
        h.mul_(y)
        h.sub_(y)
        return h

    assert ag.gradcheck(f, (Tensor(0.7, requires_grad=True), Tensor(-1.3, requires_grad=True)))


# --------------------------------------------------------------------------------- views
@pytest.mark.parametrize("make_view", [
    lambda b: b.reshape(6),
    lambda b: b[1],
    lambda b: b[:, 1:],
    lambda b: b.T,
])
def test_in_place_through_view_under_no_grad_bumps_base(make_view):
    w = leaf(np.arange(6.0).reshape(2, 3) / 10)
    b = w * 1.0
    z = b * b  # saves b
    y = (w * 1.0).exp()  # saves its output
    with ag.no_grad():
        v = make_view(b)
        v.add_(1.0)
    assert b._version == 1 and v._version == 1
    with pytest.raises(RuntimeError, match=version_error("MulBackward", (2, 3), 1, 0)):
        z.sum().backward()
    with ag.no_grad():
        make_view(y).mul_(2.0)
    with pytest.raises(RuntimeError, match=r"which is output 0 of ExpBackward"):
        y.sum().backward()


def test_in_place_on_view_of_leaf_raises():
    w = leaf(np.ones((2, 3)))
    for v in (w[0], w.reshape(6), w.T, w[:, :2]):
        with pytest.raises(RuntimeError, match=r"a view of a leaf tensor that requires grad"):
            v.add_(1.0)
    with pytest.raises(RuntimeError, match=r"a view of a leaf tensor that requires grad"):
        w[0] += 1.0  # reads w[0] (a view), adds in place, then assigns
    assert_array_equal(w.detach().cpu().numpy(), np.ones((2, 3)))
    assert w._version == 0


def test_in_place_on_view_of_non_leaf_updates_the_base():
    def f(x, y):
        b = x * 1.0
        v = b[1:, :2]
        v.mul_(y)
        b[0] += y[0]  # getitem view, in-place add, setitem
        return b * b

    x = leaf(np.arange(1.0, 10.0).reshape(3, 3) / 5)
    y = leaf([0.5, -1.5])
    out = f(x, y)
    ref = x.detach().cpu().numpy().copy()
    ref[1:, :2] *= y.detach().cpu().numpy()
    ref[0] += y.detach().cpu().numpy()[0]
    assert_allclose(out.detach().cpu().numpy(), ref * ref)
    assert ag.gradcheck(f, (x, y))
    assert ag.gradgradcheck(f, (x, y))


@pytest.mark.parametrize("make_view", [
    lambda b: b.reshape(3, 2),
    lambda b: b.T,
    lambda b: b[:, ::2],
    lambda b: b.transpose(1, 0)[1:],
    lambda b: b.unsqueeze(0)[0, 1],
    lambda b: b.flip(1),
])
def test_view_in_place_gradient_matches_functional_formula(make_view):
    def f(x, y):
        b = x * 2.0
        v = make_view(b)
        v.mul_(y)
        return b.exp().sum() + v.sum()

    x = leaf(np.array([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))
    shape = make_view(Tensor(x.detach().cpu().numpy())).shape
    y = leaf(np.linspace(0.5, 1.5, int(np.prod(shape))).reshape(shape))
    assert ag.gradcheck(f, (x, y))


def test_view_of_view_in_place():
    def f(x, w):
        b = x * 1.0
        v = b.reshape(2, 2, 2)[1]  # a view of a view
        vv = v.T
        vv.add_(w)
        return b * b + v.sum()

    x = leaf(np.arange(8.0) / 4)
    w = leaf([[1.0, 2.0], [3.0, 4.0]])
    b = x.detach().clone().data.reshape(2, 2, 2)
    b[1] += w.detach().T
    assert ag.gradcheck(f, (x, w))
    assert_allclose(f(x, w).detach().cpu().numpy()[:4], (np.arange(8.0) / 4)[:4] ** 2 + b[1].sum().item())


def test_in_place_on_overlapping_view_raises():
    w = leaf([1.0, 2.0])
    b = w * 1.0
    e = b.expand(3, 2)
    with pytest.raises(RuntimeError, match="read-only|more than one element"):
        e.add_(leaf(np.ones((3, 2))))


def test_in_place_on_view_whose_record_was_freed():
    w = leaf([1.0, 2.0])
    v = (w * 1.0).reshape(2, 1)
    v.sum().backward()
    with pytest.raises(RuntimeError, match="freed"):
        v.add_(1.0)


def test_copying_reshape_is_not_a_view():
    w = leaf(np.arange(6.0).reshape(2, 3))
    b = w * 1.0
    r = b.T.reshape(6)  # NumPy must copy here
    r.mul_(2.0)  # allowed: r does not share b's memory
    assert_array_equal(b.detach().cpu().numpy(), np.arange(6.0).reshape(2, 3))
    (r.sum() + b.sum()).backward()
    assert_allclose(w.grad.cpu().numpy(), np.full((2, 3), 3.0))


def test_version_counter_counts():
    t = Tensor(np.zeros(3))
    assert t._version == 0
    for k in range(1, 6):
        t.add_(1.0)
        assert t._version == k
    v = t[1:]
    v.mul_(2.0)
    assert t._version == 6 and v._version == 6
    d = t.detach()
    d.add_(1.0)
    assert t._version == 7
    t[0] = 5.0
    t.fill_(0.0)
    t.copy_(Tensor([1.0, 2.0, 3.0]))
    t.clamp_(0.0, 2.0)
    assert t._version == 11
    assert (t * 2)._version == 0


def test_augmented_assignment_into_rows_of_a_buffer_without_grad():
    # buf[i] += v: a view of buf changes in place, then buf.__setitem__ records the write
    w = leaf([1.0, 2.0])
    buf = ag.zeros((3, 2))
    for i in range(3):
        buf[i] += w * float(i + 1)
    assert_array_equal(buf.detach().cpu().numpy(), np.outer([1.0, 2.0, 3.0], [1.0, 2.0]))
    (buf * buf).sum().backward()
    assert_allclose(w.grad.cpu().numpy(), 2 * w.detach().cpu().numpy() * (1 + 4 + 9))


def test_buffer_overwritten_in_a_loop():
    # copy_/fill_ overwrite everything: the old history gets no gradient, so each step's
    # backward works, and the tensor's list of past versions stays short
    w = leaf([1.0, 2.0])
    b = ag.zeros(2)
    for k in range(50):
        b.copy_(w * float(k))
        b.sum().backward()
        assert len((b._extra or {}).get("history", ())) <= 2
    assert_allclose(w.grad.cpu().numpy(), np.full(2, sum(range(50))))
    b.fill_(w[0])
    b.sum().backward()
    assert_allclose(w.grad.cpu().numpy(), [sum(range(50)) + 2, sum(range(50))])


def test_partial_overwrite_still_reaches_the_old_history():
    w = leaf([1.0, 2.0, 3.0])
    h = w * 2.0
    h[1:] = 0.0
    h.sum().backward()
    assert_allclose(w.grad.cpu().numpy(), [2.0, 0.0, 0.0])


# ------------------------------------------------------------ random programs vs PyTorch
PROGRAM_OPS = st.sampled_from(
    ["add_w", "mul_c", "mul_w", "set_row", "row_iadd", "t_mul", "slice_sub", "consume",
     "consume_view", "clamp", "keep_row", "keep_t", "use_kept", "kept_mul"]
)


def run_program(lib, x, w, prog):
    """Apply ``prog`` to h = x * 1 with library ``lib`` (autograd or torch); return the loss."""
    h = x * 1.0
    acc = (x * 0.0).sum()
    kept = []  # views of h taken earlier: in-place changes of h must show in them
    for k, op in enumerate(prog):
        c = 0.5 + 0.25 * (k % 3)
        if op == "add_w":
            h.add_(w)
        elif op == "mul_c":
            h.mul_(c)
        elif op == "mul_w":
            h.mul_(w)
        elif op == "set_row":
            h[k % 2] = w[k % 2] * c
        elif op == "row_iadd":
            h[k % 2] += w[k % 2]
        elif op == "t_mul":
            h.T.mul_(c)
        elif op == "slice_sub":
            h[:, 1:].sub_(w[:, :1])
        elif op == "consume":
            acc = acc + h.sum() * c
        elif op == "consume_view":
            acc = acc + h.reshape(-1)[1:].sum() * c
        elif op == "clamp":
            h.clamp_(-5.0, 5.0)
        elif op == "keep_row":
            kept.append(h[k % 2])
        elif op == "keep_t":
            kept.append(h.T)
        elif op == "use_kept" and kept:
            acc = acc + kept[-1].sum() * c
        elif op == "kept_mul" and kept:
            kept[0].mul_(c)
    return acc + (h * h).sum() + sum(v.sum() for v in kept)


@given(prog=st.lists(PROGRAM_OPS, min_size=1, max_size=10))
def test_random_in_place_programs_match_torch(prog):
    torch = pytest.importorskip("torch")
    xa = np.array([[0.3, -0.7, 1.1], [0.9, 0.2, -0.4]])
    wa = np.array([[0.6, -0.3, 0.8], [-0.5, 0.4, 0.7]])
    x, w = leaf(xa), leaf(wa)
    loss = run_program(ag, x, w, prog)
    loss.backward()
    xt = torch.tensor(xa, requires_grad=True)
    wt = torch.tensor(wa, requires_grad=True)
    lt = run_program(torch, xt, wt, prog)
    lt.backward()
    assert_allclose(loss.item(), lt.item(), rtol=1e-12)
    for ours, theirs in ((x, xt), (w, wt)):
        assert (ours.grad is None) == (theirs.grad is None)
        if ours.grad is not None:
            assert_allclose(ours.grad.cpu().numpy(), theirs.grad.cpu().numpy(), rtol=1e-10,
                                       atol=1e-12)


def test_views_taken_before_a_change_follow_it():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    h = x * 1.0
    v = h[0]
    t = h.T
    before = v + 0.0  # made before the change: keeps the old values' history
    h.mul_(2.0)
    assert_array_equal(v.detach().cpu().numpy(), [2.0, 4.0])
    assert v._version == 1 and t._version == 1
    (v.sum() + (t * t).sum() + before.sum()).backward()
    # v = 2 x[0]; sum((2 x^T)^2) = 4 sum(x^2); before = x[0]
    assert_allclose(x.grad.cpu().numpy(), 8 * x.detach().cpu().numpy() + [[2.0 + 1.0] * 2, [0.0, 0.0]])


def test_view_of_a_view_follows_a_change_of_the_base():
    def f(x, w):
        h = x * 1.0
        v = h.reshape(2, 3)[:, 1:]  # a view of a view of h
        h.add_(w)
        return v * v

    x, w = leaf(np.arange(6.0) / 3), leaf(np.linspace(-1.0, 1.0, 6))
    ref = (x.detach().cpu().numpy() + w.detach().cpu().numpy()).reshape(2, 3)[:, 1:]
    assert_allclose(f(x, w).detach().cpu().numpy(), ref * ref)
    assert ag.gradcheck(f, (x, w))


@pytest.mark.parametrize("method", ["copy_", "add_", "mul_"])
def test_grad_value_into_unrecorded_view_raises_instead_of_losing_the_gradient(method):
    buf = ag.zeros(4)
    w = leaf([1.0, 2.0, 3.0])
    view = buf[1:]
    with pytest.raises(RuntimeError, match=r"view \(shape \(3,\)\).*Write into the base"):
        getattr(view, method)(w)
    assert_array_equal(buf.detach().cpu().numpy(), np.zeros(4))  # nothing was written
    with ag.no_grad():
        late = leaf([1.0, 2.0, 3.0, 4.0])[1:]  # viewed outside grad mode
    with pytest.raises(RuntimeError, match="viewed outside grad mode"):
        getattr(late, method)(w)
    view.add_(1.0)  # values that need no gradient are fine
    assert_array_equal(buf.detach().cpu().numpy(), [0.0, 1.0, 1.0, 1.0])
