"""Derivatives at kinks, ties and guarded points, continued: rounding, inverse trigonometric and
hyperbolic functions, two-argument transcendental functions, cumulative products, sorting,
``hardswish`` and ``linalg`` (the ops added after ``test_conventions``; same helpers and checks).

``test_conventions.test_every_primitive_is_covered`` counts the cases and ``SMOOTH`` reasons of
both files.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import test_conventions as base
from test_conventions import Case, _diag, _same, _split, _t

import autograd as ag
import nn.functional as F
from autograd.testing import value_checks

inf, nan = math.inf, math.nan


def _m2(v: Any) -> Any:
    return v.reshape(2, 2)


def _sig(z: float) -> float:
    return 1 / (1 + math.exp(-z))


# the 2x2 matrix of the well-conditioned linalg cases, its inverse, the weights c of sum(c * f)
_A = np.array([[2.0, 1.0], [1.0, 3.0]])
_AI = np.linalg.inv(_A)
_C = np.array([[1.0, 2.0], [3.0, 4.0]])
# x = A^-1 b for b = (1, -1); d(c . x)/db = A^-T c, d(c . x)/dA = -(A^-T c) x^T
_B = np.array([1.0, -1.0])
_GB = _AI.T @ np.array([1.0, 2.0])


CASES = [
    # ------------------------------------------------ piecewise constant: no gradient anywhere
    Case("floor_at_integers", ag.floor, [1.0, -1.0, 0.0, 1.5], g=[0, 0, 0, 0], H="zero",
         torch_f=_t("floor")),
    Case("ceil_at_integers", ag.ceil, [1.0, -1.0, 0.0, 1.5], g=[0, 0, 0, 0], H="zero",
         torch_f=_t("ceil")),
    Case("trunc_at_integers", ag.trunc, [1.0, -1.0, 0.0, 1.5], g=[0, 0, 0, 0], H="zero",
         torch_f=_t("trunc")),
    # half to even, as NumPy and PyTorch: 0.5 -> 0, 1.5 -> 2, -0.5 -> -0
    Case("round_at_ties", ag.round, [0.5, 1.5, -0.5, 2.0], g=[0, 0, 0, 0], H="zero",
         torch_f=_t("round")),
    Case("round_decimals_at_ties", lambda x: ag.round(x, decimals=1), [0.25, 0.35, 1.0],
         g=[0, 0, 0], H="zero", torch_f=lambda x: _t("round")(x, decimals=1)),
    # a | b: exact multiples (the jumps of the quotient) and b = 0
    Case("div_floor_at_multiples", lambda v: ag.div(*_split(v, 2), rounding_mode="floor"),
         [2.0, -2.0, 1.0, 1.0, 1.0, 0.0], g=[0] * 6, H="zero",
         torch_f=lambda v: _t("div")(*_split(v, 2), rounding_mode="floor")),
    Case("div_trunc_at_multiples", lambda v: ag.div(*_split(v, 2), rounding_mode="trunc"),
         [2.0, -2.0, 1.0, 1.0, 1.0, 0.0], g=[0] * 6, H="zero",
         torch_f=lambda v: _t("div")(*_split(v, 2), rounding_mode="trunc")),
    # x - trunc(x): slope 1 on both sides of an integer (the jump is in the value only)
    Case("frac_at_integers", ag.frac, [1.0, -1.0, 0.0, 1.5], g=[1, 2, 3, 4], H="zero",
         torch_f=_t("frac")),
    # ------------------------------------------------------ guards: the ends of the domains
    Case("asin_at_ends", ag.asin, [1.0, -1.0, 0.0], g=[inf, inf, 3],
         H=np.array([[inf, nan, 0], [nan, -inf, 0], [nan, nan, 0]]), torch_f=_t("asin")),
    Case("acos_at_ends", ag.acos, [1.0, -1.0, 0.0], g=[-inf, -inf, -3],
         H=np.array([[-inf, nan, 0], [nan, inf, 0], [nan, nan, 0]]), torch_f=_t("acos")),
    Case("atanh_at_ends", ag.atanh, [1.0, -1.0, 0.0], g=[inf, inf, 3],
         H=np.array([[inf, nan, 0], [nan, -inf, 0], [nan, nan, 0]]), torch_f=_t("atanh")),
    Case("acosh_at_1", ag.acosh, [1.0, 2.0], g=[inf, 2 / math.sqrt(3)],
         H=np.array([[-inf, 0], [nan, -4 / 3 ** 1.5]]), torch_f=_t("acosh")),
    # y | x: the origin (0, 0) and (1, 0); at the origin the subgradient 0 (PyTorch masks its
    # 0/0), the second derivatives there nan
    Case("atan2_at_origin", lambda v: ag.atan2(*_split(v, 2)), [0.0, 1.0, 0.0, 0.0],
         g=[0, 0, 0, -2],
         H=np.array([[nan, 0, nan, 0], [nan, 0, nan, 2], [nan, 0, nan, 0], [nan, 2, nan, 0]]),
         torch_f=lambda v: _t("atan2")(*_split(v, 2))),
    # a | b: hypot(0, 0) has gradient a / out = 0/0 = nan, as PyTorch (its subgradient 0 is
    # what norm() gives; hypot follows PyTorch's formula)
    Case("hypot_at_origin", lambda v: ag.hypot(*_split(v, 2)), [0.0, 3.0, 0.0, 4.0],
         g=[nan, 1.2, nan, 1.6],
         H=np.array([[nan, 0, nan, 0], [nan, 0.256, nan, -0.192], [nan, 0, nan, 0],
                     [nan, -0.192, nan, 0.144]]),
         torch_f=lambda v: _t("hypot")(*_split(v, 2))),
    # a == b: the gradient is split evenly (the softmax weights of a and b)
    Case("logaddexp_tie", lambda v: ag.logaddexp(*_split(v, 2)), [1.0, 0.0, 1.0, 2.0],
         g=[0.5, 2 * _sig(-2), 0.5, 2 * _sig(2)],
         H=np.array([[0.25, 0, -0.25, 0], [0, 1, 0, -1], [-0.25, 0, 0.25, 0], [0, -1, 0, 1]])
         * np.array([1, 2 * _sig(2) * _sig(-2), 1, 2 * _sig(2) * _sig(-2)])[:, None],
         torch_f=lambda v: _t("logaddexp")(*_split(v, 2))),
    # one argument -inf: gradient 0 and 1; second derivative 0, the limit (e^(a - out) is 0
    # to all orders), where PyTorch's 1 / (1 + e^(b - a)) gives inf / inf = nan
    Case("logaddexp_-inf_entry", lambda v: ag.logaddexp(*_split(v, 2)), [-inf, 0.0, 0.0, -inf],
         g=[0, 2, 1, 0], H="zero", torch_f=lambda v: _t("logaddexp")(*_split(v, 2)),
         deviates={"H"}),
    # both -inf: nan (e^(a - out) = e^(-inf + inf)), as PyTorch; unlike logsumexp's 0
    Case("logaddexp_both_-inf", lambda v: ag.logaddexp(*_split(v, 2)), [-inf, -inf],
         g=[nan, nan], H="nan", torch_f=lambda v: _t("logaddexp")(*_split(v, 2))),
    # x | y: (0, 0) -> value 0, d/dx 0 (PyTorch's mask), d/dy 0/0 = nan; (0, 2) -> d/dx log 2,
    # d/dy 0; (1, 0) -> -inf, d/dx -inf, d/dy inf
    Case("xlogy_x_0", lambda v: ag.xlogy(*_split(v, 2)), [0.0, 0.0, 1.0, 0.0, 2.0, 0.0],
         g=[0, 2 * math.log(2), -inf, nan, 0, inf],
         H=np.array([[nan, 0, nan, nan, 0, nan], [nan, 0, nan, nan, 1, nan],
                     [nan, 0, nan, nan, 0, nan], [inf, 0, nan, nan, 0, nan],
                     [nan, 1, nan, nan, 0, nan], [nan, 0, inf, nan, 0, nan]]),
         torch_f=lambda v: _t("xlogy")(*_split(v, 2))),
    # ------------------------------------------------------------------ products with zeros
    # the exact products of the other factors, not out / x (which is 0/0 at a zero)
    Case("cumprod_one_zero", lambda x: ag.cumprod(x, 0), [2.0, 0.0, 3.0], g=[1, 22, 0],
         H=np.array([[0, 11, 0], [11, 0, 6], [0, 6, 0]]),
         torch_f=lambda x: _t("cumprod")(x, 0)),
    Case("cumprod_two_zeros", lambda x: ag.cumprod(x, 0), [0.0, 2.0, 0.0, 3.0], g=[5, 0, 0, 0],
         H=np.array([[0, 2, 30, 0], [2, 0, 0, 0], [30, 0, 0, 0], [0, 0, 0, 0]]),
         torch_f=lambda x: _t("cumprod")(x, 0)),
    # ------------------------------------------------------------------------------ ties
    # sort, topk: tied values keep their input order (stable), so each goes to one position
    Case("sort_tie", lambda x: ag.sort(x).values, [1.0, 0.0, 1.0], g=[2, 1, 3], H="zero",
         torch_f=lambda x: _t("sort")(x, stable=True).values),
    Case("topk_tie", lambda x: ag.topk(x, 2).values, [1.0, 2.0, 2.0], g=[0, 1, 2], H="zero",
         torch_f=lambda x: _t("topk")(x, 2).values),
    Case("sort_descending_tie", lambda x: ag.sort(x, descending=True).values, [1.0, 0.0, 1.0],
         g=[1, 3, 2], H="zero",
         torch_f=lambda x: _t("sort")(x, descending=True, stable=True).values),
    # the k smallest of [3, 1, 3, 1] with k = 3: of the tied 3s the first is taken; PyTorch
    # takes the last (its order of ties in topk is unspecified), a documented deviation
    Case("topk_smallest_tie", lambda x: ag.topk(x, 3, largest=False).values,
         [3.0, 1.0, 3.0, 1.0], g=[3, 1, 0, 2], H="zero",
         torch_f=lambda x: _t("topk")(x, 3, largest=False).values, deviates={"g"}),
    Case("kthvalue_tie", lambda x: ag.kthvalue(x, 2).values, [2.0, 1.0, 2.0], g=[1, 0, 0],
         H="zero", torch_f=lambda x: _t("kthvalue")(x, 2).values),
    # median of everything: the elements equal to it share the gradient (torch.median())
    Case("median_tie", lambda x: ag.median(x), [1.0, 2.0, 2.0, 3.0], g=[0, 0.5, 0.5, 0],
         H="zero", torch_f=_t("median")),
    # median along a dim: all to the returned index (the first of the ties)
    Case("median_dim_tie", lambda x: ag.median(x.reshape(1, 3), 1).values, [2.0, 1.0, 2.0],
         g=[1, 0, 0], H="zero",
         torch_f=lambda x: _t("median")(x.reshape(1, 3), 1).values),
    # -------------------------------------------------------------------------------- kinks
    # x (x + 3) / 6 on (-3, 3): 0 at -3 (the left side), 1 at 3 (the right side), as PyTorch
    Case("hardswish_kinks", F.hardswish, [-3.0, 3.0, 0.0, -4.0, 4.0], g=[0, 2, 1.5, 0, 5],
         H=_diag(0, 0, 1, 0, 0), torch_f=_t("nn.functional.hardswish")),
    # ----------------------------------------------------------------------------- linalg
    # det = ad - bc: gradient the cofactors, Hessian constant (singular matrices: see below)
    Case("det", lambda x: ag.linalg.det(_m2(x)), [2.0, 1.0, 1.0, 3.0], g=[3, -1, -1, 2],
         H=np.array([[0, 0, 0, 1], [0, 0, -1, 0], [0, -1, 0, 0], [1, 0, 0, 0]]),
         torch_f=lambda x: _t("linalg.det")(_m2(x))),
    Case("slogdet", lambda x: ag.linalg.slogdet(_m2(x)).logabsdet, [2.0, 1.0, 1.0, -3.0],
         g=np.linalg.inv(np.array([[2.0, 1.0], [1.0, -3.0]])).T.ravel(),
         torch_f=lambda x: _t("linalg.slogdet")(_m2(x)).logabsdet),
    Case("inv", lambda x: ag.linalg.inv(_m2(x)), _A.ravel().tolist(),
         g=-(_AI.T @ _C @ _AI.T).ravel(), torch_f=lambda x: _t("linalg.inv")(_m2(x))),
    Case("solve", lambda v: ag.linalg.solve(_m2(v[:4]), v[4:]), _A.ravel().tolist() + [1.0, -1.0],
         g=np.concatenate([-np.outer(_GB, _AI @ _B).ravel(), _GB]),
         torch_f=lambda v: _t("linalg.solve")(_m2(v[:4]), v[4:])),
    # repeated eigen/singular values: the values' gradient V diag(c) V^T is finite, their second
    # derivatives (through the vectors) and the vectors' gradients are nan, as PyTorch
    Case("eigvalsh_repeated", lambda x: ag.linalg.eigvalsh(_m2(x)), [1.0, 0.0, 0.0, 1.0],
         g=[1, 0, 0, 2], H="nan", torch_f=lambda x: _t("linalg.eigvalsh")(_m2(x))),
    Case("eigh_vectors_repeated", lambda x: ag.linalg.eigh(_m2(x)).eigenvectors ** 2,
         [1.0, 0.0, 0.0, 1.0], g=[nan] * 4, H="nan",
         torch_f=lambda x: _t("linalg.eigh")(_m2(x)).eigenvectors ** 2),
    Case("svdvals_repeated", lambda x: ag.linalg.svdvals(_m2(x)), [1.0, 0.0, 0.0, 1.0],
         g=[1, 0, 0, 2], H="nan", torch_f=lambda x: _t("linalg.svdvals")(_m2(x))),
    Case("svd_vectors_repeated", lambda x: ag.linalg.svd(_m2(x)).U ** 2, [1.0, 0.0, 0.0, 1.0],
         g=[nan] * 4, H="nan", torch_f=lambda x: _t("linalg.svd")(_m2(x)).U ** 2),
    # smooth on the positive-definite / full-rank matrices (outside: LinAlgError, as PyTorch)
    Case("cholesky", lambda x: ag.linalg.cholesky(_m2(x)), [4.0, 2.0, 2.0, 3.0],
         torch_f=lambda x: _t("linalg.cholesky")(_m2(x))),
    Case("qr", lambda x: ag.linalg.qr(_m2(x)).R, _A.ravel().tolist(),
         torch_f=lambda x: _t("linalg.qr")(_m2(x)).R),
    # pinv at a rank-deficient matrix: the constant-rank derivative (rank 1 stays rank 1)
    Case("pinv_rank_deficient", lambda x: ag.linalg.pinv(_m2(x)), [1.0, 2.0, 2.0, 4.0],
         torch_f=lambda x: _t("linalg.pinv")(_m2(x))),
]

# as test_conventions.SMOOTH: primitives without a kink, tie or guard
SMOOTH = {
    "to_device": "the identity on values (a copy to another device)",
    "sinh": "smooth", "cosh": "smooth", "asinh": "smooth", "atan": "smooth",
    "roll": "linear (a permutation)", "diagonal": "linear (a read)",
    "diag_embed": "linear (diagonal's rule: a scatter)", "fold": "linear (sums of blocks)",
    "unfold": "linear (blocks, zero padding)", "take_axis": "a read at fixed indices",
    "scatter_add_axis": "linear (take_axis's rule)", "tril": "linear (keeps a triangle)",
    "sort_backward": "linear (sort's rule: a scatter at fixed indices)",
}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_documented_convention(case: Case):
    base.test_documented_convention(case)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_matches_pytorch(case: Case):
    base.test_matches_pytorch(case)


def _singular() -> Any:
    return ag.tensor(np.array([[1.0, 2.0], [2.0, 4.0]]), requires_grad=True)


def test_det_at_singular_matrices():
    # first order: the exact cofactors (through the SVD), as PyTorch, also at the zero matrix
    for a, cof in (([[1.0, 2.0], [2.0, 4.0]], [[4.0, -2.0], [-2.0, 1.0]]),
                   ([[0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]])):
        x = ag.tensor(np.array(a), requires_grad=True)
        ag.linalg.det(x).backward()
        _same(x.grad.cpu().numpy(), cof, "gradient", "det_singular")
    # second order: a documented deviation (PyTorch gives the constant Hessian of a 2x2 det)
    x = _singular()
    with value_checks(), pytest.raises(ag.linalg.LinAlgError, match="linalg.det"):
        ag.grad(ag.linalg.det(x), [x], create_graph=True)


def test_det_at_singular_matrices_pytorch():
    # PyTorch's plain backward gives 0 at an exactly singular matrix (a value no limit gives:
    # det is a polynomial); its create_graph=True path gives the cofactors, as tapegrad does
    torch = pytest.importorskip("torch")
    x = _singular()
    ag.linalg.det(x).backward()
    a = torch.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=torch.float64, requires_grad=True)
    (exact,) = torch.autograd.grad(torch.linalg.det(a), [a], create_graph=True)
    base._close(x.grad.cpu().numpy(), exact.detach().cpu().numpy(), 1e-7, "det_singular vs PyTorch")
    torch.linalg.det(a).backward()
    assert not base._equal(x.grad.cpu().numpy(), a.grad.cpu().numpy(), 1e-7), "no longer deviates"


def test_slogdet_at_a_singular_matrix():
    # sign 0, logabsdet -inf; the gradient A^-T does not exist: LinAlgError naming slogdet
    # (PyTorch returns +-inf from its LU pivots: a documented deviation)
    x = _singular()
    sign, logabs = ag.linalg.slogdet(x)
    assert float(sign.detach().cpu().numpy()) == 0 and float(logabs.detach().cpu().numpy()) == -inf
    with value_checks(), pytest.raises(ag.linalg.LinAlgError, match="slogdet"):
        logabs.backward()
