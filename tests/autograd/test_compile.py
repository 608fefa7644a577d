"""``autograd.compile``: compiled == eager (values and gradients), guards, refusals."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
import nn
import nn.functional as F
import optim
from autograd.compile import TraceError
from autograd.testing import assert_allclose, assert_array_equal


def _mlp(seed: int = 0, act: type = nn.ReLU) -> nn.Module:
    ag.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), act(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3))


def _grads(params: list[ag.Tensor]) -> list[np.ndarray | None]:
    return [None if p.grad is None else p.grad.cpu().numpy().copy() for p in params]


def _on_default_device(a: np.ndarray):
    """Array data on the default device (the CPU, or the GPU the suite runs on)."""
    return ag.tensor(a)._data


def _same(a: list[np.ndarray | None], b: list[np.ndarray | None]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert (x is None) == (y is None)
        if x is not None:
            assert_array_equal(x, y)


def _check_steps(fn, params, make_args, n=4, opt_lr=0.1):
    """Run eager and compiled side by side over ``n`` calls with changing data and an optimizer
    update in between: losses and every gradient bit-identical."""
    step = ag.compile(fn)
    opt = optim.SGD(params, lr=opt_lr)
    rng = np.random.default_rng(1)
    for _ in range(n):
        args = make_args(rng)
        opt.zero_grad()
        le = fn(*args)
        le.backward()
        ge = _grads(params)
        opt.zero_grad()
        lc = step(*args)
        lc.backward()
        gc = _grads(params)
        assert_array_equal(lc, le)
        _same(gc, ge)
        opt.step()  # the compiled step must see the updated parameters
    assert step.recompiles == 0
    return step


def test_mlp_cross_entropy_matches_eager() -> None:
    model = _mlp()

    def loss(x, y):
        return F.cross_entropy(model(x), y)

    step = _check_steps(loss, list(model.parameters()), lambda r: (
        ag.tensor(r.normal(size=(5, 4))), ag.tensor(r.integers(0, 3, size=5))))
    assert "t0 = linear(" in step.code and "def loss_backward" in step.code


def test_captured_targets_are_read_live() -> None:
    model = _mlp(2)
    y = ag.tensor(np.array([0, 1, 2, 1]))
    step = ag.compile(lambda x: F.cross_entropy(model(x), y), fallback=False)
    x = ag.tensor(np.ones((4, 4)))
    step(x)
    y.data = ag.tensor([2, 2, 0, 1], device=y.device)  # new labels in the captured tensor
    assert_array_equal(step(x)._data, F.cross_entropy(model(x), y)._data)


@pytest.mark.parametrize("labels", [[1], [0, 0, 0]])
def test_batch_one_and_uniform_targets_are_not_frozen(labels) -> None:
    model = _mlp(3)
    step = ag.compile(lambda x, y: F.cross_entropy(model(x), y), fallback=False)
    x = ag.tensor(np.ones((len(labels), 4)))
    step(x, ag.tensor(labels))
    other = ag.tensor([2] * len(labels))
    assert_array_equal(step(x, other)._data, F.cross_entropy(model(x), other)._data)


def test_mlp_mse_tanh_matches_eager() -> None:
    model = _mlp(1, nn.Tanh)
    _check_steps(lambda x, y: F.mse_loss(model(x), y), list(model.parameters()),
                 lambda r: (ag.tensor(r.normal(size=(6, 4))), ag.tensor(r.normal(size=(6, 3)))))


def test_chain_and_broadcast_matches_eager() -> None:
    w = ag.tensor(np.linspace(-1, 1, 16).reshape(4, 4), requires_grad=True)
    b = ag.tensor(np.ones((1, 4)) * 0.1, requires_grad=True)

    def f(x):
        y = x
        for _ in range(20):
            y = (y @ w + b).tanh() * 0.9 - y / 3.0
        return (y.exp() + y.sigmoid()).mean() + (-y).relu().sum()

    _check_steps(f, [w, b], lambda r: (ag.tensor(r.normal(size=(3, 4))),))


def test_rectangular_matmul_transpose_and_mixed_dtypes() -> None:
    w = ag.tensor(np.linspace(-1, 1, 12).reshape(3, 4), requires_grad=True)
    v = ag.tensor(np.linspace(0.5, -0.5, 8).reshape(2, 4).astype(np.float32), requires_grad=True)
    lin = nn.Linear(4, 2).float()  # float32 layer on float64 data: cast first, as PyTorch asks

    def f(x):
        h = (x @ w).tanh() @ w.T @ w  # the two uses of w.T share one transpose
        return (h * v.T.T).sum() + lin(h.float()).sum() + (h.float() @ v.T).mean()

    _check_steps(f, [w, v, lin.weight, lin.bias],
                 lambda r: (ag.tensor(r.normal(size=(2, 3))),))


def test_scalar_float_graph() -> None:
    ws = [ag.tensor(v, requires_grad=True) for v in (0.3, -0.7, 1.1)]

    def f(x):
        h = (ws[0] * x + ws[1]).tanh()
        return (h * ws[2] - x).relu() + h * h

    step = _check_steps(f, ws, lambda r: (ag.tensor(float(r.normal())),))
    if not ws[0].is_cuda:  # the Python-float fast path is host data
        assert type(step(ag.tensor(0.5))._data) is float


def test_accumulation_retain_graph_grad_and_partial_outputs() -> None:
    w = ag.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)

    def f(x):
        h = (x @ w).tanh()
        return h.sum(), (h * h).mean()

    step = ag.compile(f)
    x = ag.tensor([[1.0, 2.0], [0.5, -1.0]])
    a, b = step(x)
    a.backward(retain_graph=True)
    a.backward()  # accumulates
    g_twice = w.grad._data.copy()
    w.grad = None
    ea, eb = f(x)
    ea.backward()
    assert_array_equal(g_twice, 2 * w.grad._data)
    # backward on the second output only, and autograd.grad
    w.grad = None
    f(x)[1].backward()
    ge = w.grad._data.copy()
    w.grad = None
    _, cb = step(x)
    (gc,) = ag.grad(cb, [w])
    assert_array_equal(gc._data, ge)
    assert w.grad is None
    # a compiled output feeding eager operations
    w.grad = None
    a, b = step(x)
    (a * 3 + b).backward()
    gc = w.grad._data.copy()
    w.grad = None
    a, b = f(x)
    (a * 3 + b).backward()
    assert_allclose(gc, w.grad._data, rtol=1e-12)


def test_second_walk_without_retain_graph_raises() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    step = ag.compile(lambda x: (x * w).sum())
    y = step(ag.tensor([1.0, 1.0]))
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_create_graph_is_refused() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    step = ag.compile(lambda x: (x * w).tanh().sum())
    y = step(ag.tensor([1.0, 1.0]))
    with pytest.raises(RuntimeError, match="create_graph"):
        y.backward(create_graph=True)


def test_input_requires_grad_and_array_and_number_args() -> None:
    def f(x, a, c):
        return (x * a + c).tanh().sum()

    step = ag.compile(f)
    for k in range(3):
        xv = np.arange(3.0) + k
        av = _on_default_device(np.array([1.0, -2.0, 0.5]) * (k + 1))
        x1 = ag.tensor(xv, requires_grad=True)
        x2 = ag.tensor(xv, requires_grad=True)
        step(x1, av, 0.25).backward()
        f(x2, av, 0.25).backward()
        assert_array_equal(x1.grad._data, x2.grad._data)
    assert step.recompiles == 0
    x = ag.tensor(np.arange(3.0), requires_grad=True)
    step(x, _on_default_device(np.ones(3)), 0.5)  # another number: a new trace
    assert step.recompiles == 1
    assert step(x, _on_default_device(np.ones(3)), 0.5).item() == pytest.approx(
        float(np.tanh(np.arange(3.0) + 0.5).sum()))


# --------------------------------------------------------------------------------- guards
def test_guards_retrace() -> None:
    model = _mlp()
    step = ag.compile(lambda x: model(x).sum())
    x = ag.tensor(np.ones((2, 4)))
    step(x)
    assert step.recompiles == 0
    step(ag.tensor(np.ones((3, 4))))  # shape
    assert step.recompiles == 1
    model.float()
    step(ag.tensor(np.ones((2, 4), dtype=np.float32)))  # dtype (of the input and the weights)
    assert step.recompiles == 2
    model.double()
    step(ag.tensor(np.ones((2, 4)), requires_grad=True))  # requires_grad
    assert step.recompiles == 3
    with ag.no_grad():  # grad mode
        y = step(x)
    assert step.recompiles == 4 and not y.requires_grad
    model.eval()  # training flag
    step(x)
    assert step.recompiles == 5
    model.train()
    step(x)
    assert step.recompiles == 5  # cached


def test_training_flag_changes_the_program() -> None:
    class Half(nn.Module):
        def forward(self, x):
            return x * 0.5 if self.training else x * 2.0

    m = Half()
    step = ag.compile(lambda x: m(x).sum())
    x = ag.tensor([1.0, 2.0])
    assert step(x).item() == 1.5
    m.eval()
    assert step(x).item() == 6.0


def test_training_flag_of_a_model_held_by_an_object() -> None:
    class Trainer:
        def __init__(self) -> None:
            self.model = nn.Sequential(nn.Linear(2, 2))

    tr = Trainer()
    step = ag.compile(lambda x: tr.model(x).sum())
    x = ag.tensor([[1.0, 2.0]])
    step(x)
    tr.model.eval()
    step(x)
    assert step.recompiles == 1


def test_parameter_update_reassignment_shape_change() -> None:
    lin = nn.Linear(3, 2)
    step = ag.compile(lambda x: lin(x).sum())
    x = ag.tensor(np.ones((1, 3)))
    v0 = step(x).item()
    lin.weight._data[...] += 1.0  # in-place update (an optimizer's) is read live
    v1 = step(x).item()
    assert v1 == pytest.approx(v0 + 6.0)
    lin.weight._data = _on_default_device(np.zeros((2, 3)))  # new data object, same shape
    assert step(x).item() == pytest.approx(lin.bias.sum().item())
    # new shapes: retrace
    lin.weight._data, lin.bias._data = (_on_default_device(np.zeros((4, 3))),
                                        _on_default_device(np.zeros(4)))
    assert step(x).shape == ()
    assert step.recompiles == 1
    lin.bias._data = _on_default_device(np.zeros(2))
    lin.weight = nn.Parameter(ag.tensor(np.full((2, 3), 2.0)))  # a reassigned attribute
    assert step(x).item() == pytest.approx(12.0 + lin.bias.sum().item())
    assert step.recompiles == 2


def test_recompile_warning_and_bounded_cache() -> None:
    step = ag.compile(lambda x: x.sum(), cache_size=2, warn_after=2)
    with pytest.warns(UserWarning, match="retraced"):
        for n in range(1, 6):
            step(ag.tensor(np.ones(n)))
    assert step.recompiles == 4 and len(step._cache) == 2


# ------------------------------------------------------------------------------- refusals
@pytest.mark.parametrize("bad, what", [
    (lambda y: y.item(), r"t.item\(\)"),
    (lambda y: bool(y), r"bool\(t\)"),
    (lambda y: float(y), r"float\(t\)"),
    pytest.param(lambda y: np.asarray(y), r"np.asarray\(t\)", marks=pytest.mark.cpu_only(
        "the eager fallback's np.asarray of a GPU tensor raises (it is host-only)")),
    (lambda y: list(y), "iteration"),
])
def test_refusals(bad, what) -> None:
    def f(x):
        y = (x * 2).sum()
        bad(y if what != "iteration" else x * 2)
        return y

    strict = ag.compile(f, fallback=False)
    with pytest.raises(TraceError, match=what) as info:
        strict(ag.tensor([1.0, 2.0]))
    assert "test_compile.py" in str(info.value)  # names the user's line
    lenient = ag.compile(f)
    with pytest.warns(UserWarning, match="eagerly"):
        y = lenient(ag.tensor([1.0, 2.0]))
    assert y.item() == 6.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warned once only
        assert lenient(ag.tensor([1.0, 3.0])).item() == 8.0


def test_random_ops_fall_back_with_eager_stream() -> None:
    def f(x):
        return F.dropout(x, 0.5).sum()

    x = ag.tensor(np.ones(50))
    ag.manual_seed(3)
    want = [f(x).item() for _ in range(3)]
    ag.manual_seed(3)
    step = ag.compile(f)
    with pytest.warns(UserWarning, match="random"):
        got = [step(x).item() for _ in range(3)]
    assert got == want
    with pytest.raises(TraceError, match="random"):
        ag.compile(lambda x: (x * ag.randn(50, generator=ag.default_generator())).sum(),
                   fallback=False)(x)


def test_randn_and_rand_redraw_at_each_replay_from_the_eager_stream() -> None:
    w = ag.tensor(np.ones(4), requires_grad=True)

    def f(x):
        return ((x + ag.randn(4)) * w * ag.rand(4, dtype=np.float32)).sum()

    x = ag.tensor(np.arange(4.0))
    ag.manual_seed(5)
    want = []
    for _ in range(3):
        y = f(x)
        y.backward()
        want.append((y.item(), w.grad._data.copy()))
        w.grad = None
    ag.manual_seed(5)
    step = ag.compile(f, fallback=False)
    for v, g in want:
        y = step(x)
        y.backward()
        assert y.item() == v
        assert_array_equal(w.grad._data, g)
        w.grad = None
    assert step.recompiles == 0 and "draw(kind='standard_normal'" in step.code


def test_inplace_hooks_and_hidden_constants_refused() -> None:
    x = ag.tensor([1.0, -2.0], requires_grad=True)

    def inplace(x):
        y = x * 1.0
        y += 1.0
        return y.sum()

    def retain(x):
        y = x * 2.0
        y.retain_grad()
        return y.sum()

    def hidden(x):  # a constant computed from the input's data outside autograd
        return (x * (x._data > 0)).sum()

    for fn, msg in ((inplace, "in-place"), (retain, "retain_grad"), (hidden, "depends on")):
        with pytest.raises(TraceError, match=msg):
            ag.compile(fn, fallback=False)(x)


def test_batchnorm_running_stats_update_is_refused_in_training_only() -> None:
    bn = nn.BatchNorm1d(3)
    step = ag.compile(lambda x: bn(x).sum(), fallback=False)
    x = ag.tensor(np.arange(12.0).reshape(4, 3))
    with pytest.raises(TraceError, match="in place"):
        step(x)
    bn.eval()  # normalised by running stats computed outside autograd ops: eager, never frozen
    lenient = ag.compile(lambda x: bn(x).sum())
    with pytest.warns(UserWarning, match="depends on"):
        lenient(x)
    for k in range(2):
        bn.running_var._data = bn.running_var._data + k
        assert_array_equal(lenient(x * 2.0)._data, bn(x * 2.0).sum()._data)


def test_detach_of_inputs_parameters_and_intermediates() -> None:
    w = ag.tensor([0.5, -1.0, 2.0], requires_grad=True)

    def f(x):
        h = (x * w).tanh()
        return (h * h.detach() + x.detach() * w.detach() * w).sum()

    _check_steps(f, [w], lambda r: (ag.tensor(r.normal(size=3), requires_grad=True),))


@pytest.mark.cpu_only("float() of GPU data is a host read (a sync the stand-in refuses)")
def test_number_read_from_data_is_refused() -> None:
    x = ag.tensor([1.0, 2.0])
    with pytest.raises(TraceError, match="Python number"):  # ._data read: not seen by a hook
        ag.compile(lambda x: x * float(x._data.sum()), fallback=False)(x)


def test_parameter_hooks_run_on_the_compiled_backward() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    w.register_hook(lambda g: seen.append(g.tolist()) or g * 2)
    step = ag.compile(lambda x: (x * w).sum())
    step(ag.tensor([3.0, 4.0])).backward()
    assert seen == [[3.0, 4.0]] and w.grad.tolist() == [6.0, 8.0]


def test_decorator_and_tuple_return() -> None:
    @ag.compile(fallback=False)
    def two(x):
        return x.exp(), (x * x).sum()

    a, b = two(ag.tensor([0.0, 1.0]))
    assert a.tolist() == [1.0, math.e] and b.item() == 1.0


# ------------------------------------------------------------------------- random programs
_UNARY = ["tanh", "exp", "sigmoid", "relu", "neg", "square"]
_BINARY = ["add", "sub", "mul", "div", "matmul"]
_MIXED = ["sum_keep", "mean_all", "flip", "pow", "number", "detach", "where", "log"]


def _mixed(name, a, b):
    """Operations with reductions, views, Python numbers, cuts and unrecorded (bool) ops; the
    result broadcasts back to the program's (2, 3) shape."""
    if name == "sum_keep":
        return a.sum(axis=-1, keepdims=True) * b
    if name == "mean_all":
        return a.mean() + b
    if name == "flip":
        return a[..., ::-1] * b
    if name == "pow":
        return a ** 2 + b
    if name == "number":
        return 1.5 * a - 0.25 + b / 2.0
    if name == "detach":
        return a.detach() * b
    if name == "where":
        return ag.where(a > 0, a, b * 0.5)
    return ag.log(a * a + 1.0) + b


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_UNARY + _BINARY + _MIXED), st.integers(0, 5)),
                min_size=1, max_size=12), st.integers(0, 2**31 - 1))
def test_random_programs_match_eager(prog, seed) -> None:
    rng = np.random.default_rng(seed)
    params = [ag.tensor(rng.normal(size=(3, 3)) * 0.5, requires_grad=True),
              ag.tensor(rng.normal(size=(3,)) * 0.5, requires_grad=True)]

    def f(x):
        vals = [x, params[1]]  # broadcast-compatible: (2, 3) and (3,)
        for name, k in prog:
            a = vals[k % len(vals)]
            b = vals[(k + 1) % len(vals)]
            if name in _MIXED:
                v = _mixed(name, a, b)
            elif name in _BINARY:
                if name == "matmul":
                    v = a @ params[0].T
                elif name == "div":
                    v = a / (b * b + 1.0)
                else:
                    v = getattr(ag, name)(a, b)
            elif name == "square":
                v = a * a
            else:
                v = getattr(ag, name)(a.tanh() if name == "exp" else a)
            vals.append(v)
        return vals[-1].sum() + vals[-1].mean()

    step = ag.compile(f, fallback=False)
    for _ in range(3):
        x = ag.tensor(rng.normal(size=(2, 3)), requires_grad=True)
        x2 = ag.tensor(x._data.copy(), requires_grad=True)
        for p in params:
            p.grad = None
        le = f(x2)
        le.backward()
        ge = _grads(params + [x2])
        for p in params:
            p.grad = None
        lc = step(x)
        lc.backward()
        gc = _grads(params + [x])
        assert_allclose(lc, le, rtol=1e-12)
        for a, b in zip(gc, ge, strict=True):
            assert (a is None) == (b is None)
            if a is not None:
                assert_allclose(a, b, rtol=1e-12, atol=1e-300)


def test_multi_output_primitive_without_keyword_arguments() -> None:
    """slogdet records a multi-output primitive with no params (None): traced like the rest."""
    import autograd.linalg as LA

    a = ag.tensor(np.array([[2.0, 0.5, 0.0], [0.1, 3.0, 0.2], [0.0, 0.3, 1.5]]),
                  requires_grad=True)
    step = ag.compile(lambda m: LA.slogdet(m).logabsdet)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither a crash nor a silent eager fallback
        for _ in range(2):
            a.grad = None
            y = step(a)
            y.backward()
            got = (y.item(), a.grad.cpu().numpy().copy())
            a.grad = None
            e = LA.slogdet(a).logabsdet
            e.backward()
            assert got[0] == e.item()
            assert_array_equal(got[1], a.grad.cpu().numpy())
