"""autograd.functional: grad, value_and_grad, vjp, jvp, jacobian, hessian, hvp.

Every transform is checked against central differences (computed here on NumPy arrays) and against
closed forms, including the seed-002 product formula for the input Jacobian of a sigmoid MLP.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import Function, Tensor
from autograd import functional as F
from autograd.testing import assert_allclose, shapes, tensors

EPS = 1e-6


def values(shape, lo=-2.0, hi=2.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(lo, hi, allow_nan=False))


def numeric_jacobian(f, xs, j):
    """Central differences of every output of ``f`` (on arrays) w.r.t. ``xs[j]``:
    shape out.shape + xs[j].shape, one array per output when f returns a tuple."""
    xs = [np.array(x, dtype=np.float64) for x in xs]

    def ev(*a):
        with ag.no_grad():
            r = f(*[Tensor(v) for v in a])
        return [np.asarray(o.detach().cpu().numpy(), dtype=np.float64) for o in (r if isinstance(r, tuple) else (r,))]

    base = ev(*xs)
    cols = [np.zeros(o.shape + xs[j].shape) for o in base]
    for k in np.ndindex(*xs[j].shape):
        plus = [x.copy() for x in xs]
        minus = [x.copy() for x in xs]
        plus[j][k] += EPS
        minus[j][k] -= EPS
        for c, p, m in zip(cols, ev(*plus), ev(*minus)):
            c[(...,) + k] = (p - m) / (2 * EPS)
    return cols


def close(a, b, tol=1e-6):
    assert_allclose(np.asarray(a.detach().cpu().numpy() if isinstance(a, Tensor) else a), b,
                               rtol=tol, atol=tol)


def f_sinx(x):
    return (x.sin() * x).sum()


# ------------------------------------------------------------------------------------- grad
@given(tensors(max_dims=3, max_side=4, min_side=0, requires_grad=False))
def test_grad_matches_closed_form_and_central_differences(x):
    xv = x.detach().cpu().numpy()  # may be a non-contiguous view, or empty
    g = F.grad(f_sinx)(x)
    close(g, np.sin(xv) + xv * np.cos(xv), 1e-12)
    close(g, numeric_jacobian(f_sinx, [xv], 0)[0])
    assert isinstance(g, Tensor) and not g.requires_grad  # nothing outside: detached


def test_grad_accepts_arrays_floats_and_keeps_other_arguments_as_given():
    seen = {}

    def f(x, n, y, scale=1.0):
        seen["n"] = n
        return (x ** n * y).sum() * scale

    g = F.grad(f, argnums=(0, 2))(np.array([1.0, 2.0]), 3, 0.5, scale=2.0)
    assert seen["n"] == 3 and isinstance(g, tuple) and len(g) == 2
    close(g[0], 2.0 * 3 * np.array([1.0, 4.0]) * 0.5)
    close(g[1], 2.0 * 9.0)
    g_last = F.grad(f, argnums=-1)(Tensor(np.array([1.0, 2.0])), 3, 0.5)
    close(g_last, 9.0)


def test_value_and_grad_and_has_aux():
    def f(x):
        y = x * x
        return y.sum(), {"y": y, "n": 2}

    x = Tensor(np.array([1.0, -3.0]))
    (val, aux), g = F.value_and_grad(f, has_aux=True)(x)
    close(val, 10.0)
    close(aux["y"], [1.0, 9.0])
    assert aux["n"] == 2 and not aux["y"].requires_grad
    close(g, [2.0, -6.0])
    g2, aux2 = F.grad(f, has_aux=True)(x)
    close(g2, [2.0, -6.0])
    close(aux2["y"], [1.0, 9.0])
    val3, g3 = F.value_and_grad(lambda x: (x * x).sum())(x)
    close(val3, 10.0)
    close(g3, [2.0, -6.0])


def test_grad_of_a_function_that_ignores_its_input_is_zero():
    g = F.grad(lambda x, y: (y * 2.0).sum())(Tensor(np.ones(3)), Tensor(np.ones(2)))
    close(g, np.zeros(3))
    g2 = F.grad(lambda x: Tensor(5.0))(Tensor(np.ones(2)))
    close(g2, np.zeros(2))


def test_grad_leaves_inputs_untouched():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    F.grad(f_sinx)(x)
    assert x.grad is None and x.is_leaf


@given(st.floats(0.2, 3.0))
def test_nested_grad_gives_higher_derivatives(x0):
    f = lambda x: x ** 4 + x.sin()
    d1 = F.grad(f)
    d2 = F.grad(d1)
    d3 = F.grad(d2)
    x = Tensor(x0)
    close(d1(x), 4 * x0 ** 3 + np.cos(x0), 1e-10)
    close(d2(x), 12 * x0 ** 2 - np.sin(x0), 1e-10)
    close(d3(x), 24 * x0 - np.cos(x0), 1e-10)


def test_grad_result_is_differentiable_when_its_input_requires_grad():
    x = Tensor(np.array([0.3, -0.5, 1.2]), requires_grad=True)
    g = F.grad(f_sinx)(x)
    assert g.requires_grad
    g.sum().backward()
    h = 2 * np.cos(x.detach().cpu().numpy()) - x.detach().cpu().numpy() * np.sin(x.detach().cpu().numpy())  # d/dx of sin x + x cos x
    close(x.grad, h, 1e-12)
    assert ag.gradcheck(lambda t: F.grad(f_sinx)(t), (x,))


def test_grad_through_a_captured_tensor_that_requires_grad():
    w = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    xv = np.array([0.5, -1.0, 2.0])
    g = F.grad(lambda x: (w * x * x).sum())(Tensor(xv))
    close(g, 2 * w.detach().cpu().numpy() * xv)
    assert g.requires_grad  # depends on w
    g.sum().backward()
    close(w.grad, 2 * xv)


def test_create_graph_false_always_detaches_and_no_grad_still_works():
    x = Tensor(np.array([0.3, -0.5]), requires_grad=True)
    g = F.grad(f_sinx, create_graph=False)(x)
    assert not g.requires_grad
    with ag.no_grad():
        g2 = F.grad(f_sinx)(x)
        J = F.jacobian(lambda t: t.exp(), x)
    assert not g2.requires_grad and not J.requires_grad
    close(g2, g.detach().cpu().numpy())
    close(J, np.diag(np.exp(x.detach().cpu().numpy())))


# --------------------------------------------------------------------------------- vjp / jvp
@given(st.integers(1, 4), st.integers(1, 4), st.data())
def test_vjp_equals_cotangent_times_jacobian(n, m, data):
    A = data.draw(values((m, n)))
    xv = data.draw(values((n,)))
    ct = data.draw(values((m,)))
    f = lambda x: (Tensor(A) @ x).tanh()
    out, vjp_fn = F.vjp(f, xv)
    close(out, np.tanh(A @ xv), 1e-12)
    (g,) = vjp_fn(Tensor(ct))  # gradients are tensors (on the output's device)
    J = numeric_jacobian(f, [xv], 0)[0]
    close(g, ct @ J)
    close(g, ct @ (np.diag(1 - np.tanh(A @ xv) ** 2) @ A), 1e-12)
    (g_again,) = vjp_fn(Tensor(ct))  # callable again
    close(g_again, g.detach().cpu().numpy(), 1e-14)


def test_vjp_with_several_outputs_and_primals():
    a = np.array([1.0, 2.0])
    b = np.array([0.5, -1.0])
    out, vjp_fn = F.vjp(lambda a, b, c: (a * b, (a + b).sum()), a, b, np.ones(3))
    assert isinstance(out, tuple) and len(out) == 2
    ga, gb, gc = vjp_fn((Tensor(np.array([1.0, 10.0])), 2.0))
    close(ga, np.array([1.0, 10.0]) * b + 2.0)
    close(gb, np.array([1.0, 10.0]) * a + 2.0)
    close(gc, np.zeros(3))  # unused primal


def test_vjp_is_differentiable_in_the_cotangent():
    x = np.array([0.3, 0.7])
    _, vjp_fn = F.vjp(lambda t: t.exp(), x)
    u = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (g,) = vjp_fn(u)
    assert g.requires_grad
    g.sum().backward()
    close(u.grad, np.exp(x), 1e-12)


@given(st.integers(1, 4), st.data())
def test_jvp_equals_jacobian_times_tangent(n, data):
    xv = data.draw(values((n,)))
    yv = data.draw(values((2, n)))
    tx = data.draw(values((n,)))
    ty = data.draw(values((2, n)))

    def f(x, y):
        return (x * y).sigmoid(), (y.exp() * x).sum(axis=0)

    out, jout = F.jvp(f, (xv, yv), (Tensor(tx), Tensor(ty)))
    assert isinstance(out, tuple) and isinstance(jout, tuple)
    for k in range(2):
        Jx = numeric_jacobian(f, [xv, yv], 0)[k]
        Jy = numeric_jacobian(f, [xv, yv], 1)[k]
        expected = np.tensordot(Jx, tx, axes=tx.ndim) + np.tensordot(Jy, ty, axes=ty.ndim)
        close(jout[k], expected)
    s = 1 / (1 + np.exp(-xv * yv))
    close(jout[0], s * (1 - s) * (tx * yv + xv * ty), 1e-12)  # closed form


def test_jvp_single_input_and_output_and_errors():
    out, t = F.jvp(lambda x: x ** 3, Tensor(np.array([2.0])), Tensor(np.array([1.0])))
    close(out, [8.0])
    close(t, [12.0])
    with pytest.raises(ValueError, match=r"jvp: got 2 primals but 1 tangent"):
        F.jvp(lambda x, y: x * y, (np.ones(2), np.ones(2)), (np.ones(2),))
    with pytest.raises(ValueError, match=r"jvp: tangent 0 has shape \(3,\) but must have the "
                                         r"shape \(2,\) of the input"):
        F.jvp(lambda x: x, (np.ones(2),), (np.ones(3),))
    with pytest.raises(TypeError, match="jvp: pass at least one primal"):
        F.jvp(lambda: Tensor(1.0), (), ())


def test_jvp_of_constant_and_integer_outputs_is_zero():
    out, t = F.jvp(lambda x: (Tensor(np.ones(2)), x.argmax()), (np.array([1.0, 3.0]),),
                   (Tensor(np.array([1.0, 1.0])),))
    close(t[0], [0.0, 0.0])
    assert int(t[1].item()) == 0


def test_jvp_through_a_custom_function_with_a_tensor_backward():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * x * g

    xv = np.array([0.5, -1.5])
    _, t = F.jvp(Cube.apply, (xv,), (Tensor(np.array([2.0, 1.0])),))
    close(t, 3 * xv ** 2 * np.array([2.0, 1.0]), 1e-12)


# ------------------------------------------------------------------------------- jacobian
@given(shapes(max_dims=2, max_side=3), shapes(max_dims=2, max_side=3), st.data())
def test_jacobian_matches_central_differences(sx, sy, data):
    xv = data.draw(values(sx))
    yv = data.draw(values(sy))

    def f(x, y):
        return (x.reshape(-1)[:, None] * y.reshape(-1)[None, :]).tanh(), x.exp().sum() * y

    J = F.jacobian(f, Tensor(xv), Tensor(yv))
    assert isinstance(J, tuple) and len(J) == 2 and all(len(r) == 2 for r in J)
    for i in range(2):
        for j, v in enumerate((xv, yv)):
            num = numeric_jacobian(f, [xv, yv], j)[i]
            assert J[i][j].shape == num.shape
            close(J[i][j], num)


def test_jacobian_shapes_and_structure():
    x = Tensor(np.ones((2, 3)))
    assert F.jacobian(lambda t: t.sum(axis=0), x).shape == (3, 2, 3)
    assert F.jacobian(lambda t: t.sum(), x).shape == (2, 3)
    J1 = F.jacobian(lambda t: (t * 2,), x)
    assert isinstance(J1, tuple) and len(J1) == 1 and J1[0].shape == (2, 3, 2, 3)
    J2 = F.jacobian(lambda a, b: a @ b, x, np.ones((3, 4)))
    assert isinstance(J2, tuple) and [j.shape for j in J2] == [(2, 4, 2, 3), (2, 4, 3, 4)]
    empty = F.jacobian(lambda t: t * 2, np.ones((0, 2)))
    assert empty.shape == (0, 2, 0, 2)
    const = F.jacobian(lambda t: Tensor(np.ones(2)), np.ones(3))
    close(const, np.zeros((2, 3)))


def test_jacobian_of_an_affine_map_is_its_matrix():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((4, 3))
    b = rng.standard_normal(4)
    J = F.jacobian(lambda x: Tensor(A) @ x + Tensor(b), rng.standard_normal(3))
    close(J, A, 1e-14)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


@given(st.integers(1, 4), st.integers(1, 5), st.integers(1, 5), st.integers(1, 3), st.data())
def test_mlp_input_jacobian_equals_the_seed_002_product_formula(n_in, h1, h2, n_out, data):
    """Seed 002, Question 2: for y = sigma(W3 sigma(W2 sigma(W1 x + b1) + b2) + b3),
    dy/dx = diag(sigma'(z3)) W3 diag(sigma'(z2)) W2 diag(sigma'(z1)) W1, with
    z_l = W_l a_{l-1} + b_l and sigma'(z) = sigma(z) (1 - sigma(z)).
    (The seed writes sigma'(z^(n) + b); z already contains b, so it is sigma'(z^(n)).)"""
    W1, W2, W3 = (data.draw(values(s, -1.5, 1.5)) for s in ((h1, n_in), (h2, h1), (n_out, h2)))
    b1, b2, b3 = (data.draw(values((s,), -1.0, 1.0)) for s in (h1, h2, n_out))
    xv = data.draw(values((n_in,)))

    def mlp(x):
        a1 = (Tensor(W1) @ x + Tensor(b1)).sigmoid()
        a2 = (Tensor(W2) @ a1 + Tensor(b2)).sigmoid()
        return (Tensor(W3) @ a2 + Tensor(b3)).sigmoid()

    z1 = W1 @ xv + b1
    z2 = W2 @ _sigmoid(z1) + b2
    z3 = W3 @ _sigmoid(z2) + b3

    def dsig(z):
        return np.diag(_sigmoid(z) * (1 - _sigmoid(z)))

    formula = dsig(z3) @ W3 @ dsig(z2) @ W2 @ dsig(z1) @ W1
    J = F.jacobian(mlp, xv)
    assert J.shape == (n_out, n_in)
    close(J, formula, 1e-12)
    close(J, numeric_jacobian(mlp, [xv], 0)[0])
    # row-vector layout (a batch of inputs, x @ W^T): the per-sample block is the transpose
    # chain W1^T diag(sigma'(z1)) W2^T ... read from the other side, and samples don't mix
    X = np.stack([xv, -xv])

    def batched(x):
        a1 = (x @ Tensor(W1.T) + Tensor(b1)).sigmoid()
        a2 = (a1 @ Tensor(W2.T) + Tensor(b2)).sigmoid()
        return (a2 @ Tensor(W3.T) + Tensor(b3)).sigmoid()

    JB = F.jacobian(batched, X).detach().cpu().numpy()
    assert JB.shape == (2, n_out, 2, n_in)
    close(JB[0, :, 0, :], formula, 1e-12)
    close(JB[0, :, 1, :], np.zeros((n_out, n_in)), 0)
    Z1 = X[1] @ W1.T + b1
    Z2 = _sigmoid(Z1) @ W2.T + b2
    Z3 = _sigmoid(Z2) @ W3.T + b3
    rowform = W1.T @ dsig(Z1) @ W2.T @ dsig(Z2) @ W3.T @ dsig(Z3)  # (n_in, n_out) = J^T
    close(JB[1, :, 1, :].T, rowform, 1e-12)


def test_jacobian_with_create_graph_is_differentiable():
    x = Tensor(np.array([0.2, -0.4, 0.9]), requires_grad=True)
    f = lambda t: t.sin() * t.sum()
    J = F.jacobian(f, x, create_graph=True)
    assert J.requires_grad
    assert ag.gradcheck(lambda t: F.jacobian(f, t, create_graph=True), (x,))
    assert ag.gradcheck(lambda t: F.jacobian(f, t), (x,))  # auto: t requires grad
    assert not F.jacobian(f, x, create_graph=False).requires_grad


def test_jacobian_of_a_tensor_whose_graph_was_freed():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * 3
    h.sum().backward()  # h's history is released
    J = F.jacobian(lambda t: t * t, h)
    close(J, np.diag(2 * h.detach().cpu().numpy()))


# -------------------------------------------------------------------------- hessian / hvp
@given(st.integers(1, 4), st.data())
def test_hessian_of_a_quadratic_form_is_a_plus_a_transpose(n, data):
    A = data.draw(values((n, n)))
    xv = data.draw(values((n,)))
    H = F.hessian(lambda x: x @ (Tensor(A) @ x), xv)
    close(H, A + A.T, 1e-12)


@given(st.integers(1, 3), st.data())
def test_hessian_with_two_inputs_matches_central_differences_of_the_gradient(n, data):
    xv = data.draw(values((n,)))
    yv = data.draw(values((2,)))
    f = lambda x, y: (x.sin().sum() * y).sum() + (x * x).sum() * y[0] ** 2
    H = F.hessian(f, xv, yv)
    assert len(H) == 2 and all(len(r) == 2 for r in H)
    grads = F.grad(f, argnums=(0, 1))
    for i in range(2):
        for j, v in enumerate((xv, yv)):
            num = numeric_jacobian(lambda a, b: grads(a, b)[i], [xv, yv], j)[0]
            close(H[i][j], num)
    close(H[0][1], H[1][0].detach().cpu().numpy().T, 1e-12)  # symmetric
    xx = -np.sin(xv) * yv.sum() + 2 * yv[0] ** 2
    close(H[0][0], np.diag(xx), 1e-12)


def test_hessian_of_log_sum_exp_closed_form():
    xv = np.array([0.1, -0.3, 0.8, 0.0])
    H = F.hessian(lambda x: x.exp().sum().log(), xv)
    p = np.exp(xv) / np.exp(xv).sum()
    close(H, np.diag(p) - np.outer(p, p), 1e-12)


@given(st.integers(1, 4), st.data())
def test_hvp_equals_hessian_times_vector(n, data):
    xv = data.draw(values((n,)))
    vv = data.draw(values((n,)))
    f = lambda x: (x.tanh() * x).sum() + x.sum() ** 3
    value, hv = F.hvp(f, xv, Tensor(vv))
    close(value, np.sum(np.tanh(xv) * xv) + xv.sum() ** 3, 1e-12)
    close(hv, F.hessian(f, xv).detach().cpu().numpy() @ vv, 1e-10)
    num_h = numeric_jacobian(lambda x: F.grad(f)(x), [xv], 0)[0]
    close(hv, num_h @ vv, 1e-5)


def test_hvp_with_tuple_inputs_and_linear_functions():
    x, y = np.array([1.0, 2.0]), np.array([3.0])
    value, (hx, hy) = F.hvp(lambda a, b: (a * a).sum() * b.sum(), (x, y), (ag.ones(2), ag.ones(1)))
    close(value, 15.0)
    close(hx, 2 * 3.0 + 2 * x)  # d/da: 2 b v_a + 2 a v_b
    close(hy, [2 * x.sum()])
    _, lin = F.hvp(lambda a: (a * 2).sum(), x, ag.ones(2))
    close(lin, np.zeros(2))


# ----------------------------------------------------------------------------- error paths
def test_grad_requires_a_scalar_float_output():
    with pytest.raises(ValueError, match=r"grad.*f must return a scalar \(0-d\) Tensor, got "
                                         r"shape \(2,\)"):
        F.grad(lambda x: x * 2)(np.ones(2))
    with pytest.raises(TypeError, match=r"f must return a scalar Tensor, got a float"):
        F.grad(lambda x: 3.0)(np.ones(2))
    with pytest.raises(TypeError, match=r"with has_aux=True return \(output, aux\)"):
        F.grad(lambda x: (x.sum(), 1))(np.ones(2))
    with pytest.raises(TypeError, match=r"has_aux=True, f must return a pair.*length 3"):
        F.grad(lambda x: (x.sum(), 1, 2), has_aux=True)(np.ones(2))
    with pytest.raises(TypeError, match=r"dtype bool; expected floating"):
        F.grad(lambda x: (x > 0).all())(np.ones(2))


def test_argnums_errors():
    f = lambda x, y: (x * y).sum()
    with pytest.raises(TypeError, match=r"argnums must be an int or a non-empty tuple"):
        F.grad(f, argnums="0")
    with pytest.raises(TypeError, match=r"argnums must be an int"):
        F.grad(f, argnums=())
    with pytest.raises(TypeError, match=r"argnums=2 requires at least 3 positional arguments, "
                                        r"but f was called with 2"):
        F.grad(f, argnums=2)(np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match=r"name the same argument twice"):
        F.grad(f, argnums=(0, -2))(np.ones(2), np.ones(2))


def test_integer_and_unsupported_inputs_are_refused():
    with pytest.raises(TypeError, match=r"argument 0 has dtype int64; only floating inputs"):
        F.grad(lambda x: x.sum())(np.array([1, 2]))
    with pytest.raises(TypeError, match=r"jacobian: input 0 has dtype"):
        F.jacobian(lambda x: x, Tensor(np.array([1, 2])))
    with pytest.raises(TypeError, match=r"vjp: primal 0 is a str"):
        F.vjp(lambda x: x, "abc")


def test_outputs_must_be_tensors():
    with pytest.raises(TypeError, match=r"jacobian: f's result is a ndarray"):
        F.jacobian(lambda x: np.ones(2), np.ones(2))
    with pytest.raises(TypeError, match=r"vjp: output 1 of f is a int"):
        F.vjp(lambda x: (x, 1), np.ones(2))
    with pytest.raises(TypeError, match=r"jvp: f returned an empty tuple"):
        F.jvp(lambda x: (), (np.ones(2),), (ag.ones(2),))


def test_missing_inputs():
    for fn in (F.jacobian, F.hessian, F.vjp):
        with pytest.raises(TypeError, match="pass at least one"):
            fn(lambda: Tensor(1.0))


def test_vjp_fn_cotangent_errors():
    _, vjp_fn = F.vjp(lambda x: (x, x * 2), np.ones(2))
    with pytest.raises(ValueError, match=r"vjp_fn: f has 2 outputs \(a tuple\); pass one "
                                         r"cotangent per output.*got a single value"):
        vjp_fn(ag.ones(2))
    with pytest.raises(ValueError, match=r"got 3"):
        vjp_fn((ag.ones(2),) * 3)
    with pytest.raises(ValueError, match=r"cotangent 1 has shape \(3,\) but must have the shape "
                                         r"\(2,\) of the output"):
        vjp_fn((ag.ones(2), ag.ones(3)))
    with pytest.raises(TypeError, match=r"cotangent 0 is a str"):
        vjp_fn(("a", ag.ones(2)))


def test_hvp_and_hessian_errors():
    with pytest.raises(ValueError, match=r"hvp: x has 2 inputs but v has 1"):
        F.hvp(lambda a, b: (a * b).sum(), (np.ones(2), np.ones(2)), (ag.ones(2),))
    with pytest.raises(ValueError, match=r"hvp: direction 0 has shape \(3,\)"):
        F.hvp(lambda a: (a * a).sum(), np.ones(2), ag.ones(3))
    with pytest.raises(ValueError, match=r"hvp: f must return a scalar"):
        F.hvp(lambda a: a * a, np.ones(2), ag.ones(2))
    with pytest.raises(ValueError, match=r"hessian\(.*\).*f must return a scalar"):
        F.hessian(lambda a: a * a, np.ones(2))
