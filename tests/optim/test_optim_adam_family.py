"""NAdam, RAdam, Adamax, Adadelta: option checks and the behaviour their formulas promise.

The step-by-step formulas, torch equality, checkpoints and convergence are covered with the other
optimizers through ``optim_reference.CASES``; these are the cases specific to each algorithm.
"""

from __future__ import annotations

import numpy as np
import pytest
from optim_reference import ref_adam, ref_nadam, ref_radam

import autograd as ag
import optim
from autograd.devices import to_host
from autograd.testing import assert_allclose


def leaf(*values):
    return ag.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def _run(cls, opts, x0, grads):
    p = ag.tensor(np.array(x0, dtype=np.float64), requires_grad=True)
    opt = cls([p], **opts)
    for g in grads:
        p.grad = ag.tensor(np.asarray(g, dtype=np.float64))
        opt.step()
    return p, opt


@pytest.mark.parametrize("cls,options,match", [
    (optim.NAdam, dict(momentum_decay=-1e-3), "momentum_decay"),
    (optim.NAdam, dict(betas=(1.0, 0.999)), "beta parameter at index 0"),
    (optim.NAdam, dict(betas=(0.9, 1.0)), "beta parameter at index 1"),
    (optim.NAdam, dict(eps=-1.0), "epsilon"),
    (optim.NAdam, dict(weight_decay=-1.0), "weight_decay"),
    (optim.RAdam, dict(betas=(0.9,)), "pair"),
    (optim.RAdam, dict(betas=(-0.1, 0.999)), "beta parameter at index 0"),
    (optim.RAdam, dict(eps=-1.0), "epsilon"),
    (optim.RAdam, dict(weight_decay=-1.0), "weight_decay"),
    (optim.Adamax, dict(betas=(0.9, 1.5)), "beta parameter at index 1"),
    (optim.Adamax, dict(eps=-1.0), "epsilon"),
    (optim.Adamax, dict(weight_decay=-1.0), "weight_decay"),
    (optim.Adadelta, dict(rho=1.01), "rho"),
    (optim.Adadelta, dict(rho=-0.1), "rho"),
    (optim.Adadelta, dict(eps=-1.0), "epsilon"),
    (optim.Adadelta, dict(weight_decay=-1.0), "weight_decay"),
])
def test_rejects_invalid_hyperparameters(cls, options, match):
    with pytest.raises(ValueError, match=match):
        cls([leaf(1.0, 2.0)], lr=0.1, **options)


def test_torch_defaults():
    p = leaf(1.0)
    assert optim.NAdam([p]).defaults == dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8,
                                             weight_decay=0.0, momentum_decay=4e-3,
                                             decoupled_weight_decay=False, maximize=False)
    assert optim.RAdam([p]).defaults == dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                                             weight_decay=0.0, decoupled_weight_decay=False,
                                             maximize=False)
    assert optim.Adamax([p]).defaults == dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8,
                                              weight_decay=0.0, maximize=False)
    assert optim.Adadelta([p]).defaults == dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0,
                                                maximize=False)


# ---------------------------------------------------------------------------------- NAdam
def test_nadam_momentum_schedule_and_mu_product():
    """mu_t = beta1 (1 - 0.96**(t psi) / 2); the state keeps their running product."""
    p, opt = _run(optim.NAdam, dict(lr=0.01, momentum_decay=0.3), [1.0, 2.0], [[0.5, -1.0]] * 4)
    mus = [0.9 * (1 - 0.5 * 0.96 ** (t * 0.3)) for t in range(1, 5)]
    assert opt.state[p]["mu_product"] == pytest.approx(np.prod(mus), rel=1e-15)
    assert type(opt.state[p]["mu_product"]) is float and opt.state[p]["step"] == 4


def test_nadam_with_constant_momentum_is_adam_with_nesterov_look_ahead():
    """momentum_decay = 0 makes every mu_t = beta1 / 2; the update is then
    ((1 - mu) g / (1 - mu^t) + mu m / (1 - mu^(t+1))) / sqrt(v_hat)."""
    rng = np.random.default_rng(0)
    x0, grads = rng.standard_normal(4), [rng.standard_normal(4) for _ in range(6)]
    p, _ = _run(optim.NAdam, dict(lr=0.05, betas=(0.8, 0.99), momentum_decay=0.0), x0, grads)
    assert_allclose(p.data, ref_nadam(x0, grads, lr=0.05, betas=(0.8, 0.99),
                                                 momentum_decay=0.0), rtol=1e-13)
    # by hand, with mu = beta1 / 2 = 0.4 throughout
    x, m, v, mu = x0.copy(), np.zeros(4), np.zeros(4), 0.4
    for t, g in enumerate(grads, start=1):
        m = 0.8 * m + 0.2 * g
        v = 0.99 * v + 0.01 * g * g
        step = (1 - mu) * g / (1 - mu**t) + mu * m / (1 - mu ** (t + 1))
        x = x - 0.05 * step / (np.sqrt(v / (1 - 0.99**t)) + 1e-8)
    assert_allclose(p.data, x, rtol=1e-13)


def test_nadam_decoupled_decay_shrinks_before_the_step():
    x0, grads = [1.0, -2.0], [[0.0, 0.0]]
    p, _ = _run(optim.NAdam, dict(lr=0.1, weight_decay=0.5, decoupled_weight_decay=True), x0,
                grads)
    assert_allclose(p.data, np.array(x0) * (1 - 0.1 * 0.5), rtol=1e-15)
    q, _ = _run(optim.NAdam, dict(lr=0.1, weight_decay=0.5), x0, grads)  # coupled: a real step
    assert not np.allclose(q.detach().cpu().numpy(), p.detach().cpu().numpy())


# ---------------------------------------------------------------------------------- RAdam
def test_radam_switches_to_the_adaptive_step_once_rho_exceeds_5():
    """beta2 = 0.999: rho_t <= 5 for t <= 5 (bias-corrected momentum SGD), adaptive from t = 6."""
    beta2 = 0.999
    rho_inf = 2 / (1 - beta2) - 1
    rho = [rho_inf - 2 * t * beta2**t / (1 - beta2**t) for t in range(1, 9)]
    assert [r > 5 for r in rho] == [False] * 5 + [True] * 3
    rng = np.random.default_rng(1)
    x0, grads = rng.standard_normal(3), [rng.standard_normal(3) for _ in range(8)]
    for n in range(1, 9):
        p, _ = _run(optim.RAdam, dict(lr=0.1), x0, grads[:n])
        assert_allclose(p.data, ref_radam(x0, grads[:n], lr=0.1), rtol=1e-13)
        if n <= 5:  # momentum SGD: x - lr * sum of bias-corrected averages, no division by v
            x, m = x0.copy(), np.zeros(3)
            for t, g in enumerate(grads[:n], start=1):
                m = 0.9 * m + 0.1 * g
                x = x - 0.1 * m / (1 - 0.9**t)
            assert_allclose(p.data, x, rtol=1e-13)


def test_radam_step_approaches_adams_when_rectification_saturates():
    """For large t the rectification term tends to 1: RAdam's step becomes Adam's."""
    g = [np.array([0.3, -0.7])] * 2001
    a0, _ = _run(optim.RAdam, dict(lr=1e-4, betas=(0.9, 0.9)), [0.0, 0.0], g[:-1])
    a1, _ = _run(optim.RAdam, dict(lr=1e-4, betas=(0.9, 0.9)), [0.0, 0.0], g)
    b0 = ref_adam(np.zeros(2), g[:-1], lr=1e-4, betas=(0.9, 0.9))
    b1 = ref_adam(np.zeros(2), g, lr=1e-4, betas=(0.9, 0.9))
    # beta2**t ~ 1e-92: rho_t = rho_inf and rect = 1 to machine precision
    assert_allclose(a1.data - a0.data, b1 - b0, rtol=1e-9)
    assert not np.allclose(a1.detach().cpu().numpy(), b1, rtol=1e-3, atol=0)  # the early steps differed


# --------------------------------------------------------------------------------- Adamax
def test_adamax_infinity_norm_tracks_the_largest_recent_gradient():
    p, opt = _run(optim.Adamax, dict(lr=0.01, betas=(0.9, 0.5), eps=0.0), [0.0],
                  [[4.0], [1.0], [3.0]])
    # u = max(0.5 u, |g|): 4, 2, 3
    assert float(to_host(opt.state[p]["exp_inf"])[0]) == 3.0


def test_adamax_nan_gradient_propagates_on_both_paths():
    for make in (lambda: ag.tensor(0.5, requires_grad=True), lambda: leaf(0.5)):
        p = make()
        opt = optim.Adamax([p], lr=0.1)
        p.grad = ag.tensor(1.0) if p.shape == () else ag.tensor([1.0])
        opt.step()
        p.grad = ag.tensor(float("nan")) if p.shape == () else ag.tensor([float("nan")])
        with np.errstate(invalid="ignore"):
            opt.step()
        assert np.isnan(to_host(opt.state[p]["exp_inf"])).all()


# ------------------------------------------------------------------------------- Adadelta
def test_adadelta_first_step_is_sqrt_eps_over_rms():
    g = np.array([3.0, -0.5])
    p, opt = _run(optim.Adadelta, dict(lr=1.0, rho=0.9, eps=1e-6), [0.0, 0.0], [g])
    assert_allclose(p.data, -np.sqrt(1e-6) / np.sqrt(0.1 * g * g + 1e-6) * g,
                               rtol=1e-15)
    delta = p.data
    assert_allclose(opt.state[p]["acc_delta"], 0.1 * delta * delta, rtol=1e-15)
    assert opt.state[p]["step"] == 1


def test_adadelta_is_invariant_to_gradient_scale_after_warm_up():
    """Its steps have the units of the parameter: scaling every gradient by c (with eps -> 0)
    leaves the trajectory unchanged, unlike SGD's."""
    rng = np.random.default_rng(2)
    x0, grads = rng.standard_normal(3), [rng.standard_normal(3) for _ in range(10)]
    a, _ = _run(optim.Adadelta, dict(eps=1e-12), x0, grads)
    b, _ = _run(optim.Adadelta, dict(eps=1e-12), x0, [100.0 * g for g in grads])
    assert_allclose(a.data, b.data, rtol=1e-8)
