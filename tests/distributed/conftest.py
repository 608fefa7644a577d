"""Distributed tests: one file set, two ways of running it.

* ``python -m pytest`` (one process): the single-process tests run (API errors, one-process
  groups, and tests that launch ``mpiexec -n 2`` as a subprocess with a timeout); the tests that
  need several ranks skip.
* ``mpiexec -n 2 python -m pytest tests/distributed`` (what CI runs too, and what the
  single-process run launches once as a subprocess): every rank runs the
  same tests in the same order; the multi-rank tests share one process group, and the
  single-process ones skip (an MPI process must not launch mpiexec itself).

Every test is bounded in time: each collective waits at most ``COLLECTIVE_TIMEOUT`` seconds, and
a test that runs past ``TEST_TIMEOUT`` dumps its stack and ends the process (mpiexec then ends
the job), so a hang fails instead of stalling CI.  Without mpi4py the whole folder skips.
"""

import faulthandler
import importlib.util

import pytest

COLLECTIVE_TIMEOUT = 60.0
TEST_TIMEOUT = 180.0

if importlib.util.find_spec("mpi4py") is None:  # the optional [dist] extra is not installed
    collect_ignore_glob = ["test_*.py"]
else:
    import autograd.distributed as dist

    WORLD = dist.launched_by_mpi() or 1

    @pytest.fixture(scope="session", autouse=True)
    def process_group():
        """Under mpiexec: one process group for the whole session, on every rank."""
        if WORLD > 1:
            dist.init_process_group("mpi", timeout=COLLECTIVE_TIMEOUT)
            yield
            dist.barrier()
            dist.destroy_process_group()
        else:
            yield

    @pytest.fixture(autouse=True)
    def bounded_time():
        """Under mpiexec: end the process (and so the MPI job) if a test hangs past
        TEST_TIMEOUT.  (Single-process tests cannot hang on a partner: their subprocesses have
        their own timeouts.)"""
        if WORLD > 1:
            faulthandler.dump_traceback_later(TEST_TIMEOUT, exit=True)
        yield
        if WORLD > 1:
            faulthandler.cancel_dump_traceback_later()

    def pytest_runtest_makereport(item, call):
        """Under mpiexec, a collective that timed out leaves the ranks out of step: every later
        test would wait for its own timeout.  End the job at once instead, saying why."""
        if WORLD > 1 and call.excinfo is not None \
                and call.excinfo.errisinstance(dist.DistributedTimeoutError):
            import sys

            from mpi4py import MPI

            sys.stderr.write(f"\n{item.nodeid}: {call.excinfo.value}\naborting the MPI job\n")
            sys.stderr.flush()
            MPI.COMM_WORLD.Abort(1)
