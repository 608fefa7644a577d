"""Mini-batch semantics (batch GD, mini-batch, batch size 1 = SGD) with the loader + autograd."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd.data import DataLoader, TensorDataset
from autograd.testing import assert_allclose


def linear_problem(n=64, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    w_true = np.array([1.5, -2.0, 0.5])[:d]
    y = X @ w_true + 0.3
    return X, y


def mse_grad(w, b, xb, yb):
    w.grad = b.grad = None
    pred = xb @ w + b
    loss = ((pred - yb) ** 2).mean()
    loss.backward()
    return w.grad.cpu().numpy().copy(), b.grad.cpu().numpy().copy()


@given(n=st.integers(1, 20), bs=st.integers(1, 20), seed=st.integers(0, 100))
def test_mean_of_batch_gradients_weighted_by_size_is_the_full_batch_gradient(n, bs, seed):
    """Mean-reduced losses: the full-batch gradient is the size-weighted mean of batch gradients."""
    X, y = linear_problem(n, seed=seed)
    w = ag.tensor(np.random.default_rng(seed).normal(size=3), requires_grad=True)
    b = ag.tensor(0.1, requires_grad=True)
    gw_full, gb_full = mse_grad(w, b, ag.tensor(X), ag.tensor(y))
    acc_w, acc_b = np.zeros(3), 0.0
    for xb, yb in DataLoader(TensorDataset(X, y), batch_size=bs, shuffle=True, seed=seed):
        gw, gb = mse_grad(w, b, xb.to(w.device), yb.to(w.device))  # host batches, moved
        acc_w += gw * len(yb) / n
        acc_b += gb * len(yb) / n
    assert_allclose(acc_w, gw_full, rtol=1e-10, atol=1e-12)
    assert_allclose(acc_b, gb_full, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("batch_size, lr, epochs", [(64, 0.3, 60), (8, 0.05, 30), (1, 0.01, 15)])
def test_full_batch_mini_batch_and_sgd_all_fit_a_linear_model(batch_size, lr, epochs):
    X, y = linear_problem()
    w = ag.zeros(3, requires_grad=True)
    b = ag.tensor(0.0, requires_grad=True)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True, seed=0)
    for _ in range(epochs):
        for xb, yb in loader:
            gw, gb = mse_grad(w, b, xb.to(w.device), yb.to(w.device))  # host batches, moved
            with ag.no_grad():  # plain gradient-descent update w -= lr * dC/dw
                w.data = w.detach() - lr * ag.tensor(gw, device=w.device)
                b.data = b.detach() - lr * ag.tensor(gb, device=b.device)
    assert_allclose(w.detach().cpu().numpy(), [1.5, -2.0, 0.5], atol=1e-3)
    assert_allclose(b.detach().cpu().numpy(), 0.3, atol=1e-3)
