"""Losses: values against direct NumPy formulas (and PyTorch when installed), gradients by
gradcheck and by seed 000's closed forms, stability at extreme logits, option handling."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
import nn
import nn.functional as F
from autograd.testing import assert_allclose

REDUCTIONS = ["mean", "sum", "none"]


def _reduce(v, reduction, denom=None):
    if reduction == "none":
        return v
    if reduction == "sum":
        return v.sum()
    return v.sum() / (v.size if denom is None else denom)


def _log_softmax(z, axis):
    m = z.max(axis, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis, keepdims=True))


def _t(a, grad=True):
    return ag.tensor(a, requires_grad=grad)


# --------------------------------------------------------------------------- regression
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses_formulas_and_gradcheck(reduction):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((4, 3)) * 2, rng.standard_normal((4, 3))
    d = x - y
    ad = np.abs(d)
    cases = [
        (F.mse_loss, {}, d**2),
        (F.l1_loss, {}, ad),
        (F.huber_loss, {"delta": 0.7}, np.where(ad < 0.7, 0.5 * d**2, 0.7 * (ad - 0.35))),
        (F.smooth_l1_loss, {"beta": 0.7}, np.where(ad < 0.7, 0.5 * d**2 / 0.7, ad - 0.35)),
        (F.smooth_l1_loss, {"beta": 0.0}, ad),
    ]
    for fn, kw, expect in cases:
        out = fn(_t(x), _t(y), reduction=reduction, **kw)
        assert_allclose(out.detach().cpu().numpy(), _reduce(expect, reduction), rtol=1e-12)
        assert ag.gradcheck(lambda a, b: fn(a, b, reduction=reduction, **kw), (_t(x), _t(y)))


def test_mse_gradient_is_seed_formula():
    """Seed 000, eq. 21: for L = 1/2 (y - y*)^2 the gradient is y - y*; MSE 'sum' is twice that."""
    rng = np.random.default_rng(1)
    x, y = _t(rng.standard_normal(5)), rng.standard_normal(5)
    (0.5 * F.mse_loss(x, ag.tensor(y), reduction="sum")).backward()
    assert_allclose(x.grad.cpu().numpy(), x.detach().cpu().numpy() - y)


def test_loss_modules_and_bad_reduction():
    x, y = ag.tensor([1.0, 2.0]), ag.tensor([0.0, 0.0])
    assert nn.MSELoss()(x, y).item() == 2.5
    assert nn.L1Loss(reduction="sum")(x, y).item() == 3.0
    assert nn.HuberLoss(delta=1.0)(x, y).item() == pytest.approx((0.5 + 1.5) / 2)
    assert nn.SmoothL1Loss()(x, y).item() == pytest.approx((0.5 + 1.5) / 2)
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(ag.zeros(2, 3), ag.tensor([0, 1]), reduction="max")
    with pytest.warns(UserWarning, match="broadcasting"):
        F.mse_loss(ag.zeros(3, 1), ag.zeros(3))


# -------------------------------------------------------------------------- cross-entropy
@st.composite
def ce_cases(draw):
    n = draw(st.integers(1, 4))
    c = draw(st.integers(2, 4))
    spatial = draw(st.sampled_from([(), (2,), (2, 1)]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    z = rng.standard_normal((n, c) + spatial) * 2
    t = rng.integers(0, c, size=(n,) + spatial)
    return z, t, rng


def _ce_reference(z, t, weight=None, ignore_index=-100, reduction="mean", smoothing=0.0):
    c = z.shape[1]
    logp = _log_softmax(z, 1)
    w = np.ones(c) if weight is None else weight
    valid = t != ignore_index
    ts = np.where(valid, t, 0)
    picked = np.take_along_axis(logp, ts[:, None], 1)[:, 0]
    nll = -w[ts] * picked * valid
    smooth = -(logp * w.reshape((c,) + (1,) * (z.ndim - 2))).sum(1) * valid
    loss = (1 - smoothing) * nll + smoothing / c * smooth
    return _reduce(loss, reduction, (w[ts] * valid).sum())


@given(case=ce_cases(), reduction=st.sampled_from(REDUCTIONS),
       smoothing=st.sampled_from([0.0, 0.2]), weighted=st.booleans(), ignore=st.booleans())
def test_cross_entropy_index_targets(case, reduction, smoothing, weighted, ignore):
    z, t, rng = case
    c = z.shape[1]
    w = rng.uniform(0.5, 2.0, c) if weighted else None
    if ignore:
        t = t.copy()
        t.reshape(-1)[0] = -100
        if t.size == 1 and reduction == "mean":
            return  # every target ignored: covered by test_cross_entropy_all_ignored
    kw = dict(weight=w, ignore_index=-100, reduction=reduction, label_smoothing=smoothing)
    out = F.cross_entropy(_t(z), ag.tensor(t), **kw)
    assert_allclose(out.detach().cpu().numpy(), _ce_reference(z, t, w, -100, reduction, smoothing),
                               rtol=1e-10, atol=1e-12)
    assert ag.gradcheck(lambda a: F.cross_entropy(a, t, **kw), (_t(z),))


def test_cross_entropy_gradient_is_softmax_minus_target():
    """Seed 000, eq. 25: dL/dz = softmax(z) - onehot(target), divided by N for 'mean'."""
    rng = np.random.default_rng(2)
    z, t = _t(rng.standard_normal((5, 4))), rng.integers(0, 4, 5)
    F.cross_entropy(z, t).backward()
    p = np.exp(_log_softmax(z.detach().cpu().numpy(), 1))
    assert_allclose(z.grad.cpu().numpy(), (p - np.eye(4)[t]) / 5, rtol=1e-12, atol=1e-15)
    z.grad = None
    F.cross_entropy(z, t, reduction="sum").backward()
    assert_allclose(z.grad.cpu().numpy(), p - np.eye(4)[t], rtol=1e-12, atol=1e-15)


@given(case=ce_cases(), reduction=st.sampled_from(REDUCTIONS),
       smoothing=st.sampled_from([0.0, 0.3]), weighted=st.booleans())
def test_cross_entropy_probability_targets(case, reduction, smoothing, weighted):
    z, _, rng = case
    c = z.shape[1]
    q = rng.dirichlet(np.ones(c), size=z.shape[:1] + z.shape[2:])
    q = np.moveaxis(q, -1, 1)
    w = rng.uniform(0.5, 2.0, c) if weighted else None
    qs = q * (1 - smoothing) + smoothing / c
    wb = 1.0 if w is None else w.reshape((c,) + (1,) * (z.ndim - 2))
    expect = -(qs * wb * _log_softmax(z, 1)).sum(1)
    kw = dict(weight=w, reduction=reduction, label_smoothing=smoothing)
    out = F.cross_entropy(_t(z), _t(q), **kw)
    assert_allclose(out.detach().cpu().numpy(), _reduce(expect, reduction), rtol=1e-10, atol=1e-12)
    # differentiable in the logits and in the target distribution
    assert ag.gradcheck(lambda a, b: F.cross_entropy(a, b, **kw), (_t(z), _t(q)))


def test_cross_entropy_second_order():
    rng = np.random.default_rng(3)
    z, t = _t(rng.standard_normal((3, 4))), rng.integers(0, 4, 3)
    assert ag.gradgradcheck(lambda a: F.cross_entropy(a, t, label_smoothing=0.1), (z,))
    q = _t(rng.dirichlet(np.ones(4), 3))
    assert ag.gradgradcheck(lambda a, b: F.cross_entropy(a, b), (z, q))


def test_cross_entropy_extreme_logits_are_finite():
    z = _t(np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]]))
    t = np.array([1, 0])
    loss = F.cross_entropy(z, t)
    assert np.isfinite(loss.item()) and loss.item() == pytest.approx((2e4 + 2e4 + np.log(2)) / 2)
    loss.backward()
    assert np.all(np.isfinite(z.grad.cpu().numpy()))
    assert_allclose(z.grad.cpu().numpy(), [[0.5, -0.5, 0.0], [-0.5, 0.25, 0.25]], atol=1e-12)
    right = F.cross_entropy(_t(np.array([[1e4, -1e4]])), np.array([0]))
    assert right.item() == 0.0


def test_cross_entropy_unbatched_all_ignored_and_errors():
    z = ag.tensor([1.0, 2.0, 0.5])
    assert_allclose(F.cross_entropy(z, ag.tensor(1)).item(),
                               -_log_softmax(z.detach().cpu().numpy(), 0)[1])
    out = F.cross_entropy(ag.zeros(2, 3), ag.tensor([-100, -100]))
    assert np.isnan(out.item())  # mean over no targets, like PyTorch
    assert F.cross_entropy(ag.zeros(2, 3), ag.tensor([-100, -100]), reduction="sum").item() == 0
    bad = ag.tensor([0, 3])
    on_gpu = bad.device.type != "cpu"
    if on_gpu:  # GPU targets: no read-back, the out-of-range one's loss is NaN ...
        per = F.cross_entropy(ag.zeros(2, 3), bad, reduction="none").cpu().numpy()
        assert np.isfinite(per[0]) and np.isnan(per[1])
    with ag.set_detect_anomaly(on_gpu), pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(ag.zeros(2, 3), bad)  # ... and anomaly mode checks them
    with pytest.raises(ValueError, match="expected target of shape"):
        F.cross_entropy(ag.zeros(2, 3), ag.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="weight must have shape"):
        F.cross_entropy(ag.zeros(2, 3), ag.tensor([0, 1]), weight=np.ones(2))
    with pytest.raises(ValueError, match="probability targets"):
        F.cross_entropy(ag.zeros(2, 3), ag.zeros(2, 2))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(ag.zeros(2, 3), ag.tensor([0, 1]), label_smoothing=1.5)


def test_nll_loss():
    rng = np.random.default_rng(4)
    logp = _log_softmax(rng.standard_normal((4, 3, 2)), 1)
    t = rng.integers(0, 3, (4, 2))
    t[0, 0] = 2
    w = np.array([0.5, 1.0, 2.0])
    picked = np.take_along_axis(logp, t[:, None], 1)[:, 0]
    for reduction in REDUCTIONS:
        out = F.nll_loss(_t(logp), t, weight=w, reduction=reduction)
        assert_allclose(out.detach().cpu().numpy(), _reduce(-w[t] * picked, reduction, w[t].sum()))
    x = _t(logp)
    assert ag.gradcheck(lambda a: F.nll_loss(a, t, ignore_index=2), (x,))
    # log_softmax + nll == cross_entropy
    z = rng.standard_normal((4, 3))
    tt = rng.integers(0, 3, 4)
    assert_allclose(nn.NLLLoss()(F.log_softmax(ag.tensor(z), 1), tt).item(),
                               nn.CrossEntropyLoss()(ag.tensor(z), tt).item(), rtol=1e-12)


# --------------------------------------------------------------------------------- binary
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_formula_and_gradcheck(reduction):
    rng = np.random.default_rng(5)
    p = rng.uniform(0.05, 0.95, (3, 4))
    y = rng.uniform(0, 1, (3, 4))
    w = rng.uniform(0.5, 2, 4)
    expect = -w * (y * np.log(p) + (1 - y) * np.log(1 - p))
    wt, yt = ag.tensor(w), ag.tensor(y)
    out = F.binary_cross_entropy(_t(p), _t(y), weight=wt, reduction=reduction)
    assert_allclose(out.detach().cpu().numpy(), _reduce(expect, reduction), rtol=1e-12)
    assert ag.gradcheck(lambda a, b: F.binary_cross_entropy(a, b, wt, reduction), (_t(p), _t(y)))
    assert ag.gradgradcheck(lambda a: F.binary_cross_entropy(a, yt), (_t(p),))


def test_bce_log_clamped_at_minus_100():
    p = _t(np.array([0.0, 1.0, 0.0]))
    y = ag.tensor([1.0, 0.0, 0.0])
    out = F.binary_cross_entropy(p, y, reduction="none")
    assert_allclose(out.detach().cpu().numpy(), [100.0, 100.0, 0.0])
    out.sum().backward()
    assert np.all(np.isfinite(p.grad.cpu().numpy()))
    assert_allclose(p.grad.cpu().numpy(), [-1e12, 1e12, 0.0])  # PyTorch's eps = 1e-12
    outside = ag.tensor([0.5, 1.5])
    on_gpu = outside.device.type != "cpu"
    if on_gpu:  # GPU probabilities: checked on the device (NaN), raised in anomaly mode
        per = F.binary_cross_entropy(outside, ag.tensor([1.0, 1.0]), reduction="none")
        assert np.isnan(per.cpu().numpy()).tolist() == [False, True]
    with ag.set_detect_anomaly(on_gpu), pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(outside, ag.tensor([1.0, 1.0]))
    with pytest.raises(ValueError, match="same as input size"):
        nn.BCELoss()(ag.tensor([0.5]), ag.tensor([1.0, 0.0]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_formula_gradcheck_and_pos_weight(reduction):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 4)) * 3
    y = rng.uniform(0, 1, (3, 4))
    pw = rng.uniform(0.5, 3, 4)
    w = rng.uniform(0.5, 2, (3, 1))
    s = 1 / (1 + np.exp(-x))
    expect = -w * (pw * y * np.log(s) + (1 - y) * np.log(1 - s))
    wt, pwt, yt = ag.tensor(w), ag.tensor(pw), ag.tensor(y)
    out = F.binary_cross_entropy_with_logits(_t(x), _t(y), wt, reduction, pwt)
    assert_allclose(out.detach().cpu().numpy(), _reduce(expect, reduction), rtol=1e-10)
    kw = dict(weight=wt, reduction=reduction, pos_weight=pwt)
    assert ag.gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, **kw),
                        (_t(x), _t(y)))
    assert ag.gradgradcheck(lambda a: F.binary_cross_entropy_with_logits(a, yt), (_t(x),))


def test_bce_with_logits_gradient_and_extremes():
    x = _t(np.array([1e4, -1e4, 1e4, -1e4, 0.0, 40.0]))
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.5, 1.0])
    out = F.binary_cross_entropy_with_logits(x, ag.tensor(y), reduction="none")
    assert_allclose(out.detach().cpu().numpy(), [0.0, 0.0, 1e4, 1e4, np.log(2), np.exp(-40)],
                               rtol=1e-12)
    out.sum().backward()
    s = np.array([1.0, 0.0, 1.0, 0.0, 0.5, 1 / (1 + np.exp(-40))])
    assert_allclose(x.grad.cpu().numpy(), s - y, atol=1e-15)  # sigmoid(x) - y
    assert nn.BCEWithLogitsLoss(pos_weight=[2.0])(ag.tensor([0.0]), ag.tensor([1.0])).item() \
        == pytest.approx(2 * np.log(2))


def test_kl_div():
    rng = np.random.default_rng(7)
    logq = _log_softmax(rng.standard_normal((3, 4)), 1)
    p = np.exp(_log_softmax(rng.standard_normal((3, 4)), 1))
    p[0, 0] = 0.0
    pointwise = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1)) - logq), 0)
    assert_allclose(F.kl_div(ag.tensor(logq), ag.tensor(p), "batchmean").item(),
                               pointwise.sum() / 3)
    assert_allclose(nn.KLDivLoss(reduction="sum", log_target=True)(
        ag.tensor(logq), ag.tensor(np.log(p + 1e-300))).item(),
        (p * (np.log(p + 1e-300) - logq)).sum(), rtol=1e-10)
    assert ag.gradcheck(lambda a: F.kl_div(a, p, "sum"), (_t(logq),))


# ---------------------------------------------------------------------------- vs PyTorch
def test_losses_against_torch():
    torch = pytest.importorskip("torch")
    TF = torch.nn.functional
    rng = np.random.default_rng(8)
    z = rng.standard_normal((6, 5, 2)) * 3
    t = rng.integers(0, 5, (6, 2))
    t[1, 1] = 3
    t[2, 0] = -1
    w = rng.uniform(0.2, 2, 5)
    q = np.moveaxis(rng.dirichlet(np.ones(5), (6, 2)), -1, 1)
    x = rng.standard_normal((6, 5))
    y = rng.uniform(0, 1, (6, 5))
    pw = rng.uniform(0.5, 2, 5)
    # ours take tensors (on the default device), PyTorch its own
    t_, w_, q_, y_, pw_ = (ag.tensor(v) for v in (t, w, q, y, pw))
    cases = [
        (lambda a: F.cross_entropy(a, t_, w_, -1, r, 0.1),
         lambda a: TF.cross_entropy(a, torch.tensor(t), torch.tensor(w), ignore_index=-1,
                                    reduction=r, label_smoothing=0.1), z),
        (lambda a: F.cross_entropy(a, q_, w_, reduction=r, label_smoothing=0.2),
         lambda a: TF.cross_entropy(a, torch.tensor(q), torch.tensor(w), reduction=r,
                                    label_smoothing=0.2), z),
        (lambda a: F.cross_entropy(a, t_, ignore_index=-1, reduction=r),
         lambda a: TF.cross_entropy(a, torch.tensor(t), ignore_index=-1, reduction=r), z),
        (lambda a: F.binary_cross_entropy_with_logits(a, y_, reduction=r, pos_weight=pw_),
         lambda a: TF.binary_cross_entropy_with_logits(a, torch.tensor(y), reduction=r,
                                                       pos_weight=torch.tensor(pw)), x),
        (lambda a: F.binary_cross_entropy(F.sigmoid(a), y_, reduction=r),
         lambda a: TF.binary_cross_entropy(torch.sigmoid(a), torch.tensor(y), reduction=r), x),
        (lambda a: F.huber_loss(a, y_, r, 0.5),
         lambda a: TF.huber_loss(a, torch.tensor(y), reduction=r, delta=0.5), x),
        (lambda a: F.smooth_l1_loss(a, y_, r, 0.5),
         lambda a: TF.smooth_l1_loss(a, torch.tensor(y), reduction=r, beta=0.5), x),
        (lambda a: F.nll_loss(F.log_softmax(a, 1), t_, w_, -1, r),
         lambda a: TF.nll_loss(TF.log_softmax(a, 1), torch.tensor(t), torch.tensor(w),
                               ignore_index=-1, reduction=r), z),
    ]
    for r in REDUCTIONS:
        for ours, theirs, inp in cases:
            a = _t(inp)
            ta = torch.tensor(inp, requires_grad=True)
            out, tout = ours(a), theirs(ta)
            assert_allclose(out.detach().cpu().numpy(), tout.detach().cpu().numpy(), rtol=1e-10, atol=1e-12)
            g = rng.standard_normal(tout.shape)
            out.backward(ag.tensor(g))
            tout.backward(torch.tensor(g))
            assert_allclose(a.grad.cpu().numpy(), ta.grad.cpu().numpy(), rtol=1e-9, atol=1e-12)
