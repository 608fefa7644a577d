"""Threads: grad mode is per thread, graphs built in different threads share nothing, concurrent
training is bit-identical to sequential training, and concurrent ``backward`` calls into shared
leaves lose no contribution.  Barriers and events force the threads to overlap."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
import optim
from autograd.data import DataLoader, TensorDataset
from autograd.testing import assert_allclose, assert_array_equal

TIMEOUT = 60.0


@contextmanager
def fast_switching() -> Iterator[None]:
    """Switch threads every microsecond so that races show up within a few thousand steps."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def run_threads(*targets: Callable[[], Any]) -> list[Any]:
    """Run each target in its own thread; re-raise the first exception; return the results."""
    results: list[Any] = [None] * len(targets)
    errors: list[BaseException] = []

    def wrap(k: int, fn: Callable[[], Any]) -> None:
        try:
            results[k] = fn()
        except BaseException as e:  # noqa: BLE001 - re-raised in the main thread
            errors.append(e)

    # daemon threads: one that hangs fails the test below and cannot block the process's exit
    threads = [threading.Thread(target=wrap, args=(k, f), daemon=True)
               for k, f in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
        assert not t.is_alive(), "a thread hung"
    if errors:
        raise errors[0]
    return results


# ------------------------------------------------------------------------------ grad mode
def test_no_grad_in_one_thread_does_not_affect_another():
    x = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    inside = threading.Event()
    checked = threading.Event()

    def quiet() -> tuple[bool, bool]:
        with ag.no_grad():
            inside.set()  # the other thread now runs while this one is in no_grad
            assert checked.wait(TIMEOUT)
            y = x * 2.0
            return ag.is_grad_enabled(), y.requires_grad

    def loud() -> tuple[bool, bool, bool]:
        assert inside.wait(TIMEOUT)
        try:
            y = (x * 3.0).sum()
            y.backward()
            return ag.is_grad_enabled(), y.requires_grad, y.grad_fn is not None
        finally:
            checked.set()

    (q_enabled, q_rg), (l_enabled, l_rg, l_fn) = run_threads(quiet, loud)
    assert (q_enabled, q_rg) == (False, False)
    assert (l_enabled, l_rg, l_fn) == (True, True, True)
    assert_array_equal(x.grad.cpu().numpy(), [3.0, 3.0])
    assert ag.is_grad_enabled()  # the main thread was never touched


def test_set_grad_enabled_call_form_and_new_threads_start_enabled():
    ag.set_grad_enabled(False)  # the call form switches this thread immediately
    try:
        assert not ag.is_grad_enabled()
        x = ag.tensor(1.0, requires_grad=True)

        def worker() -> tuple[bool, bool]:
            return ag.is_grad_enabled(), (x * 2.0).requires_grad

        assert run_threads(worker, worker) == [(True, True), (True, True)]
        assert not (x * 2.0).requires_grad
    finally:
        ag.set_grad_enabled(True)
    assert ag.is_grad_enabled()


def test_grad_mode_toggling_races_stay_per_thread():
    """Four threads flip grad mode thousands of times at top speed; each one always sees its own
    setting (recorded or not) and never another thread's."""
    x = ag.tensor(np.ones(2), requires_grad=True)
    barrier = threading.Barrier(4)
    n = 2_000

    def worker(k: int) -> int:
        wrong = 0
        barrier.wait(TIMEOUT)
        for i in range(n):
            mode = (i + k) % 2 == 0
            with ag.set_grad_enabled(mode):
                y = x * 1.0
                if y.requires_grad != mode or ag.is_grad_enabled() != mode:
                    wrong += 1
            if not ag.is_grad_enabled():
                wrong += 1
        return wrong

    with fast_switching():
        res = run_threads(*(lambda k=k: worker(k) for k in range(4)))
    assert res == [0, 0, 0, 0]


def test_anomaly_mode_is_per_thread():
    on = threading.Event()
    done = threading.Event()

    def anomalous() -> bool:
        with ag.detect_anomaly():
            on.set()
            assert done.wait(TIMEOUT)
            return ag.is_anomaly_enabled()

    def normal() -> bool:
        assert on.wait(TIMEOUT)
        try:
            return ag.is_anomaly_enabled()
        finally:
            done.set()

    assert run_threads(anomalous, normal) == [True, False]


# ----------------------------------------------------------------------------- training
def _make_job(seed: int) -> tuple[nn.Module, optim.Optimizer, DataLoader]:
    rng = np.random.default_rng(seed)
    xs = rng.normal(size=(96, 6))
    ys = (xs[:, 0] * xs[:, 1] > 0).astype(np.int64) + (xs[:, 2] > 1).astype(np.int64)
    net = nn.Sequential(
        nn.Linear(6, 24, generator=seed), nn.Tanh(), nn.Dropout(0.2, generator=seed + 1),
        nn.Linear(24, 24, generator=seed + 2), nn.ReLU(), nn.Linear(24, 3, generator=seed + 3),
    )
    opt = optim.Adam(net.parameters(), lr=3e-3) if seed % 2 else optim.SGD(
        net.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    loader = DataLoader(TensorDataset(xs, ys), batch_size=16, shuffle=True, seed=seed + 4)
    return net, opt, loader


def _train(seed: int, epochs: int, step_barrier: threading.Barrier | None) -> dict[str, Any]:
    net, opt, loader = _make_job(seed)
    dev = next(iter(net.parameters())).device
    losses = []
    for _ in range(epochs):
        for xb, yb in loader:
            xb, yb = xb.to(dev), yb.to(dev)  # host batches to the model's device
            if step_barrier is not None:
                step_barrier.wait(TIMEOUT)  # lockstep: both threads are mid-training together
            opt.zero_grad()
            loss = F.cross_entropy(net(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return {"losses": losses, "params": [p.detach().cpu().numpy().copy() for p in net.parameters()]}


def _assert_bitwise_equal(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a["losses"] == b["losses"]
    assert len(a["params"]) == len(b["params"])
    for pa, pb in zip(a["params"], b["params"]):
        assert pa.dtype == pb.dtype
        assert_array_equal(pa, pb)
        assert pa.tobytes() == pb.tobytes()


def test_two_threads_train_two_models_bit_identically_to_sequential():
    epochs = 8  # 6 batches each: 48 lockstep steps
    seq_a = _train(11, epochs, None)
    seq_b = _train(20, epochs, None)
    barrier = threading.Barrier(2)
    with fast_switching():
        par_a, par_b = run_threads(lambda: _train(11, epochs, barrier),
                                   lambda: _train(20, epochs, barrier))
    _assert_bitwise_equal(par_a, seq_a)
    _assert_bitwise_equal(par_b, seq_b)
    assert seq_a["losses"][-1] < seq_a["losses"][0] and seq_b["losses"][-1] < seq_b["losses"][0]
    assert seq_a["losses"] != seq_b["losses"]  # two genuinely different jobs


def test_one_thread_in_no_grad_evaluates_while_another_trains():
    """Evaluation under no_grad in one thread while the other trains: training is unaffected
    (bit-identical to training alone) and evaluation records nothing."""
    epochs = 4
    alone = _train(31, epochs, None)
    net_eval, _, _ = _make_job(40)
    net_eval.eval()
    xe = ag.tensor(np.random.default_rng(5).normal(size=(64, 6)))
    barrier = threading.Barrier(2)
    n_steps = len(alone["losses"])

    def evaluate() -> list[bool]:
        flags = []
        with ag.no_grad():
            for _ in range(n_steps):
                barrier.wait(TIMEOUT)
                out = net_eval(xe)
                flags.append(out.requires_grad or out.grad_fn is not None)
        return flags

    with fast_switching():
        trained, flags = run_threads(lambda: _train(31, epochs, barrier), evaluate)
    _assert_bitwise_equal(trained, alone)
    assert flags == [False] * n_steps


# -------------------------------------------------------------------- shared leaves
def test_concurrent_backward_into_shared_leaves_loses_nothing():
    """Four threads call backward at the same moment into the same fresh leaves (arrays and
    Python-float scalars): every contribution arrives (PyTorch locks its gradient accumulation
    too)."""
    rounds, k = 600, 4
    vec = [ag.tensor(np.ones(3), requires_grad=True) for _ in range(rounds)]
    sca = [ag.tensor(1.0, requires_grad=True) for _ in range(rounds)]
    barrier = threading.Barrier(k)

    def worker(j: int) -> None:
        for r in range(rounds):
            barrier.wait(TIMEOUT)
            (vec[r] * float(j + 1)).sum().backward()
            (sca[r] * float(j + 1)).backward()

    with fast_switching():
        run_threads(*(lambda j=j: worker(j) for j in range(k)))
    want = float(sum(range(1, k + 1)))
    lost_vec = sum(1 for t in vec if not np.array_equal(t.grad.cpu().numpy(), np.full(3, want)))
    lost_sca = sum(1 for t in sca if t.grad.item() != want)
    assert (lost_vec, lost_sca) == (0, 0)


def test_graphs_built_concurrently_with_a_shared_weight():
    """Each thread builds its own graph on a shared weight and differentiates it with grad():
    results equal the single-threaded ones exactly."""
    rng = np.random.default_rng(3)
    w = ag.tensor(rng.normal(size=(5, 5)), requires_grad=True)
    inputs = [rng.normal(size=(7, 5)) for _ in range(4)]
    barrier = threading.Barrier(4)

    def job(xv: np.ndarray, sync: bool) -> np.ndarray:
        out = []
        for i in range(50):
            if sync:
                barrier.wait(TIMEOUT)
            h = ag.tanh(ag.tensor(xv) @ w) * (1.0 + i)
            (g,) = ag.grad((h * h).sum(), w)
            out.append(g.detach().cpu().numpy())
        return np.stack(out)

    expected = [job(xv, False) for xv in inputs]
    with fast_switching():
        got = run_threads(*(lambda xv=xv: job(xv, True) for xv in inputs))
    for e, g in zip(expected, got):
        assert_array_equal(g, e)
    assert w.grad is None


@pytest.mark.parametrize("n_threads", [2, 4])
def test_concurrent_optimizer_free_accumulation_matches_sum(n_threads):
    """Hogwild-style: threads accumulate into one model's gradients; the total equals the sum of
    the per-batch gradients computed alone (up to summation order)."""
    net = nn.Linear(4, 2, generator=0)
    rng = np.random.default_rng(9)
    batches = [ag.tensor(rng.normal(size=(8, 4))) for _ in range(n_threads * 20)]
    ref_w = np.zeros((2, 4))
    for xb in batches:
        net.zero_grad()
        (net(xb) ** 2).sum().backward()
        ref_w += net.weight.grad.cpu().numpy()
    net.zero_grad()
    barrier = threading.Barrier(n_threads)

    def worker(j: int) -> None:
        for xb in batches[j::n_threads]:
            barrier.wait(TIMEOUT)
            (net(xb) ** 2).sum().backward()

    with fast_switching():
        run_threads(*(lambda j=j: worker(j) for j in range(n_threads)))
    assert_allclose(net.weight.grad.cpu().numpy(), ref_w, rtol=1e-12)
