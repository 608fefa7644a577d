"""Loss functions: regression (MSE, L1, Huber, smooth L1) and classification (cross-entropy, NLL,
binary cross-entropy with probabilities or logits).  ``reduction`` is ``'mean' | 'sum' | 'none'``.

Cross-entropy is one fused, stable primitive.  For logits ``z`` and per-class target weights
``q`` (one-hot rows, smoothed labels or probabilities, times the class weights) the per-sample
loss is ``-sum_c q_c log softmax(z)_c`` and its gradient is ``sum(q) * softmax(z) - q``: with plain
one-hot targets, ``softmax - target`` (seed 000, eq. 25), then divided per the reduction.  The
everyday case (integer targets for ``(N, C)`` logits, no weights or smoothing, ``'mean'`` or
``'sum'``) is a second primitive that also folds in the reduction, with the same results.

>>> import autograd as ag, nn.functional as F
>>> z = ag.tensor([[2.0, 0.0, 0.0]], requires_grad=True)
>>> loss = F.cross_entropy(z, ag.tensor([0]))
>>> loss.backward()
>>> [round(v, 4) for v in z.grad.tolist()[0]]
[-0.213, 0.1065, 0.1065]
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import autograd as ag
from autograd.anomaly import is_anomaly_enabled
from autograd.backend import xp
from autograd.devices import array_module, device_of, is_array, is_device_array, to_host, transfer
from autograd.primitive import Primitive
from autograd.tensor import Tensor

from ._utils import data, shape_of

_REDUCTIONS = ("mean", "sum", "none")


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _reduce(loss: Tensor, reduction: str, denom: Any = None) -> Tensor:
    """Apply the reduction; ``denom`` overrides the element count for ``'mean'``."""
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return total
    n = loss.numel() if denom is None else denom
    if is_array(n):  # a GPU count: divided there, the empty case without reading it back
        return _mean_on_device(total, n)
    if n == 0:
        return mean_of_nothing(total)
    return total / n


def _mean_on_device(total: Tensor, n: Any) -> Tensor:
    """``total / n`` for a count ``n`` kept on the GPU (a 0-d array): where ``n`` is 0 (``total``
    is then 0) the loss is nan with a zero gradient, as :func:`mean_of_nothing`, decided on the
    device."""
    empty = n == 0
    dt = total.dtype
    safe = xp.where(empty, 1, n).astype(dt)
    return total / safe + xp.where(empty, math.nan, 0).astype(dt)


def mean_of_nothing(total: Tensor) -> Tensor:
    """The ``'mean'`` of a sum whose count (or summed weight) is 0: every target ignored, class
    weights summing to 0, an empty batch.  The loss is nan, like PyTorch; its gradient is 0,
    also like PyTorch (``total * nan`` would make every gradient nan, and one optimizer step
    would destroy the weights): the sum enters only through ``* 0``."""
    return total * 0.0 + math.nan


def _check_reduction(reduction: str, op: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _check_same_shape(input: Any, target: Any, op: str) -> None:
    a, b = shape_of(input), shape_of(target)
    if a != b:
        warnings.warn(
            f"{op}: using a target size {b} that is different to the input size {a}; this "
            "will likely lead to incorrect results due to broadcasting",
            UserWarning, stacklevel=3,
        )


# ----------------------------------------------------------------------------- regression
def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean squared error ``(input - target)^2`` (gradient ``2 (input - target)``, seed eq. 21)."""
    _check_reduction(reduction, "mse_loss")
    _check_same_shape(input, target, "mse_loss")
    d = _t(input) - target
    return _reduce(d * d, reduction)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean absolute error ``|input - target|``."""
    _check_reduction(reduction, "l1_loss")
    _check_same_shape(input, target, "l1_loss")
    return _reduce(ag.abs(_t(input) - target), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",
               delta: float = 1.0) -> Tensor:
    """Quadratic ``0.5 d^2`` for ``|d| < delta``, linear ``delta (|d| - delta / 2)`` beyond."""
    _check_reduction(reduction, "huber_loss")
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    _check_same_shape(input, target, "huber_loss")
    d = _t(input) - target
    ad = ag.abs(d)
    loss = ag.where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta))
    return _reduce(loss, reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """``0.5 d^2 / beta`` for ``|d| < beta``, ``|d| - beta / 2`` beyond (``beta=0``: L1)."""
    _check_reduction(reduction, "smooth_l1_loss")
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    _check_same_shape(input, target, "smooth_l1_loss")
    d = _t(input) - target
    ad = ag.abs(d)
    if beta == 0:
        return _reduce(ad, reduction)
    loss = ag.where(ad < beta, (0.5 / beta) * d * d, ad - 0.5 * beta)
    return _reduce(loss, reduction)


# -------------------------------------------------------------------------- cross-entropy
def _log_softmax_np(z: Any, axis: int) -> Any:
    if z.size == 0:  # no classes (or no rows): NumPy's initial=-inf, which CuPy lacks
        shape = tuple(1 if i == axis % z.ndim else n for i, n in enumerate(z.shape))
        m = array_module(z).full(shape, -math.inf, dtype=z.dtype)
    else:
        m = z.max(axis=axis, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)
    zs = z - m
    with xp.errstate(divide="ignore"):
        return zs - xp.log(xp.exp(zs).sum(axis=axis, keepdims=True))


def _soft_ce_fwd(z: Any, q: Any, *, axis: int) -> Any:
    logp = _log_softmax_np(z, axis)
    with xp.errstate(invalid="ignore"):
        prod = q * logp
    # a -inf logit with q = 0 contributes 0, not nan (a GPU does it without asking first)
    if is_device_array(logp) or not xp.isfinite(logp).all():
        prod = xp.where(q == 0, 0, prod)
    return -prod.sum(axis=axis)


def _expand(g: Any, axis: int) -> Any:
    shape = list(g.shape)
    shape.insert(axis, 1)
    return g.reshape(tuple(shape))


def _dsoft_ce_z(g: Any, out: Any, z: Any, q: Any, *, axis: int) -> Any:
    if isinstance(z, Tensor) or isinstance(q, Tensor) or isinstance(g, Tensor):
        p = ag.softmax(z, axis=axis)
    else:
        p = xp.exp(_log_softmax_np(z, axis))
    # sum(q) * softmax - q; with one-hot q this is softmax - target (seed 000, eq. 25)
    return _expand(g, axis) * (q.sum(axis=axis, keepdims=True) * p - q)


def _dsoft_ce_q(g: Any, out: Any, z: Any, q: Any, *, axis: int) -> Any:
    if isinstance(z, Tensor) or isinstance(g, Tensor):
        logp = ag.log_softmax(z, axis=axis)
    else:
        logp = _log_softmax_np(z, axis)
    return -_expand(g, axis) * logp


soft_cross_entropy = Primitive("cross_entropy", _soft_ce_fwd, (_dsoft_ce_z, _dsoft_ce_q))


def _class_axis(shape: tuple[int, ...], op: str) -> int:
    if len(shape) == 0:
        raise ValueError(f"{op}: input must have at least 1 dimension (classes), got a scalar")
    return 0 if len(shape) == 1 else 1


def _on_input_device(a: Any, x: Tensor) -> Any:
    """Plain host data (a list, a NumPy array) given with a GPU input, copied to the input's
    device once checked: the caller handed host data for a GPU loss.  Tensors stay where they
    are (a CPU tensor with a GPU input is the device mismatch error, as in PyTorch)."""
    if is_device_array(x._data) and not is_device_array(a):
        return transfer(a, device_of(x._data))
    return a


def _class_weight(weight: Any, c: int, op: str) -> Any:
    if weight is None:
        return None
    w = data(weight)
    if not is_array(w):
        w = xp.asarray(w)
    if w.shape != (c,):
        raise ValueError(f"{op}: weight must have shape ({c},) (one per class), got {w.shape}")
    return w


def _index_targets(
    target: Any, shape: tuple[int, ...], axis: int, ignore_index: int, op: str
) -> tuple[Any, Any, Any]:
    """Validated class indices (ignored ones replaced by 0), the mask of counted entries and
    the mask of out-of-range entries (None when they were checked).

    Host targets are checked here (IndexError).  GPU targets are checked only in anomaly mode
    (``autograd.set_detect_anomaly``): otherwise the check would read a flag back every step; an
    out-of-range entry then makes its loss (and gradient) NaN instead (docs/differences.md)."""
    t = data(target)
    if not is_array(t):
        t = xp.asarray(t)
    if t.dtype.kind not in "iu":  # floats would silently match no class (or a wrong one)
        raise TypeError(f"{op}: target must hold class indices (an integer dtype), got dtype "
                        f"{t.dtype}")
    expect = shape[:axis] + shape[axis + 1:]
    if t.shape != expect:
        raise ValueError(
            f"{op}: expected target of shape {expect} (class indices) for input of shape {shape}, "
            f"got {t.shape}"
        )
    c = shape[axis]
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= c))
    if is_device_array(bad):
        if is_anomaly_enabled():  # the opt-in debug mode reads them back
            _check_targets(to_host(t), to_host(bad), c, ignore_index, op)
        counted = valid & ~bad
        return xp.where(counted, t, 0), counted, bad
    _check_targets(t, bad, c, ignore_index, op)
    return xp.where(valid, t, 0), valid, None


def _check_targets(t: Any, bad: Any, c: int, ignore_index: int, op: str) -> None:
    """IndexError naming the first out-of-range entry of the host targets ``t``, if any."""
    if bad.any():
        raise IndexError(
            f"{op}: target {int(t[bad].reshape(-1)[0])} is out of bounds for {c} classes "
            f"(ignore_index={ignore_index})"
        )


def _poison(q: Any, bad: Any, axis: int) -> Any:
    """``q`` with NaN in the rows of out-of-range GPU targets (see ``_index_targets``)."""
    return q if bad is None else xp.where(xp.expand_dims(bad, axis), math.nan, q)


def _one_hot(t: Any, c: int, axis: int, dtype: Any) -> Any:
    classes = array_module(t).arange(c).reshape((c,) + (1,) * (t.ndim - axis))
    return (xp.expand_dims(t, axis) == classes).astype(dtype)


# The common case fused into one primitive: integer class targets for (N, C) logits, no class
# weights, no smoothing, 'mean' or 'sum', every target a class.  The same arithmetic as the
# general path (so the same values and gradients, bit for bit) without building one-hot targets
# or recording separate sum and division steps.  Rows are tiny here, so the ufunc reductions are
# called directly (cheaper than the methods) and the non-finite fallback costs one check.
def _shifted(z: Any) -> tuple[Any, Any]:
    """``z`` minus its row maxima (non-finite maxima: 0, as the general path) and the rows'
    log-sum-exp of that, both keeping the class axis."""
    # (the ufunc's reduce is the cheaper call on the CPU; CuPy has no maximum.reduce)
    m = z.max(axis=1, keepdims=True) if is_device_array(z) else xp.maximum.reduce(
        z, axis=1, keepdims=True)
    if is_device_array(m) or not xp.isfinite(m).all():  # (a GPU takes it without asking)
        zs = z - xp.where(xp.isfinite(m), m, 0)
        with xp.errstate(divide="ignore"):
            return zs, xp.log(xp.add.reduce(xp.exp(zs), axis=1, keepdims=True))
    zs = z - m
    return zs, xp.log(xp.add.reduce(xp.exp(zs), axis=1, keepdims=True))


# On a GPU the targets cannot be checked without reading them back, so there the primitive also
# gets ``ignore_index`` and handles every target itself, as the general path would: ignored
# entries count for nothing, out-of-range ones give NaN (loss and that row's gradient), and
# 'mean' divides by the number of counted entries, kept on the device (none: a NaN loss with
# zero gradient, the "mean of nothing" convention).
def _row_weights(target: Any, c: int, ignore_index: int | None) -> tuple[Any, Any, Any]:
    """Class indices safe to gather with, each row's weight (1, 0 if ignored, NaN if out of
    range) and the count of counted rows; host targets (checked before) need none of that."""
    if ignore_index is None:
        return target, None, target.shape[0]
    valid = target != ignore_index
    inrange = (target >= 0) & (target < c)
    safe = xp.where(inrange, target, 0)
    w = xp.where(valid, xp.where(inrange, 1.0, math.nan), 0.0)
    return safe, w, valid.sum()


def _ce_index_fwd(z: Any, *, target: Any, mean: bool, ignore_index: int | None = None) -> Any:
    zs, lse = _shifted(z)
    t, w, n = _row_weights(target, z.shape[1], ignore_index)
    rows = (xp if w is None else array_module(z)).arange(z.shape[0])
    per_sample = lse[:, 0] - zs[rows, t]  # -log softmax(z)[n, t[n]]
    if w is None:  # host targets, all checked: n >= 1 rows
        total = per_sample.sum()
        return total / n if mean else total
    per_sample = xp.where(w != 0, per_sample * w, 0.0)  # (ignored: 0 even if z is inf)
    total = per_sample.sum()
    return total / n if mean else total  # (n = 0 on a GPU: NaN, the mean of nothing)


def _dce_index(g: Any, out: Any, z: Any, *, target: Any, mean: bool,
               ignore_index: int | None = None) -> Any:
    """``(softmax(z) - onehot(target)) * g``, divided by N for 'mean' (seed 000, eq. 25)."""
    t, w, n = _row_weights(target, z.shape[1], ignore_index)
    scale = g / n if mean else g  # (n = 0 only on a GPU, where NumPy's warnings do not apply)
    if w is not None:  # per row: the weight times the scale, 0 for ignored rows even if n = 0
        scale = xp.where(w != 0, w * scale, 0.0)[:, None]
    if isinstance(z, Tensor) or isinstance(g, Tensor):  # create_graph: record it, from primitives
        cls = array_module(t).arange(z.shape[1])
        onehot = (t[:, None] == cls).astype(z.dtype)
        return (ag.softmax(z, axis=1) - onehot) * scale
    zs, lse = _shifted(z)
    p = xp.exp(zs - lse)  # a fresh array: finished in place
    p[(xp if w is None else array_module(p)).arange(z.shape[0]), t] -= 1
    p *= scale
    return p


cross_entropy_index = Primitive("cross_entropy", _ce_index_fwd, (_dce_index,))


def _fast_targets(x: Tensor, target: Any, weight: Any, ignore_index: int, reduction: str,
                  label_smoothing: float) -> Any:
    """The targets as a private index array when the fused primitive applies, else None."""
    if weight is not None or label_smoothing or reduction == "none":
        return None
    xd = x._data
    if type(xd) is float or xd.ndim != 2 or xd.dtype.kind != "f" or xd.shape[0] == 0:
        return None
    if is_device_array(xd):  # GPU targets are not checked here (that would read them back)
        t = target._data if isinstance(target, Tensor) else target
        if (not is_device_array(t) or device_of(t) != device_of(xd) or t.dtype.kind not in "iu"
                or t.shape != xd.shape[:1] or is_anomaly_enabled()):
            return None  # the general path: host targets, errors, the opt-in check
        return t.astype(xp.int64)  # a private copy (later in-place changes must not leak in)
    if 0 <= ignore_index < xd.shape[1]:
        return None  # a class that may be ignored: the general path counts them
    t = target._data if isinstance(target, Tensor) else target
    if type(t) is not xp.ndarray:
        if not isinstance(t, (list, tuple)):
            return None
        t = xp.asarray(t)
    if t.dtype.kind not in "iu" or t.shape != xd.shape[:1]:
        return None
    # a copy (later in-place changes to the target must not leak in); negatives wrap to huge
    # values, so one comparison checks 0 <= t < C
    tu = t.astype(xp.uintp)
    if tu.max() >= xd.shape[1]:
        return None  # the general path explains bad targets or handles ignore_index
    return tu


def cross_entropy(
    input: Tensor, target: Any, weight: Any = None, ignore_index: int = -100,
    reduction: str = "mean", label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of logits ``input`` (``(C,)``, ``(N, C)`` or ``(N, C, d1, ...)``) and

    * class indices ``target`` (integer, shape without the class axis), with optional class
      ``weight``, ``ignore_index`` and ``label_smoothing``; ``'mean'`` divides by the summed
      weights of the counted targets (PyTorch's convention), or
    * class probabilities ``target`` (floating, same shape as ``input``); ``'mean'`` divides by
      the number of samples.

    Stable for any logits (log-softmax with the maximum subtracted).
    """
    op = "cross_entropy"
    _check_reduction(reduction, op)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing}")
    x = _t(input)
    tf = _fast_targets(x, target, weight, ignore_index, reduction, label_smoothing)
    if tf is not None:
        if is_device_array(tf):
            return cross_entropy_index(x, target=tf, mean=reduction == "mean",
                                       ignore_index=int(ignore_index))
        return cross_entropy_index(x, target=tf, mean=reduction == "mean")
    shape = shape_of(x)
    axis = _class_axis(shape, op)
    c = shape[axis]
    dt = x.dtype if x.dtype.kind == "f" else xp.dtype(xp.float64)
    w = _class_weight(weight, c, op)
    if w is not None and not isinstance(weight, Tensor):
        w = _on_input_device(w, x)
    wb = None if w is None else w.astype(dt).reshape((c,) + (1,) * (len(shape) - axis - 1))
    tdt = target.dtype if isinstance(target, Tensor) else (
        target.dtype if is_array(target) else xp.asarray(target).dtype)
    eps = float(label_smoothing)
    if tdt.kind == "f":  # class probabilities
        if shape_of(target) != shape:
            raise ValueError(
                f"{op}: probability targets must have the input's shape {shape}, got "
                f"{shape_of(target)}"
            )
        q: Any = target
        if not isinstance(target, Tensor):
            q = _on_input_device(target if is_array(target) else xp.asarray(target), x)
        if eps:
            q = q * (1.0 - eps) + eps / c
        if wb is not None:
            q = q * wb
        loss = soft_cross_entropy(x, q, axis=axis)
        denom = math.prod(shape) // c if c else 0
        return _reduce(loss, reduction, denom)
    if tdt.kind not in "iu":
        raise TypeError(f"{op}: target must hold class indices (int) or probabilities (float), "
                        f"got dtype {tdt}")
    t, valid, bad = _index_targets(target, shape, axis, ignore_index, op)
    if not isinstance(target, Tensor):
        t, valid = _on_input_device(t, x), _on_input_device(valid, x)
    qa = _one_hot(t, c, axis, dt)
    if eps:
        qa = qa * (1.0 - eps) + eps / c
    if wb is not None:
        qa = qa * wb
    qa *= xp.expand_dims(valid, axis).astype(dt)
    loss = soft_cross_entropy(x, _poison(qa, bad, axis), axis=axis)
    if reduction != "mean":
        return _reduce(loss, reduction)
    return _reduce(loss, reduction, _count(valid, w, t))


def _count(valid: Any, w: Any, t: Any) -> Any:
    """The 'mean' denominator: counted targets, or their summed class weights; a Python number
    for host data, a 0-d array for GPU data (not read back)."""
    denom = valid.sum() if w is None else (w[t] * valid).sum()
    if is_device_array(denom):
        return denom
    return float(denom) if w is not None else int(denom)


def nll_loss(
    input: Tensor, target: Any, weight: Any = None, ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of log-probabilities ``input``: ``-weight[t] * input[n, t]``."""
    op = "nll_loss"
    _check_reduction(reduction, op)
    x = _t(input)
    shape = shape_of(x)
    axis = _class_axis(shape, op)
    c = shape[axis]
    dt = x.dtype if x.dtype.kind == "f" else xp.dtype(xp.float64)
    w = _class_weight(weight, c, op)
    if w is not None and not isinstance(weight, Tensor):
        w = _on_input_device(w, x)
    t, valid, bad = _index_targets(target, shape, axis, ignore_index, op)
    if not isinstance(target, Tensor):
        t, valid = _on_input_device(t, x), _on_input_device(valid, x)
    q = _one_hot(t, c, axis, dt) * xp.expand_dims(valid, axis).astype(dt)
    if w is not None:
        q = q * w.astype(dt).reshape((c,) + (1,) * (len(shape) - axis - 1))
    loss = -(x * _poison(q, bad, axis)).sum(axis=axis)
    if reduction != "mean":
        return _reduce(loss, reduction)
    return _reduce(loss, reduction, _count(valid, w, t))


# ------------------------------------------------------------------------------- binary
_LOG_FLOOR = math.exp(-100.0)  # log(x) clamped at -100, like PyTorch's BCE


def _bce_fwd(x: Any, t: Any) -> Any:
    lx = xp.log(xp.maximum(x, _LOG_FLOOR))
    l1x = xp.log(xp.maximum(1 - x, _LOG_FLOOR))
    return -(t * lx + (1 - t) * l1x)


_BCE_EPS = 1e-12


def _bce_grad_fwd(x: Any, t: Any) -> Any:
    return (x - t) / xp.maximum(x * (1 - x), _BCE_EPS)


def _dbce_grad_x(g: Any, out: Any, x: Any, t: Any) -> Any:
    # PyTorch's second derivative (x^2 - 2xt + t) / ((x + eps)^2 (1 - x + eps)^2): the exact
    # t / x^2 + (1 - t) / (1 - x)^2 away from 0 and 1, kept finite there by the same eps, rather
    # than the derivative of the clamp max(x (1 - x), eps), which is 1 / eps at the guard
    a = x + _BCE_EPS
    b = 1 - x + _BCE_EPS
    return g * (x * x - 2 * x * t + t) / (a * a * b * b)


def _dbce_grad_t(g: Any, out: Any, x: Any, t: Any) -> Any:
    return -g / ag.maximum.raw(x * (1 - x), _BCE_EPS)


# d(BCE)/dx as a primitive of its own, so that its derivative is chosen at the guard too
_bce_grad = Primitive("binary_cross_entropy_grad", _bce_grad_fwd, (_dbce_grad_x, _dbce_grad_t))


def _dbce_x(g: Any, out: Any, x: Any, t: Any) -> Any:
    # PyTorch's form: (x - t) / max(x (1 - x), 1e-12) stays finite at x = 0 and x = 1
    return g * _bce_grad.raw(x, t)


def _dbce_t(g: Any, out: Any, x: Any, t: Any) -> Any:
    lx = ag.log.raw(ag.maximum.raw(x, _LOG_FLOOR))
    l1x = ag.log.raw(ag.maximum.raw(1 - x, _LOG_FLOOR))
    return g * (l1x - lx)


binary_cross_entropy_p = Primitive("binary_cross_entropy", _bce_fwd, (_dbce_x, _dbce_t))


def _require_same_shape(input: Any, target: Any, op: str) -> None:
    # BCE does not broadcast (PyTorch raises too): (N, 1) against (N,) would silently be (N, N)
    if shape_of(input) != shape_of(target):
        raise ValueError(
            f"{op}: target size {shape_of(target)} must be the same as input size "
            f"{shape_of(input)}"
        )


def binary_cross_entropy(
    input: Tensor, target: Tensor, weight: Any = None, reduction: str = "mean"
) -> Tensor:
    """``-w (t log x + (1 - t) log(1 - x))`` for probabilities ``x``; logs clamped at -100."""
    op = "binary_cross_entropy"
    _check_reduction(reduction, op)
    _require_same_shape(input, target, op)
    xd = data(input)
    inside = None
    if is_device_array(xd) and not is_anomaly_enabled():
        inside = (xd >= 0) & (xd <= 1)  # checked on the device: outside gives NaN, no read-back
    elif xd.size and not to_host((xd >= 0) & (xd <= 1)).all():
        raise ValueError(f"{op}: all elements of input should be between 0 and 1")
    loss = binary_cross_entropy_p(input, target)
    if inside is not None:
        loss = ag.where(inside, loss, math.nan)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor, target: Tensor, weight: Any = None, reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """BCE on logits, stable for any ``x``: ``(1 - t) x + (1 + (pw - 1) t) softplus(-x)``.

    ``softplus(-x) = -log sigmoid(x)`` is evaluated as ``max(-x, 0) + log1p(exp(-|x|))``, exact
    in both tails; the gradient is ``sigmoid(x) - t`` without ``pos_weight``.
    """
    op = "binary_cross_entropy_with_logits"
    _check_reduction(reduction, op)
    _require_same_shape(input, target, op)
    x = _t(input)
    sp = ag.softplus(-x, threshold=math.inf)  # no linear cut-off: exact for every x
    if pos_weight is None:
        loss = (1 - target) * x + sp
    else:
        loss = (1 - target) * x + (1 + (pos_weight - 1) * target) * sp
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(input: Tensor, target: Tensor, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """KL divergence with ``input`` log-probabilities: ``target (log target - input)``.

    ``reduction='batchmean'`` divides the sum by the batch size (the mathematically correct
    mean); ``'mean'`` divides by the number of elements, like PyTorch.
    """
    op = "kl_div"
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError(f"{op}: reduction must be 'mean', 'batchmean', 'sum' or 'none', got "
                         f"{reduction!r}")
    _check_same_shape(input, target, op)  # (N, 1) against (N,) would broadcast to (N, N)
    x = _t(input)
    if log_target:
        loss = ag.exp(target) * (target - x)
    else:
        t = _t(target)
        # xlogy(t, t) - t x, with 0 log 0 = 0 (masked, so the target's gradient at t = 0 is
        # nan: d(t log t)/dt = log t + 1 has no finite limit there; PyTorch's xlogy gives nan too)
        with xp.errstate(invalid="ignore"):
            tlogt = ag.where(t == 0, 0.0, t * ag.log(t))
        loss = tlogt - t * x
    if reduction == "batchmean":
        n = shape_of(x)[0] if len(shape_of(x)) else 1
        return loss.sum() / n
    return _reduce(loss, reduction)
