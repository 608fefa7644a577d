"""ReduceLROnPlateau, ChainedScheduler and the "scheduler stepped before optimizer" warning."""

from __future__ import annotations

import copy
import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_optim_state import npz_round_trip

import autograd as ag
import nn
import optim
from autograd.testing import assert_allclose, assert_array_equal
from optim import lr_scheduler as L

BASES = (0.5, 1.5)


def _optimizer(lib="ours", bases=BASES):
    if lib == "torch":
        import torch
        ps = [torch.zeros(1, requires_grad=True) for _ in bases]
        return torch.optim.SGD([{"params": [p], "lr": b} for p, b in zip(ps, bases)])
    ps = [ag.tensor([0.0], requires_grad=True) for _ in bases]
    return optim.SGD([{"params": [p], "lr": b} for p, b in zip(ps, bases)])


def _plateau_run(lib, metrics, **options):
    opt = _optimizer(lib)
    mod = L
    if lib == "torch":
        import torch
        mod = torch.optim.lr_scheduler
    sched = mod.ReduceLROnPlateau(opt, **options)
    out = [list(sched.get_last_lr())]
    for m in metrics:
        opt.step()
        sched.step(m)
        out.append(list(sched.get_last_lr()) + [sched.num_bad_epochs, sched.cooldown_counter,
                                                 sched.best, sched.last_epoch])
    return out


plateau_options = st.fixed_dictionaries({
    "mode": st.sampled_from(["min", "max"]),
    "factor": st.sampled_from([0.1, 0.5, 0.9]),
    "patience": st.integers(0, 3),
    "threshold": st.sampled_from([0.0, 1e-4, 0.1]),
    "threshold_mode": st.sampled_from(["rel", "abs"]),
    "cooldown": st.integers(0, 2),
    "min_lr": st.sampled_from([0.0, 0.05, [0.2, 0.01]]),
    "eps": st.sampled_from([1e-8, 0.05]),
})
# plateaus, ties and small changes make the threshold and patience matter
metric_lists = st.lists(st.sampled_from([1.0, 0.99, 0.9999, 0.5, 2.0, -1.0, 0.0, 1.0001]),
                        min_size=1, max_size=30)


@given(options=plateau_options, metrics=metric_lists)
def test_plateau_matches_torch(options, metrics):
    pytest.importorskip("torch")
    assert _plateau_run("ours", metrics, **options) == _plateau_run("torch", metrics, **options)


def test_plateau_patience_cooldown_and_floor():
    """patience=2, cooldown=1, factor 0.5, floor 0.2 (group 0) and 0.7 (group 1)."""
    metrics = [5, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3]
    out = _plateau_run("ours", metrics, factor=0.5, patience=2, cooldown=1, min_lr=[0.2, 0.7])
    lrs = [row[:2] for row in out]
    # bad epochs: 3rd..5th 4s -> cut after the 3rd bad (epoch 5); cooldown epoch 6 ignores its
    # bad epoch; epochs 7, 8, 9 bad -> cut at epoch 9; then 3 improves, 3 3 3 bad (cut at 13)
    expected = ([[0.5, 1.5]] * 5 + [[0.25, 0.75]] * 4 + [[0.2, 0.7]] * 5)
    assert lrs == expected


def test_plateau_eps_skips_tiny_cuts_and_nan_is_never_better():
    opt = _optimizer(bases=(1e-9, 1.0))
    sched = L.ReduceLROnPlateau(opt, patience=0, factor=0.5)
    for m in (1.0, float("nan"), float("nan")):
        opt.step()
        sched.step(m)
    assert sched.get_last_lr() == [1e-9, 0.25]  # 1e-9 -> 5e-10 changes by less than eps
    assert sched.best == 1.0


def test_plateau_accepts_tensors_and_warns_on_explicit_epoch():
    opt = _optimizer()
    sched = L.ReduceLROnPlateau(opt)
    opt.step()
    sched.step(ag.tensor(0.5))
    assert sched.best == 0.5 and sched.last_epoch == 1
    with pytest.warns(UserWarning, match="epoch argument is deprecated"):
        sched.step(0.4, epoch=7)
    assert sched.last_epoch == 7


@pytest.mark.parametrize("via", ["deepcopy", "npz", "nn.save"])
def test_plateau_resume(via, tmp_path):
    metrics = [3.0, 2.0, 2.0, 2.5, 2.0, 1.0, 1.0, 1.0, 1.0, 1.2, 0.5, 0.5, 0.5, 0.5]
    opts = dict(mode="min", factor=0.5, patience=1, cooldown=1, min_lr=[0.01, 0.02])
    full = _plateau_run("ours", metrics, **opts)
    opt = _optimizer()
    sched = L.ReduceLROnPlateau(opt, **opts)
    for m in metrics[:6]:
        opt.step()
        sched.step(m)
    saved = {"o": opt.state_dict(), "s": sched.state_dict()}
    if via == "deepcopy":
        saved = copy.deepcopy(saved)
    elif via == "npz":  # (a list min_lr: default_min_lr is None, which bare .npz cannot hold)
        saved["s"].pop("default_min_lr")
        saved = npz_round_trip(saved)
    else:
        nn.save(saved, tmp_path / "p.npz")
        saved = nn.load(tmp_path / "p.npz")
    opt2 = _optimizer(bases=(7.0, 7.0))
    sched2 = L.ReduceLROnPlateau(opt2, mode="max", threshold_mode="abs", min_lr=[0.0, 0.0])
    opt2.load_state_dict(saved["o"])
    sched2.load_state_dict(saved["s"])
    assert sched2.mode == "min" and sched2.mode_worse == math.inf
    rows = []
    for m in metrics[6:]:
        opt2.step()
        sched2.step(m)
        rows.append(list(sched2.get_last_lr()) + [sched2.num_bad_epochs,
                                                   sched2.cooldown_counter, sched2.best,
                                                   sched2.last_epoch])
    assert rows == full[7:]


@pytest.mark.parametrize("options,match", [
    (dict(factor=1.0), "factor must be < 1.0"),
    (dict(mode="median"), "mode must be 'min' or 'max'"),
    (dict(threshold_mode="pct"), "threshold_mode must be 'rel' or 'abs'"),
    (dict(patience=-1), "patience must be an integer >= 0"),
    (dict(cooldown=1.5), "cooldown must be an integer >= 0"),
    (dict(min_lr=[0.1]), "expected 2 min_lr values"),
])
def test_plateau_errors(options, match):
    with pytest.raises(ValueError, match=match):
        L.ReduceLROnPlateau(_optimizer(), **options)
    with pytest.raises(TypeError, match="expected an optim.Optimizer"):
        L.ReduceLROnPlateau("sgd")


def test_plateau_group_added_later():
    opt = _optimizer()
    sched = L.ReduceLROnPlateau(opt, patience=0, min_lr=0.3)
    opt.add_param_group({"params": [ag.tensor([1.0], requires_grad=True)], "lr": 1.0})
    for m in (1.0, 2.0):
        opt.step()
        sched.step(m)
    assert sched.get_last_lr() == [0.3, 0.3, 0.3]  # a single min_lr covers the new group
    opt = _optimizer()
    sched = L.ReduceLROnPlateau(opt, patience=0, min_lr=[0.1, 0.1])
    opt.add_param_group({"params": [ag.tensor([1.0], requires_grad=True)], "lr": 1.0})
    opt.step()
    sched.step(1.0)
    with pytest.raises(RuntimeError, match="min_lr was given for 2"):
        sched.step(2.0)


# ------------------------------------------------------------------------------- chained
CHAINS = {
    "warmup-times-decay": lambda M, o: M.ChainedScheduler(
        [M.LinearLR(o, start_factor=0.2, total_iters=5), M.ExponentialLR(o, gamma=0.9)]),
    "three": lambda M, o: M.ChainedScheduler(
        [M.StepLR(o, step_size=4, gamma=0.5), M.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
         M.MultiStepLR(o, milestones=[3, 9], gamma=0.7)], optimizer=o),
    "with-sequential": lambda M, o: M.ChainedScheduler(
        [M.SequentialLR(o, [M.LinearLR(o, 0.3, total_iters=3), M.ExponentialLR(o, 0.8)],
                        milestones=[4]), M.StepLR(o, 5, 0.5)]),
}


def _chained(lib, make, n=25):
    opt = _optimizer(lib)
    mod = L
    if lib == "torch":
        import torch
        mod = torch.optim.lr_scheduler
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = make(mod, opt)
        out = [list(sched.get_last_lr())]
        for _ in range(n):
            opt.step()
            sched.step()
            out.append(list(sched.get_last_lr()))
    return np.array(out)


@pytest.mark.parametrize("name", sorted(CHAINS))
def test_chained_matches_torch(name):
    pytest.importorskip("torch")
    assert_allclose(_chained("ours", CHAINS[name]), _chained("torch", CHAINS[name]),
                               rtol=1e-13, atol=0)


def test_chained_is_the_product_of_factors():
    """LinearLR warm-up then ExponentialLR decay: lr = base * warmup(e) * gamma**e."""
    rates = _chained("ours", CHAINS["warmup-times-decay"], 12)
    for e, row in enumerate(rates):
        f = 0.2 + 0.8 * min(e, 5) / 5
        assert_allclose(row, [b * f * 0.9**e for b in BASES], rtol=1e-13)


@pytest.mark.parametrize("via", ["deepcopy", "npz", "nn.save"])
def test_chained_resume(via, tmp_path):
    make = lambda o: CHAINS["three"](L, o)
    full = _chained("ours", lambda M, o: make(o), 20)
    opt = _optimizer()
    sched = make(opt)
    for _ in range(8):
        opt.step()
        sched.step()
    saved = {"o": opt.state_dict(), "s": sched.state_dict()}
    assert len(saved["s"]["_schedulers"]) == 3
    if via == "deepcopy":
        saved = copy.deepcopy(saved)
    elif via == "npz":
        saved = npz_round_trip(saved)
    else:
        nn.save(saved, tmp_path / "c.npz")
        saved = nn.load(tmp_path / "c.npz")
    opt2 = _optimizer(bases=(3.0, 3.0))
    sched2 = make(opt2)
    opt2.load_state_dict(saved["o"])
    sched2.load_state_dict(saved["s"])
    rows = []
    for _ in range(12):
        opt2.step()
        sched2.step()
        rows.append(sched2.get_last_lr())
    assert_array_equal(np.array(rows), full[9:])
    with pytest.raises(ValueError, match="saved 1 scheduler.*this one has 3"):
        sched2.load_state_dict({**sched2.state_dict(), "_schedulers": [{}]})


def test_chained_errors():
    opt, other = _optimizer(), _optimizer()
    with pytest.raises(ValueError, match="at least one"):
        L.ChainedScheduler([])
    with pytest.raises(TypeError, match="not a learning-rate scheduler"):
        L.ChainedScheduler([opt])
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        L.ChainedScheduler([L.StepLR(opt, 2), L.ReduceLROnPlateau(opt)])
    with pytest.raises(ValueError, match="different optimizer"):
        L.ChainedScheduler([L.StepLR(opt, 2), L.StepLR(other, 2)])
    with pytest.raises(ValueError, match="different optimizer"):
        L.ChainedScheduler([L.StepLR(opt, 2)], optimizer=other)
    assert "StepLR" in repr(L.ChainedScheduler([L.StepLR(opt, 2)]))


# ------------------------------------------------------------- stepped before the optimizer
def _make_all(opt):
    """One of each schedule on ``opt`` (all but ReduceLROnPlateau, which never warns)."""
    return [
        L.StepLR(opt, 2), L.CosineAnnealingLR(opt, 5), L.LambdaLR(opt, lambda e: 1.0),
        L.CyclicLR(opt, 0.1, 1.0, cycle_momentum=False), L.OneCycleLR(opt, 1.0, 10,
                                                                     cycle_momentum=False),
        L.CosineAnnealingWarmRestarts(opt, 3),
    ]


@pytest.mark.parametrize("k", range(6))
def test_warns_when_stepped_before_the_optimizer(k):
    opt = _optimizer()
    sched = _make_all(opt)[k]
    with pytest.warns(UserWarning, match=r"`lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
        sched.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()  # only the first step is checked, as in PyTorch


@pytest.mark.parametrize("k", range(6))
def test_no_warning_in_the_right_order(k):
    opt = _optimizer()
    sched = _make_all(opt)[k]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            opt.step()
            sched.step()


def test_warning_through_sequential_chained_and_lbfgs():
    opt = _optimizer()
    seq = L.SequentialLR(opt, [L.LinearLR(opt, 0.5, total_iters=2), L.StepLR(opt, 2)], [3])
    with pytest.warns(UserWarning, match="before `optimizer.step"):
        seq.step()
    opt = _optimizer()
    chain = L.ChainedScheduler([L.StepLR(opt, 2), L.ExponentialLR(opt, 0.9)])
    with pytest.warns(UserWarning, match="before `optimizer.step"):
        chain.step()
    p = ag.tensor([1.0], requires_grad=True)
    lbfgs = optim.LBFGS([p])
    sched = L.StepLR(lbfgs, 2)

    def closure():
        lbfgs.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    lbfgs.step(closure)  # a subclass with its own step counts as stepped
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()
    opt = _optimizer()
    plateau = L.ReduceLROnPlateau(opt)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plateau.step(1.0)  # PyTorch's ReduceLROnPlateau does not check either


def test_torch_gives_the_same_warning():
    torch = pytest.importorskip("torch")
    opt = _optimizer("torch")
    sched = torch.optim.lr_scheduler.StepLR(opt, 2)
    with pytest.warns(UserWarning, match=r"`lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
        sched.step()
