"""``Tensor``: an array (or a Python float) plus what autograd needs to differentiate through it.

This module is the core: construction, data access, the autograd state and Python's protocols.
Operators and methods live in mixins (``tensor_operators``, ``tensor_math``, ``tensor_shape``)
and delegate to the primitives in ``autograd.ops``; nothing here computes a gradient.  A Tensor
built from a Python float keeps the float (the scalar fast path) until an array is needed.
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Callable, Iterator
from typing import Any, Union

import numpy as np

from . import devices as _dev
from . import tape
from .backend import xp
from .dtypes import get_default_dtype, is_default_float64
from .tensor_device import TensorDevice
from .tensor_math import TensorMath
from .tensor_more_ops import _MoreOpsMixin
from .tensor_operators import TensorOperators
from .tensor_shape import TensorShape

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


def _to_data(data: Any, dtype: Any, copy: bool, device: Any = None) -> Any:
    """Array data for a new Tensor (a Python float when possible: the scalar fast path).

    ``device`` (a device, a string or None): where the data goes.  None keeps device data where
    it is and puts host data (lists, numbers, NumPy arrays) on the default device, the CPU
    unless ``autograd.set_default_device`` chose another."""
    if isinstance(data, Tensor):
        data = data._data
    if device is None and _dev._cuda_type is None:  # no GPU in use: host data (the hot path)
        return _host_data(data, dtype, copy)
    if device is None:
        if _dev._default is not None and not _dev.is_device_array(data):
            return _dev.transfer(_host_data(data, dtype, copy), _dev._default)
    else:
        target = _dev.resolve(device)
        if target.type != "cpu" or _dev.is_device_array(data):
            if _dev.device_of(data) == target:
                return _device_data(data, dtype, copy)
            host = _dev.to_host(data) if _dev.is_device_array(data) else data
            return _dev.transfer(_host_data(host, dtype, False), target)
    if _dev.is_device_array(data):
        return _device_data(data, dtype, copy)
    return _host_data(data, dtype, copy)


def _device_data(data: Any, dtype: Any, copy: bool) -> Any:
    """GPU array data, cast to ``dtype`` and copied when asked, staying on its device."""
    if dtype is not None:
        dt = as_dtype(dtype)
        if data.dtype != dt:
            return data.astype(dt)
    return data.copy() if copy else data


def _host_data(data: Any, dtype: Any, copy: bool) -> Any:
    """Host (NumPy) data for a new tensor; a Python float stays a float (the scalar path)."""
    t = type(data)
    if dtype is None and t is float and is_default_float64():
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
        if arr.dtype == np.float64 and not isinstance(data, (ndarray, np.generic)):
            # Python floats take the default dtype (PyTorch); NumPy data keeps its own
            default = get_default_dtype()
            if default != np.float64:
                arr = arr.astype(default)
    except ValueError as e:
        raise ValueError(
            f"tensor: cannot make a tensor from {t.__name__} (ragged nested sequence?): {e}"
        ) from e
    except TypeError as e:
        raise TypeError(
            f"tensor: cannot make a tensor from {t.__name__}: {e}; a list of tensors on a GPU "
            "is autograd.stack(list)"
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


class Tensor(TensorOperators, TensorMath, TensorShape, TensorDevice, _MoreOpsMixin):
    """An n-dimensional array that records the operations applied to it for ``backward``.

    ``Tensor(data, requires_grad=False, dtype=None)`` wraps ``data`` without copying it (use
    :func:`autograd.tensor` for a copy).  Methods and operators mean what PyTorch's mean; NumPy's
    functions called on a Tensor (``numpy.var(t)``) mean what NumPy's mean and are recorded too.
    Raises TypeError for strings or unsupported dtypes, RuntimeError for ``requires_grad`` on
    non-floating data.

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

    def __init__(self, data: Any, requires_grad: bool = False, dtype: DTypeLike = None,
                 device: Any = None) -> None:
        """Wrap ``data`` (see the class docstring)."""
        d = _to_data(data, dtype, copy=False, device=device)
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
        """``g`` as a Tensor (gradients may be arrays or Tensors)."""
        return g if isinstance(g, Tensor) else Tensor._make(g, None, False)

    @staticmethod
    def _const(a: Any) -> Tensor:
        """A constant (no grad) Tensor around the array ``a``."""
        return Tensor._make(a, None, False)

    # data access (the data, shape and dtype)
    @property
    def _array(self) -> Any:
        """The underlying array (a Python-float scalar becomes a 0-d array, kept from then on)."""
        d = self._data
        if type(d) is float:
            d = self._data = xp.asarray(d)
        return d

    @property
    def data(self) -> Tensor:
        """This tensor's data as a new Tensor outside the graph, sharing storage.

        ``requires_grad`` is False; in-place changes through it (``lin.weight.data.fill_(0.)``)
        change this tensor without autograd noticing (no version bump), as ``torch.Tensor.data``.
        Assigning ``t.data = other`` (a Tensor or array) replaces the data.  The NumPy array
        itself is ``t.numpy()`` (or ``numpy.asarray(t)``); ``detach()`` is the tracked variant.
        """
        return Tensor._make(self._array, None, False)

    @data.setter
    def data(self, value: Any) -> None:
        value = value._data if isinstance(value, Tensor) else value
        self._data = (
            value if type(value) in (float, ndarray) or _dev.is_device_array(value)
            else _to_data(value, None, False)
        )

    @property
    def shape(self) -> tuple[int, ...]:
        """The sizes of the dimensions, a tuple of ints (``torch.Tensor.shape``)."""
        d = self._data
        return () if type(d) is float else d.shape

    @property
    def ndim(self) -> int:
        """The number of dimensions (``torch.Tensor.ndim``)."""
        d = self._data
        return 0 if type(d) is float else d.ndim

    def size(self, dim: int | None = None) -> Any:
        """``size()``: the shape (a tuple of ints); ``size(d)``: the size of dimension ``d``
        (negative counts from the end; IndexError if out of range), as ``torch.Tensor.size``.
        NumPy's element count is :meth:`numel`."""
        shape = self.shape
        if dim is None:
            return shape
        nd = len(shape)
        if not -nd <= dim < nd:
            raise IndexError(
                f"size: dimension {dim} is out of range for a tensor with {nd} dimension(s)"
            )
        return shape[dim]

    def numel(self) -> int:
        """The number of elements (``torch.Tensor.numel``; NumPy's ``ndarray.size``)."""
        d = self._data
        return 1 if type(d) is float else int(d.size)

    def dim(self) -> int:
        """The number of dimensions, ``ndim`` (``torch.Tensor.dim``)."""
        return self.ndim

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype of the data (``autograd.float64`` ...)."""
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
        """The value of a one-element tensor as a Python number; ValueError otherwise."""
        d = self._data
        if type(d) is float:
            return d
        if d.size != 1:
            raise ValueError(
                f"item(): only one-element tensors can be converted to a Python scalar, "
                f"got shape {d.shape}"
            )
        return _dev.to_host(d).item()  # a GPU value is copied to the host: asked for

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The data as a NumPy array sharing memory (``torch.Tensor.numpy``).

        Raises RuntimeError for a tensor that requires grad unless ``force=True`` (or use
        ``t.detach().numpy()``), so a gradient is never dropped by accident."""
        if self.requires_grad and not force:
            raise RuntimeError(
                "numpy(): can't call numpy() on a tensor that requires grad; use "
                "tensor.detach().numpy() (or numpy(force=True))"
            )
        d = self._array
        if _dev.is_device_array(d):
            if not force:
                raise TypeError(_host_only("numpy()", d))
            return _dev.to_host(d)  # type: ignore[no-any-return]
        return d  # type: ignore[no-any-return]

    def tolist(self) -> Any:
        """The data as (nested) Python lists of numbers; a number for a 0-d tensor."""
        d = self._data
        return d if type(d) is float else _dev.to_host(d).tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """``np.asarray(t)`` shares the data; ``np.array(t)`` (``copy=True``) copies it.

        Raises RuntimeError for a tensor that requires grad (as PyTorch): converting it would
        silently drop its gradient (``np.sum([t, t])``, ``np.asarray(t)``); use
        ``t.detach().numpy()``, or a NumPy function on the tensor itself, which is recorded."""
        if self.requires_grad:
            raise RuntimeError(
                "can't convert a tensor that requires grad to a NumPy array (its gradient would be "
                "lost); use tensor.detach().numpy(), or call the NumPy function on the tensor "
                "itself (np.sum(t), np.stack([t, u])), which is recorded"
            )
        a = self._array
        if _dev.is_device_array(a):
            raise TypeError(_host_only("numpy.asarray()", a))
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

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        """Route NumPy functions (``np.var(t)``, ``np.split(t, 2)``) to recorded primitives with
        NumPy's meaning (``autograd.numpy_functions``)."""
        from .numpy_functions import array_function

        return array_function(func, types, args, kwargs)

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
        """Make this tensor a leaf outside the graph, in place (``torch.Tensor.detach_``)."""
        self._node = None
        self.requires_grad = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` of a leaf in place and return it; RuntimeError for non-leaves
        (to False) and non-floating dtypes (``torch.Tensor.requires_grad_``)."""
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
        """True for a non-leaf whose ``.grad`` is kept (see :meth:`retain_grad`)."""
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

    # printing and Python's protocols
    def __repr__(self) -> str:
        d = self._data
        body = repr(d) if type(d) is float else np.array2string(
            _dev.to_host(d), separator=", ", prefix="tensor("
        )
        extras = []
        if _dev.is_device_array(d):
            extras.append(f"device='{_dev.device_of(d)}'")
        if type(d) is not float and d.dtype not in (np.float64, np.int64, np.bool_):
            extras.append(f"dtype={d.dtype}")
        if self._node is not None:
            extras.append(f"grad_fn=<{self._node.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    def __str__(self) -> str:
        return self.__repr__()

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"``: a one-element 0-d tensor formats as its number (copied to the host
        if on a GPU), as ``torch.Tensor.__format__``; others only with an empty spec."""
        if self.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError(
                f"unsupported format string {spec!r} for a tensor of shape {tuple(self.shape)}; "
                "format its elements (t.tolist()) or a 0-d tensor"
            )
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
        if self.numel() != 1:
            raise RuntimeError(
                f"Boolean value of a tensor with {self.numel()} elements is ambiguous; use .any() "
                "or .all()"
            )
        return bool(self.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.kind not in "iu" or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    __hash__ = object.__hash__



def _host_only(what: str, d: Any) -> str:
    return (
        f"{what}: can't convert a {_dev.device_of(d)} device type tensor to numpy; use "
        "Tensor.cpu() to copy the tensor to host memory first"
    )


def is_tensor(obj: Any) -> bool:
    """True if ``obj`` is a Tensor (``torch.is_tensor``)."""
    return isinstance(obj, Tensor)


tape.Tensor = Tensor  # type: ignore[misc]  # the walker makes Tensors; tape is imported first

from . import differentiate as _differentiate  # noqa: E402
from . import ops as _ops  # noqa: E402  (primitives need Tensor defined first)
from . import tensor_device as _td  # noqa: E402
from . import tensor_math as _tm  # noqa: E402
from . import tensor_operators as _to  # noqa: E402
from . import tensor_shape as _ts  # noqa: E402
from .primitive import Primitive as _Primitive  # noqa: E402

# the mixins call the primitives, which need Tensor
_to._ops = _tm._ops = _ts._ops = _td._ops = _ops
# Operators call the primitive's one path as a plain function (``_apply(prim, ...)`` is
# ``prim(...)`` without the interpreter's generic call of a callable instance: ~10% of a
# scalar operation).
_to._apply = _Primitive.__call__
