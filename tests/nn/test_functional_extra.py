"""Issue 13's functional ops (padding, normalize, distances, interpolate, extra activations,
unfold/fold): gradients and second derivatives by central differences in float64 on hypothesis-
drawn shapes and layouts, PyTorch's kink conventions, equality with PyTorch (values and
gradients), and the error paths."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
import nn.functional as F
from autograd.testing import arrays_for, assert_allclose, assert_array_equal, assert_gradients_close


def _t(a):
    return ag.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


@st.composite
def _arrays(draw, min_dims=1, max_dims=3, min_side=1, max_side=4, lo=-3.0, hi=3.0):
    shape = draw(st.lists(st.integers(min_side, max_side), min_size=min_dims,
                          max_size=max_dims).map(tuple))
    return draw(arrays_for(shape, min_value=lo, max_value=hi))


def _check(fn, *arrays, gradgrad=True):
    """Central-difference gradcheck (and gradgradcheck) of ``fn`` on float64 copies."""
    assert_gradients_close(fn, *(np.array(a, dtype=np.float64) for a in arrays),
                           check_gradgrad=gradgrad)


def _torch_compare(fn_ag, fn_torch, *arrays, atol=1e-10, rtol=1e-9, seed=0):
    """Values and gradients (of a random weighting of the output) equal PyTorch's."""
    torch = pytest.importorskip("torch")
    ins = [_t(a) for a in arrays]
    tins = [torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out, tout = fn_ag(*ins), fn_torch(*tins)
    assert_allclose(out.detach().cpu().numpy(), tout.detach().cpu().numpy(), atol=atol, rtol=rtol)
    w = np.random.default_rng(seed).standard_normal(tout.shape)
    (out * ag.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    for a, b in zip(ins, tins, strict=True):
        assert_allclose(a.grad.cpu().numpy(), b.grad.cpu().numpy(), atol=atol, rtol=rtol)


# ------------------------------------------------------------------------------ activations
ACTS = {
    "logsigmoid": (F.logsigmoid, "logsigmoid"),
    "softsign": (F.softsign, "softsign"),
    "hardswish": (F.hardswish, "hardswish"),
    "hardsigmoid": (F.hardsigmoid, "hardsigmoid"),
    "softmin": (lambda x: F.softmin(x, dim=-1), None),
    "glu": (lambda x: F.glu(x, dim=-1), None),
}
# keep random draws off the kinks of the hard activations (tested exactly against PyTorch
# below) and off softsign's second-derivative kink at 0
OFF_KINKS = st.one_of(st.floats(-5, -3.05), st.floats(-2.95, -0.05), st.floats(0.05, 2.95),
                      st.floats(3.05, 5))


@pytest.mark.parametrize("name", sorted(ACTS))
@given(data=st.data())
def test_activation_gradients(name, data):
    fn = ACTS[name][0]
    shape = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple))
    if name == "glu":
        shape = (*shape[:-1], 2 * shape[-1])
    x = data.draw(arrays_for(shape, elements=OFF_KINKS))
    _check(fn, x)


@pytest.mark.parametrize("name", sorted(ACTS))
def test_activations_match_torch(name):
    torch = pytest.importorskip("torch")
    x = np.concatenate([np.linspace(-6, 6, 25), [-3.0, 3.0, 0.0, -40.0, 40.0]]).reshape(5, 6)
    tfn = {
        "softmin": lambda t: torch.nn.functional.softmin(t, dim=-1),
        "glu": lambda t: torch.nn.functional.glu(t, dim=-1),
    }.get(name) or getattr(torch.nn.functional, ACTS[name][1])
    # includes the kinks -3 and 3 exactly: PyTorch's subgradient conventions.  PyTorch's
    # hardsigmoid backward multiplies by the float32 constant 1/6 even in float64 (relative error
    # 3e-8); we use the exact 1/6, so that one case compares at float32 precision.
    rtol = 1e-7 if name == "hardsigmoid" else 1e-9
    _torch_compare(ACTS[name][0], tfn, x, rtol=rtol)


def test_activation_edge_cases_and_inplace():
    # logsigmoid keeps full precision far in the tails (no threshold cut-off)
    out = F.logsigmoid(ag.tensor([-800.0, 800.0, -30.0])).cpu().numpy()
    assert_allclose(out, [-800.0, -0.0, -30.0 - np.log1p(np.exp(-30.0))])
    # inplace=True writes into the input and returns it; the gradient is still right
    w = _t([-4.0, -1.0, 0.5, 4.0])
    x = w * 1.0
    y = F.hardswish(x, inplace=True)
    assert y is x
    y.sum().backward()
    assert_allclose(w.grad.cpu().numpy(), [0.0, -1 / 3 + 0.5, 0.5 / 3 + 0.5, 1.0])
    x = ag.tensor([0.0, 6.0])
    assert F.hardsigmoid(x, inplace=True) is x and x.tolist() == [0.5, 1.0]
    with pytest.raises(RuntimeError, match="even"):
        F.glu(ag.ones(3))
    with pytest.raises(RuntimeError, match="scalar"):
        F.glu(ag.tensor(1.0))


# ------------------------------------------------------------------------------------ pad
@st.composite
def _pad_cases(draw):
    mode = draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    k = draw(st.integers(1, 3 if mode != "constant" else 3))
    nd = k + draw(st.integers(1, 2))
    shape = tuple(draw(st.integers(2, 4)) for _ in range(nd))
    pad = []
    for i in range(k):
        n = shape[nd - 1 - i]
        lo_crop = -1 if n > 2 else 0
        a, b = draw(st.integers(lo_crop, n - 1)), draw(st.integers(lo_crop, n - 1))
        if mode != "constant" and a < 0 and b < 0:
            b = 0
        if mode == "reflect":  # amounts must stay below the cropped size
            rem = n + min(a, 0) + min(b, 0)
            a, b = min(a, rem - 1), min(b, rem - 1)
        pad += [a, b]
    x = draw(arrays_for(shape))
    return x, tuple(pad), mode


@given(_pad_cases())
def test_pad_gradients_and_torch(case):
    torch = pytest.importorskip("torch")
    x, pad, mode = case
    _check(lambda t: F.pad(t, pad, mode=mode), x)
    _torch_compare(lambda t: F.pad(t, pad, mode=mode),
                   lambda t: torch.nn.functional.pad(t, pad, mode=mode), x)


def test_pad_values_and_errors():
    x = ag.arange(6.0).reshape(1, 1, 6)
    assert F.pad(x, (-1, 2), mode="reflect").tolist() == [[[1.0, 2, 3, 4, 5, 4, 3]]]
    assert F.pad(x, (1, 1), value=-1.0).tolist()[0][0][:2] == [-1.0, 0.0]
    assert F.pad(x, (0, 0, 1, 0, 0, 1)).shape == (2, 2, 6)  # constant pads any dims
    with pytest.raises(ValueError, match="less than"):
        F.pad(x, (6, 0), mode="reflect")
    with pytest.raises(ValueError, match="more than once"):
        F.pad(x, (7, 0), mode="circular")
    with pytest.raises(NotImplementedError, match="pads the last"):
        F.pad(ag.arange(6.0), (1, 1), mode="reflect")
    with pytest.raises(ValueError, match="even"):
        F.pad(x, (1,))
    with pytest.raises(ValueError, match="mode"):
        F.pad(x, (1, 1), mode="edge")
    with pytest.raises(ValueError, match="crop"):
        F.pad(x, (-4, -3))


# ------------------------------------------------------------------ normalize / distances
@given(_arrays(min_dims=1, max_dims=3), st.sampled_from([1.0, 2.0, 3.0]))
def test_normalize_gradients(x, p):
    x = x + np.where(x >= 0, 0.2, -0.2)  # away from the zero vector's guarded denominator
    _check(lambda t: F.normalize(t, p=p, dim=-1), x)


@given(st.data())
def test_cosine_and_pairwise_gradients(data):
    a = data.draw(_arrays(min_dims=1, max_dims=3, min_side=2))
    b = data.draw(arrays_for(a.shape[-1:]))  # broadcasts against a
    _check(lambda u, v: F.cosine_similarity(u, v, dim=-1), a + 0.3, b - 0.3)
    _check(lambda u, v: F.pairwise_distance(u, v), a, b + 5.0)


def test_distances_match_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    a[0] = 1e-9  # the eps guards come into play
    b[1] = 0.0
    for p in (1.0, 2.0, 3.0):
        _torch_compare(lambda t: F.normalize(t, p=p, dim=1),
                       lambda t: tf.normalize(t, p=p, dim=1), a)
        _torch_compare(lambda u, v: F.pairwise_distance(u, v, p=p, keepdim=True),
                       lambda u, v: tf.pairwise_distance(u, v, p=p, keepdim=True), a, b)
    _torch_compare(lambda u, v: F.cosine_similarity(u, v, dim=1),
                   lambda u, v: tf.cosine_similarity(u, v, dim=1), a, b)
    _torch_compare(lambda u, v: F.cosine_similarity(u, v, dim=0, eps=0.5),
                   lambda u, v: tf.cosine_similarity(u, v, dim=0, eps=0.5), a * 0.1, b)
    _torch_compare(lambda u, v: F.cosine_similarity(u, v, dim=-1),
                   lambda u, v: tf.cosine_similarity(u, v, dim=-1), a, b[:1])
    with pytest.raises(ValueError, match="broadcast"):
        F.cosine_similarity(ag.ones(2, 3), ag.ones(2, 4))
    with pytest.raises(IndexError, match="dim"):
        F.normalize(ag.ones(2, 3), dim=2)


# ---------------------------------------------------------------------------- interpolate
INTERP = [
    ("nearest", 1, None), ("nearest", 2, None), ("nearest", 3, None),
    ("nearest-exact", 2, None),
    ("linear", 1, False), ("linear", 1, True), ("bilinear", 2, False), ("bilinear", 2, True),
    ("trilinear", 3, False), ("trilinear", 3, True), ("area", 1, None), ("area", 2, None),
]


@pytest.mark.parametrize("mode,d,align", INTERP)
@pytest.mark.parametrize("how", ["size", "scale"])
def test_interpolate_matches_torch(mode, d, align, how):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(d)
    in_sz = [3, 4, 2][:d]
    x = rng.standard_normal((2, 2, *in_sz))
    kw = {"size": [5, 3, 4][:d]} if how == "size" else {"scale_factor": [1.7, 2.0, 0.75][:d]}
    if align is not None:
        kw["align_corners"] = align
    _torch_compare(lambda t: F.interpolate(t, mode=mode, **kw),
                   lambda t: torch.nn.functional.interpolate(t, mode=mode, **kw), x)


@given(st.data())
def test_interpolate_gradients(data):
    mode, d, align = data.draw(st.sampled_from(INTERP))
    in_sz = tuple(data.draw(st.integers(1, 3)) for _ in range(d))
    out_sz = tuple(data.draw(st.integers(1, 4)) for _ in range(d))
    x = data.draw(arrays_for((1, 2, *in_sz)))
    kw = {} if align is None else {"align_corners": align}
    _check(lambda t: F.interpolate(t, size=out_sz, mode=mode, **kw), x)


def test_interpolate_errors():
    x = ag.ones(1, 1, 4)
    with pytest.raises(ValueError, match="exactly one"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="expects a 4-D"):
        F.interpolate(x, size=3, mode="bilinear")
    with pytest.raises(ValueError, match="align_corners"):
        F.interpolate(x, size=3, mode="nearest", align_corners=True)
    with pytest.raises(ValueError, match="not supported"):
        F.interpolate(x, size=3, mode="bicubic")
    with pytest.raises(ValueError, match="3-D, 4-D or 5-D"):
        F.interpolate(ag.ones(4), size=3)


# --------------------------------------------------------------------------- unfold / fold
@st.composite
def _fold_cases(draw):
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dil = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    pad = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    size = tuple(dil[i] * (k[i] - 1) + 1 - 2 * pad[i] + draw(st.integers(0, 3)) for i in range(2))
    size = tuple(max(s, 1) for s in size)
    eff = [dil[i] * (k[i] - 1) + 1 for i in range(2)]
    if any(size[i] + 2 * pad[i] < eff[i] for i in range(2)):
        size = tuple(max(size[i], eff[i]) for i in range(2))
    batch = draw(st.sampled_from([(), (2,)]))
    x = draw(arrays_for((*batch, draw(st.integers(1, 2)), *size)))
    return x, {"kernel_size": k, "dilation": dil, "padding": pad, "stride": stride}


@given(_fold_cases())
def test_unfold_fold_gradients_and_torch(case):
    torch = pytest.importorskip("torch")
    x, kw = case
    _check(lambda t: F.unfold(t, **kw), x)
    _torch_compare(lambda t: F.unfold(t, **kw), lambda t: torch.nn.functional.unfold(t, **kw), x)
    cols = F.unfold(ag.tensor(x), **kw).cpu().numpy()
    size = x.shape[-2:]
    _check(lambda t: F.fold(t, size, **kw), cols)
    _torch_compare(lambda t: F.fold(t, size, **kw),
                   lambda t: torch.nn.functional.fold(t, size, **kw), cols)


def test_fold_errors():
    with pytest.raises(ValueError, match="divisible"):
        F.fold(ag.ones(1, 5, 4), 3, 2)
    with pytest.raises(ValueError, match="sliding blocks"):
        F.fold(ag.ones(1, 4, 5), 3, 2)
    with pytest.raises(ValueError, match="does not fit"):
        F.unfold(ag.ones(1, 1, 2, 2), 3)
    with pytest.raises(ValueError, match="4-D"):
        F.unfold(ag.ones(2, 2), 1)


def test_empty_and_zero_d_inputs():
    """Size-0 batches flow through (zero-size gradients); 0-d inputs where PyTorch takes them."""
    empty = ag.zeros(0, 3, requires_grad=True)
    fns = [F.logsigmoid, F.softsign, F.hardswish, F.hardsigmoid, lambda t: F.softmin(t, -1),
           lambda t: F.normalize(t, dim=1), lambda t: F.pad(t, (1, 1)),
           lambda t: F.cosine_similarity(t, t), lambda t: F.pairwise_distance(t, t)]
    for fn in fns:
        fn(empty).sum().backward()
        assert empty.grad.shape == (0, 3)
    assert F.glu(ag.zeros(0, 4)).shape == (0, 2)
    assert F.interpolate(ag.zeros(0, 2, 3), size=5, mode="linear").shape == (0, 2, 5)
    assert F.unfold(ag.zeros(0, 2, 3, 3), 2).shape == (0, 8, 4)
    assert F.fold(ag.zeros(0, 8, 4), 3, 2).shape == (0, 2, 3, 3)
    s = ag.tensor(2.0, requires_grad=True)
    for fn, value, grad in [(F.softsign, 2 / 3, 1 / 9), (F.hardswish, 5 / 3, 2 / 3 + 0.5),
                            (F.logsigmoid, -np.log1p(np.exp(-2.0)), 1 / (1 + np.exp(2.0)))]:
        s.grad = None
        y = fn(s)
        y.backward()
        assert y.shape == () and y.item() == pytest.approx(value)
        assert s.grad.item() == pytest.approx(grad)
    # attention over zero keys: zero output (every row is fully masked), like PyTorch 2.x
    out = F.scaled_dot_product_attention(ag.ones(2, 3, 4), ag.zeros(2, 0, 4), ag.zeros(2, 0, 4))
    assert out.shape == (2, 3, 4) and not out.cpu().numpy().any()


@given(st.data())
def test_take_axis_and_its_scatter_adjoint(data):
    """The gather/scatter-add primitive pair behind padding and resampling: any index vector
    (repeats, gaps, empty), any axis; gradients and second derivatives by central differences,
    forward equal to NumPy's ``take`` and ``add.at``."""
    from nn.functional._take import _scatter, index_module, take_axis

    x = data.draw(_arrays(min_dims=1, max_dims=3))
    axis = data.draw(st.integers(0, x.ndim - 1))
    n = x.shape[axis]
    idx = np.array(data.draw(st.lists(st.integers(0, n - 1), max_size=6)), dtype=np.intp)
    xt = ag.tensor(x)
    di = index_module(xt).asarray(idx)  # index vectors live on the data's device
    out = take_axis(xt, di, axis)
    assert_array_equal(out.cpu().numpy(), np.take(x, idx, axis=axis))
    _check(lambda t: take_axis(t, di, axis), x)
    g = np.random.default_rng(0).standard_normal(out.shape)
    ref = np.zeros(x.shape)
    np.add.at(ref, (slice(None),) * axis + (idx,), g)
    assert_allclose(_scatter(ag.tensor(g), idx=di, axis=axis, n=n).cpu().numpy(), ref)
    if g.size:
        _check(lambda t: _scatter(t, idx=di, axis=axis, n=n), g)
