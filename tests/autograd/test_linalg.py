"""Linear algebra: matmul in every operand layout (1-D, N-D, batch broadcasting), dot, outer and
einsum (diagonals, traces, ellipsis, broadcasting, implicit output) against NumPy, with full
Jacobian gradchecks, second derivatives and error messages."""

import numpy as np
import pytest
from _ondevice import const
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import Tensor
from autograd.testing import assert_allclose, tensors


def check(fn, *inputs, gradgrad=False):
    assert ag.gradcheck(fn, inputs)
    if gradgrad:
        assert ag.gradgradcheck(fn, inputs)


def close(t, expected):
    assert isinstance(t, Tensor)
    assert t.shape == np.shape(expected) and t.dtype == np.asarray(expected).dtype
    assert_allclose(t.detach().cpu().numpy(), expected, rtol=1e-12, atol=1e-12)


def x64(*shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


# --------------------------------------------------------------------------------- matmul
# NumPy's gufunc signature (with optional core dims) covers 1-D@1-D, 1-D@N-D, N-D@1-D and
# batched operands whose batch dimensions broadcast against each other.
matmul_shapes = hnp.mutually_broadcastable_shapes(
    signature=np.matmul.signature, max_dims=2, min_side=0, max_side=3
)


@given(matmul_shapes, st.data())
def test_matmul_all_layouts(shapes, data):
    a = data.draw(tensors(shapes.input_shapes[0]))
    b = data.draw(tensors(shapes.input_shapes[1]))
    expect = np.matmul(a.detach().cpu().numpy(), b.detach().cpu().numpy())
    close(a @ b, expect)
    close(ag.matmul(a, b), expect)
    close(a.matmul(b), expect)
    check(lambda x, y: x @ y, a, b)


@pytest.mark.parametrize("sa,sb", [
    ((3,), (3,)), ((3,), (2, 3, 4)), ((2, 1, 4, 3), (3,)), ((2, 1, 2, 3), (4, 3, 2)),
    ((1, 3), (2, 3, 1)),
])
def test_matmul_second_order(sa, sb):
    check(lambda x, y: x @ y, x64(*sa), x64(*sb, seed=1), gradgrad=True)


def test_matmul_with_constants_and_reflected():
    a = x64(2, 3)
    m = np.arange(6.0).reshape(3, 2)
    md = const(m)  # the constant as an array of the tensors' device (a NumPy array on the CPU)
    close(a @ md, a.detach().cpu().numpy() @ m)
    close(md.T @ a.T, m.T @ a.detach().cpu().numpy().T)  # array @ Tensor goes through __rmatmul__
    check(lambda t: t @ md, a)
    check(lambda t: md.T @ t.T, a)


def test_matmul_errors_name_both_shapes():
    with pytest.raises(ValueError, match=r"matmul.*\(2, 3\).*\(4, 5\)"):
        x64(2, 3) @ x64(4, 5)
    with pytest.raises(ValueError, match=r"matmul.*\(2, 2, 3\).*\(3, 3, 1\)"):
        x64(2, 2, 3) @ x64(3, 3, 1)
    with pytest.raises(ValueError, match=r"matmul.*\(3,\).*\(2,\)"):
        x64(3) @ x64(2)
    with pytest.raises(ValueError, match="at least 1 dimension"):
        ag.matmul(Tensor(2.0), x64(2))


# ------------------------------------------------------------------------------ dot, outer
@st.composite
def dot_case(draw):
    na, nb = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    k = draw(st.integers(0, 3))
    side = st.integers(1, 3)
    sa = tuple(draw(side) for _ in range(na - 1)) + ((k,) if na else ())
    if nb == 0:
        sb = ()
    elif nb == 1:
        sb = (k,) if na else (draw(side),)
    else:
        sb = tuple(draw(side) for _ in range(nb - 2)) + (k if na else draw(side), draw(side))
    return draw(tensors(sa)), draw(tensors(sb))


@given(dot_case())
def test_dot_numpy_semantics(case):
    a, b = case
    expect = np.dot(a.detach().cpu().numpy(), b.detach().cpu().numpy())
    close(np.dot(a, b), np.asarray(expect))  # NumPy's dot through NumPy's function
    check(lambda x, y: np.dot(x, y), a, b)


def test_dot_1d_and_second_order():
    a, b = x64(4), x64(4, seed=1)
    close(a.dot(b), np.asarray(np.dot(a.detach().cpu().numpy(), b.detach().cpu().numpy())))
    check(lambda x, y: x.dot(y), a, b, gradgrad=True)
    check(lambda x, y: np.dot(x, y), x64(2, 3), x64(2, 3, 2, seed=1), gradgrad=True)
    with pytest.raises(ValueError, match=r"dot.*\(3,\).*\(4,\).*not aligned"):
        np.dot(x64(3), x64(4))
    with pytest.raises(ValueError, match=r"dot.*\(2, 3\).*\(2, 3\)"):
        np.dot(x64(2, 3), x64(2, 3))
    with pytest.raises(ValueError, match=r"dot: expected two 1-D tensors.*\(2, 3\)"):
        ag.dot(x64(2, 3), x64(3))  # torch.dot: 1-D only


@given(tensors(min_dims=0, max_dims=2, min_side=0, max_side=3),
       tensors(min_dims=0, max_dims=2, min_side=0, max_side=3))
def test_outer(a, b):
    close(ag.outer(a, b), np.outer(a.detach().cpu().numpy(), b.detach().cpu().numpy()))
    close(a.outer(b), np.outer(a.detach().cpu().numpy(), b.detach().cpu().numpy()))
    check(lambda x, y: ag.outer(x, y), a, b)


def test_outer_second_order():
    check(lambda x, y: ag.outer(x, y) ** 2, x64(3), x64(2, 2, seed=1), gradgrad=True)


# ---------------------------------------------------------------------------------- einsum
# (subscripts, operand shapes written with letters: each letter's size is drawn; "1" is size 1)
EINSUMS = [
    ("ij,jk->ik", ["ij", "jk"]),
    ("ij,jk", ["ij", "jk"]),  # implicit output
    ("bij,bjk->bik", ["bij", "bjk"]),
    ("i,i", ["i", "i"]),
    ("i,i->i", ["i", "i"]),
    ("i,j->ij", ["i", "j"]),
    ("ij->ji", ["ij"]),
    ("ij->", ["ij"]),
    ("ij->j", ["ij"]),
    ("ij", ["ij"]),
    ("ji", ["ji"]),  # implicit output sorts the letters: a transpose
    ("ii->i", ["ii"]),  # diagonal
    ("ii", ["ii"]),  # trace
    ("iij->j", ["iij"]),
    ("iji->ij", ["iji"]),
    ("ij,ij,ij->i", ["ij", "ij", "ij"]),
    ("ij,jk,kl->il", ["ij", "jk", "kl"]),
    ("ii,i->i", ["ii", "i"]),
    ("ij,j", ["ij", "j"]),
    ("Ab,bC", ["Ab", "bC"]),
    ("...ij,...jk->...ik", ["xij", "yxjk"]),  # ellipsis with broadcast batch dims
    ("...i,...i->...", ["xyi", "yi"]),
    ("...,...", ["x", "x"]),
    ("i...->...i", ["ixy"]),
    ("...ii->...i", ["xii"]),
    ("ij,ij->ij", ["i1", "ij"]),  # a size-1 labelled dimension broadcasts
    (",ij->ij", ["", "ij"]),  # a 0-d operand
    ("ijk->kij", ["ijk"]),
]


def shapes_for(letters, sizes):
    return [tuple(1 if c == "1" else sizes[c] for c in s) for s in letters]


@pytest.mark.parametrize("subscripts,letters", EINSUMS, ids=[e[0] for e in EINSUMS])
@given(data=st.data())
def test_einsum_matches_numpy_and_gradchecks(subscripts, letters, data):
    all_letters = sorted(set("".join(letters)) - {"1"})
    sizes = {c: data.draw(st.integers(0 if c in "jb" else 1, 3), label=c) for c in all_letters}
    ops = [data.draw(tensors(s)) for s in shapes_for(letters, sizes)]
    expect = np.einsum(subscripts, *[o.detach().cpu().numpy() for o in ops])
    close(ag.einsum(subscripts, *ops), np.asarray(expect))
    check(lambda *ts: ag.einsum(subscripts, *ts), *ops)


@pytest.mark.parametrize("subscripts,shapes", [
    ("ij,jk->ik", [(2, 3), (3, 2)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(2, 2)]),
    ("ij,ij,ij->i", [(2, 2), (2, 2), (2, 2)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 2)]),
    ("ij->", [(2, 3)]),
    ("ii,i->i", [(2, 2), (2,)]),
])
def test_einsum_second_order(subscripts, shapes):
    ops = [x64(*s, seed=k) for k, s in enumerate(shapes)]
    check(lambda *ts: ag.einsum(subscripts, *ts) ** 2, *ops, gradgrad=True)


def test_einsum_mixes_constants_and_arrays():
    a = x64(2, 3)
    w = np.arange(3.0)
    wd = const(w)  # the constant as an array of the tensors' device (a NumPy array on the CPU)
    close(ag.einsum("ij,j->i", a, wd), np.einsum("ij,j->i", a.detach().cpu().numpy(), w))
    check(lambda t: ag.einsum("ij,j->i", t, wd), a)
    close(ag.einsum(" i j -> j i ", a), a.detach().cpu().numpy().T)  # spaces are ignored, as in NumPy


@pytest.mark.parametrize("subscripts,shapes,match", [
    ("ij,jk->ik", [(2, 3)], "2 operand subscript"),
    ("ij->i", [(2, 3, 4)], r"operand 0 has shape \(2, 3, 4\).*'ij'"),
    ("ij,jk->ik", [(2, 3), (4, 2)], r"letter 'j' has size 3.*4"),
    ("ii->i", [(2, 3)], "repeats 'i' over dimensions of different sizes"),
    ("i1->i", [(2, 3)], "invalid subscript character '1'"),
    ("i->ii", [(2,)], "repeats a letter"),
    ("i->j", [(2,)], "output letter 'j'"),
    ("...i->i", [(2, 3)], "no '...' in the output"),
    ("i->i->i", [(2,)], "more than one '->'"),
])
def test_einsum_errors(subscripts, shapes, match):
    with pytest.raises(ValueError, match=match):
        ag.einsum(subscripts, *[np.zeros(s) for s in shapes])


def test_einsum_argument_errors():
    with pytest.raises(TypeError, match="subscripts string"):
        ag.einsum(np.ones(2), [0])
    with pytest.raises(ValueError, match="at least one operand"):
        ag.einsum("i")
