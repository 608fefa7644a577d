"""PyTorch call forms of existing operations: ``div(rounding_mode=)``, ``add/sub(alpha=)``,
``all/any(dim, keepdim)``, ``repeat_interleave`` with tensor repeats.

These are the functions ``autograd.div``/``add``/``sub``/... (and the Tensor methods of the same
names): each routes to the primitives in ``arithmetic``/``shape`` with the extra argument
applied, so the plain operators (``a / b``, ``a + b``) keep their direct, cheaper path.

>>> import autograd as ag
>>> a = ag.tensor([-7.0, 7.0])
>>> ag.div(a, 2, rounding_mode="trunc"), ag.div(a, 2, rounding_mode="floor")
(tensor([-3.,  3.]), tensor([-4.,  3.]))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..backend import xp
from ..devices import array_module, is_array, is_device_array, to_host
from ..primitive import Primitive
from ._args import reduce_args


def _trunc_divide(a: Any, b: Any) -> Any:
    if xp.result_type(a, b).kind in "biu":  # integers: exact, rounding toward zero
        q = xp.floor_divide(a, b)
        return q + ((q < 0) & (q * b != a))
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.trunc(xp.true_divide(a, b))


def _floor_divide(a: Any, b: Any) -> Any:
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.floor_divide(a, b)


def _zero(g: Any, out: Any, a: Any, b: Any) -> Any:
    from .rounding import _zero_grad

    return _zero_grad(g, out, a)


# rounded quotients are piecewise constant: zero gradients (PyTorch's convention)
_div_trunc = Primitive("div", _trunc_divide, (_zero, _zero))
_div_floor = Primitive("div", _floor_divide, (_zero, _zero))


def div(a: Any, b: Any, *, rounding_mode: str | None = None) -> Any:
    """``a / b`` (true division), or rounded with ``rounding_mode='trunc'`` (toward zero) or
    ``'floor'`` (toward -inf), as ``torch.div``.  Rounded quotients have zero gradients; for
    integers they are exact integers.  Raises ValueError for another mode."""
    if rounding_mode is None:
        return _arith.div(a, b)
    if rounding_mode == "trunc":
        return _div_trunc(a, b)
    if rounding_mode == "floor":
        return _div_floor(a, b)
    raise ValueError(
        f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}"
    )


divide = div


def add(a: Any, b: Any, *, alpha: Any = 1) -> Any:
    """``a + alpha * b`` (``torch.add``)."""
    return _arith.add(a, b if alpha == 1 else _arith.mul(b, alpha))


def sub(a: Any, b: Any, *, alpha: Any = 1) -> Any:
    """``a - alpha * b`` (``torch.sub``)."""
    return _arith.sub(a, b if alpha == 1 else _arith.mul(b, alpha))


subtract = sub


def _bool_reduce(fn: Any, x: Any, dim: Any, keepdim: Any, axis: Any, keepdims: Any,
                 op: str) -> Any:
    from ..tensor import Tensor
    from .reduction import _norm_axis

    ax, keep = reduce_args(dim, keepdim, axis, keepdims, op)  # keepdims= overrides keepdim
    d = x._data if isinstance(x, Tensor) else x
    d = d if is_array(d) else xp.asarray(d)
    ax = _norm_axis(d, ax, op)
    r = fn(d, axis=ax, keepdims=keep)
    return Tensor._make(r if is_array(r) else xp.asarray(r), None, False)


def all(x: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
        keepdims: bool | None = None) -> Any:
    """True where every element along ``dim`` (all by default; an int or a tuple) is nonzero;
    a bool tensor without gradient (``torch.all``)."""
    return _bool_reduce(xp.all, x, dim, keepdim, axis, keepdims, "all")


def any(x: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
        keepdims: bool | None = None) -> Any:
    """True where some element along ``dim`` is nonzero (``torch.any``)."""
    return _bool_reduce(xp.any, x, dim, keepdim, axis, keepdims, "any")


def repeat_interleave(x: Any, repeats: Any = None, dim: int | None = None, *,
                      output_size: int | None = None) -> Any:
    """``torch.repeat_interleave``: repeat each element ``repeats`` times (an int, or a tensor of
    one count per element along ``dim``) along ``dim`` (``None``: the flattened tensor).

    The one-argument form ``repeat_interleave(counts)`` returns ``i`` repeated ``counts[i]``
    times (int64).  Gradients of repeated elements add up.
    """
    if repeats is None:
        d = getattr(x, "_data", x)
        # the counts decide the output's length: read on the host (PyTorch syncs here too)
        r = to_host(d) if is_device_array(d) else np.asarray(d)
        if r.ndim != 1 or r.dtype.kind not in "iu":
            raise ValueError(
                f"repeat_interleave: the one-argument form takes a 1-D integer tensor of counts, "
                f"got dtype {r.dtype} and shape {r.shape}"
            )
        from ..tensor import Tensor

        mod = array_module(d)  # the result lives where the counts came from
        counts = r if mod is np else r.tolist()  # CuPy takes host counts as a list
        return Tensor._make(mod.repeat(mod.arange(r.size, dtype=np.int64), counts), None, False)
    out = _shape._np_repeat(x, repeats, dim)
    if output_size is not None and out.shape[0 if dim is None else dim] != output_size:
        raise ValueError(
            f"repeat_interleave: output_size={output_size} does not match the result's size "
            f"{out.shape[0 if dim is None else dim]}"
        )
    return out


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """``torch.where``: ``input`` where ``condition`` holds, else ``other`` (broadcast together;
    each gets the gradient where it was chosen).  With the condition alone, the indices of its
    nonzero elements as a tuple of 1-D int64 tensors, one per dim (``nonzero(as_tuple=True)``,
    so ``x[where(c)]`` selects like ``x[c]``).  TypeError when only one of input/other is given.
    NumPy: ``numpy.where`` (the same two forms).

    >>> import autograd as ag
    >>> x = ag.tensor([[1.0, 5.0], [7.0, 2.0]])
    >>> x[ag.where(x > 3)]
    tensor([5., 7.])
    """
    if input is None and other is None:
        return _queries.nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where: expected where(condition) or where(condition, input, other), "
                        "got only one of input/other")
    return _arith.where(condition, input, other)


from . import arithmetic as _arith  # noqa: E402
from . import queries as _queries  # noqa: E402
from . import shape as _shape  # noqa: E402
