"""Shared checks for the PyTorch-named ops (issue 13): central differences, second derivatives
and agreement with PyTorch on the same inputs (values and gradients of ``sum(out * w)``)."""

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import Tensor
from autograd.testing import arrays_for, assert_allclose


def leaves(*arrays):
    return [Tensor(np.array(a), requires_grad=np.asarray(a).dtype.kind == "f")
            if not isinstance(a, Tensor) else a for a in arrays]


def check_grads(fn, *arrays, second=True):
    """gradcheck (full Jacobian) and, if asked, gradgradcheck of ``fn`` at ``arrays``."""
    xs = leaves(*arrays)
    assert ag.gradcheck(fn, tuple(xs))
    if second:
        assert ag.gradgradcheck(fn, tuple(xs))


def _outs(y):
    return list(y) if isinstance(y, tuple) else [y]


def torch_agrees(fa, ft, *arrays, atol=1e-10, seed=0):
    """Same values (all outputs) and same gradients of ``sum(out_0 * w)`` as PyTorch."""
    torch = pytest.importorskip("torch")
    xs = leaves(*arrays)
    ts = [torch.tensor(np.array(a), requires_grad=np.asarray(a).dtype.kind == "f")
          for a in arrays]
    ya, yt = _outs(fa(*xs)), _outs(ft(*ts))
    assert len(ya) == len(yt)
    for a, t in zip(ya, yt):
        t = t.detach().cpu().numpy()
        assert a.shape == t.shape, (a.shape, t.shape)
        assert_allclose(a.data, t, atol=atol, rtol=1e-9)
    if not ya[0].requires_grad:
        return
    w = np.random.default_rng(seed).standard_normal(ya[0].shape)
    (ya[0] * Tensor(w)).sum().backward()
    (yt[0] * torch.tensor(w)).sum().backward()
    for x, t in zip(xs, ts):
        if not t.requires_grad:
            continue
        tg = np.zeros(x.shape) if t.grad is None else t.grad.cpu().numpy()
        got = np.zeros(x.shape) if x.grad is None else x.grad.data
        assert_allclose(got, tg, atol=atol * 10, rtol=1e-8)


@st.composite
def arrays(draw, min_dims=0, max_dims=3, min_side=1, max_side=3, elements=None):
    """float64 arrays of any layout (C, transposed, strided), 0-d and (min_side=0) empty."""
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                                  max_side=max_side))
    return draw(arrays_for(shape, elements=elements))


@st.composite
def distinct(draw, min_dims=0, max_dims=3, min_side=1, max_side=4):
    """Arrays whose values are pairwise at least 0.25 apart (no ties: sorting is smooth there),
    in any layout."""
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                                  max_side=max_side))
    n = int(np.prod(shape))
    perm = np.array(draw(st.permutations(list(range(n))))) if n else np.zeros(0)
    base = (perm * 0.5 - n * 0.25).reshape(shape).astype(np.float64)
    layout = draw(st.sampled_from(["c", "transposed"]))
    if layout == "transposed" and base.ndim >= 2:
        return np.ascontiguousarray(base.T).T  # same values, an F-ordered (non-C) view
    return base


@st.composite
def with_dim(draw, strategy):
    """(array, a valid dim for it) with dims drawn negative or positive."""
    a = draw(strategy)
    nd = max(a.ndim, 1)
    return a, draw(st.integers(-nd, nd - 1))
