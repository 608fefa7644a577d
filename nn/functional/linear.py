"""``linear``: ``y = x W^T + b`` as one fused primitive (one tape record instead of three).

Measured against the composed ``x @ w.T + b`` (forward + backward, float64): about 1.2x faster
for small layers (32 x 16 -> 16, where per-record overhead dominates) and 1.8x for 256 x 784 ->
128 (the composed weight gradient goes through an extra transpose).

Seed 000's formulas, for a batch of row vectors ``x`` (N, in), ``delta = dL/dy`` (N, out):
``dL/dW = delta^T x`` (out, in), ``dL/db = sum of delta over the batch``,
``dL/dx = delta W``.  The rules use only ``@``, ``reshape`` and ``swapaxes``, so they also run on
Tensors and the layer has derivatives of every order.

>>> import autograd as ag, nn.functional as F
>>> x = ag.tensor([[1.0, 2.0]]); w = ag.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
>>> F.linear(x, w, ag.tensor([0.0, 0.0, 1.0])).tolist()
[[1.0, 2.0, 4.0]]
"""

from __future__ import annotations

import math
from typing import Any

from autograd.backend import xp
from autograd.ops.linalg import check_same_float
from autograd.primitive import Primitive
from autograd.tensor import Tensor

from ._utils import shape_of


def _linear_fwd(x: Any, w: Any, b: Any = None) -> Any:
    y = xp.matmul(x, w.T)
    if b is not None:
        if y.dtype == b.dtype and y.ndim:
            y += b
        else:
            y = y + b
    return y


def _dlinear_x(g: Any, out: Any, x: Any, w: Any, *b: Any) -> Any:
    # delta_prev = delta W  (seed 000, eq. 15)
    return g @ w


def _dlinear_w(g: Any, out: Any, x: Any, w: Any, *b: Any) -> Any:
    # dL/dW = delta^T x, summed over every batch dimension (seed 000, eq. 8, transposed layout)
    n_out, n_in = w.shape
    if x.ndim == 1:
        return g.reshape(n_out, 1) * x.reshape(1, n_in)
    # rows (no -1: size 0); math.prod of shapes, not .size: under create_graph x and g are Tensors
    m = math.prod(x.shape) // n_in if n_in else math.prod(g.shape) // n_out if n_out else 0
    return g.reshape(m, n_out).swapaxes(0, 1) @ x.reshape(m, n_in)


def _dlinear_b(g: Any, out: Any, x: Any, w: Any, b: Any) -> Any:
    return g  # dL/db = delta; the walker sums it over the batch (broadcast) dimensions


linear_p = Primitive("linear", _linear_fwd, (_dlinear_x, _dlinear_w, _dlinear_b))


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` for ``input (*, in)``, ``weight (out, in)``, ``bias (out,)``.

    Raises ValueError for mismatched shapes and RuntimeError for an input and weight of two
    different float dtypes (``torch.nn.functional.linear``)."""
    check_same_float("linear", input, weight)
    ws, xs = shape_of(weight), shape_of(input)
    if len(ws) != 2:
        raise ValueError(f"linear: weight must be 2-D (out_features, in_features), got shape {ws}")
    if len(xs) == 0 or xs[-1] != ws[1]:
        raise ValueError(
            f"linear: input of shape {xs} does not match weight of shape {ws}: the last input "
            f"dimension must be in_features={ws[1]}"
        )
    if bias is None:
        return linear_p(input, weight)
    if shape_of(bias) != (ws[0],):
        raise ValueError(f"linear: bias must have shape ({ws[0]},), got {shape_of(bias)}")
    return linear_p(input, weight, bias)
