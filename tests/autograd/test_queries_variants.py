"""Queries (allclose, equal, nonzero, unique, bincount: no gradients), PyTorch call forms
(div rounding_mode, add/sub alpha, all/any dim, dtype= of reductions and softmax, number % tensor,
repeat_interleave with tensor repeats), inference_mode, from_numpy/as_tensor and new_*."""

import threading

import numpy as np
import pytest
from _ondevice import const
from _opcheck import arrays, check_grads, torch_agrees
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import Tensor
from autograd.testing import arrays_for, assert_allclose, assert_array_equal

torch = pytest.importorskip("torch")


@given(a=arrays(min_side=0, elements=st.sampled_from([0.0, 1.0, -2.0, 2.0])))
def test_unique_nonzero_like_torch(a):
    for kw in ({}, {"return_inverse": True}, {"return_counts": True},
               {"return_inverse": True, "return_counts": True}):
        torch_agrees(lambda t, kw=kw: t.unique(**kw), lambda t, kw=kw: torch.unique(t, **kw), a)
    torch_agrees(lambda t: t.nonzero(), lambda t: t.nonzero(), a)
    torch_agrees(lambda t: t.nonzero(as_tuple=True), lambda t: t.nonzero(as_tuple=True), a)


def test_unique_dim_and_bincount():
    a = np.array([[1, 2], [0, 0], [1, 2]])
    torch_agrees(lambda t: ag.unique(t, dim=0, return_inverse=True, return_counts=True),
                 lambda t: torch.unique(t, dim=0, return_inverse=True, return_counts=True), a)
    x = np.array([0, 3, 3, 1])
    torch_agrees(lambda t: t.bincount(minlength=6), lambda t: t.bincount(minlength=6), x)
    w = np.array([0.5, 1.0, 2.0, -1.0], dtype=np.float32)
    got = ag.bincount(Tensor(x), Tensor(w, requires_grad=True))
    want = torch.bincount(torch.tensor(x), torch.tensor(w))
    assert got.dtype == np.float32 and not got.requires_grad
    assert_array_equal(got.data, want.cpu().numpy())
    with pytest.raises(ValueError, match="bincount: input must be a 1-D integer"):
        ag.bincount(Tensor(np.ones(3)))


def test_allclose_equal():
    a = Tensor(np.array([1.0, 2.0]))
    assert ag.allclose(a, a + 1e-9) and not ag.allclose(a, a + 1e-3)
    assert a.allclose(const([1.0, 2.0])) is True
    assert ag.equal(a, Tensor(np.array([1.0, 2.0]))) and not a.equal(Tensor(np.array([1.0])))


@pytest.mark.parametrize("mode", [None, "trunc", "floor"])
@given(a=arrays(elements=st.floats(-5, 5)), b=st.floats(0.3, 3) | st.floats(-3, -0.3))
def test_div_rounding_modes_like_torch(mode, a, b):
    torch_agrees(lambda t: ag.div(t, b, rounding_mode=mode),
                 lambda t: torch.div(t, b, rounding_mode=mode), a)
    torch_agrees(lambda t: t.div(b, rounding_mode=mode),
                 lambda t: t.div(b, rounding_mode=mode), a)


def test_integer_division_modes_are_exact():
    a, b = np.array([-7, 7, -6, 5]), np.array([2, -2, 3, 5])
    for mode in ("trunc", "floor"):
        got = ag.div(Tensor(a), Tensor(b), rounding_mode=mode)
        want = torch.div(torch.tensor(a), torch.tensor(b), rounding_mode=mode)
        assert got.dtype.kind == "i" and got.tolist() == want.tolist()
    with pytest.raises(ValueError, match="div: rounding_mode"):
        ag.div(Tensor(a), 2, rounding_mode="round")


@given(data=st.data(), alpha=st.floats(-2, 2))
def test_add_sub_alpha(data, alpha):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    a, b = (data.draw(arrays_for(s)) for s in shapes.input_shapes)
    for name in ("add", "sub"):
        torch_agrees(lambda x, y, name=name: getattr(ag, name)(x, y, alpha=alpha),
                     lambda x, y, name=name: getattr(torch, name)(x, y, alpha=alpha), a, b)
        torch_agrees(lambda x, y, name=name: getattr(x, name)(y, alpha=alpha),
                     lambda x, y, name=name: getattr(x, name)(y, alpha=alpha), a, b)


@given(a=arrays(min_dims=1, elements=st.sampled_from([0.0, 1.0])), data=st.data())
def test_all_any_dim_keepdim(a, data):
    dim = data.draw(st.integers(-a.ndim, a.ndim - 1))
    keep = data.draw(st.booleans())
    for name in ("all", "any"):
        torch_agrees(lambda t, name=name: getattr(t, name)(dim, keep),
                     lambda t, name=name: getattr(t, name)(dim, keep), a)
        torch_agrees(lambda t, name=name: getattr(ag, name)(t, dim=dim, keepdim=keep),
                     lambda t, name=name: getattr(torch, name)(t, dim=dim, keepdim=keep), a)
        torch_agrees(lambda t, name=name: getattr(t, name)(),
                     lambda t, name=name: getattr(t, name)(), a)


def test_dtype_arguments():
    a = np.array([[1, 2], [3, 4]], dtype=np.int32)
    for name in ("sum", "prod", "mean"):
        got = getattr(Tensor(a), name)(dtype="float32")
        want = getattr(torch.tensor(a), name)(dtype=torch.float32)
        assert got.dtype == np.float32
        assert_allclose(got.data, want.cpu().numpy())
    x = np.array([[1.0, 2.0], [0.5, -1.0]], dtype=np.float32)
    for name in ("softmax", "log_softmax"):
        torch_agrees(lambda t, name=name: getattr(t, name)(dim=1, dtype="float64"),
                     lambda t, name=name: getattr(t, name)(dim=1, dtype=torch.float64), x,
                     atol=1e-7)
    check_grads(lambda t: t.prod(dim=0, dtype="float64"), np.array([[1.0, 2.0], [3.0, 0.0]]))


def test_rmod_number_tensor():
    # values as torch (which has no derivative of remainder by its divisor); ours by gradcheck
    a = np.array([3.0, -2.0, 1.7])
    for n in (5, 5.5, -4):
        assert_allclose((n % Tensor(a)).data, (n % torch.tensor(a)).cpu().numpy())
    check_grads(lambda t: 5.5 % t, a)


def test_repeat_interleave_tensor_repeats():
    a = np.arange(6.0).reshape(2, 3)
    r = np.array([1, 0, 3])
    torch_agrees(lambda t: t.repeat_interleave(Tensor(r), dim=1),
                 lambda t: t.repeat_interleave(torch.tensor(r), dim=1), a)
    torch_agrees(lambda t: ag.repeat_interleave(t, Tensor(np.array([2, 1])), dim=0),
                 lambda t: torch.repeat_interleave(t, torch.tensor([2, 1]), dim=0), a)
    torch_agrees(lambda t: ag.repeat_interleave(t, 2), lambda t: torch.repeat_interleave(t, 2), a)
    got = ag.repeat_interleave(Tensor(np.array([2, 0, 1])))
    assert got.tolist() == torch.repeat_interleave(torch.tensor([2, 0, 1])).tolist()
    check_grads(lambda t: ag.repeat_interleave(t, Tensor(r), dim=1), a)


def test_inference_mode_context_decorator_and_threads():
    x = Tensor(np.ones(2), requires_grad=True)
    with ag.inference_mode():
        y = x * 2
        assert ag.is_inference_mode_enabled() and not ag.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert ag.is_grad_enabled() and not ag.is_inference_mode_enabled()
    with ag.inference_mode(False):
        assert (x * 2).requires_grad

    @ag.inference_mode()
    def f(t):
        return t * 3

    @ag.inference_mode
    def g(t):
        return t * 3

    assert not f(x).requires_grad and not g(x).requires_grad
    seen = []
    with ag.inference_mode():  # thread-local: another thread still records
        th = threading.Thread(target=lambda: seen.append((x * 2).requires_grad))
        th.start()
        th.join()
    assert seen == [True]


@pytest.mark.cpu_only("from_numpy/as_tensor share the NumPy array's host memory")
def test_from_numpy_shares_memory_and_as_tensor():
    a = np.zeros(3)
    t = ag.from_numpy(a)
    a[0] = 5.0
    assert t.data[0] == 5.0
    t.data[1] = 7.0
    assert a[1] == 7.0
    with pytest.raises(TypeError, match="from_numpy: expected a numpy.ndarray"):
        ag.from_numpy([1.0])
    assert ag.as_tensor(t) is t
    assert np.shares_memory(ag.as_tensor(a).data, a)
    assert not np.shares_memory(ag.as_tensor(a, dtype="float32").data, a)
    assert ag.as_tensor([1, 2]).dtype == np.int64


def test_new_constructors_and_like_dtype():
    x = Tensor(np.ones(2, dtype=np.float32))
    assert x.new_zeros(2, 3).shape == (2, 3) and x.new_zeros((2, 3)).dtype == np.float32
    assert x.new_ones(4, dtype="float64").dtype == np.float64
    assert x.new_full((2,), 7.0).tolist() == [7.0, 7.0]
    assert x.new_empty(3).shape == (3,)
    n = x.new_tensor([1, 2])
    assert n.dtype == np.float32 and not n.requires_grad
    assert x.new_zeros(2, requires_grad=True).requires_grad
    assert ag.zeros_like(x, dtype="int64").dtype == np.int64
    assert ag.empty_like(x, dtype="float64").dtype == np.float64


def test_new_constructors_keep_the_tensors_device():
    # torch.Tensor.new_*: this tensor's device, not the default one (under --device the default
    # is the GPU, so the CPU tensor here tells the two apart)
    for x in (ag.ones(2), ag.ones(2, device="cpu")):
        news = [x.new_zeros(2), x.new_ones(2), x.new_empty(2), x.new_full((2,), 1.0),
                x.new_tensor([1.0, 2.0]), x.new_tensor(ag.ones(2))]
        assert all(n.device == x.device for n in news)
