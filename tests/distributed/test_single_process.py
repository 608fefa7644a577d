"""autograd.distributed and DistributedDataParallel in one process (a world_size=1 group).

The API, its errors, and DDP's bookkeeping (buckets, no_sync, unused parameters, state_dict) do
not need a second rank to be checked; the multi-rank behaviour is in the *_mpi tests.
"""

import datetime
import subprocess
import sys

import numpy as np
import pytest
from _marks import single_only
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
import autograd.distributed as dist
import nn
import optim
from autograd.testing import assert_array_equal

pytestmark = single_only


@pytest.fixture
def group1():
    dist.init_process_group("mpi", world_size=1, timeout=datetime.timedelta(seconds=30))
    yield
    dist.destroy_process_group()


def _mlp(seed=0):
    ag.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))


# ----------------------------------------------------------------------------- set-up errors
def test_not_launched_by_mpi_needs_world_size_1():
    with pytest.raises(RuntimeError, match=r"not launched by MPI.*mpiexec -n 2.*world_size=1"):
        dist.init_process_group("mpi")
    assert not dist.is_initialized()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="backend 'nccl' is not supported"):
        dist.init_process_group("nccl", world_size=1)
    with pytest.raises(RuntimeError, match=r"world_size=3 but the MPI launcher started 1"):
        dist.init_process_group("mpi", world_size=3)
    with pytest.raises(RuntimeError, match="rank=1 but MPI assigned rank 0"):
        dist.init_process_group("mpi", world_size=1, rank=1)
    with pytest.raises(ValueError, match="timeout must be positive"):
        dist.init_process_group("mpi", world_size=1, timeout=0)
    with pytest.raises(ValueError, match="init_method"):
        dist.init_process_group("mpi", "tcp://a:1", world_size=1)
    assert not dist.is_initialized()


def test_queries_before_init_raise():
    assert not dist.is_initialized()
    for fn in (dist.get_rank, dist.get_world_size, dist.barrier):
        with pytest.raises(RuntimeError, match="init_process_group"):
            fn()
    with pytest.raises(RuntimeError, match="init_process_group"):
        dist.all_reduce(ag.ones(2))
    with pytest.raises(RuntimeError, match="not initialised"):
        nn.parallel.DistributedDataParallel(_mlp())
    dist.destroy_process_group()  # a no-op


def test_missing_mpi4py_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # makes `import mpi4py` raise ImportError
    monkeypatch.setitem(sys.modules, "mpi4py.MPI", None)
    assert not dist.is_available()
    with pytest.raises(ImportError, match=r'pip install "tapegrad\[dist\]"'):
        dist.init_process_group("mpi", world_size=1)


def test_tapegrad_works_without_mpi4py():
    """Blocking mpi4py's import: autograd and nn import, and a model trains as today."""
    code = (
        "import sys; sys.modules['mpi4py'] = None\n"
        "import autograd as ag, nn, optim\n"
        "m = nn.Linear(2, 1); o = optim.SGD(m.parameters(), lr=0.1)\n"
        "m(ag.ones(4, 2)).sum().backward(); o.step()\n"
        "assert not ag.distributed.is_available() and 'mpi4py' not in [k for k, v in "
        "sys.modules.items() if v is not None]\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_launcher_detection(monkeypatch):
    for var in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE"):
        monkeypatch.delenv(var, raising=False)
    assert dist.launched_by_mpi() == 0
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "4")
    assert dist.launched_by_mpi() == 4


# ------------------------------------------------------------------------- one-process group
def test_one_process_group(group1):
    assert dist.is_initialized() and dist.get_rank() == 0 and dist.get_world_size() == 1
    with pytest.raises(RuntimeError, match="already initialised"):
        dist.init_process_group("mpi", world_size=1)
    x = ag.tensor([[1.0, -2.0], [3.0, 4.0]])
    before = x._version
    for op in dist.ReduceOp:
        dist.all_reduce(x, op=op)  # one rank: every reduction is the identity
    assert_array_equal(x.detach().cpu().numpy(), [[1.0, -2.0], [3.0, 4.0]])
    assert x._version == before + len(dist.ReduceOp)
    out = [ag.zeros(2, 2)]
    dist.all_gather(out, x)
    assert_array_equal(out[0].detach().cpu().numpy(), x.detach().cpu().numpy())
    dist.broadcast(x, 0)
    work = dist.all_reduce(x, async_op=True)
    assert work.wait() and work.is_completed()
    with pytest.raises(TypeError, match="Work.wait: timeout must be"):
        dist.all_reduce(x, async_op=True).wait(timeout="soon")
    dist.barrier()


def test_collective_input_errors(group1):
    with pytest.raises(TypeError, match="all_reduce: tensor must be a Tensor"):
        dist.all_reduce(np.ones(2))
    with pytest.raises(TypeError, match="ReduceOp"):
        dist.all_reduce(ag.ones(2), op="sum")
    with pytest.raises(TypeError, match="AVG needs a floating-point tensor"):
        dist.all_reduce(ag.tensor([1, 2]), op=dist.ReduceOp.AVG)
    with pytest.raises(ValueError, match=r"src must be a rank in 0\.\.0"):
        dist.broadcast(ag.ones(2), 1)
    with pytest.raises(ValueError, match="list of world_size=1 tensors"):
        dist.all_gather([ag.ones(2), ag.ones(2)], ag.ones(2))
    with pytest.raises(ValueError, match=r"tensor_list\[0\] has shape \(3,\)"):
        dist.all_gather([ag.ones(3)], ag.ones(2))
    with pytest.raises(ValueError, match="default process group"):
        dist.barrier(group="world")
    ro = ag.ones(3, device="cpu")  # read-only arrays exist only on the host (CuPy has none)
    ro.numpy().flags.writeable = False
    with pytest.raises(RuntimeError, match="read-only"):
        dist.all_reduce(ro)


def test_collectives_on_views_scalars_and_float16(group1):
    base = np.arange(12.0).reshape(3, 4)
    t = ag.tensor(base)
    view = t[:, ::2]  # a non-contiguous view: reduced through a copy, written back
    dist.all_reduce(view, op=dist.ReduceOp.AVG)
    assert_array_equal(view.detach().cpu().numpy(), base[:, ::2])
    s = ag.tensor(2.5)
    dist.all_reduce(s)
    assert s.item() == 2.5
    h = ag.tensor([1.5, 2.0], dtype=np.float16)
    dist.all_reduce(h, op=dist.ReduceOp.AVG)
    assert h.dtype == np.float16 and h.tolist() == [1.5, 2.0]


# ------------------------------------------------------------------------------------- DDP
def test_ddp_one_process_equals_plain_training(group1):
    data = np.random.default_rng(0).normal(size=(8, 3))
    ref, wrapped = _mlp(), _mlp()
    ddp = nn.parallel.DistributedDataParallel(wrapped, bucket_cap_mb=1e-4)
    assert ddp.module is wrapped and len(ddp._buckets) > 1
    for model in (ref, ddp):
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        for _ in range(3):
            opt.zero_grad()
            (model(ag.tensor(data)) ** 2).mean().backward()
            opt.step()
    for p, q in zip(ref.parameters(), wrapped.parameters()):
        assert_array_equal(p.detach().cpu().numpy(), q.detach().cpu().numpy())


def test_ddp_state_dict_has_module_prefix(group1):
    model = _mlp()
    ddp = nn.parallel.DistributedDataParallel(model)
    keys = list(ddp.state_dict())
    assert keys == ["module." + k for k in model.state_dict()]
    fresh = nn.parallel.DistributedDataParallel(_mlp(seed=1))
    fresh.load_state_dict(ddp.state_dict())
    for p, q in zip(model.parameters(), fresh.module.parameters()):
        assert_array_equal(p.detach().cpu().numpy(), q.detach().cpu().numpy())


class _TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(3, 4)
        self.used = nn.Linear(4, 1)
        self.unused = nn.Linear(4, 1)

    def forward(self, x):
        return self.used(self.body(x))


def test_unused_parameters_raise_naming_them(group1):
    ddp = nn.parallel.DistributedDataParallel(_TwoHeads())
    with pytest.raises(RuntimeError, match=r"unused\.weight, unused\.bias.*find_unused_parameters"):
        ddp(ag.ones(2, 3)).sum().backward()


def test_find_unused_parameters_leaves_grad_none(group1):
    model = _TwoHeads()
    ddp = nn.parallel.DistributedDataParallel(model, find_unused_parameters=True)
    ddp(ag.ones(2, 3)).sum().backward()
    assert model.unused.weight.grad is None and model.used.weight.grad is not None


def test_no_sync_and_no_grad_forward_skip_the_reduction(group1):
    model = _mlp()
    ddp = nn.parallel.DistributedDataParallel(model)
    with ddp.no_sync():
        ddp(ag.ones(2, 3)).sum().backward()
    assert ddp._buckets[0].work is None  # nothing was communicated
    with ag.no_grad():
        ddp(ag.ones(2, 3))
    assert not ddp._expect
    ddp(ag.ones(2, 3)).sum().backward()
    assert all(b.work is not None for b in ddp._buckets)


def test_ddp_argument_errors(group1):
    with pytest.raises(TypeError, match="must be an nn.Module"):
        nn.parallel.DistributedDataParallel(lambda x: x)
    with pytest.raises(ValueError, match="bucket_cap_mb must be positive"):
        nn.parallel.DistributedDataParallel(_mlp(), bucket_cap_mb=0)
    with pytest.raises(ValueError, match="one replica per process"):
        nn.parallel.DistributedDataParallel(_mlp(), device_ids=[0])
    with pytest.raises(ValueError, match="default process group"):
        nn.parallel.DistributedDataParallel(_mlp(), process_group="world")


def test_ddp_rejects_a_module_converted_after_wrapping(group1):
    model = _mlp()
    ddp = nn.parallel.DistributedDataParallel(model)
    model.float()
    with pytest.raises(RuntimeError, match=r"dtype float32.*before wrapping"):
        ddp(ag.ones(2, 3, dtype=np.float32)).sum().backward()


def test_queue_callback_outside_backward_raises():
    from autograd.differentiate import queue_callback

    with pytest.raises(RuntimeError, match="no backward"):
        queue_callback(lambda: None)
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_post_accumulate_grad_hook(lambda t: queue_callback(lambda: seen.append(1)))
    (x * x).sum().backward()
    assert seen == [1]


def test_ddp_is_freed_by_reference_counting(group1):
    import gc
    import weakref

    model = _mlp()
    ddp = nn.parallel.DistributedDataParallel(model)
    ddp(ag.ones(2, 3)).sum().backward()
    ref = weakref.ref(ddp)
    gc.disable()
    try:
        del ddp
        assert ref() is None  # no reference cycle through the parameters' hooks
    finally:
        gc.enable()
    model(ag.ones(2, 3)).sum().backward()  # the orphaned hooks are harmless


@given(st.lists(st.tuples(st.integers(0, 40), st.sampled_from([np.float32, np.float64])),
                max_size=12),
       st.integers(1, 200))
def test_bucket_plan_covers_every_parameter_once_within_the_cap(specs, cap):
    from nn.parallel._buckets import plan_buckets

    params = [nn.Parameter(np.zeros(n, dtype=dt)) for n, dt in specs]
    buckets = plan_buckets(params, cap)
    order = {id(p): k for k, p in enumerate(params)}
    seen = [p for b in buckets for p in b.params]
    assert sorted(map(id, seen)) == sorted(map(id, params))
    for b in buckets:
        assert len({p.dtype for p in b.params}) == 1 and b.flat.dtype == b.params[0].dtype
        assert b.flat.nbytes <= cap or len(b.params) == 1
        pos = [order[id(p)] for p in b.params]
        assert pos == sorted(pos)  # the given order is kept inside a bucket
        for p, v in zip(b.params, b.views):
            assert v.shape == tuple(p.shape) and np.shares_memory(v, b.flat) or v.size == 0


def test_a_collective_counts_as_an_in_place_change_for_saved_tensors(group1):
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = (y * y).sum()  # saves y for its backward
    dist.all_reduce(y)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()
    assert y.grad_fn.name() == "MulBackward"  # not recorded on the tape: still mul's output
