"""sort / argsort / topk / kthvalue / median (autograd/ops/sorting.py): stable order (ties and
descending), values and indices vs NumPy and PyTorch, gradients and second derivatives by
central differences on inputs without ties (drawn shapes, 0-d, non-contiguous), PyTorch's lower
median and its tie rule, NaN handling, errors."""

import numpy as np
import pytest
from _opcheck import check_grads, distinct, torch_agrees, with_dim
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import Tensor
from autograd.testing import assert_array_equal


@given(with_dim(distinct(min_side=0)), st.booleans())
def test_sort_gradients_and_torch(case, descending):
    a, dim = case
    check_grads(lambda t: ag.sort(t, dim, descending).values, a)
    torch_agrees(lambda t: tuple(ag.sort(t, dim, descending)),
                 lambda t: tuple(t.sort(dim=dim, descending=descending)), a)
    torch_agrees(lambda t: t.argsort(dim, descending),
                 lambda t: t.argsort(dim=dim, descending=descending), a)


@given(with_dim(distinct(min_dims=1)), st.data())
def test_topk_kthvalue_gradients_and_torch(case, data):
    a, dim = case
    n = a.shape[dim]
    k = data.draw(st.integers(1, n))
    largest = data.draw(st.booleans())
    keepdim = data.draw(st.booleans())
    check_grads(lambda t: ag.topk(t, k, dim, largest).values, a)
    torch_agrees(lambda t: tuple(ag.topk(t, k, dim, largest)),
                 lambda t: tuple(t.topk(k, dim=dim, largest=largest)), a)
    check_grads(lambda t: ag.kthvalue(t, k, dim, keepdim).values, a)
    torch_agrees(lambda t: tuple(t.kthvalue(k, dim, keepdim)),
                 lambda t: tuple(t.kthvalue(k, dim, keepdim)), a)


@given(with_dim(distinct(min_dims=0)), st.booleans())
def test_median_gradients_and_torch(case, keepdim):
    a, dim = case
    check_grads(lambda t: ag.median(t), a)
    torch_agrees(lambda t: t.median(), lambda t: t.median(), a)
    check_grads(lambda t: ag.median(t, dim, keepdim).values, a)
    torch_agrees(lambda t: tuple(t.median(dim, keepdim)), lambda t: tuple(t.median(dim, keepdim)),
                 a)


def test_sort_is_stable_both_ways():
    x = Tensor(np.array([2.0, 1.0, 2.0, 1.0, 2.0]))
    assert ag.sort(x).indices.tolist() == [1, 3, 0, 2, 4]
    assert ag.sort(x, descending=True).indices.tolist() == [0, 2, 4, 1, 3]
    torch = pytest.importorskip("torch")
    t = torch.tensor(x.detach().cpu().numpy())
    assert ag.sort(x, descending=True).indices.tolist() == t.sort(
        descending=True, stable=True).indices.tolist()


def test_sort_gradient_with_ties_goes_to_the_chosen_positions():
    x = Tensor(np.array([1.0, 1.0, 0.0]), requires_grad=True)
    v, i = ag.sort(x)
    (v * Tensor(np.array([10.0, 20.0, 30.0]))).sum().backward()
    assert_array_equal(x.grad.cpu().numpy(), [20.0, 30.0, 10.0])


def test_median_is_the_lower_median_and_ties_share_like_torch():
    assert ag.median(Tensor(np.array([4.0, 1.0, 3.0, 2.0]))).item() == 2.0
    x = Tensor(np.array([1.0, 2.0, 2.0, 3.0]), requires_grad=True)
    ag.median(x).backward()
    assert_array_equal(x.grad.cpu().numpy(), [0.0, 0.5, 0.5, 0.0])  # torch.median() too


def test_median_nan_propagates_like_torch():
    a = np.array([[1.0, np.nan, 3.0], [3.0, 1.0, 2.0]])
    assert np.isnan(ag.median(Tensor(a)).item())
    r = ag.median(Tensor(a), 1)
    assert np.isnan(r.values.detach().cpu().numpy()[0]) and r.indices.tolist() == [1, 2]
    torch = pytest.importorskip("torch")
    tr = torch.tensor(a).median(1)
    assert_array_equal(r.values.detach().cpu().numpy(), tr.values.cpu().numpy())
    assert r.indices.tolist() == tr.indices.tolist()


def test_zero_d_and_empty():
    x = Tensor(3.0, requires_grad=True)
    v, i = ag.sort(x)
    assert v.shape == () and i.item() == 0
    v.backward()
    assert x.grad.item() == 1.0
    e = Tensor(np.zeros((2, 0)))
    assert ag.sort(e, 1).values.shape == (2, 0)
    assert ag.topk(e, 0, 1).values.shape == (2, 0)
    assert np.isnan(ag.median(e).item())


def test_errors_name_the_op():
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match="topk: k"):
        ag.topk(x, 4)
    with pytest.raises(RuntimeError, match="kthvalue: k"):
        ag.kthvalue(x, 0)
    with pytest.raises(IndexError, match="sort: dim 2"):
        ag.sort(x, 2)
    with pytest.raises(IndexError, match="median: cannot"):
        ag.median(Tensor(np.zeros((2, 0))), 1)
