"""cumsum / cumprod (autograd/ops/cumulative.py): values vs NumPy, gradients and second
derivatives by central differences on drawn shapes (0-d, empty, non-contiguous), cumprod with
zeros (exact, no 0/0), and agreement with PyTorch."""

import numpy as np
import pytest
from _opcheck import arrays, check_grads, torch_agrees, with_dim
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import Tensor
from autograd.testing import assert_allclose, assert_array_equal

WITH_ZEROS = st.one_of(st.just(0.0), st.floats(-2, 2))


@given(with_dim(arrays(min_side=0)))
def test_cumsum_values_and_gradients(case):
    a, dim = case
    y = ag.cumsum(Tensor(a), dim)
    assert_allclose(y.data, np.cumsum(a, axis=dim % max(a.ndim, 1)) if a.ndim else a)
    check_grads(lambda t: ag.cumsum(t, dim), a)


@given(with_dim(arrays(elements=WITH_ZEROS)))
def test_cumprod_values_and_gradients_also_with_zeros(case):
    a, dim = case
    y = Tensor(a).cumprod(dim)
    assert_allclose(y.data, np.cumprod(a, axis=dim % max(a.ndim, 1)) if a.ndim else a)
    check_grads(lambda t: ag.cumprod(t, dim), a)


@pytest.mark.parametrize("values", [[2.0, 0.0, 3.0, 4.0], [0.0, 0.0, 2.0], [1.0, 2.0, 0.0],
                                    [0.0], [3.0, -1.0, 2.0]])
def test_cumprod_with_zeros_matches_torch(values):
    a = np.array(values)
    torch_agrees(lambda t: ag.cumprod(t, 0), lambda t: t.cumprod(0), a)
    x = Tensor(a, requires_grad=True)
    ag.cumprod(x, 0).sum().backward()
    assert np.all(np.isfinite(x.grad.cpu().numpy()))


# normal numbers (or 0): with products that underflow PyTorch's division formula gives 0 where
# ours (exact form) gives the true derivative, e.g. d/dx0 of cumprod([5e-324, 5e-324]) = [1, x1]
NORMAL = st.one_of(st.just(0.0), st.floats(0.01, 3), st.floats(-3, -0.01))


@given(with_dim(arrays(min_dims=1, elements=NORMAL)))
def test_cumsum_and_cumprod_match_torch(case):
    a, dim = case
    torch_agrees(lambda t: ag.cumsum(t, dim), lambda t: t.cumsum(dim), a)
    torch_agrees(lambda t: t.cumprod(dim), lambda t: t.cumprod(dim), a)


def test_cumprod_gradient_exact_when_products_underflow():
    x = Tensor(np.array([5e-324, 5e-324, 2.0]), requires_grad=True)
    ag.cumprod(x, 0).backward(Tensor(np.array([1.0, 1.0, 1.0])))
    assert x.grad.data[0] == 1.0  # 1 + x1 + x1*x2 rounds to 1 (the division form gave 0 here)
    assert_allclose(x.grad.data, [1.0, 0.0, 0.0], atol=1e-300)


def test_dtype_and_integer_inputs():
    x = Tensor(np.array([1, 2, 3], dtype=np.int32))
    assert ag.cumsum(x, 0).dtype == np.int64 or ag.cumsum(x, 0).dtype == np.int32
    y = ag.cumsum(x, 0, dtype="float32")
    assert y.dtype == np.float32
    assert_array_equal(y.data, [1, 3, 6])
    assert ag.cumprod(Tensor(np.array([True, True, False])), 0).data.tolist() == [1, 1, 0]


def test_errors_name_the_op():
    with pytest.raises(TypeError, match="cumsum: dim is required"):
        ag.cumsum(Tensor(np.ones(3)))
    with pytest.raises(IndexError, match="cumprod: dim 2 is out of range"):
        ag.cumprod(Tensor(np.ones((2, 2))), 2)
