"""Every scheduler's closed form (``step(epoch)``, a jump) equals its chained form (``step()``
repeated): at every epoch, at milestones and right after them, and when chaining on after a jump.

The chained sequence is also checked against the textbook formulas in
``test_optim_lr_scheduler.py``; here the two code paths are checked against each other, so a slip
in only one of them (``bisect_left`` for ``bisect_right`` in MultiStepLR's closed form, ``//`` for
``/``, an off-by-one epoch) fails.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
import optim
from autograd.testing import assert_allclose
from optim import lr_scheduler as L

BASES = (0.3, 2.0)
N = 24


def _optimizer():
    return optim.SGD([{"params": [ag.tensor([0.0], requires_grad=True)], "lr": b}
                      for b in BASES])


def chained(make, n=N):
    opt = _optimizer()
    sched = make(opt)
    out = [sched.get_last_lr()]
    for _ in range(n):
        opt.step()
        sched.step()
        out.append(sched.get_last_lr())
    return np.array(out)


def jumped(make, epoch):
    """A fresh scheduler jumped straight to ``epoch``, then one chained step after it."""
    opt = _optimizer()
    sched = make(opt)
    opt.step()  # in the order PyTorch expects (else it warns): optimizer, then scheduler
    sched.step(epoch)
    assert sched.get_last_lr() == [g["lr"] for g in opt.param_groups]
    at = sched.get_last_lr()
    sched.step()
    return np.array(at), np.array(sched.get_last_lr())


def check_closed_equals_chained(make, rtol=1e-12):
    seq = chained(make)
    for e in range(N):
        at, after = jumped(make, e)
        assert_allclose(at, seq[e], rtol=rtol, atol=1e-15, err_msg=f"step({e})")
        assert_allclose(after, seq[e + 1], rtol=rtol, atol=1e-15,
                                   err_msg=f"step({e}) then step()")


gammas = st.floats(0.05, 0.95)


def test_multistep_lr_jumps_at_milestones():
    """The issue's case: milestones [2, 4]; step(2) -> 0.1, step(4) -> 0.01 (bisect_right)."""
    opt = optim.SGD([ag.tensor([0.0], requires_grad=True)], lr=1.0)
    s = L.MultiStepLR(opt, milestones=[2, 4], gamma=0.1)
    opt.step()
    for epoch, lr in ((1, 1.0), (2, 0.1), (3, 0.1), (4, 0.01), (5, 0.01), (0, 1.0)):
        s.step(epoch)
        assert opt.param_groups[0]["lr"] == pytest.approx(lr, rel=1e-15), epoch


@given(milestones=st.lists(st.integers(0, N), max_size=5), gamma=gammas)
def test_multistep_lr(milestones, gamma):
    check_closed_equals_chained(lambda o: L.MultiStepLR(o, milestones=milestones, gamma=gamma))


@given(step=st.integers(1, 7), gamma=gammas)
def test_step_lr(step, gamma):
    check_closed_equals_chained(lambda o: L.StepLR(o, step_size=step, gamma=gamma))


@given(gamma=gammas)
def test_exponential_lr(gamma):
    check_closed_equals_chained(lambda o: L.ExponentialLR(o, gamma=gamma))


@given(rate=st.floats(0.0, 3.0), steps=st.integers(1, 6), staircase=st.booleans())
def test_inverse_time_decay(rate, steps, staircase):
    check_closed_equals_chained(
        lambda o: L.InverseTimeDecay(o, decay_rate=rate, decay_steps=steps, staircase=staircase))


@given(total=st.integers(1, 10), power=st.floats(0.1, 3.0))
def test_polynomial_lr(total, power):
    check_closed_equals_chained(lambda o: L.PolynomialLR(o, total_iters=total, power=power))


@given(T=st.integers(1, 10), eta=st.floats(0.0, 0.25))
def test_cosine_annealing_lr(T, eta):
    check_closed_equals_chained(lambda o: L.CosineAnnealingLR(o, T_max=T, eta_min=eta),
                                rtol=1e-10)


@given(start=st.floats(0.01, 1.0), end=st.floats(0.0, 1.0), total=st.integers(1, 10))
def test_linear_lr(start, end, total):
    check_closed_equals_chained(
        lambda o: L.LinearLR(o, start_factor=start, end_factor=end, total_iters=total))


@given(a=st.floats(0.5, 0.99))
def test_lambda_lr(a):
    check_closed_equals_chained(lambda o: L.LambdaLR(o, lambda e: a**e + 1.0 / (e + 1)))


def test_every_scheduler_is_covered():
    """A new scheduler class must get a closed-vs-chained test here."""
    tested = {"MultiStepLR", "StepLR", "ExponentialLR", "InverseTimeDecay", "PolynomialLR",
              "CosineAnnealingLR", "LinearLR", "LambdaLR"}
    # step(epoch) raises / abstract base / steps other schedulers / steps on a metric, not an epoch
    no_jump = {"SequentialLR", "LRScheduler", "ChainedScheduler", "ReduceLROnPlateau"}
    # their step(epoch) == chained step() checks live in test_optim_lr_scheduler_cyclic.py
    tested |= {"CyclicLR", "OneCycleLR", "CosineAnnealingWarmRestarts"}
    names = {n for n in L.__all__ if isinstance(getattr(L, n), type)}
    assert names - tested - no_jump == set()
