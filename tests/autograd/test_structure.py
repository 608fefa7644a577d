"""tril/triu/diag/diagonal/trace/roll/movedim/narrow/index_select/masked_select/t and
reshape_as/view_as (autograd/ops/structure.py): values and gradients vs PyTorch, central
differences and second derivatives on drawn shapes and layouts, errors naming the op."""

import numpy as np
import pytest
from _opcheck import arrays, check_grads, torch_agrees
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import Tensor
from autograd.testing import assert_array_equal, value_checks

MATS = arrays(min_dims=2, max_dims=4, min_side=0)


@given(MATS, st.integers(-3, 3))
def test_tril_triu(a, k):
    for name in ("tril", "triu"):
        check_grads(lambda t, name=name: getattr(ag, name)(t, k), a)
        torch_agrees(lambda t, name=name: getattr(t, name)(k),
                     lambda t, name=name: getattr(t, name)(k), a)


@given(arrays(min_dims=2, max_dims=4), st.data())
def test_diagonal(a, data):
    nd = a.ndim
    d1 = data.draw(st.integers(-nd, nd - 1))
    d2 = data.draw(st.integers(-nd, nd - 1).filter(lambda d: d % nd != d1 % nd))
    off = data.draw(st.integers(-3, 3))
    check_grads(lambda t: ag.diagonal(t, off, d1, d2), a)
    torch_agrees(lambda t: t.diagonal(off, d1, d2), lambda t: t.diagonal(off, d1, d2), a)


@given(arrays(min_dims=1, max_dims=2), st.integers(-2, 2))
def test_diag_both_directions_and_trace(a, k):
    check_grads(lambda t: ag.diag(t, k), a)
    torch_agrees(lambda t: t.diag(k), lambda t: t.diag(k), a)
    if a.ndim == 2:
        check_grads(ag.trace, a)
        torch_agrees(lambda t: t.trace(), lambda t: t.trace(), a)


@given(arrays(min_dims=0, max_dims=3, min_side=0), st.data())
def test_roll(a, data):
    nd = a.ndim
    shift = data.draw(st.integers(-4, 4))
    if nd == 0 or data.draw(st.booleans()):
        check_grads(lambda t: ag.roll(t, shift), a)
        torch_agrees(lambda t: t.roll(shift), lambda t: t.roll(shift), a)
        return
    dims = data.draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
    shifts = [data.draw(st.integers(-4, 4)) for _ in dims]
    check_grads(lambda t: ag.roll(t, tuple(shifts), tuple(dims)), a)
    torch_agrees(lambda t: t.roll(shifts, dims), lambda t: t.roll(shifts, dims), a)


@given(arrays(min_dims=1, max_dims=4), st.data())
def test_movedim(a, data):
    nd = a.ndim
    n = data.draw(st.integers(1, nd))
    src = data.draw(st.lists(st.integers(-nd, nd - 1), min_size=n, max_size=n,
                             unique_by=lambda d: d % nd))
    dst = data.draw(st.lists(st.integers(-nd, nd - 1), min_size=n, max_size=n,
                             unique_by=lambda d: d % nd))
    check_grads(lambda t: ag.movedim(t, src, dst), a)
    torch_agrees(lambda t: t.movedim(src, dst), lambda t: t.movedim(src, dst), a)


@given(arrays(min_dims=1, max_dims=3), st.data())
def test_narrow_index_select_masked_select(a, data):
    nd = a.ndim
    dim = data.draw(st.integers(-nd, nd - 1))
    n = a.shape[dim]
    start = data.draw(st.integers(0, n))
    length = data.draw(st.integers(0, n - start))
    check_grads(lambda t: ag.narrow(t, dim, start, length), a)
    torch_agrees(lambda t: t.narrow(dim, start, length), lambda t: t.narrow(dim, start, length), a)
    idx = np.array(data.draw(st.lists(st.integers(0, n - 1), max_size=5)), dtype=np.int64)
    check_grads(lambda t: ag.index_select(t, dim, Tensor(idx)), a)
    torch = pytest.importorskip("torch")
    torch_agrees(lambda t: t.index_select(dim, Tensor(idx)),
                 lambda t: t.index_select(dim, torch.tensor(idx)), a)
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=a.shape[-1],
                                       max_size=a.shape[-1])), dtype=bool)
    check_grads(lambda t: ag.masked_select(t, Tensor(mask)), a)
    torch_agrees(lambda t: t.masked_select(Tensor(mask)),
                 lambda t: t.masked_select(torch.tensor(mask)), a)


def test_index_select_repeated_indices_accumulate():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    ag.index_select(x, 0, Tensor(np.array([2, 2, 0]))).sum().backward()
    assert_array_equal(x.grad.data, [1.0, 0.0, 2.0])


def test_t_mT_reshape_as_view_as():
    a = np.arange(6.0).reshape(2, 3)
    x = Tensor(a, requires_grad=True)
    assert_array_equal(x.t().data, a.T)
    assert_array_equal(x.mT.data, a.T)
    assert Tensor(np.ones(3)).t().shape == (3,) and Tensor(1.0).t().shape == ()
    other = Tensor(np.zeros((3, 2)))
    assert x.reshape_as(other).shape == (3, 2) and x.view_as(other).shape == (3, 2)
    check_grads(lambda t: t.t(), a)
    with pytest.raises(ValueError, match="t: expects a tensor with <= 2 dimensions"):
        Tensor(np.ones((2, 2, 2))).t()


def test_errors_name_the_op():
    v = Tensor(np.ones(3))
    with pytest.raises(ValueError, match="tril: input tensor must have at least 2"):
        ag.tril(v)
    with pytest.raises(ValueError, match="diag: expected a 1-D or 2-D"):
        ag.diag(Tensor(np.ones((2, 2, 2))))
    with pytest.raises(RuntimeError, match="narrow: start"):
        ag.narrow(v, 0, 2, 2)
    with value_checks(), pytest.raises(IndexError, match="index_select: index out of range"):
        ag.index_select(v, 0, Tensor(np.array([3])))
    with pytest.raises(TypeError, match="masked_select: mask must be a bool"):
        ag.masked_select(v, Tensor(np.ones(3)))
    with pytest.raises(ValueError, match="movedim: source"):
        ag.movedim(v, (0,), ())
