"""The public hypothesis strategies and assertion helper in autograd.testing."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Tensor
from autograd.primitive import Primitive
from autograd.testing import assert_gradients_close, broadcastable_tensors, tensors


@given(tensors(max_dims=3, max_side=3))
def test_tensors_default_are_float64_requiring_grad(t):
    assert isinstance(t, Tensor) and t.dtype == np.float64 and t.requires_grad
    assert np.all(np.abs(t.detach().cpu().numpy()) <= 3)


@given(tensors(shape=(3, 4), contiguous=False))
def test_non_contiguous_draws(t):
    assert t.shape == (3, 4) and not t._data.flags.c_contiguous  # on its device


@given(tensors(shape=(2, 3), dtype=np.int32))
def test_int_tensors_do_not_require_grad(t):
    assert t.dtype == np.int32 and not t.requires_grad


@given(tensors(shape=st.just((0, 3)), min_side=0))
def test_size_zero(t):
    assert t.numel() == 0


@given(broadcastable_tensors(3, max_dims=3))
def test_broadcastable_shapes_broadcast(ts):
    np.broadcast_shapes(*(t.shape for t in ts))


@given(broadcastable_tensors(2, elements=st.floats(0.5, 2.0)))
def test_helper_accepts_correct_gradients(ab):
    a, b = ab
    assert_gradients_close(lambda a, b: (a * b.log()).exp(), a, b)


def test_helper_rejects_wrong_gradients_with_assertion_error():
    bad = Primitive("bad", lambda x: x * x, (lambda g, out, x: g * x,))
    with pytest.raises(AssertionError, match="numerical"):
        assert_gradients_close(bad, np.array([1.0, 2.0]))


def test_helper_converts_arrays_and_checks_second_order():
    assert_gradients_close(lambda t: t.tanh() ** 3, np.array([0.1, -0.4]), check_gradgrad=True)
