"""Custom differentiable functions: autograd.Function, its ctx, and how they sit on the tape."""

import gc
import weakref

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import Function, Tensor
from autograd.testing import assert_allclose, broadcastable_tensors, tensors


class ClippedExp(Function):
    """exp(min(x, 5)), saving its input and its output."""

    @staticmethod
    def forward(ctx, x):
        y = x.clip(None, 5.0).exp()
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, gy):
        x, y = ctx.saved_tensors
        return gy * y * (x < 5.0)


class ScaledMul(Function):
    """a * b * scale, with a non-tensor argument and a call counter on the class."""

    calls = 0

    @staticmethod
    def forward(ctx, a, b, scale=1.0):
        ctx.save_for_backward(a, b)
        ctx.scale = scale
        return a * b * scale

    @staticmethod
    def backward(ctx, g):
        ScaledMul.calls += 1
        a, b = ctx.saved_tensors
        return g * b * ctx.scale, g * a * ctx.scale, None


class SinCos(Function):
    """Two outputs; records which gradients backward received."""

    seen = []

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin(), x.cos()

    @staticmethod
    def backward(ctx, gs, gc_):
        SinCos.seen.append((gs, gc_))
        (x,) = ctx.saved_tensors
        total = 0.0
        if gs is not None:
            total = total + gs * x.cos()
        if gc_ is not None:
            total = total - gc_ * x.sin()
        return total


def _reference_clipped_exp(x):
    return np.exp(np.minimum(x, 5.0))


@given(tensors(max_dims=3, max_side=4, min_side=0))
def test_clipped_exp_values_and_gradcheck(x):
    # non-contiguous views and size-0 tensors are drawn too
    y = ClippedExp.apply(x)
    assert_allclose(y.detach().cpu().numpy(), _reference_clipped_exp(x.detach().cpu().numpy()))
    assert ag.gradcheck(ClippedExp.apply, (x,))
    assert ag.gradgradcheck(ClippedExp.apply, (x,))


def test_clipped_exp_is_flat_above_the_clip():
    # values kept away from the kink at 5
    x = Tensor(np.array([-1.0, 4.0, 6.5, 9.0]), requires_grad=True)
    ClippedExp.apply(x).sum().backward()
    assert_allclose(x.grad.cpu().numpy(), [np.exp(-1.0), np.exp(4.0), 0.0, 0.0])
    assert ag.gradcheck(ClippedExp.apply, (x,))


@given(broadcastable_tensors(2, max_dims=3, max_side=3), st.floats(-2, 2))
def test_broadcasting_inputs_get_gradients_of_their_own_shape(ab, scale):
    a, b = ab
    y = ScaledMul.apply(a, b, scale)
    assert_allclose(y.detach().cpu().numpy(), a.detach().cpu().numpy() * b.detach().cpu().numpy() * scale)
    assert ag.gradcheck(lambda a, b: ScaledMul.apply(a, b, scale), (a, b))
    assert ag.gradgradcheck(lambda a, b: ScaledMul.apply(a, b, scale), (a, b))


def test_backward_runs_once_per_step_whatever_the_number_of_inputs():
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    ScaledMul.calls = 0
    y = ScaledMul.apply(a, b, 2.0).sum()
    y.backward(retain_graph=True)
    assert ScaledMul.calls == 1
    y.backward()
    assert ScaledMul.calls == 2
    assert_allclose(a.grad.cpu().numpy(), 2 * 2 * b.detach().cpu().numpy())
    assert_allclose(b.grad.cpu().numpy(), 2 * 2 * a.detach().cpu().numpy())


def test_non_tensor_arguments_and_needs_input_grad():
    seen = {}

    class Fn(Function):
        @staticmethod
        def forward(ctx, x, c, n, flag):
            seen["needs"] = ctx.needs_input_grad
            return x * c * n if flag else x

        @staticmethod
        def backward(ctx, g):
            return g * 3.0 * 2, None, None, None

    x = Tensor(np.ones(2), requires_grad=True)
    c = Tensor(np.full(2, 3.0))
    y = Fn.apply(x, c, 2, True)
    assert seen["needs"] == (True, False, False, False)
    y.sum().backward()
    assert_allclose(x.grad.cpu().numpy(), [6.0, 6.0])
    with ag.no_grad():
        z = Fn.apply(x, c, 2, True)
    assert seen["needs"] == (False, False, False, False)
    assert not z.requires_grad and z.grad_fn is None


def test_inside_a_larger_graph_matches_the_same_graph_built_from_primitives():
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 4))
    xv = rng.uniform(-1, 1, (2, 3))

    def run(use_fn):
        w = Tensor(w0, requires_grad=True)
        x = Tensor(xv, requires_grad=True)
        h = x @ w
        e = ClippedExp.apply(h) if use_fn else h.exp()
        loss = (e * h.tanh()).sum() + e.mean()
        loss.backward()
        return loss.item(), w.grad.cpu().numpy(), x.grad.cpu().numpy()

    for a, b in zip(run(True), run(False)):
        assert_allclose(a, b, rtol=1e-12)


def test_same_function_applied_twice_keeps_separate_contexts():
    x = Tensor(np.array([0.3, -0.7]), requires_grad=True)
    y = ClippedExp.apply(ClippedExp.apply(x))
    y.sum().backward()
    e = np.exp(x.detach().cpu().numpy())
    assert_allclose(x.grad.cpu().numpy(), np.exp(e) * e)


def test_two_outputs_and_materialized_zero_gradients():
    x = Tensor(np.array([0.2, 1.1, -0.4]), requires_grad=True)
    s, c = SinCos.apply(x)
    assert s.grad_fn is c.grad_fn and s.grad_fn.name() == "SinCosBackward"
    SinCos.seen.clear()
    (s * 2).sum().backward()
    (gs, gc_), = SinCos.seen
    assert_allclose(gs.detach().cpu().numpy(), 2.0)
    assert_allclose(gc_.detach().cpu().numpy(), 0.0)  # the unused output: zeros by default
    assert_allclose(x.grad.cpu().numpy(), 2 * np.cos(x.detach().cpu().numpy()))
    assert ag.gradcheck(lambda t: SinCos.apply(t), (x,))
    assert ag.gradgradcheck(lambda t: SinCos.apply(t), (x,))


def test_set_materialize_grads_false_passes_none():
    got = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            got.append((g1, g2))
            return g1 * 2

    x = Tensor(np.ones(2), requires_grad=True)
    a, _ = Two.apply(x)
    a.sum().backward()
    assert got[0][1] is None
    assert_allclose(x.grad.cpu().numpy(), [2.0, 2.0])


def test_mark_non_differentiable_and_integer_outputs():
    class MaxAndMask(Function):
        @staticmethod
        def forward(ctx, x):
            m = x.max()
            mask = (x == m).astype("float64")
            idx = x.argmax()
            ctx.mark_non_differentiable(mask)
            ctx.save_for_backward(mask)
            return m, mask, idx

        @staticmethod
        def backward(ctx, gm, gmask, gidx):
            (mask,) = ctx.saved_tensors
            assert not gmask.detach().cpu().numpy().any() and not gidx.detach().cpu().numpy().any()
            return gm * mask

    x = Tensor(np.array([0.5, 3.0, -1.0]), requires_grad=True)
    m, mask, idx = MaxAndMask.apply(x)
    assert m.requires_grad and not mask.requires_grad and not idx.requires_grad
    assert mask.grad_fn is None and int(idx.item()) == 1
    m.backward()
    assert_allclose(x.grad.cpu().numpy(), [0.0, 1.0, 0.0])


def test_all_outputs_non_differentiable_records_nothing():
    class Mask(Function):
        @staticmethod
        def forward(ctx, x):
            out = (x > 0).astype("float64")
            ctx.mark_non_differentiable(out)
            return out

    y = Mask.apply(Tensor(np.array([-1.0, 2.0]), requires_grad=True))
    assert y.grad_fn is None and not y.requires_grad
    assert_allclose(y.detach().cpu().numpy(), [0.0, 1.0])


def test_returning_an_input_unchanged_gives_a_new_output_tensor():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 1.0

    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = Identity.apply(x)
    assert y is not x and x.is_leaf and y.grad_fn is not None
    (y * y).sum().backward()
    assert_allclose(x.grad.cpu().numpy(), [2.0, 4.0])
    with ag.no_grad():
        z = Identity.apply(x)
    assert z is not x and not z.requires_grad


def test_arrays_from_forward_become_tensors_and_scalars_work():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.detach()._array ** 2  # a NumPy scalar on the CPU, an array on a GPU

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = Tensor(1.5, requires_grad=True)
    y = Square.apply(x)
    assert isinstance(y, Tensor) and y.requires_grad
    y.backward()
    assert x.grad.item() == pytest.approx(3.0)


def test_backward_may_return_arrays_and_float32_is_kept():
    class Double(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return np.asarray(g.detach().cpu().numpy()) * 2  # float64 array for a float32 input

    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    Double.apply(x).sum().backward()
    assert x.grad.dtype == np.float32
    assert_allclose(x.grad.cpu().numpy(), 2.0)


def test_create_graph_records_the_backward():
    x = Tensor(np.array([0.5, -0.25]), requires_grad=True)
    (g,) = ag.grad(ClippedExp.apply(x).sum(), x, create_graph=True)
    assert g.requires_grad
    (gg,) = ag.grad(g.sum(), x)
    assert_allclose(gg.detach().cpu().numpy(), np.exp(x.detach().cpu().numpy()))  # d2/dx2 exp = exp, via the saved output


def test_node_names_follow_the_class_name():
    class HTTPThing(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1.0

    y = HTTPThing.apply(Tensor(np.ones(1), requires_grad=True))
    assert y.grad_fn.name() == "HTTPThingBackward"
    assert "ClippedExpBackward" in repr(ClippedExp.apply(Tensor(np.ones(1), requires_grad=True)))


def test_graph_is_freed_without_cycles_even_when_outputs_are_saved():
    gc.disable()
    try:
        x = Tensor(np.ones(3), requires_grad=True)
        y = ClippedExp.apply(x)
        ref = weakref.ref(y.grad_fn)
        del y
        assert ref() is None  # reference counting alone frees it
    finally:
        gc.enable()


# ------------------------------------------------------------------------------ error paths
def test_forward_must_be_defined():
    class NoForward(Function):
        pass

    with pytest.raises(NotImplementedError, match="NoForward must define a static forward"):
        NoForward.apply(Tensor(np.ones(2), requires_grad=True))


def test_backward_must_be_defined():
    class NoBackward(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    y = NoBackward.apply(Tensor(np.ones(2), requires_grad=True))
    with pytest.raises(NotImplementedError, match="NoBackward defines no backward"):
        y.sum().backward()


@pytest.mark.parametrize("bad", [(), [], "x", 3, (np.ones(2), "s")])
def test_forward_must_return_tensors(bad):
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return bad

    with pytest.raises(TypeError, match=r"Bad\.forward (must return a Tensor|returned an empty)"):
        Bad.apply(Tensor(np.ones(2), requires_grad=True))


@pytest.mark.parametrize("n", [1, 3])
def test_wrong_number_of_gradients(n):
    class Count(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return (g,) * n

    a = Tensor(np.ones(2), requires_grad=True)
    b = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(RuntimeError, match=rf"Count\.backward returned {n} gradients?, but forward "
                                           r"has 2 inputs"):
        Count.apply(a, b).sum().backward()


def test_extra_none_gradients_are_allowed():
    class Extra(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2, None, None

    a = Tensor(np.ones(2), requires_grad=True)
    Extra.apply(a).sum().backward()
    assert_allclose(a.grad.cpu().numpy(), 2.0)


@pytest.mark.parametrize("shape", [(3,), (4, 3), (2, 1), ()])
def test_wrong_gradient_shape(shape):
    class Shape(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return Tensor(np.ones(shape))

    a = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Shape\.backward returned a gradient of shape .* for "
                                           r"input 0, which has shape \(2,\)"):
        Shape.apply(a).sum().backward()


def test_gradient_in_a_broadcast_shape_is_summed_back():
    class Wide(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 5

        @staticmethod
        def backward(ctx, g):
            return Tensor(np.ones((5, 2)))  # as if a had been broadcast to (5, 2)

    a = Tensor(np.ones(2), requires_grad=True)
    Wide.apply(a).sum().backward()
    assert_allclose(a.grad.cpu().numpy(), [5.0, 5.0])


@pytest.mark.parametrize("bad", ["grad", [1.0, 2.0], object(), True])
def test_wrong_gradient_type(bad):
    class Typed(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return bad

    a = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(TypeError, match=r"Typed\.backward returned a .* gradient of input 0"):
        Typed.apply(a).sum().backward()


def test_non_numeric_gradient_dtype():
    class BoolGrad(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g > 0

    with pytest.raises(TypeError, match=r"BoolGrad\.backward returned a gradient of dtype bool"):
        BoolGrad.apply(Tensor(np.ones(2), requires_grad=True)).sum().backward()


def test_save_for_backward_accepts_only_tensors():
    class SaveArray(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a, np.ones(2))
            return a * 2

    with pytest.raises(TypeError, match=r"SaveArray\.forward: save_for_backward can only save "
                                        r"Tensors.*ndarray at position 1"):
        SaveArray.apply(Tensor(np.ones(2), requires_grad=True))


def test_mark_non_differentiable_accepts_only_tensors():
    class MarkArray(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.mark_non_differentiable(np.ones(2))
            return a * 2

    with pytest.raises(TypeError, match="mark_non_differentiable expects output Tensors"):
        MarkArray.apply(Tensor(np.ones(2), requires_grad=True))


def test_tensor_keyword_arguments_needing_grad_are_refused():
    class Kw(Function):
        @staticmethod
        def forward(ctx, a, w=None):
            return a * w

    a = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(TypeError, match=r"Kw\.apply: keyword argument 'w' is a Tensor that "
                                        "requires grad"):
        Kw.apply(a, w=Tensor(np.ones(2), requires_grad=True))
    y = Kw.apply(a, w=Tensor(np.full(2, 3.0)))  # a constant Tensor is a fine setting
    assert_allclose(y.detach().cpu().numpy(), 3.0)


def test_modified_saved_input_is_detected():
    x = Tensor(np.array([0.1, 0.2]), requires_grad=True)
    h = x * 2
    y = ClippedExp.apply(h)
    h.mul_(3.0)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*saved tensor 0 "
                                           r"of ClippedExpBackward, is at version 1; expected "
                                           r"version 0"):
        y.sum().backward()


def test_modified_saved_output_is_detected():
    x = Tensor(np.array([0.1, 0.2]), requires_grad=True)
    y = ClippedExp.apply(x)
    y.add_(1.0)
    with pytest.raises(RuntimeError, match=r"saved tensor 1 of ClippedExpBackward, is at "
                                           r"version 1; expected version 0"):
        y.sum().backward()


def test_modified_unsaved_input_is_fine():
    class Lin(Function):
        @staticmethod
        def forward(ctx, a, c):
            return a * 2 + c

        @staticmethod
        def backward(ctx, g):
            return g * 2, g

    x = Tensor(np.array([0.1, 0.2]), requires_grad=True)
    c = Tensor(np.array([1.0, 1.0]))
    y = Lin.apply(x, c)
    c.add_(5.0)  # not saved: backward does not read it
    y.sum().backward()
    assert_allclose(x.grad.cpu().numpy(), 2.0)


def test_modified_unsaved_nonleaf_input_keeps_routing_to_the_version_it_saw():
    class Double(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = Tensor(np.array([0.1, 0.2]), requires_grad=True)
    h = x * 1.0
    y = Double.apply(h)
    h.mul_(5.0)  # later history of h: not part of y's
    y.sum().backward()
    assert_allclose(x.grad.cpu().numpy(), 2.0)


def test_second_backward_without_retain_graph_raises():
    x = Tensor(np.array([0.1, 0.2]), requires_grad=True)
    y = ClippedExp.apply(x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()
