"""Tensor hooks: register_hook (leaves and non-leaves), retain_grad, post-accumulate hooks."""

import numpy as np
import pytest
from hypothesis import given

import autograd as ag
from autograd import Tensor
from autograd.testing import arrays_for, assert_allclose, assert_array_equal, shapes


def leaf(a):
    return Tensor(np.array(a, dtype=np.float64), requires_grad=True)


# --------------------------------------------------------------------- what hooks see
@given(shape=shapes(max_dims=3, max_side=3))
def test_leaf_and_non_leaf_hooks_see_the_total_gradient(shape):
    rng = np.random.default_rng(len(shape))
    a = rng.uniform(-2, 2, size=shape)
    c = rng.uniform(-2, 2, size=shape)
    x = leaf(a)
    seen = {}
    x.register_hook(lambda g: seen.__setitem__("x", g.detach().cpu().numpy().copy()))
    h = x * x
    h.register_hook(lambda g: seen.__setitem__("h", g.detach().cpu().numpy().copy()))
    # h is used twice: the hook sees the sum of both contributions, once
    y = (h * Tensor(c)).sum() + h.sum()
    y.backward()
    assert_allclose(seen["h"], c + 1)
    assert_allclose(seen["x"], (c + 1) * 2 * a)
    assert_allclose(x.grad.cpu().numpy(), seen["x"])


def test_hook_runs_once_per_backward_and_only_when_reached():
    x = leaf([1.0, 2.0])
    calls = []
    h = x * 2
    h.register_hook(lambda g: calls.append("h"))
    unused = x * 3
    unused.register_hook(lambda g: calls.append("unused"))
    (h + h + h).sum().backward()
    assert calls == ["h"]


def test_hook_argument_is_a_tensor_outside_the_graph():
    x = leaf([1.0, 2.0])
    got = []
    x.register_hook(lambda g: got.append(g))
    (x * 3).sum().backward()
    assert isinstance(got[0], Tensor) and not got[0].requires_grad
    assert_allclose(got[0].detach().cpu().numpy(), [3.0, 3.0])


def test_scalar_tensor_hooks():
    x = Tensor(2.0, requires_grad=True)
    h = x * x
    seen = []
    h.register_hook(lambda g: seen.append(g.item()) or g * 10)
    x.register_hook(lambda g: seen.append(g.item()))
    (h * 3.0).backward()
    assert seen == [3.0, 120.0]
    assert x.grad.item() == 120.0


def test_hooks_on_multi_output_records():
    x = leaf(np.arange(6.0))
    a, b, c = x.chunk(3)
    seen = {}
    b.register_hook(lambda g: seen.__setitem__("b", g.detach().cpu().numpy().copy()) or g * 100)
    (a.sum() + 2 * b.sum() + 3 * c.sum()).backward()
    assert_allclose(seen["b"], [2.0, 2.0])
    assert_allclose(x.grad.cpu().numpy(), [1, 1, 200, 200, 3, 3])


# ------------------------------------------------------------------- replacing gradients
@given(a=arrays_for((2, 3), min_value=-2, max_value=2))
def test_non_leaf_hook_replacement_flows_upstream(a):
    x = leaf(a)
    h = x.exp()
    h.register_hook(lambda g: g * 3.0)
    h.sum().backward()
    assert_allclose(x.grad.cpu().numpy(), 3.0 * np.exp(a))


def test_leaf_hook_replacement_is_what_accumulates():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g + 1.0)
    (x * 2).sum().backward()
    assert_allclose(x.grad.cpu().numpy(), [3.0, 3.0])
    (x * 2).sum().backward()
    assert_allclose(x.grad.cpu().numpy(), [6.0, 6.0])


def test_hooks_run_in_registration_order_each_seeing_the_last_result():
    for t in (leaf([1.0]), leaf([1.0]) * 1.0):
        order = []
        t.register_hook(lambda g: order.append(("a", g.item())) or g * 2)
        t.register_hook(lambda g: order.append(("b", g.item())))
        t.register_hook(lambda g: order.append(("c", g.item())) or g + 1)
        (t * 5).sum().backward()
        assert order == [("a", 5.0), ("b", 10.0), ("c", 10.0)]


@pytest.mark.parametrize("replacement", [
    pytest.param(lambda: np.array([7.0, 8.0]),
                 marks=pytest.mark.cpu_only("a NumPy array is host data; a GPU gradient refuses it")),
    lambda: ag.tensor([7.0, 8.0], dtype="float64"),
])
def test_hook_may_return_an_array_or_number_and_dtype_is_kept(replacement):
    x = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    x.register_hook(lambda g: replacement())  # float64 values for a float32 tensor
    (x * 1).sum().backward()
    assert x.grad.dtype == np.float32
    assert_array_equal(x.grad.cpu().numpy(), [7, 8])
    s = Tensor(1.0, requires_grad=True)
    s.register_hook(lambda g: 4.0)
    (s * 2).backward()
    assert s.grad.item() == 4.0


def test_hook_must_keep_the_shape():
    x = leaf([1.0, 2.0])

    def widen(g):
        return Tensor(np.ones(3))

    h = x * 1
    h.register_hook(widen)
    with pytest.raises(RuntimeError, match=r"hook '.*widen' has changed the size of value.*"
                                           r"\(2,\).*\(3,\)"):
        h.sum().backward()
    x.register_hook(lambda g: Tensor(np.ones((2, 1))))
    with pytest.raises(RuntimeError, match="has changed the size"):
        (x * 1).sum().backward()


def test_hook_returning_a_wrong_type_raises():
    x = leaf([1.0])
    x.register_hook(lambda g: "oops")
    with pytest.raises(TypeError, match="must return a Tensor, an array or None"):
        (x * 1).sum().backward()


def test_hook_keeping_its_argument_is_not_changed_by_later_backward():
    x = leaf([1.0, 2.0])
    kept = []
    x.register_hook(lambda g: kept.append(g))
    (x * 1).sum().backward()
    (x * 1).sum().backward()
    assert_array_equal(kept[0].detach().cpu().numpy(), [1.0, 1.0])
    assert_array_equal(x.grad.cpu().numpy(), [2.0, 2.0])
    fixed = Tensor([5.0, 5.0])
    y = leaf([0.0, 0.0])
    y.register_hook(lambda g: fixed)
    (y * 1).sum().backward()
    (y * 1).sum().backward()
    assert_array_equal(fixed.detach().cpu().numpy(), [5.0, 5.0])
    assert_array_equal(y.grad.cpu().numpy(), [10.0, 10.0])


# ------------------------------------------------------------------------------ handles
def test_handle_remove_and_context_manager():
    x = leaf([1.0])
    calls = []
    h1 = x.register_hook(lambda g: calls.append(1))
    h2 = x.register_hook(lambda g: calls.append(2))
    h1.remove()
    h1.remove()  # idempotent
    (x * 1).sum().backward()
    assert calls == [2]
    h2.remove()
    y = x * 1
    with y.register_hook(lambda g: calls.append(3)):
        y.sum().backward(retain_graph=True)
    y.sum().backward()
    assert calls == [2, 3]


def test_removing_one_of_two_registrations_of_the_same_function():
    calls = []

    def hook(g):
        calls.append(len(calls))
        return g * 2

    x = leaf([1.0])
    h = x * 1
    first = h.register_hook(hook)
    h.register_hook(hook)
    first.remove()
    h.sum().backward()
    assert calls == [0] and x.grad.item() == 2.0


# --------------------------------------------------------------------- create_graph
def test_hooks_with_create_graph_are_differentiable():
    x = leaf([1.0, 2.0])
    h = x * x
    seen = []

    def hook(g):
        seen.append(isinstance(g, Tensor))  # a Tensor (constant here: d sum/dh is 1)
        return g * x  # a replacement that depends on x

    h.register_hook(hook)
    (g,) = ag.grad(h.sum(), x, create_graph=True)
    assert seen == [True] and g.requires_grad
    assert_allclose(g.detach().cpu().numpy(), 2 * x.detach().cpu().numpy() * x.detach().cpu().numpy())  # hook gives x, times 2x
    (gg,) = ag.grad(g.sum(), x)
    assert_allclose(gg.detach().cpu().numpy(), 4 * x.detach().cpu().numpy())  # d/dx 2x^2, through the hook's x too


def test_leaf_hook_under_create_graph_gets_and_returns_tensors():
    x = leaf([3.0])
    x.register_hook(lambda g: g * 2)
    y = x**3
    y.backward(create_graph=True)
    assert x.grad.requires_grad
    assert_allclose(x.grad.detach().cpu().numpy(), [2 * 27.0])
    # an array (on the gradient's device) is accepted under create_graph too
    x.register_hook(lambda g: ag.tensor([1.0]).detach()._data)
    (g,) = ag.grad(x**2, x, create_graph=True)
    assert_allclose(g.detach().cpu().numpy(), [1.0])



def test_hooks_fire_for_autograd_grad():
    x = leaf([1.0, 2.0])
    h = x * 3
    calls = []
    h.register_hook(lambda g: calls.append("h") or g * 2)
    x.register_hook(lambda g: calls.append("x"))
    x.register_post_accumulate_grad_hook(lambda t: calls.append("post"))
    (g,) = ag.grad(h.sum(), x)
    assert_allclose(g.detach().cpu().numpy(), [6.0, 6.0])
    assert calls == ["h", "x"] and x.grad is None  # nothing accumulated, no post hook


# ------------------------------------------------------------------------- retain_grad
def test_retain_grad_on_non_leaf():
    x = leaf([1.0, 2.0])
    h = x * 2
    k = x * 3
    assert not h.retains_grad
    h.retain_grad()
    h.retain_grad()  # twice is once
    assert h.retains_grad and not k.retains_grad and not x.retains_grad
    y = (h * k).sum()
    y.backward(retain_graph=True)
    assert_allclose(h.grad.cpu().numpy(), k.detach().cpu().numpy())
    assert k.grad is None
    y.backward()  # accumulates, like a leaf's grad
    assert_allclose(h.grad.cpu().numpy(), 2 * k.detach().cpu().numpy())


def test_retain_grad_sees_hook_results_and_follows_in_place():
    x = leaf([1.0, 2.0])
    h = x * 1
    h.retain_grad()
    h.register_hook(lambda g: g * 10)
    h.sum().backward()
    assert_allclose(h.grad.cpu().numpy(), [10.0, 10.0])
    # in place: the retained grad is the new version's (as in PyTorch)
    x2 = leaf([1.0, 1.0])
    h2 = x2 * 1
    h2.retain_grad()
    h2.mul_(3.0)
    assert h2.retains_grad
    (h2 * h2).sum().backward()
    assert_allclose(h2.grad.cpu().numpy(), 2 * h2.detach().cpu().numpy())


def test_retain_grad_under_create_graph():
    x = leaf([2.0])
    h = x * x
    h.retain_grad()
    (h * h).sum().backward(create_graph=True)
    assert h.grad.requires_grad
    assert_allclose(h.grad.detach().cpu().numpy(), [8.0])


def test_retain_grad_on_leaf_and_on_tensor_without_grad():
    x = leaf([1.0])
    x.retain_grad()  # a leaf keeps its grad anyway
    (x * 2).sum().backward()
    assert_allclose(x.grad.detach().cpu().numpy(), [2.0])
    with pytest.raises(RuntimeError, match="doesn't require grad"):
        Tensor([1.0]).retain_grad()


def test_hooks_before_and_after_in_place():
    # a hook registered before an in-place change sees the old version's gradient
    x = leaf([1.0, 1.0])
    h = x * 1
    seen = {}
    h.register_hook(lambda g: seen.__setitem__("old", g.detach().cpu().numpy().copy()))
    h.mul_(3.0)
    h.register_hook(lambda g: seen.__setitem__("new", g.detach().cpu().numpy().copy()))
    (h * h).sum().backward()
    assert_allclose(seen["new"], [6.0, 6.0])
    assert_allclose(seen["old"], [18.0, 18.0])


# -------------------------------------------------------------- post-accumulate hooks
def test_post_accumulate_grad_hook():
    x = leaf([1.0, 2.0])
    seen = []
    handle = x.register_post_accumulate_grad_hook(
        lambda t: seen.append((t is x, t.grad.cpu().numpy().copy()))
    )
    x.register_post_accumulate_grad_hook(lambda t: seen.append("second"))
    (x * x).sum().backward()
    (x * 3).sum().backward()
    assert seen[0][0] and seen[1] == "second"
    assert_allclose(seen[0][1], [2.0, 4.0])
    assert_allclose(seen[2][1], [5.0, 7.0])
    handle.remove()
    (x * 1).sum().backward()
    assert seen[-1] == "second" and len(seen) == 5


def test_post_accumulate_hook_sees_tensor_hook_result():
    x = leaf([1.0])
    x.register_hook(lambda g: g * 4)
    got = []
    x.register_post_accumulate_grad_hook(lambda t: got.append(t.grad.item()))
    (x * 2).sum().backward()
    assert got == [8.0]


def test_post_accumulate_hook_can_step_like_an_optimizer():
    x = leaf([1.0, -2.0])

    def step(t):
        with ag.no_grad():
            t.sub_(t.grad, alpha=0.5)
        t.grad = None

    x.register_post_accumulate_grad_hook(step)
    (x * x).sum().backward()
    assert_allclose(x.detach().cpu().numpy(), [0.0, 0.0])
    assert x.grad is None


def test_post_accumulate_hook_on_non_leaf_raises():
    h = leaf([1.0]) * 2
    with pytest.raises(RuntimeError, match="only be registered on leaf tensors.*MulBackward"):
        h.register_post_accumulate_grad_hook(lambda t: None)


# ------------------------------------------------------------------------------ errors
def test_hooks_on_tensors_not_requiring_grad_raise():
    t = Tensor([1.0])
    with pytest.raises(RuntimeError, match="register_hook: cannot register a hook on a tensor "
                                           "that doesn't require gradient"):
        t.register_hook(lambda g: g)
    with pytest.raises(RuntimeError, match="register_post_accumulate_grad_hook: cannot register"):
        t.register_post_accumulate_grad_hook(lambda t: None)
    with ag.no_grad():
        y = leaf([1.0]) * 2
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        y.register_hook(lambda g: g)


def test_hook_must_be_callable():
    with pytest.raises(TypeError, match="register_hook: hook must be callable, got int"):
        leaf([1.0]).register_hook(3)
    with pytest.raises(TypeError, match="must be callable"):
        leaf([1.0]).register_post_accumulate_grad_hook(None)


def test_hooks_match_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[0.3, -1.2], [2.0, 0.7]])
    xt = torch.tensor(a, requires_grad=True)
    x = leaf(a)
    outs = []
    for t, lib in ((x, ag), (xt, torch)):
        h = t.tanh()
        h.register_hook(lambda g: g * 2 + 1)
        h.retain_grad()
        k = h * t
        k.register_hook(lambda g: g * g)
        t.register_hook(lambda g: g - 0.5)
        (k * 3).sum().backward()
        outs.append((np.asarray(t.grad.detach().cpu().numpy() if lib is torch else t.grad.cpu().numpy()),
                     np.asarray(h.grad.cpu().numpy() if lib is torch else h.grad.cpu().numpy())))
    assert_allclose(outs[0][0], outs[1][0])
    assert_allclose(outs[0][1], outs[1][1])
