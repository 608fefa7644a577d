"""Derivatives at kinks, ties and guarded points, continued: rounding, inverse trigonometric and
hyperbolic functions, two-argument transcendental functions, cumulative products, sorting,
``hardswish`` and ``linalg`` (the ops added after ``test_conventions``; same helpers and checks).

``test_conventions.test_every_primitive_is_covered`` counts the cases and ``SMOOTH`` reasons of
both files.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_conventions import (
    Case,
    _close,
    _derivatives,
    _diag,
    _equal,
    _same,
    _split,
    _t,
    _torch_derivatives,
)

import autograd as ag
import nn.functional as F

inf, nan = math.inf, math.nan


def _m2(v):
    return v.reshape(2, 2)


CASES = [
    # ------------------------------------------------ piecewise constant: no gradient anywhere
    Case("floor_at_integers", ag.floor, [1.0, -1.0, 0.0, 1.5], g=[0, 0, 0, 0], H="zero",
         torch_f=_t("floor")),
    Case("ceil_at_integers", ag.ceil, [1.0, -1.0, 0.0, 1.5], g=[0, 0, 0, 0], H="zero",
         torch_f=_t("ceil")),
    Case("trunc_at_integers", ag.trunc, [1.0, -1.0, 0.0, 1.5], g=[0, 0, 0, 0], H="zero",
         torch_f=_t("trunc")),
    Case("round_at_ties", ag.round, [0.5, 1.5, -0.5, 2.0], g=[0, 0, 0, 0], H="zero",
         torch_f=_t("round")),
    Case("round_decimals_at_ties", lambda x: ag.round(x, decimals=1), [0.25, 0.35, 1.0],
         g=[0, 0, 0], H="zero", torch_f=lambda x: _t("round")(x, decimals=1)),
    Case("div_floor_at_multiples", lambda v: ag.div(*_split(v, 2), rounding_mode="floor"),
         [2.0, -2.0, 1.0, 1.0, 1.0, 0.0], g=[0] * 6, H="zero",
         torch_f=lambda v: _t("div")(*_split(v, 2), rounding_mode="floor")),
    Case("div_trunc_at_multiples", lambda v: ag.div(*_split(v, 2), rounding_mode="trunc"),
         [2.0, -2.0, 1.0, 1.0, 1.0, 0.0], g=[0] * 6, H="zero",
         torch_f=lambda v: _t("div")(*_split(v, 2), rounding_mode="trunc")),
    # x - trunc(x): slope 1 on both sides of an integer (the jump is in the value only)
    Case("frac_at_integers", ag.frac, [1.0, -1.0, 0.0, 1.5], g=[1, 2, 3, 4], H="zero",
         torch_f=_t("frac")),
    # -------------------------------------------------- guards: the ends of the domains
    Case("asin_at_ends", ag.asin, [1.0, -1.0, 0.0], torch_f=_t("asin")),
    Case("acos_at_ends", ag.acos, [1.0, -1.0, 0.0], torch_f=_t("acos")),
    Case("atanh_at_ends", ag.atanh, [1.0, -1.0, 0.0], torch_f=_t("atanh")),
    Case("acosh_at_1", ag.acosh, [1.0, 2.0], torch_f=_t("acosh")),
    Case("atan_at_0", ag.atan, [0.0, 1.0], torch_f=_t("atan")),
    Case("atan2_at_origin", lambda v: ag.atan2(*_split(v, 2)), [0.0, 1.0, 0.0, 0.0],
         torch_f=lambda v: _t("atan2")(*_split(v, 2))),
    Case("hypot_at_origin", lambda v: ag.hypot(*_split(v, 2)), [0.0, 3.0, 0.0, 4.0],
         torch_f=lambda v: _t("hypot")(*_split(v, 2))),
    Case("logaddexp_tie", lambda v: ag.logaddexp(*_split(v, 2)), [1.0, 0.0, 1.0, 2.0],
         torch_f=lambda v: _t("logaddexp")(*_split(v, 2))),
    Case("logaddexp_-inf", lambda v: ag.logaddexp(*_split(v, 2)), [-inf, -inf, 0.0, -inf],
         torch_f=lambda v: _t("logaddexp")(*_split(v, 2))),
    Case("xlogy_x_0", lambda v: ag.xlogy(*_split(v, 2)), [0.0, 0.0, 1.0, 0.0, 2.0, 0.0],
         torch_f=lambda v: _t("xlogy")(*_split(v, 2))),
    # ------------------------------------------------------------------ products with zeros
    Case("cumprod_one_zero", lambda x: ag.cumprod(x, 0), [2.0, 0.0, 3.0],
         torch_f=lambda x: _t("cumprod")(x, 0)),
    Case("cumprod_two_zeros", lambda x: ag.cumprod(x, 0), [0.0, 2.0, 0.0, 3.0],
         torch_f=lambda x: _t("cumprod")(x, 0)),
    # ------------------------------------------------------------------------------ ties
    Case("sort_tie", lambda x: ag.sort(x).values, [1.0, 0.0, 1.0],
         torch_f=lambda x: _t("sort")(x, stable=True).values),
    Case("topk_tie", lambda x: ag.topk(x, 2).values, [1.0, 2.0, 2.0],
         torch_f=lambda x: _t("topk")(x, 2).values),
    Case("median_tie", lambda x: ag.median(x), [1.0, 2.0, 2.0, 3.0],
         torch_f=_t("median")),
    Case("median_dim_tie", lambda x: ag.median(x.reshape(1, 3), 1).values, [2.0, 1.0, 2.0],
         torch_f=lambda x: _t("median")(x.reshape(1, 3), 1).values),
    Case("hardswish_kinks", F.hardswish, [-3.0, 3.0, 0.0, -4.0, 4.0],
         torch_f=_t("nn.functional.hardswish")),
    # ----------------------------------------------------------------------------- linalg
    Case("det_singular", lambda x: ag.linalg.det(_m2(x)), [1.0, 2.0, 2.0, 4.0],
         torch_f=lambda x: _t("linalg.det")(_m2(x))),
    Case("det_zero", lambda x: ag.linalg.det(_m2(x)), [0.0, 0.0, 0.0, 0.0],
         torch_f=lambda x: _t("linalg.det")(_m2(x))),
    Case("slogdet", lambda x: ag.linalg.slogdet(_m2(x)).logabsdet, [2.0, 1.0, 1.0, -3.0],
         torch_f=lambda x: _t("linalg.slogdet")(_m2(x)).logabsdet),
    Case("inv", lambda x: ag.linalg.inv(_m2(x)), [2.0, 1.0, 1.0, 3.0],
         torch_f=lambda x: _t("linalg.inv")(_m2(x))),
    Case("solve", lambda v: ag.linalg.solve(_m2(v[:4]), v[4:]), [2.0, 1.0, 1.0, 3.0, 1.0, -1.0],
         torch_f=lambda v: _t("linalg.solve")(_m2(v[:4]), v[4:])),
    Case("eigvalsh_repeated", lambda x: ag.linalg.eigvalsh(_m2(x)), [1.0, 0.0, 0.0, 1.0],
         torch_f=lambda x: _t("linalg.eigvalsh")(_m2(x))),
    Case("eigh_vectors_repeated", lambda x: ag.linalg.eigh(_m2(x)).eigenvectors ** 2,
         [1.0, 0.0, 0.0, 1.0],
         torch_f=lambda x: _t("linalg.eigh")(_m2(x)).eigenvectors ** 2),
    Case("svdvals_repeated", lambda x: ag.linalg.svdvals(_m2(x)), [1.0, 0.0, 0.0, 1.0],
         torch_f=lambda x: _t("linalg.svdvals")(_m2(x))),
    Case("svd_vectors_repeated", lambda x: ag.linalg.svd(_m2(x)).U ** 2, [1.0, 0.0, 0.0, 1.0],
         torch_f=lambda x: _t("linalg.svd")(_m2(x)).U ** 2),
    Case("cholesky", lambda x: ag.linalg.cholesky(_m2(x)), [4.0, 2.0, 2.0, 3.0],
         torch_f=lambda x: _t("linalg.cholesky")(_m2(x))),
    Case("qr", lambda x: ag.linalg.qr(_m2(x)).R, [2.0, 1.0, 1.0, 3.0],
         torch_f=lambda x: _t("linalg.qr")(_m2(x)).R),
    Case("pinv_rank_deficient", lambda x: ag.linalg.pinv(_m2(x)), [1.0, 2.0, 2.0, 4.0],
         torch_f=lambda x: _t("linalg.pinv")(_m2(x))),
]

