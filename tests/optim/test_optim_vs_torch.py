"""Optimizers, schedules and gradient clipping against PyTorch on the same inputs (needs torch)."""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes
from optim_reference import CASES

import autograd as ag
import optim
from autograd.devices import to_host
from autograd.testing import assert_allclose
from nn.utils import clip_grad_norm_, clip_grad_value_
from optim import lr_scheduler as OL

torch = pytest.importorskip("torch")
TL = torch.optim.lr_scheduler

NAMES = sorted(CASES)


@contextlib.contextmanager
def torch_float64():
    """torch keeps scalar state (NAdam's ``mu_product``) in the default dtype: make it float64."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data(), shape=array_shapes(min_dims=0, max_dims=3, max_side=4),
       seed=st.integers(0, 2**32 - 1), scalar=st.booleans())
def test_optimizer_matches_torch(name, data, shape, seed, scalar):
    cls, options, _ = CASES[name]
    tcls = getattr(torch.optim, name)
    opts = data.draw(options, label="options")
    rng = np.random.default_rng(seed)
    if scalar:  # our scalar fast path (a Python-float parameter)
        shape = ()
    x0 = rng.standard_normal(shape)
    grads = [rng.standard_normal(shape) for _ in range(6)]
    p = ag.tensor(float(x0) if scalar else x0, requires_grad=True)
    tp = torch.tensor(x0, requires_grad=True)
    ours, theirs = cls([p], **opts), tcls([tp], **opts)
    with torch_float64():
        for g in grads:
            p.grad = ag.tensor(float(g) if scalar else g)
            tp.grad = torch.tensor(g)
            ours.step()
            theirs.step()
    assert_allclose(p.detach().cpu().numpy(), tp.detach().cpu().numpy(), rtol=1e-12, atol=1e-13)
    # same state entries, same values
    tstate = theirs.state_dict()["state"].get(0, {})
    ostate = ours.state_dict()["state"].get(0, {})
    assert set(ostate) == {k for k, v in tstate.items() if v is not None}
    for k, v in ostate.items():
        assert_allclose(np.asarray(to_host(v), dtype=np.float64),
                                   np.asarray(tstate[k], dtype=np.float64), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name", NAMES)
def test_skipped_parameters_match_torch(name):
    """Parameters without a gradient are skipped (no state, no step count), like PyTorch."""
    cls, _, _ = CASES[name]
    tcls = getattr(torch.optim, name)
    a, b = ag.tensor([1.0, 2.0], requires_grad=True), ag.tensor([3.0], requires_grad=True)
    f64 = dict(dtype=torch.float64)
    ta = torch.tensor([1.0, 2.0], requires_grad=True, **f64)
    tb = torch.tensor([3.0], requires_grad=True, **f64)
    ours, theirs = cls([a, b], lr=0.1), tcls([ta, tb], lr=0.1)
    with torch_float64():
        _skipping_steps(ours, theirs, a, b, ta, tb)
    assert_allclose(b.detach().cpu().numpy(), tb.detach().cpu().numpy(), rtol=1e-12)
    assert_allclose(a.detach().cpu().numpy(), ta.detach().cpu().numpy(), rtol=1e-12)


def _skipping_steps(ours, theirs, a, b, ta, tb):
    f64 = dict(dtype=torch.float64)
    for k in range(4):
        a.grad, ta.grad = ag.tensor([0.5, -1.0]), torch.tensor([0.5, -1.0], **f64)
        if k % 2:
            b.grad, tb.grad = ag.tensor([2.0]), torch.tensor([2.0], **f64)
        else:
            b.grad = tb.grad = None
        ours.step()
        theirs.step()


def test_state_dict_layout_matches_torch():
    ps = [ag.tensor(np.ones(2), requires_grad=True) for _ in range(3)]
    tps = [torch.ones(2, dtype=torch.float64, requires_grad=True) for _ in range(3)]
    ours = optim.Adam([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.5}], lr=0.1)
    theirs = torch.optim.Adam([{"params": tps[:2]}, {"params": tps[2:], "lr": 0.5}], lr=0.1)
    for p, tp in zip(ps, tps):
        p.grad, tp.grad = ag.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0], dtype=torch.float64)
    ours.step()
    theirs.step()
    o, t = ours.state_dict(), theirs.state_dict()
    assert list(o["state"]) == list(t["state"]) == [0, 1, 2]
    assert [g["params"] for g in o["param_groups"]] == [g["params"] for g in t["param_groups"]]
    for og, tg in zip(o["param_groups"], t["param_groups"]):
        for key in ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize"):
            assert og[key] == tg[key]


# ------------------------------------------------------------------------------ schedules
def _lr_sequence(lib, make, n, n_groups=2):
    if lib == "torch":
        ps = [torch.zeros(1, requires_grad=True) for _ in range(n_groups)]
        opt = torch.optim.SGD([{"params": [p], "lr": 0.5 + i} for i, p in enumerate(ps)])
        mod = TL
    else:
        ps = [ag.tensor([0.0], requires_grad=True) for _ in range(n_groups)]
        opt = optim.SGD([{"params": [p], "lr": 0.5 + i} for i, p in enumerate(ps)])
        mod = OL
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's deprecation chatter
        sched = make(mod, opt)
        out = [sched.get_last_lr()]
        for _ in range(n):
            opt.step()
            sched.step()
            out.append(sched.get_last_lr())
    return np.array(out)


SCHEDULES = {
    "LambdaLR": lambda L, o: L.LambdaLR(o, lambda e: 0.95**e + 1.0 / (e + 1)),
    "LambdaLR-per-group": lambda L, o: L.LambdaLR(o, [lambda e: 0.9**e, lambda e: 1 + e]),
    "StepLR": lambda L, o: L.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda L, o: L.MultiStepLR(o, milestones=[2, 5, 5, 11], gamma=0.3),
    "ExponentialLR": lambda L, o: L.ExponentialLR(o, gamma=0.9),
    "PolynomialLR": lambda L, o: L.PolynomialLR(o, total_iters=7, power=1.7),
    "CosineAnnealingLR": lambda L, o: L.CosineAnnealingLR(o, T_max=6, eta_min=0.05),
    "LinearLR": lambda L, o: L.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=6),
    "LinearLR-decay": lambda L, o: L.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=4),
    "SequentialLR": lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, start_factor=0.1, total_iters=4),
            L.CosineAnnealingLR(o, T_max=8, eta_min=0.01), L.ExponentialLR(o, gamma=0.8)],
        milestones=[5, 12]),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_torch(name):
    make = SCHEDULES[name]
    ours = _lr_sequence("ours", make, 30)
    theirs = _lr_sequence("torch", make, 30)
    assert_allclose(ours, theirs, rtol=1e-13, atol=0)


@given(T=st.integers(1, 10), eta=st.floats(0, 0.4), n=st.integers(1, 40))
def test_cosine_matches_torch_for_any_period(T, eta, n):
    make = lambda L, o: L.CosineAnnealingLR(o, T_max=T, eta_min=eta)
    assert_allclose(_lr_sequence("ours", make, n), _lr_sequence("torch", make, n),
                               rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------------- clipping
def _with_grads(lib, grads):
    out = []
    for g in grads:
        if lib == "torch":
            p = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
            p.grad = torch.tensor(g)
        else:
            p = ag.tensor(np.zeros(g.shape), requires_grad=True)
            p.grad = ag.tensor(g)
        out.append(p)
    return out


@given(seed=st.integers(0, 2**32 - 1), max_norm=st.floats(0.0, 10.0),
       norm_type=st.sampled_from([1.0, 2.0, 3.5, float("inf"), 0.0, "inf"]),
       shapes=st.lists(array_shapes(min_dims=0, max_dims=2, max_side=4), min_size=1, max_size=3))
def test_clip_grad_norm_matches_torch(seed, max_norm, norm_type, shapes):
    rng = np.random.default_rng(seed)
    grads = [rng.standard_normal(s) for s in shapes]
    ps, tps = _with_grads("ours", grads), _with_grads("torch", grads)
    total = clip_grad_norm_(ps, max_norm, norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type)
    assert_allclose(float(total), float(ttotal), rtol=1e-12)
    for p, tp in zip(ps, tps):
        assert_allclose(p.grad.cpu().numpy(), tp.grad.cpu().numpy(), rtol=1e-12, atol=1e-15)


@given(seed=st.integers(0, 2**32 - 1), clip=st.floats(0.0, 2.0))
def test_clip_grad_value_matches_torch(seed, clip):
    rng = np.random.default_rng(seed)
    grads = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    ps, tps = _with_grads("ours", grads), _with_grads("torch", grads)
    clip_grad_value_(ps, clip)
    torch.nn.utils.clip_grad_value_(tps, clip)
    for p, tp in zip(ps, tps):
        assert np.array_equal(p.grad.cpu().numpy(), tp.grad.cpu().numpy())
