"""LBFGS (and its strong Wolfe line search) against torch.optim.LBFGS, convergence, state, errors."""

from __future__ import annotations

import copy
import gc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_optim_state import npz_round_trip

import autograd as ag
import nn
import optim
from autograd.devices import to_host, transfer
from autograd.tape import Node
from autograd.testing import assert_allclose
from optim.line_search import cubic_interpolate

# A smooth non-quadratic test function of three parameters (a 2-d array, a strided view of a
# larger array and a Python-float scalar), so that history, curvature pairs and line searches
# all matter: f = 1/2 x'Ax - b'x + 0.05 sum x^4 + sum(y^2) * (1 + s^2) + (s - 1)^4.
_rng = np.random.default_rng(5)
_M = _rng.standard_normal((6, 6))
A = _M @ _M.T / 6 + np.eye(6)
B = _rng.standard_normal(6)


def _start(seed):
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((4, 6))
    return rng.standard_normal((2, 3)), base, float(rng.standard_normal())


def _ours(x0, base, s0):
    x = ag.tensor(x0.copy(), requires_grad=True)
    big = ag.tensor(base)._data  # a copy, on the suite's device
    y = ag.Tensor(big[::2, ::3].T, requires_grad=True)  # non-contiguous, updated through the view
    s = ag.tensor(s0, requires_grad=True)
    at, bt = ag.tensor(A), ag.tensor(B)

    def loss_fn():
        xf = x.reshape(6)
        return (0.5 * (xf * (at @ xf)).sum() - (bt * xf).sum() + 0.05 * (xf**4).sum()
                + (y * y).sum() * (1 + s * s) + (s - 1) ** 4)

    return [x, y, s], loss_fn, big


def _theirs(torch, x0, base, s0):
    x = torch.tensor(x0, requires_grad=True)
    y = torch.tensor(base[::2, ::3].T.copy(), requires_grad=True)
    s = torch.tensor(s0, dtype=torch.float64, requires_grad=True)
    at, bt = torch.tensor(A), torch.tensor(B)

    def loss_fn():
        xf = x.reshape(6)
        return (0.5 * (xf * (at @ xf)).sum() - (bt * xf).sum() + 0.05 * (xf**4).sum()
                + (y * y).sum() * (1 + s * s) + (s - 1) ** 4)

    return [x, y, s], loss_fn


def _closure(opt, loss_fn, evals=None):
    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        if evals is not None:
            evals.append(float(loss.detach()))
        return loss
    return closure


lbfgs_options = st.fixed_dictionaries({
    "lr": st.sampled_from([1.0, 0.5, 0.1]),
    "max_iter": st.sampled_from([1, 2, 5]),
    "max_eval": st.sampled_from([None, 2, 7]),
    "tolerance_grad": st.sampled_from([1e-7, 1e-3]),
    "tolerance_change": st.sampled_from([1e-9, 1e-4]),
    "history_size": st.sampled_from([1, 3, 100]),
    "line_search_fn": st.sampled_from([None, "strong_wolfe"]),
})


@given(opts=lbfgs_options, seed=st.integers(0, 2**32 - 1))
def test_matches_torch_step_by_step(opts, seed):
    torch = pytest.importorskip("torch")
    x0, base, s0 = _start(seed)
    ps, f, big = _ours(x0, base, s0)
    tps, tf = _theirs(torch, x0, base, s0)
    ours, theirs = optim.LBFGS(ps, **opts), torch.optim.LBFGS(tps, **opts)
    ev_ours, ev_theirs = [], []
    # At most 15 iterations: further on the iterates sit at the minimum, where the last bits of
    # the two engines' gradients (summation order) decide the next point.
    for _ in range(3):
        lo = ours.step(_closure(ours, f, ev_ours))
        lt = theirs.step(_closure(theirs, tf, ev_theirs))
        assert float(lo) == pytest.approx(float(lt.detach()), rel=1e-10, abs=1e-12)
        # the same points were evaluated, in the same order
        assert_allclose(ev_ours, ev_theirs, rtol=1e-9, atol=1e-12)
        for p, tp in zip(ps, tps):  # (p._data: p.data would turn the scalar into an array)
            assert_allclose(p._data, tp.detach().cpu().numpy(), rtol=1e-8,
                                       atol=1e-10)
    assert ps[2].shape == ()
    if ps[2].device.type == "cpu":  # (on a GPU a 0-d tensor is a device array: no float path)
        assert type(ps[2]._data) is float  # the scalar stayed on its fast path
    assert np.array_equal(to_host(big[::2, ::3].T), to_host(ps[1]._data))  # updated through the view
    st_, tst = ours.state[ps[0]], theirs.state[tps[0]]
    assert set(st_) == set(tst) - {"al"}  # torch's 'al' is scratch space, not state
    for key in ("func_evals", "n_iter"):
        assert st_[key] == tst[key]
    for key in ("t", "H_diag", "prev_loss", "d", "prev_flat_grad"):
        if key in st_:
            assert_allclose(st_[key], np.asarray(torch.as_tensor(tst[key])),
                                       rtol=1e-7, atol=1e-9)
    if "ro" in st_:
        assert len(st_["ro"]) == len(tst["ro"]) == len(st_["old_dirs"]) == len(st_["old_stps"])
        assert len(st_["old_dirs"]) <= opts["history_size"]
        assert_allclose(st_["ro"], [float(r) for r in tst["ro"]], rtol=1e-7)


def test_line_search_helpers_match_torch():
    torch = pytest.importorskip("torch")
    from torch.optim.lbfgs import _cubic_interpolate

    rng = np.random.default_rng(0)
    for _ in range(200):
        x1, x2 = rng.uniform(-2, 2, 2)
        f1, g1, f2, g2 = rng.standard_normal(4)
        args = [torch.tensor(v, dtype=torch.float64) for v in (x1, f1, g1, x2, f2, g2)]
        for bounds in (None, (min(x1, x2) - 0.5, max(x1, x2) + 0.5)):
            ours = cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=bounds)
            theirs = float(_cubic_interpolate(*args, bounds=bounds))
            assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_quadratic_converges_like_newton(line_search_fn):
    """On a convex quadratic L-BFGS with full history reaches the minimum in a few iterations.

    (About 1e-9 from the solution: there the loss no longer resolves the step, f - f* ~ 1e-18,
    and the line search stops with t = 0, as PyTorch's does.)
    """
    x = ag.tensor(np.zeros(6), requires_grad=True)
    at, bt = ag.tensor(A), ag.tensor(B)
    opt = optim.LBFGS([x], line_search_fn=line_search_fn, max_iter=100, tolerance_grad=1e-12,
                      tolerance_change=0.0)
    opt.step(_closure(opt, lambda: 0.5 * (x * (at @ x)).sum() - (bt * x).sum()))
    assert_allclose(x.data, np.linalg.solve(A, B), rtol=0, atol=2e-9)
    assert opt.state[x]["n_iter"] <= 25


def test_rosenbrock_with_strong_wolfe():
    x = ag.tensor(-1.2, requires_grad=True)
    y = ag.tensor(1.0, requires_grad=True)
    opt = optim.LBFGS([x, y], line_search_fn="strong_wolfe", max_iter=200, tolerance_grad=1e-12,
                      tolerance_change=0.0)
    opt.step(_closure(opt, lambda: (1 - x) ** 2 + 100 * (y - x * x) ** 2))
    assert abs(x.item() - 1) < 1e-8 and abs(y.item() - 1) < 1e-8


def test_stops_at_once_when_already_optimal():
    x = ag.tensor(np.ones(3), requires_grad=True)
    opt = optim.LBFGS([x])
    evals = []
    loss = opt.step(_closure(opt, lambda: ((x - 1) ** 2).sum(), evals))
    assert float(loss) == 0.0 and evals == [0.0]
    assert opt.state[x] == {"func_evals": 1, "n_iter": 0}
    assert np.array_equal(x.detach().cpu().numpy(), np.ones(3))


def test_size_zero_parameters_are_already_optimal():
    p = ag.tensor(np.zeros((0, 3)), requires_grad=True)
    opt = optim.LBFGS([p], line_search_fn="strong_wolfe")
    loss = opt.step(_closure(opt, lambda: (p * p).sum()))
    assert float(loss) == 0.0 and opt.state[p] == {"func_evals": 1, "n_iter": 0}


def test_max_eval_bounds_the_closure_calls():
    for max_eval in (1, 2, 5):
        ps, f, _ = _ours(*_start(1))
        opt = optim.LBFGS(ps, max_iter=50, max_eval=max_eval, line_search_fn="strong_wolfe")
        evals = []
        opt.step(_closure(opt, f, evals))
        # a line search may use max_eval - (evaluations so far) points after its first one, so
        # one step evaluates at most max_eval + 1 times (as PyTorch's)
        assert len(evals) == opt.state[ps[0]]["func_evals"] <= max_eval + 1
        assert opt.state[ps[0]]["n_iter"] <= max_eval


def test_parameters_without_gradient_count_as_zero():
    x = ag.tensor(np.array([2.0, -1.0]), requires_grad=True)
    frozen = ag.tensor(np.array([5.0]), requires_grad=True)  # never reached by the loss
    opt = optim.LBFGS([x, frozen], line_search_fn="strong_wolfe")
    opt.step(_closure(opt, lambda: ((x - 3) ** 2).sum()))
    assert_allclose(x.data, [3.0, 3.0], rtol=1e-9)
    assert np.array_equal(frozen.detach().cpu().numpy(), [5.0])


def test_float32_parameters_keep_their_dtype():
    x = ag.tensor(np.array([2.0, -1.0], dtype=np.float32), requires_grad=True)
    opt = optim.LBFGS([x], line_search_fn="strong_wolfe")
    opt.step(_closure(opt, lambda: ((x - 3) ** 2).sum()))
    assert x.dtype == np.float32 and opt.state[x]["d"].dtype == np.float32
    assert_allclose(x.data, [3.0, 3.0], rtol=1e-5)


def test_step_records_nothing_and_bumps_versions():
    x = ag.tensor(np.array([2.0, -1.0]), requires_grad=True)
    opt = optim.LBFGS([x], max_iter=3)
    stale = (x * x).sum()  # saved x before the step
    v0 = x._version
    opt.step(_closure(opt, lambda: ((x - 3) ** 2).sum()))
    assert x._version > v0 and x.is_leaf and x.grad_fn is None
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        stale.backward()
    gc.collect()
    nodes = sum(1 for o in gc.get_objects() if type(o) is Node)
    opt.step(_closure(opt, lambda: ((x - 3) ** 2).sum()))  # the update itself records nothing
    gc.collect()
    assert sum(1 for o in gc.get_objects() if type(o) is Node) == nodes


def test_closure_runs_with_grad_enabled_under_no_grad():
    x = ag.tensor(np.array([2.0, -1.0]), requires_grad=True)
    opt = optim.LBFGS([x], line_search_fn="strong_wolfe")
    with ag.no_grad():
        opt.step(_closure(opt, lambda: ((x - 3) ** 2).sum()))
    assert_allclose(x.data, [3.0, 3.0], rtol=1e-9)


# --------------------------------------------------------------------------- checkpoints
def _run(opt, f, steps):
    return [float(opt.step(_closure(opt, f))) for _ in range(steps)]


# (the bare .npz stand-in stores arrays only, so it cannot hold line_search_fn=None)
@pytest.mark.parametrize("via,line_search_fn", [
    ("deepcopy", None), ("nn.save", None), ("deepcopy", "strong_wolfe"), ("npz", "strong_wolfe"),
    ("nn.save", "strong_wolfe"),
])
def test_resume_is_bit_identical(via, line_search_fn, tmp_path):
    opts = dict(max_iter=3, history_size=2, line_search_fn=line_search_fn, lr=0.7)
    ps, f, _ = _ours(*_start(2))
    ref = optim.LBFGS(ps, **opts)
    losses = _run(ref, f, 5)

    ps1, f1, _ = _ours(*_start(2))
    opt1 = optim.LBFGS(ps1, **opts)
    _run(opt1, f1, 2)
    saved = {"optim": opt1.state_dict(),
             "params": {str(i): np.array(to_host(p._data)) for i, p in enumerate(ps1)}}
    if via == "deepcopy":
        saved = copy.deepcopy(saved)
    elif via == "npz":
        saved = npz_round_trip(saved)
    else:
        nn.save(saved, tmp_path / "ckpt.npz")
        saved = nn.load(tmp_path / "ckpt.npz")
    _run(opt1, f1, 1)  # training on does not change the snapshot

    ps2, f2, _ = _ours(*_start(3))
    params = [saved["params"][k] for k in sorted(saved["params"], key=int)]
    for p, v in zip(ps2, params):
        if type(p._data) is float:
            p._data = float(v)
        else:
            p._data[...] = transfer(np.asarray(v), p.device)
    opt2 = optim.LBFGS(ps2, lr=5.0)
    opt2.load_state_dict(saved["optim"])
    assert opt2.param_groups[0]["lr"] == 0.7
    assert _run(opt2, f2, 3) == losses[2:]
    for a, b in zip(ps, ps2):
        assert type(a._data) is type(b._data) and np.array_equal(to_host(a._data), to_host(b._data))


def test_state_dict_is_a_snapshot_of_the_history():
    ps, f, _ = _ours(*_start(4))
    opt = optim.LBFGS(ps, max_iter=2, history_size=3)
    _run(opt, f, 2)
    sd = opt.state_dict()
    dirs = [v.copy() for v in sd["state"][0]["old_dirs"]]
    _run(opt, f, 3)
    assert len(sd["state"][0]["old_dirs"]) == len(dirs)
    for a, b in zip(sd["state"][0]["old_dirs"], dirs):
        assert np.array_equal(to_host(a), to_host(b))


def test_load_state_errors():
    ps, f, _ = _ours(*_start(4))
    opt = optim.LBFGS(ps, max_iter=2)
    _run(opt, f, 2)
    sd = opt.state_dict()
    bad = copy.deepcopy(sd)
    bad["state"][0]["d"] = np.zeros(3)
    ps2, f2, _ = _ours(*_start(4))
    fresh = optim.LBFGS(ps2)
    with pytest.raises(ValueError, match=r"state 'd' has shape \(3,\); expected \(11,\)"):
        fresh.load_state_dict(bad)
    assert fresh.state == {}
    bad = copy.deepcopy(sd)
    bad["state"][0]["momentum"] = 1.0
    with pytest.raises(ValueError, match="unknown state entry 'momentum'"):
        fresh.load_state_dict(bad)
    partial = copy.deepcopy(sd)
    del partial["state"][0]["old_dirs"]
    fresh.load_state_dict(partial)
    with pytest.raises(RuntimeError, match="holds no history"):
        fresh.step(_closure(fresh, f2))


# -------------------------------------------------------------------------------- errors
def test_errors():
    x = ag.tensor(np.ones(2), requires_grad=True)
    y = ag.tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ValueError, match="parameter groups"):
        optim.LBFGS([{"params": [x]}, {"params": [y]}])
    opt = optim.LBFGS([x])
    with pytest.raises(ValueError, match="parameter groups"):
        opt.add_param_group({"params": [y]})
    with pytest.raises(TypeError, match="needs a closure"):
        opt.step()
    with pytest.raises(ValueError, match="line_search_fn must be None or 'strong_wolfe'"):
        optim.LBFGS([x], line_search_fn="backtracking")
    for key in ("max_iter", "max_eval", "history_size"):
        with pytest.raises(ValueError, match=f"{key} must be a positive integer"):
            optim.LBFGS([x], **{key: 0})
    with pytest.raises(ValueError, match="tolerance_grad"):
        optim.LBFGS([x], tolerance_grad=-1.0)
    with pytest.raises(ValueError, match="learning rate"):
        optim.LBFGS([x], lr=-1.0)
    assert optim.LBFGS([x], max_iter=8).param_groups[0]["max_eval"] == 10  # torch's default
    # read-only arrays exist only on the host (CuPy has none): a CPU parameter
    ro = ag.Tensor(np.broadcast_to(np.ones(2), (2, 2)), requires_grad=True, device="cpu")
    opt = optim.LBFGS([ro])
    with pytest.raises(RuntimeError, match="read-only"):
        opt.step(_closure(opt, lambda: (ro * ro).sum()))
    opt = optim.LBFGS([x])

    def wrong_grad():
        x.grad = ag.tensor(np.ones(3))
        return 1.0

    with pytest.raises(RuntimeError, match="has 2 element.*gradient has shape"):
        opt.step(wrong_grad)
