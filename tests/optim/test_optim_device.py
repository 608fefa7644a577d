"""Optimizers and gradient clipping on a GPU: state lives on each parameter's device, a step makes
no host transfer, and the results are those of the CPU.

These tests run on the strict stand-in GPU (``autograd.testing.standin_device``) whatever
``--device`` says, registering it for their own duration.  Parameters sit on ``cuda:1`` (not the
current device), so state made on "the current GPU" instead of the parameter's shows up.
"""

from __future__ import annotations

import numpy as np
import pytest
from optim_reference import CASES

import autograd as ag
import optim
from autograd.devices import device_of, is_device_array, to_host
from autograd.testing.standin_device import count_transfers
from nn.utils import clip_grad_norm_, clip_grad_value_

GPU = "cuda:1"
OPTIONS = {  # options that exercise every state entry of each rule
    "SGD": dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "Adam": dict(lr=0.1, amsgrad=True, weight_decay=0.01),
    "AdamW": dict(lr=0.1, amsgrad=True),
    "RMSprop": dict(lr=0.01, momentum=0.5, centered=True),
    "NAdam": dict(lr=0.1, decoupled_weight_decay=True, weight_decay=0.1),
}




def _train(cls, opts, device, steps=4):
    rng = np.random.default_rng(0)
    p = ag.tensor(rng.standard_normal((3, 2)), requires_grad=True, device=device)
    grads = [ag.tensor(rng.standard_normal((3, 2)), device=device) for _ in range(steps)]
    opt = cls([p], **opts)
    with count_transfers() as moved:
        for g in grads:
            p.grad = g
            opt.step()
    return p, opt, moved


@pytest.mark.parametrize("name", sorted(CASES))
def test_state_on_the_parameters_device_and_no_transfer_in_a_step(standin, name):
    cls = CASES[name][0]
    opts = OPTIONS.get(name, {"lr": 0.1})
    p, opt, moved = _train(cls, opts, GPU)
    assert moved == {"to_host": 0, "to_device": 0}
    arrays = [v for v in opt.state[p].values() if not isinstance(v, (int, float))]
    assert arrays and all(is_device_array(a) and device_of(a) == ag.device(GPU) for a in arrays)
    q, ref, _ = _train(cls, opts, "cpu")
    assert np.array_equal(p.detach().cpu().numpy(), q.detach().numpy())  # the same arithmetic
    for key, value in ref.state[q].items():
        assert np.array_equal(to_host(opt.state[p][key]), value)


def test_a_host_checkpoint_loads_onto_the_parameters_device(standin):
    p, opt, _ = _train(optim.Adam, {"lr": 0.1}, GPU)
    saved = opt.state_dict()
    host = {"state": {0: {k: (to_host(v) if is_device_array(v) else v)
                          for k, v in saved["state"][0].items()}},
            "param_groups": saved["param_groups"]}  # what nn.save writes: host arrays
    q = ag.tensor(np.zeros((3, 2)), requires_grad=True, device=GPU)
    opt2 = optim.Adam([q], lr=1.0)
    opt2.load_state_dict(host)
    for key in ("exp_avg", "exp_avg_sq"):
        v = opt2.state[q][key]
        assert device_of(v) == ag.device(GPU)
        assert np.array_equal(to_host(v), host["state"][0][key])
    assert opt2.state[q]["step"] == 4 and opt2.param_groups[0]["lr"] == 0.1


@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_stays_on_the_device(standin, max_norm):
    rng = np.random.default_rng(1)
    values = [rng.standard_normal(4), rng.standard_normal((2, 3))]
    ps = [ag.tensor(v, requires_grad=True, device=GPU) for v in values]
    qs = [ag.tensor(v, requires_grad=True) for v in values]  # the CPU twins
    for a, b, v in zip(ps, qs, values, strict=True):
        a.grad = ag.tensor(v * 3, device=GPU)
        b.grad = ag.tensor(v * 3, device="cpu")
    with count_transfers() as moved:
        total = clip_grad_norm_(ps, max_norm)
        clip_grad_value_(ps, 1.0)
    assert moved == {"to_host": 0, "to_device": 0}  # the norm is never read back
    assert total.device == ag.device(GPU) and total.shape == ()
    want = clip_grad_norm_(qs, max_norm)
    clip_grad_value_(qs, 1.0)
    assert total.item() == want.item()
    for a, b in zip(ps, qs, strict=True):
        np.testing.assert_allclose(a.grad.cpu().numpy(), b.grad.numpy(), rtol=1e-15, atol=0)


def test_clip_grad_norm_error_if_nonfinite_reads_the_norm_explicitly(standin):
    p = ag.tensor([1.0, 2.0], requires_grad=True, device=GPU)
    p.grad = ag.tensor([np.inf, 0.0], device=GPU)
    with count_transfers() as moved, pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    assert moved["to_host"] == 1  # PyTorch syncs here too: it has to decide now


def test_lbfgs_on_the_device_matches_the_cpu(standin):
    def run(device):
        x = ag.tensor([1.5, -0.5], requires_grad=True, device=device)
        opt = optim.LBFGS([x], lr=1.0, max_iter=10, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = ((x - 3.0) ** 2).sum() + (x ** 4).sum() * 0.01
            loss.backward()
            return loss
        for _ in range(2):
            opt.step(closure)
        return x, opt

    x, opt = run("cuda:0")  # (its backward passes run on the current GPU)
    y, _ = run("cpu")
    assert np.array_equal(x.detach().cpu().numpy(), y.detach().numpy())
    assert all(device_of(v) == ag.device("cuda:0") for v in opt.state[x]["old_dirs"])


def test_reduce_lr_on_plateau_reads_a_gpu_metric_explicitly(standin):
    p = ag.tensor([1.0], requires_grad=True, device=GPU)
    opt = optim.SGD([p], lr=1.0)
    sched = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5)
    with count_transfers() as moved:
        sched.step(ag.tensor(2.0, device=GPU))  # a 0-d tensor, as a loss
        sched.step(ag.tensor(3.0, device=GPU)._data)  # a raw GPU array
    assert moved["to_host"] == 2  # one explicit read per metric, as PyTorch's .item()
    assert opt.param_groups[0]["lr"] == 0.5


def test_a_gpu_gradient_for_a_host_scalar_parameter_names_both_devices(standin):
    s = ag.tensor(1.0, requires_grad=True, device="cpu")  # a Python float on the host
    opt = optim.SGD([s], lr=0.1)
    s.grad = ag.tensor(2.0, device=GPU)
    with pytest.raises(RuntimeError, match=r"on cpu but its gradient is on cuda:1"):
        opt.step()
