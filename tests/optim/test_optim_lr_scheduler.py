"""Learning-rate schedules: the rate sequence over N epochs equals the closed form."""

from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
import optim
from autograd.testing import assert_allclose
from optim import lr_scheduler as L

BASES = (0.3, 2.0)  # two parameter groups with different base rates
N = 30
gammas = st.floats(0.05, 1.0)


def _optimizer(bases=BASES):
    return optim.SGD([{"params": [ag.tensor([0.0], requires_grad=True)], "lr": b} for b in bases])


def run(make, n=N, bases=BASES):
    """Rates per epoch 0..n as returned by get_last_lr(), checked against the groups' 'lr'."""
    opt = _optimizer(bases)
    sched = make(opt)
    out = []
    for epoch in range(n + 1):
        lrs = sched.get_last_lr()
        assert lrs == [g["lr"] for g in opt.param_groups]
        out.append(lrs)
        if epoch < n:
            opt.step()
            sched.step()
    return np.array(out)


def closed(f, n=N, bases=BASES):
    return np.array([[b * f(e) for b in bases] for e in range(n + 1)])


def check(make, f, n=N, rtol=1e-12):
    assert_allclose(run(make, n), closed(f, n), rtol=rtol, atol=1e-15)


@given(a=st.floats(0.5, 0.99), c=st.floats(0.0, 2.0))
def test_lambda_lr(a, c):
    fn = lambda e: a**e + c / (e + 1)
    check(lambda o: L.LambdaLR(o, fn), fn)


def test_lambda_lr_per_group():
    fns = [lambda e: 0.9**e, lambda e: 1.0 + e]
    got = run(lambda o: L.LambdaLR(o, fns))
    expected = np.array([[BASES[0] * 0.9**e, BASES[1] * (1.0 + e)] for e in range(N + 1)])
    assert_allclose(got, expected, rtol=1e-14)


@given(step=st.integers(1, 8), gamma=gammas)
def test_step_lr(step, gamma):
    check(lambda o: L.StepLR(o, step_size=step, gamma=gamma), lambda e: gamma ** (e // step))


@given(milestones=st.lists(st.integers(0, N + 3), max_size=5), gamma=gammas)
def test_multistep_lr(milestones, gamma):
    ms = sorted(milestones)
    check(lambda o: L.MultiStepLR(o, milestones=milestones, gamma=gamma),
          lambda e: gamma ** bisect_right(ms, e))


@given(gamma=gammas)
def test_exponential_lr(gamma):
    check(lambda o: L.ExponentialLR(o, gamma=gamma), lambda e: gamma**e)


@given(rate=st.floats(0.0, 3.0), steps=st.integers(1, 6), staircase=st.booleans())
def test_inverse_time_decay(rate, steps, staircase):
    """Seed 001: lr = lr0 / (1 + decay_rate * epoch) (epoch counted in units of decay_steps)."""
    t = (lambda e: e // steps) if staircase else (lambda e: e / steps)
    check(lambda o: L.InverseTimeDecay(o, decay_rate=rate, decay_steps=steps, staircase=staircase),
          lambda e: 1.0 / (1.0 + rate * t(e)))


@given(total=st.integers(1, 12), power=st.floats(0.1, 3.0))
def test_polynomial_lr(total, power):
    check(lambda o: L.PolynomialLR(o, total_iters=total, power=power),
          lambda e: (1 - min(e, total) / total) ** power)


@given(T=st.integers(1, 12), eta=st.floats(0.0, 0.25))
def test_cosine_annealing_lr(T, eta):
    """Within T_max and beyond (the curve continues as a cosine)."""
    expected = np.array([[eta + (b - eta) * (1 + math.cos(math.pi * e / T)) / 2 for b in BASES]
                         for e in range(N + 1)])
    assert_allclose(run(lambda o: L.CosineAnnealingLR(o, T_max=T, eta_min=eta)),
                               expected, rtol=1e-11, atol=1e-14)


@given(start=st.floats(0.01, 1.0), end=st.floats(0.0, 1.0), total=st.integers(1, 12))
def test_linear_lr(start, end, total):
    check(lambda o: L.LinearLR(o, start_factor=start, end_factor=end, total_iters=total),
          lambda e: start + (end - start) * min(e, total) / total)


@given(warm=st.integers(1, 8), T=st.integers(1, 15), gamma=gammas, m2=st.integers(0, 10))
def test_sequential_lr_warmup_cosine_exponential(warm, T, gamma, m2):
    m1, m2 = warm, warm + m2 + 1

    def f(e):
        if e < m1:
            return 0.1 + 0.9 * min(e, 4) / 4
        if e < m2:
            return (1 + math.cos(math.pi * (e - m1) / T)) / 2
        return gamma ** (e - m2)

    check(lambda o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.1, total_iters=4),
                                       L.CosineAnnealingLR(o, T_max=T),
                                       L.ExponentialLR(o, gamma=gamma)], milestones=[m1, m2]),
          f, rtol=1e-11)


def test_step_with_epoch_jumps_to_closed_form():
    opt = _optimizer()
    sched = L.StepLR(opt, step_size=2, gamma=0.5)
    opt.step()
    sched.step(7)
    assert sched.last_epoch == 7
    assert_allclose(sched.get_last_lr(), [b * 0.5**3 for b in BASES], rtol=1e-15)
    sched.step()
    assert_allclose(sched.get_last_lr(), [b * 0.5**4 for b in BASES], rtol=1e-15)


def test_chainable_respects_manual_changes():
    """Like PyTorch, each step starts from the group's current rate."""
    opt = _optimizer()
    sched = L.ExponentialLR(opt, gamma=0.5)
    opt.step()
    sched.step()
    opt.param_groups[0]["lr"] = 10.0
    sched.step()
    assert sched.get_last_lr()[0] == 5.0
    assert sched.get_last_lr()[1] == BASES[1] * 0.25


def test_initial_lr_and_resuming_with_last_epoch():
    opt = _optimizer()
    with pytest.raises(KeyError, match="initial_lr"):
        L.StepLR(opt, step_size=2, last_epoch=4)
    sched = L.CosineAnnealingLR(opt, T_max=10)
    assert [g["initial_lr"] for g in opt.param_groups] == list(BASES)
    for _ in range(3):
        opt.step()
        sched.step()
    # a scheduler rebuilt at epoch 3 continues from the closed form at epoch 4
    again = L.CosineAnnealingLR(opt, T_max=10, last_epoch=3)
    assert_allclose(again.get_last_lr(),
                               [b * (1 + math.cos(math.pi * 4 / 10)) / 2 for b in BASES],
                               rtol=1e-14)


def test_get_last_lr_is_a_copy():
    sched = L.ExponentialLR(_optimizer(), gamma=0.5)
    sched.get_last_lr().append(1.0)
    assert len(sched.get_last_lr()) == 2


@pytest.mark.parametrize("make,err,match", [
    (lambda o: L.StepLR(o, step_size=0), ValueError, "step_size"),
    (lambda o: L.StepLR(o, step_size=2.5), ValueError, "step_size"),
    (lambda o: L.MultiStepLR(o, milestones=[1.5]), ValueError, "integers"),
    (lambda o: L.CosineAnnealingLR(o, T_max=0), ValueError, "T_max"),
    (lambda o: L.PolynomialLR(o, total_iters=-1), ValueError, "total_iters"),
    (lambda o: L.LinearLR(o, start_factor=0.0), ValueError, "start_factor"),
    (lambda o: L.LinearLR(o, start_factor=1.5), ValueError, "start_factor"),
    (lambda o: L.LinearLR(o, end_factor=-0.1), ValueError, "end_factor"),
    (lambda o: L.InverseTimeDecay(o, decay_rate=-1.0), ValueError, "decay_rate"),
    (lambda o: L.InverseTimeDecay(o, decay_rate=1.0, decay_steps=0), ValueError, "decay_steps"),
    (lambda o: L.LambdaLR(o, [lambda e: 1.0]), ValueError, "2 functions"),
    (lambda o: L.SequentialLR(o, [L.ExponentialLR(o, 0.5)], milestones=[3]), ValueError,
     "0 milestone"),
    (lambda o: L.SequentialLR(o, [L.ExponentialLR(o, 0.5), L.StepLR(o, 2)], [5, 3]), ValueError,
     "1 milestone"),
    (lambda o: L.SequentialLR(o, [L.ExponentialLR(_optimizer(), 0.5)], []), ValueError,
     "different optimizer"),
    (lambda o: L.SequentialLR(o, [], []), ValueError, "at least one"),
    (lambda o: L.StepLR("sgd", 2), TypeError, "expected an optim.Optimizer"),
])
def test_errors(make, err, match):
    with pytest.raises(err, match=match):
        make(_optimizer())


def test_schedules_drive_training():
    """A schedule changes the rate the optimizer actually uses."""
    p = ag.tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    sched = L.StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        p.grad = ag.tensor([1.0])
        opt.step()
        sched.step()
    assert p.item() == 1.0 - 1.0 - 0.5 - 0.25
