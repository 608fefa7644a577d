"""Norms and distances between vectors: ``normalize``, ``cosine_similarity``,
``pairwise_distance``.

All are compositions of ``autograd.norm`` (gradient 0 at the zero vector), ``clamp`` (a tie at the
bound sends the gradient to the input, as ``torch.clamp_min``) and arithmetic.

>>> import autograd as ag, nn.functional as F
>>> F.normalize(ag.tensor([[3.0, 4.0]])).tolist()
[[0.6, 0.8]]
>>> round(F.cosine_similarity(ag.tensor([[1.0, 0.0]]), ag.tensor([[1.0, 1.0]])).item(), 6)
0.707107
"""

from __future__ import annotations

from typing import Any

import autograd as ag
from autograd.backend import xp
from autograd.tensor import Tensor


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _check_dim(dim: int, ndim: int, op: str) -> int:
    lo = -max(ndim, 1)
    if not lo <= dim < max(ndim, 1):
        raise IndexError(f"{op}: dim {dim} is out of range for a {ndim}-D input")
    return dim


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Any = None) -> Tensor:
    """``x / max(||x||_p, eps)`` along ``dim``: unit-norm vectors, zero vectors stay zero.

    Same shape as ``input``.  Raises IndexError for a ``dim`` out of range; ``out`` is not
    supported (ValueError).  PyTorch: ``torch.nn.functional.normalize``.
    """
    if out is not None:
        raise ValueError("normalize: out= is not supported; use the returned tensor")
    x = _t(input)
    _check_dim(dim, x.ndim, "normalize")
    n = ag.norm(x, p, dim=dim, keepdim=True) if x.ndim else ag.abs(x)  # 0-d: |x|
    return x / ag.clamp(n, min=float(eps))


def clamp_min_value(x: Tensor, lo: float) -> Tensor:
    """``x`` with values below ``lo`` raised to ``lo``, the gradient passing through unchanged.

    PyTorch clamps some guards in place under ``no_grad`` (``cosine_similarity``'s norms,
    ``gaussian_nll_loss``'s variance): the value is clamped, the gradient is the identity.
    Adding the constant difference reproduces exactly that.
    """
    d = x._data
    return x + Tensor(xp.maximum(d, lo) - d)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``x1 . x2 / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim`` (inputs broadcast).

    As in PyTorch the ``eps`` clamp changes the norms' values only; their gradient is taken
    as if unclamped.  The result has the broadcast shape without ``dim``.  Raises IndexError
    for a ``dim`` out of range, ValueError for shapes that do not broadcast.
    PyTorch: ``torch.nn.functional.cosine_similarity``.
    """
    a, b = _t(x1), _t(x2)
    try:
        shape = _broadcast(a.shape, b.shape)
    except ValueError as e:
        raise ValueError(
            f"cosine_similarity: shapes {tuple(a.shape)} and {tuple(b.shape)} do not broadcast"
        ) from e
    _check_dim(dim, len(shape), "cosine_similarity")
    if a.dtype.kind != "f":
        a = a.astype("float64")
    if b.dtype.kind != "f":
        b = b.astype("float64")
    na = clamp_min_value(ag.norm(a, 2, dim=dim, keepdim=True), float(eps))
    nb = clamp_min_value(ag.norm(b, 2, dim=dim, keepdim=True), float(eps))
    return ((a / na) * (b / nb)).sum(dim=dim)


def _broadcast(s1: tuple[int, ...], s2: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(xp.broadcast_shapes(tuple(s1), tuple(s2)))


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` over the last dimension (inputs broadcast).

    The ``eps`` inside the norm keeps the gradient finite when ``x1 == x2`` (PyTorch's choice).
    Raises ValueError for shapes that do not broadcast.
    PyTorch: ``torch.nn.functional.pairwise_distance``.
    """
    a, b = _t(x1), _t(x2)
    try:
        _broadcast(a.shape, b.shape)
    except ValueError as e:
        raise ValueError(
            f"pairwise_distance: shapes {tuple(a.shape)} and {tuple(b.shape)} do not broadcast"
        ) from e
    d = a - b + eps
    if d.ndim == 0:
        return ag.abs(d)
    return ag.norm(d, p, dim=-1, keepdim=keepdim)
