"""Anomaly detection: NaN/Inf in backward names the op and where it was created."""

import os
import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import Tensor

THREAD_TIMEOUT = 60.0  # seconds: a thread test that hangs fails instead of stalling CI

THIS_FILE = os.path.basename(__file__)


def leaf(a):
    return Tensor(np.array(a, dtype=np.float64), requires_grad=True)


@pytest.fixture(autouse=True)
def anomaly_off():
    ag.set_detect_anomaly(False)
    yield
    ag.set_detect_anomaly(False)


def test_off_by_default_and_nothing_recorded():
    assert not ag.is_anomaly_enabled()
    x = leaf([0.0, 1.0])
    y = x.sqrt()
    assert y.grad_fn.trace is None
    y.sum().backward()  # inf in the gradient, but nobody asked to check
    assert np.isinf(x.grad.cpu().numpy()[0])


def test_nan_in_backward_names_the_op_and_the_forward_line():
    x = leaf([0.0, 4.0])
    with ag.detect_anomaly():
        assert ag.is_anomaly_enabled()
        y = x.sqrt() * 0.0  # the sqrt whose backward gives 0 / 0
        with pytest.raises(RuntimeError) as info:
            y.sum().backward()
    msg = str(info.value)
    assert "Function 'SqrtBackward' returned nan values in its gradient for input 0" in msg
    assert THIS_FILE in msg
    assert "y = x.sqrt() * 0.0  # the sqrt whose backward gives 0 / 0" in msg
    assert f"{os.sep}autograd{os.sep}tensor.py" not in msg  # the library's own frames are left out
    assert not ag.is_anomaly_enabled()


def test_inf_is_reported_as_inf():
    x = leaf([0.0, 1.0])
    with ag.detect_anomaly():
        y = x.sqrt()  # slope 1 / (2 sqrt(x)) is infinite at 0
        with pytest.raises(RuntimeError, match=r"'SqrtBackward' returned inf values"):
            y.sum().backward()


@given(st.lists(st.floats(0.1, 5.0), min_size=1, max_size=5))
def test_no_false_alarm_on_finite_gradients(values):
    x = leaf(values)
    with ag.detect_anomaly():
        y = (x.sqrt() * x.log() + x.exp().tanh()).sum()
        assert y.grad_fn.trace is not None
        y.backward()
    assert np.all(np.isfinite(x.grad.cpu().numpy()))


def test_fires_for_records_made_in_anomaly_mode_even_if_backward_is_outside():
    x = leaf([0.0])
    with ag.detect_anomaly():
        y = x.sqrt()
    with pytest.raises(RuntimeError, match="SqrtBackward"):
        y.sum().backward()


def test_records_made_outside_anomaly_mode_are_not_checked():
    x = leaf([0.0])
    y = x.sqrt()
    with ag.detect_anomaly():
        assert y.grad_fn.trace is None
        y.sum().backward()
    assert np.isinf(x.grad.cpu().numpy()[0])


def test_the_failing_op_is_found_in_a_longer_graph():
    x = leaf([1.0, 0.0])
    with ag.detect_anomaly():
        a = x * 2.0 + 1.0
        b = (x * 0.0).sqrt()  # the culprit
        c = (a * b).sum() + a.exp().sum()
        with pytest.raises(RuntimeError) as info:
            c.backward()
    assert "SqrtBackward" in str(info.value)
    assert "b = (x * 0.0).sqrt()  # the culprit" in str(info.value)


def test_decorator_form():
    @ag.detect_anomaly()
    def forward(x):
        assert ag.is_anomaly_enabled()
        return x.sqrt()

    x = leaf([0.0])
    y = forward(x)
    assert not ag.is_anomaly_enabled()
    assert y.grad_fn.trace is not None and "return x.sqrt()" in y.grad_fn.trace
    with pytest.raises(RuntimeError, match="SqrtBackward"):
        y.sum().backward()

    @ag.set_detect_anomaly(True)
    def forward2(x):
        return x.sqrt()

    assert not ag.is_anomaly_enabled()  # decorating does not switch it on
    assert forward2(x).grad_fn.trace is not None


def test_set_detect_anomaly_call_and_context():
    ag.set_detect_anomaly(True)
    assert ag.is_anomaly_enabled()
    ag.set_detect_anomaly(False)
    assert not ag.is_anomaly_enabled()
    with ag.set_detect_anomaly(True):
        assert ag.is_anomaly_enabled()
        with ag.set_detect_anomaly(False):
            assert not ag.is_anomaly_enabled()
        assert ag.is_anomaly_enabled()
    assert not ag.is_anomaly_enabled()


def test_nested_contexts_restore():
    with ag.detect_anomaly():
        with ag.detect_anomaly(check_nan=False):
            assert ag.is_anomaly_enabled()
        assert ag.is_anomaly_enabled()
        x = leaf([0.0])
        y = x.sqrt()
        with pytest.raises(RuntimeError, match="SqrtBackward"):
            y.sum().backward()
    assert not ag.is_anomaly_enabled()


def test_check_nan_false_records_traces_without_checking():
    x = leaf([0.0])
    with ag.detect_anomaly(check_nan=False):
        y = x.sqrt()
        assert y.grad_fn.trace is not None
        y.sum().backward()
    assert np.isinf(x.grad.cpu().numpy()[0])


def test_thread_local():
    results = {}

    def worker():
        results["start"] = ag.is_anomaly_enabled()
        with ag.detect_anomaly():
            results["inside"] = ag.is_anomaly_enabled()
            results["trace"] = leaf([1.0]).exp().grad_fn.trace is not None
            barrier.wait()  # main thread checks its own mode while this one is on
            barrier.wait()

    # bounded waits (a hang fails, BrokenBarrierError, instead of stalling CI); daemon threads
    barrier = threading.Barrier(2, timeout=THREAD_TIMEOUT)
    th = threading.Thread(target=worker, daemon=True)
    th.start()
    barrier.wait()
    assert not ag.is_anomaly_enabled()
    assert leaf([1.0]).exp().grad_fn.trace is None
    barrier.wait()
    th.join(THREAD_TIMEOUT)
    assert not th.is_alive()
    assert results == {"start": False, "inside": True, "trace": True}
    with ag.detect_anomaly():
        other = {}
        t = threading.Thread(target=lambda: other.update(on=ag.is_anomaly_enabled()),
                             daemon=True)
        t.start()
        t.join(THREAD_TIMEOUT)
        assert not t.is_alive()
    assert other == {"on": False}  # a new thread starts with anomaly mode off


def test_anomaly_under_create_graph():
    x = leaf([1.0, 0.0])
    with ag.detect_anomaly():
        y = (x**3).sum()
        (g,) = ag.grad(y, x, create_graph=True)
        z = g.sqrt().sum()  # sqrt(3 x^2) has an infinite slope at 0
        with pytest.raises(RuntimeError, match="SqrtBackward"):
            z.backward()


def test_version_error_shows_where_the_saving_op_was_created():
    x = leaf([1.0, 2.0])
    with ag.detect_anomaly():
        h = x * 1.0
        y = h * h  # saves h
        h.add_(1.0)
        with pytest.raises(RuntimeError) as info:
            y.sum().backward()
    msg = str(info.value)
    assert "modified by an inplace operation" in msg and "y = h * h  # saves h" in msg
    z = x * 1.0
    w = z * z
    z.add_(1.0)
    with pytest.raises(RuntimeError, match="Hint: enable anomaly detection"):
        w.sum().backward()
