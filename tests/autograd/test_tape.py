"""The tape and the reverse walk: accumulation, retain_graph, grad(), create_graph, threads."""

import gc
import threading
import weakref

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import Tensor
from autograd.testing import assert_allclose, assert_array_equal

THREAD_TIMEOUT = 60.0  # seconds: a thread test that hangs fails instead of stalling CI


def test_leaf_grad_accumulates_across_backward_calls():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    assert_allclose(x.grad.cpu().numpy(), [3 + 2, 3 + 4])


def test_nonleaf_keeps_no_grad_unless_retained():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    k = x * 3
    k.retain_grad()
    (h * k).sum().backward()
    assert h.grad is None and k.retains_grad and not h.retains_grad
    assert_allclose(k.grad.cpu().numpy(), h.detach().cpu().numpy())


def test_only_recorded_when_needed():
    x = Tensor([1.0, 2.0])
    assert (x * 2).grad_fn is None
    w = Tensor([1.0, 2.0], requires_grad=True)
    with ag.no_grad():
        assert not (w * 2).requires_grad
    assert (w * 2).grad_fn is not None


def test_non_scalar_backward_needs_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs"):
        y.backward()
    with pytest.raises(RuntimeError, match=r"mismatch in shape.*\(3,\).*\(2,\)"):
        y.backward(ag.ones(3))
    y.backward(ag.tensor([1.0, 10.0]))
    assert_allclose(x.grad.cpu().numpy(), [2.0, 20.0])


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor(1.0).backward()


def test_second_backward_after_release_raises():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    g1 = x.grad.cpu().numpy().copy()
    y.backward()
    assert_allclose(x.grad.cpu().numpy(), 2 * g1)


def test_buffers_released_after_backward():
    x = Tensor(np.ones(3), requires_grad=True)
    y = x.exp()
    node = y.grad_fn
    y.sum().backward()
    assert node.args is None and node.out is None and node.inputs is None


def test_grad_does_not_touch_dot_grad_and_handles_unused():
    x = Tensor([1.0, 2.0], requires_grad=True)
    z = Tensor([3.0], requires_grad=True)
    y = (x * x).sum()
    (gx,) = ag.grad(y, x, retain_graph=True)
    assert_allclose(gx.detach().cpu().numpy(), [2.0, 4.0])
    assert x.grad is None
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        ag.grad(y, [x, z], retain_graph=True)
    gx, gz = ag.grad(y, [x, z], allow_unused=True)
    assert gz is None


def test_grad_wrt_intermediate():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = (h * h).sum()
    (gh,) = ag.grad(y, h)
    assert_allclose(gh.detach().cpu().numpy(), 2 * h.detach().cpu().numpy())


def test_create_graph_gives_second_derivatives():
    x = Tensor([0.3, -1.2], requires_grad=True)
    y = (x.sin() * x * x).sum()
    (g,) = ag.grad(y, x, create_graph=True)
    (h,) = ag.grad(g.sum(), x)
    xv = x.detach().cpu().numpy()
    expected = 2 * np.sin(xv) + 4 * xv * np.cos(xv) - xv**2 * np.sin(xv)
    assert_allclose(h.detach().cpu().numpy(), expected, rtol=1e-12)


def test_hessian_vector_product():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = Tensor([1.0, -1.0], requires_grad=True)
    f = 0.5 * (x @ Tensor(A) @ x)
    (g,) = ag.grad(f, x, create_graph=True)
    v = Tensor([1.0, 2.0])
    (hv,) = ag.grad((g * v).sum(), x)
    assert_allclose(hv.detach().cpu().numpy(), A @ v.detach().cpu().numpy())


def test_backward_create_graph_grad_is_differentiable():
    x = Tensor(2.0, requires_grad=True)
    (x**3).backward(create_graph=True)
    assert x.grad.requires_grad
    gx = x.grad
    x.grad = None
    gx.backward()
    assert x.grad.item() == pytest.approx(12.0)


def test_gradients_do_not_alias_each_other_or_seed():
    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    seed = ag.ones(3)
    (a + b).backward(seed)
    assert a.grad._data is not b.grad._data and a.grad._data is not seed._data
    assert not np.shares_memory(a.grad.cpu().numpy(), b.grad.cpu().numpy())
    assert not np.shares_memory(a.grad.cpu().numpy(), seed.cpu().numpy())
    c = Tensor(np.ones((2, 3)), requires_grad=True)
    d = Tensor(np.ones(6), requires_grad=True)
    (c + d.reshape(2, 3)).sum().backward()
    assert not np.shares_memory(c.grad.cpu().numpy(), d.grad.cpu().numpy())


@given(st.integers(1, 4), st.integers(1, 4))
def test_grads_have_shape_and_dtype_of_tensor(n, m):
    for dt in (np.float32, np.float64):
        x = Tensor(np.ones((n, m), dtype=dt), requires_grad=True)
        b = Tensor(np.ones(m, dtype=dt), requires_grad=True)
        ((x * b + 1.5) * np.float64(2.0)).sum().backward()
        assert x.grad.shape == x.shape and x.grad.dtype == dt
        assert b.grad.shape == b.shape and b.grad.dtype == dt


def test_inputs_not_mutated_by_forward_or_backward():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([0.5, -1.0])
    x, y = Tensor(a.copy(), requires_grad=True), Tensor(b.copy(), requires_grad=True)
    ((x * y).exp() @ y).sum().backward()
    assert_array_equal(x.detach().cpu().numpy(), a)
    assert_array_equal(y.detach().cpu().numpy(), b)


def test_shared_subexpression_visited_once():
    x = Tensor(2.0, requires_grad=True)
    h = x * x
    y = h + h * h
    y.backward()
    assert x.grad.item() == pytest.approx(2 * 2 + 4 * 2**3)


def test_deep_chain_of_100k_ops_backward_without_recursion():
    x = Tensor(0.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.backward()
    assert y.item() == 100_000.0 and x.grad.item() == 1.0


def test_intermediates_collectable_after_backward():
    x = Tensor(np.ones(4), requires_grad=True)
    h = x.exp()
    ref = weakref.ref(h)
    y = (h * 2).sum()
    del h
    y.backward()
    del y
    assert ref() is None  # no reference cycle: freed by refcounting alone


def test_grad_mode_is_thread_local():
    seen = {}

    def worker():
        seen["enabled"] = ag.is_grad_enabled()

    with ag.no_grad():
        t = threading.Thread(target=worker, daemon=True)
        t.start()
        t.join(THREAD_TIMEOUT)
        assert not t.is_alive(), "thread hung"
        assert not ag.is_grad_enabled()
    assert seen["enabled"] is True


def test_grad_mode_decorators_and_set_grad_enabled():
    @ag.no_grad()
    def f(x):
        return x * 2

    x = Tensor([1.0], requires_grad=True)
    assert not f(x).requires_grad
    with ag.set_grad_enabled(False):
        assert not ag.is_grad_enabled()
        with ag.enable_grad():
            assert (x * 2).requires_grad
    assert ag.is_grad_enabled()


def test_independent_graphs_in_threads():
    results = {}

    def run(k):
        w = Tensor(np.full(3, float(k)), requires_grad=True)
        for _ in range(200):
            y = (w * w).sum()
            y.backward()
        results[k] = w.grad.cpu().numpy().copy()

    threads = [threading.Thread(target=run, args=(k,), daemon=True) for k in (1, 2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(THREAD_TIMEOUT)
        assert not t.is_alive(), "thread hung"
    for k in (1, 2, 3):
        assert_allclose(results[k], 200 * 2 * k)


def test_training_loop_memory_is_released():
    gc.collect()
    w = Tensor(np.random.default_rng(0).standard_normal((8, 8)), requires_grad=True)
    x = Tensor(np.ones((4, 8)))
    nodes = []
    for _ in range(50):
        y = (x @ w).tanh().sum()
        nodes.append(weakref.ref(y.grad_fn))
        y.backward()
        w.grad = None
    del y
    assert sum(r() is not None for r in nodes) == 0


def test_version_history_stays_bounded_under_many_updates():
    w = Tensor(np.ones(3), requires_grad=True)
    y = (w * w).sum()
    for _ in range(10_000):
        with ag.no_grad():
            w.mul_(1.0)
    assert w._version == 10_000
    assert len(w._vc) <= 2 * 64 + 1  # not one entry per update
    with pytest.raises(RuntimeError, match="is at version 10000; expected version at most"):
        y.backward()
    y = (w * w).sum()
    with ag.no_grad():
        w.add_(0.0)
    with pytest.raises(RuntimeError, match="is at version 10001; expected version 10000 instead"):
        y.backward()


def test_records_made_inline_and_by_node_init_set_every_field():
    """Primitive.__call__ fills a record's slots inline (the hot path); Node.__init__ (multi-output
    primitives, autograd.Function) must set the same ones."""
    from autograd.tape import Node

    x = ag.tensor(np.ones(3), requires_grad=True)
    inline = (x * 2.0).grad_fn
    made = Node(inline.prim, [x.data, 2.0], [x, None], None, None)
    for rec in (inline, made):
        for name in Node.__slots__:
            if name != "__weakref__":
                getattr(rec, name)  # AttributeError if a slot was left unset
        assert rec.g is None and rec.rare is None and rec.hooks is None and rec.trace is None
