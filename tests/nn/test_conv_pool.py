"""Convolution and pooling: naive Python-loop references, gradchecks, second order, errors."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
import nn
import nn.functional as F
from autograd.testing import assert_allclose, assert_array_equal


# ---------------------------------------------------------------------- naive references
def ref_conv(x, w, b, stride, padding, dilation, groups):
    """Direct definition: out[n, o, p...] = b[o] + sum_{c, k} x_pad[n, g*Cg + c, p*s + k*d] w[o, c, k]."""
    d = x.ndim - 2
    xp_ = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in padding])
    n, cin = x.shape[:2]
    cout, cg = w.shape[:2]
    ks = w.shape[2:]
    out_sp = [(xp_.shape[2 + i] - dilation[i] * (ks[i] - 1) - 1) // stride[i] + 1 for i in range(d)]
    og = cout // groups
    out = np.zeros((n, cout, *out_sp))
    for nn_, o in itertools.product(range(n), range(cout)):
        g = o // og
        for pos in itertools.product(*(range(s) for s in out_sp)):
            acc = 0.0 if b is None else b[o]
            for c in range(cg):
                for k in itertools.product(*(range(kk) for kk in ks)):
                    idx = tuple(pos[i] * stride[i] + k[i] * dilation[i] for i in range(d))
                    acc += xp_[(nn_, g * cg + c) + idx] * w[(o, c) + k]
            out[(nn_, o) + pos] = acc
    return out


def ref_pool(x, ks, stride, padding, reducer, pad_value):
    """Windows of the padded input (no ceil mode), reduced by ``reducer`` over the window list."""
    d = len(ks)
    xp_ = np.pad(x, [(0, 0)] * (x.ndim - d) + [(p, p) for p in padding],
                 constant_values=pad_value)
    out_sp = [(xp_.shape[-d + i] - ks[i]) // stride[i] + 1 for i in range(d)]
    lead = x.shape[:-d]
    out = np.zeros(lead + tuple(out_sp))
    for li in itertools.product(*(range(s) for s in lead)):
        for pos in itertools.product(*(range(s) for s in out_sp)):
            vals = [xp_[li + tuple(pos[i] * stride[i] + k[i] for i in range(d))]
                    for k in itertools.product(*(range(kk) for kk in ks))]
            out[li + pos] = reducer(vals)
    return out


@st.composite
def conv_cases(draw, d):
    groups = draw(st.sampled_from([1, 1, 2]))
    cg = draw(st.integers(1, 2))
    og = draw(st.integers(1, 2))
    n = draw(st.integers(1, 2))
    ks = tuple(draw(st.integers(1, 3)) for _ in range(d))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(d))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(d))
    padding = tuple(draw(st.integers(0, 1)) for _ in range(d))
    sp = tuple(
        draw(st.integers(max(1, dl * (k - 1) + 1 - 2 * p), max(1, dl * (k - 1) + 1 - 2 * p) + 3))
        for k, dl, p in zip(ks, dilation, padding)
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((n, cg * groups) + sp)
    w = rng.standard_normal((og * groups, cg) + ks)
    b = rng.standard_normal(og * groups) if draw(st.booleans()) else None
    return x, w, b, stride, padding, dilation, groups


@pytest.mark.parametrize("d", [1, 2])
@given(data=st.data())
def test_conv_matches_naive_loops_and_gradcheck(d, data):
    x, w, b, stride, padding, dilation, groups = data.draw(conv_cases(d))
    fn = F.conv1d if d == 1 else F.conv2d
    args = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    y = fn(ag.tensor(x), ag.tensor(w), None if b is None else ag.tensor(b), **args)
    assert_allclose(y.detach().cpu().numpy(), ref_conv(x, w, b, stride, padding, dilation, groups),
                               rtol=1e-10, atol=1e-10)
    ins = [ag.tensor(x, requires_grad=True), ag.tensor(w, requires_grad=True)]
    if b is not None:
        ins.append(ag.tensor(b, requires_grad=True))
    assert ag.gradcheck(lambda *t: fn(*t, **args), tuple(ins))


def test_conv3d_matches_naive_loops():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 2, 4, 3, 5))
    w = rng.standard_normal((2, 1, 2, 1, 3))
    b = rng.standard_normal(2)
    args = dict(stride=(1, 2, 1), padding=(1, 0, 1), dilation=(2, 1, 1), groups=2)
    y = F.conv3d(ag.tensor(x), ag.tensor(w), ag.tensor(b), **args)
    assert_allclose(y.detach().cpu().numpy(), ref_conv(x, w, b, (1, 2, 1), (1, 0, 1), (2, 1, 1), 2),
                               rtol=1e-10, atol=1e-10)


def test_conv_double_backward():
    rng = np.random.default_rng(1)
    x = ag.tensor(rng.standard_normal((2, 2, 4, 3)), requires_grad=True)
    w = ag.tensor(rng.standard_normal((4, 1, 2, 2)), requires_grad=True)
    b = ag.tensor(rng.standard_normal(4), requires_grad=True)
    f = lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2)
    assert ag.gradgradcheck(f, (x, w, b))


def test_conv_padding_same_and_valid():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 1, 5, 6))
    w = rng.standard_normal((1, 1, 2, 3))  # even kernel: the extra zero goes on the right
    y = F.conv2d(ag.tensor(x), ag.tensor(w), padding="same")
    assert y.shape == (1, 1, 5, 6)
    xpad = np.pad(x, [(0, 0), (0, 0), (0, 1), (1, 1)])
    assert_allclose(y.detach().cpu().numpy(), ref_conv(xpad, w, None, (1, 1), (0, 0), (1, 1), 1))
    assert F.conv2d(ag.tensor(x), ag.tensor(w), padding="valid").shape == (1, 1, 4, 4)
    with pytest.raises(ValueError, match="strided"):
        F.conv2d(ag.tensor(x), ag.tensor(w), padding="same", stride=2)


def test_conv_unbatched_and_non_contiguous():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 4, 2)).transpose(2, 1, 0)  # (2, 4, 5), F-ordered view
    w = rng.standard_normal((3, 2, 2, 2))
    y = F.conv2d(ag.tensor(x), ag.tensor(w))
    assert y.shape == (3, 3, 4)
    assert_allclose(y.detach().cpu().numpy(), ref_conv(x[None], w, None, (1, 1), (0, 0), (1, 1), 1)[0])
    xt = ag.Tensor(x, requires_grad=True)
    assert ag.gradcheck(lambda t: F.conv2d(t, ag.tensor(w)), (xt,))


def test_conv_float32_stays_float32():
    x = ag.randn(2, 3, 6, 6, dtype="float32")
    conv = nn.Conv2d(3, 4, 3, dtype="float32")
    y = conv(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert conv.weight.grad.dtype == np.float32


def test_conv_errors():
    x = ag.ones(1, 3, 5, 5)
    with pytest.raises(ValueError, match="expected input with 4 channels"):
        F.conv2d(x, ag.ones(2, 2, 3, 3), groups=2)
    with pytest.raises(ValueError, match="weight must have 4 dimensions"):
        F.conv2d(x, ag.ones(2, 3, 3))
    with pytest.raises(ValueError, match="expected 3-D .* or 4-D"):
        F.conv2d(ag.ones(5, 5), ag.ones(2, 3, 3, 3))
    with pytest.raises(ValueError, match="larger than the padded input"):
        F.conv2d(x, ag.ones(1, 3, 7, 7))
    with pytest.raises(ValueError, match="bias must have shape"):
        F.conv2d(x, ag.ones(2, 3, 3, 3), ag.ones(3))
    with pytest.raises(ValueError, match="stride must be >= 1"):
        F.conv2d(x, ag.ones(2, 3, 3, 3), stride=0)
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)


@pytest.mark.parametrize("d", [1, 2])
@given(data=st.data())
def test_pools_match_naive_loops_and_gradcheck(d, data):
    ks = tuple(data.draw(st.integers(1, 3)) for _ in range(d))
    stride = tuple(data.draw(st.integers(1, 3)) for _ in range(d))
    padding = tuple(data.draw(st.integers(0, k // 2)) for k in ks)
    sp = tuple(data.draw(st.integers(k, k + 3)) for k in ks)
    n, c = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    # distinct values: no ties, so the max is differentiable (kept away from kinks)
    x = rng.permutation(n * c * int(np.prod(sp))).reshape((n, c) + sp) * 0.1
    maxf = F.max_pool1d if d == 1 else F.max_pool2d
    avgf = F.avg_pool1d if d == 1 else F.avg_pool2d
    ym = maxf(ag.tensor(x), ks, stride, padding)
    assert_array_equal(ym.detach().cpu().numpy(), ref_pool(x, ks, stride, padding, max, -np.inf))
    ya = avgf(ag.tensor(x), ks, stride, padding)
    assert_allclose(ya.detach().cpu().numpy(), ref_pool(x, ks, stride, padding, np.mean, 0.0),
                               rtol=1e-12, atol=1e-12)
    ya2 = avgf(ag.tensor(x), ks, stride, padding, count_include_pad=False)
    cnt = ref_pool(np.ones_like(x), ks, stride, padding, np.sum, 0.0)
    assert_allclose(ya2.detach().cpu().numpy(), ref_pool(x, ks, stride, padding, np.sum, 0.0) / cnt,
                               rtol=1e-12, atol=1e-12)
    t = ag.tensor(x, requires_grad=True)
    assert ag.gradcheck(lambda t: maxf(t, ks, stride, padding), (t,), eps=1e-4)
    assert ag.gradcheck(lambda t: avgf(t, ks, stride, padding), (t,))


def test_pool_double_backward():
    rng = np.random.default_rng(4)
    x = ag.tensor(rng.permutation(60).reshape(1, 3, 4, 5) * 0.1, requires_grad=True)
    assert ag.gradgradcheck(lambda t: F.max_pool2d(t, 3, 2, 1), (x,), eps=1e-4)
    assert ag.gradgradcheck(lambda t: F.avg_pool2d(t, 2, 1, 1, ceil_mode=True), (x,))
    assert ag.gradgradcheck(lambda t: F.adaptive_avg_pool2d(t, (3, 2)), (x,))


def test_max_pool_ties_route_gradient_once():
    x = ag.ones(1, 1, 2, 2, requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    assert x.grad.cpu().numpy().sum() == 1.0  # one winner per window, like PyTorch


def test_max_pool_dilation_and_indices():
    rng = np.random.default_rng(5)
    x = rng.permutation(49).reshape(1, 1, 7, 7).astype(float)
    y, idx = F.max_pool2d(ag.tensor(x), 2, 2, 0, dilation=2, return_indices=True)
    for i in range(y.shape[2]):
        for j in range(y.shape[3]):
            win = x[0, 0, 2 * i:2 * i + 3:2, 2 * j:2 * j + 3:2]
            assert y.detach().cpu().numpy()[0, 0, i, j] == win.max()
            assert x.reshape(-1)[idx.detach().cpu().numpy()[0, 0, i, j]] == win.max()


def test_ceil_mode_and_adaptive_against_torch():
    torch = pytest.importorskip("torch")
    TF = torch.nn.functional
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 7, 9))
    for kw in [dict(kernel_size=3, stride=2, ceil_mode=True),
               dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
               dict(kernel_size=(2, 3), stride=(3, 2), padding=(1, 1), ceil_mode=True)]:
        tx = torch.tensor(x, requires_grad=True)
        t = ag.tensor(x, requires_grad=True)
        for ours, theirs in [(F.max_pool2d, TF.max_pool2d), (F.avg_pool2d, TF.avg_pool2d)]:
            y, ty = ours(t, **kw), theirs(tx, **kw)
            assert_allclose(y.detach().cpu().numpy(), ty.detach().cpu().numpy(), rtol=1e-12, atol=1e-12)
            g = rng.standard_normal(ty.shape)
            t.grad = None
            tx.grad = None
            y.backward(ag.tensor(g))
            ty.backward(torch.tensor(g))
            assert_allclose(t.grad.cpu().numpy(), tx.grad.cpu().numpy(), rtol=1e-12, atol=1e-12)
    for out in [1, (3, 4), (5, 2), (None, 4)]:
        assert_allclose(F.adaptive_avg_pool2d(ag.tensor(x), out).data,
                                   TF.adaptive_avg_pool2d(torch.tensor(x), out).cpu().numpy(),
                                   rtol=1e-12, atol=1e-12)


def test_pool_modules_and_errors():
    x = ag.randn(2, 3, 8, 8)
    assert nn.MaxPool2d(2)(x).shape == (2, 3, 4, 4)
    assert nn.AvgPool2d(3, 1, 1)(x).shape == (2, 3, 8, 8)
    assert nn.AdaptiveAvgPool2d(1)(x).shape == (2, 3, 1, 1)
    assert nn.MaxPool1d(2)(ag.randn(2, 3, 8)).shape == (2, 3, 4)
    assert nn.AvgPool1d(4)(ag.randn(2, 3, 8)).shape == (2, 3, 2)
    assert nn.AdaptiveAvgPool1d(3)(ag.randn(2, 3, 8)).shape == (2, 3, 3)
    assert_allclose(nn.AdaptiveAvgPool2d(1)(x).data[..., 0, 0], x.detach().cpu().numpy().mean((2, 3)))
    with pytest.raises(ValueError, match="at most half"):
        F.max_pool2d(x, 2, padding=2)
    with pytest.raises(ValueError, match="expected 3-D .* or 4-D"):
        F.max_pool2d(ag.randn(8), 2)
    with pytest.raises(ValueError, match="larger than the padded input"):
        F.avg_pool2d(ag.randn(1, 1, 2, 2), 3)
    with pytest.raises(TypeError, match="floating"):
        F.max_pool2d(ag.tensor(np.ones((1, 1, 2, 2), dtype=np.int64)), 2)


# ------------------------------------------------------------------- transposed convolution
def ref_conv_transpose(x, w, b, stride, padding, output_padding, dilation, groups):
    """Scatter definition: every input pixel adds w * x into the (padded) output."""
    d = x.ndim - 2
    n, cin = x.shape[:2]
    cg_out = w.shape[1]
    ks = w.shape[2:]
    cin_g = cin // groups
    out_sp = [(x.shape[2 + i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (ks[i] - 1)
              + output_padding[i] + 1 for i in range(d)]
    full = np.zeros((n, cg_out * groups) + tuple(o + 2 * p for o, p in zip(out_sp, padding)))
    for nn_, c in itertools.product(range(n), range(cin)):
        g = c // cin_g
        for pos in itertools.product(*(range(s) for s in x.shape[2:])):
            for oc in range(cg_out):
                for k in itertools.product(*(range(kk) for kk in ks)):
                    idx = tuple(pos[i] * stride[i] + k[i] * dilation[i] for i in range(d))
                    full[(nn_, g * cg_out + oc) + idx] += x[(nn_, c) + pos] * w[(c, oc) + k]
    out = full[(slice(None), slice(None)) + tuple(slice(p, p + o)
                                                  for p, o in zip(padding, out_sp))]
    if b is not None:
        out = out + b.reshape((-1,) + (1,) * d)
    return out


@given(data=st.data())
def test_conv_transpose_matches_naive_and_gradcheck(data):
    d = data.draw(st.sampled_from([1, 2]))
    groups = data.draw(st.sampled_from([1, 2]))
    cin, cout = groups * data.draw(st.integers(1, 2)), groups * data.draw(st.integers(1, 2))
    ks = tuple(data.draw(st.integers(1, 3)) for _ in range(d))
    stride = tuple(data.draw(st.integers(1, 3)) for _ in range(d))
    dilation = tuple(data.draw(st.integers(1, 2)) for _ in range(d))
    padding = tuple(data.draw(st.integers(0, 1)) for _ in range(d))
    opad = tuple(data.draw(st.integers(0, max(s, dl) - 1)) for s, dl in zip(stride, dilation))
    sp = tuple(data.draw(st.integers(1, 3)) for _ in range(d))
    out_sp = [(s - 1) * st_ - 2 * p + dl * (k - 1) + o + 1
              for s, st_, p, dl, k, o in zip(sp, stride, padding, dilation, ks, opad)]
    if min(out_sp) < 1:
        return
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((2, cin) + sp)
    w = rng.standard_normal((cin, cout // groups) + ks)
    b = rng.standard_normal(cout)
    fn = F.conv_transpose1d if d == 1 else F.conv_transpose2d
    kw = dict(stride=stride, padding=padding, output_padding=opad, groups=groups,
              dilation=dilation)
    y = fn(ag.tensor(x), ag.tensor(w), ag.tensor(b), **kw)
    assert_allclose(
        y.detach().cpu().numpy(), ref_conv_transpose(x, w, b, stride, padding, opad, dilation, groups),
        rtol=1e-10, atol=1e-10)
    ins = tuple(ag.tensor(a, requires_grad=True) for a in (x, w, b))
    assert ag.gradcheck(lambda *t: fn(*t, **kw), ins)


def test_conv_transpose_double_backward_module_and_torch():
    rng = np.random.default_rng(7)
    up = nn.ConvTranspose2d(2, 4, 3, stride=2, padding=1, output_padding=1, groups=2)
    assert tuple(up.weight.shape) == (2, 2, 3, 3)
    x = ag.tensor(rng.standard_normal((1, 2, 3, 2)), requires_grad=True)
    assert up(x).shape == (1, 4, 6, 4)
    assert up(x, output_size=(5, 3)).shape == (1, 4, 5, 3)
    with pytest.raises(ValueError, match="not reachable"):
        up(x, output_size=(8, 3))
    assert ag.gradgradcheck(lambda x, w, b: up(x), (x, up.weight, up.bias))
    assert repr(up) == ("ConvTranspose2d(2, 4, kernel_size=(3, 3), stride=(2, 2), "
                        "padding=(1, 1), output_padding=(1, 1), groups=2)")
    torch = pytest.importorskip("torch")
    tup = torch.nn.ConvTranspose2d(2, 4, 3, stride=2, padding=1, output_padding=1,
                                   groups=2).double()
    assert list(up.state_dict()) == list(tup.state_dict())
    up.load_state_dict({k: v.detach().cpu().numpy() for k, v in tup.state_dict().items()})
    xt = torch.tensor(x.detach().cpu().numpy(), requires_grad=True)
    ty = tup(xt)
    y = up(x)
    assert_allclose(y.detach().cpu().numpy(), ty.detach().cpu().numpy(), rtol=1e-12, atol=1e-12)
    g = rng.standard_normal(ty.shape)
    y.backward(ag.tensor(g))
    ty.backward(torch.tensor(g))
    assert_allclose(x.grad.cpu().numpy(), xt.grad.cpu().numpy(), rtol=1e-12, atol=1e-12)
    assert_allclose(up.weight.grad.cpu().numpy(), tup.weight.grad.cpu().numpy(), rtol=1e-12,
                               atol=1e-12)


def test_conv_transpose_output_padding_beyond_stride_second_order():
    """output_padding >= stride (allowed when dilation is larger): rows no forward tap reaches."""
    rng = np.random.default_rng(9)
    x = ag.tensor(rng.standard_normal((2, 2, 3)), requires_grad=True)
    w = ag.tensor(rng.standard_normal((2, 3, 2)), requires_grad=True)
    f = lambda x, w: F.conv_transpose1d(x, w, stride=1, dilation=2, output_padding=1, padding=1)
    assert f(x, w).shape == (2, 3, 4)
    assert_allclose(f(x, w).detach().cpu().numpy(), ref_conv_transpose(x.detach().cpu().numpy(), w.detach().cpu().numpy(), None, (1,), (1,),
                                                                (1,), (2,), 1), atol=1e-12)
    assert ag.gradgradcheck(f, (x, w))


def test_conv_transpose_is_adjoint_of_conv():
    """<conv(x, w), y> == <x, conv_transpose(y, w)> for the same weight and geometry."""
    rng = np.random.default_rng(8)
    x, w = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2))
    y = F.conv2d(ag.tensor(x), ag.tensor(w), stride=2, padding=1)
    v = rng.standard_normal(y.shape)
    back = F.conv_transpose2d(ag.tensor(v), ag.tensor(w), stride=2, padding=1)
    assert back.shape == x.shape
    assert_allclose((y.detach().cpu().numpy() * v).sum(), (x * back.detach().cpu().numpy()).sum(), rtol=1e-12)
    with pytest.raises(ValueError, match="output_padding"):
        F.conv_transpose2d(ag.tensor(v), ag.tensor(w), stride=2, output_padding=2)
    with pytest.raises(ValueError, match="expected input with 4 channels"):
        F.conv_transpose2d(ag.ones(1, 3, 2, 2), ag.tensor(w))
