"""Fixtures for the data tests."""

import signal

import pytest

LIMIT_S = 60


@pytest.fixture
def bounded_in_time():
    """Fail a test that runs longer than LIMIT_S seconds (a DataLoader hang), instead of
    stalling the suite: SIGALRM interrupts the main process wherever it waits."""

    def on_alarm(signum, frame):
        raise TimeoutError(f"test still running after {LIMIT_S} s: a DataLoader hang")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(LIMIT_S)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)
