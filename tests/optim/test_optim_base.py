"""Optimizer base semantics: parameters and groups, errors, zero_grad, in-place updates."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from optim_reference import CASES

import autograd as ag
import optim
from autograd.devices import to_host
from autograd.tape import Node
from autograd.testing import assert_allclose
from nn.parameter import Parameter

NAMES = sorted(CASES)
ALL = [CASES[n][0] for n in NAMES]


def leaf(*shape, value=1.0):
    return ag.tensor(np.full(shape, value), requires_grad=True)


# ------------------------------------------------------------------------------ parameters
@pytest.mark.parametrize("cls", ALL)
def test_rejects_bad_params_argument(cls):
    p = leaf(2)
    with pytest.raises(TypeError, match="single Tensor"):
        cls(p, lr=0.1)
    with pytest.raises(TypeError, match="ordered"):
        cls({p}, lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        cls([], lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors.*ndarray"):
        cls([np.zeros(2)], lr=0.1)


@pytest.mark.parametrize("cls", ALL)
def test_rejects_non_leaf_and_non_float(cls):
    p = leaf(2)
    with pytest.raises(ValueError, match="non-leaf"):
        cls([p * 2], lr=0.1)
    with pytest.raises(TypeError, match="floating-point.*int64"):
        cls([ag.tensor(np.arange(3))], lr=0.1)
    with pytest.raises(TypeError, match="floating-point.*bool"):
        cls([ag.tensor(np.array([True]))], lr=0.1)


@pytest.mark.parametrize("cls", ALL)
def test_rejects_duplicate_parameters(cls):
    p, q = leaf(2), leaf(3)
    with pytest.raises(ValueError, match="same parameter twice"):
        cls([p, q, p], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        cls([{"params": [p]}, {"params": [q, p]}], lr=0.1)
    opt = cls([p], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": p})
    assert len(opt.param_groups) == 1


@pytest.mark.parametrize("cls", ALL)
@pytest.mark.parametrize("lr", [-1e-3, -1.0, float("nan")])
def test_rejects_negative_learning_rate(cls, lr):
    with pytest.raises(ValueError, match="learning rate"):
        cls([leaf(2)], lr=lr)
    opt = cls([leaf(2)], lr=0.1)
    with pytest.raises(ValueError, match="learning rate"):
        opt.add_param_group({"params": [leaf(1)], "lr": lr})


@pytest.mark.parametrize("cls", ALL)
def test_rejects_non_numeric_learning_rate(cls):
    with pytest.raises(TypeError, match="learning rate must be a real number"):
        cls([leaf(2)], lr="fast")


@pytest.mark.parametrize("cls,options,match", [
    (optim.SGD, dict(momentum=-0.1), "momentum"),
    (optim.SGD, dict(weight_decay=-1.0), "weight_decay"),
    (optim.SGD, dict(nesterov=True), "Nesterov"),
    (optim.SGD, dict(nesterov=True, momentum=0.9, dampening=0.1), "Nesterov"),
    (optim.Adam, dict(betas=(1.0, 0.999)), "beta parameter at index 0"),
    (optim.Adam, dict(betas=(0.9, -0.1)), "beta parameter at index 1"),
    (optim.Adam, dict(betas=(0.9,)), "pair"),
    (optim.Adam, dict(eps=-1e-8), "epsilon"),
    (optim.AdamW, dict(weight_decay=-0.01), "weight_decay"),
    (optim.RMSprop, dict(alpha=-0.5), "alpha"),
    (optim.RMSprop, dict(momentum=-0.5), "momentum"),
    (optim.RMSprop, dict(eps=-1.0), "epsilon"),
    (optim.Adagrad, dict(lr_decay=-0.1), "lr_decay"),
    (optim.Adagrad, dict(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    (optim.Adagrad, dict(eps=-1.0), "epsilon"),
])
def test_rejects_invalid_hyperparameters(cls, options, match):
    with pytest.raises(ValueError, match=match):
        cls([leaf(2)], lr=0.1, **options)


def test_group_errors():
    opt = optim.SGD([leaf(2)], lr=0.1)
    with pytest.raises(TypeError, match="expected a dict"):
        opt.add_param_group([leaf(1)])
    with pytest.raises(ValueError, match="no 'params'"):
        opt.add_param_group({"lr": 0.1})
    with pytest.raises(TypeError, match="ordered sequence"):
        opt.add_param_group({"params": {leaf(1)}})


def test_groups_fill_defaults_and_keep_callers_dict():
    p, q = leaf(2), leaf(3)
    spec = {"params": [q], "lr": 0.5}
    opt = optim.SGD([{"params": [p]}, spec], lr=0.1, momentum=0.9)
    assert spec == {"params": [q], "lr": 0.5}  # not mutated
    g0, g1 = opt.param_groups
    assert g0["lr"] == 0.1 and g1["lr"] == 0.5
    assert g0["momentum"] == g1["momentum"] == 0.9
    assert g0["params"][0] is p and g1["params"][0] is q
    r = leaf(1)
    opt.add_param_group({"params": r})  # a single tensor is accepted inside a group
    assert len(opt.param_groups[2]["params"]) == 1 and opt.param_groups[2]["params"][0] is r


def test_named_parameters():
    w, b = leaf(2, 2), leaf(2)
    opt = optim.Adam([("w", w), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.param_groups[0]["params"][0] is w
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]
    with pytest.raises(TypeError, match="mix"):
        optim.Adam([("w", w), b])


@pytest.mark.parametrize("cls", ALL)
def test_nn_parameter_and_frozen_parameters(cls):
    w = Parameter(np.ones(3))
    frozen = ag.tensor(np.ones(2))  # requires_grad=False: accepted (can be unfrozen later), skipped
    opt = cls([w, frozen], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    assert isinstance(w, Parameter) and w.requires_grad and w.is_leaf
    assert np.all(w.detach().cpu().numpy() < 1.0)
    assert np.array_equal(frozen.detach().cpu().numpy(), np.ones(2)) and frozen not in opt.state


# ------------------------------------------------------------------------------ zero_grad
def test_zero_grad_set_to_none_default():
    p = leaf(3)
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    opt.zero_grad()
    assert p.grad is None


def test_zero_grad_in_place_keeps_buffers():
    p, s = leaf(3), ag.tensor(2.0, requires_grad=True)
    opt = optim.SGD([p, s], lr=0.1)
    ((p * p).sum() + s * s).backward()
    g, buf = p.grad, p.grad._data
    opt.zero_grad(set_to_none=False)
    assert p.grad is g and p.grad._data is buf and np.array_equal(to_host(buf), np.zeros(3))
    assert s.grad.item() == 0.0
    ((p * p).sum() + s * s).backward()  # accumulates into the zeroed gradients
    assert np.array_equal(p.grad.cpu().numpy(), 2 * np.ones(3)) and s.grad.item() == 4.0


def test_zero_grad_detaches_create_graph_gradients():
    p = leaf(2)
    (p * p * p).sum().backward(create_graph=True)
    assert p.grad.requires_grad
    optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
    assert not p.grad.requires_grad and p.grad.is_leaf
    assert np.array_equal(p.grad.cpu().numpy(), np.zeros(2))


# ---------------------------------------------------------------------------- in place
@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_step_is_in_place_and_leaves_gradient_untouched(name, data):
    cls, options, _ = CASES[name]
    p = ag.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    opt = cls([p], **data.draw(options))
    g = ag.tensor(np.arange(6.0).reshape(2, 3) - 2.5)
    g_copy = g.detach().cpu().numpy().copy()
    p.grad = g
    arr = p._data
    for _ in range(3):
        opt.step()
    assert p._data is arr  # updated in place: views and aliases see the new values
    assert p.grad is g and np.array_equal(g.detach().cpu().numpy(), g_copy)  # weight decay/maximize: grad intact
    assert p.is_leaf and p.requires_grad and p.grad_fn is None


def _count(kind):
    return sum(1 for o in gc.get_objects() if type(o) is kind)


@pytest.mark.parametrize("name", NAMES)
def test_step_records_nothing_and_creates_no_tensors(name):
    cls = CASES[name][0]
    ps = [leaf(3, 2), ag.tensor(0.5, requires_grad=True)]
    opt = cls(ps, lr=0.1, weight_decay=0.1)
    for p in ps:
        p.grad = ag.tensor(np.ones(p.shape) if p.shape else 1.0)
    opt.step()  # warm up: state and scratch buffers
    gc.collect()
    tensors, nodes = _count(ag.Tensor), _count(Node)
    for _ in range(3):
        opt.step()
    assert _count(ag.Tensor) == tensors and _count(Node) == nodes


@pytest.mark.parametrize("name", NAMES)
def test_step_allocates_no_parameter_sized_temporaries(name):
    cls = CASES[name][0]
    n = 50_000  # 400 kB per float64 array
    options = {"SGD": dict(momentum=0.9, nesterov=True, weight_decay=0.1, maximize=True),
               "Adam": dict(amsgrad=True, weight_decay=0.1, maximize=True),
               "AdamW": dict(amsgrad=True, maximize=True),
               "RMSprop": dict(momentum=0.9, centered=True, weight_decay=0.1, maximize=True),
               "Adagrad": dict(lr_decay=0.1, weight_decay=0.1, maximize=True),
               "NAdam": dict(weight_decay=0.1, maximize=True),
               "RAdam": dict(weight_decay=0.1, maximize=True),
               "Adamax": dict(weight_decay=0.1, maximize=True),
               "Adadelta": dict(weight_decay=0.1, maximize=True)}[name]
    p = ag.tensor(np.ones(n), requires_grad=True)
    p.grad = ag.tensor(np.full(n, 0.5))
    opt = cls([p], lr=0.01, **options)
    opt.step()
    opt.step()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        opt.step()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak < 8 * n // 10  # well under one parameter-sized array


@pytest.mark.parametrize("name", NAMES)
def test_step_bumps_version_so_stale_graphs_refuse_backward(name):
    cls = CASES[name][0]
    p, s = leaf(3), ag.tensor(1.5, requires_grad=True)
    x = ag.tensor(np.array([1.0, 2.0, 3.0]))
    opt = cls([p, s], lr=0.1)
    ((p * x).sum() + s * s).backward()
    v0, w0 = p._version, s._version
    y = (p * p).sum()  # saves p for its backward
    z = s * s
    opt.step()
    assert p._version == v0 + 1 and s._version == w0 + 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


def test_parameters_without_grad_are_skipped():
    p, q = leaf(2), leaf(2)
    opt = optim.Adam([p, q], lr=0.1)
    p.grad = ag.tensor([1.0, 1.0])
    opt.step()
    assert np.array_equal(q.detach().cpu().numpy(), np.ones(2)) and q not in opt.state and q._version == 0
    assert opt.state[p]["step"] == 1


def test_gradient_shape_mismatch_and_read_only_parameter():
    p = leaf(2, 3)
    opt = optim.SGD([p], lr=0.1)
    p.grad = ag.tensor(np.ones((3, 2)))
    with pytest.raises(RuntimeError, match=r"shape \(2, 3\) but its gradient has shape \(3, 2\)"):
        opt.step()
    # read-only arrays exist only on the host (CuPy has none): this parameter is a CPU one
    ro = ag.Tensor(np.broadcast_to(np.ones(3), (2, 3)), requires_grad=True, device="cpu")
    opt = optim.SGD([ro], lr=0.1)
    ro.grad = ag.tensor(np.ones((2, 3)), device="cpu")
    with pytest.raises(RuntimeError, match="read-only"):
        opt.step()
    v = leaf(3)
    opt = optim.SGD([v], lr=0.1)
    v.grad = ag.tensor(1.0)  # a Python-float gradient does not broadcast over an array parameter
    with pytest.raises(RuntimeError, match=r"shape \(3,\) but its gradient has shape \(\)"):
        opt.step()
    s = ag.tensor(1.0, requires_grad=True, device="cpu")  # a Python float: the host fast path
    opt = optim.SGD([s], lr=0.1)
    s.grad = ag.tensor(np.ones(2), device="cpu")
    with pytest.raises(RuntimeError, match="scalar but its gradient has shape"):
        opt.step()


def test_replaced_parameter_array_is_followed():
    """Assigning p.detach().cpu().numpy() a new array (same shape) is picked up; scratch buffers are remade."""
    p = leaf(3)
    opt = optim.SGD([p], lr=0.5, momentum=0.5)
    p.grad = ag.tensor(np.ones(3))
    opt.step()
    new = ag.full((3,), 10.0, dtype=p.dtype, device=p.device)._data  # on p's device
    p.data = new
    opt.step()
    assert p._data is new
    assert_allclose(new, 10.0 - 0.5 * (0.5 * 1 + 1))


def test_grad_mode_does_not_matter():
    a, b = leaf(3), leaf(3)
    oa, ob = optim.Adam([a], lr=0.1), optim.Adam([b], lr=0.1)
    for _ in range(3):
        a.grad = ag.tensor(np.array([1.0, -2.0, 3.0]))
        b.grad = ag.tensor(np.array([1.0, -2.0, 3.0]))
        oa.step()
        with ag.no_grad():
            ob.step()
    assert np.array_equal(a.detach().cpu().numpy(), b.detach().cpu().numpy())


def test_repr_lists_groups():
    opt = optim.SGD([leaf(1)], lr=0.25, momentum=0.5)
    text = repr(opt)
    assert text.startswith("SGD (") and "lr: 0.25" in text and "momentum: 0.5" in text
