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

from . import devices as _dev
from . import tape
from .backend import xp
from .devices import is_device_array, mismatch_error
from .grad_mode import state
from .tape import Node, _seq, track_views

ndarray = xp.ndarray
_new = object.__new__
Rule = Callable[..., Any]

_SCALAR_ERRORS = (ArithmeticError, ValueError)
_NAMED = re.compile(r"[A-Za-z_][\w.]*(\(\))?: ")  # a message that already names its operation
# The active ``autograd.compile`` tracer (None almost always): one global test per call is the
# whole cost of tracing support on the hot path.
tracer: Any = None


class _InstanceDoc:
    """``Primitive.__doc__``: the class docstring on the class, the instance's ``doc`` on an
    instance (the class docstring if it has none), so ``help(ag.exp)`` describes ``exp``.

    A data descriptor in the class body because ``__slots__`` leaves no instance ``__dict__``;
    it is read only by ``help``/``inspect``, never by ``__call__``.
    """

    def __init__(self, class_doc: str) -> None:
        self.class_doc = class_doc

    def __get__(self, obj: Primitive | None, owner: type | None = None) -> str:
        if obj is None:
            return self.class_doc
        return obj.doc or self.class_doc

    def __set__(self, obj: Primitive, value: str | None) -> None:
        obj.doc = value


class Primitive:
    """An operation with a forward on arrays and one VJP rule per input (``None``: no grad).

    ``scalar``: optional forward for Python floats (``math.exp`` ...), the scalar fast path that
    spares neuron-by-neuron graphs the cost of NumPy 0-d arrays.  ``view``: the output may share
    memory with input 0 (its in-place version history is shared).  ``reads_inputs``: whether the
    rules read the input data (``add`` does not), for in-place modification checks.  ``n_out``:
    number of outputs (the forward then returns a tuple and rules receive a list of gradients,
    ``None`` where an output got none).  ``doc``: the docstring of this operation when it is used
    as a public function (``help(autograd.exp)``), returned as the instance's ``__doc__``.
    """

    __slots__ = ("name", "fwd", "vjps", "save_out", "view", "scalar", "reads_inputs", "n_out",
                 "records", "doc")
    __doc__ = _InstanceDoc(__doc__)  # type: ignore[assignment]

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
        doc: str | None = None,
    ) -> None:
        self.name = name
        self.doc = doc
        self.fwd = fwd
        self.vjps = tuple(vjps)
        self.save_out = save_out
        self.view = view
        self.scalar = scalar
        self.reads_inputs = reads_inputs
        self.n_out = n_out
        self.records = bool(self.vjps)  # decided once: is a call ever recorded?

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"

    def __call__(self, *args: Any, **params: Any) -> Any:
        """Apply to Tensors (or array-likes): returns a Tensor, recorded when needed.

        The one path every call takes: operands to data, the forward (on Python floats when
        every operand is a number and the primitive has a ``scalar`` forward, else on arrays),
        then one record if an input requires grad and grad mode is on.
        """
        datas: list[Any] = []
        inputs: list[Tensor | None] = []  # where each input's gradient goes (None: nowhere)
        consts: list[Tensor] | None = None  # Tensor inputs without grad (their data is read)
        grad = arrays = False
        floats = self.scalar is not None  # Python numbers only so far: the float forward
        for a in args:
            if isinstance(a, Tensor):
                d = a._data
                if a.requires_grad:
                    grad = True
                    inputs.append(a)
                else:
                    inputs.append(None)
                    if consts is None:
                        consts = [a]
                    else:
                        consts.append(a)
            else:
                d = a if type(a) is float else as_operand(a, self.name)
                inputs.append(None)
            if type(d) is not float:
                if type(d) is ndarray:
                    arrays = True
                    floats = False
                elif type(d) is not int:
                    floats = False
                    if _dev._cuda_type is not None and isinstance(d, _dev._cuda_type):
                        arrays = True  # GPU data (inline: this loop is the hot path)
            datas.append(d)
        out = None
        if floats:
            try:
                out = self.scalar(*datas, **params) if params else self.scalar(*datas)  # type: ignore[misc]
            except _SCALAR_ERRORS:
                pass  # let NumPy produce inf/nan (with its usual warnings)
            if type(out) is not float:
                out = None
        if out is None:
            if not arrays:
                # Python floats next to arrays stay weak scalars (float32 * 0.5 stays float32,
                # as in NumPy 2 and PyTorch); alone they become 0-d arrays (rules ask .shape)
                datas = [xp.asarray(d) if type(d) is float else d for d in datas]
            try:
                out = self.fwd(*datas, **params) if params else self.fwd(*datas)
            except TypeError as e:
                raise (mismatch_error(self.name, datas)
                       or _explain_type_error(self.name, datas, e)) from e
            except ValueError as e:  # NumPy's own (e.g. broadcasting) errors don't say which op
                # operands on different devices: the array library refused (TypeError above,
                # or a ValueError here); the hot path itself checks nothing
                mixed = mismatch_error(self.name, datas)
                if mixed is not None:
                    raise mixed from e
                if type(e) is not ValueError or _NAMED.match(str(e)):
                    raise
                raise ValueError(f"{self.name}: {str(e).strip()}") from e
            if self.n_out != 1:
                return self._wrap_many(out, datas, inputs, consts, params or None,
                                       grad and self.records and state.enabled, args)
            if type(out) is not ndarray and (_dev._cuda_type is None
                                             or not isinstance(out, _dev._cuda_type)):
                out = xp.asarray(out)
        # the output Tensor, and its record if an input requires grad and grad mode is on;
        # integer/bool results (argmax, comparisons) carry no gradient: not recorded
        t = _new(Tensor)
        t._data = out
        t.grad = t._vc = t._extra = None
        t._idx = 0
        if grad and self.records and state.enabled and (type(out) is float
                                                         or out.dtype.kind == "f"):
            node = t._node = _new(Node)  # Node's fields (see autograd.tape.Node), set inline
            node.prim = self
            node.args = datas
            node.inputs = inputs
            node.params = params or None
            node.seq = next(_seq)
            node.clock = tape._clock
            node.n_out = 1
            node.g = node.rare = None
            node.consts = consts
            if self.save_out:
                node.out = out
                t._vc = node.out_vc = []
            else:
                node.out = node.out_vc = None
            if tape.anomaly_seen:
                node.trace_if_anomaly()
            t.requires_grad = True
        else:
            t._node = None
            t.requires_grad = False
        if self.view and isinstance(args[0], Tensor):
            _share_versions(args[0], (t,))
        if tracer is not None:
            tracer.record(self, args, params, (t,))
        return t

    def _wrap_many(
        self,
        outs: Sequence[Any],
        datas: list[Any],
        inputs: list[Tensor | None],
        consts: list[Tensor] | None,
        params: dict[str, Any] | None,
        record: bool,
        args: Sequence[Any],
    ) -> tuple[Tensor, ...]:
        """Outputs of an ``n_out > 1`` primitive: one record shared by all of them."""
        src = args[0]
        outs = [o if type(o) is ndarray or is_device_array(o) else xp.asarray(o) for o in outs]
        node = None
        if record:
            node = Node(self, datas, inputs, params, None, len(outs))
            if consts is not None:
                node.consts = consts
        res = []
        for i, o in enumerate(outs):
            t = Tensor._make(o, node, node is not None and o.dtype.kind == "f")
            t._idx = i
            res.append(t)
        if self.view and isinstance(src, Tensor) and type(src._data) is not float:
            _share_versions(src, res)
        if tracer is not None:
            tracer.record(self, args, params, tuple(res))
        return tuple(res)

    def raw(self, *args: Any, **params: Any) -> Any:
        """Generic call for use inside rules: arrays in, array out; any Tensor in, Tensor out."""
        for a in args:
            if isinstance(a, Tensor):
                return self(*args, **params)
        out = self.fwd(*args, **params)
        return out


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
    if is_device_array(a):
        return a
    if isinstance(a, xp.generic) and a.dtype.kind in "biuf":
        return a  # a NumPy scalar is a number: it mixes with any device, as Python's do
    if isinstance(a, (list, tuple)) or hasattr(a, "__array__"):
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
