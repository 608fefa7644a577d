"""The fused cross-entropy primitive (integer targets, (N, C) logits, no weight or smoothing,
'mean'/'sum'): the same values, gradients and errors as the general path, bit for bit; first and
second derivatives by gradcheck; every other case still takes the general path."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
import nn
import nn.functional as F
from autograd.testing import assert_allclose, assert_array_equal
from nn.functional import loss as L

# The fused primitive is the host path: its range check reads the targets, so GPU targets take
# the general path, which checks them on the device (see nn.functional.loss._fast_targets).
pytestmark = pytest.mark.cpu_only("the fused cross-entropy primitive serves host targets only")


def _general(monkeypatch):
    """Route cross_entropy around the fused primitive (the reference for this file)."""
    monkeypatch.setattr(L, "_fast_targets", lambda *a, **k: None)


def _fused(loss):
    return loss._node is not None and loss._node.prim is L.cross_entropy_index


def _run(z, t, g, **kw):
    a = ag.tensor(z, requires_grad=True)
    with np.errstate(all="ignore"):  # non-finite cases: the same warnings on both paths
        loss = F.cross_entropy(a, t, **kw)
        loss.backward(None if g is None else ag.tensor(g))
    return loss, a.grad.cpu().numpy()


@st.composite
def cases(draw):
    n, c = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    z = (rng.standard_normal((n, c)) * draw(st.sampled_from([1.0, 30.0, 1e4]))).astype(dtype)
    special = draw(st.sampled_from([None, None, np.inf, -np.inf, np.nan]))
    if special is not None:
        z[rng.random(z.shape) < 0.3] = special
    tdtype = draw(st.sampled_from([np.int64, np.int32, np.uint8]))
    t = rng.integers(0, c, n).astype(tdtype)
    kind = draw(st.sampled_from(["tensor", "array", "list"]))
    target = ag.tensor(t) if kind == "tensor" else t if kind == "array" else t.tolist()
    g = None if draw(st.booleans()) else np.asarray(rng.standard_normal(), dtype=dtype)
    return z, target, g


@given(case=cases(), reduction=st.sampled_from(["mean", "sum"]))
def test_fused_equals_general_bit_for_bit(case, reduction):
    z, t, g = case
    loss, grad = _run(z, t, g, reduction=reduction)
    assert _fused(loss)
    with pytest.MonkeyPatch.context() as mp:
        _general(mp)
        ref, ref_grad = _run(z, t, g, reduction=reduction)
        assert not _fused(ref)
    assert loss.dtype == ref.dtype == z.dtype and grad.dtype == z.dtype
    assert_array_equal(loss.detach().cpu().numpy(), ref.detach().cpu().numpy())  # NaN == NaN here
    assert_array_equal(grad, ref_grad)
    if np.isfinite(z).all():
        assert np.signbit(grad).tolist() == np.signbit(ref_grad).tolist()


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_fused_gradcheck_and_second_order(reduction):
    rng = np.random.default_rng(0)
    z = ag.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    t = rng.integers(0, 5, 4)
    fn = lambda a: F.cross_entropy(a, t, reduction=reduction)  # noqa: E731
    assert _fused(fn(z))
    assert ag.gradcheck(fn, (z,))
    assert ag.gradgradcheck(fn, (z,))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_fused_hessian_vector_product_equals_general(reduction, monkeypatch):
    rng = np.random.default_rng(1)
    z0, t = rng.standard_normal((3, 4)), rng.integers(0, 4, 3)
    v, w = rng.standard_normal((3, 4)), rng.standard_normal()

    def hvp():
        z = ag.tensor(z0, requires_grad=True)
        g = ag.tensor(np.asarray(w), requires_grad=True)  # the rule also sees g as a Tensor
        (gz,) = ag.grad(F.cross_entropy(z, t, reduction=reduction), z, g, create_graph=True)
        return [a.detach().cpu().numpy() for a in ag.grad((gz * ag.tensor(v)).sum(), (z, g))]

    fused = hvp()
    _general(monkeypatch)
    general = hvp()
    for a, b in zip(fused, general, strict=True):
        assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_target_changed_in_place_after_forward_does_not_leak_in():
    z = ag.tensor([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], requires_grad=True)
    t = ag.tensor(np.array([0, 2]))
    loss = F.cross_entropy(z, t, reduction="sum")
    assert _fused(loss)
    t.data[...] = 1
    loss.backward()
    p = np.exp(z.detach().cpu().numpy()) / np.exp(z.detach().cpu().numpy()).sum(1, keepdims=True)
    assert_allclose(z.grad.cpu().numpy(), p - np.eye(3)[[0, 2]], rtol=1e-12, atol=1e-15)


def test_other_cases_take_the_general_path():
    rng = np.random.default_rng(2)
    z = ag.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    t = np.array([0, 2, 1, 2])
    for kw in [dict(weight=np.ones(3)), dict(label_smoothing=0.1), dict(reduction="none"),
               dict(ignore_index=2), dict(ignore_index=0)]:
        assert not _fused(F.cross_entropy(z, t, **kw))
    assert _fused(F.cross_entropy(z, t, ignore_index=3))  # no class: cannot occur
    # an ignored in-range class: the mean is over the counted targets only
    out = F.cross_entropy(z, t, ignore_index=2)
    logp = z.detach().cpu().numpy() - np.log(np.exp(z.detach().cpu().numpy()).sum(1, keepdims=True))
    assert_allclose(out.item(), -(logp[0, 0] + logp[2, 1]) / 2, rtol=1e-12)
    t_ign = np.array([0, -100, 1, 2])  # ignore_index occurs: general path
    assert not _fused(F.cross_entropy(z, t_ign))
    assert not _fused(F.cross_entropy(ag.tensor(rng.standard_normal((2, 3, 2)),
                                                requires_grad=True), np.zeros((2, 2), int)))
    assert not _fused(F.cross_entropy(ag.tensor(rng.standard_normal(3), requires_grad=True),
                                      np.array(1)))
    assert not _fused(F.cross_entropy(z, rng.dirichlet(np.ones(3), 4)))  # probabilities
    assert np.isnan(F.cross_entropy(ag.zeros(0, 3), np.zeros(0, int)).item())  # empty: nan
    # the module uses it too
    assert _fused(nn.CrossEntropyLoss()(z, t))


@pytest.mark.parametrize("target, exc, match", [
    (np.array([0, 3]), IndexError, "out of bounds"),
    (np.array([0, -1]), IndexError, "out of bounds"),
    (np.array([0, 1, 2]), ValueError, "expected target of shape"),
    (np.array([[0, 1]]), ValueError, "expected target of shape"),
    (np.array([True, False]), TypeError, "class indices"),
    (np.array([0.0, 1.0]), ValueError, "probability targets"),
])
def test_bad_targets_raise_the_same_errors_as_before(target, exc, match, monkeypatch):
    z = ag.zeros(2, 3, requires_grad=True)
    with pytest.raises(exc, match=match) as fused:
        F.cross_entropy(z, target)
    _general(monkeypatch)
    with pytest.raises(exc) as general:
        F.cross_entropy(z, target)
    assert str(fused.value) == str(general.value)
