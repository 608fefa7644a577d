"""NumPy interop: np.asarray, ndarray (op) Tensor, ufuncs routed to primitives, clear errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import Tensor, ops
from autograd.interop import COMPOSITES, ROUTES
from autograd.testing import arrays_for, assert_allclose, assert_array_equal


def leaf(a):
    return Tensor(np.array(a, dtype=np.float64), requires_grad=True)


def on_device(a):
    """Array data on the default device (a NumPy array, or the GPU's array type): what NumPy
    functions mix with tensors there."""
    return Tensor(np.asarray(a, dtype=np.float64))._data


# NumPy (host) arrays mixed with tensors: on a GPU that raises naming both devices, as PyTorch
# does (tests/autograd/test_devices.py); these tests are about the host
host_arrays = pytest.mark.cpu_only("mixes host NumPy arrays into tensor operations")


# ------------------------------------------------------------------------------ arrays
@pytest.mark.cpu_only("np.asarray shares host memory; a GPU tensor refuses it (say .cpu())")
def test_asarray_gives_the_data_and_array_copies():
    t = leaf([1.0, 2.0]).detach()  # no grad: converting it loses nothing
    a = np.asarray(t)
    assert isinstance(a, np.ndarray) and np.shares_memory(a, t.detach().cpu().numpy())
    assert_array_equal(a, [1.0, 2.0])
    b = np.array(t)
    b[0] = 99.0
    assert t.detach().cpu().numpy()[0] == 1.0
    f = np.asarray(t, dtype=np.float32)
    assert f.dtype == np.float32 and not np.shares_memory(f, t.detach().cpu().numpy())
    with pytest.raises(ValueError, match="needs a copy"):
        np.asarray(t, dtype=np.float32, copy=False)
    s = Tensor(2.5)
    assert np.asarray(s).shape == () and float(np.asarray(s)) == 2.5
    with ag.no_grad():
        assert np.asarray(leaf([1.0, 2.0]) * 2).tolist() == [2.0, 4.0]  # made without grad


def test_converting_a_tensor_that_requires_grad_raises_instead_of_dropping_its_gradient():
    t = leaf([1.0, 2.0])
    # np.asarray(t), np.array(...), and functions given tensors inside a list (no dispatch
    # reaches __array_function__ there) would silently detach: PyTorch raises too
    for convert in (np.asarray, np.array, lambda t: np.sum([t, t]), lambda t: np.array([t, t])):
        with pytest.raises(RuntimeError, match="requires grad"):
            convert(t)
    assert_array_equal(np.stack([t, t]).detach().cpu().numpy(), [[1.0, 2.0]] * 2)
    assert np.stack([t, t]).requires_grad  # routed: recorded, not detached


def test_array_priority_is_set():
    assert Tensor.__array_priority__ > 0


# ------------------------------------------------------------------ ndarray (op) Tensor
BINOPS = {
    "+": (lambda a, t: a + t, np.add),
    "-": (lambda a, t: a - t, np.subtract),
    "*": (lambda a, t: a * t, np.multiply),
    "/": (lambda a, t: a / t, np.true_divide),
    "**": (lambda a, t: a**t, np.power),
}


@host_arrays
@pytest.mark.parametrize("op", list(BINOPS))
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       data=st.data())
def test_ndarray_op_tensor_returns_recorded_tensors(op, shapes, data):
    sa, st_ = shapes.input_shapes
    a = data.draw(arrays_for(sa, min_value=0.5, max_value=2.0))
    t = leaf(data.draw(arrays_for(st_, min_value=0.5, max_value=2.0)))
    fn, uf = BINOPS[op]
    out = fn(a, t)
    assert isinstance(out, Tensor) and out.requires_grad
    assert_allclose(out.detach().cpu().numpy(), uf(a, t.detach().cpu().numpy()), rtol=1e-12)
    assert ag.gradcheck(lambda x: fn(a, x), (t,))
    # and the reflected order goes through Tensor's own operators
    assert ag.gradcheck(lambda x: fn(x, a), (t,))


@host_arrays
def test_ndarray_matmul():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    t = leaf([[0.5], [-1.0]])
    out = a @ t
    assert isinstance(out, Tensor)
    assert_allclose(out.detach().cpu().numpy(), a @ t.detach().cpu().numpy())
    assert ag.gradcheck(lambda x: a @ x, (t,))


def test_numpy_scalars_are_numbers_on_any_device():
    t = leaf([[0.5], [-1.0]])
    s = np.float64(3.0) * t
    assert isinstance(s, Tensor) and s.requires_grad
    s.sum().backward()
    assert_allclose(t.grad.cpu().numpy(), [[3.0], [3.0]])


@host_arrays
def test_ndarray_comparisons_give_bool_tensors():
    t = Tensor([1.0, 2.0, 3.0])
    m = np.array([2.0, 2.0, 2.0]) < t
    assert isinstance(m, Tensor) and m.dtype == np.bool_
    assert_array_equal(m.detach().cpu().numpy(), [False, False, True])


# -------------------------------------------------------------------------- ufunc routes
def _positive(u):
    return u in (np.log, np.sqrt, np.log2, np.log10, np.reciprocal, np.power)


SMOOTH_UNARY = [u for u in (np.exp, np.log, np.log1p, np.expm1, np.sqrt, np.square,
                            np.reciprocal, np.sin, np.cos, np.tan, np.tanh, np.negative,
                            np.absolute, np.log2, np.log10, np.exp2)]


@pytest.mark.parametrize("uf", SMOOTH_UNARY, ids=lambda u: u.__name__)
@given(a=arrays_for((2, 3), min_value=0.2, max_value=1.2))
def test_unary_ufuncs_are_recorded(uf, a):
    if uf is np.absolute:
        a = a * np.where(np.arange(6).reshape(2, 3) % 2, -1.0, 1.0)  # both signs, away from 0
    t = leaf(a)
    out = uf(t)
    assert isinstance(out, Tensor) and out.grad_fn is not None
    assert_allclose(out.detach().cpu().numpy(), uf(a), rtol=1e-12, atol=1e-15)
    assert ag.gradcheck(uf, (leaf(a),))


@pytest.mark.parametrize("uf", [np.add, np.subtract, np.multiply, np.true_divide, np.power,
                                np.maximum, np.minimum], ids=lambda u: u.__name__)
@given(a=arrays_for((3,), min_value=0.5, max_value=2.0),
       b=arrays_for((2, 1), min_value=0.5, max_value=2.0))
def test_binary_ufuncs_are_recorded(uf, a, b):
    if uf in (np.maximum, np.minimum):
        b = b + 3.0 * (np.arange(2).reshape(2, 1) % 2) - 1.5 * (1 - np.arange(2).reshape(2, 1))
    x, y = leaf(a), leaf(b)
    out = uf(x, y)
    assert isinstance(out, Tensor) and out.grad_fn is not None
    assert_allclose(out.detach().cpu().numpy(), uf(a, b), rtol=1e-12)
    assert ag.gradcheck(lambda p, q: uf(p, q), (x, y))
    bd = on_device(b)  # an array operand (beside the tensor, on its device)
    assert ag.gradcheck(lambda p: uf(p, bd), (leaf(a),))


def test_maximum_with_a_number_like_relu():
    x = leaf([-1.0, 0.5, 2.0])
    y = np.maximum(x, 0.0)
    y.sum().backward()
    assert_array_equal(x.grad.cpu().numpy(), [0.0, 1.0, 1.0])


@pytest.mark.parametrize("uf", sorted(ROUTES, key=lambda u: u.__name__),
                         ids=lambda u: u.__name__)
def test_every_route_is_a_primitive_or_a_clear_error(uf):
    fn = getattr(ops, ROUTES[uf], None)
    x = leaf([0.3, 0.6])
    args = (x,) * uf.nin
    if fn is None:  # not implemented (yet): must not silently detach
        with pytest.raises(TypeError, match=f"numpy.{uf.__name__} has no gradient rule"):
            uf(*args)
    else:
        out = uf(*args)
        assert isinstance(out, Tensor)
        with np.errstate(all="ignore"):
            assert_allclose(out.detach().cpu().numpy(), uf(*(a.detach().cpu().numpy() for a in args)))


def test_composites_match_numpy():
    for uf in COMPOSITES:
        a = np.array([0.25, 1.0, 3.0])
        assert_allclose(uf(leaf(a)).data, uf(a), rtol=1e-14)


# ----------------------------------------------------------------- no rule: clear errors
NO_RULE = [
    ("copysign", lambda t: np.copysign(t, t), lambda a: np.copysign(a, a)),
    ("cbrt", np.cbrt, np.cbrt),
    ("add.reduce", lambda t: np.add.reduce(t), lambda a: np.add.reduce(a)),
    ("add.accumulate", lambda t: np.add.accumulate(t), lambda a: np.add.accumulate(a)),
    ("multiply.outer", lambda t: np.multiply.outer(t, t), lambda a: np.multiply.outer(a, a)),
    ("exp with dtype=", lambda t: np.exp(t, dtype=np.float32),
     lambda a: np.exp(a, dtype=np.float32)),
]


@pytest.mark.parametrize("name,call,ref", NO_RULE, ids=[n for n, _, _ in NO_RULE])
def test_ufuncs_without_rule_raise_when_grad_needed(name, call, ref):
    x = leaf([0.5, 1.5, 2.5])
    with pytest.raises(TypeError, match=rf"numpy\.{name.split(' ')[0]}.*no gradient rule.*"
                                        "requires grad"):
        call(x)
    # without grad (or under no_grad) they work and return Tensors
    a = np.array([0.5, 1.5, 2.5])
    for arg, ctx in ((Tensor(a), ag.enable_grad()), (x, ag.no_grad())):
        with ctx:
            out = call(arg)
        assert isinstance(out, Tensor) and not out.requires_grad
        assert_allclose(out.detach().cpu().numpy(), ref(a))


def test_out_keyword_with_grad_raises():
    x = leaf([1.0, 2.0])
    with pytest.raises(TypeError, match=r"numpy\.exp with out= has no gradient rule"):
        np.exp(x, out=np.empty(2))
    arr = np.ones(2)
    with pytest.raises(TypeError, match=r"numpy\.add with out= has no gradient rule"):
        arr += x  # ndarray += Tensor means np.add(arr, t, out=arr)
    assert_array_equal(arr, [1.0, 1.0])


@host_arrays
def test_out_keyword_without_grad_writes_and_returns_the_out_object():
    arr = np.ones(2)
    arr += Tensor([1.0, 2.0])
    assert isinstance(arr, np.ndarray)
    assert_array_equal(arr, [2.0, 3.0])
    t = Tensor([0.0, 0.0])
    r = np.exp(Tensor([0.0, np.log(2.0)]), out=t)
    assert r is t and t._version == 1
    assert_allclose(t.detach().cpu().numpy(), [1.0, 2.0])
    r2 = np.add(np.ones(2), np.ones(2), out=t)  # only the out is a Tensor
    assert r2 is t and t._version == 2
    assert_array_equal(t.detach().cpu().numpy(), [2.0, 2.0])
    q1, q2 = Tensor([0.0, 0.0]), Tensor([0, 0])
    res = np.divmod(np.array([7.0, 9.0]), 4.0, out=(q1, q2.double()))
    assert res[0] is q1
    assert_array_equal(q1.detach().cpu().numpy(), [1.0, 2.0])


def test_out_tensor_that_requires_grad():
    w = leaf([0.0, 0.0])
    with pytest.raises(TypeError, match="writing into a tensor that requires grad"):
        np.exp(Tensor(np.zeros(2)), out=w)
    y = w * 1.0
    saved = y * y
    with ag.no_grad():
        np.exp(Tensor(np.zeros(2)), out=w)  # allowed, like optimizer updates
        np.multiply(y.detach(), 3.0, out=y)
    assert w._version == 1 and y._version == 1
    assert_array_equal(w.detach().cpu().numpy(), [1.0, 1.0])
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        saved.sum().backward()


def test_ufunc_at_modifies_in_place():
    t = Tensor([0.0, 0.0, 0.0])
    assert np.add.at(t, [0, 0, 2], 1.0) is None
    assert_array_equal(t.detach().cpu().numpy(), [2.0, 0.0, 1.0])
    assert t._version == 1
    w = leaf([0.0, 0.0])
    with pytest.raises(TypeError, match=r"numpy\.add\.at"):
        np.add.at(w, [0], 1.0)
    with ag.no_grad():
        np.add.at(w, [0], 1.0)
    assert_array_equal(w.detach().cpu().numpy(), [1.0, 0.0])


def test_foreign_array_types_get_their_turn():
    class Other:
        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            return "other handled it"

    assert np.add(Tensor([1.0]), Other()) == "other handled it"
    assert np.multiply(Other(), Tensor([1.0])) == "other handled it"


def test_interop_in_a_small_model():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(3, 2))
    x = on_device(rng.normal(size=(4, 3)))

    def model(w):
        h = np.tanh(x @ w)
        return np.exp(-np.square(h)).sum()

    assert ag.gradcheck(model, (leaf(W),))
