"""Indexing: ``x[index]`` (basic, integer-array, boolean, mixed), ``take_along_axis`` and
``gather``: forward equals NumPy/PyTorch, gradients scatter-add (repeated indices accumulate),
second derivatives, views vs copies, and errors naming the shape."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import Tensor
from autograd.testing import assert_array_equal, tensors

AxisError = np.exceptions.AxisError


def check(fn, *inputs, gradgrad=False):
    assert ag.gradcheck(fn, inputs)
    if gradgrad:
        assert ag.gradgradcheck(fn, inputs)


def same(t, expected):
    assert isinstance(t, Tensor)
    assert t.shape == np.shape(expected) and t.dtype == np.asarray(expected).dtype
    assert_array_equal(t.detach().cpu().numpy(), expected)


def x64(*shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


# --------------------------------------------------------------------------------- getitem
@given(tensors(min_dims=0, max_dims=3, min_side=0, max_side=3).flatmap(
    lambda x: st.tuples(st.just(x), hnp.basic_indices(x.shape, allow_newaxis=True,
                                                        allow_ellipsis=True))))
def test_basic_indexing(case):
    x, index = case
    same(x[index], x.detach().cpu().numpy()[index])
    check(lambda t: t[index], x)


@given(tensors(min_dims=1, max_dims=3, min_side=1, max_side=3).flatmap(
    lambda x: st.tuples(st.just(x), hnp.integer_array_indices(
        x.shape, result_shape=hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4)))))
def test_integer_array_indexing_repeats_and_negatives(case):
    x, index = case  # hypothesis draws negative and repeated indices
    same(x[index], x.detach().cpu().numpy()[index])
    same(x[tuple(Tensor(i) for i in index)], x.detach().cpu().numpy()[index])
    check(lambda t: t[index], x)


def test_repeated_indices_accumulate():
    x = Tensor(np.arange(4.0), requires_grad=True)
    y = x[[3, 0, 3, 3, -1]]
    (y * Tensor([1.0, 2.0, 3.0, 4.0, 5.0])).sum().backward()
    same(x.grad, np.array([2.0, 0.0, 0.0, 13.0]))
    m = x64(3, 2)
    check(lambda t: t[[0, 0, 2]] * t[np.array([[1], [1]]), [0, 1]].sum(), m, gradgrad=True)


@given(tensors(min_dims=1, max_dims=3, min_side=0, max_side=3), st.data())
def test_boolean_masks(x, data):
    k = data.draw(st.integers(1, x.ndim))  # a mask over the leading k dimensions
    mask = data.draw(hnp.arrays(np.bool_, x.shape[:k]))
    same(x[mask], x.detach().cpu().numpy()[mask])
    same(x[Tensor(mask)], x.detach().cpu().numpy()[mask])
    check(lambda t: t[mask], x)
    if x.ndim >= 2:
        m1 = data.draw(hnp.arrays(np.bool_, x.shape[1:2]))
        same(x[:, m1], x.detach().cpu().numpy()[:, m1])
        check(lambda t: t[..., m1, :] if x.ndim == 3 else t[:, m1], x)


def test_all_false_mask_gives_empty_result_and_zero_gradient():
    x = x64(2, 3)
    y = x[np.zeros((2, 3), bool)]
    assert y.shape == (0,)
    (y.sum() + x.sum() * 0).backward()
    same(x.grad, np.zeros((2, 3)))
    check(lambda t: t[np.zeros(2, bool)], x)


def test_scalar_bool_index():
    x = x64(2)
    same(x[True], x.detach().cpu().numpy()[True])
    same(x[False], x.detach().cpu().numpy()[False])
    check(lambda t: t[True], x)


@given(tensors(shape=(3, 4, 2)), st.data())
def test_mixed_tuples(x, data):
    i = data.draw(hnp.arrays(np.intp, data.draw(hnp.array_shapes(max_dims=2, max_side=3)),
                             elements=st.integers(-3, 2)))
    m = data.draw(hnp.arrays(np.bool_, (2,)))
    indices = [
        (slice(1, None), i),
        (i, ..., None),
        (None, slice(None, None, -1), i, 1),
        (i.tolist(), slice(None), 1),
        (0, i, slice(None, None, 2)),
        (slice(None), 1, m),
        (Ellipsis, m),
        (-1, Tensor(i)),
        (i, slice(None), i % 2),  # two arrays that broadcast, separated by a slice
    ]
    for index in indices:
        np_index = tuple(j.detach().cpu().numpy() if isinstance(j, Tensor) else j for j in index)
        same(x[index], x.detach().cpu().numpy()[np_index])
        check(lambda t: t[index], x)


def test_lists_tensors_and_numpy_ints_as_indices():
    x = x64(3, 4)
    same(x[[0, 2]], x.detach().cpu().numpy()[[0, 2]])
    same(x[[[0], [2]], [1, 3]], x.detach().cpu().numpy()[[[0], [2]], [1, 3]])
    same(x[Tensor(1)], x.detach().cpu().numpy()[1])  # a 0-d integer tensor acts like an int
    same(x[np.int64(2), np.int32(-1)], x.detach().cpu().numpy()[2, -1])
    same(x[[]], x.detach().cpu().numpy()[[]])
    same(x[Tensor(np.array([True, False, True]))], x.detach().cpu().numpy()[[True, False, True]])
    check(lambda t: t[Tensor([2, 2, 0])], x)


def test_non_contiguous_input_and_second_order():
    base = x64(4, 6)
    check(lambda t: t.T[1:, [0, 0, 3]] ** 2, base, gradgrad=True)
    check(lambda t: t[::2, ::-3] ** 2, base, gradgrad=True)
    check(lambda t: t[t.detach().cpu().numpy() > 0] ** 2, base, gradgrad=True)


def test_iteration_uses_getitem():
    x = x64(3, 2)
    rows = list(x)
    assert len(rows) == 3 and rows[1].shape == (2,)
    sum(r.sum() * k for k, r in enumerate(rows)).backward()
    same(x.grad, np.repeat(np.arange(3.0)[:, None], 2, axis=1))


def test_basic_indexing_is_a_view_and_advanced_is_a_copy():
    a = x64(2, 3)
    b = a * 1.0
    e = b.sin().sum()
    with ag.no_grad():
        b[[0, 1]].add_(1.0)  # a copy: b unchanged, no version conflict
    e.backward(retain_graph=True)
    with ag.no_grad():
        b[0].add_(1.0)  # a view: b changed
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        e.backward()


def test_getitem_errors_name_the_shape():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(IndexError, match=r"out of bounds.*\(2, 3\)"):
        x[5]
    with pytest.raises(IndexError, match=r"\(2, 3\)"):
        x[[0, 3], 0]
    with pytest.raises(IndexError, match=r"too many indices.*\(2, 3\)"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match=r"boolean.*\(2, 3\)"):
        x[np.ones(3, bool)]
    with pytest.raises(IndexError, match="integers or booleans"):
        x[np.array([0.5])]
    with pytest.raises(IndexError, match="valid indices"):
        x["a"]
    with pytest.raises(IndexError, match="valid indices"):
        x[1.0]


# --------------------------------------------------------------- take_along_axis, gather
@st.composite
def take_case(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    x = draw(tensors(shape))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    # other dims: equal, or 1 on either side (broadcasting)
    ishape = tuple(
        draw(st.integers(0, 4)) if d == axis % len(shape) else draw(st.sampled_from([n, 1]))
        for d, n in enumerate(shape)
    )
    n = shape[axis]
    idx = draw(hnp.arrays(np.int64, ishape, elements=st.integers(-n, n - 1)))
    return x, idx, axis


@given(take_case())
def test_take_along_axis(case):
    x, idx, axis = case
    same(ag.take_along_axis(x, idx, axis), np.take_along_axis(x.detach().cpu().numpy(), idx, axis))
    same(x.take_along_axis(Tensor(idx), axis), np.take_along_axis(x.detach().cpu().numpy(), idx, axis))
    check(lambda t: ag.take_along_axis(t, idx, axis), x)


def test_take_along_axis_flat_broadcast_and_second_order():
    x = x64(2, 3)
    idx = np.array([5, 0, 0, -1])
    same(ag.take_along_axis(x, idx, None), np.take_along_axis(x.detach().cpu().numpy(), idx, None))
    check(lambda t: ag.take_along_axis(t, idx, None), x)
    # x is broadcast along axis 0 (size 1 against 3): its gradient sums the copies
    r = x64(1, 3)
    ids = np.array([[0], [2], [2]])
    same(ag.take_along_axis(r, ids, 1), np.take_along_axis(r.detach().cpu().numpy(), ids, 1))
    check(lambda t: ag.take_along_axis(t, ids, 1) ** 2, r, gradgrad=True)
    # typical use: pick the score of each row's label
    s = x64(4, 5)
    labels = np.array([[1], [4], [0], [1]])
    check(lambda t: ag.take_along_axis(t.exp(), labels, 1), s)


def test_take_along_axis_errors():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"dimensions.*\(2, 3\)"):
        ag.take_along_axis(x, np.array([0]), 1)
    with pytest.raises(IndexError, match=r"index 3 is out of range.*\(2, 3\)"):
        ag.take_along_axis(x, np.array([[3]]), 1)
    with pytest.raises(IndexError, match="out of range"):
        ag.take_along_axis(x, np.array([[-4]]), 1)
    with pytest.raises(TypeError, match="integer"):
        ag.take_along_axis(x, np.array([[0.0]]), 1)
    with pytest.raises(ValueError, match="broadcast"):
        ag.take_along_axis(x, np.zeros((3, 1), int), 1)
    with pytest.raises(ValueError, match="1-D"):
        ag.take_along_axis(x, np.zeros((1, 1), int), None)
    with pytest.raises(AxisError):
        ag.take_along_axis(x, np.zeros((1, 1), int), 2)


@st.composite
def gather_case(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    x = draw(tensors(shape))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    ishape = tuple(
        draw(st.integers(0, 4)) if d == dim % len(shape) else draw(st.integers(0, n))
        for d, n in enumerate(shape)
    )
    idx = draw(hnp.arrays(np.int64, ishape, elements=st.integers(0, shape[dim] - 1)))
    return x, dim, idx


@given(gather_case())
def test_gather_pytorch_semantics(case):
    x, dim, idx = case
    # gather reads x only over idx's extent outside dim: take_along_axis on that corner of x
    corner = tuple(slice(None) if d == dim % x.ndim else slice(0, n)
                   for d, n in enumerate(idx.shape))
    expect = np.take_along_axis(x.detach().cpu().numpy()[corner], idx, dim)
    same(ag.gather(x, dim, idx), expect)
    same(x.gather(dim, Tensor(idx)), expect)
    check(lambda t: t.gather(dim, idx), x)


def test_gather_against_torch_and_second_order():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).standard_normal((3, 4))
    idx = np.array([[0, 3, 3], [1, 1, 0]])
    ta = torch.tensor(a, requires_grad=True)
    tout = ta.gather(1, torch.tensor(idx))
    tout.backward(torch.ones_like(tout))
    x = Tensor(a, requires_grad=True)
    out = x.gather(1, idx)
    same(out, tout.detach().cpu().numpy())
    out.backward(ag.ones_like(out))
    same(x.grad, ta.grad.cpu().numpy())
    check(lambda t: t.gather(0, idx[:, :2] % 3) ** 2, x, gradgrad=True)


def test_gather_errors():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(IndexError, match=r"index -1 is out of range.*\(2, 3\)"):
        ag.gather(x, 1, np.array([[-1]]))
    with pytest.raises(IndexError, match=r"index 3 is out of range for axis 1"):
        ag.gather(x, 1, np.array([[3]]))
    with pytest.raises(ValueError, match=r"\(3, 1\).*\(2, 3\).*no larger"):
        ag.gather(x, 1, np.zeros((3, 1), int))
    with pytest.raises(ValueError, match="dimensions"):
        ag.gather(x, 0, np.zeros(2, int))
    with pytest.raises(AxisError, match="out of range"):
        ag.gather(x, 2, np.zeros((1, 1), int))
