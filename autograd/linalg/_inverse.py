"""Inverses and determinants: ``inv``, ``solve``, ``det``, ``slogdet``, ``matrix_power``.

Gradient rules (real matrices; derived from ``d(A^-1) = -A^-1 dA A^-1``):

* ``inv``:   ``gA = -X^T g X^T`` with ``X = A^-1``.
* ``solve``: ``X = A^-1 B``; ``gB = A^-T g`` and ``gA = -gB X^T``.
* ``det``:   ``gA = g * cof(A)`` (the cofactor matrix, ``det(A) A^-T`` when ``A`` is
  invertible).  At singular ``A`` the cofactors come from the SVD, so the first derivative is
  exact there too; second derivatives go through ``A^-T`` and need an invertible ``A``.
* ``slogdet``: ``g_logabsdet * A^-T``; the sign has no gradient.

Batch dimensions broadcast as in PyTorch (the walker sums gradients back to each input's shape).
"""

from __future__ import annotations

import operator
from typing import Any, NamedTuple

from ..backend import xp
from ..devices import is_array, is_device_array
from ..primitive import Primitive
from ._common import LinAlgError, T, check_matrix, data, guarded, module

_SINGULAR = "the input matrix is singular (not invertible)"


@guarded("linalg.inv", _SINGULAR)
def _inv_fwd(a: Any) -> Any:
    return xp.linalg.inv(a)


def _dinv(g: Any, out: Any, a: Any) -> Any:
    return -(T(out) @ g @ T(out))


_inv = Primitive("linalg_inv", _inv_fwd, (_dinv,), save_out=True)


def inv(A: Any) -> Any:
    """Inverse of a square matrix (or of each matrix of a batch ``(*, n, n)``), as
    ``torch.linalg.inv``.  Raises :class:`LinAlgError` (a RuntimeError) for a singular matrix,
    ValueError for a non-square one, TypeError for integer input.

    >>> import autograd as ag
    >>> ag.linalg.inv(ag.tensor([[2.0, 0.0], [0.0, 4.0]]))
    tensor([[0.5 , 0.  ],
            [0.  , 0.25]])
    """
    check_matrix(A, "linalg.inv", square=True)
    return _inv(A)


@guarded("linalg.solve", _SINGULAR)
def _solve_fwd(a: Any, b: Any) -> Any:
    if is_device_array(a) and a.shape[:-2] != b.shape[:-2]:
        # CuPy's solve does not broadcast batch dimensions (NumPy's does): broadcast them here
        batch = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        a = xp.broadcast_to(a, batch + a.shape[-2:])
        b = xp.broadcast_to(b, batch + b.shape[-2:])
    return xp.linalg.solve(a, b)


def _dsolve_b(g: Any, out: Any, a: Any, b: Any) -> Any:
    return _solve.raw(T(a), g)


def _dsolve_a(g: Any, out: Any, a: Any, b: Any) -> Any:
    return -(_solve.raw(T(a), g) @ T(out))


_solve = Primitive("linalg_solve", _solve_fwd, (_dsolve_a, _dsolve_b), save_out=True)


def solve(A: Any, B: Any, *, left: bool = True) -> Any:
    """Solve ``A X = B`` (``left=False``: ``X A = B``) for square ``A``, as
    ``torch.linalg.solve``.

    ``B`` of shape ``(*, n)`` equal to ``A.shape[:-1]`` (or 1-D) is a (batch of) vector(s);
    otherwise ``(*, n, k)``.  Batch dimensions broadcast.  Raises :class:`LinAlgError` for a
    singular ``A``.

    >>> import autograd as ag
    >>> ag.linalg.solve(ag.tensor([[2.0, 0.0], [0.0, 4.0]]), ag.tensor([2.0, 2.0]))
    tensor([1. , 0.5])
    """
    shape = check_matrix(A, "linalg.solve", square=True)
    b = data(B)
    if b.dtype.kind != "f":
        raise TypeError(f"linalg.solve: B must be floating point, got dtype {b.dtype}")
    vector = b.ndim == 1 or tuple(b.shape) == shape[:-1]
    if not left:
        if vector:
            raise ValueError("linalg.solve: left=False needs B as a matrix (*, k, n)")
        return T(_solve(T(A), T(B)))
    if vector:
        if b.shape[-1] != shape[-1]:
            raise ValueError(
                f"linalg.solve: B of shape {b.shape} does not match A of shape {shape}"
            )
        return _solve(A, B[..., None])[..., 0]
    if b.ndim < 2 or b.shape[-2] != shape[-1]:
        raise ValueError(
            f"linalg.solve: B of shape {b.shape} does not match A of shape {shape}: expected "
            f"(*, {shape[-1]}) or (*, {shape[-1]}, k)"
        )
    return _solve(A, B)


# ----------------------------------------------------------------------------- determinants
def _cofactor_svd(a: Any) -> Any:
    """Cofactor matrix of (a batch of) arrays through the SVD: exact for singular matrices.

    ``cof(A) = det(U) det(V) * U diag(prod_{j != i} s_j) V^T``.
    """
    u, s, vt = xp.linalg.svd(a)
    n = s.shape[-1]
    ones = xp.ones_like(s, shape=s.shape[:-1] + (1,))
    left = xp.cumprod(xp.concatenate([ones, s[..., :-1]], axis=-1), axis=-1)
    right = xp.cumprod(xp.concatenate([ones, s[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    others = left * right if n else s
    sign = xp.linalg.det(u) * xp.linalg.det(vt)
    return sign[..., None, None] * (u * others[..., None, :]) @ vt


def _ddet(g: Any, out: Any, a: Any) -> Any:
    if is_array(a):
        # on a GPU always through the SVD (exact everywhere): choosing the cheaper inverse
        # form for nonsingular matrices would read a flag back to the host (a sync)
        if is_device_array(a) or not xp.all(out != 0):
            cof = _cofactor_svd(a)
        else:
            cof = out[..., None, None] * T(_inv.raw(a))
        return g[..., None, None] * cof
    # recorded (create_graph): through A^-T, so invertible matrices only
    try:
        ainv = _inv.raw(a)
    except LinAlgError:
        raise LinAlgError(
            "linalg.det: higher-order derivatives at a singular matrix are not supported (the "
            "recorded gradient goes through the inverse); first derivatives are exact there"
        ) from None
    return (g * out)[..., None, None] * T(ainv)


_det = Primitive("linalg_det", lambda a: xp.linalg.det(a), (_ddet,), save_out=True)


def det(A: Any) -> Any:
    """Determinant of a square matrix or a batch ``(*, n, n)`` (``torch.linalg.det``).

    >>> import autograd as ag
    >>> ag.linalg.det(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor(-2.)
    """
    check_matrix(A, "linalg.det", square=True)
    return _det(A)


class SlogdetResult(NamedTuple):
    """``(sign, logabsdet)`` of :func:`slogdet` (``torch.return_types.linalg_slogdet``)."""

    sign: Any
    logabsdet: Any


def _dslogdet(gs: Any, out: Any, a: Any) -> Any:
    g = gs[1]
    if g is None:
        return None  # the sign is piecewise constant
    try:
        return g[..., None, None] * T(_inv.raw(a))
    except RuntimeError as e:
        raise type(e)(f"linalg.slogdet backward: {e}") from None


_slogdet = Primitive("linalg_slogdet", lambda a: tuple(xp.linalg.slogdet(a)), (_dslogdet,),
                     n_out=2)


def slogdet(A: Any) -> SlogdetResult:
    """Sign and log of the absolute value of the determinant (``torch.linalg.slogdet``); stable
    where ``det`` would overflow.  A singular matrix gives sign 0 and ``-inf``; its gradient
    (``A^-T``) raises :class:`LinAlgError`.

    >>> import autograd as ag
    >>> ag.linalg.slogdet(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
    SlogdetResult(sign=tensor(-1.), logabsdet=tensor(0.69314718))
    """
    check_matrix(A, "linalg.slogdet", square=True)
    sign, logabs = _slogdet(A)
    return SlogdetResult(sign, logabs)


def matrix_power(A: Any, n: int) -> Any:
    """``A`` multiplied by itself ``n`` times (``torch.linalg.matrix_power``); ``n = 0`` gives
    the identity (zero gradient), negative ``n`` powers of ``inv(A)``.  By repeated squaring:
    about ``2 log2(n)`` recorded matmuls.

    >>> import autograd as ag
    >>> ag.linalg.matrix_power(ag.tensor([[1.0, 1.0], [0.0, 1.0]]), 3)
    tensor([[1., 3.],
            [0., 1.]])
    """
    shape = check_matrix(A, "linalg.matrix_power", square=True)
    try:
        k = operator.index(n)
    except TypeError:
        raise TypeError(f"linalg.matrix_power: n must be an int, got {n!r}") from None
    if k == 0:  # the identity, still in the graph with a zero gradient (also for inf/nan A)
        mod = module(A)
        eye = xp.broadcast_to(mod.eye(shape[-1], dtype=data(A).dtype), shape)
        return where(mod.ones(shape, dtype=bool), eye, A * 0.0)
    base = inv(A) if k < 0 else A
    k = abs(k)
    result = None
    while True:
        if k & 1:
            result = base if result is None else result @ base
        k >>= 1
        if not k:
            break
        base = base @ base
    return clone(result) if result is A else result


from ..ops.arithmetic import where  # noqa: E402
from ..ops.shape import clone  # noqa: E402
