"""Memory: graphs are freed by reference counting alone, and training keeps resident memory flat.

Every check here runs with the cyclic garbage collector *disabled*: a weak reference that dies
proves the object was freed by reference counting, i.e. no reference cycle runs through the tape
(records, tensors, hooks, saved contexts, modules, optimizers).
"""

from __future__ import annotations

import contextlib
import gc
import os
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
import optim
from autograd.tape import Node


@contextlib.contextmanager
def gc_disabled() -> Iterator[None]:
    was = gc.isenabled()
    gc.collect()  # start clean, so nothing earlier is pending
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def assert_freed_without_gc(build: Callable[[], list[Any]]) -> int:
    """``build()`` makes a graph, does its work and returns objects it expects to die with its
    frame; all must be gone (without any cycle collection) as soon as it returns."""
    with gc_disabled():
        refs = [weakref.ref(o) for o in build()]
        assert refs, "nothing to check"
        alive = [r() for r in refs if r() is not None]
        assert not alive, f"{len(alive)} of {len(refs)} objects survive without gc: {alive!r:.300}"
    return len(refs)


def _graph_objects(*tensors: ag.Tensor) -> list[Any]:
    """The tensors, every record reachable from them and the non-leaf tensors those records
    route to (what must die with the graph).  Call it before ``backward`` frees the links."""
    out: list[Any] = list(tensors)
    seen: set[int] = {id(t) for t in tensors}
    stack = [t.grad_fn for t in tensors if t.grad_fn is not None]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        out.append(n)
        for t in n.inputs or ():
            if t is not None and t.grad_fn is not None and id(t) not in seen:
                seen.add(id(t))
                out.append(t)
                stack.append(t.grad_fn)
    return out


# ----------------------------------------------------------------------- plain graphs
@pytest.mark.parametrize("mode", ["backward", "no backward", "retain_graph", "grad"])
def test_plain_graph_is_freed_by_refcount(mode):
    x = ag.tensor(np.linspace(0.1, 1.0, 5), requires_grad=True)

    def build():
        a = x * 2.0
        b = a.exp() + a.sin()
        c = (b @ b) / a.sum()
        keep = _graph_objects(a, b, c)
        assert len(keep) >= 8
        if mode == "backward":
            c.backward()
        elif mode == "retain_graph":
            c.backward(retain_graph=True)
            c.backward()
        elif mode == "grad":
            (g,) = ag.grad(c, x)
            keep.append(g)
        return keep

    assert assert_freed_without_gc(build) >= 8
    if mode in ("backward", "retain_graph"):
        assert x.grad is not None and x.grad.grad_fn is None


def test_scalar_fast_path_graph_is_freed():
    x = ag.tensor(0.5, requires_grad=True)

    def build():
        y = x
        for _ in range(100):
            y = y * 1.5 + x
        keep = _graph_objects(y)
        y.backward()
        return keep

    assert assert_freed_without_gc(build) >= 100


@pytest.mark.parametrize("how", ["backward", "grad"])
def test_create_graph_is_freed_once_grad_is_cleared(how):
    x = ag.tensor(np.array([0.3, -0.7, 1.1]), requires_grad=True)

    def build():
        y = (x.tanh() * x).sum()
        keep = _graph_objects(y)
        if how == "backward":
            y.backward(create_graph=True)
            g = x.grad
        else:
            (g,) = ag.grad(y, x, create_graph=True)
        assert g.grad_fn is not None  # the gradient is itself a graph (it refers to x)
        h = (g * g).sum()
        keep += _graph_objects(g, h)
        h.backward()
        x.grad = None  # x.grad -> its graph -> x is the only cycle, as in PyTorch
        return keep

    assert assert_freed_without_gc(build) >= 6


def test_retain_grad_and_hooks_do_not_leak():
    x = ag.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    seen = []

    def build():
        a = x * 3.0
        b = a.exp()
        a.retain_grad()
        b.register_hook(lambda g: g * 2.0)
        h = x.register_hook(lambda g: seen.append(g.shape))
        x.register_post_accumulate_grad_hook(lambda t: seen.append("post"))
        loss = (b * a).sum()
        keep = _graph_objects(loss)
        loss.backward()
        assert a.grad is not None
        h.remove()
        return keep + [a.grad]

    assert_freed_without_gc(build)
    assert seen == [(3,), "post"]


class _Square(ag.Function):
    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        ctx.scale = 2.0
        return x * x * w

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        return ctx.scale * g * x * w, g * x * x


class _SavesOutput(ag.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)  # saving the output itself (PyTorch's exp pattern)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


@pytest.mark.parametrize("do_backward", [True, False])
def test_custom_function_contexts_are_freed(do_backward):
    x = ag.tensor(np.array([0.5, 1.5]), requires_grad=True)
    w = ag.tensor(np.array([2.0, -1.0]), requires_grad=True)

    def build():
        a = x * 1.0
        y = _Square.apply(a, w)
        z = _SavesOutput.apply(y)
        loss = z.sum()
        keep = _graph_objects(loss)
        if do_backward:
            loss.backward()
        return keep

    assert assert_freed_without_gc(build) >= 6
    if do_backward:
        assert x.grad is not None and w.grad is not None


@pytest.mark.parametrize("case", ["add_", "mul_", "setitem", "view then base", "base then view",
                                  "view of view", "clamp_"])
@pytest.mark.parametrize("do_backward", [True, False])
def test_inplace_histories_are_freed(case, do_backward):
    x = ag.tensor(np.arange(1.0, 7.0), requires_grad=True)

    def build():
        a = x * 1.0
        keep: list[Any] = [a]
        if case == "add_":
            a += 2.0
        elif case == "mul_":
            a *= x
        elif case == "setitem":
            a[1:3] = x[:2] * 5.0
        elif case == "view then base":
            v = a[1:]
            v *= 3.0
            a += 1.0
            keep.append(v)
        elif case == "base then view":
            v = a[1:]
            a += 1.0
            v *= 3.0
            keep.append(v)
        elif case == "view of view":
            v = a.reshape(2, 3)[:, 1:]
            v.mul_(x[:4].reshape(2, 2))
            keep.append(v)
        elif case == "clamp_":
            a.clamp_(2.0, 4.0)
        loss = (a * a).sum()
        keep += _graph_objects(a, loss)
        if do_backward:
            loss.backward()
        return keep

    assert assert_freed_without_gc(build) >= 3
    if do_backward:
        assert x.grad is not None


# ------------------------------------------------------------------------ nn and optim
def _net() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1, generator=1), nn.BatchNorm2d(3), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.3, generator=2),
        nn.Linear(3 * 3 * 3, 8, generator=3), nn.LayerNorm(8), nn.Tanh(),
        nn.Linear(8, 4, generator=4),
    )


@pytest.mark.parametrize("opt_name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_nn_training_step_leaves_no_cycles(opt_name):
    net = _net()
    kw = {"momentum": 0.9} if opt_name == "SGD" else {}
    opt = getattr(optim, opt_name)(net.parameters(), lr=1e-2, **kw)
    xb = ag.tensor(np.random.default_rng(0).normal(size=(5, 1, 6, 6)))
    yb = ag.tensor(np.array([0, 1, 2, 3, 1]))
    hits = []
    net[0].register_forward_hook(lambda m, i, o: hits.append(o.shape))

    def build():
        opt.zero_grad()
        out = net(xb)
        loss = F.cross_entropy(out, yb, label_smoothing=0.1)
        keep = _graph_objects(loss)
        loss.backward()
        opt.step()
        return keep

    n = assert_freed_without_gc(build)
    assert n >= 12
    assert hits == [(5, 3, 6, 6)]
    # the optimizer's state holds arrays/tensors of its own, never a graph
    for p in net.parameters():
        assert p.grad is not None and p.grad.grad_fn is None
    for st in opt.state.values():
        for v in st.values():
            assert not isinstance(v, ag.Tensor) or v.grad_fn is None


@pytest.mark.parametrize("loss_name", ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss",
                                       "binary_cross_entropy", "binary_cross_entropy_with_logits",
                                       "nll_loss", "kl_div"])
def test_losses_leave_no_cycles(loss_name):
    rng = np.random.default_rng(1)
    x = ag.tensor(rng.uniform(0.1, 0.9, size=(4, 3)), requires_grad=True)
    target = {
        "nll_loss": ag.tensor(np.array([0, 2, 1, 1])),
        "kl_div": ag.tensor(rng.dirichlet(np.ones(3), size=4)),
    }.get(loss_name, ag.tensor(rng.uniform(0.0, 1.0, size=(4, 3))))

    def build():
        h = x * 1.0
        inp = F.log_softmax(h, dim=1) if loss_name in ("nll_loss", "kl_div") else h
        loss = getattr(F, loss_name)(inp, target)
        keep = _graph_objects(loss)
        loss.backward()
        return keep

    assert assert_freed_without_gc(build) >= 3


def test_eval_mode_and_no_grad_inference_leaves_nothing():
    net = _net().eval()
    xb = ag.tensor(np.ones((2, 1, 6, 6)))

    def build():
        with ag.no_grad():
            out = net(xb)
        assert out.grad_fn is None
        out2 = net(xb)  # recorded (parameters require grad) but never differentiated
        return _graph_objects(out, out2)

    assert_freed_without_gc(build)


# --------------------------------------------------------------------------- flat RSS
def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _count_live(kind: type) -> int:
    return sum(1 for o in gc.get_objects() if type(o) is kind)


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_five_thousand_training_steps_keep_memory_flat():
    """An MLP (with dropout) trained for 5,000 Adam steps with the cyclic gc *off*: resident
    memory after a 500-step warm-up grows by less than 5 MB, and the number of live Tensors and
    records does not grow at all."""
    steps, warmup = 5_000, 500
    rng = np.random.default_rng(0)
    xs = ag.tensor(rng.normal(size=(32, 8)))
    ys = ag.tensor(rng.integers(0, 3, size=32))
    net = nn.MLP([8, 32, 32, 3], activation="relu", dropout=0.1, generator=0)
    for m in net.modules():
        if isinstance(m, nn.Dropout):
            m.generator = np.random.default_rng(1)
    opt = optim.Adam(net.parameters(), lr=1e-3)
    sched = optim.lr_scheduler.StepLR(opt, step_size=1000, gamma=0.5)

    def step() -> float:
        opt.zero_grad()
        loss = F.cross_entropy(net(xs), ys)
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        sched.step()
        return loss.item()

    with gc_disabled():
        first = [step() for _ in range(warmup)]
        rss0 = _rss_bytes()
        tensors0, nodes0 = _count_live(ag.Tensor), _count_live(Node)
        for _ in range(steps - warmup):
            last = step()
        rss1 = _rss_bytes()
        tensors1, nodes1 = _count_live(ag.Tensor), _count_live(Node)
    growth = rss1 - rss0
    print(f"RSS after warm-up {rss0 / 2**20:.1f} MiB, growth over {steps - warmup} steps: "
          f"{growth / 2**20:.3f} MiB; live Tensors {tensors0} -> {tensors1}, records "
          f"{nodes0} -> {nodes1}")
    assert growth < 5 * 2**20
    assert tensors1 <= tensors0 and nodes1 <= nodes0
    assert last < first[0]  # it did train


def test_models_optimizers_schedulers_and_loaders_are_freed_by_refcount():
    """Dropping a trained model with its optimizer, schedulers, hooks and data loader frees all
    of them without the cyclic gc (no self-references, e.g. a scheduler wrapping opt.step)."""
    from autograd.data import DataLoader, TensorDataset

    def build():
        net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Dropout(0.2),
                            nn.Linear(4, 2))
        opt = optim.Adam(net.parameters(), lr=0.1)
        sched = optim.lr_scheduler.StepLR(opt, 2)
        cos = optim.lr_scheduler.CosineAnnealingLR(opt, 10)
        net[0].register_forward_hook(lambda m, i, o: None)
        net[0].weight.register_hook(lambda g: g * 1.0)
        loader = DataLoader(TensorDataset(np.ones((8, 3)), np.zeros(8, dtype=np.int64)),
                            batch_size=4, shuffle=True, seed=0)
        dev = net[0].weight.device
        for xb, yb in loader:
            xb, yb = xb.to(dev), yb.to(dev)  # host batches to the model's device
            opt.zero_grad()
            F.cross_entropy(net(xb), yb).backward()
            opt.step()
            sched.step()
            cos.step()
        opt.load_state_dict(opt.state_dict())
        net.load_state_dict(net.state_dict())
        mlp = nn.MLP([3, 4, 2], dropout=0.1).eval().train()
        return [net, net[0], net[0].weight, net[1].running_mean, opt, sched, cos, loader, mlp,
                *(v for v in opt.state[net[0].weight].values() if not isinstance(v, (int, float)))]

    assert assert_freed_without_gc(build) >= 10
