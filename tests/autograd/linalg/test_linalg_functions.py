"""autograd.linalg: every function's values and gradients vs PyTorch, gradients by central
differences and second derivatives on drawn batch shapes (broadcast batches, empty batches,
non-contiguous matrices), documented behaviour where gradients do not exist, clear errors."""

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import Tensor
from autograd.linalg import LinAlgError
from autograd.testing import value_checks

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _opcheck import check_grads, torch_agrees  # noqa: E402

from autograd.testing import assert_allclose, assert_array_equal

torch = pytest.importorskip("torch")
LA = ag.linalg
BATCH = st.lists(st.integers(0, 2), max_size=2).map(tuple)


@st.composite
def matrices(draw, m=None, n=None, kind="general", batch=BATCH):
    """A (batch of) matrices from a drawn seed: generic values (distinct singular values and
    eigenvalues), well conditioned for 'invertible'/'spd'; C-ordered or transposed views."""
    b = draw(batch)
    m = draw(st.integers(1, 3)) if m is None else m
    n = m if kind != "general" else (draw(st.integers(1, 3)) if n is None else n)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a = rng.standard_normal(b + (m, n))
    if kind == "invertible":
        a = a + 3 * m * np.eye(m) * np.sign(rng.standard_normal(b + (1, 1)) + 0.1)
    elif kind == "spd":
        a = a @ np.swapaxes(a, -1, -2) + m * np.eye(m)
    elif kind == "symmetric":
        a = a + np.swapaxes(a, -1, -2)
    if draw(st.booleans()):
        a = np.ascontiguousarray(np.swapaxes(a, -1, -2)).swapaxes(-1, -2)  # non-C layout
    return a


def _sym(t):
    return (t + t.mT) / 2


@given(matrices(kind="invertible"))
def test_inv_det_slogdet(a):
    for fa, ft in ((LA.inv, torch.linalg.inv), (LA.det, torch.linalg.det),
                   (lambda t: LA.slogdet(t).logabsdet, lambda t: torch.linalg.slogdet(t)[1])):
        check_grads(fa, a)
        torch_agrees(fa, ft, a, atol=1e-9)
    torch_agrees(lambda t: tuple(LA.slogdet(t)), lambda t: tuple(torch.linalg.slogdet(t)), a)


@given(matrices(kind="invertible", batch=st.just((2,))), st.data())
def test_solve_broadcast_vectors_and_left(a, data):
    n = a.shape[-1]
    k = data.draw(st.integers(1, 2))
    rng = np.random.default_rng(0)
    for b in (rng.standard_normal((n,)), rng.standard_normal((2, n)),
              rng.standard_normal((3, 1, n, k)), rng.standard_normal((n, k))):
        check_grads(LA.solve, a, b)
        torch_agrees(LA.solve, torch.linalg.solve, a, b, atol=1e-9)
    bl = rng.standard_normal((3, n))  # (2, n) would be the ambiguous vector case
    torch_agrees(lambda x, y: LA.solve(x, y, left=False),
                 lambda x, y: torch.linalg.solve(x, y, left=False), a, bl, atol=1e-9)


@given(matrices(kind="spd"), st.booleans())
def test_cholesky(a, upper):
    check_grads(lambda t: LA.cholesky(_sym(t), upper=upper), a)
    torch_agrees(lambda t: LA.cholesky(t, upper=upper),
                 lambda t: torch.linalg.cholesky(t, upper=upper), a, atol=1e-9)


@given(matrices(kind="symmetric"))
def test_eigh_values_and_sign_invariant_vectors(a):
    check_grads(lambda t: LA.eigh(_sym(t)).eigenvalues, a)
    check_grads(lambda t: LA.eigh(_sym(t)).eigenvectors ** 2, a)
    torch_agrees(lambda t: LA.eigvalsh(t), lambda t: torch.linalg.eigvalsh(t), a, atol=1e-9)
    torch_agrees(lambda t: LA.eigh(t).eigenvectors ** 2,
                 lambda t: torch.linalg.eigh(t).eigenvectors ** 2, a, atol=1e-8)


def _sign_free(u, vh, k):
    """U_ij * (sum of row j of Vh): each singular pair's sign flip cancels."""
    return u[..., :, :k] * vh[..., :k, :].sum(axis=-1)[..., None, :]


def _sign_free_t(u, vh, k):
    return u[..., :, :k] * vh[..., :k, :].sum(dim=-1)[..., None, :]


@given(matrices(), st.booleans())
def test_svd(a, full):
    k = min(a.shape[-2:])
    check_grads(lambda t: LA.svd(t, full_matrices=full).S, a)
    check_grads(lambda t: _sign_free(*LA.svd(t, full_matrices=full)[::2], k), a)
    torch_agrees(lambda t: LA.svdvals(t), lambda t: torch.linalg.svdvals(t), a, atol=1e-9)
    torch_agrees(lambda t: _sign_free(*LA.svd(t, full_matrices=full)[::2], k),
                 lambda t: _sign_free_t(*torch.linalg.svd(t, full_matrices=full)[::2], k),
                 a, atol=1e-8)


@given(matrices())
def test_qr_and_pinv(a):
    def qr_sign_free(t):  # column j of Q and row j of R flip together
        q, r = LA.qr(t)
        return q * q, r * r, q * r.diagonal(dim1=-2, dim2=-1)[..., None, :]

    check_grads(lambda t: LA.qr(t).Q @ LA.qr(t).R, a)
    check_grads(qr_sign_free, a)
    torch_agrees(lambda t: LA.qr(t).R.abs(), lambda t: torch.linalg.qr(t).R.abs(), a, atol=1e-9)
    torch_agrees(lambda t: LA.qr(t).Q * LA.qr(t).R.diagonal(dim1=-2, dim2=-1)[..., None, :],
                 lambda t: torch.linalg.qr(t).Q * torch.linalg.qr(t).R.diagonal(
                     dim1=-2, dim2=-1)[..., None, :], a, atol=1e-9)
    check_grads(LA.pinv, a)
    torch_agrees(LA.pinv, torch.linalg.pinv, a, atol=1e-9)


@given(matrices(batch=st.just(())), st.sampled_from(["fro", "nuc", 2, -2, 1, -1, np.inf,
                                                     -np.inf]), st.booleans())
def test_matrix_norm(a, ord, keepdim):
    check_grads(lambda t: LA.matrix_norm(t, ord, keepdim=keepdim), a)
    torch_agrees(lambda t: LA.matrix_norm(t, ord, keepdim=keepdim),
                 lambda t: torch.linalg.matrix_norm(t, ord, keepdim=keepdim), a, atol=1e-9)
    torch_agrees(lambda t: LA.norm(t, ord), lambda t: torch.linalg.norm(t, ord), a, atol=1e-9)


@given(matrices(batch=st.sampled_from([(), (2,)])), st.sampled_from([2, 1, 3, 0.5, -1, np.inf,
                                                                      -np.inf, 0]), st.data())
def test_vector_norm(a, ord, data):
    dim = data.draw(st.sampled_from([None, -1, (0, -1)]))
    keepdim = data.draw(st.booleans())
    check_grads(lambda t: LA.vector_norm(t, ord, dim, keepdim), a)
    torch_agrees(lambda t: LA.vector_norm(t, ord, dim, keepdim),
                 lambda t: torch.linalg.vector_norm(t, ord, dim, keepdim), a, atol=1e-9)
    if dim is not None and not isinstance(dim, tuple):
        torch_agrees(lambda t: LA.norm(t, ord, dim), lambda t: torch.linalg.norm(t, ord, dim), a,
                     atol=1e-9)


@given(matrices(kind="invertible"), st.integers(-3, 4))
def test_matrix_power(a, n):
    check_grads(lambda t: LA.matrix_power(t, n), a)
    torch_agrees(lambda t: LA.matrix_power(t, n), lambda t: torch.linalg.matrix_power(t, n), a,
                 atol=1e-8)


def test_singular_and_not_positive_definite_inputs_raise_naming_the_op():
    s = Tensor(np.array([[1.0, 2.0], [2.0, 4.0]]))
    # (on a GPU these are checked in anomaly mode only: docs/differences.md)
    with value_checks(), pytest.raises(LinAlgError, match="linalg.inv: the input matrix is "
                                                          "singular"):
        LA.inv(s)
    with value_checks(), pytest.raises(RuntimeError, match="linalg.solve: the input matrix is "
                                                           "singular"):
        LA.solve(s, Tensor(np.ones(2)))
    with value_checks(), pytest.raises(LinAlgError, match="linalg.cholesky: .*not "
                                                          "positive-definite"):
        LA.cholesky(Tensor(-np.eye(2)))
    with pytest.raises(ValueError, match="linalg.det: A must be batches of square matrices"):
        LA.det(Tensor(np.ones((2, 3))))
    with pytest.raises(TypeError, match="linalg.inv: expected a floating point"):
        LA.inv(Tensor(np.eye(2, dtype=np.int64)))
    with pytest.raises(ValueError, match="linalg.eigh: the input must have at least 2"):
        LA.eigh(Tensor(np.ones(3)))


def test_det_gradient_at_a_singular_matrix_is_the_cofactor_matrix():
    # det is a polynomial: its gradient is the cofactor matrix, also where det = 0.  (PyTorch
    # 2.x returns zeros when det is exactly 0; we return the exact cofactors, as central
    # differences confirm.)
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 5.0]])
    x = Tensor(a, requires_grad=True)
    LA.det(x).backward()
    assert_allclose(x.grad.data, [[14.0, -10.0, 2.0], [-7.0, 5.0, -1.0], [0, 0, 0]],
                               atol=1e-12)
    check_grads(LA.det, a, second=False)
    z = Tensor(np.zeros((2, 2)), requires_grad=True)  # rank 0: the cofactor matrix is zero
    LA.det(z).backward()
    assert_array_equal(z.grad.data, np.zeros((2, 2)))
    with value_checks(), pytest.raises(LinAlgError, match="linalg.det: higher-order "
                                                          "derivatives at a singular"):
        ag.grad(LA.det(z), z, create_graph=True)


def test_repeated_eigenvalues_and_singular_values_documented_behaviour():
    # values alone: finite gradients; vectors: not defined (nan/inf), as in PyTorch
    a = Tensor(np.eye(3), requires_grad=True)
    LA.eigvalsh(a).sum().backward()
    assert_allclose(a.grad.data, np.eye(3))
    a = Tensor(np.eye(3), requires_grad=True)
    LA.svdvals(a).sum().backward()
    assert_allclose(a.grad.data, np.eye(3))
    a = Tensor(np.eye(3), requires_grad=True)
    (LA.eigh(a).eigenvectors ** 2).sum().backward()  # the gradient is not defined here
    assert not np.all(np.isfinite(a.grad.cpu().numpy()))
    a = Tensor(np.diag([2.0, 2.0, 1.0]), requires_grad=True)
    u = LA.svd(a).U
    (u * Tensor(np.arange(9.0).reshape(3, 3))).sum().backward()
    assert not np.all(np.isfinite(a.grad.cpu().numpy()))


def test_empty_batches_and_qr_limits():
    e = Tensor(np.zeros((0, 2, 2)), requires_grad=True)
    LA.inv(e + Tensor(np.eye(2))).sum().backward()
    assert e.grad.shape == (0, 2, 2)
    t = Tensor(np.random.default_rng(0).standard_normal((3, 2)), requires_grad=True)
    q, r = LA.qr(t, mode="r")
    assert q.shape == (0,) and r.shape == (2, 2)
    with pytest.raises(RuntimeError, match="linalg.qr: the derivative of mode='r'"):
        r.sum().backward()
    q, r = LA.qr(t, mode="complete")
    with pytest.raises(RuntimeError, match="mode='complete' is not defined for tall"):
        q.sum().backward()


@pytest.mark.parametrize("fn", [LA.inv, LA.det, lambda t: LA.eigh(t).eigenvalues,
                                lambda t: LA.svd(t).S, lambda t: LA.qr(t).R, LA.pinv,
                                LA.cholesky, lambda t: LA.matrix_norm(t, "nuc")])
def test_float32_stays_float32(fn):
    a = (np.eye(3) * 3 + 0.1 * np.arange(9.0).reshape(3, 3)).astype(np.float32)
    a = (a + a.T) / 2
    x = Tensor(a, requires_grad=True)
    y = fn(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32 and np.all(np.isfinite(x.grad.cpu().numpy()))


def test_negative_order_vector_norm_at_zero_has_zero_gradient_like_torch():
    a = np.array([[0.0, 2.0, 1.0], [1.0, 2.0, 4.0]])
    torch_agrees(lambda t: LA.vector_norm(t, -0.5, dim=1), lambda t: torch.linalg.vector_norm(
        t, -0.5, dim=1), a)
    x = Tensor(a, requires_grad=True)
    LA.vector_norm(x, -1, dim=1)[0].backward()
    assert_array_equal(x.grad.data[0], [0.0, 0.0, 0.0])


def test_pinv_hermitian_reads_the_lower_triangle_like_torch():
    a = np.array([[2.0, 9.0], [1.0, 3.0]])  # only [[2, 1], [1, 3]] is read
    torch_agrees(lambda t: LA.pinv(t, hermitian=True),
                 lambda t: torch.linalg.pinv(t, hermitian=True), a, atol=1e-9)


def test_matrix_power_zero_is_the_identity_with_zero_gradient_like_torch():
    a = np.array([[np.nan, 1.0], [2.0, 3.0]])
    x = Tensor(a, requires_grad=True)
    p = LA.matrix_power(x, 0)
    assert_array_equal(p.data, np.eye(2))
    assert p.requires_grad
    p.sum().backward()
    assert_array_equal(x.grad.data, np.zeros((2, 2)))
