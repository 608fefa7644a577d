"""DistributedDataParallel on several ranks (run: mpiexec -n 2 python -m pytest tests/distributed).

The reference is always single-process training on the whole batches, which every rank also
runs by itself on a private copy of the model: DDP must reproduce it to 1e-12 in float64, and
the replicas must stay bit-identical.
"""

import numpy as np
import pytest
from _marks import mpi_only

import autograd as ag
import autograd.distributed as dist
import nn
import optim
from autograd.testing import assert_allclose, assert_array_equal

pytestmark = mpi_only
DDP = nn.parallel.DistributedDataParallel


def _mlp(seed):
    ag.manual_seed(seed)
    return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 8), nn.ReLU(),
                         nn.Linear(8, 2))


def _batches(steps, batch, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(batch, 6)), rng.normal(size=(batch, 2))) for _ in range(steps)]


def _shard(a, rank, world):
    n = len(a) // world
    return a[rank * n:(rank + 1) * n]


def _assert_same_everywhere(model):
    """Every parameter and buffer is bit-identical on every rank."""
    for name, t in model.state_dict().items():
        copies = [ag.zeros_like(t) for _ in range(dist.get_world_size())]
        dist.all_gather(copies, t)
        for r, c in enumerate(copies):
            assert c.detach().cpu().numpy().tobytes() == t.detach().cpu().numpy().tobytes(), f"{name} differs on rank {r}"


def _gathered(t):
    out = [ag.zeros_like(t) for _ in range(dist.get_world_size())]
    dist.all_gather(out, t)
    return [o.detach().cpu().numpy() for o in out]


OPTIMIZERS = {
    "sgd_momentum": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=1e-3),
    "adam": lambda ps: optim.Adam(ps, lr=1e-2),
}


@pytest.mark.parametrize("bucket_cap_mb", [25, 1e-3])
@pytest.mark.parametrize("opt_name", sorted(OPTIMIZERS))
def test_ddp_equals_single_process_on_whole_batches(opt_name, bucket_cap_mb):
    r, w = dist.get_rank(), dist.get_world_size()
    steps, batch = 6, 8 * w
    data = _batches(steps, batch)
    ref = _mlp(seed=100)  # = rank 0's initial replica below
    ref_opt = OPTIMIZERS[opt_name](ref.parameters())
    for x, y in data:
        ref_opt.zero_grad()
        nn.functional.mse_loss(ref(ag.tensor(x)), ag.tensor(y)).backward()
        ref_opt.step()

    ddp = DDP(_mlp(seed=100 + r), bucket_cap_mb=bucket_cap_mb)  # rank 0's weights win
    if bucket_cap_mb < 1:
        assert len(ddp._buckets) > 2
    opt = OPTIMIZERS[opt_name](ddp.parameters())
    for x, y in data:
        opt.zero_grad()
        loss = nn.functional.mse_loss(ddp(ag.tensor(_shard(x, r, w))), ag.tensor(_shard(y, r, w)))
        loss.backward()
        opt.step()
    for (name, p), q in zip(ddp.module.named_parameters(), ref.parameters()):
        assert_allclose(p.detach().cpu().numpy(), q.detach().cpu().numpy(), rtol=0, atol=1e-12, err_msg=name)
    _assert_same_everywhere(ddp.module)


def test_construction_broadcasts_rank0_parameters_and_buffers():
    r = dist.get_rank()
    ag.manual_seed(r)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    model[1].running_mean.data.fill_(r + 1.0)  # (in place, on the buffer's device)
    DDP(model)
    _assert_same_everywhere(model)
    assert model[1].running_mean.detach().cpu().numpy()[0] == 1.0


def test_buffers_follow_rank0_before_every_forward_batch_statistics_stay_local():
    r = dist.get_rank()
    model = DDP(nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)))
    x = ag.tensor(np.random.default_rng(r).normal(size=(5, 3)) + r)  # different data per rank
    model(x).sum().backward()
    means = _gathered(model.module[1].running_mean)
    assert not np.array_equal(means[0], means[1])  # updated with each rank's own batch
    model.eval()
    with ag.no_grad():
        model(x)  # the forward first copies rank 0's running statistics everywhere
    _assert_same_everywhere(model.module)


def test_no_sync_accumulates_locally_then_averages_the_sum():
    r, w = dist.get_rank(), dist.get_world_size()
    micro = _batches(3, 4 * w, seed=3)
    ref = _mlp(seed=5)
    for x, y in micro:
        nn.functional.mse_loss(ref(ag.tensor(x)), ag.tensor(y)).backward()
    ddp = DDP(_mlp(seed=5))
    for k, (x, y) in enumerate(micro):
        xs, ys = ag.tensor(_shard(x, r, w)), ag.tensor(_shard(y, r, w))
        if k < len(micro) - 1:
            with ddp.no_sync():
                nn.functional.mse_loss(ddp(xs), ys).backward()
            local = _gathered(ddp.module[0].weight.grad)
            assert not np.array_equal(local[0], local[1])  # nothing communicated yet
        else:
            nn.functional.mse_loss(ddp(xs), ys).backward()
    for p, q in zip(ddp.module.parameters(), ref.parameters()):
        assert_allclose(p.grad.cpu().numpy(), q.grad.cpu().numpy(), rtol=0, atol=1e-12)
    for p in ddp.module.parameters():
        g = _gathered(p.grad)
        assert g[0].tobytes() == g[1].tobytes()


def test_uneven_shards_with_a_scaled_sum_loss_equal_the_global_mean():
    r, w = dist.get_rank(), dist.get_world_size()
    n = [3 + 2 * k for k in range(w)]  # rank k gets 3 + 2k samples
    x, y = _batches(1, sum(n), seed=9)[0]
    lo = sum(n[:r])
    ref = _mlp(seed=2)
    nn.functional.mse_loss(ref(ag.tensor(x)), ag.tensor(y), reduction="sum").div(
        sum(n) * 2).backward()
    ddp = DDP(_mlp(seed=2))
    out = ddp(ag.tensor(x[lo:lo + n[r]]))
    # DDP averages over ranks: scale the local sum by world / global count for the global mean
    (nn.functional.mse_loss(out, ag.tensor(y[lo:lo + n[r]]), reduction="sum")
     * (w / (sum(n) * 2))).backward()
    for p, q in zip(ddp.module.parameters(), ref.parameters()):
        assert_allclose(p.grad.cpu().numpy(), q.grad.cpu().numpy(), rtol=0, atol=1e-12)


class _Heads(nn.Module):
    def __init__(self, rank1_only_last=False):
        super().__init__()
        ag.manual_seed(0)
        self.body = nn.Linear(3, 4)
        self.head0 = nn.Linear(4, 1)
        if rank1_only_last:  # registered last: its bucket comes first (reverse order)
            self.never = nn.Linear(4, 1)
            self.rank1_only = nn.Linear(4, 1)
        else:
            self.rank1_only = nn.Linear(4, 1)
            self.never = nn.Linear(4, 1)

    def forward(self, x, rank1=False):
        h = self.body(x)
        return self.head0(h) + (self.rank1_only(h) if rank1 else 0.0)


def test_unused_parameters_raise_on_every_rank_and_the_group_survives():
    ddp = DDP(_Heads())
    with pytest.raises(RuntimeError, match=r"rank1_only\.weight, rank1_only\.bias, never\.weight"):
        ddp(ag.ones(2, 3)).sum().backward()
    t = ag.ones(1)
    dist.all_reduce(t)  # the collectives stayed matched: the group still works
    assert t.item() == dist.get_world_size()


@pytest.mark.parametrize("rank1_only_last", [False, True])
def test_find_unused_parameters_averages_zeros_for_missing_gradients(rank1_only_last):
    """With rank1_only_last, rank 1 starts its first buckets during the backward and rank 0
    only at its end: the collectives must still be issued in the same order."""
    r, w = dist.get_rank(), dist.get_world_size()
    model = _Heads(rank1_only_last)
    ddp = DDP(model, find_unused_parameters=True, bucket_cap_mb=1e-5)
    x = ag.ones(2, 3)
    ddp(x, rank1=(r == 1)).sum().backward()
    assert model.never.weight.grad is None  # no rank had a gradient: stays None, as PyTorch
    local = _Heads(rank1_only_last)
    local(x, rank1=True).sum().backward()
    assert_allclose(model.rank1_only.weight.grad.cpu().numpy(),
                               local.rank1_only.weight.grad.cpu().numpy() / w, rtol=0, atol=1e-15)
    _assert_same_everywhere(model)
    for p in (model.body.weight, model.rank1_only.bias):
        g = _gathered(p.grad)
        assert g[0].tobytes() == g[1].tobytes()


def test_checkpoint_written_by_rank0_loads_into_identical_replicas(tmp_path):
    r = dist.get_rank()
    path = ag.zeros(256, dtype=np.uint8)  # rank 0's file name, sent as bytes
    if r == 0:
        name = str(tmp_path / "ckpt.npz").encode()
        path[:len(name)] = ag.tensor(np.frombuffer(name, dtype=np.uint8), device=path.device)
    dist.broadcast(path, 0)
    fname = bytes(path.detach().cpu().numpy()).rstrip(b"\0").decode()
    trained = DDP(_mlp(seed=1))
    if r == 0:
        nn.save(trained.module.state_dict(), fname)
    dist.barrier()
    fresh = _mlp(seed=50 + r)  # different on every rank until the checkpoint is loaded
    fresh.load_state_dict(nn.load(fname))
    _assert_same_everywhere(fresh)
    dist.barrier()  # rank 0's tmp_path may go once everyone has read the file


@pytest.mark.parametrize("shuffle", [False, True])
def test_ddp_with_distributed_sampler_equals_single_process_on_the_union_of_the_shards(shuffle):
    """Rank r's j-th batch of a DistributedSampler is every world-th index of a slice of the
    epoch order, so the ranks' j-th batches together are one contiguous global batch."""
    from autograd.data import DataLoader, DistributedSampler, TensorDataset

    r, w = dist.get_rank(), dist.get_world_size()
    rng = np.random.default_rng(11)
    X, Y = rng.normal(size=(40 * w, 6)), rng.normal(size=(40 * w, 2))
    ds = TensorDataset(X, Y)
    local_batch, epochs = 4, 2
    sampler = DistributedSampler(ds, shuffle=shuffle, seed=3, drop_last=True)
    assert (sampler.num_replicas, sampler.rank) == (w, r)  # read from the process group
    loader = DataLoader(ds, batch_size=local_batch, sampler=sampler)
    ddp = DDP(_mlp(seed=4))
    opt = optim.SGD(ddp.parameters(), lr=0.1, momentum=0.5)
    ref = _mlp(seed=4)
    ref_opt = optim.SGD(ref.parameters(), lr=0.1, momentum=0.5)
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        order = (np.random.default_rng(3 + epoch).permutation(len(ds)) if shuffle
                 else np.arange(len(ds)))
        for j, (xb, yb) in enumerate(loader):
            opt.zero_grad()
            xb, yb = xb.to(ddp.module[0].weight.device), yb.to(ddp.module[0].weight.device)
            nn.functional.mse_loss(ddp(xb), yb).backward()
            opt.step()
            idx = order[j * local_batch * w:(j + 1) * local_batch * w]
            ref_opt.zero_grad()
            nn.functional.mse_loss(ref(ag.tensor(X[idx])), ag.tensor(Y[idx])).backward()
            ref_opt.step()
    for p, q in zip(ddp.module.parameters(), ref.parameters()):
        assert_allclose(p.detach().cpu().numpy(), q.detach().cpu().numpy(), rtol=0, atol=1e-12)
    _assert_same_everywhere(ddp.module)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_gradient_as_bucket_view_trains_like_copies(set_to_none):
    r, w = dist.get_rank(), dist.get_world_size()
    data = _batches(4, 4 * w, seed=21)
    models = []
    for as_view in (False, True):
        ddp = DDP(_mlp(seed=8), bucket_cap_mb=1e-3, gradient_as_bucket_view=as_view)
        opt = optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
        for x, y in data:
            opt.zero_grad(set_to_none=set_to_none)
            nn.functional.mse_loss(ddp(ag.tensor(_shard(x, r, w))),
                                   ag.tensor(_shard(y, r, w))).backward()
            opt.step()
        models.append(ddp)
    copies, views = models
    for p, q in zip(copies.module.parameters(), views.module.parameters()):
        assert p.detach().cpu().numpy().tobytes() == q.detach().cpu().numpy().tobytes()
        assert_array_equal(p.grad.cpu().numpy(), q.grad.cpu().numpy())
    flats = {id(b.flat) for b in views._buckets}
    # buckets are host memory: only CPU gradients can be views into them (GPU ones are copies)
    assert all(p.grad.numpy().base is not None and id(p.grad.numpy().base) in flats
               for p in views.module.parameters() if p.device.type == "cpu")


class _Pair(nn.Module):
    def __init__(self):
        super().__init__()
        ag.manual_seed(6)
        self.a = nn.Linear(3, 2)
        self.b = nn.Linear(3, 2)

    def forward(self, x, a_first):
        return self.a(x) * 2 + self.b(x) if a_first else self.b(x) + self.a(x) * 2


def test_buckets_start_in_the_same_order_when_gradients_arrive_in_different_orders():
    """One parameter per bucket, and the ranks' graphs deliver gradients in different orders:
    the allreduces must still be issued in bucket order on every rank (else they would pair up
    wrong buckets and mix gradients of different parameters)."""
    r, w = dist.get_rank(), dist.get_world_size()
    x = ag.tensor(np.random.default_rng(r).normal(size=(4, 3)))
    ddp = DDP(_Pair(), bucket_cap_mb=1e-6)
    assert len(ddp._buckets) == 4
    ddp(x, a_first=(r % 2 == 0)).sum().backward()
    ref = _Pair()
    xs = [np.random.default_rng(k).normal(size=(4, 3)) for k in range(w)]
    for xk in xs:
        ref(ag.tensor(xk), a_first=True).sum().backward()
    for p, q in zip(ddp.module.parameters(), ref.parameters()):
        assert_allclose(p.grad.cpu().numpy(), q.grad.cpu().numpy() / w, rtol=0, atol=1e-12)
