"""NumPy's functions on Tensors (``Tensor.__array_function__``, autograd/numpy_functions.py).

Every routed function: the same call on arrays and on Tensors agrees (NumPy's meaning, not
PyTorch's), returns Tensors, and its gradients match central differences for drawn shapes,
axes and layouts (non-contiguous, size-0 and 0-d where NumPy allows them).  Unrouted functions
raise a TypeError naming them when an input requires grad, and fall back to NumPy otherwise.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import Tensor
from autograd.numpy_functions import HANDLERS
from autograd.testing import arrays_for, assert_allclose

SMALL = dict(max_dims=3, max_side=3)


def shape(draw, min_dims=0, min_side=1, **kw):
    opts = dict(SMALL, **kw)
    return draw(hnp.array_shapes(min_dims=min_dims, min_side=min_side, **opts))


def arr(draw, shp, lo=-3.0, hi=3.0):
    return draw(arrays_for(shp, elements=st.floats(lo, hi)))


def distinct(draw, shp):
    """Values pairwise apart by >= 0.05 with |v| >= 0.2: no ties, no zeros, no constant groups."""
    n = int(np.prod(shp))
    perm = np.array(draw(st.permutations(range(n))), dtype=np.float64)
    signs = np.array(draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=n, max_size=n)))
    return ((0.2 + 2.5 * (perm + 1) / (n + 1)) * signs).reshape(shp)


def axis_of(draw, nd, tuples=True, none=True):
    choices = []
    if none:
        choices.append(st.none())
    if nd:
        choices.append(st.integers(-nd, nd - 1))
        if tuples:
            choices.append(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd,
                                    unique=True).map(tuple))
    return draw(st.one_of(*choices)) if choices else None


# name -> draw(data) -> (call, arrays): call(*xs) runs on arrays (NumPy) and on Tensors (routed)
@st.composite
def reduction(draw, fn, values="any", min_side=1):
    shp = shape(draw, min_side=min_side)
    x = distinct(draw, shp) if values == "distinct" else arr(draw, shp, 0.5, 1.5)
    ax, k = axis_of(draw, len(shp)), draw(st.booleans())
    return (lambda t: fn(t, ax, keepdims=k)), [x]


@st.composite
def positional_reduction(draw, fn):  # np.max(t, 1): values only, NumPy's positional axis
    shp = shape(draw, min_dims=1)
    return (lambda t: fn(t, len(shp) - 1)), [distinct(draw, shp)]


@st.composite
def moment(draw, fn):
    shp = shape(draw, min_dims=1, min_side=2)
    ax, k, ddof = axis_of(draw, len(shp)), draw(st.booleans()), draw(st.sampled_from([0, 1]))
    if draw(st.booleans()):
        return (lambda t: fn(t, ax, keepdims=k, ddof=ddof)), [distinct(draw, shp)]
    return (lambda t: fn(t, ax)), [distinct(draw, shp)]  # NumPy's default: ddof 0


@st.composite
def arg_reduction(draw, fn):
    shp = shape(draw)
    ax = axis_of(draw, len(shp), tuples=False)
    return (lambda t: fn(t, ax)), [distinct(draw, shp)]


@st.composite
def norm(draw):
    if draw(st.booleans()):  # vectors: any ord > 0, inf, -inf
        shp = shape(draw, min_dims=1, max_dims=1)
        ordv = draw(st.sampled_from([None, 1, 2, 3, 1.5, np.inf, -np.inf]))
        return (lambda t: np.linalg.norm(t, ordv)), [distinct(draw, shp)]
    shp = shape(draw, min_dims=2, max_dims=3)
    nd = len(shp)
    kind = draw(st.sampled_from(["all", "axis", "matrix"]))
    if kind == "all":
        return (lambda t: np.linalg.norm(t)), [distinct(draw, shp)]
    if kind == "axis":
        ax, ordv = draw(st.integers(-nd, nd - 1)), draw(st.sampled_from([None, 1, 2, np.inf]))
        k = draw(st.booleans())
        return (lambda t: np.linalg.norm(t, ordv, ax, k)), [distinct(draw, shp)]
    axes = (0, nd - 1)
    return (lambda t: np.linalg.norm(t, "fro", axes)), [distinct(draw, shp)]


@st.composite
def reshape(draw):
    shp = shape(draw, min_side=0)
    target = list(draw(st.permutations(shp))) + [1]
    return (lambda t: np.reshape(t, tuple(target))), [arr(draw, shp)]


@st.composite
def unary_shape(draw, make):
    shp = shape(draw, min_side=0)
    return make(draw, shp), [arr(draw, shp)]


def _transpose(draw, shp):
    perm = draw(st.none() | st.permutations(range(len(shp))).map(tuple))
    return lambda t: np.transpose(t, perm) if perm is not None else np.transpose(t)


def _swapaxes(draw, shp):
    nd = max(len(shp), 1)
    a, b = draw(st.integers(-nd, nd - 1)), draw(st.integers(-nd, nd - 1))
    return (lambda t: np.swapaxes(t, a, b)) if shp else (lambda t: np.ravel(t))


def _moveaxis(draw, shp):
    if not shp:
        return lambda t: np.ravel(t)
    nd = len(shp)
    src, dst = draw(st.integers(-nd, nd - 1)), draw(st.integers(-nd, nd - 1))
    return lambda t: np.moveaxis(t, src, dst)


def _squeeze(draw, shp):
    ones = tuple(i for i, n in enumerate(shp) if n == 1)
    ax = draw(st.sampled_from([None, ones])) if ones else None
    return lambda t: np.squeeze(t, ax)


def _expand_dims(draw, shp):
    d = draw(st.integers(-len(shp) - 1, len(shp)))
    return lambda t: np.expand_dims(t, d)


def _broadcast_to(draw, shp):
    lead = tuple(draw(st.lists(st.integers(0, 2), max_size=2)))
    return lambda t: np.broadcast_to(t, lead + shp)


def _flip(draw, shp):
    ax = axis_of(draw, len(shp))
    return lambda t: np.flip(t, ax)


def _tile(draw, shp):
    reps = tuple(draw(st.lists(st.integers(0, 2), min_size=1, max_size=4)))
    return lambda t: np.tile(t, reps)


def _repeat(draw, shp):
    ax = axis_of(draw, len(shp), tuples=False)
    n = int(np.prod(shp)) if ax is None else shp[ax]
    reps = draw(st.integers(0, 3) | st.lists(st.integers(0, 3), min_size=n, max_size=n))
    return lambda t: np.repeat(t, reps, ax)


def _pad(draw, shp):
    width = draw(st.integers(0, 2))
    mode = draw(st.sampled_from(["constant", "edge", "reflect", "wrap"])) if all(shp) else "constant"
    return lambda t: np.pad(t, width, mode=mode)


def _ravel_copy(draw, shp):
    return lambda t: np.ravel(np.copy(t))


def _clip(draw, shp):
    lo, hi = sorted(draw(st.lists(st.floats(-2.5, 2.5), min_size=2, max_size=2)))
    return lambda t: np.clip(t, lo + 0.01, hi + 0.02)


@st.composite
def join(draw, fn):
    base = list(shape(draw, min_dims=1))
    if fn is np.hstack:
        ax = 1 if len(base) > 1 else 0
    elif fn is np.vstack:
        ax = 0 if len(base) > 1 else None  # 1-d arrays become rows of a matrix
    else:
        ax = draw(st.integers(0, len(base) - 1))
    shapes = []
    for _ in range(draw(st.integers(1, 3))):
        s = list(base)
        if ax is not None and fn is not np.stack:
            s[ax] = draw(st.integers(0 if fn is np.concatenate else 1, 3))
        shapes.append(tuple(s))
    if fn in (np.hstack, np.vstack):
        return (lambda *ts: fn(list(ts))), [arr(draw, s) for s in shapes]
    return (lambda *ts: fn(list(ts), ax)), [arr(draw, s) for s in shapes]


@st.composite
def split(draw):
    shp = shape(draw, min_dims=1)
    ax = draw(st.integers(-len(shp), len(shp) - 1))
    n = shp[ax]
    spec = draw(st.sampled_from([k for k in (1, 2, 3) if n % k == 0])
                | st.lists(st.integers(0, n), max_size=3).map(sorted))
    return (lambda t: np.split(t, spec, ax)), [arr(draw, shp)]


@st.composite
def where(draw):
    # the condition broadcasts with both operands (one drawn with each other shape: a condition
    # broadcastable with ``a`` alone may not be with ``b``)
    sc, sa, sb = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, **SMALL)).input_shapes
    cond = draw(hnp.arrays(bool, sc))
    # the condition beside the operands: a host array for arrays, a tensor (on the default
    # device) for tensors
    return ((lambda a, b: np.where(cond if isinstance(a, np.ndarray) else Tensor(cond), a, b)),
            [arr(draw, sa), arr(draw, sb)])


@st.composite
def einsum(draw):
    i, j, k = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    spec = draw(st.sampled_from(["ij,jk->ik", "ij,jk", "ij,jk->", "ij,jk->ki"]))
    return (lambda a, b: np.einsum(spec, a, b)), [arr(draw, (i, j)), arr(draw, (j, k))]


@st.composite
def products(draw, fn):
    n, m = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    if fn is np.outer:
        return (lambda a, b: np.outer(a, b)), [arr(draw, (n,)), arr(draw, (m, 2))]
    shapes = draw(st.sampled_from([((n,), (n,)), ((m, n), (n,)), ((m, n), (n, 2)),
                                   ((2, m, n), (n, 2))]
                                  + ([((), (n,))] if fn is np.dot else [])))
    return (lambda a, b: fn(a, b)), [arr(draw, s) for s in shapes]


@st.composite
def take_along(draw):
    shp = shape(draw, min_dims=1)
    ax = draw(st.integers(0, len(shp) - 1))
    idx = draw(hnp.arrays(np.int64, shp, elements=st.integers(0, shp[ax] - 1)))
    return (lambda t: np.take_along_axis(t, idx, ax)), [arr(draw, shp)]


CASES = {
    "sum": lambda: reduction(np.sum),
    "mean": lambda: reduction(np.mean),
    "prod": lambda: reduction(np.prod, "prod"),
    "max": lambda: reduction(np.max, "distinct"),
    "amax": lambda: reduction(np.amax, "distinct"),
    "min": lambda: reduction(np.min, "distinct"),
    "amin": lambda: reduction(np.amin, "distinct"),
    "max_positional": lambda: positional_reduction(np.max),
    "min_positional": lambda: positional_reduction(np.min),
    "argmax": lambda: arg_reduction(np.argmax),
    "argmin": lambda: arg_reduction(np.argmin),
    "var": lambda: moment(np.var),
    "std": lambda: moment(np.std),
    "linalg.norm": norm,
    "reshape": reshape,
    "transpose": lambda: unary_shape(_transpose),
    "swapaxes": lambda: unary_shape(_swapaxes),
    "moveaxis": lambda: unary_shape(_moveaxis),
    "squeeze": lambda: unary_shape(_squeeze),
    "expand_dims": lambda: unary_shape(_expand_dims),
    "broadcast_to": lambda: unary_shape(_broadcast_to),
    "flip": lambda: unary_shape(_flip),
    "tile": lambda: unary_shape(_tile),
    "repeat": lambda: unary_shape(_repeat),
    "pad": lambda: unary_shape(_pad),
    "ravel_copy": lambda: unary_shape(_ravel_copy),
    "clip": lambda: unary_shape(_clip),
    "concatenate": lambda: join(np.concatenate),
    "stack": lambda: join(np.stack),
    "hstack": lambda: join(np.hstack),
    "vstack": lambda: join(np.vstack),
    "split": split,
    "where": where,
    "einsum": einsum,
    "dot": lambda: products(np.dot),
    "matmul": lambda: products(np.matmul),
    "outer": lambda: products(np.outer),
    "take_along_axis": take_along,
}


def _pieces(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_routed_function_means_numpy_and_has_gradients(name, data):
    call, arrays = data.draw(CASES[name]())
    expect = _pieces(call(*arrays))
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    got = _pieces(call(*tensors))
    assert len(got) == len(expect)
    for g, e in zip(got, expect):
        assert isinstance(g, Tensor)
        assert g.shape == np.shape(e) and g.dtype == np.asarray(e).dtype
        assert_allclose(g.detach().cpu().numpy(), e, rtol=1e-12, atol=1e-12)
    if got[0].dtype.kind == "f":
        assert ag.gradcheck(call, tensors)


def test_every_handler_has_a_gradient_test():
    tested = {"sum", "mean", "prod", "max", "amax", "min", "amin", "argmax", "argmin", "var",
              "std", "norm", "reshape", "transpose", "swapaxes", "moveaxis", "squeeze",
              "expand_dims", "broadcast_to", "flip", "tile", "repeat", "pad", "ravel", "copy",
              "clip", "concatenate", "stack", "hstack", "vstack", "split", "where", "einsum",
              "dot", "outer", "take_along_axis"}
    assert {f.__name__ for f in HANDLERS} == tested


def test_second_derivatives_through_numpy_code():
    x = Tensor(np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]), requires_grad=True)

    def seed_style(t):  # a derivation written as plain NumPy code
        centred = t - np.mean(t, axis=1, keepdims=True)
        return np.sum(np.tanh(centred) ** 2 / np.sqrt(np.var(t, axis=1, keepdims=True) + 1.0))

    assert ag.gradcheck(seed_style, (x,))
    assert ag.gradgradcheck(seed_style, (x,))


def test_numpy_meanings_differ_from_torch_meanings_on_purpose():
    x = Tensor(np.array([[1.0, 5.0, 3.0], [7.0, 2.0, 0.0]]))
    assert isinstance(np.max(x, 1), Tensor) and isinstance(x.max(1), ag.ValuesIndices)
    assert np.var(x).item() == pytest.approx(np.var(x.cpu().numpy()))  # ddof 0
    assert x.var().item() == pytest.approx(np.var(x.cpu().numpy(), ddof=1))  # correction 1
    assert len(np.split(x, 3, 1)) == 3 and len(x.split(2, 1)) == 2
    assert np.repeat(x, 2).shape == (12,) and x.repeat(2, 1).shape == (4, 3)
    assert np.transpose(x).shape == (3, 2) and x.transpose(0, 1).shape == (3, 2)


def test_unrouted_function_with_grad_raises_naming_it():
    x = Tensor(np.array([3.0, 1.0, 2.0]), requires_grad=True)
    with pytest.raises(TypeError, match=r"numpy\.sort has no gradient rule.*requires grad"):
        np.sort(x)
    with pytest.raises(TypeError, match=r"numpy\.median"):
        np.median(x)
    with pytest.raises(TypeError, match=r"numpy\.sum with out= has no gradient rule"):
        np.sum(x, out=np.zeros(()))
    with pytest.raises(TypeError, match=r"numpy\.linalg\.norm with ord='nuc'"):
        np.linalg.norm(Tensor(np.eye(2), requires_grad=True), "nuc")
    with ag.no_grad():  # nothing to record: NumPy on the data, Tensors back
        s = np.sort(x)
    assert isinstance(s, Tensor) and s.tolist() == [1.0, 2.0, 3.0]
    m = np.median(x.detach())
    assert isinstance(m, Tensor) and m.item() == 2.0


def test_queries_run_on_the_data_even_with_grad():
    x = Tensor(np.array([[3.0, 1.0]]), requires_grad=True)
    assert np.shape(x) == (1, 2) and np.ndim(x) == 2 and np.size(x) == 2
    assert np.allclose(x, Tensor([[3.0, 1.0]])) and np.argsort(x).tolist() == [[1, 0]]
    assert np.count_nonzero(x) == 2
    rows, cols = np.where(x > 2.0)  # one-argument where: indices, no gradient
    assert rows.tolist() == [0] and cols.tolist() == [0]


def test_out_tensor_is_written_and_version_bumped_without_grad():
    x = Tensor(np.array([1.0, 2.0]))
    out = Tensor(np.zeros(2))
    v = out._version
    res = np.cumsum(x, out=out)
    assert res is out and out.tolist() == [1.0, 3.0] and out._version > v


def test_foreign_array_types_are_left_to_numpy():
    class Other(np.ndarray):
        pass

    class Foreign:
        def __array_function__(self, func, types, args, kwargs):
            return "foreign"

    assert np.concatenate([Tensor(np.ones(1)), Foreign()]) == "foreign"
