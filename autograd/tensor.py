"""``Tensor``: an array (or a Python float) plus what autograd needs to differentiate through it.

Operators and methods delegate to the primitives in ``autograd.ops``; nothing here computes a
gradient.  A Tensor built from a Python float keeps the float (the scalar fast path): ``data``
turns it into a 0-d NumPy array the first time it is asked for.
"""

from __future__ import annotations

import builtins
import copy
import weakref
from collections.abc import Callable, Iterator
from typing import Any, Union

import numpy as np

from . import tape
from .backend import xp
from .tensor_more_ops import _MoreOpsMixin

ndarray = xp.ndarray
_new = object.__new__

DTypeLike = Union[str, type, np.dtype, None]


def as_dtype(dtype: Any, where: str = "tensor") -> np.dtype:
    """Normalise a dtype argument, with a clear error for unknown or unsupported ones."""
    try:
        dt = np.dtype(dtype)
    except TypeError as e:
        raise TypeError(
            f"{where}: unknown dtype {dtype!r}; use e.g. 'float32', 'float64', 'int64' or 'bool'"
        ) from e
    if dt.kind not in "biuf":
        raise TypeError(
            f"{where}: dtype {dt} is not supported; tensors hold bool, integer or floating data"
        )
    return dt


def _to_data(data: Any, dtype: Any, copy: bool) -> Any:
    """Array data for a new Tensor (a Python float when possible: the scalar fast path)."""
    if isinstance(data, Tensor):
        data = data._data
    t = type(data)
    if dtype is None and t is float:
        return data
    if t is str or t is bytes:
        raise TypeError(f"tensor: cannot make a tensor from a string ({data!r}); expected numbers")
    if dtype is not None:
        dt = as_dtype(dtype)
        if t is float and dt == np.float64:
            return data
        try:
            arr = xp.array(data, dtype=dt, copy=True) if copy else xp.asarray(data, dtype=dt)
        except (ValueError, TypeError) as e:
            raise TypeError(f"tensor: cannot convert {t.__name__} to {dt}: {e}") from e
        return arr
    try:
        arr = xp.array(data, copy=True) if copy else xp.asarray(data)
    except ValueError as e:
        raise ValueError(
            f"tensor: cannot make a tensor from {t.__name__} (ragged nested sequence?): {e}"
        ) from e
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"tensor: data of dtype {arr.dtype} (from {t.__name__}) is not supported; tensors hold "
            "bool, integer or floating numbers"
        )
    return arr


def _check_grad_dtype(data: Any) -> None:
    if type(data) is not float and data.dtype.kind != "f":
        raise RuntimeError(
            f"only floating point tensors can require gradients, got dtype {data.dtype}; "
            "convert with .float() / .double() (or dtype='float64') first"
        )


class Tensor(_MoreOpsMixin):
    """An n-dimensional array that records the operations applied to it for ``backward``.

    >>> import autograd as ag
    >>> x = ag.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    __slots__ = ("_data", "grad", "requires_grad", "_node", "_idx", "_vc", "_extra", "__weakref__")
    __array_priority__ = 1000  # ndarray (op) Tensor defers to Tensor's reflected operators

    _data: Any
    grad: Tensor | None
    requires_grad: bool

    def __init__(self, data: Any, requires_grad: bool = False, dtype: DTypeLike = None) -> None:
        d = _to_data(data, dtype, copy=False)
        if requires_grad:
            _check_grad_dtype(d)
        self._data = d
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._node: tape.Node | None = None
        self._idx = 0
        self._vc: list[int] | None = None
        self._extra: dict[str, Any] | None = None

    @staticmethod
    def _make(data: Any, node: tape.Node | None, requires_grad: bool) -> Tensor:
        """Fast internal constructor: no checks, no copies."""
        t = _new(Tensor)
        t._data = data
        t.grad = None
        t.requires_grad = requires_grad
        t._node = node
        t._idx = 0
        t._vc = None
        t._extra = None
        return t

    @staticmethod
    def _wrap_grad(g: Any) -> Tensor:
        return g if isinstance(g, Tensor) else Tensor._make(g, None, False)

    @staticmethod
    def _const(a: Any) -> Tensor:
        return Tensor._make(a, None, False)

    # ----------------------------------------------------------------------------- data access
    @property
    def data(self) -> Any:
        """The underlying array (a 0-d array for scalars). Changing it bypasses autograd."""
        d = self._data
        if type(d) is float:
            d = self._data = xp.asarray(d)
        return d

    @data.setter
    def data(self, value: Any) -> None:
        value = value._data if isinstance(value, Tensor) else value
        self._data = value if type(value) in (float, ndarray) else _to_data(value, None, False)

    @property
    def shape(self) -> tuple[int, ...]:
        d = self._data
        return () if type(d) is float else d.shape

    @property
    def ndim(self) -> int:
        d = self._data
        return 0 if type(d) is float else d.ndim

    @property
    def size(self) -> int:
        d = self._data
        return 1 if type(d) is float else int(d.size)

    def numel(self) -> int:
        return self.size

    def dim(self) -> int:
        return self.ndim

    @property
    def dtype(self) -> np.dtype:
        d = self._data
        return np.dtype(np.float64) if type(d) is float else d.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded operation (user-created tensors)."""
        return self._node is None

    @property
    def grad_fn(self) -> tape.Node | None:
        """The tape record that produced this tensor (``None`` for leaves)."""
        return self._node

    @property
    def _version(self) -> int:
        return tape.version(self._vc)

    def item(self) -> Any:
        d = self._data
        if type(d) is float:
            return d
        if d.size != 1:
            raise ValueError(
                f"item(): only one-element tensors can be converted to a Python scalar, "
                f"got shape {d.shape}"
            )
        return d.item()

    def numpy(self) -> np.ndarray:
        """The data as a NumPy array (shares memory). Refuses tensors that require grad."""
        if self.requires_grad:
            raise RuntimeError(
                "numpy(): can't call numpy() on a tensor that requires grad; use "
                "tensor.detach().numpy()"
            )
        from .backend import to_numpy

        return to_numpy(self.data)

    def tolist(self) -> Any:
        d = self._data
        return d if type(d) is float else d.tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """``np.asarray(t)`` shares the data; ``np.array(t)`` (``copy=True``) copies it."""
        from .backend import to_numpy

        a = to_numpy(self.data)
        if dtype is not None and a.dtype != np.dtype(dtype):
            if copy is False:
                raise ValueError(
                    f"__array__: converting a {a.dtype} tensor to {np.dtype(dtype)} needs a copy, "
                    "but copy=False was requested"
                )
            return a.astype(dtype)
        return a.copy() if copy else a

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """Route NumPy ufuncs (``np.exp(t)``, ``ndarray + t``) to the primitives, recorded."""
        from .interop import array_ufunc

        return array_ufunc(ufunc, method, inputs, kwargs)

    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        """Leaves only, like PyTorch: copying a recorded tensor would copy its whole graph (so
        its backward would reach copies of the leaves) and recurse once per record."""
        if self._node is not None:
            raise RuntimeError(
                "deepcopy: only tensors created explicitly by the user (graph leaves) support "
                f"deepcopy; this one was made by {self._node.name()}: copy t.detach().clone() "
                "(or keep the leaf) instead"
            )
        # the default protocol (what copy.deepcopy does for objects without __deepcopy__)
        reconstruct = getattr(copy, "_reconstruct")  # noqa: B009
        return reconstruct(self, memo, *self.__reduce_ex__(4))  # type: ignore[no-any-return]

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, outside the graph."""
        t = Tensor._make(self._data, None, False)
        if type(self._data) is not float:
            if self._vc is None:
                self._vc = []
            t._vc = self._vc
        return t

    def detach_(self) -> Tensor:
        self._node = None
        self.requires_grad = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if not self.is_leaf and not requires_grad:
            raise RuntimeError(
                "requires_grad_(False): you can only change requires_grad of leaf tensors; "
                "use detach() to get a tensor outside the graph"
            )
        if requires_grad:
            _check_grad_dtype(self._data)
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after ``backward``."""
        if not self.requires_grad:
            raise RuntimeError(
                "retain_grad(): can't retain_grad on a tensor that doesn't require grad"
            )
        node = self._node
        if node is None:
            return  # leaves always keep their grad
        if node.retained is None:
            node.retained = []
        if all(ref() is not self for _, ref in node.retained):
            node.retained.append((self._idx, weakref.ref(self)))

    @property
    def retains_grad(self) -> bool:
        node = self._node
        return node is not None and node.retained is not None and any(
            ref() is self for _, ref in node.retained
        )

    def backward(
        self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False
    ) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see ``autograd.backward``)."""
        _differentiate.backward(
            self, gradient, retain_graph=retain_graph, create_graph=create_graph
        )

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        from .hooks import register_tensor_hook

        return register_tensor_hook(self, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> Any:
        """Call ``hook(tensor)`` on a leaf after its ``.grad`` was accumulated."""
        from .hooks import register_post_accumulate_hook

        return register_post_accumulate_hook(self, hook)

    # ------------------------------------------------------------------------------- printing
    def __repr__(self) -> str:
        d = self._data
        body = repr(d) if type(d) is float else np.array2string(
            np.asarray(d), separator=", ", prefix="tensor("
        )
        extras = []
        if type(d) is not float and d.dtype not in (np.float64, np.int64, np.bool_):
            extras.append(f"dtype={d.dtype}")
        if self._node is not None:
            extras.append(f"grad_fn=<{self._node.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    def __str__(self) -> str:
        return self.__repr__()

    def __len__(self) -> int:
        d = self._data
        if type(d) is float or d.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return int(d.shape[0])

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        if self.size != 1:
            raise RuntimeError(
                f"Boolean value of a tensor with {self.size} elements is ambiguous; use .any() "
                "or .all()"
            )
        return bool(self.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.kind not in "iu" or self.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    __hash__ = object.__hash__

    # ------------------------------------------------------------------------ arithmetic
    # Operators call the primitive's one path as a plain function (``_apply(prim, ...)`` is
    # ``prim(...)`` without the interpreter's generic call of a callable instance: ~10% of a
    # scalar operation).
    def __add__(self, other: Any) -> Tensor:
        return _apply(_ops.add, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _apply(_ops.add, other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _apply(_ops.sub, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _apply(_ops.sub, other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _apply(_ops.mul, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _apply(_ops.mul, other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _apply(_ops.div, self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _apply(_ops.div, other, self)

    def __floordiv__(self, other: Any) -> Tensor:
        return _apply(_ops.floor_divide, self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _apply(_ops.floor_divide, other, self)

    def __mod__(self, other: Any) -> Tensor:
        return _apply(_ops.remainder, self, other)

    def __pow__(self, other: Any) -> Tensor:
        return _apply(_ops.pow, self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _apply(_ops.pow, other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _apply(_ops.matmul, self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _apply(_ops.matmul, other, self)

    def __neg__(self) -> Tensor:
        return _apply(_ops.neg, self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _apply(_ops.abs, self)

    # comparisons: non-differentiable bool tensors
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ops.eq(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ops.ne(self, other)

    def __lt__(self, other: Any) -> Tensor:
        return _ops.lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        return _ops.le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return _ops.gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return _ops.ge(self, other)

    def __invert__(self) -> Tensor:
        return _ops.logical_not(self)

    def __and__(self, other: Any) -> Tensor:
        return _ops.logical_and(self, other)

    def __or__(self, other: Any) -> Tensor:
        return _ops.logical_or(self, other)

    def __xor__(self, other: Any) -> Tensor:
        return _ops.logical_xor(self, other)

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        _ops.setitem(self, index, value)

    # ------------------------------------------------------------- in-place (autograd.inplace)
    def __iadd__(self, other: Any) -> Tensor:
        return _ops.add_(self, other, augmented=True)

    def __isub__(self, other: Any) -> Tensor:
        return _ops.sub_(self, other, augmented=True)

    def __imul__(self, other: Any) -> Tensor:
        return _ops.mul_(self, other, augmented=True)

    def __itruediv__(self, other: Any) -> Tensor:
        return _ops.div_(self, other, augmented=True)

    def __ipow__(self, other: Any) -> Tensor:
        return _ops.pow_(self, other, augmented=True)

    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        return _ops.add_(self, other if alpha == 1 else other * alpha)

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        return _ops.sub_(self, other if alpha == 1 else other * alpha)

    def mul_(self, other: Any) -> Tensor:
        return _ops.mul_(self, other)

    def div_(self, other: Any) -> Tensor:
        return _ops.div_(self, other)

    def pow_(self, other: Any) -> Tensor:
        return _ops.pow_(self, other)

    def zero_(self) -> Tensor:
        return _ops.fill_(self, 0.0)

    def fill_(self, value: Any) -> Tensor:
        return _ops.fill_(self, value)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        return _ops.clamp_(self, min, max)

    def copy_(self, src: Any) -> Tensor:
        return _ops.copy_(self, src)

    # -------------------------------------------------------------------- elementwise methods
    def exp(self) -> Tensor:
        return _ops.exp(self)

    def log(self) -> Tensor:
        return _ops.log(self)

    def log1p(self) -> Tensor:
        return _ops.log1p(self)

    def expm1(self) -> Tensor:
        return _ops.expm1(self)

    def sqrt(self) -> Tensor:
        return _ops.sqrt(self)

    def rsqrt(self) -> Tensor:
        return _ops.rsqrt(self)

    def square(self) -> Tensor:
        return _ops.square(self)

    def reciprocal(self) -> Tensor:
        return _ops.reciprocal(self)

    def sin(self) -> Tensor:
        return _ops.sin(self)

    def cos(self) -> Tensor:
        return _ops.cos(self)

    def tan(self) -> Tensor:
        return _ops.tan(self)

    def tanh(self) -> Tensor:
        return _ops.tanh(self)

    def sigmoid(self) -> Tensor:
        return _ops.sigmoid(self)

    def relu(self) -> Tensor:
        return _ops.relu(self)

    def abs(self) -> Tensor:
        return _ops.abs(self)

    def neg(self) -> Tensor:
        return _ops.neg(self)

    def sign(self) -> Tensor:
        return _ops.sign(self)

    def pow(self, exponent: Any) -> Tensor:
        return _ops.pow(self, exponent)

    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _ops.add(self, other) if alpha == 1 else _ops.variants.add(self, other, alpha=alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _ops.sub(self, other) if alpha == 1 else _ops.variants.sub(self, other, alpha=alpha)

    def mul(self, other: Any) -> Tensor:
        return _ops.mul(self, other)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return _ops.variants.div(self, other, rounding_mode=rounding_mode)

    def maximum(self, other: Any) -> Tensor:
        return _ops.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        return _ops.minimum(self, other)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        return _ops.clip(self, min, max)

    def clip(self, min: Any = None, max: Any = None) -> Tensor:
        return _ops.clip(self, min, max)

    # ---------------------------------------------------------------------------- reductions
    def sum(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None, dtype: Any = None) -> Tensor:
        return _ops.sum(self, axis, keepdims, dim=dim, keepdim=keepdim, dtype=dtype)

    def mean(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
             keepdim: bool | None = None, dtype: Any = None) -> Tensor:
        return _ops.mean(self, axis, keepdims, dim=dim, keepdim=keepdim, dtype=dtype)

    def prod(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
             keepdim: bool | None = None, dtype: Any = None) -> Tensor:
        return _ops.prod(self, axis, keepdims, dim=dim, keepdim=keepdim, dtype=dtype)

    def max(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None) -> Any:
        return _ops.max(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def min(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None) -> Any:
        return _ops.min(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def amax(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
             keepdim: bool | None = None) -> Tensor:
        return _ops.amax(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def amin(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
             keepdim: bool | None = None) -> Tensor:
        return _ops.amin(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def var(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None, ddof: int | None = None, unbiased: bool | None = None,
            correction: int | None = None) -> Tensor:
        return _ops.var(self, axis, keepdims, dim=dim, keepdim=keepdim, ddof=ddof,
                        unbiased=unbiased, correction=correction)

    def std(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None, ddof: int | None = None, unbiased: bool | None = None,
            correction: int | None = None) -> Tensor:
        return _ops.std(self, axis, keepdims, dim=dim, keepdim=keepdim, ddof=ddof,
                        unbiased=unbiased, correction=correction)

    def logsumexp(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
                  keepdim: bool | None = None) -> Tensor:
        return _ops.logsumexp(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def norm(self, p: Any = 2, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
             keepdim: bool | None = None) -> Tensor:
        return _ops.norm(self, p, axis, keepdims, dim=dim, keepdim=keepdim)

    def argmax(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
               keepdim: bool | None = None) -> Tensor:
        return _ops.argmax(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def argmin(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
               keepdim: bool | None = None) -> Tensor:
        return _ops.argmin(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def all(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
            keepdims: bool = False) -> Tensor:
        """True where every element (along ``dim``) is nonzero; a bool tensor without grad."""
        return _ops.all(self, dim, keepdim, axis=axis, keepdims=keepdims)  # type: ignore[no-any-return]

    def any(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
            keepdims: bool = False) -> Tensor:
        """True where some element (along ``dim``) is nonzero; a bool tensor without grad."""
        return _ops.any(self, dim, keepdim, axis=axis, keepdims=keepdims)  # type: ignore[no-any-return]

    def softmax(self, axis: Any = -1, *, dim: Any = None, dtype: Any = None) -> Tensor:
        return _ops.softmax(self, axis, dim=dim, dtype=dtype)

    def log_softmax(self, axis: Any = -1, *, dim: Any = None, dtype: Any = None) -> Tensor:
        return _ops.log_softmax(self, axis, dim=dim, dtype=dtype)

    # ------------------------------------------------------------------------ linear algebra
    def matmul(self, other: Any) -> Tensor:
        return _ops.matmul(self, other)

    def dot(self, other: Any) -> Tensor:
        return _ops.dot(self, other)

    def outer(self, other: Any) -> Tensor:
        return _ops.outer(self, other)

    # --------------------------------------------------------------------------------- shape
    def reshape(self, *shape: Any) -> Tensor:
        return _ops.reshape(self, *shape)

    def view(self, *shape: Any) -> Tensor:
        return _ops.view(self, *shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return _ops.flatten(self, start_dim, end_dim)

    def transpose(self, *axes: Any) -> Tensor:
        return _ops.transpose(self, *axes)

    def permute(self, *dims: Any) -> Tensor:
        return _ops.permute(self, *dims)

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        return _ops.swapaxes(self, axis1, axis2)

    @property
    def T(self) -> Tensor:
        return _ops.transpose(self)

    @property
    def mT(self) -> Tensor:
        return _ops.swapaxes(self, -1, -2)

    def squeeze(self, axis: Any = None, *, dim: Any = None) -> Tensor:
        return _ops.squeeze(self, axis, dim=dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return _ops.unsqueeze(self, dim)

    def expand(self, *sizes: Any) -> Tensor:
        return _ops.expand(self, *sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        return _ops.broadcast_to(self, other.shape)

    def broadcast_to(self, shape: Any) -> Tensor:
        return _ops.broadcast_to(self, shape)

    def repeat(self, *sizes: Any) -> Tensor:
        """PyTorch's ``repeat`` (tiles the tensor); NumPy's repeat is ``repeat_interleave``."""
        return _ops.tile(self, _varargs(sizes))

    def repeat_interleave(self, repeats: Any, dim: Any = None) -> Tensor:
        return _ops.repeat(self, repeats, axis=dim)

    def tile(self, *reps: Any) -> Tensor:
        return _ops.tile(self, _varargs(reps))

    def flip(self, *dims: Any) -> Tensor:
        return _ops.flip(self, dims[0] if len(dims) == 1 else (dims if dims else None))

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        """PyTorch's ``split``: pieces of the given size(s) along ``dim``."""
        return _ops.split_sizes(self, split_size_or_sections, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.chunk(self, chunks, dim)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.unbind(self, dim)

    def gather(self, dim: int, index: Any) -> Tensor:
        return _ops.gather(self, dim, index)

    def take_along_axis(self, indices: Any, axis: int) -> Tensor:
        return _ops.take_along_axis(self, indices, axis)

    def where(self, condition: Any, other: Any) -> Tensor:
        return _ops.where(condition, self, other)

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        return _ops.where(mask, value, self)

    # ----------------------------------------------------------------------------- dtypes
    def astype(self, dtype: Any) -> Tensor:
        return _ops.astype(self, dtype)

    def to(self, dtype: Any) -> Tensor:
        return _ops.astype(self, dtype)

    def float(self) -> Tensor:
        return _ops.astype(self, np.float32)

    def double(self) -> Tensor:
        return _ops.astype(self, np.float64)

    def half(self) -> Tensor:
        return _ops.astype(self, np.float16)

    def long(self) -> Tensor:
        return _ops.astype(self, np.int64)

    def int(self) -> Tensor:
        return _ops.astype(self, np.int32)

    def bool(self) -> Tensor:
        return _ops.astype(self, np.bool_)

    def clone(self) -> Tensor:
        return _ops.clone(self)

    def contiguous(self) -> Tensor:
        d = self._data
        if type(d) is float or d.flags.c_contiguous:
            return self
        return _ops.clone(self)

    def is_contiguous(self) -> builtins.bool:
        d = self._data
        return type(d) is float or bool(d.flags.c_contiguous)


def _varargs(args: tuple[Any, ...]) -> Any:
    """``f(2, 3)`` and ``f((2, 3))`` alike."""
    return args[0] if len(args) == 1 and not isinstance(args[0], int) else args


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


tape.Tensor = Tensor  # type: ignore[misc]  # the walker makes Tensors; tape is imported first

from . import differentiate as _differentiate  # noqa: E402
from . import ops as _ops  # noqa: E402  (primitives need Tensor defined first)
from .primitive import Primitive as _Primitive  # noqa: E402

_apply = _Primitive.__call__
