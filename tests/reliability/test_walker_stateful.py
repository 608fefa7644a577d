"""A hypothesis state machine builds random graphs and checks every leaf gradient of the reverse
walk against a reference computed independently, in *forward mode*: alongside every tensor it
keeps its value and its full Jacobian with respect to every leaf (NumPy, float64, one hand-written
rule per operation).  The walker (reverse mode, tape order, unbroadcasting, scalar fast path,
in-place histories) and the reference share no code.

Graphs mix shared subexpressions, a tensor reused many times, Python-float scalar tensors next to
arrays with broadcasting, constants, ``no_grad`` islands, ``detach``, in-place updates (also
through views).  Backward runs in several ways (``backward``, twice with ``retain_graph``,
``autograd.grad``, a non-scalar ``backward(gradient)``); a walk through records freed by an
earlier walk must raise the documented ``retain_graph`` error.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)

import autograd as ag
from autograd.testing import assert_allclose, assert_array_equal

LEAF_SHAPES = [(), (3,), (2, 3), (2, 1), (1, 3), (3, 3)]
_ids = itertools.count()


class Entry:
    """A tensor and its reference: value, Jacobians ``{leaf index: d value / d leaf}`` (shape
    ``value.shape + leaf.shape``) and the units of tape records it depends on."""

    def __init__(self, t: ag.Tensor, val: np.ndarray, jac: dict[int, np.ndarray],
                 records: frozenset[int], name: str) -> None:
        self.t, self.val, self.jac, self.records, self.name = t, val, jac, records, name

    def __repr__(self) -> str:
        return f"<{self.name} {self.val.shape}>"


def _arr(shape: tuple[int, ...], draw: Any) -> np.ndarray:
    """Values in +-[0.2, 1.5] from a drawn seed (drawing each float lets hypothesis favour 0.0,
    which makes most expected gradients vanish)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.uniform(0.2, 1.5, size=shape) * rng.choice([-1.0, 1.0], size=shape)


class WalkerMachine(RuleBasedStateMachine):
    nodes = Bundle("nodes")

    def __init__(self) -> None:
        super().__init__()
        self.leaves: list[tuple[ag.Tensor, tuple[int, ...]]] = []
        self.freed: set[int] = set()
        self.checked = 0

    # ----------------------------------------------------------------- reference helpers
    def leaf_shape(self, k: int) -> tuple[int, ...]:
        return self.leaves[k][1]

    def bjac(self, e: Entry, shape: tuple[int, ...]) -> dict[int, np.ndarray]:
        """Jacobians of ``e`` broadcast to ``shape``."""
        out = {}
        s = e.val.shape
        for k, j in e.jac.items():
            ls = self.leaf_shape(k)
            jj = j.reshape((1,) * (len(shape) - len(s)) + s + ls)
            out[k] = np.broadcast_to(jj, shape + ls)
        return out

    def scale(self, factor: np.ndarray, jac: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
        """``diag(factor) @ J`` for a factor of the output's shape."""
        return {k: factor.reshape(factor.shape + (1,) * len(self.leaf_shape(k))) * j
                for k, j in jac.items()}

    @staticmethod
    def plus(*jacs: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
        out: dict[int, np.ndarray] = {}
        for jac in jacs:
            for k, j in jac.items():
                out[k] = out[k] + j if k in out else np.array(j)
        return out

    def new(self, t: ag.Tensor, val: Any, jac: dict[int, np.ndarray], parents: tuple[Entry, ...],
            name: str, unit: int | None = None) -> Entry:
        val = np.asarray(val, dtype=np.float64)
        assert t.shape == val.shape, (name, t.shape, val.shape)
        assert_allclose(t.detach().cpu().numpy(), val, rtol=1e-12, atol=1e-12, err_msg=name)
        if t.requires_grad:
            recs = frozenset().union(*(p.records for p in parents if p.t.requires_grad))
            if t.grad_fn is not None:
                recs = recs | {unit if unit is not None else next(_ids)}
        else:
            recs = frozenset()
            jac = {}
        return Entry(t, val, jac, recs, name)

    # --------------------------------------------------------------------------- leaves
    @initialize(target=nodes, data=st.data())
    def make_leaves(self, data: Any) -> Any:
        shapes = data.draw(st.lists(st.sampled_from(LEAF_SHAPES), min_size=2, max_size=3))
        out = []
        for shape in shapes:
            out.append(self._leaf(shape, data))
        # always one Python-float scalar leaf (the scalar fast path)
        x = float(_arr((), data.draw))
        t = ag.tensor(x, requires_grad=True)
        if t.device.type == "cpu":  # (on a GPU a 0-d tensor is a device array: no float path)
            assert type(t._data) is float
        k = len(self.leaves)
        self.leaves.append((t, ()))
        out.append(Entry(t, np.array(x), {k: np.ones(())}, frozenset(), f"float leaf {k}"))
        return multiple(*out)

    def _leaf(self, shape: tuple[int, ...], data: Any) -> Entry:
        v = _arr(shape, data.draw)
        t = ag.tensor(v.copy(), requires_grad=True)
        k = len(self.leaves)
        self.leaves.append((t, shape))
        n = int(np.prod(shape))
        return Entry(t, v, {k: np.eye(n).reshape(shape + shape)}, frozenset(), f"leaf {k}")

    @rule(target=nodes, shape=st.sampled_from(LEAF_SHAPES), data=st.data())
    def new_leaf(self, shape: tuple[int, ...], data: Any) -> Entry:
        return self._leaf(shape, data)

    @rule(target=nodes, shape=st.sampled_from(LEAF_SHAPES), data=st.data(),
          as_tensor=st.booleans())
    def constant(self, shape: tuple[int, ...], data: Any, as_tensor: bool) -> Entry:
        v = _arr(shape, data.draw)
        t = ag.tensor(v.copy()) if as_tensor or shape else ag.tensor(float(v))
        return Entry(t, v, {}, frozenset(), "constant")

    # ------------------------------------------------------------------ binary operations
    @rule(target=nodes, a=nodes, b=nodes, op=st.sampled_from(["add", "sub", "mul", "div"]))
    def binary(self, a: Entry, b: Entry, op: str) -> Any:
        try:
            shape = np.broadcast_shapes(a.val.shape, b.val.shape)
        except ValueError:
            return multiple()
        if op == "mul" and max(np.abs(a.val).max(initial=0), np.abs(b.val).max(initial=0)) > 1e3:
            return multiple()
        ja, jb = self.bjac(a, shape), self.bjac(b, shape)
        av, bv = np.broadcast_to(a.val, shape), np.broadcast_to(b.val, shape)
        if op == "add":
            return self.new(a.t + b.t, av + bv, self.plus(ja, jb), (a, b), "add")
        if op == "sub":
            return self.new(a.t - b.t, av - bv, self.plus(ja, self.scale(-np.ones(shape), jb)),
                            (a, b), "sub")
        if op == "mul":
            return self.new(a.t * b.t, av * bv, self.plus(self.scale(bv, ja), self.scale(av, jb)),
                            (a, b), "mul")
        # a / (2 + tanh(b)): a denominator in [1, 3]
        d = 2.0 + np.tanh(bv)
        dd = 1.0 - np.tanh(bv) ** 2
        t = a.t / (2.0 + ag.tanh(b.t))
        jac = self.plus(self.scale(1.0 / d, ja), self.scale(-av / d ** 2 * dd, jb))
        return self.new(t, av / d, jac, (a, b), "div")

    @rule(target=nodes, a=nodes, c=st.floats(0.5, 2.0) | st.floats(-2.0, -0.5),
          op=st.sampled_from(["radd", "add", "rsub", "sub", "mul", "rmul", "div", "rdiv-ish"]))
    def with_python_number(self, a: Entry, c: float, op: str) -> Entry:
        x, v, one = a.t, a.val, np.ones(a.val.shape)
        if op == "radd":
            return self.new(c + x, c + v, a.jac, (a,), op)
        if op == "add":
            return self.new(x + c, v + c, a.jac, (a,), op)
        if op == "rsub":
            return self.new(c - x, c - v, self.scale(-one, a.jac), (a,), op)
        if op == "sub":
            return self.new(x - c, v - c, a.jac, (a,), op)
        if op in ("mul", "rmul"):
            t = x * c if op == "mul" else c * x
            return self.new(t, v * c, self.scale(c * one, a.jac), (a,), op)
        if op == "div":
            return self.new(x / c, v / c, self.scale(one / c, a.jac), (a,), op)
        # c / (2 + tanh(x))
        d = 2.0 + np.tanh(v)
        return self.new(c / (2.0 + ag.tanh(x)), c / d,
                        self.scale(-c / d ** 2 * (1 - np.tanh(v) ** 2), a.jac), (a,), op)

    @rule(target=nodes, a=nodes, b=nodes)
    def matmul(self, a: Entry, b: Entry) -> Any:
        sa, sb = a.val.shape, b.val.shape
        if len(sa) != 2 or len(sb) not in (1, 2) or sa[1] != sb[0]:
            return multiple()
        ja, jb = a.jac, b.jac
        if len(sb) == 1:
            jac = self.plus({k: np.einsum("ik...,k->i...", j, b.val) for k, j in ja.items()},
                            {k: np.einsum("ik,k...->i...", a.val, j) for k, j in jb.items()})
        else:
            jac = self.plus({k: np.einsum("ik...,kn->in...", j, b.val) for k, j in ja.items()},
                            {k: np.einsum("ik,kn...->in...", a.val, j) for k, j in jb.items()})
        return self.new(a.t @ b.t, a.val @ b.val, jac, (a, b), "matmul")

    # ------------------------------------------------------------------- unary operations
    @rule(target=nodes, a=nodes,
          fn=st.sampled_from(["tanh", "sin", "sigmoid", "exp", "square", "neg", "relu",
                              "log1p_sq", "abs"]))
    def unary(self, a: Entry, fn: str) -> Any:
        x, v = a.t, a.val
        if fn == "exp" and v.max(initial=0) > 5:
            return multiple()
        if fn == "tanh":
            t, y, d = ag.tanh(x), np.tanh(v), 1 - np.tanh(v) ** 2
        elif fn == "sin":
            t, y, d = ag.sin(x), np.sin(v), np.cos(v)
        elif fn == "sigmoid":
            s = 1 / (1 + np.exp(-v))
            t, y, d = ag.sigmoid(x), s, s * (1 - s)
        elif fn == "exp":
            t, y, d = ag.exp(x), np.exp(v), np.exp(v)
        elif fn == "square":
            t, y, d = x * x, v * v, 2 * v  # the same tensor twice in one record
        elif fn == "neg":
            t, y, d = -x, -v, -np.ones(v.shape)
        elif fn == "relu":
            t, y, d = ag.relu(x), np.maximum(v, 0), (v > 0).astype(float)
        elif fn == "abs":
            t, y, d = ag.abs(x), np.abs(v), np.sign(v)
        else:  # log(1 + x^2)
            t, y, d = ag.log1p(x * x), np.log1p(v * v), 2 * v / (1 + v * v)
        return self.new(t, y, self.scale(np.asarray(d, dtype=float), a.jac), (a,), fn)

    @rule(target=nodes, a=nodes, k=st.integers(2, 6), mode=st.sampled_from(["sum", "product"]))
    def reuse(self, a: Entry, k: int, mode: str) -> Any:
        """One tensor used k times in a row (k contributions accumulate into its gradient)."""
        if mode == "product" and (k > 4 or np.abs(a.val).max(initial=0) > 10):
            return multiple()
        t = a.t
        for _ in range(k - 1):
            t = t + a.t if mode == "sum" else t * a.t
        if mode == "sum":
            return self.new(t, k * a.val, self.scale(k * np.ones(a.val.shape), a.jac), (a,),
                            "reuse sum")
        return self.new(t, a.val ** k, self.scale(k * a.val ** (k - 1), a.jac), (a,),
                        "reuse product")

    # ------------------------------------------------------------------ shape operations
    @rule(target=nodes, a=nodes, data=st.data(), mean=st.booleans(), keep=st.booleans())
    def reduce(self, a: Entry, data: Any, mean: bool, keep: bool) -> Any:
        nd = a.val.ndim
        if nd == 0:
            return multiple()
        axis = data.draw(st.integers(0, nd - 1))
        n = a.val.shape[axis]
        if mean and n == 0:
            return multiple()  # the mean of nothing is nan: no gradient to compare
        t = (a.t.mean if mean else a.t.sum)(axis=axis, keepdims=keep)
        f = (1.0 / n) if mean else 1.0
        jac = {k: f * j.sum(axis=axis, keepdims=keep) for k, j in a.jac.items()}
        return self.new(t, f * a.val.sum(axis=axis, keepdims=keep), jac, (a,), "reduce")

    @rule(target=nodes, a=nodes, data=st.data())
    def index(self, a: Entry, data: Any) -> Any:
        if a.val.ndim == 0:
            return multiple()
        slices = st.just(slice(1, None)) | st.just(slice(None, None, -1))
        idx = tuple(
            data.draw(st.integers(0, n - 1) | slices if n else slices)
            for n in a.val.shape[: data.draw(st.integers(1, a.val.ndim))]
        )
        jac = {k: j[idx] for k, j in a.jac.items()}
        return self.new(a.t[idx], a.val[idx], jac, (a,), "index")

    @rule(target=nodes, a=nodes)
    def transpose(self, a: Entry) -> Any:
        if a.val.ndim != 2:
            return multiple()
        jac = {k: np.swapaxes(j, 0, 1) for k, j in a.jac.items()}
        return self.new(a.t.T, a.val.T, jac, (a,), "transpose")

    # ------------------------------------------------------------- outside the graph
    @rule(target=nodes, a=nodes, how=st.sampled_from(["detach", "no_grad", "set_grad_enabled"]))
    def cut(self, a: Entry, how: str) -> Entry:
        if how == "detach":
            t = a.t.detach()
        elif how == "no_grad":
            with ag.no_grad():
                t = ag.tanh(a.t) * 2.0
        else:
            with ag.set_grad_enabled(False):
                t = ag.tanh(a.t) * 2.0
        assert not t.requires_grad and t.grad_fn is None
        val = a.val if how == "detach" else np.tanh(a.val) * 2.0
        return Entry(t, np.asarray(val), {}, frozenset(), how)

    @rule(target=nodes, a=nodes, b=nodes)
    def no_grad_island_then_back(self, a: Entry, b: Entry) -> Any:
        """``a * stop(b)``: b's contribution is computed without recording, then used."""
        try:
            shape = np.broadcast_shapes(a.val.shape, b.val.shape)
        except ValueError:
            return multiple()
        with ag.no_grad():
            s = ag.sigmoid(b.t) + 1.0
        sv = 1 / (1 + np.exp(-np.broadcast_to(b.val, shape))) + 1.0
        return self.new(a.t * s, np.broadcast_to(a.val, shape) * sv,
                        self.scale(sv, self.bjac(a, shape)), (a,), "island")

    # ------------------------------------------------------------------------- in place
    @rule(target=nodes, a=nodes, b=nodes, op=st.sampled_from(["add_", "mul_"]))
    def inplace(self, a: Entry, b: Entry, op: str) -> Any:
        """``c = a * 1.0; c op= b`` on a fresh non-leaf (its history moves to the new record)."""
        try:
            shape = np.broadcast_shapes(a.val.shape, b.val.shape)
        except ValueError:
            return multiple()
        if shape != a.val.shape:
            return multiple()
        unit = next(_ids)
        c = a.t * 1.0
        jb = self.bjac(b, shape)
        bv = np.broadcast_to(b.val, shape)
        if op == "add_":
            c += b.t
            val, jac = a.val + bv, self.plus(a.jac, jb)
        else:
            c *= b.t
            val, jac = a.val * bv, self.plus(self.scale(bv, a.jac), self.scale(a.val, jb))
        return self.new(c, val, jac, (a, b), op, unit)

    @rule(target=nodes, a=nodes, b=nodes, data=st.data())
    def inplace_through_view(self, a: Entry, b: Entry, data: Any) -> Any:
        """``c = a * 1.0; v = c[i]; v *= b``: the base c changes too (two new entries)."""
        if a.val.ndim == 0 or a.val.shape[0] == 0:
            return multiple()
        i = data.draw(st.integers(0, a.val.shape[0] - 1))
        vshape = a.val.shape[1:]
        try:
            if np.broadcast_shapes(vshape, b.val.shape) != vshape:
                return multiple()
        except ValueError:
            return multiple()
        unit = next(_ids)
        c = a.t * 1.0
        v = c[i]
        v *= b.t
        bv = np.broadcast_to(b.val, vshape)
        vval = a.val[i] * bv
        jv = self.plus(self.scale(bv, {k: j[i] for k, j in a.jac.items()}),
                       self.scale(a.val[i], self.bjac(b, vshape)))
        cval = a.val.copy()
        cval[i] = vval
        jc = {}
        for k in set(a.jac) | set(jv):
            ls = self.leaf_shape(k)
            j = np.array(a.jac[k]) if k in a.jac else np.zeros(a.val.shape + ls)
            j[i] = jv[k] if k in jv else 0.0
            jc[k] = j
        return multiple(self.new(c, cval, jc, (a, b), "base after view in-place", unit),
                        self.new(v, vval, jv, (a, b), "view in-place", unit))

    # ---------------------------------------------------------------------- differentiate
    def expected(self, e: Entry, w: np.ndarray) -> list[np.ndarray]:
        out = []
        nd = e.val.ndim
        for k, (_, ls) in enumerate(self.leaves):
            j = e.jac.get(k)
            if j is None:
                out.append(np.zeros(ls))
            else:
                out.append((w.reshape(w.shape + (1,) * len(ls)) * j).sum(axis=tuple(range(nd))))
        return out

    def check(self, got: list[Any], want: list[np.ndarray], times: float = 1.0) -> None:
        for k, (g, w) in enumerate(zip(got, want)):
            gd = np.zeros(w.shape) if g is None else np.asarray(g.detach().cpu().numpy() if hasattr(g, "data") else g)
            assert gd.shape == w.shape, (k, gd.shape, w.shape)
            assert_allclose(gd, times * w, rtol=1e-9, atol=1e-10,
                                       err_msg=f"gradient of leaf {k}")
        self.checked += 1

    def reset_grads(self) -> None:
        for t, _ in self.leaves:
            t.grad = None

    @rule(e=nodes, data=st.data(),
          mode=st.sampled_from(["backward", "twice", "grad", "gradient", "retain"]))
    def differentiate(self, e: Entry, data: Any, mode: str) -> None:
        if not e.t.requires_grad:
            with pytest.raises(RuntimeError, match="does not require grad"):
                e.t.sum().backward()
            return
        w = _arr(e.val.shape, data.draw)
        want = self.expected(e, w)
        self.reset_grads()
        leaves = [t for t, _ in self.leaves]
        stale = bool(e.records & self.freed)
        if stale:  # an earlier walk freed records this one needs
            with pytest.raises(RuntimeError, match="retain_graph=True"):
                # (retaining: the failed walk must not free records of other entries)
                (e.t * ag.tensor(w)).sum().backward(retain_graph=True)
            assert all(t.grad is None for t in leaves)  # nothing half-accumulated
            return
        if mode == "gradient":  # non-scalar output, explicit gradient
            e.t.backward(ag.tensor(w), retain_graph=True)
            self.check([t.grad for t in leaves], want)
            return
        loss = (e.t * ag.tensor(w)).sum()
        if mode == "grad":
            got = ag.grad(loss, leaves, allow_unused=True)
            assert all(t.grad is None for t in leaves)
            self.check(list(got), want)
        elif mode == "twice":
            loss.backward(retain_graph=True)
            loss.backward()
            self.check([t.grad for t in leaves], want, times=2.0)
        elif mode == "retain":
            loss.backward(retain_graph=True)
            self.check([t.grad for t in leaves], want)
            return
        else:
            loss.backward()
            self.check([t.grad for t in leaves], want)
        self.freed |= e.records  # a walk without retain_graph released these records

    @invariant()
    def leaves_stay_leaves(self) -> None:
        # no in-place operation ever gave a leaf a history or changed its shape
        for t, shape in self.leaves:
            assert t.shape == shape and t.grad_fn is None


WalkerMachine.TestCase.settings = settings(stateful_step_count=25, deadline=None)
TestWalker = WalkerMachine.TestCase


def test_the_reference_catches_a_wrong_rule():
    """Control: corrupt tanh's gradient rule; the machine must notice."""
    bad = ag.Primitive("tanh", np.tanh, (lambda g, out, x: g * (1 - out * out) * 1.001,),
                       save_out=True)
    m = WalkerMachine()
    leaf = m._leaf((3,), _FixedDraw(5))
    e = m.unary(leaf, "tanh")
    m.differentiate(e, _FixedDraw(1), "grad")  # the machine itself is fine with good rules...
    bad_entry = m.new(bad(leaf.t), np.tanh(leaf.val),
                      m.scale(1 - np.tanh(leaf.val) ** 2, leaf.jac), (leaf,), "bad tanh")
    with pytest.raises(AssertionError, match="gradient of leaf"):
        m.differentiate(bad_entry, _FixedDraw(1), "backward")  # ...and rejects a wrong one


class _FixedDraw:
    """Stands in for ``st.data()`` outside hypothesis: every draw (a seed) gives ``v``."""

    def __init__(self, v: int) -> None:
        self.v = v

    def draw(self, strategy: Any) -> Any:
        return self.v


def test_inplace_through_an_element_view_reaches_the_base():
    """Found by the machine: ``v = c[i]`` on a 1-D ``c`` was a copy, so ``v *= b`` left ``c``
    unchanged (PyTorch: a 0-d view that writes through)."""
    a = ag.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    b = ag.tensor(4.0, requires_grad=True)
    c = a * 1.0
    v = c[0]
    v *= b
    assert_array_equal(c.detach().cpu().numpy(), [4.0, 2.0, 3.0])
    (c * ag.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert_array_equal(a.grad.cpu().numpy(), [4.0, 10.0, 100.0])
    assert b.grad.item() == 1.0
    m = ag.tensor(np.arange(6.0).reshape(2, 3))
    e = m[1, 2]
    e += 10.0
    assert m.detach().cpu().numpy()[1, 2] == 15.0 and e.item() == 15.0
    w = ag.tensor(np.ones(2), requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf tensor that requires grad"):
        u = w[1]
        u += 1.0
