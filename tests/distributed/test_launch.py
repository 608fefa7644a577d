"""Whole MPI jobs launched from a single-process test run (``mpiexec -n 2`` as a subprocess, each
with a timeout): the multi-rank suite itself, the data-parallel demo against a single-process
run, and what happens when a rank fails."""

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from _marks import single_only

import nn
from autograd.testing import assert_allclose

pytestmark = single_only
ROOT = Path(__file__).resolve().parents[2]
MPIEXEC = shutil.which("mpiexec") or shutil.which("mpiexec", path=str(Path(sys.executable).parent))


def _mpiexec(args, timeout, cwd=None):
    if MPIEXEC is None:
        pytest.skip("mpiexec is not on PATH (pip install 'tapegrad[dist]' brings MPICH's)")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    start = time.monotonic()
    out = subprocess.run([MPIEXEC, "-n", "2", *args], capture_output=True, text=True,
                         timeout=timeout, env=env, cwd=cwd or ROOT)
    return out, time.monotonic() - start


def test_the_multi_rank_suite_passes_under_mpiexec():
    """The *_mpi tests of this folder, on two ranks (CI runs this command directly too)."""
    out, _ = _mpiexec([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                       str(ROOT / "tests" / "distributed")], timeout=400)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-4000:]
    assert "passed" in out.stdout and "failed" not in out.stdout


def test_demo_data_parallel_matches_single_process(tmp_path):
    opts = ["--epochs", "2", "--hidden", "16", "--no-progress"]
    one = subprocess.run([sys.executable, "-m", "autograd.demo", *opts, "--out",
                          str(tmp_path / "one")], capture_output=True, text=True, timeout=300,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert one.returncode == 0, one.stderr
    two, _ = _mpiexec([sys.executable, "-m", "autograd.demo", *opts, "--out",
                       str(tmp_path / "two")], timeout=300)
    assert two.returncode == 0, two.stdout + two.stderr
    assert "data-parallel on 2 MPI processes" in two.stdout
    assert two.stdout.count("final test accuracy") == 1  # rank 0 alone prints
    # the same epochs, losses and accuracies are printed
    pick = [line for line in one.stdout.splitlines() if line.startswith(("epoch", "final"))]
    assert pick == [line for line in two.stdout.splitlines()
                    if line.startswith(("epoch", "final"))]
    a = nn.load(tmp_path / "one" / "digits_mlp.npz")["model"]
    b = nn.load(tmp_path / "two" / "digits_mlp.npz")["model"]
    for k in a:
        assert_allclose(np.asarray(b[k]), np.asarray(a[k]), rtol=0, atol=1e-12)


def _script(tmp_path, body):
    path = tmp_path / "job.py"
    path.write_text(textwrap.dedent(body))
    return [sys.executable, str(path)]


def test_a_raising_rank_aborts_the_job_with_its_error(tmp_path):
    cmd = _script(tmp_path, """
        import autograd as ag, autograd.distributed as dist
        dist.init_process_group("mpi")
        if dist.get_rank() == 1:
            raise ValueError("boom on rank one")
        dist.all_reduce(ag.ones(3))  # rank 0 would wait here forever without the abort
    """)
    out, took = _mpiexec(cmd, timeout=120)
    assert out.returncode != 0
    text = out.stdout + out.stderr
    assert "rank 1 of 2 raised an uncaught exception" in text
    assert "ValueError: boom on rank one" in text
    assert took < 60


def test_a_wait_past_the_timeout_raises_a_clear_error(tmp_path):
    cmd = _script(tmp_path, """
        import time, autograd as ag, autograd.distributed as dist
        dist.init_process_group("mpi", timeout=2)
        if dist.get_rank() == 0:
            dist.all_reduce(ag.ones(3))  # rank 1 never joins
        else:
            time.sleep(100)
    """)
    out, took = _mpiexec(cmd, timeout=120)
    assert out.returncode != 0
    text = out.stdout + out.stderr
    assert "DistributedTimeoutError: all_reduce: timed out after 2 s" in text
    assert "rank 0 of 2 raised" in text
    assert took < 60
