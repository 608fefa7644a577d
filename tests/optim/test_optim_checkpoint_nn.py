"""Optimizer and scheduler state through ``nn.save`` / ``nn.load`` (.npz, no pickle): exact resume."""

from __future__ import annotations

import numpy as np
import pytest
from optim_reference import CASES

import autograd as ag
import nn
from autograd.devices import to_host
from optim import lr_scheduler as L

NAMES = sorted(CASES)
OPTIONS = {  # every optional state buffer switched on
    "SGD": dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "Adam": dict(lr=0.01, amsgrad=True, weight_decay=1e-3),
    "AdamW": dict(lr=0.01, amsgrad=True),
    "RMSprop": dict(lr=0.01, momentum=0.5, centered=True),
    "Adagrad": dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1),
    "NAdam": dict(lr=0.01, weight_decay=1e-3, momentum_decay=0.01),
    "RAdam": dict(lr=0.01, weight_decay=1e-3, decoupled_weight_decay=True),
    "Adamax": dict(lr=0.01, weight_decay=1e-3),
    "Adadelta": dict(lr=0.5, weight_decay=1e-3),
}


def _setup(name, seed=0):
    rng = np.random.default_rng(seed)
    w = nn.Parameter(rng.standard_normal((3, 4)))
    b = nn.Parameter(rng.standard_normal(3))
    s = ag.tensor(0.25, requires_grad=True)  # a Python-float scalar parameter too
    params = [w, b, s]
    opt = CASES[name][0]([{"params": [w, b]}, {"params": [s], "lr": 0.02}], **OPTIONS[name])
    sched = L.SequentialLR(opt, [L.LinearLR(opt, start_factor=0.5, total_iters=2),
                                 L.CosineAnnealingLR(opt, T_max=6)], milestones=[3])
    x = ag.tensor(rng.standard_normal((5, 4)))
    return params, opt, sched, x


def _train(params, opt, sched, x, steps):
    w, b, s = params
    for _ in range(steps):
        opt.zero_grad()
        y = x @ w.T + b
        loss = (y * y).mean() * s * s + s
        loss.backward()
        opt.step()
        sched.step()


@pytest.mark.parametrize("name", NAMES)
def test_resume_through_nn_save_is_bit_identical(name, tmp_path):
    ref = _setup(name)
    _train(*ref, steps=10)

    params, opt, sched, x = _setup(name)
    _train(params, opt, sched, x, steps=4)
    path = tmp_path / "ckpt.npz"
    nn.save({"params": [p.detach().cpu().numpy() for p in params], "optim": opt.state_dict(),
             "sched": sched.state_dict()}, path)

    params2, opt2, sched2, _ = _setup(name, seed=1)  # different values until loaded
    ckpt = nn.load(path)
    for p, v in zip(params2, ckpt["params"]):
        if type(p._data) is float:
            p._data = float(v)
        else:
            p.data[...] = ag.tensor(v, device=p.device)  # files hold host arrays
    opt2.load_state_dict(ckpt["optim"])
    sched2.load_state_dict(ckpt["sched"])
    _train(params2, opt2, sched2, x, steps=6)

    for a, c in zip(ref[0], params2):
        assert np.array_equal(a.detach().cpu().numpy(), c.detach().cpu().numpy())
    assert sched2.get_last_lr() == ref[2].get_last_lr()
    sd_a, sd_c = ref[1].state_dict(), opt2.state_dict()
    assert sd_a["param_groups"] == sd_c["param_groups"]
    for i, entries in sd_a["state"].items():
        for key, value in entries.items():
            assert np.array_equal(to_host(value), to_host(sd_c["state"][i][key]))
