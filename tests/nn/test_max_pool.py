"""Max pooling's tap loop against a direct Python-loop definition: values, first-max tie
routing, indices, gradients (also accumulated across overlapping windows), padding, dilation,
ceil mode, NaN/-inf, non-contiguous inputs, float32, and second order through ties."""

import itertools

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd as ag
import nn.functional as F
from autograd.testing import assert_array_equal
from nn.functional import pooling as P

POOLS = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}


def out_len(s, k, st_, p, dl, ceil):
    """PyTorch's output length (ceil mode: the last window must start inside input or left pad)."""
    span = s + 2 * p - dl * (k - 1) - 1
    n = (-(-span // st_) if ceil else span // st_) + 1
    if ceil and (n - 1) * st_ >= s + p:
        n -= 1
    return n


def ref_max_pool(x, g, ks, stride, padding, dilation, ceil):
    """Direct definition over every window: the taps inside the input, in row-major kernel order;
    the first maximum wins (a NaN beats everything, the first NaN wins).  Returns the pooled
    values, the flat in-plane index of each winner (-1: window without taps inside the input)
    and the gradient ``g`` (unless None) sent to the winners, added in row-major window order."""
    d = len(ks)
    sp = x.shape[-d:]
    lead = x.shape[:-d]
    osp = tuple(out_len(*a, ceil) for a in zip(sp, ks, stride, padding, dilation))
    out = np.full(lead + osp, -np.inf, dtype=x.dtype)
    idx = np.full(lead + osp, -1, dtype=np.int64)
    gx = np.zeros(x.shape, dtype=x.dtype)
    for li in itertools.product(*(range(s) for s in lead)):
        for o in itertools.product(*(range(s) for s in osp)):
            best = None
            for t in itertools.product(*(range(k) for k in ks)):
                pos = tuple(o[i] * stride[i] + t[i] * dilation[i] - padding[i] for i in range(d))
                if not all(0 <= pos[i] < sp[i] for i in range(d)):
                    continue
                v = x[li + pos]
                if best is None or (not np.isnan(out[li + o]) and (v > out[li + o]
                                                                    or np.isnan(v))):
                    best = pos
                    out[li + o] = v
            if best is not None:
                idx[li + o] = np.ravel_multi_index(best, sp)
                if g is not None:
                    gx[li + best] += g[li + o]
    return out, idx, gx


@st.composite
def pool_cases(draw):
    d = draw(st.integers(1, 3))
    ks = tuple(draw(st.integers(1, 3)) for _ in range(d))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(d))
    padding = tuple(draw(st.integers(0, k // 2)) for k in ks)
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(d))
    ceil = draw(st.booleans())
    small = d == 3
    sp = tuple(
        draw(st.integers(max(1, dl * (k - 1) + 1 - 2 * p), dl * (k - 1) + (2 if small else 4)))
        for k, p, dl in zip(ks, padding, dilation, strict=True)
    )
    lead = (draw(st.integers(0, 2)), draw(st.integers(1, 2)))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    ties = draw(st.booleans())
    shape = lead + sp
    x = (rng.integers(-2, 3, shape) if ties else rng.standard_normal(shape)).astype(dtype)
    specials = draw(st.sampled_from([None, np.nan, -np.inf, np.inf]))
    if specials is not None:
        x[rng.random(shape) < 0.25] = specials
    return x, ks, stride, padding, dilation, ceil, rng


def _non_contiguous(x):
    """The same values in a layout whose last axis is strided and the lead axes swapped."""
    y = np.empty(x.shape[:-1] + (2 * x.shape[-1],), dtype=x.dtype)[..., ::2]
    y[...] = x
    return np.swapaxes(np.swapaxes(y, 0, 1).copy(), 0, 1)


@given(case=pool_cases(), contiguous=st.booleans())
def test_max_pool_matches_direct_definition(case, contiguous):
    x, ks, stride, padding, dilation, ceil, rng = case
    if not contiguous:
        x = _non_contiguous(x)
    d = len(ks)
    fn = POOLS[d]
    kw = dict(kernel_size=ks, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil)
    t = ag.tensor(x, requires_grad=True)
    y, idx = fn(t, return_indices=True, **kw)
    g = rng.standard_normal(y.shape).astype(x.dtype)
    ref_y, ref_idx, ref_gx = ref_max_pool(x, g, ks, stride, padding, dilation, ceil)
    assert y.dtype == x.dtype
    assert_array_equal(y.detach().cpu().numpy(), ref_y)  # NaNs compare equal here
    has_tap = ref_idx >= 0  # windows with a tap inside the input (always, without dilation)
    assert_array_equal(idx.detach().cpu().numpy()[has_tap], ref_idx[has_tap])
    y.backward(ag.tensor(g))
    assert t.grad.dtype == x.dtype
    # the same terms added in the same order: exact, in float32 too
    assert_array_equal(t.grad.cpu().numpy(), ref_gx)


@given(case=pool_cases())
def test_max_pool_gradcheck_padding_dilation_overlap(case):
    x0, ks, stride, padding, dilation, ceil, rng = case
    d = len(ks)
    sp = x0.shape[-d:]
    idx = ref_max_pool(np.zeros((1, 1) + sp), None, ks, stride, padding, dilation, ceil)[1]
    # a window with no tap inside the input is -inf: no finite differences there
    assume((idx >= 0).all())
    # distinct values: the max is differentiable (kept away from ties, the kinks)
    x = rng.permutation(2 * int(np.prod(sp))).reshape((1, 2) + sp) * 0.1
    kw = dict(kernel_size=ks, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil)
    fn = POOLS[d]
    assert ag.gradcheck(lambda a: fn(a, **kw), (ag.tensor(x, requires_grad=True),), eps=1e-4)
    if d < 3:
        assert ag.gradgradcheck(lambda a: fn(a, **kw), (ag.tensor(x, requires_grad=True),),
                                eps=1e-4)


def test_ties_go_to_the_first_maximum_in_kernel_order():
    x = ag.tensor(np.array([[[[1.0, 3.0, 3.0], [3.0, 0.0, 3.0], [3.0, 3.0, 2.0]]]]),
                  requires_grad=True)
    y = F.max_pool2d(x, 2, 1)  # four overlapping windows, each with tied maxima 3
    y.backward(ag.tensor(np.array([[[[1.0, 10.0], [100.0, 1000.0]]]])))
    # windows (0,0) and (0,1) pick (0,1); (1,0) picks (1,0); (1,1) picks (1,2)
    assert_array_equal(x.grad.cpu().numpy()[0, 0],
                                  [[0, 11, 0], [100, 0, 1000], [0, 0, 0]])


def test_nan_is_selected_at_its_first_occurrence():
    x = ag.tensor(np.array([[[1.0, np.nan, 5.0, np.nan, 2.0]]]), requires_grad=True)
    y, idx = F.max_pool1d(x, 3, 2, return_indices=True)
    assert np.isnan(y.detach().cpu().numpy()).all()
    assert_array_equal(idx.detach().cpu().numpy(), [[[1, 3]]])
    y.sum().backward()
    assert_array_equal(x.grad.cpu().numpy(), [[[0, 1, 0, 1, 0]]])


def test_minus_inf_windows_pick_a_real_element_not_padding():
    # every real value -inf: padding never wins, the first real tap does (PyTorch too)
    x = ag.tensor(np.full((1, 1, 3, 3), -np.inf), requires_grad=True)
    y, idx = F.max_pool2d(x, 3, 2, 1, return_indices=True)
    assert_array_equal(idx.detach().cpu().numpy()[0, 0], [[0, 1], [3, 4]])
    y.sum().backward()
    assert x.grad.cpu().numpy().sum() == 4.0
    assert_array_equal(x.grad.cpu().numpy()[0, 0], [[1, 1, 0], [1, 1, 0], [0, 0, 0]])


def test_minus_inf_and_padding_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    for kw in [dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=(3, 2), stride=1,
               padding=(1, 1), dilation=(1, 2)), dict(kernel_size=2, stride=2, padding=1,
                                                      ceil_mode=True)]:
        x = rng.integers(-1, 2, (2, 2, 5, 6)).astype(float)
        x[rng.random(x.shape) < 0.5] = -np.inf
        t, tx = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, idx = F.max_pool2d(t, return_indices=True, **kw)
        ty, tidx = torch.nn.functional.max_pool2d(tx, return_indices=True, **kw)
        assert_array_equal(y.detach().cpu().numpy(), ty.detach().cpu().numpy())
        assert_array_equal(idx.detach().cpu().numpy(), tidx.cpu().numpy())
        g = rng.standard_normal(y.shape)
        y.backward(ag.tensor(g))
        ty.backward(torch.tensor(g))
        assert_array_equal(t.grad.cpu().numpy(), tx.grad.cpu().numpy())


def test_second_order_through_ties_gathers_at_the_first_maximum():
    """d/dg of <grad_x, v> is v read at each window's winner: the gather primitive, on ties."""
    rng = np.random.default_rng(12)
    x = ag.tensor(rng.integers(0, 2, (2, 3, 5, 5)).astype(float), requires_grad=True)
    kw = dict(kernel_size=3, stride=1, padding=1)
    y = F.max_pool2d(x, **kw)
    g = ag.tensor(rng.standard_normal(y.shape), requires_grad=True)
    (gx,) = ag.grad(y, x, g, create_graph=True)
    v = rng.standard_normal(x.shape)
    (gg,) = ag.grad(gx, g, ag.tensor(v))
    _, idx, _ = ref_max_pool(x.detach().cpu().numpy(), None, (3, 3), (1, 1), (1, 1), (1, 1), False)
    expect = np.take_along_axis(v.reshape(2, 3, -1), idx.reshape(2, 3, -1), 2).reshape(y.shape)
    assert_array_equal(gg.detach().cpu().numpy(), expect)
    # and the scatter and gather primitives are adjoint: <scatter(g), v> == <g, gather(v)>
    p = dict(ks=(3, 3), stride=(1, 1), pads=((1, 1), (1, 1)), dilation=(1, 1))
    gd = g.detach().cpu().numpy()
    lhs = (P._max_pool_scatter_fwd(gd, x.detach().cpu().numpy(), **p) * v).sum()
    rhs = (gd * P._max_pool_gather_fwd(v, x.detach().cpu().numpy(), **p)).sum()
    assert lhs == pytest.approx(rhs, rel=1e-12)


def test_signed_zeros_nan_and_inf_gradients_stay_where_they_belong():
    x = ag.tensor(np.arange(8.0).reshape(1, 1, 8), requires_grad=True)
    y = F.max_pool1d(x, 2)
    y.backward(ag.tensor(np.array([[[np.nan, -0.0, np.inf, -2.0]]])))
    got = x.grad.cpu().numpy()[0, 0]
    # unselected positions are +0.0, never NaN or -0.0 (a plain g * mask would give those)
    assert_array_equal(np.signbit(got[[0, 2, 4, 6]]), False)
    assert_array_equal(got[[0, 2, 4, 6]], 0.0)
    assert np.isnan(got[1]) and got[3] == 0.0 and got[5] == np.inf and got[7] == -2.0


def test_empty_batch_float32_and_broadcast_gradient():
    x = ag.tensor(np.zeros((0, 3, 4, 4), dtype=np.float32), requires_grad=True)
    y = F.max_pool2d(x, 2)
    assert y.shape == (0, 3, 2, 2) and y.dtype == np.float32
    y.sum().backward()
    assert x.grad.shape == (0, 3, 4, 4) and x.grad.dtype == np.float32
    x = ag.tensor(np.random.default_rng(0).standard_normal((2, 2, 6, 6)).astype(np.float32),
                  requires_grad=True)
    F.max_pool2d(x, 3, 1).sum().backward()  # the seed arrives as a broadcast array
    ref = ref_max_pool(x.detach().cpu().numpy(), np.ones((2, 2, 4, 4), np.float32), (3, 3), (1, 1), (0, 0),
                       (1, 1), False)[2]
    assert_array_equal(x.grad.cpu().numpy(), ref)


def test_large_kernel_indices():
    rng = np.random.default_rng(13)
    x = rng.permutation(2 * 17 * 19).reshape(1, 2, 17, 19).astype(float)  # 289 taps > 255
    y, idx = F.max_pool2d(ag.tensor(x), 17, 1, return_indices=True)
    ref_y, ref_idx, _ = ref_max_pool(x, None, (17, 17), (1, 1), (0, 0), (1, 1),
                                     False)
    assert_array_equal(y.detach().cpu().numpy(), ref_y)
    assert_array_equal(idx.detach().cpu().numpy(), ref_idx)


def test_direct_reference_agrees_with_the_window_list_reference():
    """Ties the reference above to the older window-list one (no dilation, no ceil mode)."""
    from tests.nn.test_conv_pool import ref_pool

    rng = np.random.default_rng(14)
    x = rng.standard_normal((2, 2, 5, 6))
    ref = ref_max_pool(x, None, (3, 2), (2, 2), (1, 1), (1, 1), False)[0]
    assert_array_equal(ref, ref_pool(x, (3, 2), (2, 2), (1, 1), max, -np.inf))
