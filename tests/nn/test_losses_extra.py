"""Issue 13's losses (margin ranking, triplet margin, cosine embedding, Gaussian/Poisson NLL,
multi-label soft margin): values and gradients equal PyTorch's for every reduction and option,
central-difference gradients (and second derivatives) in float64, error paths and modules."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
import nn
import nn.functional as F
from autograd.testing import arrays_for, assert_allclose, assert_gradients_close

REDUCTIONS = ["mean", "sum", "none"]
rng = np.random.default_rng(0)
A, B, C = (rng.standard_normal((4, 5)) for _ in range(3))
SIGN = np.array([1.0, -1.0, 1.0, -1.0])
SIGN5 = np.where(rng.random((4, 5)) > 0.5, 1.0, -1.0)
COUNTS = rng.poisson(2.0, (4, 5)).astype(float)
LABELS = (rng.random((4, 5)) > 0.5).astype(float)

# name -> (ours, torch name, arrays that get gradients, constant arrays, keywords)
CASES = {
    "margin_ranking": (F.margin_ranking_loss, "margin_ranking_loss", (A[:, 0], B[:, 0]),
                       (SIGN,), {"margin": 0.3}),
    "margin_ranking_2d": (F.margin_ranking_loss, "margin_ranking_loss", (A, B), (SIGN5,), {}),
    "triplet": (F.triplet_margin_loss, "triplet_margin_loss", (A, B, C), (), {}),
    "triplet_swap_p1": (F.triplet_margin_loss, "triplet_margin_loss", (A, B, C), (),
                        {"swap": True, "p": 1.0, "margin": 2.0}),
    "triplet_unbatched": (F.triplet_margin_loss, "triplet_margin_loss", (A[0], B[0], C[0]), (),
                          {"margin": 3.0}),
    "cosine_embedding": (F.cosine_embedding_loss, "cosine_embedding_loss", (A, B), (SIGN,),
                         {"margin": 0.1}),
    "cosine_embedding_1d": (F.cosine_embedding_loss, "cosine_embedding_loss", (A[0], B[0]),
                            (np.array(-1.0),), {"margin": -0.5}),
    "gaussian_nll": (F.gaussian_nll_loss, "gaussian_nll_loss",
                     (A, B, np.abs(C) + 0.1), (), {}),
    "gaussian_nll_full_clamped": (F.gaussian_nll_loss, "gaussian_nll_loss",
                                  (A, B, np.abs(C) * np.array([0, 1, 1, 1, 1.0])), (),
                                  {"full": True, "eps": 0.05}),
    "gaussian_nll_per_sample_var": (F.gaussian_nll_loss, "gaussian_nll_loss",
                                    (A, B, np.abs(C[:, :1]) + 0.1), (), {}),
    "gaussian_nll_var_one_less_dim": (F.gaussian_nll_loss, "gaussian_nll_loss",
                                      (A, B, np.abs(C[:, 0]) + 0.1), (), {}),
    "gaussian_nll_number_var": (F.gaussian_nll_loss, "gaussian_nll_loss", (A, B), (),
                                {"var": 0.7}),
    "poisson_nll": (F.poisson_nll_loss, "poisson_nll_loss", (A,), (COUNTS,), {}),
    "poisson_nll_rate_full": (F.poisson_nll_loss, "poisson_nll_loss", (np.abs(A) + 0.1,),
                              (COUNTS,), {"log_input": False, "full": True}),
    "multilabel_soft_margin": (F.multilabel_soft_margin_loss, "multilabel_soft_margin_loss",
                               (A,), (LABELS,), {}),
    "multilabel_soft_margin_weight": (F.multilabel_soft_margin_loss,
                                      "multilabel_soft_margin_loss", (A,), (LABELS,),
                                      {"weight": np.linspace(0.5, 2, 5)}),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_losses_match_torch(name, reduction):
    torch = pytest.importorskip("torch")
    fn, tname, grads, consts, kw = CASES[name]
    tfn = getattr(torch.nn.functional, tname)
    a = [ag.tensor(x, requires_grad=True) for x in grads]
    t = [torch.tensor(x, requires_grad=True) for x in grads]
    ac = [ag.tensor(x) for x in consts]
    tc = [torch.tensor(x) for x in consts]
    akw = {k: ag.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    out = fn(*a, *ac, reduction=reduction, **akw)
    tout = tfn(*t, *tc, reduction=reduction, **tkw)
    assert_allclose(out.detach().cpu().numpy(), tout.detach().cpu().numpy(), rtol=1e-10,
                               atol=1e-12)
    w = rng.standard_normal(tout.shape)
    (out * ag.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    for x, y in zip(a, t, strict=True):
        assert_allclose(x.grad.cpu().numpy(), y.grad.cpu().numpy(), rtol=1e-10, atol=1e-12)


@given(st.data())
def test_loss_gradients_by_central_differences(data):
    n, d = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    x1, x2, x3 = (data.draw(arrays_for((n, d))) for _ in range(3))
    y = np.where(data.draw(arrays_for((n,), dtype=bool)), 1.0, -1.0)
    lab = data.draw(arrays_for((n, d), min_value=0.0, max_value=1.0))
    # random draws stay off the hinges (clamp ties are tested against PyTorch above)
    assert_gradients_close(
        lambda a, b: F.margin_ranking_loss(a, b, ag.tensor(y)), x1[:, 0], x2[:, 0] + 7.0,
        check_gradgrad=True)
    # distances kept away from 0, where the norm has a kink
    assert_gradients_close(lambda a, p, q: F.triplet_margin_loss(a, p, q, margin=50.0),
                           x1, x2 + 7.0, x3 - 7.0, check_gradgrad=True)
    assert_gradients_close(
        lambda a, b: F.cosine_embedding_loss(a, b, ag.tensor(y), margin=-2.0),
        x1 + 0.5, x2 - 0.5, check_gradgrad=True)
    assert_gradients_close(lambda a, b, v: F.gaussian_nll_loss(a, b, v), x1, x2,
                           np.abs(x3) + 0.5, check_gradgrad=True)
    assert_gradients_close(lambda a: F.poisson_nll_loss(a, ag.tensor(np.abs(x2))), x1,
                           check_gradgrad=True)
    assert_gradients_close(lambda a: F.multilabel_soft_margin_loss(a, ag.tensor(lab)), x1,
                           check_gradgrad=True)


def test_loss_modules_and_errors():
    x1, x2, y = ag.tensor([1.0, 2.0]), ag.tensor([2.0, 1.0]), ag.tensor([1.0, -1.0])
    assert nn.MarginRankingLoss(margin=0.5)(x1, x2, y).item() == pytest.approx(1.5)
    assert nn.MarginRankingLoss(reduction="sum")(x1, x2, y).item() == pytest.approx(2.0)
    assert nn.TripletMarginLoss(margin=1.0, eps=0.0)(ag.zeros(1, 2), ag.zeros(1, 2),
                                                     ag.ones(1, 2)).item() == pytest.approx(0.0)
    assert nn.CosineEmbeddingLoss()(ag.ones(1, 2), ag.ones(1, 2),
                                    ag.tensor([1.0])).item() == pytest.approx(0.0, abs=1e-12)
    assert nn.GaussianNLLLoss(full=True)(ag.zeros(3), ag.zeros(3), ag.ones(3)).item() == \
        pytest.approx(0.5 * np.log(2 * np.pi))
    assert nn.PoissonNLLLoss()(ag.zeros(2), ag.zeros(2)).item() == pytest.approx(1.0)
    assert nn.MultiLabelSoftMarginLoss(weight=[1.0, 0.0])(
        ag.zeros(1, 2), ag.ones(1, 2)).item() == pytest.approx(np.log(2) / 2)
    with pytest.raises(ValueError, match="reduction"):
        nn.TripletMarginLoss(reduction="max")
    with pytest.raises(ValueError, match="reduction"):
        F.poisson_nll_loss(x1, x2, reduction="avg")
    with pytest.raises(RuntimeError, match="same dimension"):
        F.margin_ranking_loss(ag.ones(2, 1), x2, y)
    with pytest.raises(ValueError, match="margin"):
        F.triplet_margin_loss(x1, x1, x1, margin=0.0)
    neg = ag.tensor([1.0, -1.0])
    if neg.device.type != "cpu":  # a GPU var is checked in anomaly mode only, else NaN there
        per = F.gaussian_nll_loss(x1, x2, neg, reduction="none").detach().cpu().numpy()
        assert np.isnan(per[..., 1]).all() and np.isfinite(per[..., 0]).all()
    with ag.set_detect_anomaly(neg.device.type != "cpu"), \
            pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(x1, x2, neg)
    with pytest.raises(ValueError, match="does not fit"):
        F.gaussian_nll_loss(ag.ones(2, 3), ag.ones(2, 3), ag.ones(2, 2))
    with pytest.raises(RuntimeError, match="target"):
        F.cosine_embedding_loss(ag.ones(2, 3), ag.ones(2, 3), ag.ones(2, 1))
    with pytest.raises(ValueError, match="same shape"):
        F.multilabel_soft_margin_loss(ag.ones(2, 3), ag.ones(2, 2))
