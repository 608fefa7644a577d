"""Linear algebra: matmul (1-D, 2-D, batched with broadcasting), dot, outer, einsum.

>>> import autograd as ag
>>> a = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> (a @ ag.tensor([1.0, 1.0])).sum().backward()
>>> a.grad
tensor([[1., 1.],
        [1., 1.]])
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..backend import xp
from ..primitive import Primitive
from ._place import xp_of

if TYPE_CHECKING:
    from ..tensor import Tensor

# --------------------------------------------------------------------------------- matmul


def _dmatmul_a(g: Any, out: Any, a: Any, b: Any) -> Any:
    if b.ndim == 1:
        # (..., n) @ (n,) -> (...): outer product of g with b
        return g[..., None] * b if a.ndim > 1 else g * b
    if a.ndim == 1:
        # (n,) @ (..., n, m) -> (..., m): the walker sums the batch dimensions away
        return (b @ g[..., None])[..., 0]
    return g @ b.swapaxes(-1, -2)


def _dmatmul_b(g: Any, out: Any, a: Any, b: Any) -> Any:
    if a.ndim == 1:
        return a[:, None] * g[..., None, :] if b.ndim > 1 else g * a
    if b.ndim == 1:
        return (a.swapaxes(-1, -2) @ g[..., None])[..., 0]
    return a.swapaxes(-1, -2) @ g


def check_same_float(op: str, a: Any, b: Any) -> None:
    """PyTorch's rule: two floating operands of different dtypes raise instead of computing
    silently in the wider one (``nn.Linear(3, 2).float()`` applied to float64 data)."""
    da, db = getattr(a, "dtype", None), getattr(b, "dtype", None)
    if da is not None and db is not None and da != db and da.kind == "f" and db.kind == "f":
        raise RuntimeError(
            f"{op}: expected both operands to have the same dtype, but got {da} and {db}; cast "
            "one of them (e.g. x.float() / x.double(), or module.float() / module.double())"
        )


def _matmul(a: Any, b: Any) -> Any:
    check_same_float("matmul", a, b)
    if xp.ndim(a) == 0 or xp.ndim(b) == 0:
        raise ValueError(
            "matmul: both operands need at least 1 dimension, got shapes "
            f"{xp.shape(a)} and {xp.shape(b)}; use * for scalars"
        )
    try:
        return xp.matmul(a, b)
    except ValueError as e:
        raise ValueError(
            f"matmul: shapes {xp.shape(a)} and {xp.shape(b)} are not aligned (the last dimension "
            "of the first must equal the second-to-last of the second (the only one for 1-D), "
            "and batch dimensions must broadcast)"
        ) from e


matmul = Primitive("matmul", _matmul, (_dmatmul_a, _dmatmul_b), doc="""\
Matrix product ``a @ b`` (``torch.matmul``, ``numpy.matmul``).

1-D operands are promoted and the added dimension removed, batch dimensions broadcast; the dtype
is NumPy's promotion.  Raises ValueError for 0-d or misaligned operands and RuntimeError for two
different float dtypes.""")


# ------------------------------------------------------------------------------ dot, outer
def dot(x: Any, other: Any) -> Tensor:
    """Inner product of two 1-D tensors of the same length, a 0-d tensor (``torch.dot``).

    Raises ValueError for other shapes: :func:`matmul` multiplies matrices, and NumPy's
    ``numpy.dot`` (any dimensions) works on Tensors through ``__array_function__``.

    >>> import autograd as ag
    >>> ag.dot(ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0]))
    tensor(11.)
    """
    sa, sb = tuple(xp.shape(x)), tuple(xp.shape(other))
    if len(sa) != 1 or len(sb) != 1 or sa != sb:
        raise ValueError(
            f"dot: expected two 1-D tensors of the same length, got shapes {sa} and {sb}; use "
            "matmul (or numpy.dot) for matrices"
        )
    return matmul(x, other)


def _np_dot(a: Any, b: Any) -> Any:
    """``numpy.dot``: 0-d operands multiply; ``b`` 1-D or both at most 2-D is :func:`matmul`;
    otherwise the last axis of ``a`` meets the second-to-last of ``b`` (no batch broadcasting)."""
    sa, sb = tuple(xp.shape(a)), tuple(xp.shape(b))
    if not sa or not sb:
        return mul(a, b)
    k = sb[0] if len(sb) == 1 else sb[-2]
    if sa[-1] != k:
        raise ValueError(
            f"dot: shapes {sa} and {sb} are not aligned: dimension {len(sa) - 1} of the first "
            f"({sa[-1]}) must equal dimension {max(len(sb) - 2, 0)} of the second ({k})"
        )
    if len(sb) == 1 or (len(sa) <= 2 and len(sb) <= 2):
        return matmul(a, b)
    la = string.ascii_letters[: len(sa) - 1]
    lb = string.ascii_letters[len(sa) - 1 : len(sa) + len(sb) - 2]
    return einsum(f"{la}Z,{lb[:-1]}Z{lb[-1]}->{la}{lb}", a, b)


def _douter_a(g: Any, out: Any, a: Any, b: Any) -> Any:
    return (g @ b.reshape(-1)).reshape(a.shape)


def _douter_b(g: Any, out: Any, a: Any, b: Any) -> Any:
    return (a.reshape(-1) @ g).reshape(b.shape)


outer = Primitive("outer", xp.outer, (_douter_a, _douter_b), doc="""\
Outer product ``out[i, j] = a.flat[i] * b.flat[j]``, shape ``(a.size, b.size)``.

The dtype is NumPy's promotion.  PyTorch: ``torch.outer`` (1-D operands); NumPy: ``numpy.outer``
(flattens others).""")


# ---------------------------------------------------------------------------------- einsum
_LETTERS = string.ascii_letters
_Spec = tuple[tuple[str, ...], str]  # one subscript string per operand, and the output's


def _parse(subscripts: str, shapes: list[tuple[int, ...]]) -> _Spec:
    """Subscripts with every ellipsis spelled out as letters, and the output made explicit."""
    s = subscripts.replace(" ", "")
    if s.count("->") > 1:
        raise ValueError(f"einsum: more than one '->' in {subscripts!r}")
    lhs, arrow, rhs = s.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(
            f"einsum: {subscripts!r} has {len(terms)} operand subscript(s) but {len(shapes)} "
            "operand(s) were given"
        )
    for t in terms + [rhs]:
        rest = t.replace("...", "", 1)
        bad = [c for c in rest if c not in _LETTERS]
        if bad:
            raise ValueError(
                f"einsum: invalid subscript character {bad[0]!r} in {subscripts!r}; use letters "
                "a-z, A-Z and at most one '...' per operand"
            )
    used = set(s) & set(_LETTERS)
    n_ell = []
    for i, (t, shape) in enumerate(zip(terms, shapes, strict=True)):
        named = len(t) - 3 if "..." in t else len(t)
        if len(shape) < named or ("..." not in t and len(shape) != named):
            raise ValueError(
                f"einsum: operand {i} has shape {shape} ({len(shape)} dimension(s)) but "
                f"subscripts {t!r} name {named}"
            )
        n_ell.append(len(shape) - named if "..." in t else 0)
    free = [c for c in _LETTERS if c not in used]
    width = max(n_ell, default=0)
    if width > len(free):
        raise ValueError(f"einsum: too many dimensions under '...' in {subscripts!r}")
    ell = "".join(free[:width])
    ins = tuple(t.replace("...", ell[width - n:]) for t, n in zip(terms, n_ell, strict=True))
    if not arrow:  # implicit output: broadcast dims, then letters used once, sorted (NumPy)
        letters = lhs.replace("...", "").replace(",", "")
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    elif "..." in rhs:
        out = rhs.replace("...", ell)
    else:
        if width:
            raise ValueError(
                f"einsum: {subscripts!r} has dimensions under '...' in the operands but no '...' "
                "in the output"
            )
        out = rhs
    if len(set(out)) != len(out):
        raise ValueError(f"einsum: output subscript {rhs!r} repeats a letter")
    missing = set(out) - set("".join(ins))
    if missing:
        raise ValueError(
            f"einsum: output letter {sorted(missing)[0]!r} does not appear in any operand of "
            f"{subscripts!r}"
        )
    _sizes((ins, out), shapes, subscripts)
    return ins, out


def _sizes(spec: _Spec, shapes: list[tuple[int, ...]], what: str = "") -> dict[str, int]:
    """Size of each letter (size-1 dimensions broadcast), checking that the operands agree."""
    sizes: dict[str, int] = {}
    for i, (t, shape) in enumerate(zip(spec[0], shapes, strict=True)):
        mine: dict[str, int] = {}
        for c, n in zip(t, shape, strict=True):
            if mine.setdefault(c, n) != n:
                raise ValueError(
                    f"einsum: operand {i} (shape {shape}) repeats {c!r} over dimensions of "
                    f"different sizes in {what!r}"
                )
            cur = sizes.get(c)
            if cur is None or cur == 1:
                sizes[c] = n
            elif n not in (1, cur):
                raise ValueError(
                    f"einsum: letter {c!r} has size {cur} in one operand and {n} in operand {i} "
                    f"(shapes {shapes}) in {what!r}"
                )
    return sizes


def _einsum_fwd(*ops: Any, spec: _Spec) -> Any:
    ins, out = spec
    # the optimizer contracts pairwise through BLAS; it pays off for many or large operands
    big = len(ops) > 2 or any(xp.size(o) > 4096 for o in ops)
    return xp.einsum(",".join(ins) + "->" + out, *ops, optimize=big)


def _einsum_rule(k: int) -> Callable[..., Any]:
    def rule(g: Any, out: Any, *ops: Any, spec: _Spec) -> Any:
        # d out / d ops[k]: contract g with every other operand onto ops[k]'s subscripts.  A
        # letter repeated in ops[k] (a diagonal, 'ii') gets a fresh letter tied to the first by
        # an identity matrix; a letter only ops[k] has (summed away) comes back through ones.
        ins, out_s = spec
        sizes = _sizes(spec, [tuple(o.shape) for o in ops])
        fresh = (c for c in _LETTERS if c not in set("".join(ins) + out_s))
        terms = [out_s] + [t for j, t in enumerate(ins) if j != k]
        args = [g] + [o for j, o in enumerate(ops) if j != k]
        have = set("".join(terms))
        target = []
        for c, n in zip(ins[k], ops[k].shape, strict=True):
            if c in target:
                f = next(fresh, None)
                if f is None:
                    raise ValueError("einsum: too many letters to differentiate this expression")
                terms.append(c + f)
                args.append(xp_of(g).eye(sizes[c], dtype=g.dtype))
                target.append(f)
                continue
            if c not in have and ins[k].count(c) == 1:
                terms.append(c)
                args.append(xp_of(g).ones(n, dtype=g.dtype))
                have.add(c)
            target.append(c)
        sub: _Spec = (tuple(terms), "".join(target))
        return _einsum_prim(len(args)).raw(*args, spec=sub)

    return rule


_einsum_prims: dict[int, Primitive] = {}


def _einsum_prim(n: int) -> Primitive:
    p = _einsum_prims.get(n)
    if p is None:
        p = _einsum_prims[n] = Primitive(
            "einsum", _einsum_fwd, tuple(_einsum_rule(k) for k in range(n))
        )
    return p


def einsum(subscripts: str, *operands: Any) -> Any:
    """Einstein summation with NumPy's subscripts (``'ij,jk->ik'``, implicit output, ``...``).

    Letters repeated within one operand take a diagonal (``'ii->i'``, trace ``'ii'``); size-1
    dimensions broadcast.  Differentiable in every operand, to any order.

    >>> import autograd as ag
    >>> a = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> ag.einsum("ii", a), ag.einsum("ij->j", a)
    (tensor(5.), tensor([4., 6.]))
    """
    if not isinstance(subscripts, str):
        raise TypeError(
            "einsum: the first argument must be a subscripts string such as 'ij,jk->ik' (the "
            "interleaved operand/sublist form is not supported)"
        )
    if not operands:
        raise ValueError("einsum: at least one operand is required")
    spec = _parse(subscripts, [tuple(xp.shape(o)) for o in operands])
    return _einsum_prim(len(operands))(*operands, spec=spec)


from .arithmetic import mul  # noqa: E402
