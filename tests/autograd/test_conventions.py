"""Derivatives at kinks, ties and guarded points: every primitive, first and second order.

Each case evaluates a function *at* the points where a derivative is a convention (a kink such
as ``relu`` at 0, a tie such as ``maximum(a, a)``, a guard such as ``norm`` at the zero vector or
``log`` at 0) and computes the value, the gradient of ``sum(c * f(x))`` (``c = 1, 2, 3, ...``, so
every output element is weighted differently) and its full Hessian, by tapegrad's own reverse
mode twice (``create_graph=True``).

* ``test_documented_convention``: against the values written in the case (the conventions of
  ``docs/conventions.md``; no PyTorch needed).
* ``test_matches_pytorch``: against PyTorch 2.x, except for the parts each case lists as a
  documented deviation (``deviates``), which are then checked against the written values only.
* ``test_every_primitive_is_covered``: every primitive in ``autograd`` and ``nn`` (found by
  scanning the modules) is recorded in some case's first- or second-order graph, or is listed in
  ``SMOOTH`` with the reason it has no kink, tie or guard.  A new primitive fails this test until
  it gets a case here or in ``test_conventions_more_ops.py`` (and a line in
  docs/conventions.md) or a reason.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd.primitive import Primitive
from autograd.tensor import Tensor
from autograd.testing import assert_allclose, assert_array_equal

inf, nan = math.inf, math.nan


@dataclass
class Case:
    name: str
    f: Callable[[Tensor], Tensor]  # tapegrad, on one 1-D float64 input (split inside if needed)
    x: list[float]
    g: Any = None  # the documented gradient of sum(c * f(x)); None: not written here
    H: Any = None  # the documented Hessian; "zero", "nan" (all), an array, or None
    torch_f: Callable[[Any], Any] | None = None  # PyTorch's counterpart (same input)
    deviates: set[str] = field(default_factory=set)  # parts that differ from PyTorch ("g", "H")


def _split(v: Any, n: int) -> list[Any]:
    k = v.shape[0] // n
    return [v[i * k:(i + 1) * k] for i in range(n)]


def _t(name: str) -> Callable[..., Any]:
    """A PyTorch function by dotted name, resolved only when torch is there."""

    def call(*args: Any, **kw: Any) -> Any:
        import torch

        obj: Any = torch
        for part in name.split("."):
            obj = getattr(obj, part)
        return obj(*args, **kw)

    return call


def _tf64(values: Any) -> Any:
    import torch

    return torch.tensor(values, dtype=torch.float64)


def _diag(*d: float) -> np.ndarray:
    return np.diag(np.array(d, dtype=float))


def _int_targets(values: list[int]) -> Any:
    return ag.tensor(np.array(values, dtype=np.int64))


CASES = [
    # ---------------------------------------------------------------- kinks: one-sided choices
    Case("relu", ag.relu, [0.0, 1.0, -1.0], g=[0, 2, 0], H="zero", torch_f=_t("relu")),
    Case("leaky_relu", lambda x: ag.leaky_relu(x, negative_slope=0.1), [0.0, 1.0, -1.0],
         g=[0.1, 2, 0.3], H="zero",
         torch_f=lambda x: _t("nn.functional.leaky_relu")(x, 0.1)),
    Case("elu", lambda x: ag.elu(x, alpha=0.5), [0.0, 1.0, -1.0],
         g=[0.5, 2, 1.5 * math.exp(-1)], H=_diag(0, 0, 1.5 * math.exp(-1)),
         torch_f=lambda x: _t("nn.functional.elu")(x, 0.5)),
    Case("abs", ag.abs, [0.0, 1.0, -2.0], g=[0, 2, -3], H="zero", torch_f=_t("abs")),
    Case("sign", ag.sign, [0.0, 1.0], g=[0, 0], H="zero", torch_f=_t("sign")),
    Case("hardtanh", lambda x: F.hardtanh(x, -1.0, 1.0), [-1.0, 1.0, 0.0, 2.0, -2.0],
         g=[0, 0, 3, 0, 0], H="zero",
         torch_f=lambda x: _t("nn.functional.hardtanh")(x, -1.0, 1.0)),
    Case("relu6", F.relu6, [0.0, 6.0, 3.0, -1.0, 7.0], g=[0, 0, 3, 0, 0], H="zero",
         torch_f=_t("nn.functional.relu6")),
    Case("clamp_constant_bounds", lambda x: ag.clamp(x, 0.0, 1.0), [0.0, 1.0, 0.5, -1.0, 2.0],
         g=[1, 2, 3, 0, 0], H="zero", torch_f=lambda x: _t("clamp")(x, 0.0, 1.0)),
    Case("clamp_min_only", lambda x: ag.clamp(x, min=0.0), [0.0, 1.0, -1.0], g=[1, 2, 0],
         H="zero", torch_f=lambda x: _t("clamp")(x, min=0.0)),
    # x | min | max: ties x == min (x gets it), x == max, min > max (the result is max), and
    # x < min == max (the result is both bounds: PyTorch gives neither the gradient)
    Case("clamp_tensor_bounds", lambda v: ag.clamp(*_split(v, 3)),
         [1.0, 2.0, 0.0, 3.0, 1.0, 1.0, 1.0, 0.0, 0.5, 3.0, 2.0, 2.0, 2.0, 2.0, 1.0, 2.5, 1.0, 2.0],
         g=[1, 2, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 4, 5, 0], H="zero",
         torch_f=lambda v: _t("clamp")(*_split(v, 3))),
    Case("clamp_tensor_min", lambda v: ag.clamp(*_split(v, 2)), [1.0, 2.0, 0.0, 1.0, 0.0, 0.5],
         g=[1, 2, 0, 0, 0, 3], H="zero", torch_f=lambda v: _t("clamp")(*_split(v, 2))),
    Case("remainder", lambda v: ag.remainder(*_split(v, 2)), [3.0, -3.0, 2.0, 2.0, 2.0, 2.0],
         g=[1, 2, 3, -1, 4, -3], H="zero", torch_f=lambda v: _t("remainder")(*_split(v, 2))),
    # at the threshold the softplus branch (as the first derivative there, like PyTorch's);
    # PyTorch's second derivative takes the linear branch (0) there instead
    Case("softplus_threshold", ag.softplus, [20.0, 0.0, 21.0],
         g=[1 / (1 + math.exp(-20.0)), 1.0, 3.0],
         H=_diag(math.exp(-20.0) / (1 + math.exp(-20.0)) ** 2, 0.5, 0.0),
         torch_f=_t("nn.functional.softplus"), deviates={"H"}),
    # ------------------------------------------------------------------ ties: shared gradients
    Case("maximum_tie", lambda v: ag.maximum(*_split(v, 2)), [1.0, 2.0, 3.0, 1.0, 1.0, 4.0],
         g=[0.5, 2, 0, 0.5, 0, 3], H="zero", torch_f=lambda v: _t("maximum")(*_split(v, 2))),
    Case("minimum_tie", lambda v: ag.minimum(*_split(v, 2)), [1.0, 2.0, 3.0, 1.0, 1.0, 4.0],
         g=[0.5, 0, 3, 0.5, 2, 0], H="zero", torch_f=lambda v: _t("minimum")(*_split(v, 2))),
    Case("amax_tie", lambda x: ag.amax(x), [1.0, 3.0, 3.0], g=[0, 0.5, 0.5], H="zero",
         torch_f=_t("amax")),
    Case("amin_tie", lambda x: ag.amin(x), [1.0, 1.0, 3.0], g=[0.5, 0.5, 0], H="zero",
         torch_f=_t("amin")),
    Case("amax_dim_tie", lambda x: ag.amax(x.reshape(2, 2), 1), [1.0, 1.0, 2.0, 3.0],
         g=[0.5, 0.5, 0, 2], H="zero",
         torch_f=lambda x: _t("amax")(x.reshape(2, 2), 1)),
    Case("norm_inf_tie", lambda x: ag.norm(x, inf), [1.0, -1.0, 0.5], g=[0.5, -0.5, 0],
         H="zero", torch_f=lambda x: _t("linalg.vector_norm")(x, inf)),
    Case("norm_neginf_tie", lambda x: ag.norm(x, -inf), [1.0, -1.0, 2.0], g=[0.5, -0.5, 0],
         H="zero", torch_f=lambda x: _t("linalg.vector_norm")(x, -inf)),
    Case("max_pool_tie", lambda x: F.max_pool1d(x.reshape(1, 1, 4), 2, stride=1),
         [1.0, 1.0, 1.0, 0.0], g=[1, 2, 3, 0], H="zero",
         torch_f=lambda x: _t("nn.functional.max_pool1d")(x.reshape(1, 1, 4), 2, stride=1)),
    # ----------------------------------------------------- guards: values that are not limits
    # inf where the derivative is infinite; the Hessian's other rows get nan in that column
    # (reverse mode multiplies the zero weight of the other outputs by inf), as in PyTorch
    Case("sqrt_at_0", ag.sqrt, [0.0, 1.0], g=[inf, 1.0], H=np.array([[-inf, 0], [nan, -0.5]]),
         torch_f=_t("sqrt")),
    Case("rsqrt_at_0", ag.rsqrt, [0.0, 1.0], g=[-inf, -1.0],
         H=np.array([[inf, 0], [nan, 1.5]]), torch_f=_t("rsqrt")),
    Case("log_at_0", ag.log, [0.0, 1.0], g=[inf, 2.0], H=np.array([[-inf, 0], [nan, -2.0]]),
         torch_f=_t("log")),
    Case("log1p_at_-1", ag.log1p, [-1.0, 0.0], g=[inf, 2.0], torch_f=_t("log1p")),
    Case("reciprocal_at_0", ag.reciprocal, [0.0, 1.0], g=[-inf, -2.0], torch_f=_t("reciprocal")),
    Case("div_by_0", lambda v: ag.div(*_split(v, 2)), [1.0, 0.0, 1.0, 0.0, 0.0, 2.0],
         g=[inf, inf, 1.5, -inf, nan, -0.75], torch_f=lambda v: _t("div")(*_split(v, 2))),
    Case("pow_0_at_0", lambda x: x ** 0, [0.0, 1.0], g=[0, 0], H="zero",
         torch_f=lambda x: x ** 0),
    Case("pow_half_at_0", lambda x: x ** 0.5, [0.0, 1.0], g=[inf, 1.0],
         H=np.array([[-inf, 0], [nan, -0.5]]), torch_f=lambda x: x ** 0.5),
    Case("pow_1_at_0", lambda x: x ** 1, [0.0, 1.0], g=[1, 2], H="zero",
         torch_f=lambda x: x ** 1),
    Case("pow_1.5_at_0", lambda x: x ** 1.5, [0.0, 1.0], g=[0, 3.0],
         H=np.array([[inf, 0], [nan, 1.5]]), torch_f=lambda x: x ** 1.5),
    Case("pow_2_at_0", lambda x: x ** 2, [0.0, 1.0], g=[0, 4], H=_diag(2, 4),
         torch_f=lambda x: x ** 2),
    # d(0**y)/dy = 0 for y >= 0 (the limit from the right); its derivative is 0 too (0**y is
    # constant for y > 0), where PyTorch gives nan
    Case("pow_base_0", lambda x: 0.0 ** x, [0.0, 1.0, 2.0], g=[0, 0, 0], H="zero",
         torch_f=lambda x: 0.0 ** x, deviates={"H"}),
    # a tensor exponent at a zero base: d/db = 0 for b >= 0 (the limit from the right), -inf
    # for b < 0; 0**0 = 1 is constant in the base.  Second derivatives: nan where they involve
    # the zero base, but not everywhere PyTorch has nan (docs/conventions.md)
    Case("pow_tensor_exponent_base_0", lambda v: ag.pow(*_split(v, 2)),
         [0.0, 0.0, 0.0, 2.0, 0.0, 1.0, 0.5, -1.0],
         g=[0, 2, inf, -1, 0, 0, 0, 2 * math.log(2)],
         torch_f=lambda v: _t("pow")(*_split(v, 2)), deviates={"H"}),
    Case("norm2_at_0", lambda x: ag.norm(x), [0.0, 0.0], g=[0, 0], H="nan",
         torch_f=_t("norm")),
    Case("norm2_zero_entry", lambda x: ag.norm(x), [0.0, 1.0], g=[0, 1], H=_diag(1, 0),
         torch_f=_t("norm")),
    Case("norm1_zero_entry", lambda x: ag.norm(x, 1), [0.0, 1.0, -1.0], g=[0, 1, -1],
         H="zero", torch_f=lambda x: _t("linalg.vector_norm")(x, 1)),
    Case("norm3_zero_entry", lambda x: ag.norm(x, 3), [0.0, 1.0], g=[0, 1], H="zero",
         torch_f=lambda x: _t("linalg.vector_norm")(x, 3)),
    # the zero vector: the Hessian of any p-norm (1 < p < inf) is unbounded near it
    Case("norm3_at_0", lambda x: ag.norm(x, 3), [0.0, 0.0], g=[0, 0], H="nan",
         torch_f=lambda x: _t("linalg.vector_norm")(x, 3), deviates={"H"}),
    # a zero entry with p < 2: d|x|**(p-1)/dx is inf there, nan in that entry's column
    Case("norm1.5_zero_entry", lambda x: ag.norm(x, 1.5), [0.0, 1.0], g=[0, 1],
         H=np.array([[nan, 0.0], [nan, 0.0]]),
         torch_f=lambda x: _t("linalg.vector_norm")(x, 1.5)),
    Case("norm0.5_zero_entry", lambda x: ag.norm(x, 0.5), [0.0, 1.0], g=[0, 1],
         H=np.array([[nan, 0.0], [nan, 0.0]]),
         torch_f=lambda x: _t("linalg.vector_norm")(x, 0.5)),
    # std at a constant input: the subgradient 0; the Hessian is unbounded nearby (std is the
    # norm of the deviations): nan, where PyTorch gives 0
    Case("std_constant", lambda x: x.std(), [2.0, 2.0, 2.0], g=[0, 0, 0], H="nan",
         torch_f=_t("std"), deviates={"H"}),
    Case("var_constant", lambda x: x.var(), [2.0, 2.0, 2.0], g=[0, 0, 0],
         H=np.array([[2, -1, -1], [-1, 2, -1], [-1, -1, 2]]) / 3, torch_f=_t("var")),
    Case("prod_zeros", lambda x: ag.prod(x), [0.0, 0.0, 2.0], g=[0, 0, 0],
         H=np.array([[0, 2, 0], [2, 0, 0], [0, 0, 0]]), torch_f=_t("prod")),
    Case("prod_one_zero", lambda x: ag.prod(x), [0.0, 1.0, 2.0], g=[2, 0, 0],
         H=np.array([[0, 2, 1], [2, 0, 0], [1, 0, 0]]), torch_f=_t("prod")),
    # all -inf: -inf with a zero gradient (PyTorch: nan), so one empty row cannot poison a batch
    Case("logsumexp_all_-inf", lambda x: ag.logsumexp(x, 0), [-inf, -inf], g=[0, 0], H="zero",
         torch_f=lambda x: _t("logsumexp")(x, 0), deviates={"g", "H"}),
    Case("logsumexp_-inf_entry", lambda x: ag.logsumexp(x, 0), [-inf, 0.0], g=[0, 1],
         H="zero", torch_f=lambda x: _t("logsumexp")(x, 0)),
    Case("softmax_-inf_entry", lambda x: ag.softmax(x, 0), [-inf, 0.0, 0.0],
         g=[0, -0.25, 0.25], torch_f=lambda x: _t("softmax")(x, 0)),
    Case("log_softmax_-inf_entry", lambda x: ag.log_softmax(x, 0), [-inf, 0.0, 0.0],
         g=[1, -1, 0], torch_f=lambda x: _t("log_softmax")(x, 0)),
    # where() does not stop a nan/inf of the branch it did not select (0 * inf = nan), as in
    # PyTorch: mask the input of the unsafe branch too (the double-where pattern)
    Case("where_unselected_inf", lambda x: ag.where(x > 0, ag.sqrt(x), 0.0), [0.0, 1.0],
         g=[nan, 1.0], torch_f=lambda x: _t("where")(x > 0, x.sqrt(), 0.0)),
    # ------------------------------------------------------------------------- losses
    Case("l1_at_0", lambda x: F.l1_loss(x, ag.zeros(2)), [0.0, 1.0], g=[0, 0.5], H="zero",
         torch_f=lambda x: _t("nn.functional.l1_loss")(x, _tf64([0.0, 0.0]))),
    Case("huber_at_delta", lambda x: F.huber_loss(x, ag.zeros(4), delta=1.0),
         [1.0, -1.0, 0.0, 2.0], g=[0.25, -0.25, 0, 0.25], H=_diag(0, 0, 0.25, 0),
         torch_f=lambda x: _t("nn.functional.huber_loss")(x, _tf64([0.0] * 4), delta=1.0)),
    Case("smooth_l1_at_beta", lambda x: F.smooth_l1_loss(x, ag.zeros(4), beta=1.0),
         [1.0, -1.0, 0.0, 2.0], g=[0.25, -0.25, 0, 0.25], H=_diag(0, 0, 0.25, 0),
         torch_f=lambda x: _t("nn.functional.smooth_l1_loss")(x, _tf64([0.0] * 4), beta=1.0)),
    # probabilities 0 and 1: PyTorch's eps-guarded first and second derivatives
    Case("bce_at_0_and_1", lambda x: F.binary_cross_entropy(x, ag.tensor([0.0, 1.0, 0.0, 1.0])),
         [0.0, 1.0, 1.0, 0.0], g=[0, 0, 2.5e11, -2.5e11],
         torch_f=lambda x: _t("nn.functional.binary_cross_entropy")(
             x, _tf64([0.0, 1.0, 0.0, 1.0]))),
    # the target's gradient is that of the clamped loss (logs floored at -100): +-100 per
    # element, where PyTorch's is +-inf (its forward is clamped, its target gradient is not)
    Case("bce_target", lambda v: F.binary_cross_entropy(*_split(v, 2)),
         [0.0, 1.0, 0.5, 0.0, 1.0, 1.0], g=[0, 0, -2 / 3, 100 / 3, -100 / 3, 0],
         torch_f=lambda v: _t("nn.functional.binary_cross_entropy")(*_split(v, 2)),
         deviates={"g", "H"}),
    # target 0: d(t log t)/dt has no finite limit: nan (PyTorch's xlogy gives nan too)
    Case("kl_div_target_0", lambda v: F.kl_div(*_split(v, 2), reduction="sum"),
         [-1.0, -2.0, 0.0, 0.5], g=[0, -0.5, nan, math.log(0.5) + 1 + 2.0],
         torch_f=lambda v: _t("nn.functional.kl_div")(*_split(v, 2), reduction="sum")),
    # every target ignored: the loss is nan (nothing to average), the gradient is 0
    Case("cross_entropy_all_ignored",
         lambda x: F.cross_entropy(x.reshape(2, 2), _int_targets([-100, -100])),
         [0.0, 1.0, 2.0, 3.0], g=[0, 0, 0, 0], H="zero",
         torch_f=lambda x: _t("nn.functional.cross_entropy")(
             x.reshape(2, 2), _int_long([-100, -100]))),
    Case("cross_entropy_zero_weights",
         lambda x: F.cross_entropy(x.reshape(2, 2), _int_targets([0, 1]),
                                   weight=ag.tensor([0.0, 0.0])),
         [0.0, 1.0, 2.0, 3.0], g=[0, 0, 0, 0], H="zero",
         torch_f=lambda x: _t("nn.functional.cross_entropy")(
             x.reshape(2, 2), _int_long([0, 1]), weight=_tf64([0.0, 0.0])),
         deviates={"g", "H"}),  # PyTorch: nan gradients (0 / 0)
    Case("nll_all_ignored",
         lambda x: F.nll_loss(x.reshape(2, 2), _int_targets([-100, -100])),
         [0.0, 1.0, 2.0, 3.0], g=[0, 0, 0, 0], H="zero",
         torch_f=lambda x: _t("nn.functional.nll_loss")(
             x.reshape(2, 2), _int_long([-100, -100]))),
    Case("cross_entropy_-inf_logit",
         lambda x: F.cross_entropy(x.reshape(1, 3), _int_targets([1])), [-inf, 0.0, 0.0],
         g=[0, -0.5, 0.5],
         torch_f=lambda x: _t("nn.functional.cross_entropy")(x.reshape(1, 3), _int_long([1]))),
    Case("cross_entropy_probabilities",
         lambda x: F.cross_entropy(x.reshape(1, 2), ag.tensor([[1.0, 0.0]])), [0.0, 0.0],
         g=[-0.5, 0.5], H=np.array([[0.25, -0.25], [-0.25, 0.25]]),
         torch_f=lambda x: _t("nn.functional.cross_entropy")(x.reshape(1, 2),
                                                           _tf64([[1.0, 0.0]]))),
    # constant rows: the variance is 0, eps keeps everything finite
    Case("layer_norm_constant", lambda x: F.layer_norm(x, (3,)), [1.0, 1.0, 1.0],
         torch_f=lambda x: _t("nn.functional.layer_norm")(x, (3,))),
    # ------------------------------------------------------ accumulation at repeated indices
    Case("getitem_repeated", lambda x: x[[0, 2, 2]], [1.0, 2.0, 3.0], g=[1, 0, 5], H="zero",
         torch_f=lambda x: x[[0, 2, 2]]),
    Case("gather_repeated", lambda x: ag.gather(x, 0, _int_targets([1, 1, 0])), [1.0, 2.0],
         g=[3, 3], H="zero",
         torch_f=lambda x: _t("gather")(x, 0, _int_long([1, 1, 0]))),
    Case("embedding_padding", lambda w: F.embedding(_int_targets([0, 1, 1]), w.reshape(2, 1),
                                                    padding_idx=0), [1.0, 2.0],
         g=[0, 5], H="zero",
         torch_f=lambda w: _t("nn.functional.embedding")(_int_long([0, 1, 1]), w.reshape(2, 1),
                                                         padding_idx=0)),
]


def _int_long(values: list[int]) -> Any:
    import torch

    return torch.tensor(values, dtype=torch.int64)


# Primitives without a point where a derivative is a convention (smooth wherever defined, or
# linear / multilinear in their inputs), and those that have no gradient at all.
SMOOTH = {
    "add": "linear", "sub": "linear", "neg": "linear", "mul": "bilinear",
    "exp": "smooth", "expm1": "smooth", "sin": "smooth", "cos": "smooth",
    "tan": "smooth on its domain (poles are outside it)", "tanh": "smooth",
    "sigmoid": "smooth", "erf": "smooth", "gelu": "smooth", "square": "smooth",
    "sum": "linear", "matmul": "bilinear", "outer": "bilinear", "linear": "affine",
    "conv": "bilinear", "conv_input_grad": "linear (conv's rule)",
    "conv_weight_grad": "linear (conv's rule)", "avg_pool": "linear",
    "avg_pool_transpose": "linear (avg_pool's rule)", "index_add": "linear (indexing's rule)",
    "index_put": "linear (writes values)", "take_along_axis": "a read (as getitem)",
    "pad": "linear (constant or index padding)", "astype": "identity up to rounding",
    "broadcast_to": "linear", "expand": "linear", "flatten": "linear", "flip": "linear",
    "permute": "linear", "repeat": "linear", "reshape": "linear", "squeeze": "linear",
    "tile": "linear", "transpose": "linear", "unsqueeze": "linear", "view": "linear",
    "clone": "identity", "alias": "identity (autograd.functional)",
    "embed": "linear (autograd.functional)", "select": "linear (autograd.functional)",
    "normalize": "smooth: eps > 0 guards the variance (checked at a constant row above)",
    "embedding_backward": "linear (embedding's rule)",
    "max_pool_scatter": "linear (max_pool's rule)", "max_pool_gather": "a read at fixed indices",
}


# --------------------------------------------------------------------------- computation
def _derivatives(f: Callable[[Tensor], Tensor], x0: list[float]) -> tuple[Any, ...]:
    """(value, gradient, Hessian, primitives recorded) of sum(c * f(x)) at x0, by tapegrad."""
    x = ag.tensor(np.array(x0, dtype=np.float64), requires_grad=True)
    with np.errstate(all="ignore"):  # the forward may warn like NumPy (1/0); the walk never does
        y = f(x)
        c = ag.tensor(np.arange(1.0, y.numel() + 1).reshape(y.shape))
        s = (y * c).sum()
    n = x.numel()
    if not s.requires_grad:
        return y.detach().cpu().numpy(), np.zeros(n), np.zeros((n, n)), set()
    (g,) = ag.grad(s, [x], create_graph=True)
    prims = _recorded(s) | _recorded(g)
    H = np.zeros((n, n))
    if g.requires_grad:
        for i in range(n):
            (h,) = ag.grad(g[i], [x], retain_graph=True, allow_unused=True)
            if h is not None:
                H[i] = h.cpu().numpy()
    return y.detach().cpu().numpy(), g.detach().cpu().numpy(), H, prims


def _recorded(t: Tensor) -> set[int]:
    """ids of the primitives recorded in ``t``'s graph (walked without recursion)."""
    seen: set[int] = set()
    nodes: set[int] = set()
    stack = [t]
    while stack:
        node = stack.pop()._node
        if node is None or id(node) in nodes:
            continue
        nodes.add(id(node))
        seen.add(id(node.prim))
        stack.extend(i for i in (node.inputs or ()) if i is not None)
    return seen


def _same(got: Any, want: Any, what: str, name: str) -> None:
    got = np.asarray(got, dtype=float)
    if isinstance(want, str):
        want = np.zeros_like(got) if want == "zero" else np.full_like(got, nan)
    want = np.asarray(want, dtype=float).reshape(got.shape)
    assert_array_equal(np.isnan(got), np.isnan(want),
                                  err_msg=f"{name}: nan pattern of {what}: {got} vs {want}")
    assert_allclose(got, want, rtol=1e-7, atol=1e-12,
                               err_msg=f"{name}: {what}: {got} vs {want}")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_documented_convention(case: Case):
    _, g, H, _ = _derivatives(case.f, case.x)
    if case.g is not None:
        _same(g, case.g, "gradient", case.name)
    if case.H is not None:
        _same(H, case.H, "Hessian", case.name)


def _torch_derivatives(f: Callable[[Any], Any], x0: list[float]) -> tuple[Any, ...]:
    import torch

    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    y = f(x)
    c = torch.arange(1.0, y.numel() + 1, dtype=torch.float64).reshape(y.shape)
    s = (y * c).sum()
    n = x.numel()
    if not s.requires_grad:
        return y.detach().cpu().numpy(), np.zeros(n), np.zeros((n, n))
    (g,) = torch.autograd.grad(s, [x], create_graph=True)
    H = np.zeros((n, n))
    if g.requires_grad:
        for i in range(n):
            (h,) = torch.autograd.grad(g[i], [x], retain_graph=True, allow_unused=True)
            if h is not None:
                H[i] = h.detach().numpy(force=True)
    return y.detach().cpu().numpy(), g.detach().cpu().numpy(), H


@pytest.mark.parametrize("case", [c for c in CASES if c.torch_f is not None],
                         ids=[c.name for c in CASES if c.torch_f is not None])
def test_matches_pytorch(case: Case):
    pytest.importorskip("torch")
    assert case.torch_f is not None
    v, g, H, _ = _derivatives(case.f, case.x)
    tv, tg, tH = _torch_derivatives(case.torch_f, case.x)
    # PyTorch's BCE guard is the float32 1e-12: a relative difference of 4e-9 at the guard
    rtol = 1e-7
    _close(v, tv, rtol, f"{case.name}: value")
    if "g" in case.deviates:
        assert not _equal(g, tg, rtol), f"{case.name}: no longer deviates in the gradient"
    else:
        _close(g, tg, rtol, f"{case.name}: gradient")
    if "H" in case.deviates:
        assert not _equal(H, tH, rtol), f"{case.name}: no longer deviates in the Hessian"
    else:
        _close(H, tH, rtol, f"{case.name}: Hessian")


def _equal(a: Any, b: Any, rtol: float) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.array_equal(np.isnan(a), np.isnan(b))
                and np.allclose(a, b, rtol=rtol, atol=1e-12, equal_nan=True))


def _close(a: Any, b: Any, rtol: float, what: str) -> None:
    assert _equal(a, b, rtol), f"{what}: tapegrad {np.asarray(a).tolist()} vs PyTorch " \
                               f"{np.asarray(b).tolist()}"


# ---------------------------------------------------------------------------- coverage
def _all_primitives() -> dict[int, tuple[Primitive, str]]:
    """Every Primitive defined at module level in ``autograd`` and ``nn``, by id."""
    found: dict[int, tuple[Primitive, str]] = {}
    for pkg in (ag, nn):
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            try:
                mod = importlib.import_module(info.name)
            except ImportError:  # an optional extra (e.g. autograd.testing without hypothesis)
                continue
            for attr, v in vars(mod).items():
                if isinstance(v, Primitive):
                    found.setdefault(id(v), (v, f"{info.name}.{attr}"))
    return found


def test_every_primitive_is_covered():
    # the cases and reasons of both files (the second continues this one for later ops)
    from test_conventions_more_ops import CASES as MORE_CASES
    from test_conventions_more_ops import SMOOTH as MORE_SMOOTH

    # which primitives the cases record is a property of the code: run them on the CPU, where
    # every path exists (on a GPU a host-only fast path, e.g. cross_entropy's for in-range class
    # targets, gives way to the general one, and its primitive would look uncovered)
    recorded: set[int] = set()
    before = ag.get_default_device()
    ag.set_default_device("cpu")
    try:
        for case in CASES + MORE_CASES:
            recorded |= _derivatives(case.f, case.x)[3]
    finally:
        ag.set_default_device(before)
    smooth = SMOOTH | MORE_SMOOTH
    missing = [
        f"{p.name} ({where})"
        for pid, (p, where) in sorted(_all_primitives().items(), key=lambda kv: kv[1][1])
        if pid not in recorded and p.name not in smooth and any(r is not None for r in p.vjps)
    ]
    assert not missing, (
        "primitives with no case at their kinks/ties/guards and no reason in SMOOTH: "
        + ", ".join(missing)
    )
