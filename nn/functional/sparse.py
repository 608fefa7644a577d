"""Embedding lookup and one-hot encoding.

``embedding`` gathers rows of the weight; its gradient scatter-adds ``g`` into a zero matrix of
the weight's shape (``np.add.at``), skipping ``padding_idx`` like PyTorch.  The gather and the
scatter are each other's gradient, so double backward works.

>>> import autograd as ag, nn.functional as F
>>> w = ag.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]])
>>> F.embedding(ag.tensor([2, 1, 2]), w).tolist()
[[3.0, 4.0], [1.0, 2.0], [3.0, 4.0]]
"""

from __future__ import annotations

import math
from typing import Any

from autograd import tape
from autograd.anomaly import is_anomaly_enabled
from autograd.backend import xp
from autograd.devices import array_module, device_of, is_array, is_device_array, to_host, transfer
from autograd.grad_mode import no_grad
from autograd.primitive import Primitive
from autograd.tensor import Tensor

from ._utils import data, shape_of


def _gather_fwd(w: Any, *, indices: Any, padding_idx: int | None, mask: bool) -> Any:
    n = w.shape[0]
    if is_device_array(indices):  # out-of-range GPU indices come as n (see _indices): NaN rows
        y = w[xp.minimum(indices, n - 1)]
        y = xp.where((indices == n)[..., None], math.nan, y)
    else:
        y = w[indices]
    if mask and padding_idx is not None:
        y = y * (indices != padding_idx)[..., None]
    return y


def _scatter_fwd(g: Any, *, n: int, indices: Any, padding_idx: int | None) -> Any:
    dim = g.shape[-1]
    idx = indices.reshape(-1)
    rows = g.reshape(idx.size, dim)  # no -1: dim may be 0
    if is_device_array(idx):
        # no boolean selection (its size would be read back): dropped rows add zeros, and
        # out-of-range indices (n, see _indices) go nowhere
        keep = idx != n if padding_idx is None else (idx != n) & (idx != padding_idx)
        idx, rows = xp.minimum(idx, n - 1), xp.where(keep[:, None], rows, 0)
    elif padding_idx is not None:
        keep = idx != padding_idx
        idx, rows = idx[keep], rows[keep]
    m = array_module(g)
    out = m.zeros((n, dim), dtype=g.dtype)
    m.add.at(out, idx, rows)
    return out


def _dgather(g: Any, out: Any, w: Any, *, indices: Any, padding_idx: int | None,
             mask: bool) -> Any:
    return embedding_scatter.raw(g, n=w.shape[0], indices=indices, padding_idx=padding_idx)


def _dscatter(u: Any, out: Any, g: Any, *, n: int, indices: Any,
              padding_idx: int | None) -> Any:
    # the scatter drops padding rows, so its transpose gathers with them masked out
    return embedding_gather.raw(u, indices=indices, padding_idx=padding_idx, mask=True)


embedding_gather = Primitive("embedding", _gather_fwd, (_dgather,), reads_inputs=False)
embedding_scatter = Primitive("embedding_backward", _scatter_fwd, (_dscatter,),
                              reads_inputs=False)


def _indices(input: Any, num: int, op: str) -> Any:
    idx = data(input)
    if not is_array(idx):
        idx = xp.asarray(idx)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}: indices must be an integer tensor, got dtype {idx.dtype}")
    if is_device_array(idx):
        # checking GPU indices would read the result back (a sync in every step): they are
        # checked only in anomaly mode (see docs/differences.md); otherwise an index out of
        # range becomes ``num``, which the gather turns into a NaN row and the scatter drops
        if is_anomaly_enabled() and idx.size:
            _check_range(to_host(idx), num, op)
        inside = (idx >= -num) & (idx < num)
        return xp.where(inside, idx % num, num).astype(idx.dtype, copy=False)
    _check_range(idx, num, op)
    # a private copy: the rule reads it later, and the caller's array may change meanwhile
    return idx % num if idx.size and idx.min() < 0 else idx.copy()


def _check_range(idx: Any, num: int, op: str) -> None:
    """IndexError unless the host indices ``idx`` are in ``[-num, num)``."""
    if idx.size and (idx.min() < -num or idx.max() >= num):
        raise IndexError(
            f"{op}: index out of range: indices must be in [0, {num}), got values in "
            f"[{int(idx.min())}, {int(idx.max())}]"
        )


def _padding_idx(padding_idx: int | None, num: int, op: str) -> int | None:
    if padding_idx is None:
        return None
    if not -num <= padding_idx < num:
        raise ValueError(f"{op}: padding_idx must be within [-{num}, {num}), got {padding_idx}")
    return padding_idx % num


def embedding(
    input: Any, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
    norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False,
) -> Tensor:
    """Rows ``weight[input]``: ``input`` integer indices of any shape, ``weight (num, dim)``.

    ``max_norm``: rows referenced by ``input`` whose ``norm_type``-norm exceeds it are rescaled
    in place first (no gradient), as in PyTorch.
    """
    ws = shape_of(weight)
    if len(ws) != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, dim), got shape {ws}")
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse are not supported")
    idx = _indices(input, ws[0], "embedding")
    wd = weight._data if isinstance(weight, Tensor) else weight
    if is_device_array(wd) and not is_device_array(idx):
        # host indices (checked above) go to the table's GPU: the one copy the caller asked for,
        # as for index_select and x[idx]
        idx = transfer(idx, device_of(wd))
    pad = _padding_idx(padding_idx, ws[0], "embedding")
    if max_norm is not None:
        _renorm_rows(weight, idx, float(max_norm), float(norm_type))
    return embedding_gather(weight, indices=idx, padding_idx=pad, mask=False)


def _renorm_rows(weight: Tensor, idx: Any, max_norm: float, p: float) -> None:
    with no_grad():
        w = weight._data
        if is_device_array(w):
            # unique() and a selection of the big rows have data-dependent sizes (read back):
            # a GPU marks the referenced rows (index n: out of range, see _indices) and scales
            # every row, by 1 where it is not referenced or within the norm
            n = w.shape[0]
            m = array_module(w)
            used = m.zeros(n + 1, dtype=bool)
            used[idx.reshape(-1)] = True
            norms = (xp.abs(w) ** p).sum(axis=1) ** (1.0 / p)
            big = used[:n] & (norms > max_norm)
            w *= xp.where(big, max_norm / (norms + 1e-7), 1.0)[:, None].astype(w.dtype)
            tape.bump_version(weight)
            return
        rows = xp.unique(idx.reshape(-1))
        norms = (xp.abs(w[rows]) ** p).sum(axis=1) ** (1.0 / p)
        big = norms > max_norm
        if big.any():
            scale = max_norm / (norms[big] + 1e-7)
            w[rows[big]] *= scale[:, None].astype(w.dtype)
            tape.bump_version(weight)


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """``(*, num_classes)`` int64 one-hot encoding of non-negative integer class indices."""
    idx = data(tensor)
    if not is_array(idx):
        idx = xp.asarray(idx)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected an integer tensor, got dtype {idx.dtype}")
    # GPU values are checked (read back) only when the output shape needs them, as PyTorch's
    # num_classes=-1, or in anomaly mode; out-of-range ones then give all-zero rows
    host = idx if not is_device_array(idx) else (
        to_host(idx) if num_classes < 0 or is_anomaly_enabled() else None)
    if host is not None:
        if host.size and host.min() < 0:
            raise ValueError("one_hot: class values must be non-negative")
        if num_classes < 0:
            num_classes = int(host.max()) + 1 if host.size else 0
        elif host.size and host.max() >= num_classes:
            raise ValueError(
                f"one_hot: class values must be smaller than num_classes={num_classes}")
    classes = array_module(idx).arange(num_classes)
    return Tensor._make((idx[..., None] == classes).astype(xp.int64), None, False)
