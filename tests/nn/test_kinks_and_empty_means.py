"""The issue's inputs for kinks, ties, guards and means over nothing (the full table of
conventions, first and second order, is tests/autograd/test_conventions.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
import autograd.functional as AF
import nn
import nn.functional as F
import optim
from autograd.testing import assert_allclose, assert_array_equal


def _leaf(values):
    return ag.tensor(np.array(values, dtype=np.float64), requires_grad=True)


# ------------------------------------------------------------------ clip-built activations
@pytest.mark.parametrize("fn, x, expected", [
    (F.relu6, [0.0, 3.0, 6.0], [0.0, 1.0, 0.0]),
    (F.hardtanh, [-1.0, 0.0, 1.0], [0.0, 1.0, 0.0]),
    (lambda t: F.hardtanh(t, -2.0, 3.0), [-2.0, 3.0, 2.9, -3.0], [0.0, 0.0, 1.0, 0.0]),
    (nn.ReLU6(), [0.0, 3.0, 6.0], [0.0, 1.0, 0.0]),
    (nn.Hardtanh(), [-1.0, 0.0, 1.0], [0.0, 1.0, 0.0]),
])
def test_clip_built_activations_pass_no_gradient_at_their_bounds(fn, x, expected):
    t = _leaf(x)
    fn(t).sum().backward()
    assert_array_equal(t.grad.cpu().numpy(), expected)


# --------------------------------------------------------------------- clamp: tensor bounds
def test_clamp_tie_with_a_tensor_bound_goes_to_the_input():
    """The issue's input: x = [1, 2], min = [1, 0] (both requiring grad)."""
    x, m = _leaf([1.0, 2.0]), _leaf([1.0, 0.0])
    ag.clamp(x, min=m).sum().backward()
    assert_array_equal(x.grad.cpu().numpy(), [1.0, 1.0])
    assert_array_equal(m.grad.cpu().numpy(), [0.0, 0.0])


values = st.sampled_from([-1.0, 0.0, 0.5, 1.0, 2.0])  # few values: many ties


@given(st.lists(values, min_size=1, max_size=6), values, values,
       st.sampled_from(["min", "max", "both"]))
def test_constant_and_tensor_bounds_agree(xs, lo, hi, which):
    """Siblings: every tie, bound order and bound kind gives the input the same gradient."""
    lo_c = lo if which in ("min", "both") else None
    hi_c = hi if which in ("max", "both") else None
    x1 = _leaf(xs)
    ag.clamp(x1, lo_c, hi_c).sum().backward()
    x2 = _leaf(xs)
    lo_t = None if lo_c is None else ag.tensor(np.full(len(xs), lo), requires_grad=True)
    hi_t = None if hi_c is None else ag.tensor(np.full(len(xs), hi), requires_grad=True)
    y2 = ag.clamp(x2, lo_t, hi_t)
    assert_array_equal(y2.detach().cpu().numpy(), ag.clamp(x1.detach(), lo_c, hi_c).data)
    y2.sum().backward()
    assert_array_equal(x2.grad.cpu().numpy(), x1.grad.cpu().numpy())
    # the gradient goes to exactly one of x, min, max where the result is one of them
    total = x2.grad.cpu().numpy().copy()
    for b in (lo_t, hi_t):
        if b is not None:
            total += b.grad.cpu().numpy()
    assert set(np.unique(total)) <= {0.0, 1.0}


def test_clamp_inplace_with_tensor_bounds_follows_clamp():
    x, m = _leaf([1.0, 2.0]), _leaf([1.0, 0.0])
    y = x * 1.0
    y.clamp_(min=m)
    y.sum().backward()
    assert_array_equal(x.grad.cpu().numpy(), [1.0, 1.0])
    assert_array_equal(m.grad.cpu().numpy(), [0.0, 0.0])


# ---------------------------------------------------------- guarded denominators, 2nd order
def test_hessian_of_norm_at_zero_is_nan():
    """The issue's input: PyTorch gives nan; the identity is no limit of the Hessian."""
    h = AF.hessian(lambda x: x.norm(), ag.zeros(2))
    assert np.isnan(h.detach().cpu().numpy()).all()
    g = AF.jacobian(lambda x: x.norm(), ag.zeros(2))
    assert_array_equal(g.detach().cpu().numpy(), [0.0, 0.0])  # first order: the subgradient 0


@pytest.mark.parametrize("f, x0", [
    (lambda x: x.norm(), np.zeros(4)),
    (lambda x: x.norm(3), np.zeros(4)),
    (lambda x: x.norm(1.5), np.zeros(4)),
    (lambda x: x.std(), np.ones(4)),                     # std at a constant input
    (lambda x: (x - x.mean()).norm(), np.full(4, 2.0)),  # composed: the same guard
    (lambda x: ag.norm(x.reshape(2, 2), 2, 1).sum(), np.zeros(4)),  # per-row guards
])
def test_siblings_hessians_at_their_guards_are_not_finite(f, x0):
    h = AF.hessian(f, ag.tensor(x0))
    assert not np.isfinite(h.detach().cpu().numpy()).any()
    assert_array_equal(AF.jacobian(f, ag.tensor(x0)).detach().cpu().numpy(), np.zeros(4))


def test_hessians_away_from_the_guards_stay_finite_and_right():
    x = ag.tensor([3.0, 4.0])
    h = AF.hessian(lambda t: t.norm(), x).detach().cpu().numpy()
    assert_allclose(h, (np.eye(2) - np.outer([3, 4], [3, 4]) / 25) / 5, rtol=1e-12)


# ------------------------------------------------------------------ means over nothing
def test_cross_entropy_with_every_target_ignored():
    """The issue's input: nan loss (as PyTorch), zero gradient; an optimizer step is harmless."""
    x = ag.tensor(np.random.default_rng(0).normal(size=(3, 4)), requires_grad=True)
    loss = F.cross_entropy(x, ag.tensor([-100, -100, -100]))
    assert np.isnan(loss.item())
    loss.backward()
    assert_array_equal(x.grad.cpu().numpy(), np.zeros((3, 4)))
    before = x.detach().cpu().numpy().copy()
    optim.SGD([x], lr=0.1, momentum=0.9).step()
    assert_array_equal(x.detach().cpu().numpy(), before)


@pytest.mark.parametrize("loss_fn", [
    lambda x: F.nll_loss(x, ag.tensor([-100, -100, -100])),
    lambda x: F.cross_entropy(x, ag.tensor([1, 2, 3]), ignore_index=1, weight=ag.tensor(
        [1.0, 1.0, 0.0, 0.0])),
    lambda x: F.cross_entropy(x, ag.tensor([0, 1, 0]), weight=ag.zeros(4)),
    lambda x: F.nll_loss(x, ag.tensor([0, 1, 0]), weight=ag.zeros(4)),
    lambda x: F.cross_entropy(x, ag.tensor([5, 5, 5]), ignore_index=5),
    lambda x: nn.CrossEntropyLoss(ignore_index=0)(x, ag.tensor([0, 0, 0])),
    lambda x: nn.NLLLoss(weight=ag.zeros(4))(x, ag.tensor([0, 1, 2])),
    lambda x: F.cross_entropy(x.reshape(3, 4, 1), ag.tensor([[-100], [-100], [-100]])),
    lambda x: F.cross_entropy(x, ag.tensor([1, 2, 3]), label_smoothing=0.1,
                              weight=ag.zeros(4)),
])
def test_every_mean_with_a_zero_denominator_has_a_zero_gradient(loss_fn):
    """Siblings: ignored targets, class weights summing to 0, through every path and module."""
    x = ag.tensor(np.random.default_rng(1).normal(size=(3, 4)), requires_grad=True)
    loss = loss_fn(x)
    assert np.isnan(loss.item())
    loss.backward()
    assert_array_equal(x.grad.cpu().numpy(), np.zeros((3, 4)))


def test_sum_reduction_of_nothing_is_zero():
    x = ag.tensor(np.ones((2, 3)), requires_grad=True)
    loss = F.cross_entropy(x, ag.tensor([-100, -100]), reduction="sum")
    assert loss.item() == 0.0
    loss.backward()
    assert_array_equal(x.grad.cpu().numpy(), np.zeros((2, 3)))
