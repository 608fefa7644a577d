"""Shape primitives: forward equals NumPy (or PyTorch where the semantics are PyTorch's), full
Jacobian gradchecks on drawn shapes/axes (non-contiguous inputs and size-0 included), second
derivatives for a subset, view tracking, and error paths."""

import numpy as np
import pytest
from _ondevice import const
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import Tensor
from autograd.devices import array_module
from autograd.testing import assert_allclose, assert_array_equal, tensors

AxisError = np.exceptions.AxisError


def check(fn, *inputs, gradgrad=False):
    assert ag.gradcheck(fn, inputs)
    if gradgrad:
        assert ag.gradgradcheck(fn, inputs)


def same(t, expected):
    assert isinstance(t, Tensor)
    assert t.shape == np.shape(expected)
    assert t.dtype == np.asarray(expected).dtype
    assert_array_equal(t.detach().cpu().numpy(), expected)


small = dict(max_dims=3, max_side=3)


# ------------------------------------------------------------------------------- reshape
@st.composite
def reshape_case(draw, min_side=1):
    x = draw(tensors(min_dims=0, min_side=min_side, **small))
    target = list(draw(st.permutations(x.shape)))
    target.insert(draw(st.integers(0, len(target))), 1)  # an extra size-1 dim somewhere
    if x.numel() and target and draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return x, tuple(target)


@given(reshape_case(min_side=0))
def test_reshape_matches_numpy_and_gradchecks(case):
    x, target = case
    same(x.reshape(target), x.detach().cpu().numpy().reshape(target))
    same(ag.reshape(x, *target), x.detach().cpu().numpy().reshape(target))
    check(lambda t: t.reshape(target), x)


def test_reshape_accepts_numpy_ints_and_lists():
    x = Tensor(np.arange(6.0))
    assert x.reshape(np.int64(2), 3).shape == (2, 3)
    assert x.reshape([3, 2]).shape == (3, 2)
    assert Tensor(np.ones(1)).reshape(()).shape == ()


def test_reshape_and_view_second_order():
    x = Tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
    check(lambda t: (t.reshape(3, 2) * t.view(6).reshape(3, 2)), x, gradgrad=True)


def test_bad_reshape_names_both_shapes():
    with pytest.raises(ValueError, match=r"reshape.*\(2, 3\).*\(4, 2\)"):
        Tensor(np.zeros((2, 3))).reshape(4, 2)
    with pytest.raises(TypeError, match="shape"):
        Tensor(np.zeros(3)).reshape("abc")


@given(tensors(min_dims=0, **small))
def test_view_of_contiguous(x):
    assume(x.is_contiguous())  # the device array's layout (a host copy is always C-ordered)
    same(x.view(-1), x.detach().cpu().numpy().reshape(-1))
    check(lambda t: t.view(-1), x)


def test_view_refuses_to_copy():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match=r"view.*reshape"):
        x.T.view(6)
    assert x.T.reshape(6).shape == (6,)


@given(tensors(min_dims=0, min_side=0, **small), st.data())
def test_flatten_matches_pytorch_semantics(x, data):
    nd = max(x.ndim, 1)
    s = data.draw(st.integers(-nd, nd - 1))
    e = data.draw(st.integers(-nd, nd - 1))
    assume(s % nd <= e % nd)
    shape = x.shape or (1,)
    s, e = s % nd, e % nd
    expect = shape[:s] + (int(np.prod(shape[s : e + 1])),) + shape[e + 1 :]
    same(x.flatten(s - nd if data.draw(st.booleans()) else s, e), x.detach().cpu().numpy().reshape(expect))
    check(lambda t: t.flatten(s, e), x)


def test_flatten_errors():
    x = Tensor(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="start_dim"):
        x.flatten(2, 1)
    with pytest.raises(AxisError, match=r"out of range.*\(2, 3, 4\)"):
        x.flatten(0, 3)


# ------------------------------------------------------------------------------ transpose
@given(tensors(min_dims=0, min_side=0, **small), st.data())
def test_transpose_permute_swapaxes(x, data):
    perm = data.draw(st.permutations(range(x.ndim)))
    same(np.transpose(x), x.detach().cpu().numpy().T)  # NumPy's meaning through NumPy's function
    same(x.T, x.detach().cpu().numpy().T)
    same(np.transpose(x, perm), np.transpose(x.detach().cpu().numpy(), perm))
    same(x.permute(*perm), np.transpose(x.detach().cpu().numpy(), perm))
    check(lambda t: t.permute(perm), x)
    check(lambda t: np.transpose(t), x)
    check(lambda t: np.transpose(t, perm), x)
    if x.ndim >= 1:
        a = data.draw(st.integers(-x.ndim, x.ndim - 1))
        b = data.draw(st.integers(-x.ndim, x.ndim - 1))
        same(x.transpose(a, b), np.swapaxes(x.detach().cpu().numpy(), a, b))
        same(ag.swapaxes(x, a, b), np.swapaxes(x.detach().cpu().numpy(), a, b))
        check(lambda t: t.transpose(a, b), x)
    if x.ndim >= 2:
        same(x.mT, np.swapaxes(x.detach().cpu().numpy(), -1, -2))


def test_transpose_second_order():
    x = Tensor(np.random.default_rng(1).standard_normal((2, 3, 2)), requires_grad=True)
    check(lambda t: t.permute(2, 0, 1) * t.transpose(1, 2).transpose(0, 1), x, gradgrad=True)


def test_transpose_is_torch_swap_of_two_dims():
    x = Tensor(np.zeros((2, 3, 4)))
    assert x.transpose(0, 2).shape == ag.transpose(x, 0, 2).shape == (4, 3, 2)
    with pytest.raises(TypeError):
        x.transpose()  # PyTorch: two dims; a permutation is permute, reversal np.transpose / .T
    with pytest.raises(TypeError):
        x.transpose((1, 0, 2))


def test_permutation_errors():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="not a permutation"):
        x.permute(0, 0)
    with pytest.raises(ValueError, match="not a permutation"):
        x.permute(0)
    with pytest.raises(AxisError, match="out of range"):
        x.permute(0, 2)
    with pytest.raises(IndexError, match=r"swapaxes.*out of range"):  # AxisError is an IndexError
        x.swapaxes(0, -3)


# ------------------------------------------------------------------ squeeze and unsqueeze
ones_shape = hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=2)


@given(ones_shape.flatmap(lambda s: tensors(s)), st.data())
def test_squeeze(x, data):
    same(x.squeeze(), np.squeeze(x.detach().cpu().numpy()))
    if x.ndim:
        size1 = [i for i, n in enumerate(x.shape) if n == 1]
        axes = tuple(data.draw(st.lists(st.sampled_from(size1), unique=True))) if size1 else ()
        same(x.squeeze(axes), np.squeeze(x.detach().cpu().numpy(), axes))
        d = data.draw(st.integers(-x.ndim, x.ndim - 1))
        expect = np.squeeze(x.detach().cpu().numpy(), d) if x.shape[d] == 1 else x.detach().cpu().numpy()  # PyTorch: no-op
        same(x.squeeze(dim=d), expect)
        check(lambda t: t.squeeze(dim=d), x)
    check(lambda t: t.squeeze(), x)


def test_squeeze_is_a_no_op_on_other_sizes_numpy_raises_through_numpy():
    x = Tensor(np.zeros((1, 3)))
    assert x.squeeze(1).shape == (1, 3)  # the trap: x.squeeze(2) raised; PyTorch: no-op
    assert x.squeeze(axis=1).shape == (1, 3)  # the alias has the same meaning
    assert ag.squeeze(x, 1).shape == (1, 3)
    assert x.squeeze(dim=1).shape == (1, 3)
    assert x.squeeze(dim=(0, 1)).shape == (3,)
    assert x.squeeze((0, 1)).shape == (3,)
    with pytest.raises(ValueError, match=r"squeeze.*axis 1.*\(1, 3\).*not 1"):
        np.squeeze(x, 1)  # NumPy's meaning
    assert np.squeeze(x, 0).shape == (3,)
    assert Tensor(3.0).squeeze(0).shape == ()
    with pytest.raises(TypeError, match="either"):
        ag.squeeze(x, dim=0, axis=0)
    with pytest.raises(AxisError):
        x.squeeze(dim=2)


@given(tensors(min_dims=0, min_side=0, **small), st.data())
def test_unsqueeze_and_expand_dims(x, data):
    d = data.draw(st.integers(-x.ndim - 1, x.ndim))
    same(x.unsqueeze(d), np.expand_dims(x.detach().cpu().numpy(), d))
    check(lambda t: t.unsqueeze(d), x)
    k = data.draw(st.integers(1, 2))
    axes = tuple(data.draw(st.lists(st.integers(0, x.ndim + k - 1), unique=True, min_size=k,
                                    max_size=k)))
    same(ag.expand_dims(x, axes), np.expand_dims(x.detach().cpu().numpy(), axes))
    with pytest.raises(AxisError):
        x.unsqueeze(x.ndim + 2)


# --------------------------------------------------------------------- expand, broadcast
@st.composite
def expand_case(draw):
    x = draw(tensors(shape=ones_shape.flatmap(
        lambda s: st.tuples(*[st.sampled_from([1, 2]) for _ in s]))))
    lead = tuple(draw(st.lists(st.integers(0, 3), max_size=2)))
    body = tuple(draw(st.integers(0, 3)) if n == 1 else n for n in x.shape)
    return x, lead + body


@given(expand_case(), st.data())
def test_expand_and_broadcast_to(case, data):
    x, target = case
    expect = np.broadcast_to(x.detach().cpu().numpy(), target)
    same(x.broadcast_to(target), expect)
    same(ag.broadcast_to(x, target), expect)
    lead = len(target) - x.ndim
    sizes = [-1 if i >= lead and s == x.shape[i - lead] and data.draw(st.booleans()) else s
             for i, s in enumerate(target)]
    same(x.expand(*sizes), expect)
    check(lambda t: t.expand(*sizes), x)
    check(lambda t: t.broadcast_to(target), x)


def test_expand_errors():
    x = Tensor(np.zeros((2, 1)))
    with pytest.raises(ValueError, match=r"broadcast.*\(2, 1\).*\(3, 4\)"):
        x.expand(3, 4)
    with pytest.raises(ValueError, match="-1"):
        x.expand(-1, 2, 1)
    with pytest.raises(ValueError, match="number of sizes"):
        x.expand(4)
    assert x.expand_as(Tensor(np.zeros((5, 2, 3)))).shape == (5, 2, 3)


# ------------------------------------------------------------------------ repeat and tile
@given(tensors(min_dims=0, min_side=0, **small), st.data())
def test_repeat_numpy_semantics(x, data):
    axis = data.draw(st.none() | st.integers(-x.ndim, x.ndim - 1)) if x.ndim else None
    n = x.numel() if axis is None else x.shape[axis]
    repeats = data.draw(st.integers(0, 3) | st.lists(st.integers(0, 3), min_size=n, max_size=n))
    same(np.repeat(x, repeats, axis), np.repeat(x.detach().cpu().numpy(), repeats, axis))
    same(ag.repeat_interleave(x, np.asarray(repeats), axis), np.repeat(x.detach().cpu().numpy(), repeats, axis))
    check(lambda t: np.repeat(t, repeats, axis), x)
    if axis is not None:
        same(x.repeat_interleave(Tensor(np.asarray(repeats)), axis), np.repeat(x.detach().cpu().numpy(), repeats, axis))


def test_repeat_second_order_and_errors():
    x = Tensor(np.random.default_rng(2).standard_normal((2, 3)), requires_grad=True)
    check(lambda t: ag.repeat_interleave(t, [2, 0, 1], dim=1) ** 2, x, gradgrad=True)
    check(lambda t: t.repeat_interleave(2, dim=0) ** 2, x, gradgrad=True)
    with pytest.raises(ValueError, match=r"repeat.*\(2,\).*3 element"):
        ag.repeat_interleave(x, [1, 2], dim=1)
    with pytest.raises(ValueError, match="non-negative"):
        np.repeat(x, -1)
    with pytest.raises(TypeError, match="integers"):
        ag.repeat_interleave(x, 1.5)
    assert not hasattr(ag, "repeat")  # torch has no torch.repeat: Tensor.repeat tiles


def test_tensor_repeat_tiles_like_torch():
    x = Tensor(np.array([[1.0, 2.0]]))
    same(x.repeat(2, 2), np.tile(x.detach().cpu().numpy(), (2, 2)))
    same(x.repeat(3, 1, 1), np.tile(x.detach().cpu().numpy(), (3, 1, 1)))
    with pytest.raises(RuntimeError, match="number of repeat sizes"):
        x.repeat(2)


@given(tensors(min_dims=0, min_side=0, **small),
       st.lists(st.integers(0, 3), max_size=4).map(tuple))
def test_tile_matches_numpy_and_torch_repeat(x, reps):
    same(ag.tile(x, reps), np.tile(x.detach().cpu().numpy(), reps))
    check(lambda t: ag.tile(t, reps), x)
    if len(reps) >= x.ndim:
        same(x.repeat(*reps) if reps else x.repeat(()), np.tile(x.detach().cpu().numpy(), reps))


def test_tile_second_order():
    x = Tensor(np.random.default_rng(3).standard_normal((2, 2)), requires_grad=True)
    check(lambda t: ag.tile(t, (2, 1, 2)) ** 2 + t.tile(3).sum(), x, gradgrad=True)
    with pytest.raises(ValueError, match="non-negative"):
        ag.tile(x, (-1, 2))


# ------------------------------------------------------------------------------------ pad
@given(tensors(min_dims=0, min_side=0, **small), st.data())
def test_pad_constant(x, data):
    widths = tuple(data.draw(st.tuples(st.integers(0, 2), st.integers(0, 2))) for _ in x.shape)
    cv = data.draw(st.sampled_from([0, 1.5]))
    expect = np.pad(x.detach().cpu().numpy(), widths, constant_values=cv) if x.ndim else x.detach().cpu().numpy()
    same(ag.pad(x, widths, constant_values=cv), expect)
    check(lambda t: ag.pad(t, widths, constant_values=cv), x)
    if x.ndim:
        same(ag.pad(x, 1), np.pad(x.detach().cpu().numpy(), 1))
        same(ag.pad(x, (0, 2)), np.pad(x.detach().cpu().numpy(), (0, 2)))


@given(tensors(min_dims=1, min_side=1, **small), st.sampled_from(
    ["edge", "reflect", "symmetric", "wrap"]), st.data())
def test_pad_copying_modes(x, mode, data):
    widths = tuple(data.draw(st.tuples(st.integers(0, 4), st.integers(0, 4))) for _ in x.shape)
    same(ag.pad(x, widths, mode=mode), np.pad(x.detach().cpu().numpy(), widths, mode=mode))
    check(lambda t: ag.pad(t, widths, mode=mode), x)


def test_pad_second_order_and_errors():
    x = Tensor(np.random.default_rng(4).standard_normal((2, 3)), requires_grad=True)
    check(lambda t: ag.pad(t, ((1, 0), (0, 2))) ** 2, x, gradgrad=True)
    check(lambda t: ag.pad(t, 2, mode="reflect") ** 2, x, gradgrad=True)
    with pytest.raises(ValueError, match="non-negative"):
        ag.pad(x, -1)
    with pytest.raises(ValueError, match=r"pad_width.*\(2, 3\)"):
        ag.pad(x, ((1, 1), (1, 1), (1, 1)))
    with pytest.raises(ValueError, match="mode 'mean' is not supported"):
        ag.pad(x, 1, mode="mean")
    with pytest.raises(ValueError, match="empty dimension"):
        ag.pad(Tensor(np.zeros((0, 2))), 1, mode="edge")


# ------------------------------------------------------------------- concatenate and stack
@st.composite
def cat_case(draw):
    base = list(draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)))
    axis = draw(st.integers(-len(base), len(base) - 1))
    xs = []
    for _ in range(draw(st.integers(1, 3))):
        shp = list(base)
        shp[axis] = draw(st.integers(0, 3))
        xs.append(draw(tensors(tuple(shp))))
    return xs, axis


@given(cat_case())
def test_concatenate_and_cat(case):
    xs, axis = case
    expect = np.concatenate([t.detach().cpu().numpy() for t in xs], axis=axis)
    same(ag.concatenate(xs, axis), expect)
    same(ag.cat(xs, dim=axis), expect)
    same(ag.cat(xs, axis=axis), expect)
    same(ag.concatenate(xs, dim=axis), expect)
    same(np.concatenate(xs, axis), expect)
    check(lambda *ts: ag.cat(list(ts), axis), *xs)
    same(np.concatenate(xs, axis=None), np.concatenate([t.detach().cpu().numpy() for t in xs], axis=None))
    check(lambda *ts: np.concatenate(ts, axis=None), *xs)


def test_concatenate_mixes_constants_and_dtypes():
    x = Tensor(np.ones(2), requires_grad=True)
    y = ag.cat([x, const(np.array([3, 4])), const([5.0])])
    same(y, np.array([1.0, 1.0, 3.0, 4.0, 5.0]))
    (y * Tensor(np.arange(5.0))).sum().backward()
    same(x.grad, np.array([0.0, 1.0]))
    check(lambda t: ag.cat([t, t * t], 0), x, gradgrad=True)


def test_concatenate_errors():
    a, b = Tensor(np.zeros((2, 3))), Tensor(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"except along axis 0.*\(2, 3\).*\(2, 4\)"):
        ag.cat([a, b])
    with pytest.raises(ValueError, match="at least one"):
        ag.cat([])
    with pytest.raises(ValueError, match="number"):
        ag.cat([a, Tensor(np.zeros(3))])
    with pytest.raises(AxisError, match=r"out of range.*\(2, 3\)"):
        ag.cat([a, a], dim=2)
    with pytest.raises(TypeError, match="either"):
        ag.cat([a], 1, axis=1)
    with pytest.raises(TypeError, match="sequence"):
        ag.cat(3)


@given(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3), st.integers(1, 3),
       st.data())
def test_stack(shape, n, data):
    xs = [data.draw(tensors(shape)) for _ in range(n)]
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    expect = np.stack([t.detach().cpu().numpy() for t in xs], axis=axis)
    same(ag.stack(xs, axis), expect)
    same(ag.stack(xs, dim=axis), expect)
    check(lambda *ts: ag.stack(ts, axis), *xs)


def test_stack_second_order_and_errors():
    x = Tensor(np.random.default_rng(5).standard_normal(3), requires_grad=True)
    check(lambda t: ag.stack([t, t * t], 1), x, gradgrad=True)
    with pytest.raises(ValueError, match=r"same shape.*\(3,\).*\(2,\)"):
        ag.stack([x, Tensor(np.zeros(2))])
    with pytest.raises(AxisError):
        ag.stack([x, x], 2)


# --------------------------------------------------------------- split, chunk and unbind
def sum_of(pieces, weights=None):
    """A scalar using every piece (weighted so each gets a distinct gradient)."""
    total = 0.0
    for k, p in enumerate(pieces):
        if weights is None or weights[k]:
            total = total + (p * (k + 1)).sum()
    return total


@st.composite
def axis_tensor(draw, min_side=0):
    x = draw(tensors(min_dims=1, min_side=min_side, **small))
    return x, draw(st.integers(-x.ndim, x.ndim - 1))


@given(axis_tensor(), st.data())
def test_split_numpy_semantics(case, data):
    x, axis = case
    n = x.shape[axis]
    spec = data.draw(
        st.sampled_from([k for k in range(1, 5) if n % k == 0])
        | st.lists(st.integers(-n - 2, n + 2), max_size=4)
    )
    got, expect = np.split(x, spec, axis), np.split(x.detach().cpu().numpy(), spec, axis)
    assert len(got) == len(expect)
    for g, e in zip(got, expect):
        same(g, e)
    check(lambda t: np.split(t, spec, axis), x)
    # only some pieces used: the others' gradients are zeros
    used = data.draw(st.lists(st.booleans(), min_size=len(got), max_size=len(got)))
    if any(used) and x.numel():
        check(lambda t: sum_of(np.split(t, spec, axis), used), x)


def test_split_overlapping_pieces_accumulate():
    x = Tensor(np.arange(5.0), requires_grad=True)
    pieces = np.split(x, [3, 1])  # NumPy: x[0:3], x[3:1] (empty), x[1:5]: they overlap
    assert [p.shape for p in pieces] == [(3,), (0,), (4,)]
    sum_of(pieces).backward()
    same(x.grad, np.array([1.0, 4.0, 4.0, 3.0, 3.0]))
    check(lambda t: np.split(t, [3, 1]), x, gradgrad=True)


def test_split_is_by_size_whatever_the_spelling():
    x = Tensor(np.zeros((2, 5)))
    # the trap: ag.split(x, 2, 1) gave 2 sections (NumPy); PyTorch: chunks of size 2
    assert [p.shape for p in ag.split(x, 2, 1)] == [(2, 2), (2, 2), (2, 1)]
    assert [p.shape for p in x.split(2, 1)] == [(2, 2), (2, 2), (2, 1)]
    assert [p.shape for p in ag.split(x, [1, 4], dim=1)] == [(2, 1), (2, 4)]
    assert [p.shape for p in np.split(x, 5, 1)] == [(2, 1)] * 5  # NumPy's sections


def test_split_errors():
    x = Tensor(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"equal division.*\(2, 5\)"):
        np.split(x, 2, axis=1)
    with pytest.raises(ValueError, match="positive"):
        np.split(x, 0)
    with pytest.raises(AxisError):
        ag.split(x, 1, dim=2)
    with pytest.raises(ValueError, match=r"sum to the size.*\(2, 5\)"):
        x.split([2, 2], 1)
    with pytest.raises(ValueError, match="positive"):
        x.split(0, 1)
    with pytest.raises(ValueError, match="positive"):
        x.chunk(0)
    with pytest.raises(AxisError):
        Tensor(1.0).unbind()




def bounds_of(sizes):
    out, a = [], 0
    for s in sizes:
        out.append((a, a + s))
        a += s
    return out


@given(axis_tensor(), st.data())
def test_split_sizes_chunk_unbind_torch_semantics(case, data):
    x, axis = case
    n = x.shape[axis]
    size = data.draw(st.integers(1, 4) if n else st.integers(0, 4))
    starts = list(range(0, n, size)) if n else [0]
    expect = [np.take(x.detach().cpu().numpy(), np.arange(a, min(a + size, n)), axis) for a in starts]
    got = x.split(size, axis)
    assert len(got) == len(expect)
    for g, e in zip(got, expect):
        same(g, e)
    sizes = data.draw(st.lists(st.integers(0, n), max_size=3).filter(lambda v: sum(v) <= n))
    sizes = sizes + [n - sum(sizes)]
    for g, (a, b) in zip(x.split(sizes, axis), bounds_of(sizes)):
        same(g, np.take(x.detach().cpu().numpy(), np.arange(a, b), axis))
    chunks = data.draw(st.integers(1, 4))
    got = x.chunk(chunks, axis)
    expect = np.array_split(x.detach().cpu().numpy(), chunks, axis) if n == 0 else [
        np.take(x.detach().cpu().numpy(), np.arange(a, min(a + -(-n // chunks), n)), axis)
        for a in range(0, n, -(-n // chunks))
    ]
    assert len(got) == len(expect) <= chunks
    for g, e in zip(got, expect):
        same(g, e)
    parts = x.unbind(axis)
    assert len(parts) == n
    for i, p in enumerate(parts):
        same(p, np.take(x.detach().cpu().numpy(), i, axis))
    check(lambda t: t.split(size, axis), x)
    check(lambda t: t.split(sizes, axis), x)
    check(lambda t: t.chunk(chunks, axis), x)
    if n:
        check(lambda t: t.unbind(axis), x)
        used = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
        if any(used):
            check(lambda t: sum_of(t.unbind(axis), used), x)


def test_torch_reference_for_split_chunk_unbind():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(6).standard_normal((5, 3))
    x, t = Tensor(a), torch.tensor(a)
    for spec in (1, 2, 4, [1, 4], [0, 5]):
        for g, e in zip(x.split(spec), t.split(spec), strict=True):
            same(g, e.cpu().numpy())
    for k in (1, 2, 3, 6):
        for g, e in zip(x.chunk(k), t.chunk(k), strict=True):
            same(g, e.cpu().numpy())
    for g, e in zip(x.unbind(1), t.unbind(1), strict=True):
        same(g, e.cpu().numpy())
    assert len(Tensor(np.zeros(0)).chunk(3)) == len(torch.zeros(0).chunk(3))


def test_split_unbind_second_order():
    x = Tensor(np.random.default_rng(7).standard_normal((3, 4)), requires_grad=True)
    check(lambda t: sum_of([p * p for p in t.split([1, 3], 1)], [False, True]), x, gradgrad=True)
    check(lambda t: sum_of([p * p for p in t.unbind(0)], [True, False, True]), x, gradgrad=True)
    check(lambda t: t.chunk(2, 1)[1] ** 2, x, gradgrad=True)


def test_single_piece_split_is_a_tuple():
    x = Tensor(np.arange(3.0), requires_grad=True)
    (p,) = x.split(3)
    (q,) = np.split(x, 1)
    (r,) = Tensor(np.ones((1, 2)), requires_grad=True).unbind()
    assert p.shape == q.shape == (3,) and r.shape == (2,)
    (p * 2 + q).sum().backward()
    same(x.grad, np.full(3, 3.0))
    assert x.unbind(0)[0].grad_fn is not None and Tensor(np.zeros((0, 2))).unbind() == ()


# ------------------------------------------------------------------------ flip, casts, clone
@given(tensors(min_dims=0, min_side=0, **small), st.data())
def test_flip(x, data):
    axes = None
    if x.ndim:
        axes = data.draw(st.none() | st.integers(-x.ndim, x.ndim - 1)
                         | st.lists(st.integers(0, x.ndim - 1), unique=True).map(tuple))
    same(ag.flip(x, axes), np.flip(x.detach().cpu().numpy(), axes))
    check(lambda t: ag.flip(t, axes), x)
    if isinstance(axes, tuple) and axes:
        same(x.flip(*axes), np.flip(x.detach().cpu().numpy(), axes))
        same(ag.flip(x, dims=axes), np.flip(x.detach().cpu().numpy(), axes))


def test_flip_second_order():
    x = Tensor(np.random.default_rng(8).standard_normal((2, 3)), requires_grad=True)
    check(lambda t: t.flip(1) * t, x, gradgrad=True)


@given(tensors(min_dims=0, **small))
def test_astype_and_clone(x):
    y = x.astype(np.float32)
    same(y, x.detach().cpu().numpy().astype(np.float32))
    (y * 3).sum().backward()
    assert x.grad.dtype == np.float64
    same(x.grad, np.full(x.shape, 3.0))
    same(x.long(), x.detach().cpu().numpy().astype(np.int64))
    assert not x.long().requires_grad and x.long().grad_fn is None
    assert not x.bool().requires_grad
    c = x.clone()
    same(c, x.detach().cpu().numpy())
    # the arrays themselves (on a GPU, host copies would never share memory anyway)
    assert c.ndim == 0 or not array_module(c._data).shares_memory(c._data, x._data)
    check(lambda t: t.clone() * t.double(), x, gradgrad=True)


def test_astype_copy_flag_and_scalars():
    x = Tensor(np.ones(2), requires_grad=True)
    assert ag.astype(x, "float64", copy=False) is x
    assert ag.astype(x, "float64") is not x
    assert Tensor(2.5).clone().item() == 2.5
    with pytest.raises(TypeError, match="dtype"):
        x.astype("complex128")


def test_float32_to_float64_gradient_comes_back_in_float32():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    (g,) = ag.grad((x.double() ** 2).sum(), x, create_graph=True)
    assert g.dtype == np.float32
    (gg,) = ag.grad(g.sum(), x)
    assert gg.dtype == np.float32 and np.allclose(gg.detach().cpu().numpy(), 2.0)


# ------------------------------------------------------------------------- view tracking
@pytest.mark.parametrize("make_view", [
    lambda b: b.reshape(-1), lambda b: b.T, lambda b: b.unsqueeze(0), lambda b: b.flip(0),
    lambda b: b.squeeze(), lambda b: b[1:, ::2], lambda b: b.split(1)[1], lambda b: b.split(2)[0],
    lambda b: b.unbind(1)[2], lambda b: b.chunk(3, 1)[0],
])
def test_in_place_change_through_a_view_is_detected(make_view):
    a = Tensor(np.random.default_rng(9).standard_normal((2, 3)), requires_grad=True)
    b = a * 1.0
    e = (b.sin()).sum()  # sin saves b for its gradient
    v = make_view(b)
    with ag.no_grad():
        v.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        e.backward()


def test_in_place_change_of_a_copy_is_fine():
    a = Tensor(np.random.default_rng(10).standard_normal((2, 3)), requires_grad=True)
    b = a * 1.0
    e = (b.sin()).sum()
    c = b.clone()
    with ag.no_grad():
        c.add_(1.0)
    e.backward()
    assert_allclose(a.grad.cpu().numpy(), np.cos(a.detach().cpu().numpy()))
