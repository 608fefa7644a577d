"""Tensor construction, attributes, dtypes, conversions and error paths."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import Tensor
from autograd.testing import assert_array_equal


def test_python_float_is_float64_scalar():
    t = Tensor(2.5)
    assert t.dtype == np.float64 and t.shape == () and t.ndim == 0 and t.numel() == 1
    assert t.item() == 2.5 and isinstance(t.item(), float)
    assert isinstance(t.detach().cpu().numpy(), np.ndarray) and t.detach().cpu().numpy().shape == ()


def test_lists_and_ints_follow_numpy_dtypes():
    assert Tensor([1.0, 2.0]).dtype == np.float64
    assert Tensor([1, 2]).dtype == np.int64
    assert Tensor([True, False]).dtype == np.bool_
    assert Tensor(np.ones(3, dtype=np.float32)).dtype == np.float32
    assert Tensor([1, 2], dtype="float32").dtype == np.float32


@given(hnp.arrays(hnp.floating_dtypes(sizes=(32, 64)), hnp.array_shapes(min_dims=0, max_side=4)))
def test_roundtrip_numpy(a):
    t = Tensor(a)
    # a GPU holds native byte order (CuPy converts big-endian host data)
    assert t.shape == a.shape and t.dtype == (a.dtype.newbyteorder("=") if t.is_cuda else a.dtype)
    assert_array_equal(t.cpu().numpy(), a)
    assert_array_equal(np.asarray(t.tolist(), dtype=a.dtype), a)


@pytest.mark.cpu_only("about sharing NumPy memory: a GPU tensor always copies host data")
def test_tensor_function_copies_but_constructor_shares():
    a = np.zeros(3)
    shared, copied = Tensor(a), ag.tensor(a)
    a[0] = 7.0
    assert shared.detach().cpu().numpy()[0] == 7.0 and copied.detach().cpu().numpy()[0] == 0.0


def test_int_tensor_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        Tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        Tensor([1, 2]).requires_grad_()


@pytest.mark.parametrize("bad", ["abc", b"xy", {"a": 1}, object()])
def test_unsupported_data_raises_typeerror(bad):
    with pytest.raises(TypeError, match="tensor"):
        Tensor(bad)


def test_object_and_string_arrays_rejected():
    with pytest.raises(TypeError, match="not supported"):
        Tensor(np.array(["a", "b"]))
    with pytest.raises(TypeError, match="not supported"):
        Tensor(np.array([1, None], dtype=object))


def test_unknown_dtype_raises():
    with pytest.raises(TypeError, match="unknown dtype"):
        Tensor([1.0], dtype="floaty")
    with pytest.raises(TypeError, match="not supported"):
        Tensor([1.0], dtype="complex128")


def test_ragged_list_raises_valueerror():
    with pytest.raises(ValueError, match="ragged"):
        Tensor([[1.0, 2.0], [3.0]])


def test_repr_shows_data_grad_fn_and_requires_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    dev = f", device='{x.device}'" if x.is_cuda else ""
    assert repr(x) == f"tensor([1., 2.]{dev}, requires_grad=True)"
    y = x * 2
    assert "grad_fn=<MulBackward>" in repr(y)
    assert "dtype=float32" in repr(Tensor(np.ones(2, np.float32)))


def test_len_iter_and_T():
    t = Tensor(np.arange(6.0).reshape(2, 3))
    assert len(t) == 2
    rows = list(t)
    assert len(rows) == 2 and rows[1].tolist() == [3.0, 4.0, 5.0]
    assert t.T.shape == (3, 2)
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))


def test_item_of_multi_element_raises():
    with pytest.raises(ValueError, match="one-element"):
        Tensor([1.0, 2.0]).item()


def test_numpy_refuses_requires_grad_and_detach_shares():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        x.cpu().numpy()
    d = x.detach()
    assert not d.requires_grad and d.is_leaf
    assert d._data is x._data  # shares the data, on any device


def test_comparisons_are_bool_without_grad():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    for r in (x > 1.5, x >= 2, x < 2, x <= 2, x == 2, x != 2):
        assert r.dtype == np.bool_ and not r.requires_grad and r.grad_fn is None
    assert (x > 1.5).tolist() == [False, True, True]


def test_floor_divide_has_no_grad():
    x = Tensor([3.0, 4.0], requires_grad=True)
    y = x // 2
    assert y.tolist() == [1.0, 2.0] and not y.requires_grad


def test_constructors():
    assert ag.zeros(2, 3).shape == (2, 3) and ag.zeros((2, 3)).dtype == np.float64
    assert ag.ones(4).tolist() == [1.0] * 4
    assert ag.full((2,), 7.0).tolist() == [7.0, 7.0]
    assert ag.arange(5).dtype == np.int64 and ag.arange(0.0, 1.0, 0.5).tolist() == [0.0, 0.5]
    assert ag.linspace(0, 1, 3).tolist() == [0.0, 0.5, 1.0]
    assert_array_equal(ag.eye(3).detach().cpu().numpy(), np.eye(3))
    x = ag.randn(2, 3, dtype="float32")
    assert x.dtype == np.float32 and x.shape == (2, 3)
    assert ag.zeros_like(x).dtype == np.float32 and ag.ones_like(x).shape == (2, 3)
    assert ag.rand_like(x).shape == (2, 3) and ag.randn_like(x).dtype == np.float32
    assert ag.full_like(x, 2.0).tolist() == [[2.0] * 3] * 2
    assert ag.zeros(2, requires_grad=True).requires_grad


def test_random_is_seedable_both_ways():
    ag.manual_seed(123)
    a = ag.randn(5)
    ag.manual_seed(123)
    b = ag.randn(5)
    assert_array_equal(a.detach().cpu().numpy(), b.detach().cpu().numpy())
    g1, g2 = np.random.default_rng(9), np.random.default_rng(9)
    assert_array_equal(ag.rand(4, generator=g1).detach().cpu().numpy(), ag.rand(4, generator=g2).detach().cpu().numpy())
    with pytest.raises(TypeError, match="generator"):
        ag.rand(2, generator="seed")


@given(st.floats(-5, 5), st.floats(-5, 5))
def test_scalar_fast_path_matches_arrays(a, b):
    # the Python-float fast path is host data: CPU tensors, compared with arrays on any device
    fa, fb = Tensor(a, requires_grad=True, device="cpu"), Tensor(b, requires_grad=True, device="cpu")
    aa = Tensor(np.array(a), requires_grad=True)
    ab = Tensor(np.array(b), requires_grad=True)
    for x, y in ((fa, fb), (aa, ab)):
        (x * y + x.tanh() - y.sigmoid() * 3 + (x - y) ** 2).backward()
    assert type(fa._data) is float and type(fa.grad._data) is float
    assert fa.grad.item() == pytest.approx(aa.grad.item(), rel=1e-12, abs=1e-12)
    assert fb.grad.item() == pytest.approx(ab.grad.item(), rel=1e-12, abs=1e-12)


def test_scalar_division_by_zero_gives_inf_like_numpy():
    x = Tensor(1.0, requires_grad=True)
    with np.errstate(divide="ignore"):
        y = x / 0.0
    assert y.item() == np.inf
