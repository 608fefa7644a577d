"""Deep graphs: the reverse walk and the freeing of a graph never recurse.

Chains of 100,000 and 1,000,000 scalar operations (Python-float tensors, the scalar fast path), a
10,000-layer composition of vector operations, higher-order and retained walks over deep chains,
and freeing a 1,000,000-record graph (with and without ``backward``) in a thread whose C stack is
far too small for a recursive deallocation.  Expected gradients are recomputed independently with
plain Python floats / NumPy in the same order of operations, so they are compared exactly.
"""

from __future__ import annotations

import copy
import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import autograd as ag
from autograd.testing import assert_allclose, assert_array_equal

C = 1.0 + 1e-6  # a multiplier whose powers stay representable over a million steps


def _alternating_chain(x: ag.Tensor, n: int) -> ag.Tensor:
    """``n`` operations alternating ``y * C`` and ``y + 1.0``."""
    y = x
    for i in range(n):
        y = y * C if i % 2 == 0 else y + 1.0
    return y


def _alternating_reference(x0: float, n: int) -> tuple[float, float]:
    """Value and derivative of :func:`_alternating_chain`, in the walker's order of products."""
    y = x0
    for i in range(n):
        y = y * C if i % 2 == 0 else y + 1.0
    g = 1.0
    for i in reversed(range(n)):
        if i % 2 == 0:
            g = g * C
    return y, g


@pytest.mark.cpu_only("the Python-float scalar fast path exists only for CPU tensors")
@pytest.mark.parametrize("n", [100_000, 1_000_000])
def test_scalar_chain_backward_without_recursion(n):
    x = ag.tensor(0.5, requires_grad=True)
    assert type(x._data) is float  # the scalar fast path: records hold Python floats
    y = _alternating_chain(x, n)
    value, grad = _alternating_reference(0.5, n)
    assert y.item() == value
    # a retained walk (every record stays linked), then a freeing one
    y.backward(retain_graph=True)
    assert x.grad.item() == grad
    assert y.grad_fn.inputs is not None
    y.backward()
    assert x.grad.item() == 2 * grad
    # the closed form of the derivative: C ** (n / 2)
    assert grad == pytest.approx(math.exp(n / 2 * math.log1p(1e-6)), rel=1e-9)
    assert grad > 1.04  # n / 2 factors of C really were multiplied
    assert y.grad_fn.inputs is None  # records were released by the second walk
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_mixed_scalar_chain_with_every_binary_op():
    """100,000 steps cycling through + * - (reflected) / and unary minus."""
    n = 100_000
    x = ag.tensor(0.75, requires_grad=True)
    y = x
    for i in range(n):
        k = i % 5
        if k == 0:
            y = y + 1.0
        elif k == 1:
            y = y * C
        elif k == 2:
            y = 2.0 - y
        elif k == 3:
            y = y / C
        else:
            y = -y
    y.backward()
    # reference: same operations on floats, derivatives multiplied from the output back
    ref = 0.75
    for i in range(n):
        ref = [ref + 1.0, ref * C, 2.0 - ref, ref / C, -ref][i % 5]
    g = 1.0
    for i in reversed(range(n)):
        k = i % 5
        if k == 1:
            g = g * C
        elif k == 2:
            g = -g
        elif k == 3:
            g = g / C
        elif k == 4:
            g = -g
    assert y.item() == ref
    assert x.grad.item() == g
    assert x.grad.item() == pytest.approx(1.0, abs=1e-9)  # C / C per cycle, two sign flips


def test_deep_chain_with_grad():
    n = 100_000
    x = ag.tensor(0.25, requires_grad=True)
    z = _alternating_chain(x, n)
    _, g = _alternating_reference(0.25, n)
    (gx,) = ag.grad(z, x)
    assert gx.item() == g
    assert x.grad is None  # grad() leaves .grad alone


def test_deep_chain_second_derivative():
    """``create_graph`` over a 10,000-step chain doubles its depth; differentiate it again."""
    n = 10_000
    x = ag.tensor(0.3, requires_grad=True)
    y = x
    for _ in range(n):
        y = y * C + y * y * 1e-6  # y' = C + 2e-6 y, y'' = 2e-6 (per step)
    (g,) = ag.grad(y, x, create_graph=True)
    (h,) = ag.grad(g, x)
    # reference: forward-mode first and second derivatives in float64
    v, d1, d2 = 0.3, 1.0, 0.0
    for _ in range(n):
        v, d1, d2 = (v * C + v * v * 1e-6,
                     d1 * (C + 2e-6 * v),
                     d2 * (C + 2e-6 * v) + d1 * d1 * 2e-6)
    assert y.item() == pytest.approx(v, rel=1e-12)
    assert g.item() == pytest.approx(d1, rel=1e-9)
    assert h.item() == pytest.approx(d2, rel=1e-7)
    assert d2 > 0.001  # the second derivative is far from 0: a real check


def test_ten_thousand_layer_tensor_composition():
    """``y <- tanh(y * w) + 0.1 y`` 10,000 times on an 8-vector, ``w`` shared by every layer."""
    depth = 10_000
    w0 = np.linspace(0.5, 1.5, 8)
    x0 = np.linspace(-1.0, 1.0, 8)
    w = ag.tensor(w0, requires_grad=True)
    x = ag.tensor(x0, requires_grad=True)
    y = x
    for _ in range(depth):
        y = ag.tanh(y * w) + 0.1 * y
    y.sum().backward()
    # hand-written reverse pass in NumPy
    ys = [x0]
    ts = []
    for _ in range(depth):
        t = np.tanh(ys[-1] * w0)
        ts.append(t)
        ys.append(t + 0.1 * ys[-1])
    gy = np.ones(8)
    gw = np.zeros(8)
    for k in reversed(range(depth)):
        d = gy * (1 - ts[k] ** 2)
        gw += d * ys[k]
        gy = d * w0 + 0.1 * gy
    assert_allclose(y.detach().cpu().numpy(), ys[-1], rtol=1e-13)
    assert_allclose(x.grad.cpu().numpy(), gy, rtol=1e-10, atol=1e-300)
    assert_allclose(w.grad.cpu().numpy(), gw, rtol=1e-10)
    assert np.abs(w.grad.cpu().numpy()).max() > 0.1


def test_deep_graph_with_fanout_and_matrix_ops():
    """5,000 layers of ``h <- relu(h @ W) * 0.5 + h`` mixing matmul, broadcasting and shared
    weights; ``grad`` and ``backward`` agree and match the NumPy reverse pass."""
    depth = 5_000
    rng = np.random.default_rng(0)
    w0 = rng.normal(scale=0.05, size=(4, 4))
    h0 = rng.normal(size=(3, 4))
    w = ag.tensor(w0, requires_grad=True)
    h = ag.tensor(h0, requires_grad=True)
    y = h
    for _ in range(depth):
        y = ag.relu(y @ w) * 0.5 + y
    loss = (y * y).mean()
    gh, gw = ag.grad(loss, [h, w], retain_graph=True)
    loss.backward()
    assert_array_equal(gh.detach().cpu().numpy(), h.grad.cpu().numpy())
    assert_array_equal(gw.detach().cpu().numpy(), w.grad.cpu().numpy())
    ys = [h0]
    for _ in range(depth):
        ys.append(np.maximum(ys[-1] @ w0, 0) * 0.5 + ys[-1])
    g = 2 * ys[-1] / ys[-1].size
    gw_ref = np.zeros_like(w0)
    for k in reversed(range(depth)):
        pre = ys[k] @ w0
        d = g * 0.5 * (pre > 0)
        gw_ref += ys[k].T @ d
        g = d @ w0.T + g
    assert_allclose(h.grad.cpu().numpy(), g, rtol=1e-9)
    assert_allclose(w.grad.cpu().numpy(), gw_ref, rtol=1e-9)


_FREE_SCRIPT = textwrap.dedent(
    """
    import sys, threading, weakref
    import numpy as np
    import autograd as ag

    sys.setrecursionlimit(200)  # no Python-level recursion either
    threading.stack_size(256 * 1024)  # a recursive free of 10**6 records would need ~100x this
    N = 1_000_000
    results = []

    def chain(x, n):
        y = x
        for i in range(n):
            y = y + 1.0 if i % 2 else y * 1.0
        return y

    def work():
        # 1. dropped without backward
        x = ag.tensor(0.5, requires_grad=True)
        y = chain(x, N)
        first = weakref.ref(y.grad_fn)
        del y
        results.append(("no backward", first() is None))
        # 2. dropped after a retained backward (every record still linked)
        y = chain(x, N // 10)
        y.backward(retain_graph=True)
        results.append(("retained grad", x.grad.item() == 1.0))
        ref = weakref.ref(y.grad_fn)
        del y
        results.append(("retained", ref() is None))
        # 3. a deep vector graph (arrays in every record) dropped without backward
        v = ag.tensor(np.ones(4), requires_grad=True)
        z = v
        for _ in range(50_000):
            z = ag.tanh(z) * 1.0
        ref = weakref.ref(z.grad_fn)
        del z
        results.append(("vector", ref() is None))

    t = threading.Thread(target=work, daemon=True)  # daemon: a hang cannot block exit
    t.start()
    t.join(300)  # bounded: a hang fails instead of stalling CI
    assert not t.is_alive(), "the worker thread hung"
    print(results)
    assert len(results) == 4 and all(ok for _, ok in results), results
    print("FREED-OK")
    """
)


def test_freeing_a_million_record_graph_does_not_recurse():
    """Run in a subprocess so that a crash (stack overflow in deallocation) fails the test
    instead of killing pytest."""
    proc = subprocess.run(
        [sys.executable, "-c", _FREE_SCRIPT], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "FREED-OK" in proc.stdout


def test_deep_inplace_chain():
    """100,000 recorded in-place updates of one non-leaf tensor (each one moves its history;
    this took O(n^2) before the version history was compressed lazily)."""
    n = 100_000
    x = ag.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    a = x * 1.0
    for i in range(n):
        if i % 2:
            a += 1.0
        else:
            a *= C
    (a * ag.tensor([1.0, 2.0, 3.0])).sum().backward()
    ref = np.array([1.0, 2.0, 3.0])
    for i in range(n // 2):
        ref = ref * C
    assert_allclose(x.grad.cpu().numpy(), ref, rtol=1e-12)
    assert a._version == n


def test_deepcopy_of_a_deep_non_leaf_raises_a_clear_error():
    """Copying a recorded tensor used to recurse through its graph (RecursionError from about
    100 records) or silently duplicate it; like PyTorch, only leaves can be deep-copied."""
    x = ag.tensor(np.ones(3), requires_grad=True)
    y = x
    for _ in range(5_000):
        y = y * 1.0
    with pytest.raises(RuntimeError, match=r"deepcopy: only tensors created explicitly by the "
                                           r"user \(graph leaves\).*MulBackward"):
        copy.deepcopy(y)
    z = copy.deepcopy(y.detach().clone())  # the documented way out
    assert_array_equal(z.detach().cpu().numpy(), y.detach().cpu().numpy())
    x.grad = ag.tensor(np.array([1.0, 2.0, 3.0]))
    xc = copy.deepcopy(x)  # leaves still copy, with their grad, sharing nothing
    assert xc.requires_grad and xc.grad_fn is None
    assert_array_equal(xc.grad.cpu().numpy(), [1.0, 2.0, 3.0])
    assert not np.shares_memory(xc.detach().cpu().numpy(), x.detach().cpu().numpy())
    y.sum().backward()  # the original graph is intact
    assert_array_equal(x.grad.cpu().numpy(), [2.0, 3.0, 4.0])


def test_graph_export_and_anomaly_mode_on_deep_graphs():
    """``to_dot`` walks 100,000 records and an anomaly-mode backward 5,000 (each with its
    creation trace), both without recursion."""
    x = ag.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    dot = ag.to_dot(y)
    assert dot.count("MulBackward") >= 100_000
    with ag.detect_anomaly():
        v = ag.tensor(np.ones(2), requires_grad=True)
        z = v
        for _ in range(2_500):
            z = ag.tanh(z) + 0.5
        z.sum().backward()
    assert np.isfinite(v.grad.cpu().numpy()).all()
