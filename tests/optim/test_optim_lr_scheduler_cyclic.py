"""CyclicLR, OneCycleLR, CosineAnnealingWarmRestarts: formulas, closed form == chained form,
momentum cycling, checkpoints, errors, and PyTorch's sequences (rates and momenta) step by step."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_optim_state import npz_round_trip

import autograd as ag
import optim
from autograd.testing import assert_allclose, assert_array_equal
from optim import lr_scheduler as L

BASES = (0.5, 1.5)


def _optimizer(lib="ours", kind="sgd", bases=BASES):
    if lib == "torch":
        import torch
        ps = [torch.zeros(1, requires_grad=True) for _ in bases]
        O = torch.optim
    else:
        ps = [ag.tensor([0.0], requires_grad=True) for _ in bases]
        O = optim
    groups = [{"params": [p], "lr": b} for p, b in zip(ps, bases)]
    if kind == "sgd":
        return O.SGD(groups, momentum=0.5)
    if kind == "adam":
        return O.Adam(groups, betas=(0.9, 0.99))
    return O.Adagrad(groups)


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g.get("momentum", 0.0) for g in opt.param_groups]


def _sequence(lib, make, n, kind="sgd", epochs=None):
    """Rates and momenta after construction and after each of n steps (or step(e) for epochs)."""
    opt = _optimizer(lib, kind)
    mod = L
    if lib == "torch":
        import torch
        mod = torch.optim.lr_scheduler
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's deprecation chatter for step(epoch)
        sched = make(mod, opt)
        out = [list(sched.get_last_lr()) + _momenta(opt)]
        for e in (range(1, n + 1) if epochs is None else epochs):
            opt.step()
            sched.step() if epochs is None else sched.step(e)
            assert list(sched.get_last_lr()) == [g["lr"] for g in opt.param_groups]
            out.append(list(sched.get_last_lr()) + _momenta(opt))
    return np.array(out, dtype=np.float64)


SCHEDULES = {
    "cyclic-triangular": lambda M, o: M.CyclicLR(o, base_lr=0.1, max_lr=[1.0, 2.0],
                                                 step_size_up=3, step_size_down=5),
    "cyclic-triangular2": lambda M, o: M.CyclicLR(o, base_lr=[0.1, 0.2], max_lr=1.0,
                                                  step_size_up=4, mode="triangular2",
                                                  base_momentum=[0.7, 0.6], max_momentum=0.95),
    "cyclic-exp-range": lambda M, o: M.CyclicLR(o, base_lr=0.1, max_lr=1.0, step_size_up=4,
                                                mode="exp_range", gamma=0.9),
    "cyclic-scale-fn-iterations": lambda M, o: M.CyclicLR(
        o, base_lr=0.1, max_lr=1.0, step_size_up=2, scale_fn=lambda x: 1 / (1 + x),
        scale_mode="iterations"),
    "cyclic-scale-fn-cycle": lambda M, o: M.CyclicLR(
        o, base_lr=0.1, max_lr=1.0, step_size_up=3, step_size_down=1,
        scale_fn=lambda c: 0.5**c, cycle_momentum=False),
    "onecycle-cos": lambda M, o: M.OneCycleLR(o, max_lr=[1.0, 3.0], total_steps=30),
    "onecycle-linear-three-phase": lambda M, o: M.OneCycleLR(
        o, max_lr=1.0, total_steps=30, anneal_strategy="linear", three_phase=True,
        div_factor=5.0, final_div_factor=100.0, base_momentum=0.6, max_momentum=[0.9, 0.8]),
    "onecycle-epochs": lambda M, o: M.OneCycleLR(o, max_lr=1.0, epochs=3, steps_per_epoch=10,
                                                 pct_start=0.25, cycle_momentum=False),
    "warm-restarts": lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2,
                                                                eta_min=0.01),
    "warm-restarts-constant": lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=4),
}


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_matches_torch(name, kind):
    pytest.importorskip("torch")
    make = SCHEDULES[name]
    ours, theirs = _sequence("ours", make, 30, kind), _sequence("torch", make, 30, kind)
    assert_allclose(ours, theirs, rtol=1e-14, atol=1e-15)


@given(up=st.integers(1, 6), down=st.one_of(st.none(), st.integers(0, 6)),
       mode=st.sampled_from(["triangular", "triangular2", "exp_range"]),
       gamma=st.floats(0.5, 1.0), lo=st.floats(1e-3, 0.5), hi=st.floats(0.5, 2.0),
       momentum=st.booleans())
def test_cyclic_matches_torch_for_any_cycle(up, down, mode, gamma, lo, hi, momentum):
    pytest.importorskip("torch")
    make = lambda M, o: M.CyclicLR(o, base_lr=lo, max_lr=hi, step_size_up=up,
                                   step_size_down=down, mode=mode, gamma=gamma,
                                   cycle_momentum=momentum)
    assert_allclose(_sequence("ours", make, 25), _sequence("torch", make, 25),
                               rtol=1e-13, atol=1e-15)


@given(total=st.integers(2, 40), pct=st.floats(0.05, 0.95), three=st.booleans(),
       strategy=st.sampled_from(["cos", "linear"]), div=st.floats(1.0, 50.0),
       final_div=st.floats(1.0, 1e4))
def test_onecycle_matches_torch_for_any_shape(total, pct, three, strategy, div, final_div):
    torch = pytest.importorskip("torch")
    n = total  # every allowed step: epochs 0..total_steps
    make = lambda M, o: M.OneCycleLR(o, max_lr=2.0, total_steps=total, pct_start=pct,
                                     anneal_strategy=strategy, three_phase=three,
                                     div_factor=div, final_div_factor=final_div)
    try:
        theirs = _sequence("torch", make, n, "adam")
    except ZeroDivisionError:  # torch divides by zero in a zero-length phase (ours does not)
        return
    del torch
    assert_allclose(_sequence("ours", make, n, "adam"), theirs, rtol=1e-13,
                               atol=1e-15)


@given(T_0=st.integers(1, 5), T_mult=st.integers(1, 3), eta=st.floats(0.0, 0.4),
       epochs=st.lists(st.floats(0.0, 60.0), min_size=1, max_size=20))
def test_warm_restarts_fractional_epochs_match_torch(T_0, T_mult, eta, epochs):
    pytest.importorskip("torch")
    make = lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=T_0, T_mult=T_mult, eta_min=eta)
    ours = _sequence("ours", make, 0, epochs=epochs)
    theirs = _sequence("torch", make, 0, epochs=epochs)
    assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------- closed form == chained form
@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_step_epoch_closed_form_equals_chained_form(name):
    """step(e) for e = 1..N gives the same rates and momenta as N calls of step()."""
    make = SCHEDULES[name]
    chained = _sequence("ours", make, 30, "adam")
    closed = _sequence("ours", make, 0, "adam", epochs=range(1, 31))
    assert_allclose(closed, chained, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("T_0,T_mult", [(1, 3), (1, 10), (2, 3), (3, 2), (5, 1)])
def test_warm_restarts_closed_form_at_every_restart(T_0, T_mult):
    """Even where a floating-point logarithm rounds down (T_0 = 1, T_mult = 3 at epoch 121,
    T_mult = 10 at epoch 111) the restart epoch starts the new cycle with the base rate."""
    make = lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=T_0, T_mult=T_mult)
    n = 130
    chained = _sequence("ours", make, n)
    closed = _sequence("ours", make, 0, epochs=range(1, n + 1))
    assert_allclose(closed, chained, rtol=1e-12, atol=1e-15)
    starts, length, s = [], T_0, 0
    while s <= n:
        starts.append(s)
        s, length = s + length, length * T_mult
    for s in starts:
        assert list(closed[s, :2]) == list(BASES)


def test_warm_restarts_formula_within_an_epoch():
    opt = _optimizer()
    sched = L.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2, eta_min=0.1)
    iters = 4
    for epoch in range(6):
        for i in range(iters):
            opt.step()
            e = epoch + i / iters
            sched.step(e)
            start, T_i = (0, 2) if e < 2 else (2, 4) if e < 6 else (6, 8)
            expected = [0.1 + (b - 0.1) * (1 + math.cos(math.pi * (e - start) / T_i)) / 2
                        for b in BASES]
            assert_allclose(sched.get_last_lr(), expected, rtol=1e-14)
            assert sched.last_epoch == epoch


# ------------------------------------------------------------------------------- formulas
def test_cyclic_triangular_formula():
    opt = _optimizer()
    sched = L.CyclicLR(opt, base_lr=0.2, max_lr=1.0, step_size_up=4, step_size_down=2,
                       base_momentum=0.8, max_momentum=0.9)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.2, 0.2]  # rates start at base_lr
    assert sched.base_lrs == [0.2, 0.2]  # the cycle's floor
    for e in range(25):
        x = (e % 6) / 6
        s = x / (4 / 6) if x <= 4 / 6 else (x - 1) / (4 / 6 - 1)
        assert_allclose(sched.get_last_lr(), [0.2 + 0.8 * s] * 2, rtol=1e-14)
        assert_allclose(_momenta(opt), [0.9 - 0.1 * s] * 2, rtol=1e-14)
        opt.step()
        sched.step()


def test_onecycle_landmarks():
    opt = _optimizer(kind="adam")
    sched = L.OneCycleLR(opt, max_lr=1.0, total_steps=20, pct_start=0.25, div_factor=10.0,
                         final_div_factor=100.0)
    lrs, moms = [sched.get_last_lr()[0]], [_momenta(opt)[0]]
    for _ in range(19):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
        moms.append(_momenta(opt)[0])
    assert lrs[0] == pytest.approx(0.1) and moms[0] == pytest.approx(0.95)  # start
    assert lrs[4] == pytest.approx(1.0) and moms[4] == pytest.approx(0.85)  # peak at 0.25*20-1
    assert lrs[19] == pytest.approx(0.1 / 100) and moms[19] == pytest.approx(0.95)  # the end
    assert np.all(np.diff(lrs[:5]) > 0) and np.all(np.diff(lrs[4:]) < 0)
    assert opt.param_groups[0]["betas"][1] == 0.99  # beta2 untouched
    opt.step()
    sched.step()  # step 20 == total_steps is still allowed, as in PyTorch
    with pytest.raises(ValueError, match="tried to step 21 times, but total_steps is 20"):
        sched.step()


def test_onecycle_zero_length_phase_takes_its_end_value():
    """pct_start * total_steps == 1: the warm-up phase is the single step 0 (PyTorch divides
    by zero there); its value is the phase's end, max_lr."""
    opt = _optimizer(kind="adam")
    sched = L.OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=0.1)
    assert sched.get_last_lr()[0] == 1.0
    opt.step()
    sched.step()
    assert 0 < sched.get_last_lr()[0] < 1.0


# ---------------------------------------------------------------------------- checkpoints
CHECKPOINTED = {k: v for k, v in SCHEDULES.items() if "scale-fn" not in k}


@pytest.mark.parametrize("via", ["npz", "nn.save"])
@pytest.mark.parametrize("name", sorted(CHECKPOINTED))
def test_resume_from_state_dict(name, via, tmp_path):
    import nn

    make = lambda o: CHECKPOINTED[name](L, o)
    full = _sequence("ours", lambda M, o: make(o), 20, "adam")
    opt = _optimizer(kind="adam")
    sched = make(opt)
    for _ in range(7):
        opt.step()
        sched.step()
    saved = {"o": opt.state_dict(), "s": sched.state_dict()}
    if via == "npz":
        saved = npz_round_trip(saved)
    else:
        nn.save(saved, tmp_path / "s.npz")
        saved = nn.load(tmp_path / "s.npz")
    opt2 = _optimizer(kind="adam", bases=(9.0, 9.0))
    sched2 = make(opt2)
    opt2.load_state_dict(saved["o"])
    sched2.load_state_dict(saved["s"])
    out = []
    for _ in range(13):
        opt2.step()
        sched2.step()
        out.append(list(sched2.get_last_lr()) + _momenta(opt2))
    assert_array_equal(np.array(out), full[8:])


def test_custom_scale_fn_is_not_saved():
    opt = _optimizer()
    sched = L.CyclicLR(opt, 0.1, 1.0, scale_fn=lambda x: 1.0)
    assert "_scale_fn_custom" not in sched.state_dict()


# ---------------------------------------------------------------------------------- errors
@pytest.mark.parametrize("make,exc,match", [
    (lambda o: L.CyclicLR(o, 0.1, 1.0, mode="sawtooth"), ValueError, "mode must be"),
    (lambda o: L.CyclicLR(o, 0.1, 1.0, scale_fn=lambda x: 1.0, scale_mode="epoch"), ValueError,
     "scale_mode"),
    (lambda o: L.CyclicLR(o, 0.1, 1.0, scale_fn=3), TypeError, "callable"),
    (lambda o: L.CyclicLR(o, 0.1, 1.0, step_size_up=0), ValueError, "step_size_up"),
    (lambda o: L.CyclicLR(o, [0.1], 1.0), ValueError, "base_lr has 1 value"),
    (lambda o: L.CyclicLR(o, 0.1, 1.0, base_momentum=[0.1, 0.2, 0.3]), ValueError,
     "base_momentum has 3"),
    (lambda o: L.CyclicLR(o.__class__, 0.1, 1.0), TypeError, "expected an optim.Optimizer"),
    (lambda o: L.OneCycleLR(o, 1.0), ValueError, "total_steps or both epochs"),
    (lambda o: L.OneCycleLR(o, 1.0, total_steps=0), ValueError, "total_steps"),
    (lambda o: L.OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=-1), ValueError,
     "steps_per_epoch"),
    (lambda o: L.OneCycleLR(o, 1.0, 10, pct_start=1.5), ValueError, "pct_start"),
    (lambda o: L.OneCycleLR(o, 1.0, 10, anneal_strategy="exp"), ValueError, "anneal_strategy"),
    (lambda o: L.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "T_0"),
    (lambda o: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), ValueError, "T_mult"),
    (lambda o: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5), ValueError, "T_mult"),
    (lambda o: L.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="0"), ValueError, "eta_min"),
])
def test_errors(make, exc, match):
    with pytest.raises(exc, match=match):
        make(_optimizer())


def test_momentum_cycling_needs_a_momentum():
    for cls, kw in ((L.CyclicLR, dict(base_lr=0.1, max_lr=1.0)),
                    (L.OneCycleLR, dict(max_lr=1.0, total_steps=5))):
        with pytest.raises(ValueError, match="cycle_momentum=True needs an optimizer"):
            cls(_optimizer(kind="adagrad"), **kw)
        cls(_optimizer(kind="adagrad"), cycle_momentum=False, **kw)  # fine without


def test_warm_restarts_rejects_negative_epoch():
    opt = _optimizer()
    sched = L.CosineAnnealingWarmRestarts(opt, T_0=2)
    opt.step()
    with pytest.raises(ValueError, match="epoch must be >= 0"):
        sched.step(-1)
