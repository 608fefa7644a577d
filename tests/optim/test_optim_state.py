"""Optimizer and scheduler checkpoints: bit-identical resume, file-format round trips, errors."""

from __future__ import annotations

import copy
import io

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from optim_reference import CASES

import autograd as ag
import optim
from autograd.devices import to_host
from optim import lr_scheduler as L

NAMES = sorted(CASES)
TOTAL = 8


# A stand-in for a file format that, like .npz with allow_pickle=False, stores only arrays under
# flat string keys: numbers, strings, tuples and lists all come back as NumPy arrays, dict keys as
# strings, and lists of dicts as dicts keyed "0", "1", ...
def npz_round_trip(obj):
    flat = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}{k}/", v)
        elif isinstance(value, (list, tuple)) and value and isinstance(value[0], dict):
            for k, v in enumerate(value):
                walk(f"{prefix}{k}/", v)
        else:
            # files hold host arrays: GPU ones (also in LBFGS's history lists) are copied
            flat[prefix[:-1]] = np.asarray(
                [to_host(v) for v in value] if isinstance(value, list) else to_host(value))

    walk("", obj)
    buf = io.BytesIO()
    np.savez(buf, **flat)
    buf.seek(0)
    out: dict = {}
    with np.load(buf, allow_pickle=False) as f:
        for key in f.files:
            *path, last = key.split("/")
            node = out
            for part in path:
                node = node.setdefault(part, {})
            node[last] = f[key]
    return out


def _problem(seed):
    rng = np.random.default_rng(seed)
    x0 = [rng.standard_normal((2, 3)), rng.standard_normal(4), float(rng.standard_normal())]
    grads = [[rng.standard_normal(np.shape(x)) for x in x0] for _ in range(TOTAL)]
    return x0, grads


def _params(x0):
    return [ag.tensor(x if isinstance(x, float) else x.copy(), requires_grad=True) for x in x0]


def _build(cls, opts, params):
    opt = cls([{"params": params[:2]}, {"params": params[2:], "lr": opts.get("lr", 0.01) / 2}],
              **opts)
    return opt, L.StepLR(opt, step_size=3, gamma=0.5)


def _train(opt, sched, params, grads):
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = ag.tensor(float(g) if p.shape == () and type(p._data) is float else g)
        opt.step()
        sched.step()


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data(), k=st.integers(0, TOTAL), seed=st.integers(0, 2**32 - 1),
       via=st.sampled_from(["deepcopy", "npz"]))
def test_resume_is_bit_identical(name, data, k, seed, via):
    cls, options, _ = CASES[name]
    opts = data.draw(options, label="options")
    x0, grads = _problem(seed)

    ref = _params(x0)
    opt, sched = _build(cls, opts, ref)
    _train(opt, sched, ref, grads)

    first = _params(x0)
    opt1, sched1 = _build(cls, opts, first)
    _train(opt1, sched1, first, grads[:k])
    saved = {"optim": opt1.state_dict(), "sched": sched1.state_dict(),
             "params": {str(i): p.detach().cpu().numpy().copy() for i, p in enumerate(first)}}
    saved = copy.deepcopy(saved) if via == "deepcopy" else npz_round_trip(saved)
    del opt1, sched1, first

    # a fresh process: new tensors, an optimizer built with other settings, then loaded
    resumed = [ag.tensor(float(v) if type(x) is float else np.asarray(v).copy(),
                         requires_grad=True)
               for v, x in zip(_seq(saved["params"]), x0)]
    opt2, sched2 = _build(cls, {"lr": 123.0}, resumed)
    opt2.load_state_dict(saved["optim"])
    sched2.load_state_dict(saved["sched"])
    saved_lr = float(_seq(saved["optim"]["param_groups"])[0]["lr"])
    assert opt2.param_groups[0]["lr"] == saved_lr != 123.0  # saved options replace the new ones
    _train(opt2, sched2, resumed, grads[k:])

    for a, b in zip(ref, resumed):
        assert type(a._data) is type(b._data)
        assert np.array_equal(a.detach().cpu().numpy(), b.detach().cpu().numpy())  # bit-identical
    assert sched2.get_last_lr() == sched.get_last_lr()
    assert [g["lr"] for g in opt2.param_groups] == [g["lr"] for g in opt.param_groups]


def _seq(v):
    return [v[k] for k in sorted(v, key=int)] if isinstance(v, dict) else list(v)


def test_state_dict_is_a_snapshot():
    p = ag.tensor(np.ones(3), requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    p.grad = ag.tensor(np.ones(3))
    opt.step()
    sd = opt.state_dict()
    saved = copy.deepcopy(sd)
    opt.step()
    assert sd["state"][0]["step"] == 1
    assert np.array_equal(to_host(sd["state"][0]["exp_avg"]), to_host(saved["state"][0]["exp_avg"]))
    sd["state"][0]["exp_avg"][:] = 99.0  # and editing the snapshot does not touch the optimizer
    assert not np.any(to_host(opt.state[p]["exp_avg"]) == 99.0)


def test_state_dict_layout():
    a, b, c = (ag.tensor(np.ones(2), requires_grad=True) for _ in range(3))
    opt = optim.SGD([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1, momentum=0.9)
    c.grad = ag.tensor(np.ones(2))
    a.grad = ag.tensor(np.ones(2))
    opt.step()
    sd = opt.state_dict()
    assert list(sd["state"]) == [0, 2]
    assert set(sd["state"][0]) == {"momentum_buffer"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1]["lr"] == 0.5
    assert sd["param_groups"][0] == {"lr": 0.1, "momentum": 0.9, "dampening": 0.0,
                                     "weight_decay": 0.0, "nesterov": False, "maximize": False,
                                     "params": [0, 1]}


def test_load_casts_state_to_parameter_dtype_and_copies():
    p = ag.tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    opt = optim.RMSprop([p], lr=0.1, momentum=0.5, centered=True)
    sd = {"state": {0: {"step": np.int64(4), "square_avg": np.full(3, 2.0),
                        "momentum_buffer": [0.0, 1.0, 2.0], "grad_avg": np.zeros(3)}},
          "param_groups": [{"params": [0], "lr": np.float64(0.2), "centered": np.bool_(True)}]}
    opt.load_state_dict(sd)
    st_ = opt.state[p]
    assert st_["step"] == 4 and type(st_["step"]) is int
    assert all(st_[k].dtype == np.float32 for k in ("square_avg", "momentum_buffer", "grad_avg"))
    assert type(opt.param_groups[0]["lr"]) is float and opt.param_groups[0]["centered"] is True
    assert opt.param_groups[0]["alpha"] == 0.99  # options the file lacks keep their values
    sd["state"][0]["square_avg"][:] = -1.0
    assert np.all(to_host(st_["square_avg"]) == 2.0)


@pytest.mark.cpu_only("the Python-float scalar fast path exists only for CPU tensors")
def test_load_scalar_parameter_state_stays_float():
    s = ag.tensor(0.5, requires_grad=True)
    opt = optim.Adam([s], lr=0.1)
    s.grad = ag.tensor(1.0)
    opt.step()
    sd = npz_round_trip(opt.state_dict())
    opt2 = optim.Adam([ag.tensor(0.5, requires_grad=True)])
    opt2.load_state_dict(sd)
    (state,) = opt2.state.values()
    assert type(state["exp_avg"]) is float and state["exp_avg"] == opt.state[s]["exp_avg"]
    assert opt2.param_groups[0]["betas"] == (0.9, 0.999)


def _saved_adam():
    ps = [ag.tensor(np.ones(3), requires_grad=True), ag.tensor(np.ones((2, 2)), requires_grad=True)]
    opt = optim.Adam([ps[0], ps[1]], lr=0.1)
    for p in ps:
        p.grad = ag.tensor(np.ones(p.shape))
    opt.step()
    return opt.state_dict()


@pytest.mark.parametrize("mutate,match", [
    (lambda sd: sd["param_groups"].append({"params": []}), "2 parameter group"),
    (lambda sd: sd["param_groups"][0]["params"].pop(), "has 1 parameter"),
    (lambda sd: sd["state"][0].update(exp_avg=np.zeros(4)), r"shape \(4,\)"),
    (lambda sd: sd["state"][1].update(velocity=np.zeros((2, 2))), "unknown state entry 'velocity'"),
    (lambda sd: sd["state"].update({7: {"step": 1}}), "parameter 7"),
    (lambda sd: sd["state"].update({"x": {"step": 1}}), "not a parameter number"),
    (lambda sd: sd["param_groups"][0].update(lr=-1.0), "learning rate"),
    (lambda sd: sd["param_groups"][0].update(params=[0, 0]), "listed twice"),
    (lambda sd: sd.pop("param_groups"), "'param_groups'"),
])
def test_load_errors_leave_optimizer_unchanged(mutate, match):
    p = ag.tensor(np.ones(3), requires_grad=True)
    q = ag.tensor(np.ones((2, 2)), requires_grad=True)
    opt = optim.Adam([p, q], lr=0.5)
    before = opt.state_dict()
    sd = _saved_adam()
    mutate(sd)
    with pytest.raises(ValueError, match=match):
        opt.load_state_dict(sd)
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"] and after["state"] == {}


def test_load_rejects_non_dict():
    opt = optim.SGD([ag.tensor(np.ones(1), requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="expected a dict"):
        opt.load_state_dict([1, 2])


# ---------------------------------------------------------------------------- schedulers
def test_scheduler_state_dict_round_trip_and_resume():
    def make(params):
        opt = optim.SGD(params, lr=1.0)
        sched = L.SequentialLR(opt, [L.LinearLR(opt, 0.1, total_iters=3),
                                     L.CosineAnnealingLR(opt, T_max=5, eta_min=0.01)], [4])
        return opt, sched

    opt, sched = make([ag.tensor([0.0], requires_grad=True)])
    lrs = []
    for _ in range(12):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
    opt1, sched1 = make([ag.tensor([0.0], requires_grad=True)])
    for _ in range(6):
        opt1.step()
        sched1.step()
    saved = npz_round_trip({"o": opt1.state_dict(), "s": sched1.state_dict()})
    opt2, sched2 = make([ag.tensor([0.0], requires_grad=True)])
    opt2.load_state_dict(saved["o"])
    sched2.load_state_dict(saved["s"])
    assert sched2.get_last_lr() == lrs[5]
    for i in range(6, 12):
        opt2.step()
        sched2.step()
        assert sched2.get_last_lr() == lrs[i]


def test_scheduler_state_dict_contents_and_errors():
    opt = optim.SGD([ag.tensor([0.0], requires_grad=True)], lr=1.0)
    sched = L.MultiStepLR(opt, milestones=[3, 1], gamma=0.5)
    sd = sched.state_dict()
    assert "optimizer" not in sd
    assert sd["milestones"] == [1, 3] and sd["last_epoch"] == 0 and sd["base_lrs"] == [1.0]
    with pytest.raises(ValueError, match="unexpected entry 'T_max'"):
        sched.load_state_dict({**sd, "T_max": 3})
    lam = L.LambdaLR(opt, lambda e: 0.5**e)
    assert "lr_lambdas" not in lam.state_dict()  # functions are not data: pass them again
