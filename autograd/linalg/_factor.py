"""Factorizations: ``cholesky``, ``qr``, ``eigh``/``eigvalsh``, ``svd``/``svdvals``, ``pinv``.

Gradient rules for real matrices, derived from the differentials of the factorizations
(``F`` below has zeros on its diagonal):

* ``cholesky`` (``A = L L^T``): ``dL = L Phi(L^-1 dA L^-T)`` where ``Phi`` keeps the lower
  triangle and halves the diagonal, so ``gA = sym(L^-T Phi(L^T gL) L^-1)`` (symmetrized, as
  PyTorch: only symmetric ``A`` are meaningful inputs).
* ``eigh`` (``A = V diag(w) V^T``): ``gA = V (diag(gw) + F o (V^T gV)) V^T`` with
  ``F_ij = 1 / (w_j - w_i)``, then symmetrized.
* ``svd`` (``A = U diag(S) V^T``, reduced, ``k = min(m, n)``)::

      gA = U [diag(gS) + (F o (U^T gU - gU^T U)) S + S (F o (V^T gV - gV^T V))] V^T
           + (I - U U^T) gU S^-1 V^T + U S^-1 gV^T (I - V V^T)

  with ``F_ij = 1 / (s_j^2 - s_i^2)``.
* ``qr`` (``m >= n``): with ``M = R gR^T - gQ^T Q``,
  ``gA = (gQ + Q copyltu(M)) R^-T`` (``copyltu`` mirrors the lower triangle to the upper);
  wide inputs split ``A = [X | Y]`` and reuse the square rule.
* ``pinv`` (constant rank): ``gA = -P^T g P^T + (I - A P) g^T P P^T + P^T P g^T (I - P A)``.

Where the factors are not unique the gradients do not exist: ``eigh`` with repeated eigenvalues
and ``svd`` with repeated (or, for non-square inputs, zero) singular values give inf/nan
gradients when the eigenvectors / singular vectors are used (as PyTorch).  Functions of the
values alone (``eigvalsh``, ``svdvals``, ``matrix_norm(ord=2)``) stay finite there.  Eigen- and
singular vectors are defined up to sign: differentiate sign-invariant functions of them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..backend import xp
from ..primitive import Primitive
from ._common import LinAlgError, T, check_matrix, data, guarded, module, quiet
from ._inverse import _inv, _solve


def _sym(a: Any) -> Any:
    return 0.5 * (a + T(a))


def _tril(a: Any, k: int = 0) -> Any:
    return tril.raw(a, k=k)


def _eye(n: int, like: Any) -> Any:
    return module(like).eye(n, dtype=data(like).dtype)


# ---------------------------------------------------------------------------------- cholesky
@guarded("linalg.cholesky", "the factorization could not be completed because the input is not "
         "positive-definite")
def _cholesky_fwd(a: Any) -> Any:
    return xp.linalg.cholesky(a)


def _dcholesky(g: Any, out: Any, a: Any) -> Any:
    n = out.shape[-1]
    linv = _inv.raw(out)
    m = T(out) @ g
    phi = _tril(m) - 0.5 * (m * _eye(n, out))
    return _sym(T(linv) @ phi @ linv)


_cholesky = Primitive("linalg_cholesky", _cholesky_fwd, (_dcholesky,), save_out=True)


def cholesky(A: Any, *, upper: bool = False) -> Any:
    """Cholesky factor ``L`` (lower triangular, ``A = L L^T``) of a symmetric positive-definite
    matrix or batch, as ``torch.linalg.cholesky``; ``upper=True`` returns ``L^T``.  Only the
    lower triangle of ``A`` is read.  Raises :class:`LinAlgError` if ``A`` is not
    positive-definite.

    >>> import autograd as ag
    >>> ag.linalg.cholesky(ag.tensor([[4.0, 2.0], [2.0, 2.0]]))
    tensor([[2., 0.],
            [1., 1.]])
    """
    check_matrix(A, "linalg.cholesky", square=True)
    L = _cholesky(A)
    return T(L) if upper else L


# --------------------------------------------------------------------------------------- eigh
class EighResult(NamedTuple):
    eigenvalues: Any
    eigenvectors: Any


def _eigh_fwd(a: Any, UPLO: str = "L") -> Any:
    w, v = xp.linalg.eigh(a, UPLO=UPLO)
    return w, v


@quiet
def _deigh(gs: Any, out: Any, a: Any, UPLO: str = "L") -> Any:
    gw, gv = gs
    w, v = _eigh.raw(a, UPLO=UPLO)  # multi-output primitives keep no outputs: recompute
    inner = 0.0
    if gw is not None:
        inner = gw[..., None, :] * _eye(w.shape[-1], w)
    if gv is not None:
        n = w.shape[-1]
        gap = w[..., None, :] - w[..., :, None]  # gap_ij = w_j - w_i
        eye = module(w).eye(n, dtype=bool)
        f = where.raw(eye, 0.0, 1.0 / where.raw(eye, 1.0, gap))
        inner = inner + f * (T(v) @ gv)
    return _sym(v @ inner @ T(v))


_eigh = Primitive("linalg_eigh", _eigh_fwd, (_deigh,), n_out=2)


def eigh(A: Any, UPLO: str = "L") -> EighResult:
    """Eigenvalues (ascending) and orthonormal eigenvectors (columns) of a symmetric matrix or
    batch, as ``torch.linalg.eigh``; only the ``UPLO`` ('L' or 'U') triangle is read.

    Gradients through the eigenvectors are inf/nan at repeated eigenvalues (they are not
    unique there), as in PyTorch; eigenvectors are defined up to sign.

    >>> import autograd as ag
    >>> ag.linalg.eigh(ag.tensor([[2.0, 0.0], [0.0, 1.0]])).eigenvalues
    tensor([1., 2.])
    """
    check_matrix(A, "linalg.eigh", square=True)
    if UPLO not in ("L", "U"):
        raise ValueError(f"linalg.eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    w, v = _eigh(A, UPLO=UPLO)
    return EighResult(w, v)


def eigvalsh(A: Any, UPLO: str = "L") -> Any:
    """Eigenvalues of a symmetric matrix (ascending), as ``torch.linalg.eigvalsh``; its
    gradient ``V diag(g) V^T`` is finite also at repeated eigenvalues."""
    return eigh(A, UPLO).eigenvalues


# ---------------------------------------------------------------------------------------- svd
class SVDResult(NamedTuple):
    U: Any
    S: Any
    Vh: Any


def _svd_fwd(a: Any, full_matrices: bool = True) -> Any:
    try:
        u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
    except np.linalg.LinAlgError as e:
        raise LinAlgError(f"linalg.svd: the SVD did not converge (NumPy: {e})") from None
    return u, s, vh


@quiet
def _dsvd(gs: Any, out: Any, a: Any, full_matrices: bool = True) -> Any:
    gu, gsv, gvh = gs
    u, s, vh = _svd.raw(a, full_matrices=False)
    m, n = a.shape[-2], a.shape[-1]
    k = min(m, n)
    v = T(vh)
    if gu is None and gvh is None:  # values only: no 1/(s_j^2 - s_i^2) terms, finite anywhere
        return (u * gsv[..., None, :]) @ vh
    if full_matrices:  # the extra columns/rows are arbitrary: only the first k ones count
        gu = None if gu is None else gu[..., :, :k]
        gvh = None if gvh is None else gvh[..., :k, :]
    s2 = s * s
    gap = s2[..., None, :] - s2[..., :, None]  # s_j^2 - s_i^2
    eye = module(s).eye(k, dtype=bool)
    f = where.raw(eye, 0.0, 1.0 / where.raw(eye, 1.0, gap))
    inner = 0.0 if gsv is None else gsv[..., None, :] * _eye(k, s)
    sinv = 1.0 / s
    extra = 0.0
    if gu is not None:
        ut_gu = T(u) @ gu
        inner = inner + (f * (ut_gu - T(ut_gu))) * s[..., None, :]
        if m > k:
            extra = extra + ((gu - u @ ut_gu) * sinv[..., None, :]) @ vh
    if gvh is not None:
        gv = T(gvh)
        vt_gv = vh @ gv
        inner = inner + s[..., :, None] * (f * (vt_gv - T(vt_gv)))
        if n > k:
            extra = extra + (u * sinv[..., None, :]) @ T(gv - v @ vt_gv)
    return u @ inner @ vh + extra


_svd = Primitive("linalg_svd", _svd_fwd, (_dsvd,), n_out=3)


def svd(A: Any, full_matrices: bool = True) -> SVDResult:
    """Singular value decomposition ``A = U diag(S) Vh`` of a matrix or batch, as
    ``torch.linalg.svd``: ``U`` is ``(*, m, m)`` (``(*, m, k)`` with ``full_matrices=False``,
    ``k = min(m, n)``), ``S`` descending, ``Vh`` ``(*, n, n)`` (or ``(*, k, n)``).

    Gradients: through ``S`` alone always finite.  Through ``U``/``Vh`` they are not defined at
    repeated singular values (and, for non-square ``A``, at zero ones): the result is inf/nan
    there, as in PyTorch.  With ``full_matrices=True`` the columns of ``U`` (rows of ``Vh``)
    beyond ``k`` are arbitrary and receive no gradient (PyTorch does the same).  Singular
    vectors are defined up to sign: differentiate sign-invariant functions of them.

    >>> import autograd as ag
    >>> ag.linalg.svd(ag.tensor([[3.0, 0.0], [0.0, -2.0]])).S
    tensor([3., 2.])
    """
    check_matrix(A, "linalg.svd")
    u, s, vh = _svd(A, full_matrices=bool(full_matrices))
    return SVDResult(u, s, vh)


def svdvals(A: Any) -> Any:
    """Singular values (descending), as ``torch.linalg.svdvals``; gradient ``U diag(g) Vh``."""
    check_matrix(A, "linalg.svdvals")
    return _svd(A, full_matrices=False)[1]


# ----------------------------------------------------------------------------------------- qr
class QRResult(NamedTuple):
    Q: Any
    R: Any


def _qr_fwd(a: Any, mode: str = "reduced") -> Any:
    q, r = xp.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
    return q, r


def _copyltu(m: Any) -> Any:
    low = _tril(m, -1)
    return low + T(low) + m * _eye(m.shape[-1], m)


def _qr_square_back(gq: Any, gr: Any, q: Any, r: Any) -> Any:
    """VJP of the reduced QR of an ``m x n`` matrix with ``m >= n`` (``R`` square)."""
    m = r @ T(gr) - T(gq) @ q
    b = gq + q @ _copyltu(m)
    return T(_solve.raw(r, T(b)))  # b R^-T


def _dqr(gs: Any, out: Any, a: Any, mode: str = "reduced") -> Any:
    if mode == "r":
        raise RuntimeError(
            "linalg.qr: the derivative of mode='r' is not implemented (it depends on Q, which "
            "that mode does not return); use mode='reduced'"
        )
    gq, gr = gs
    q, r = _qr.raw(a, mode="reduced")
    m, n = a.shape[-2], a.shape[-1]
    if mode == "complete" and m > n:
        raise RuntimeError(
            "linalg.qr: the derivative of mode='complete' is not defined for tall inputs (m > n): "
            "the extra columns of Q are arbitrary; use mode='reduced'"
        )
    if gq is None:
        gq = module(q).zeros(q.shape, dtype=data(q).dtype)
    if gr is None:
        gr = module(r).zeros(r.shape, dtype=data(r).dtype)
    if m >= n:
        return _qr_square_back(gq, gr, q, r)
    # wide: A = [X | Y], X square; R = [U | Q^T Y]
    y = a[..., :, m:]
    gu, gv = gr[..., :, :m], gr[..., :, m:]
    gx = _qr_square_back(gq + y @ T(gv), gu, q, r[..., :, :m])
    return _cat_prim(2).raw(gx, q @ gv, axis=len(a.shape) - 1)


_qr = Primitive("linalg_qr", _qr_fwd, (_dqr,), n_out=2)


def qr(A: Any, mode: str = "reduced") -> QRResult:
    """QR decomposition ``A = Q R`` (``Q`` orthonormal columns, ``R`` upper triangular), as
    ``torch.linalg.qr``: ``mode`` 'reduced' (default), 'complete' or 'r' (``Q`` empty).

    Differentiable for full-rank inputs (``R`` invertible); not for ``mode='r'`` or
    'complete' with ``m > n`` (backward raises RuntimeError there, as in PyTorch).  Signs
    follow LAPACK (may differ from PyTorch by column signs).
    """
    shape = check_matrix(A, "linalg.qr")
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"linalg.qr: mode must be 'reduced', 'complete' or 'r', got {mode!r}")
    if mode == "r":  # R only (Q empty, as PyTorch); backward through it raises
        r = _qr(A, mode="r")[1]
        empty = module(A).zeros(shape[:-2] + (0,), dtype=data(A).dtype)
        return QRResult(Tensor._make(empty, None, False), r)
    q, r = _qr(A, mode=mode)
    return QRResult(q, r)


# --------------------------------------------------------------------------------------- pinv
def _pinv_fwd(a: Any, atol: float | None = None, rtol: float | None = None,
              hermitian: bool = False) -> Any:
    m, n = a.shape[-2], a.shape[-1]
    if a.size == 0:
        return xp.zeros_like(a, shape=a.shape[:-2] + (n, m))
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else max(m, n) * np.finfo(a.dtype).eps
    if hermitian:  # eigendecomposition of the lower triangle: A = V diag(w) V^T
        w, v = xp.linalg.eigh(a)
        mag = xp.abs(w)
        cutoff = xp.maximum(atol or 0.0, rtol * mag.max(axis=-1, keepdims=True))
        keep = mag > cutoff
        winv = xp.where(keep, 1.0 / xp.where(keep, w, 1.0), 0.0).astype(a.dtype)
        return (v * winv[..., None, :]) @ T(v)
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    cutoff = xp.maximum(atol or 0.0, rtol * s[..., :1])
    keep = s > cutoff
    sinv = xp.where(keep, 1.0 / xp.where(keep, s, 1.0), 0.0).astype(a.dtype)
    return T(vh) @ (sinv[..., :, None] * T(u))


def _dpinv(g: Any, out: Any, a: Any, **params: Any) -> Any:
    p = out
    pt = T(p)
    m, n = a.shape[-2], a.shape[-1]
    im = _eye(m, a)
    in_ = _eye(n, a)
    gt = T(g)
    return -(pt @ g @ pt) + (im - a @ p) @ gt @ (p @ pt) + (pt @ p) @ gt @ (in_ - p @ a)


_pinv = Primitive("linalg_pinv", _pinv_fwd, (_dpinv,), save_out=True)


def pinv(A: Any, *, atol: float | None = None, rtol: float | None = None,
         hermitian: bool = False) -> Any:
    """Moore-Penrose pseudo-inverse of a matrix or batch, as ``torch.linalg.pinv``: singular
    values at or below ``max(atol, rtol * s_max)`` count as zero (default ``rtol``:
    ``max(m, n) * eps`` when ``atol`` is not given).  ``hermitian=True``: ``A`` is symmetric
    and only its lower triangle is read (an eigendecomposition instead of the SVD).  The gradient
    (constant-rank formula) is correct where small perturbations keep the rank.
    """
    check_matrix(A, "linalg.pinv", square=bool(hermitian))
    params: dict[str, Any] = {}
    if hermitian:
        params["hermitian"] = True
    if atol is not None:
        params["atol"] = float(atol)
    if rtol is not None:
        params["rtol"] = float(rtol)
    return _pinv(A, **params)


from ..ops.arithmetic import where  # noqa: E402
from ..ops.join import _cat_prim  # noqa: E402
from ..ops.structure import _tri  # noqa: E402
from ..tensor import Tensor  # noqa: E402

tril = _tri["tril"]
