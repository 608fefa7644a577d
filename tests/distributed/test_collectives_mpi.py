"""Each collective on several ranks against NumPy (run: mpiexec -n 2 python -m pytest
tests/distributed).  Every rank builds every rank's input from the same seed, so each can compute
the expected result itself."""

import zlib

import numpy as np
import pytest
from _marks import mpi_only

import autograd as ag
import autograd.distributed as dist
from autograd.testing import assert_array_equal

pytestmark = mpi_only

SHAPES = [(), (1,), (7,), (3, 4), (2, 0, 3), (2, 3, 5)]
DTYPES = [np.float64, np.float32, np.float16, np.int64, np.int32]


def _inputs(shape, dtype, seed):
    """Every rank's input (rank r gets inputs[r]): integers small enough to be exact."""
    rng = np.random.default_rng(seed)
    return [rng.integers(-8, 9, size=shape).astype(dtype) for _ in range(dist.get_world_size())]


REFERENCE = {
    dist.ReduceOp.SUM: lambda xs: np.sum(xs, axis=0),
    dist.ReduceOp.AVG: lambda xs: np.sum(xs, axis=0) / len(xs),
    dist.ReduceOp.PRODUCT: lambda xs: np.prod(xs, axis=0),
    dist.ReduceOp.MIN: lambda xs: np.min(xs, axis=0),
    dist.ReduceOp.MAX: lambda xs: np.max(xs, axis=0),
}


def test_world():
    assert dist.is_initialized()
    assert dist.get_world_size() >= 2
    ranks = [ag.zeros(()) for _ in range(dist.get_world_size())]
    dist.all_gather(ranks, ag.tensor(float(dist.get_rank())))
    assert [r.item() for r in ranks] == list(range(dist.get_world_size()))


@pytest.mark.parametrize("op", list(dist.ReduceOp))
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_all_reduce_matches_numpy(op, dtype, shape):
    if op is dist.ReduceOp.AVG and np.dtype(dtype).kind != "f":
        pytest.skip("AVG is for floating tensors (its TypeError is tested single-process)")
    xs = _inputs(shape, dtype, seed=zlib.crc32(repr((op.value, np.dtype(dtype).str, shape)).encode()))
    t = ag.tensor(xs[dist.get_rank()].copy(), dtype=dtype)
    v = t._version
    dist.all_reduce(t, op=op)
    want = REFERENCE[op](np.stack(xs)).astype(dtype)
    assert t.dtype == dtype and tuple(t.shape) == shape
    assert_array_equal(t.detach().cpu().numpy(), want)
    assert t._version == v + 1  # an in-place change, like any other


def test_all_reduce_of_views_scalars_bools_and_async():
    r, w = dist.get_rank(), dist.get_world_size()
    base = np.arange(24.0).reshape(4, 6) * (r + 1)
    t = ag.tensor(base)
    view = t[1:, ::3]  # non-contiguous: reduced through a copy, written back into the base
    dist.all_reduce(view)
    factor = w * (w + 1) / 2
    assert_array_equal(t.detach().cpu().numpy()[1:, ::3], np.arange(24.0).reshape(4, 6)[1:, ::3] * factor)
    assert_array_equal(t.detach().cpu().numpy()[0], base[0])  # the rest is untouched
    s = ag.tensor(float(r))  # the scalar fast path (a Python float inside)
    dist.all_reduce(s, op=dist.ReduceOp.MAX)
    assert s.item() == w - 1
    b = ag.tensor([r == 0, True, False])
    dist.all_reduce(b, op=dist.ReduceOp.SUM)  # "any"
    assert b.tolist() == [True, True, False]
    b = ag.tensor([r == 0, True, False])
    dist.all_reduce(b, op=dist.ReduceOp.MIN)  # "all"
    assert b.tolist() == [False, True, False]
    a = ag.full((5,), float(r))
    work = dist.all_reduce(a, op=dist.ReduceOp.AVG, async_op=True)
    assert work.wait()
    assert_array_equal(a.detach().cpu().numpy(), np.full(5, (w - 1) / 2))


def test_all_reduce_sum_of_random_floats_is_identical_on_every_rank():
    rng = np.random.default_rng(1234 + dist.get_rank())
    t = ag.tensor(rng.normal(size=1000))
    dist.all_reduce(t)
    everyone = [ag.zeros(1000) for _ in range(dist.get_world_size())]
    dist.all_gather(everyone, t)
    for e in everyone:
        assert e.detach().cpu().numpy().tobytes() == t.detach().cpu().numpy().tobytes()


@pytest.mark.parametrize("src", [0, 1])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_broadcast_matches_the_source(src, dtype):
    xs = _inputs((3, 5), dtype, seed=src)
    t = ag.tensor(xs[dist.get_rank()].copy(), dtype=dtype)
    dist.broadcast(t, src)
    assert_array_equal(t.detach().cpu().numpy(), xs[src])
    view_base = ag.tensor(np.zeros((4, 4)) + dist.get_rank())
    dist.broadcast(view_base[::2, 1], src)
    assert view_base.detach().cpu().numpy()[::2, 1].tolist() == [float(src)] * 2
    assert view_base.detach().cpu().numpy()[1, 1] == dist.get_rank()


@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (0, 2)])
def test_all_gather_matches_numpy(shape):
    xs = _inputs(shape, np.float64, seed=7)
    out = [ag.full(shape, -1.0) for _ in range(dist.get_world_size())]
    dist.all_gather(out, ag.tensor(xs[dist.get_rank()]))
    for o, x in zip(out, xs):
        assert_array_equal(o.detach().cpu().numpy(), x)


def test_barrier_waits_for_everyone():
    import time

    mark = ag.tensor([0.0])
    if dist.get_rank() == 0:
        time.sleep(0.2)
        mark = ag.tensor([time.monotonic()])
    dist.barrier()
    after = time.monotonic()
    dist.broadcast(mark, 0)
    assert after >= mark.item() - 1e-3  # nobody left the barrier before rank 0 reached it
