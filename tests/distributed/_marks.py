"""Markers shared by the distributed tests: which ones need several ranks, which need one."""

import pytest

import autograd.distributed as dist

WORLD = dist.launched_by_mpi() or 1

mpi_only = pytest.mark.skipif(
    WORLD < 2, reason="needs several ranks: mpiexec -n 2 python -m pytest tests/distributed"
)
single_only = pytest.mark.skipif(
    WORLD > 1, reason="single-process test (it initialises MPI alone or launches mpiexec)"
)
