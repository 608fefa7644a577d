"""Norms: ``vector_norm``, ``matrix_norm`` and ``norm`` with ``torch.linalg``'s arguments.

All are compositions of recorded primitives (``abs``, ``sum``, ``amax``/``amin``, the p-norm of
``autograd.ops.reduction`` and ``svdvals``), so their gradients and second derivatives come from
those rules: the 2-norm's gradient at 0 is 0, ties of max/min norms share the gradient evenly.
"""

from __future__ import annotations

import math
from typing import Any

from ..backend import xp
from ..devices import is_device_array
from ._common import check_matrix, data


def _axes(dim: Any, nd: int, op: str) -> tuple[int, ...] | None:
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    out = []
    for d in dims:
        if not -max(nd, 1) <= d < max(nd, 1):
            raise ValueError(f"{op}: dim {d} is out of range for a tensor with {nd} dimension(s)")
        out.append(d % max(nd, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated dim in {dim!r}")
    return tuple(out) if nd else ()  # a 0-d tensor: dim 0 / -1 reduce over nothing


def vector_norm(x: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Any:
    """``(sum |x|^ord)^(1/ord)`` over ``dim`` (all elements by default), as
    ``torch.linalg.vector_norm``; ``ord`` may be any real number, ``inf``/``-inf`` (max/min
    magnitude) or 0 (the count of nonzeros, zero gradient).

    >>> import autograd as ag
    >>> v = ag.tensor([3.0, -4.0])
    >>> ag.linalg.vector_norm(v), ag.linalg.vector_norm(v, 1)
    (tensor(5.), tensor(7.))
    """
    d = data(x)
    if d.dtype.kind != "f" and dtype is None:
        raise TypeError(
            f"linalg.vector_norm: expected a floating point tensor, got dtype {d.dtype}"
        )
    if dtype is not None:
        x = astype(x, dtype)
    if isinstance(ord, (str, bool)):
        raise ValueError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    p = float(ord)
    axes = _axes(dim, d.ndim, "linalg.vector_norm")
    if p == 0:  # the number of nonzeros: piecewise constant, zero gradient
        return sum(where(x != 0, 1.0, x * 0.0), axis=axes, keepdims=keepdim)
    if p > 0 or p == -math.inf:
        return norm_p(x, p, axis=axes, keepdims=keepdim)
    # p < 0: a zero anywhere in a group makes its norm 0; there the gradient is 0 (PyTorch's
    # subgradient), so those groups are computed from ones (no inf * 0) and then replaced by 0
    zero = xp.any(d == 0, axis=axes, keepdims=True)
    if not is_device_array(zero) and not zero.any():  # (on a GPU no shortcut: a sync)
        return sum(abs(x) ** p, axis=axes, keepdims=keepdim) ** (1.0 / p)
    r = sum(abs(where(zero, 1.0, x)) ** p, axis=axes, keepdims=keepdim) ** (1.0 / p)
    return where(xp.any(d == 0, axis=axes, keepdims=keepdim), 0.0, r)


def _restore(r: Any, dims: tuple[int, int], keepdim: bool) -> Any:
    if keepdim:
        for d in sorted(dims):
            r = unsqueeze(r, d)
    return r


def matrix_norm(A: Any, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *,
                dtype: Any = None) -> Any:
    """Matrix norm over the two dims ``dim``, as ``torch.linalg.matrix_norm``: ``'fro'``,
    ``'nuc'`` (sum of singular values), ``2``/``-2`` (largest/smallest singular value),
    ``1``/``-1`` (max/min column sum of magnitudes), ``inf``/``-inf`` (max/min row sum).

    >>> import autograd as ag
    >>> ag.linalg.matrix_norm(ag.tensor([[1.0, -2.0], [3.0, 4.0]]), 1)
    tensor(6.)
    """
    shape = check_matrix(A, "linalg.matrix_norm")
    if dtype is not None:
        A = astype(A, dtype)
    dims = _axes(dim, len(shape), "linalg.matrix_norm")
    if dims is None or len(dims) != 2:
        raise ValueError(f"linalg.matrix_norm: dim must be a pair of dims, got {dim!r}")
    d0, d1 = dims
    if ord == "fro":
        return vector_norm(A, 2, dims, keepdim)
    if ord in ("nuc", 2, -2):
        s = svdvals(movedim(A, (d0, d1), (-2, -1)))
        r = s.sum(axis=-1) if ord == "nuc" else (amax if ord == 2 else amin)(s, axis=-1)
        return _restore(r, (d0, d1), keepdim)
    if ord in (1, -1, math.inf, -math.inf):
        # ord 1: max over columns of column sums (sum over rows d0); inf: the other way round
        over, pick = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = sum(abs(A), axis=over, keepdims=True)
        r = (amax if ord in (1, math.inf) else amin)(sums, axis=pick, keepdims=True)
        return r if keepdim else r.reshape(tuple(n for i, n in enumerate(r.shape) if i not in dims))
    raise ValueError(
        f"linalg.matrix_norm: unsupported ord {ord!r}; use 'fro', 'nuc', 2, -2, 1, -1, inf "
        "or -inf"
    )


def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
         dtype: Any = None) -> Any:
    """``torch.linalg.norm``: a vector norm when ``dim`` is an int (or ``ord`` and ``dim`` are
    both None: the 2-norm of all elements), a matrix norm when ``dim`` is a pair (or ``dim`` is
    None and the input is 2-D with ``ord`` given); a 1-D input with ``ord`` gives its vector
    norm.

    >>> import autograd as ag
    >>> ag.linalg.norm(ag.tensor([[3.0, 0.0], [0.0, 4.0]]))
    tensor(5.)
    """
    nd = data(A).ndim
    if dim is None and ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if isinstance(dim, int) or (dim is not None and len(tuple(dim)) == 1):
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    if dim is not None:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if nd == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    if nd == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    raise ValueError(
        f"linalg.norm: with ord={ord!r} and dim=None the input must be 1-D or 2-D, got {nd}-D; "
        "pass dim"
    )


from ..ops.arithmetic import abs, where  # noqa: E402
from ..ops.extrema import amax, amin  # noqa: E402
from ..ops.reduction import norm as norm_p  # noqa: E402
from ..ops.reduction import sum  # noqa: E402
from ..ops.shape import astype, unsqueeze  # noqa: E402
from ..ops.structure import movedim  # noqa: E402
from ._factor import svdvals  # noqa: E402
