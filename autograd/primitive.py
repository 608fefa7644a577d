"""Primitives: an operation's forward and its gradient rules, defined once, side by side.

A :class:`Primitive` owns a forward function on arrays and one vector-Jacobian product (VJP) rule
per differentiable input.  Calling it on Tensors computes the forward and, when recording,
appends a record to the tape (``autograd.tape``).  Everything else in tapegrad (Tensor methods,
operators, ``nn``) is built by calling primitives.

Rules have the signature ``rule(g, out, *args, **params)``: ``g`` is the gradient of the output,
``out`` the forward result (only for ``save_out=True`` primitives, else ``None``), ``args`` the
forward's inputs.  A rule returns the gradient for its input in the *broadcast* shape; the walker
sums it back to the input's shape (one helper for every primitive).

Rules are written with operators, array methods that Tensors share (``reshape``, ``sum``,
``swapaxes``, ...) and other primitives called through :meth:`Primitive.raw`.  Normally they run on
plain arrays; under ``create_graph=True`` the same code runs on Tensors and is itself recorded,
which is how gradients of gradients work.

>>> import autograd as ag
>>> from autograd.primitive import Primitive
>>> cube = Primitive("cube", lambda x: x ** 3, (lambda g, out, x: g * 3 * x ** 2,))
>>> x = ag.tensor(2.0, requires_grad=True)
>>> y = cube(x)
>>> y.backward()
>>> x.grad.item()
12.0
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from .backend import xp
from .grad_mode import state
from .tape import Node, track_views

ndarray = xp.ndarray
Rule = Callable[..., Any]

_SCALAR_ERRORS = (ArithmeticError, ValueError)
_NAMED = re.compile(r"[A-Za-z_][\w.]*(\(\))?: ")  # a message that already names its operation


class Primitive:
    """An operation with a forward on arrays and one VJP rule per input (``None``: no grad).

    ``scalar``: optional forward for Python floats (``math.exp`` ...), the scalar fast path that
    spares neuron-by-neuron graphs the cost of NumPy 0-d arrays.  ``view``: the output may share
    memory with input 0 (its in-place version history is shared).  ``reads_inputs``: whether the
    rules read the input data (``add`` does not), for in-place modification checks.  ``n_out``:
    number of outputs (the forward then returns a tuple and rules receive a list of gradients,
    ``None`` where an output got none).
    """

    __slots__ = ("name", "fwd", "vjps", "save_out", "view", "scalar", "reads_inputs", "n_out")

    def __init__(
        self,
        name: str,
        fwd: Callable[..., Any],
        vjps: Sequence[Rule | None] = (),
        *,
        save_out: bool = False,
        view: bool = False,
        scalar: Callable[..., Any] | None = None,
        reads_inputs: bool = True,
        n_out: int = 1,
    ) -> None:
        self.name = name
        self.fwd = fwd
        self.vjps = tuple(vjps)
        self.save_out = save_out
        self.view = view
        self.scalar = scalar
        self.reads_inputs = reads_inputs
        self.n_out = n_out

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"

    def __call__(self, *args: Any, **params: Any) -> Any:
        """Apply to Tensors (or array-likes): returns a Tensor, recorded when needed."""
        if self.scalar is not None and len(args) == 2 and not params:
            # Fast path for Python-float scalars (neuron-by-neuron graphs): no arrays at all.
            a, b = args
            if isinstance(a, Tensor):
                ad = a._data
                ra = a.requires_grad
            else:
                ad, ra = a, False
            if isinstance(b, Tensor):
                bd = b._data
                rb = b.requires_grad
            else:
                bd, rb = b, False
            ta, tb = type(ad), type(bd)
            if (ta is float and (tb is float or tb is int)) or (ta is int and tb is float):
                try:
                    out = self.scalar(ad, bd)
                except _SCALAR_ERRORS:
                    out = None
                if type(out) is float:
                    if (ra or rb) and state.enabled:
                        node = Node(self, (ad, bd), (a if ra else None, b if rb else None), None,
                                    out if self.save_out else None)
                        return Tensor._make(out, node, True)
                    return Tensor._make(out, None, False)
        n = len(args)
        if not params and 0 < n <= 2 and self.n_out == 1:
            # Fast path for the common array case: one or two operands, the first an array
            # Tensor, the second a Tensor or a plain number/array.  It computes exactly what
            # the general path below does, spelled out because it runs once per operation.
            a = args[0]
            if isinstance(a, Tensor) and type(a._data) is ndarray:
                ad = a._data
                b = bd = None
                ok = True
                if n == 2:
                    bd = args[1]
                    if isinstance(bd, Tensor):
                        b = bd
                        bd = b._data
                    else:
                        tb = type(bd)
                        ok = tb is float or tb is int or (tb is ndarray and bd.dtype.kind in "biuf")
                if ok:
                    try:
                        out = self.fwd(ad) if n == 1 else self.fwd(ad, bd)
                    except (TypeError, ValueError):
                        out = None  # the general path reports it, naming this operation
                    else:
                        if type(out) is not ndarray:
                            out = xp.asarray(out)
                        ra = a.requires_grad
                        rb = b is not None and b.requires_grad
                        if (ra or rb) and state.enabled and self.vjps and out.dtype.kind == "f":
                            if n == 1:
                                node = Node(self, (ad,), (a,), None,
                                            out if self.save_out else None)
                            else:
                                node = Node(self, (ad, bd), (a if ra else None, b if rb else None),
                                            None, out if self.save_out else None)
                                const = a if not ra else (b if not rb else None)
                                if const is not None:
                                    node.consts = (const,)
                            t = Tensor._make(out, node, True)
                            if self.save_out:
                                t._vc = node.out_vc = []
                        else:
                            t = Tensor._make(out, None, False)
                        if self.view:
                            _share_versions(a, (t,))
                        return t
        datas: list[Any] = []
        tensors: list[Tensor | None] = []
        scalar = self.scalar is not None
        for a in args:
            if isinstance(a, Tensor):
                d = a._data
                tensors.append(a)
            else:
                d = as_operand(a, self.name)
                tensors.append(None)
            if scalar and type(d) is not float and type(d) is not int:
                scalar = False
            datas.append(d)
        if scalar:
            try:
                out = self.scalar(*datas, **params)  # type: ignore[misc]
            except _SCALAR_ERRORS:
                scalar = False  # let NumPy produce inf/nan (with its usual warnings)
            else:
                if type(out) is not float:
                    scalar = False
        if not scalar:
            # Python floats next to arrays stay weak scalars (float32 * 0.5 stays float32, as in
            # NumPy 2 and PyTorch); alone they become 0-d arrays so rules can ask for .shape.
            if not any(type(d) is ndarray for d in datas):
                for i, d in enumerate(datas):
                    if type(d) is float:
                        datas[i] = xp.asarray(d)
            out = self._forward(datas, params)
        return self._finish(out, tuple(datas), tuple(tensors), params or None,
                            args[0] if args else None)

    def _forward(self, datas: Sequence[Any], params: dict[str, Any]) -> Any:
        """The forward on arrays, with NumPy's errors reworded to name this operation."""
        try:
            out = self.fwd(*datas, **params)
        except TypeError as e:
            raise _explain_type_error(self.name, list(datas), e) from e
        except ValueError as e:  # NumPy's own (e.g. broadcasting) errors don't say which op
            if type(e) is not ValueError or _NAMED.match(str(e)):
                raise
            raise ValueError(f"{self.name}: {str(e).strip()}") from e
        if self.n_out == 1 and type(out) is not ndarray and type(out) is not float:
            out = xp.asarray(out)
        return out

    def _finish(
        self,
        out: Any,
        datas: tuple[Any, ...],
        tensors: tuple[Tensor | None, ...],
        params: dict[str, Any] | None,
        src: Any,
    ) -> Any:
        """Wrap the forward's result; record it on the tape if an input requires grad."""
        rg = False
        for t in tensors:
            if t is not None and t.requires_grad:
                rg = True
                break
        record = rg and state.enabled and bool(self.vjps)
        if self.n_out != 1:
            return self._wrap_many(out, datas, tensors, params, record, src)
        if record and type(out) is not float and out.dtype.kind != "f":
            record = False  # integer/bool results (argmax, comparisons) carry no gradient
        if not record:
            t = Tensor._make(out, None, False)
        else:
            node = Node(self, datas, _grad_inputs(tensors), params,
                        out if self.save_out else None)
            consts = _consts(tensors)
            if consts is not None:
                node.consts = consts
            t = Tensor._make(out, node, True)
            if self.save_out:
                t._vc = node.out_vc = []
        if self.view and isinstance(src, Tensor):
            _share_versions(src, (t,))
        return t

    def _wrap_many(
        self,
        outs: Sequence[Any],
        datas: tuple[Any, ...],
        tensors: tuple[Tensor | None, ...],
        params: dict[str, Any] | None,
        record: bool,
        src: Any,
    ) -> tuple[Tensor, ...]:
        outs = [o if type(o) is ndarray else xp.asarray(o) for o in outs]
        node = None
        if record:
            node = Node(self, datas, _grad_inputs(tensors), params, None, len(outs))
            consts = _consts(tensors)
            if consts is not None:
                node.consts = consts
        res = []
        for i, o in enumerate(outs):
            t = Tensor._make(o, node, node is not None and o.dtype.kind == "f")
            t._idx = i
            res.append(t)
        if self.view and isinstance(src, Tensor) and type(src._data) is not float:
            _share_versions(src, res)
        return tuple(res)

    def raw(self, *args: Any, **params: Any) -> Any:
        """Generic call for use inside rules: arrays in, array out; any Tensor in, Tensor out."""
        for a in args:
            if isinstance(a, Tensor):
                return self(*args, **params)
        out = self.fwd(*args, **params)
        return out


def _grad_inputs(tensors: tuple[Tensor | None, ...]) -> tuple[Tensor | None, ...]:
    """Where each input's gradient goes: the Tensor if it requires grad, else None."""
    if len(tensors) == 2:  # the common case, spelled out: this runs once per recorded op
        a, b = tensors
        return (a if a is not None and a.requires_grad else None,
                b if b is not None and b.requires_grad else None)
    return tuple(t if t is not None and t.requires_grad else None for t in tensors)


def _consts(tensors: tuple[Tensor | None, ...]) -> tuple[Tensor, ...] | None:
    """The Tensor inputs that need no grad (their data may be read: in-place checks)."""
    found: tuple[Tensor, ...] | None = None
    for t in tensors:
        if t is not None and not t.requires_grad:
            found = (t,) if found is None else found + (t,)
    return found


UNRECORDED_VIEW = -1  # ``_idx`` of a view made outside the tape (a leaf otherwise has 0)


def _share_versions(src: Tensor, views: Sequence[Tensor]) -> None:
    """Views share their base's version history: modifying one in place modifies the other."""
    if src._vc is None:
        src._vc = []
    for v in views:
        v._vc = src._vc
        if v._node is None:
            v._idx = UNRECORDED_VIEW
    if src._node is not None and views and views[0]._node is not None:
        track_views(src, views)  # recorded views of a non-leaf: see autograd.ops.inplace


def as_operand(a: Any, op: str) -> Any:
    """A non-Tensor operand as array data: Python numbers stay numbers (NumPy's weak scalars)."""
    t = type(a)
    if t is float or t is int or t is bool:
        return a
    if t is ndarray:
        if a.dtype.kind not in "biuf":
            raise TypeError(
                f"{op}: arrays of dtype {a.dtype} are not supported; use a bool, integer or "
                "floating dtype"
            )
        return a
    if isinstance(a, (list, tuple)) or hasattr(a, "__array__") or isinstance(a, (xp.generic,)):
        arr = xp.asarray(a)
        if arr.dtype.kind not in "biuf":
            raise TypeError(
                f"{op}: cannot use {type(a).__name__} of dtype {arr.dtype} as an operand; "
                "expected numbers"
            )
        return arr
    raise TypeError(
        f"{op}: unsupported operand of type {type(a).__name__}; expected a Tensor, an array or a "
        "number"
    )


def _explain_type_error(name: str, datas: list[Any], e: TypeError) -> TypeError:
    kinds = ", ".join(
        f"{getattr(d, 'dtype', type(d).__name__)}{tuple(getattr(d, 'shape', ()))}" for d in datas
    )
    return TypeError(f"{name}: unsupported operand types/dtypes ({kinds}): {e}")


from .tensor import Tensor  # noqa: E402  (Tensor methods call primitives: import after them)
