"""Reductions (autograd/ops/reduction.py): forward vs NumPy for drawn shapes, axes (int, tuple,
negative, None), keepdims and both spellings (axis=/keepdims= and dim=/keepdim=); gradients and
second derivatives by central differences; empty reductions; zeros in prod; ties; var/std
defaults; -inf in logsumexp; norm subgradients; argmax/argmin."""

import warnings

import numpy as np
import pytest
from _ondevice import const
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import Tensor
from autograd.testing import arrays_for, assert_allclose, assert_array_equal

ANY = st.floats(-3, 3)
PROD = st.one_of(st.floats(0.5, 1.5), st.floats(-1.5, -0.5))  # products stay moderate


def leaf(a):
    return Tensor(a, requires_grad=True)


def _layout(draw, arr):
    """The same values C-contiguous, as a transposed (F-ordered) view or a strided view."""
    kind = draw(st.sampled_from(["c", "transposed", "strided"]))
    if kind == "transposed" and arr.ndim >= 2:
        return np.ascontiguousarray(arr.T).T
    if kind == "strided" and arr.ndim >= 1:
        big = np.zeros(arr.shape[:-1] + (2 * arr.shape[-1],))
        big[..., ::2] = arr
        return big[..., ::2]
    return arr


@st.composite
def distinct(draw, shape):
    """Values with distinct magnitudes >= 0.2 (at least ~0.09 apart), random signs: no ties
    for max/min/inf-norms, no zeros for p-norms, no constant groups for std."""
    n = int(np.prod(shape))
    perm = np.array(draw(st.permutations(range(n))), dtype=np.float64)
    signs = np.array(draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=n, max_size=n)))
    vals = (0.2 + 2.5 * (perm + 1) / (n + 1)) * signs
    return _layout(draw, vals.reshape(shape))


@st.composite
def case(draw, values="any", min_dims=0, max_dims=3, min_side=1, max_side=3):
    """(array, axis, keepdims, style): axis None, an int (maybe negative) or a tuple."""
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                                  max_side=max_side))
    if values == "distinct":
        x = draw(distinct(shape))
    else:
        x = draw(arrays_for(shape, elements=PROD if values == "prod" else ANY))
    nd = len(shape)
    kind = draw(st.sampled_from(["none", "int", "tuple"])) if nd else "none"
    if kind == "none":
        axis = None
    elif kind == "int":
        axis = draw(st.integers(-nd, nd - 1))
    else:
        axes = draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
        axis = tuple(a - nd if draw(st.booleans()) else a for a in axes)
    return x, axis, draw(st.booleans()), draw(st.sampled_from(["numpy", "torch", "method"]))


def call(name, t, axis, keepdims, style, **kw):
    if name in ("max", "min") and (isinstance(axis, tuple) or (axis is None and keepdims)):
        # torch.max takes one dim; NumPy's values-only max over several axes is numpy.max on
        # the tensor (routed by __array_function__)
        return getattr(np, name)(t, axis=axis, keepdims=keepdims)
    if style == "numpy":  # NumPy's spellings as keyword aliases: the same meaning
        out = getattr(ag, name)(t, axis=axis, keepdims=keepdims, **kw)
    elif style == "torch":
        out = getattr(ag, name)(t, dim=axis, keepdim=keepdims, **kw)
    elif name == "norm":  # Tensor.norm(p, dim, keepdim)
        out = t.norm(kw.pop("p", 2), axis, keepdims, **kw)
    elif name in ("var", "std"):  # Tensor.var(dim, unbiased, keepdim): keepdim by keyword
        out = getattr(t, name)(axis, keepdim=keepdims, **kw)
    else:
        out = getattr(t, name)(axis, keepdims, **kw)
    if name in ("max", "min") and axis is not None:
        assert isinstance(out, ag.ValuesIndices)
        return out.values
    return out


def default_ddof(axis, keepdims, style):
    # PyTorch's correction=1 whichever spelling is used
    return 1


def np_lse(x, axis, keepdims):
    return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))


def np_pnorm(p):
    def ref(x, axis, keepdims):
        return np.sum(np.abs(x) ** p, axis=axis, keepdims=keepdims) ** (1 / p)
    return ref


# name -> (call(t, axis, keepdims, style), reference(x, axis, keepdims, style), values, options)
# (var/std: every group has 2 or more elements, so the default correction 1 is defined)
SPREAD = {"min_dims": 1, "min_side": 2}
REDUCTIONS = {
    "sum": (lambda *a: call("sum", *a), lambda x, ax, k, s: np.sum(x, axis=ax, keepdims=k),
            "any", {}),
    "mean": (lambda *a: call("mean", *a), lambda x, ax, k, s: np.mean(x, axis=ax, keepdims=k),
             "any", {}),
    "prod": (lambda *a: call("prod", *a), lambda x, ax, k, s: np.prod(x, axis=ax, keepdims=k),
             "prod", {}),
    "amax": (lambda *a: call("amax", *a), lambda x, ax, k, s: np.amax(x, axis=ax, keepdims=k),
             "distinct", {}),
    "amin": (lambda *a: call("amin", *a), lambda x, ax, k, s: np.amin(x, axis=ax, keepdims=k),
             "distinct", {}),
    "max": (lambda *a: call("max", *a), lambda x, ax, k, s: np.max(x, axis=ax, keepdims=k),
            "distinct", {}),
    "min": (lambda *a: call("min", *a), lambda x, ax, k, s: np.min(x, axis=ax, keepdims=k),
            "distinct", {}),
    "var": (lambda *a: call("var", *a),
            lambda x, ax, k, s: np.var(x, axis=ax, keepdims=k, ddof=default_ddof(ax, k, s)),
            "distinct", SPREAD),
    "std": (lambda *a: call("std", *a),
            lambda x, ax, k, s: np.std(x, axis=ax, keepdims=k, ddof=default_ddof(ax, k, s)),
            "distinct", SPREAD),
    "var_ddof0": (lambda *a: call("var", *a, ddof=0),
                  lambda x, ax, k, s: np.var(x, axis=ax, keepdims=k), "any", {}),
    "std_unbiased": (lambda *a: call("std", *a, unbiased=True),
                     lambda x, ax, k, s: np.std(x, axis=ax, keepdims=k, ddof=1), "distinct", SPREAD),
    "logsumexp": (lambda *a: call("logsumexp", *a), lambda x, ax, k, s: np_lse(x, ax, k),
                  "any", {}),
    "norm2": (lambda *a: call("norm", *a), lambda x, ax, k, s: np_pnorm(2)(x, ax, k),
              "distinct", {}),
    "norm_fro": (lambda *a: call("norm", *a, p="fro"), lambda x, ax, k, s: np_pnorm(2)(x, ax, k),
                 "distinct", {}),
    "norm1": (lambda *a: call("norm", *a, p=1), lambda x, ax, k, s: np_pnorm(1)(x, ax, k),
              "distinct", {}),
    "norm3": (lambda *a: call("norm", *a, p=3), lambda x, ax, k, s: np_pnorm(3)(x, ax, k),
              "distinct", {}),
    "norm1.5": (lambda *a: call("norm", *a, p=1.5), lambda x, ax, k, s: np_pnorm(1.5)(x, ax, k),
                "distinct", {}),
    "norm0.5": (lambda *a: call("norm", *a, p=0.5), lambda x, ax, k, s: np_pnorm(0.5)(x, ax, k),
                "distinct", {}),
    "norm_inf": (lambda *a: call("norm", *a, p=np.inf),
                 lambda x, ax, k, s: np.amax(np.abs(x), axis=ax, keepdims=k), "distinct", {}),
    "norm_-inf": (lambda *a: call("norm", *a, p=-np.inf),
                  lambda x, ax, k, s: np.amin(np.abs(x), axis=ax, keepdims=k), "distinct", {}),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(data=st.data())
def test_forward_matches_numpy(name, data):
    fn, ref, values, opts = REDUCTIONS[name]
    x, axis, keepdims, style = data.draw(case(values, **opts))
    y = fn(leaf(x), axis, keepdims, style)
    expected = np.asarray(ref(x, axis, keepdims, style))
    assert y.shape == expected.shape and y.dtype == np.float64
    assert_allclose(y.detach().cpu().numpy(), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(data=st.data())
def test_gradients(name, data):
    fn, _, values, opts = REDUCTIONS[name]
    x, axis, keepdims, style = data.draw(case(values, **opts))
    assert ag.gradcheck(lambda t: fn(t, axis, keepdims, style), (leaf(x),))


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(data=st.data())
def test_second_derivatives(name, data):
    fn, _, values, opts = REDUCTIONS[name]
    x, axis, keepdims, style = data.draw(case(values, **{**opts, "max_dims": 2}))
    assert ag.gradgradcheck(lambda t: fn(t, axis, keepdims, style), (leaf(x),))


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(data=st.data())
def test_float32_in_float32_out(name, data):
    fn, ref, values, opts = REDUCTIONS[name]
    x, axis, keepdims, style = data.draw(case(values, **{**opts, "max_dims": 2}))
    t = leaf(x.astype(np.float32))
    y = fn(t, axis, keepdims, style)
    assert y.dtype == np.float32
    assert_allclose(y.detach().cpu().numpy(), ref(x, axis, keepdims, style), rtol=1e-5, atol=1e-6)
    y.sum().backward()
    assert t.grad.dtype == np.float32 and t.grad.shape == x.shape


@pytest.mark.parametrize("name", ["sum", "mean", "prod", "amax", "logsumexp", "norm2", "norm3"])
def test_python_float_tensors_match_0d_arrays(name):
    fn = REDUCTIONS[name][0]
    f, z = Tensor(-1.25, requires_grad=True), leaf(np.array(-1.25))
    yf, yz = fn(f, None, False, "numpy"), fn(z, None, False, "numpy")
    assert yf.shape == () and yf.item() == yz.item()
    yf.backward()
    yz.backward()
    assert f.grad.shape == () and f.grad.item() == z.grad.item()


# ------------------------------------------------------------------------ empty reductions
def test_mean_of_nothing_is_nan_without_warnings():
    x = leaf(np.ones((0, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = x.mean()
        m0 = x.mean(axis=0)
        m1 = x.mean(dim=1)
        m.backward()
    assert np.isnan(m.item())
    assert m0.shape == (3,) and np.all(np.isnan(m0.detach().cpu().numpy()))
    assert m1.shape == (0,)
    assert x.grad.shape == (0, 3)


@pytest.mark.parametrize("name,expected", [
    ("sum", 0.0), ("prod", 1.0), ("logsumexp", -np.inf), ("norm2", 0.0), ("norm1", 0.0),
    ("norm3", 0.0), ("var_ddof0", np.nan),
])
def test_empty_reductions_like_numpy(name, expected):
    fn = REDUCTIONS[name][0]
    x = leaf(np.ones((0, 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        full = fn(x, None, False, "numpy")
        per_column = fn(x, 0, False, "numpy")
        per_row = fn(x, 1, True, "numpy")
        (full + per_column.sum() + per_row.sum()).backward()
    assert_array_equal(full.detach().cpu().numpy(), expected)
    assert_array_equal(per_column.detach().cpu().numpy(), [expected, expected])
    assert per_row.shape == (0, 1)
    assert x.grad.shape == (0, 2)


@pytest.mark.parametrize("name", ["amax", "amin", "max", "min", "norm_inf", "norm_-inf"])
def test_max_of_nothing_raises_naming_the_op(name):
    fn = REDUCTIONS[name][0]
    op = "norm" if name.startswith("norm") else name
    with pytest.raises(ValueError, match=f"{op}: cannot reduce"):
        fn(leaf(np.ones((2, 0))), 1, False, "numpy")
    assert fn(leaf(np.ones((2, 0))), 0, False, "numpy").shape == (0,)  # nothing to reduce


@pytest.mark.parametrize("fn", [ag.argmax, ag.argmin])
def test_argmax_of_nothing_raises(fn):
    with pytest.raises(ValueError, match="cannot reduce"):
        fn(Tensor(np.ones((0, 2))))


# ------------------------------------------------------------------------------------ prod
@pytest.mark.parametrize("x", [
    [2.0, 0.0, 3.0],
    [0.0, 0.0, 3.0],
    [[1.5, 0.0, -2.0], [0.0, 0.0, 0.5]],
    [[0.0, 1.0], [2.0, 3.0]],
])
def test_prod_with_zeros_first_and_second_derivatives(x):
    x = np.array(x)
    for axis in [None] + list(range(x.ndim)):
        t = leaf(x)
        ag.prod(t, axis=axis).sum().backward()
        # reference: the product of the other elements of each reduction group, written out
        others = np.empty_like(x)
        for idx in np.ndindex(x.shape):
            if axis is None:
                group = [j for j in np.ndindex(x.shape) if j != idx]
            else:
                group = [j for j in np.ndindex(x.shape) if j[axis] != idx[axis]
                         and all(j[k] == idx[k] for k in range(x.ndim) if k != axis)]
            others[idx] = np.prod([x[j] for j in group])
        assert_array_equal(t.grad.cpu().numpy(), others)
        assert ag.gradcheck(lambda u: ag.prod(u, axis=axis), (leaf(x),))
        assert ag.gradgradcheck(lambda u: ag.prod(u, axis=axis), (leaf(x),))


@given(data=st.data())
def test_prod_with_drawn_zeros(data):
    x, axis, keepdims, style = data.draw(case("prod", max_dims=2))
    mask = data.draw(arrays_for(x.shape, dtype=bool))
    x = np.where(mask, 0.0, x)
    assert_array_equal(call("prod", leaf(x), axis, keepdims, style).data,
                                  np.prod(x, axis=axis, keepdims=keepdims))
    assert ag.gradcheck(lambda t: call("prod", t, axis, keepdims, style), (leaf(x),))
    assert ag.gradgradcheck(lambda t: call("prod", t, axis, keepdims, style), (leaf(x),))


def test_prod_of_integers_has_no_grad_and_keeps_dtype():
    y = ag.prod(Tensor(np.array([2, 3, 4])))
    assert y.dtype == np.int64 and y.item() == 24


# ------------------------------------------------------------------------- max, min, ties
@pytest.mark.parametrize("fn", [ag.amax, lambda t, **k: ag.max(t, **k).values,
                                lambda t, **k: t.max(**k).values, np.max])
def test_max_ties_share_the_gradient_evenly(fn):
    x = leaf(np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]))
    ag.max(x).backward()
    assert_array_equal(x.grad.cpu().numpy(), [[0, 0.5, 0.5], [0, 0, 0]])
    x.grad = None
    fn(x, axis=1).sum().backward()
    assert_allclose(x.grad.cpu().numpy(), [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])


@pytest.mark.parametrize("fn", [ag.amin, lambda t, **k: ag.min(t, **k).values, np.min])
def test_min_ties_share_the_gradient_evenly(fn):
    x = leaf(np.array([[1.0, 1.0, 3.0], [-2.0, 5.0, -2.0]]))
    fn(x, axis=1, keepdims=True).sum().backward()
    assert_array_equal(x.grad.cpu().numpy(), [[0.5, 0.5, 0], [0.5, 0, 0.5]])


def test_max_tie_gradient_under_create_graph():
    x = leaf(np.array([1.0, 3.0, 3.0]))
    (g,) = ag.grad(x.amax() * x.sum(), x, create_graph=True)
    assert_allclose(g.detach().cpu().numpy(), [3.0, 3.0 + 7 * 0.5, 3.0 + 7 * 0.5])  # amax + sum * share
    assert ag.gradgradcheck(lambda t: t.amax() * t.sum(), (leaf(np.array([1.0, 3.0, 2.0])),))


@given(data=st.data())
def test_max_min_with_dim_return_values_and_indices(data):
    x, _, keepdim, _ = data.draw(case("distinct", min_dims=1))
    nd = x.ndim
    dim = data.draw(st.integers(-nd, nd - 1))
    for name, npv, npi in (("max", np.max, np.argmax), ("min", np.min, np.argmin)):
        res = getattr(leaf(x), name)(dim=dim, keepdim=keepdim)
        assert isinstance(res, ag.ValuesIndices) and isinstance(res, tuple)
        values, indices = res
        assert_array_equal(values.detach().cpu().numpy(), npv(x, axis=dim, keepdims=keepdim))
        assert_array_equal(indices.detach().cpu().numpy(), npi(x, axis=dim, keepdims=keepdim))
        assert indices.dtype == np.int64 and not indices.requires_grad
        assert values.requires_grad and res.values is values and res.indices is indices


def test_max_semantics_torch_whatever_the_spelling_numpy_through_numpy():
    x = leaf(np.array([[1.0, 5.0], [7.0, 2.0]]))
    for res in (x.max(1), x.max(axis=1), x.max(dim=1), ag.max(x, 1), ag.max(x, axis=1)):
        assert isinstance(res, ag.ValuesIndices)  # the trap: `_, pred = ag.max(out, 1)`
        assert_array_equal(res.values.detach().cpu().numpy(), [5.0, 7.0])
        assert_array_equal(res.indices.cpu().numpy(), [1, 0])
    _, pred = ag.max(x, 1)
    assert pred.dtype == np.int64 and pred.tolist() == [1, 0]
    _, pred = x.min(1)
    assert pred.tolist() == [0, 1]
    np_values = np.max(x, 1)  # NumPy's meaning: the values only
    assert isinstance(np_values, Tensor) and np_values.tolist() == [5.0, 7.0]
    with pytest.raises(TypeError, match="max: dim must be a single int"):
        x.max(dim=(0, 1))
    with pytest.raises(TypeError, match="keepdim=True needs a dim"):
        x.max(keepdim=True)
    assert isinstance(x.max(), Tensor)
    assert_array_equal(x.max(dim=0, keepdim=True).indices.data, [[1, 0]])
    other = Tensor(np.array([[3.0, 3.0], [3.0, 3.0]]))
    assert_array_equal(ag.max(x, other).detach().cpu().numpy(), [[3, 5], [7, 3]])
    assert_array_equal(x.min(other).detach().cpu().numpy(), [[1, 3], [3, 2]])
    assert_array_equal(ag.max(x, const(np.zeros((2, 2)))).detach().cpu().numpy(),
                       x.detach().cpu().numpy())


def test_max_dim_on_0d_tensor():
    res = ag.max(Tensor(np.array(2.5)), dim=0)
    assert res.values.item() == 2.5 and res.indices.item() == 0


# --------------------------------------------------------------------------- argmax/argmin
@given(data=st.data())
def test_argmax_argmin_match_numpy_int64_without_grad(data):
    x, _, keepdims, _ = data.draw(case("distinct"))
    axes = [None] + list(range(-x.ndim, x.ndim))
    axis = data.draw(st.sampled_from(axes))
    for fn, ref in ((ag.argmax, np.argmax), (ag.argmin, np.argmin)):
        t = leaf(x)
        got = fn(t, axis, keepdims) if x.ndim else fn(t)
        want = ref(x, axis=axis, keepdims=keepdims) if x.ndim else ref(x)
        assert got.dtype == np.int64 and not got.requires_grad and got.grad_fn is None
        assert_array_equal(got.detach().cpu().numpy(), want)
        assert_array_equal(getattr(t, fn.__name__)(dim=axis, keepdim=keepdims).data
                                      if x.ndim else got.detach().cpu().numpy(), got.detach().cpu().numpy())


def test_argmax_first_of_ties_and_errors():
    x = Tensor(np.array([[1.0, 3.0, 3.0]]))
    assert x.argmax().item() == 1
    assert x.argmin(dim=1).tolist() == [0]
    with pytest.raises(TypeError, match="argmax: dim must be a single int"):
        x.argmax(axis=(0, 1))
    with pytest.raises(ValueError, match="argmax: axis 2 is out of range"):
        x.argmax(axis=2)


# ---------------------------------------------------------------------------------- var/std
def test_var_std_default_correction_is_one_whatever_the_spelling():
    a = np.array([[1.0, 2.0, 4.0], [3.0, -1.0, 0.5]])
    x = Tensor(a)
    for fn, ref in ((ag.var, np.var), (ag.std, np.std)):
        name = fn.__name__
        m = getattr(x, name)
        assert_allclose(m().detach().cpu().numpy(), ref(a, ddof=1))  # bare: PyTorch
        assert_allclose(m(dim=1).detach().cpu().numpy(), ref(a, axis=1, ddof=1))  # dim=: PyTorch
        assert_allclose(m(dim=1, keepdim=True).detach().cpu().numpy(),
                                   ref(a, axis=1, ddof=1, keepdims=True))
        assert_allclose(m(axis=1).detach().cpu().numpy(), ref(a, axis=1, ddof=1))  # alias: same
        assert_allclose(m(1).detach().cpu().numpy(), ref(a, axis=1, ddof=1))  # the trap: x.var(1)
        assert_allclose(m(1, True).detach().cpu().numpy(), ref(a, axis=1, ddof=1))  # unbiased=True
        assert_allclose(m(1, False, True).detach().cpu().numpy(), ref(a, axis=1, keepdims=True))
        assert_allclose(m(keepdims=True).detach().cpu().numpy(), ref(a, ddof=1, keepdims=True))
        assert_allclose(fn(x, axis=0).detach().cpu().numpy(), ref(a, axis=0, ddof=1))
        assert_allclose(m(axis=1, ddof=0).detach().cpu().numpy(), ref(a, axis=1))  # ddof = correction
        assert_allclose(getattr(np, name)(x, 1).data, ref(a, axis=1))  # NumPy's ddof 0
        assert_allclose(m(dim=1, correction=0).detach().cpu().numpy(), ref(a, axis=1))
        assert_allclose(m(dim=1, unbiased=False).detach().cpu().numpy(), ref(a, axis=1))
        assert_allclose(m(axis=1, unbiased=True).detach().cpu().numpy(), ref(a, axis=1, ddof=1))
        assert_allclose(m(correction=2).detach().cpu().numpy(), ref(a, ddof=2))
        with pytest.raises(TypeError, match=f"{name}: pass only one of"):
            m(ddof=1, correction=1)
        with pytest.raises(TypeError, match=f"{name}: pass only one of"):
            m(dim=0, unbiased=True, correction=0)


def test_var_with_too_few_elements_is_inf_or_nan_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(ag.var(Tensor(np.array([2.0]))).item())  # 0 / 0, like torch
        assert ag.var(Tensor(np.array([1.0, 2.0])), correction=2).item() == np.inf
        x = leaf(np.array([1.0, 2.0]))
        x.std(ddof=3).backward()
    assert x.grad.shape == (2,)


def test_std_of_constant_group_has_zero_subgradient_not_nan():
    x = leaf(np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = x.std(dim=1)
        y.sum().backward()
    assert y.detach().cpu().numpy()[0] == 0.0
    assert_array_equal(x.grad.cpu().numpy()[0], [0.0, 0.0, 0.0])
    assert_allclose(x.grad.cpu().numpy()[1], [-0.5, 0.0, 0.5])


def test_var_of_integers_is_float64():
    y = ag.var(Tensor(np.array([1, 2, 3, 4])), axis=0, correction=0)
    assert y.dtype == np.float64 and y.item() == 1.25


# -------------------------------------------------------------------------------- logsumexp
def test_logsumexp_is_stable_for_large_values():
    x = leaf(np.array([[1000.0, 1000.0], [-1000.0, -1001.0]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = x.logsumexp(dim=1)
        y.sum().backward()
    assert_allclose(y.detach().cpu().numpy(), [1000 + np.log(2), -1000 + np.log1p(np.exp(-1.0))])
    assert_allclose(x.grad.cpu().numpy(), [[0.5, 0.5], [1 / (1 + np.exp(-1)),
                                                        np.exp(-1) / (1 + np.exp(-1))]])


def test_logsumexp_all_minus_inf_row_is_minus_inf_with_zero_gradient():
    x = leaf(np.array([[-np.inf, -np.inf], [0.0, -np.inf], [1.0, 2.0]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = ag.logsumexp(x, axis=1)
        y.sum().backward()
        (g,) = ag.grad(ag.logsumexp(x, axis=1).sum(), x, create_graph=True)
    assert_allclose(y.detach().cpu().numpy(), [-np.inf, 0.0, np.log(np.e + np.e ** 2)])
    sm = np.exp([1.0, 2.0]) / np.exp([1.0, 2.0]).sum()
    expected = [[0.0, 0.0], [1.0, 0.0], sm]
    assert_allclose(x.grad.cpu().numpy(), expected)
    assert_allclose(g.detach().cpu().numpy(), expected)


def test_logsumexp_of_integers_is_float64():
    y = ag.logsumexp(Tensor(np.array([0, 0])))
    assert y.dtype == np.float64 and y.item() == pytest.approx(np.log(2.0))


# ------------------------------------------------------------------------------------- norm
@pytest.mark.parametrize("p", [2, 1, np.inf, -np.inf, 3, 1.5, 0.5, "fro"])
def test_norm_at_zero_vector_has_zero_subgradient(p):
    x = leaf(np.zeros((2, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = x.norm(p)
        y.backward()
        y1 = x.norm(p, dim=1)
        y1.sum().backward()
    assert y.item() == 0.0
    assert_array_equal(x.grad.cpu().numpy(), np.zeros((2, 3)))


@pytest.mark.parametrize("p", [3, 1.5, 0.5])
def test_pnorm_with_some_zero_entries_is_finite(p):
    x = leaf(np.array([0.0, 3.0, -4.0]))
    v = np.array([1.0, 2.0, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = x.norm(p)
        y.backward()
        (g,) = ag.grad(x.norm(p), x, create_graph=True)
        (h,) = ag.grad((g * Tensor(v)).sum(), x)
    assert np.all(np.isfinite(x.grad.cpu().numpy())) and x.grad.cpu().numpy()[0] == 0.0
    assert_allclose(y.item(), (3.0 ** p + 4.0 ** p) ** (1 / p))
    # second derivatives: finite along the non-zero entries (central differences of v . grad);
    # along the zero entry d|x|**(p-1)/dx is inf for p < 2: nan there (docs/conventions.md)
    def vg(z):
        t = leaf(z)
        t.norm(p).backward()
        return float(v @ t.grad.cpu().numpy())
    eps = 1e-6
    for j in (1, 2):
        e = np.zeros(3)
        e[j] = eps
        num = (vg(x.detach().cpu().numpy() + e) - vg(x.detach().cpu().numpy() - e)) / (2 * eps)
        assert_allclose(h.detach().cpu().numpy()[j], num, rtol=1e-5)
    assert np.isfinite(h.detach().cpu().numpy()[0]) == (p >= 2)


def test_pnorm_does_not_overflow():
    x = leaf(np.array([1e200, 1e200]))
    y = ag.norm(x, 3)
    assert_allclose(y.item(), 2 ** (1 / 3) * 1e200)
    y.backward()
    assert_allclose(x.grad.cpu().numpy(), [2 ** (-2 / 3)] * 2)


def test_norm_ties_for_inf_share_the_gradient():
    x = leaf(np.array([-2.0, 2.0, 1.0]))
    x.norm(np.inf).backward()
    assert_array_equal(x.grad.cpu().numpy(), [-0.5, 0.5, 0.0])


def test_norm_of_integers_is_float64_and_bad_p_raises():
    assert ag.norm(Tensor(np.array([3, 4]))).item() == 5.0
    assert ag.norm(Tensor(np.array([3, 4])), 1).dtype == np.float64
    x = Tensor(np.ones(3))
    with pytest.raises(ValueError, match="norm: p must be"):
        x.norm(0)
    with pytest.raises(ValueError, match="norm: p must be"):
        x.norm(-1)
    with pytest.raises(ValueError, match="norm: unsupported p='nuc'"):
        x.norm("nuc")


# ------------------------------------------------------------------------------- arguments
@pytest.mark.parametrize("name", ["sum", "mean", "prod", "amax", "var", "logsumexp", "norm"])
def test_axis_errors_name_the_op(name):
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=f"{name}: axis 2 is out of range"):
        getattr(ag, name)(x, axis=2)
    with pytest.raises(ValueError, match=f"{name}: repeated axis"):
        getattr(ag, name)(x, axis=(1, -1))
    with pytest.raises(TypeError, match=f"{name}: pass either dim= or its alias axis="):
        getattr(ag, name)(x, axis=0, dim=0)


def test_0d_tensor_accepts_axis_0_and_minus_1():
    x = leaf(np.array(3.0))
    assert x.sum(dim=0).item() == 3.0 and x.mean(axis=-1).item() == 3.0
    with pytest.raises(ValueError, match="sum: axis 1"):
        x.sum(axis=1)


def test_sum_dtype_argument_and_integer_sums():
    x = leaf(np.array([0.5, 0.25], dtype=np.float32))
    y = ag.sum(x, dtype=np.float64)
    assert y.dtype == np.float64
    y.backward()
    assert x.grad.dtype == np.float32
    assert ag.sum(Tensor(np.array([True, True, False]))).item() == 2
    assert ag.mean(Tensor(np.array([1, 2]))).dtype == np.float64


def test_prod_third_derivative_runs_its_rules_on_tensors():
    # prod's second-derivative rule permutes with xp.transpose, which works on arrays and (via
    # __array_function__) on Tensors: differentiating it again records through the tape.
    # f = sum of row products: d3f / dx00 dx01 dx0j = x02 for j = 2, else 0
    x = leaf(np.array([[0.7, 1.3, 0.9], [1.1, 0.6, 1.4]]))
    (g,) = ag.grad(x.prod(1).sum(), x, create_graph=True)
    (h,) = ag.grad(g[0, 0], x, create_graph=True)
    assert_allclose(h.detach().cpu().numpy(), [[0.0, 0.9, 1.3], [0.0, 0.0, 0.0]])
    (k,) = ag.grad(h[0, 1], x)
    assert_allclose(k.cpu().numpy(), [[0.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
