"""Numerical extremes: logits of +-1e4 and -inf, saturating activations at +-1e4, log/sqrt/abs/norm
at 0.  Values and gradients are written out explicitly (PyTorch's conventions) and, when torch is
importable, compared with it in separate tests.

Every computation runs under :func:`strict`: warnings are errors and NumPy *raises* on division by
zero, overflow and invalid operations, so no unguarded floating-point exception can happen inside
the library (underflow is left at NumPy's default, ignore: ``exp(-2e4) == 0`` is the intended
result of every stable formulation here).
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd.testing import assert_allclose, assert_array_equal

INF = math.inf
LN2 = math.log(2.0)


@contextlib.contextmanager
def strict() -> Iterator[list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(divide="raise", over="raise", invalid="raise", under="ignore"):
            yield caught
    assert caught == [], [str(w.message) for w in caught]


def leaf(values: Any, dtype: Any = np.float64) -> ag.Tensor:
    return ag.tensor(np.array(values, dtype=dtype), requires_grad=True)


def run(fn: Callable[[ag.Tensor], ag.Tensor], x: ag.Tensor, gradient: Any = None
        ) -> tuple[np.ndarray, np.ndarray]:
    """Forward and backward under :func:`strict`; returns (value, gradient of x)."""
    with strict():
        y = fn(x)
        if gradient is None and y.numel() != 1:
            gradient = np.ones(y.shape, dtype=y.dtype)
        if gradient is not None:  # the upstream gradient lives where the output does
            gradient = ag.tensor(gradient, device=y.device)
        y.backward(gradient)
    return y.detach().cpu().numpy(), x.grad.cpu().numpy()


def check(got: np.ndarray, want: Any, rtol: float = 1e-12) -> None:
    want = np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape
    assert np.array_equal(np.isinf(got), np.isinf(want))
    assert np.array_equal(np.isnan(got), np.isnan(want))
    fin = np.isfinite(want)
    assert_array_equal(np.sign(got[np.isinf(want)]), np.sign(want[np.isinf(want)]))
    assert_allclose(got[fin], want[fin], rtol=rtol, atol=1e-300)


W3 = np.array([1.0, 2.0, 3.0])  # upstream gradient for the 3-class cases


# ------------------------------------------------------------------ softmax family
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_at_plus_minus_1e4(dtype):
    v, g = run(lambda x: ag.softmax(x, dim=-1), leaf([1e4, 1e4, -1e4], dtype), W3.astype(dtype))
    check(v, [0.5, 0.5, 0.0], rtol=1e-6)
    check(g, [0.5 * (1 - 1.5), 0.5 * (2 - 1.5), 0.0], rtol=1e-6)  # p * (w - sum(w p))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_log_softmax_at_plus_minus_1e4(dtype):
    v, g = run(lambda x: ag.log_softmax(x, dim=-1), leaf([1e4, 1e4, -1e4], dtype),
               W3.astype(dtype))
    check(v, [-LN2, -LN2, -2e4 - LN2], rtol=1e-6)
    check(g, [1 - 0.5 * 6, 2 - 0.5 * 6, 3 - 0.0 * 6], rtol=1e-6)  # w - p * sum(w)


def test_softmax_and_log_softmax_with_minus_inf_entries():
    x = [0.0, -INF, math.log(3.0)]  # p = [1/4, 0, 3/4]
    v, g = run(lambda t: ag.softmax(t, dim=0), leaf(x), W3)
    check(v, [0.25, 0.0, 0.75])
    check(g, [0.25 * (1 - 2.5), 0.0, 0.75 * (3 - 2.5)])
    v, g = run(lambda t: ag.log_softmax(t, dim=0), leaf(x), W3)
    check(v, [math.log(0.25), -INF, math.log(0.75)])
    check(g, [1 - 0.25 * 6, 2 - 0.0, 3 - 0.75 * 6])  # the -inf entry gets w_j, finite


def test_softmax_row_of_all_minus_inf_is_nan_like_pytorch():
    x = leaf([[-INF, -INF], [0.0, 0.0]])
    v, g = run(lambda t: ag.softmax(t, dim=1), x, np.array([[1.0, 2.0], [1.0, 2.0]]))
    check(v, [[math.nan, math.nan], [0.5, 0.5]])
    check(g, [[math.nan, math.nan], [-0.25, 0.25]])


def test_logsumexp_extremes():
    v, g = run(lambda x: ag.logsumexp(x), leaf([1e4, 1e4, -1e4]))
    check(v, 1e4 + LN2)
    check(g, [0.5, 0.5, 0.0])
    v, g = run(lambda x: ag.logsumexp(x), leaf([0.0, -INF, math.log(3.0)]))
    check(v, math.log(4.0))
    check(g, [0.25, 0.0, 0.75])
    v, g = run(lambda x: ag.logsumexp(x, axis=1), leaf([[-1e4, -1e4], [1e4, -INF]]))
    check(v, [-1e4 + LN2, 1e4])
    check(g, [[0.5, 0.5], [1.0, 0.0]])
    # an all -inf group: -inf with a zero gradient (documented; PyTorch gives nan here)
    v, g = run(lambda x: ag.logsumexp(x), leaf([-INF, -INF]))
    check(v, -INF)
    check(g, [0.0, 0.0])


@pytest.mark.parametrize("reduction,scale", [("mean", 0.5), ("sum", 1.0)])
def test_cross_entropy_at_plus_minus_1e4(reduction, scale):
    z = [[1e4, -1e4, 0.0], [1e4, -1e4, 0.0]]
    v, g = run(lambda x: F.cross_entropy(x, ag.tensor([1, 0]), reduction=reduction), leaf(z))
    check(v, scale * (2e4 + 0.0))  # logsumexp = 1e4: losses 1e4 - (-1e4) and 0
    check(g, scale * np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 0.0]]))  # softmax - one-hot


def test_cross_entropy_with_minus_inf_logits():
    z = [[0.0, -INF, math.log(3.0)], [0.0, -INF, math.log(3.0)]]
    v, g = run(lambda x: F.cross_entropy(x, ag.tensor([2, 0]), reduction="none"), leaf(z))
    check(v, [-math.log(0.75), -math.log(0.25)])
    check(g, [[0.25, 0.0, -0.25], [-0.75, 0.0, 0.75]])
    # the target is the impossible class: infinite loss, finite gradient (softmax - one-hot)
    v, g = run(lambda x: F.cross_entropy(x, ag.tensor([1])), leaf(z[:1]))
    check(v, INF)
    check(g, [[0.25, -1.0, 0.75]])
    # probability targets with 0 weight on the -inf class: finite
    q = ag.tensor(np.array([[0.5, 0.0, 0.5]]))
    v, g = run(lambda x: F.cross_entropy(x, q), leaf(z[:1]))
    check(v, -0.5 * (math.log(0.25) + math.log(0.75)))
    check(g, [[0.25 - 0.5, 0.0, 0.75 - 0.5]])


def test_cross_entropy_module_with_weights_at_extremes():
    loss_fn = nn.CrossEntropyLoss(weight=ag.tensor([1.0, 2.0, 3.0]))
    v, g = run(lambda x: loss_fn(x, ag.tensor([1, 2])), leaf([[1e4, -1e4, 0.0], [-1e4, 0.0, 1e4]]))
    check(v, (2.0 * 2e4 + 3.0 * 0.0) / 5.0)
    check(g, np.array([[2.0, -2.0, 0.0], [0.0, 0.0, 0.0]]) / 5.0)


# --------------------------------------------------------------- saturating functions
@pytest.mark.parametrize("name,value,slope", [
    ("sigmoid", [1.0, 0.0], [0.0, 0.0]),
    ("tanh", [1.0, -1.0], [0.0, 0.0]),
    ("softplus", [1e4, 0.0], [1.0, 0.0]),
])
@pytest.mark.parametrize("form", ["array", "python float"])
def test_saturating_at_plus_minus_1e4(name, value, slope, form):
    fn = getattr(F, name)
    if form == "array":
        v, g = run(fn, leaf([1e4, -1e4]))
        check(v, value)
        check(g, slope)
    else:
        for k, x0 in enumerate([1e4, -1e4]):
            v, g = run(fn, ag.tensor(x0, requires_grad=True))
            check(v, value[k])
            check(g, slope[k])


def test_softplus_without_threshold_at_plus_minus_1e4():
    v, g = run(lambda x: F.softplus(x, beta=2.0, threshold=math.inf), leaf([1e4, -1e4, 0.0]))
    check(v, [1e4, 0.0, LN2 / 2])
    check(g, [1.0, 0.0, 0.5])


def test_bce_with_logits_at_plus_minus_1e4():
    x = [1e4, -1e4, 1e4, -1e4]
    t = ag.tensor(np.array([1.0, 0.0, 0.0, 1.0]))
    v, g = run(lambda z: F.binary_cross_entropy_with_logits(z, t), leaf(x))
    check(v, (0.0 + 0.0 + 1e4 + 1e4) / 4)
    check(g, np.array([0.0, 0.0, 1.0, -1.0]) / 4)  # (sigmoid(x) - t) / N
    pw = ag.tensor(np.array([3.0, 3.0, 3.0, 3.0]))
    v, g = run(lambda z: nn.BCEWithLogitsLoss(pos_weight=pw, reduction="sum")(z, t), leaf(x))
    check(v, 1e4 + 3.0 * 1e4)
    check(g, [0.0, 0.0, 1.0, -3.0])


def test_bce_on_saturated_probabilities_clamps_the_log_at_minus_100():
    """sigmoid(+-1e4) is exactly 1 / 0: the loss is capped at 100 per element (PyTorch's clamp)
    and the gradient with respect to the probability is (p - t) / max(p (1 - p), 1e-12)."""
    t = ag.tensor(np.array([1.0, 0.0, 0.0, 1.0]))
    v, g = run(lambda p: F.binary_cross_entropy(p, t), leaf([1.0, 0.0, 1.0, 0.0]))
    check(v, (0.0 + 0.0 + 100.0 + 100.0) / 4)
    check(g, np.array([0.0, 0.0, 1e12, -1e12]) / 4)
    # through the sigmoid, the saturated slope (0) wins: finite zeros, never 0 * inf = nan
    v, g = run(lambda z: nn.BCELoss(reduction="sum")(ag.sigmoid(z), t), leaf([1e4, -1e4, 1e4, -1e4]))
    check(v, 200.0)
    check(g, [0.0, 0.0, 0.0, 0.0])


# ------------------------------------------------------------------------------ at 0
def test_log_at_zero():
    v, g = run(ag.log, leaf([0.0, 1.0]))
    check(v, [-INF, 0.0])
    check(g, [INF, 1.0])
    v, g = run(ag.log, ag.tensor(0.0, requires_grad=True))  # the scalar fast path
    check(v, -INF)
    check(g, INF)


def test_sqrt_at_zero():
    v, g = run(ag.sqrt, leaf([0.0, 4.0]))
    check(v, [0.0, 2.0])
    check(g, [INF, 0.25])
    v, g = run(ag.sqrt, ag.tensor(0.0, requires_grad=True))
    check(v, 0.0)
    check(g, INF)


def test_abs_at_zero_has_zero_subgradient():
    v, g = run(ag.abs, leaf([0.0, -2.0, 3.0]))
    check(v, [0.0, 2.0, 3.0])
    check(g, [0.0, -1.0, 1.0])
    v, g = run(ag.abs, ag.tensor(0.0, requires_grad=True))
    check(v, 0.0)
    check(g, 0.0)


@pytest.mark.parametrize("p", [2, 1, 3, 0.5, math.inf, "fro"])
def test_norm_of_zero_vector_has_zero_gradient(p):
    v, g = run(lambda x: ag.norm(x, p), leaf([0.0, 0.0, 0.0]))
    check(v, 0.0)
    check(g, [0.0, 0.0, 0.0])


def test_norm_with_some_zero_entries():
    v, g = run(lambda x: ag.norm(x, 3), leaf([0.0, 2.0, 0.0]))
    check(v, 2.0)
    check(g, [0.0, 1.0, 0.0])
    v, g = run(lambda x: ag.norm(x, 0.5), leaf([0.0, 4.0]))
    check(v, 4.0)
    check(g, [0.0, 1.0])
    v, g = run(lambda x: ag.norm(x, dim=1), leaf([[0.0, 0.0], [3.0, -4.0]]))
    check(v, [0.0, 5.0])
    check(g, [[0.0, 0.0], [0.6, -0.8]])


def test_second_order_at_zero():
    """Second derivatives through abs and norm at 0: abs gives 0 (its Hessian is 0 on both
    sides); the norm's Hessian does not exist at 0 (it is unbounded nearby): nan, as PyTorch,
    never a finite value that no limit gives (docs/conventions.md), and no warning."""
    x = leaf([0.0, 0.0])
    with strict():
        (ga,) = ag.grad((ag.abs(x) * x).sum(), x, create_graph=True)  # 2|x|: kink at 0
        (ha,) = ag.grad(ga.sum(), x)
        (gn,) = ag.grad(ag.norm(x), x, create_graph=True)
        (hn,) = ag.grad(gn.sum(), x)
    check(ga.detach().cpu().numpy(), [0.0, 0.0])
    check(ha.detach().cpu().numpy(), [0.0, 0.0])
    check(gn.detach().cpu().numpy(), [0.0, 0.0])
    assert np.isnan(hn.detach().cpu().numpy()).all()


def test_mse_and_huber_at_1e4_are_finite():
    t = ag.tensor(np.array([0.0, 0.0]))
    v, g = run(lambda x: F.mse_loss(x, t), leaf([1e4, -1e4]))
    check(v, 1e8)
    check(g, [1e4, -1e4])
    v, g = run(lambda x: F.huber_loss(x, t, delta=1.0), leaf([1e4, -1e4]))
    check(v, 1e4 - 0.5)
    check(g, [0.5, -0.5])


# ---------------------------------------------------------------- against PyTorch
EXTREME_CASES: list[tuple[str, Any, Any, Any]] = [
    # (name, tapegrad fn, torch fn, input)
    ("softmax", lambda x: ag.softmax(x, dim=-1) * ag.tensor(W3),
     lambda x, T: T.softmax(x, -1) * T.tensor(W3), [1e4, 1e4, -1e4]),
    ("softmax -inf", lambda x: ag.softmax(x, dim=-1) * ag.tensor(W3),
     lambda x, T: T.softmax(x, -1) * T.tensor(W3), [0.0, -INF, 1.0]),
    ("log_softmax", lambda x: ag.log_softmax(x, dim=-1) * ag.tensor(W3),
     lambda x, T: T.log_softmax(x, -1) * T.tensor(W3), [1e4, -1e4, 0.0]),
    ("log_softmax -inf", lambda x: ag.log_softmax(x, dim=-1)[0] + ag.log_softmax(x, dim=-1)[2],
     lambda x, T: T.log_softmax(x, -1)[0] + T.log_softmax(x, -1)[2], [0.0, -INF, 1.0]),
    ("logsumexp", lambda x: ag.logsumexp(x), lambda x, T: T.logsumexp(x, 0), [1e4, 1e4, -1e4]),
    ("logsumexp -inf", lambda x: ag.logsumexp(x), lambda x, T: T.logsumexp(x, 0),
     [0.0, -INF, 1.0]),
    ("logsumexp +inf", lambda x: ag.logsumexp(x), lambda x, T: T.logsumexp(x, 0), [INF, 1.0]),
    ("cross_entropy", lambda x: F.cross_entropy(x.reshape(2, 3), ag.tensor([1, 0])),
     lambda x, T: T.nn.functional.cross_entropy(x.reshape(2, 3), T.tensor([1, 0])),
     [1e4, -1e4, 0.0, -1e4, 0.0, 1e4]),
    ("cross_entropy -inf", lambda x: F.cross_entropy(x.reshape(2, 3), ag.tensor([2, 1])),
     lambda x, T: T.nn.functional.cross_entropy(x.reshape(2, 3), T.tensor([2, 1])),
     [0.0, -INF, 1.0, 1e4, -1e4, -INF]),
    ("cross_entropy smoothing", lambda x: F.cross_entropy(x.reshape(2, 3), ag.tensor([1, 0]),
                                                          label_smoothing=0.2),
     lambda x, T: T.nn.functional.cross_entropy(x.reshape(2, 3), T.tensor([1, 0]),
                                                label_smoothing=0.2),
     [1e4, -1e4, 0.0, -1e4, 0.0, 1e4]),
    ("sigmoid", ag.sigmoid, lambda x, T: T.sigmoid(x), [1e4, -1e4, 0.0, 40.0, -40.0]),
    ("tanh", ag.tanh, lambda x, T: T.tanh(x), [1e4, -1e4, 0.0, 20.0, -20.0]),
    ("softplus", F.softplus, lambda x, T: T.nn.functional.softplus(x), [1e4, -1e4, 0.0, 25.0]),
    ("bce_with_logits",
     lambda x: F.binary_cross_entropy_with_logits(x, ag.tensor([1.0, 0.0, 0.0, 1.0])),
     lambda x, T: T.nn.functional.binary_cross_entropy_with_logits(
         x, T.tensor([1.0, 0.0, 0.0, 1.0], dtype=T.float64)), [1e4, -1e4, 1e4, -1e4]),
    ("bce", lambda x: F.binary_cross_entropy(ag.sigmoid(x), ag.tensor([1.0, 0.0, 0.0, 1.0])),
     lambda x, T: T.nn.functional.binary_cross_entropy(
         T.sigmoid(x), T.tensor([1.0, 0.0, 0.0, 1.0], dtype=T.float64)), [1e4, -1e4, 1e4, -1e4]),
    ("log", ag.log, lambda x, T: T.log(x), [0.0, 1.0]),
    ("sqrt", ag.sqrt, lambda x, T: T.sqrt(x), [0.0, 4.0]),
    ("abs", ag.abs, lambda x, T: T.abs(x), [0.0, -2.0]),
    ("norm", lambda x: ag.norm(x), lambda x, T: T.linalg.vector_norm(x), [0.0, 0.0]),
    ("norm 1", lambda x: ag.norm(x, 1), lambda x, T: T.linalg.vector_norm(x, 1), [0.0, 0.0]),
    ("norm 3", lambda x: ag.norm(x, 3), lambda x, T: T.linalg.vector_norm(x, 3), [0.0, 2.0]),
    ("norm inf", lambda x: ag.norm(x, math.inf),
     lambda x, T: T.linalg.vector_norm(x, math.inf), [0.0, 0.0]),
]


@pytest.mark.parametrize("name,ours,theirs,x0", EXTREME_CASES, ids=[c[0] for c in EXTREME_CASES])
def test_extremes_match_pytorch(name, ours, theirs, x0):
    torch = pytest.importorskip("torch")
    xt = torch.tensor(np.array(x0, dtype=np.float64), requires_grad=True)
    yt = theirs(xt, torch)
    yt.backward(torch.ones_like(yt))
    v, g = run(ours, leaf(x0))
    want_v = yt.detach().cpu().numpy()
    want_g = xt.grad.cpu().numpy()
    check(v, want_v, rtol=1e-12)
    check(g, want_g, rtol=1e-12)


def test_bce_on_saturated_probabilities_matches_pytorch():
    """PyTorch's clamp constant 1e-12 is a float32 literal (9.9999999600e-13), so its gradient at
    p in {0, 1} is 4e-9 relatively larger than tapegrad's exact (p - t) / 1e-12."""
    torch = pytest.importorskip("torch")
    x0, t0 = [1.0, 0.0, 1.0, 0.0, 0.3], [1.0, 0.0, 0.0, 1.0, 0.2]
    xt = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    yt = torch.nn.functional.binary_cross_entropy(xt, torch.tensor(t0, dtype=torch.float64))
    yt.backward()
    v, g = run(lambda x: F.binary_cross_entropy(x, ag.tensor(t0)), leaf(x0))
    check(v, yt.detach().cpu().numpy())
    eps32 = float(np.float32(1e-12))
    check(xt.grad.cpu().numpy(), np.array([0.0, 0.0, 1 / eps32, -1 / eps32, 0.1 / 0.21]) / 5)
    check(g, np.array([0.0, 0.0, 1e12, -1e12, 0.1 / 0.21]) / 5)
