"""``Optimizer``: parameter groups, per-parameter state, ``step``, ``zero_grad`` and checkpoints.

Subclasses describe one update rule twice, side by side: ``_update_array`` works in place on the
parameter's array with NumPy ufuncs and ``out=`` (reusing per-parameter scratch buffers, so a step
allocates nothing once warmed up), and ``_update_scalar`` is the same arithmetic, in the same
order, on Python floats for parameters on the scalar fast path (``type(p._data) is float``).
Because the operations and their order are identical, both paths give bit-identical results.

Nothing in a step goes through Tensor operations, so nothing is recorded on the tape and no Tensor
is created.  After a parameter changes, ``autograd.tape.bump_version`` marks it modified, so a
graph that saved its old value refuses to backpropagate with the new one.

>>> import autograd as ag
>>> from optim import SGD
>>> w = ag.tensor([1.0, 2.0], requires_grad=True)
>>> opt = SGD([w], lr=0.5)
>>> (w * w).sum().backward()
>>> opt.step()
>>> w
tensor([0., 0.], requires_grad=True)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from autograd.backend import xp
from autograd.devices import device_of, is_array, is_device_array, to_host, transfer
from autograd.grad_mode import enable_grad
from autograd.tape import bump_version
from autograd.tensor import Tensor

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]
Group = dict[str, Any]  # a parameter group: 'params' plus its options
State = dict[str, Any]  # one parameter's optimizer state


class Optimizer:
    """Base class of all optimizers (PyTorch's ``torch.optim.Optimizer`` interface).

    ``params``: an iterable of Tensors, of ``(name, Tensor)`` pairs (``named_parameters()``), or
    of dicts each holding ``'params'`` plus options that override ``defaults`` for that group.
    Each parameter must be a floating-point leaf Tensor and may appear only once.  Parameters
    whose ``.grad`` is ``None`` are skipped by ``step``.

    ``state`` maps each parameter (the Tensor itself) to a dict of its buffers, created on its
    first step.
    """

    #: names of the per-parameter state entries a subclass may create ('step' is a counter).
    _state_keys: frozenset[str] = frozenset()
    #: state entries that are one Python float per parameter whatever its shape (NAdam's
    #: ``mu_product``), not arrays shaped like the parameter.
    _float_state_keys: frozenset[str] = frozenset()

    #: set by the first ``step`` (any subclass's): schedulers warn when stepped before it.
    _opt_called: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_marks_optimizer_called", False):
            # a subclass with its own step (LBFGS, user optimizers) still records that it ran
            @functools.wraps(step)
            def marked_step(self: Optimizer, *args: Any, **kw: Any) -> Any:
                self._opt_called = True
                return step(self, *args, **kw)

            marked_step._marks_optimizer_called = True  # type: ignore[attr-defined]
            cls.step = marked_step  # type: ignore[method-assign]

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        self._scratch: dict[Tensor, _Scratch] = {}
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(
                f"{name}: params should be an iterable of Tensors or dicts, got a single Tensor; "
                "wrap it in a list: [tensor]"
            )
        if isinstance(params, (set, frozenset, Mapping)):
            raise TypeError(
                f"{name}: params must be an ordered iterable (list of Tensors or of dicts), got "
                f"{type(params).__name__}; its order would not be reproducible across runs"
            )
        groups = list(params)
        if not groups:
            raise ValueError(f"{name}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)  # type: ignore[arg-type]

    # --------------------------------------------------------------------------- groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (missing ones come from ``defaults``)."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{name}.add_param_group: expected a dict with a 'params' entry, got "
                f"{type(param_group).__name__} (mixing Tensors and dicts in params is not allowed)"
            )
        if "params" not in param_group:
            raise ValueError(f"{name}.add_param_group: the group dict has no 'params' entry")
        group = dict(param_group)  # never mutate the caller's dict
        params, names = _collect_params(group["params"], name)
        group["params"] = params
        if names is not None:
            group["param_names"] = names
        seen: set[int] = set()
        for p in params:
            if id(p) in seen:
                raise ValueError(
                    f"{name}: a parameter group contains the same parameter twice "
                    f"(shape {tuple(p.shape)}); pass each parameter once"
                )
            seen.add(id(p))
        for other in self.param_groups:
            if any(id(q) in seen for q in other["params"]):
                raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._validate_group(group)
        self.param_groups.append(group)

    def _validate_group(self, group: Group) -> None:
        """Raise ValueError for invalid hyperparameters (subclasses extend this)."""
        if "lr" in group:
            _check_range(type(self).__name__, "learning rate", group["lr"], 0.0)

    # ---------------------------------------------------------------------------- steps
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients: drop them (default) or fill them with zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                    continue
                g.detach_()  # a grad built with create_graph: cut it from its graph
                gd = g._data
                if type(gd) is float or (type(gd) is np.ndarray and not gd.flags.writeable):
                    g._data = 0.0 if type(g._data) is float else xp.zeros_like(g._data)
                else:
                    g._data.fill(0)
                bump_version(g)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return ``closure()``'s value if given.

        ``closure`` re-evaluates the model and returns the loss (it runs with grad enabled).
        """
        self._opt_called = True
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        name = type(self).__name__
        for group in self.param_groups:
            for i, p in enumerate(group["params"]):
                gt = p.grad
                if gt is None:
                    continue
                g = gt._data
                d = p._data
                st = self.state.get(p)
                if st is None:
                    st = self.state[p] = {}
                if type(d) is float:
                    gf = g if type(g) is float else _scalar_grad(g, name, i)
                    if not st:
                        self._init_state(st, None, group)
                    p._data = self._update_scalar(d, gf, st, group)
                else:
                    gshape = () if type(g) is float else g.shape
                    if gshape != d.shape:
                        raise RuntimeError(
                            f"{name}.step: parameter {i} of its group has shape {d.shape} but its "
                            f"gradient has shape {gshape}; a gradient must match its parameter"
                        )
                    if type(d) is np.ndarray and not d.flags.writeable:  # (GPU data: always)
                        raise RuntimeError(
                            f"{name}.step: parameter {i} of its group (shape {d.shape}) holds a "
                            "read-only array and cannot be updated in place; give it a writable "
                            "copy (e.g. p.data = p.detach().numpy().copy())"
                        )
                    if not st:
                        self._init_state(st, d, group)
                    self._update_array(d, g, st, group, self._buffers(p, d))
                bump_version(p)
        return loss

    def _buffers(self, p: Tensor, d: Any) -> _Scratch:
        """Per-parameter scratch arrays (allocated on first use, reused every step)."""
        sc = self._scratch.get(p)
        if sc is None or sc.like is not d:  # new, or the parameter's array was replaced
            sc = self._scratch[p] = _Scratch(d)
        return sc

    def _init_state(self, st: State, d: Any, group: Group) -> None:
        """Fill the fresh state of a parameter (``d`` is its array, ``None`` for a float)."""

    def _update_array(
        self, p: Any, g: Any, st: State, group: Group, buf: _Scratch
    ) -> None:
        """Update array ``p`` in place from gradient ``g`` (``buf``: scratch arrays)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement an update rule")

    def _update_scalar(self, p: float, g: float, st: State, group: Group) -> float:
        """The same update on Python floats; returns the new value of ``p``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement an update rule")

    # ---------------------------------------------------------------------- checkpoints
    def state_dict(self) -> dict[str, Any]:
        """A snapshot of the optimizer: ``{'state': {index: {...}}, 'param_groups': [...]}``.

        Parameters are numbered in order over the groups, as in PyTorch; each group lists its
        parameters' numbers under ``'params'``.  Arrays are copies, so training on does not
        change a saved snapshot.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            ids = []
            for p in group["params"]:
                index[id(p)] = len(index)
                ids.append(index[id(p)])
            packed["params"] = ids
            groups.append(packed)
        state = {}
        for p, st in self.state.items():
            if st:
                state[index[id(p)]] = {  # copies on the parameters' devices (as PyTorch)
                    k: (v.copy() if is_array(v) else v) for k, v in st.items()
                }
        return {"state": dict(sorted(state.items())), "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a snapshot from :meth:`state_dict` (possibly after ``nn.save``/``nn.load``).

        The groups must have the same sizes as this optimizer's; their saved options replace the
        current ones.  Nothing changes unless the whole snapshot is valid.
        """
        name = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping) or "param_groups" not in state_dict:
            raise ValueError(
                f"{name}: expected a dict with 'state' and 'param_groups' entries (from "
                "optimizer.state_dict())"
            )
        saved_groups = _as_list(state_dict["param_groups"], name, "param_groups")
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}: the saved state has {len(saved_groups)} parameter group(s) but this "
                f"optimizer has {len(self.param_groups)}"
            )
        by_index: dict[int, Tensor] = {}
        new_groups = []
        for k, (saved, group) in enumerate(zip(saved_groups, self.param_groups, strict=True)):
            if not isinstance(saved, Mapping) or "params" not in saved:
                raise ValueError(f"{name}: saved parameter group {k} has no 'params' entry")
            ids = [int(i) for i in _as_list(saved["params"], name, "params")]
            if len(ids) != len(group["params"]):
                raise ValueError(
                    f"{name}: saved parameter group {k} has {len(ids)} parameter(s) but this "
                    f"optimizer's group {k} has {len(group['params'])}"
                )
            for i, p in zip(ids, group["params"], strict=True):
                if i in by_index:
                    raise ValueError(f"{name}: parameter number {i} is listed twice")
                by_index[i] = p
            new = dict(group)  # options missing from the file keep their current values
            new.update(
                (key, _like(value, group.get(key, self.defaults.get(key))))
                for key, value in saved.items()
                if key != "params"
            )
            new["params"] = group["params"]
            self._validate_group(new)
            new_groups.append(new)
        # An empty 'state' may be missing altogether after a file format that flattens dicts.
        saved_state = state_dict.get("state", {})
        if not isinstance(saved_state, Mapping):
            raise ValueError(f"{name}: 'state' must be a dict from parameter number to its state")
        new_state: dict[Tensor, dict[str, Any]] = {}
        for key, entries in saved_state.items():
            try:
                i = int(key)
            except (TypeError, ValueError):
                raise ValueError(f"{name}: state key {key!r} is not a parameter number") from None
            p = by_index.get(i)
            if p is None:
                raise ValueError(
                    f"{name}: the saved state has an entry for parameter {i}, which no saved "
                    "group lists"
                )
            if not isinstance(entries, Mapping):
                raise ValueError(f"{name}: the state of parameter {i} must be a dict")
            new_state[p] = {
                k: self._load_entry(name, i, p, k, v) for k, v in entries.items() if v is not None
            }
        self.param_groups[:] = new_groups
        self.state = new_state

    def _load_entry(self, where: str, i: int, p: Tensor, key: str, value: Any) -> Any:
        if key not in self._state_keys:
            raise ValueError(
                f"{where}: unknown state entry {key!r} for parameter {i}; "
                f"{type(self).__name__} keeps {sorted(self._state_keys)}"
            )
        value = value._data if isinstance(value, Tensor) else value
        if key == "step":
            return int(_to_python(value))
        if type(p._data) is float or key in self._float_state_keys:
            if xp.size(value) != 1:
                raise ValueError(f"{where}: state {key!r} of scalar parameter {i} has shape "
                                 f"{xp.shape(value)}; expected a single number")
            return float(_to_python(value))
        # state goes where its parameter lives (PyTorch's load_state_dict casts it there too):
        # a file's host arrays are copied to the parameter's GPU, explicitly
        if not is_array(value):
            value = np.asarray(value)
        arr = transfer(value, device_of(p._data))
        arr = arr.astype(p.dtype, copy=arr is value)
        if arr.shape != p.shape:
            raise ValueError(
                f"{where}: state {key!r} of parameter {i} has shape {arr.shape} but the parameter "
                f"has shape {tuple(p.shape)}"
            )
        return arr

    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key not in ("params", "param_names"):
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def direction(p: Any, g: Any, wd: float, maximize: bool, out: Any) -> Any:
    """The gradient an update follows: ``g`` (``-g`` when maximizing) plus the L2 term ``wd * p``.

    Written into ``out`` only when it differs from ``g``, so the plain case copies nothing.
    """
    if wd != 0:
        d = xp.multiply(p, wd, out=out)
        return (xp.subtract if maximize else xp.add)(d, g, out=d)
    if maximize:
        return xp.negative(g, out=out)
    return g


def direction_scalar(p: float, g: float, wd: float, maximize: bool) -> float:
    """:func:`direction` for Python-float parameters, same operations in the same order."""
    if wd != 0:
        return p * wd - g if maximize else p * wd + g
    return -g if maximize else g


def decayed_direction(p: Any, g: Any, group: Group, out: Any) -> Any:
    """:func:`direction` after the group's weight decay: decoupled (``p *= 1 - lr * wd``, in
    place, as AdamW) when ``group["decoupled_weight_decay"]`` is set, else the L2 term."""
    wd = group["weight_decay"]
    if wd != 0 and group.get("decoupled_weight_decay", False):
        p *= 1 - group["lr"] * wd
        wd = 0.0
    return direction(p, g, wd, group["maximize"], out)


def decayed_direction_scalar(p: float, g: float, group: Group) -> tuple[float, float]:
    """:func:`decayed_direction` for Python floats: ``(decayed p, direction)``."""
    wd = group["weight_decay"]
    if wd != 0 and group.get("decoupled_weight_decay", False):
        p = p * (1 - group["lr"] * wd)
        wd = 0.0
    return p, direction_scalar(p, g, wd, group["maximize"])


class _Scratch:
    """Scratch arrays shaped like one parameter's array: ``buf[0]``, ``buf[1]`` (made on first use).

    They hold intermediate results of an update so that a step allocates no temporaries; they are
    not part of the optimizer's state (never saved).
    """

    __slots__ = ("bufs", "like")

    def __init__(self, like: Any) -> None:
        self.bufs: list[Any] = []
        self.like = like

    def __getitem__(self, k: int) -> Any:
        bufs = self.bufs
        while len(bufs) <= k:
            bufs.append(xp.empty_like(self.like))
        return bufs[k]


def _collect_params(params: Any, where: str) -> tuple[list[Tensor], list[str] | None]:
    """The group's parameters as a checked list, and their names for ``(name, tensor)`` pairs."""
    if isinstance(params, Tensor):
        params = [params]
    elif isinstance(params, (set, frozenset)):
        raise TypeError(
            f"{where}: a group's 'params' must be an ordered sequence, got a set; its order would "
            "not be reproducible across runs (use a list)"
        )
    items = list(params)
    names: list[str] | None = None
    if items and isinstance(items[0], tuple):
        names = []
        tensors = []
        for item in items:
            if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
                raise TypeError(f"{where}: mix of (name, tensor) pairs and other items in params")
            names.append(item[0])
            tensors.append(item[1])
        items = tensors
    for p in items:
        if not isinstance(p, Tensor):
            raise TypeError(
                f"{where}: can only optimize Tensors, but one of the params is "
                f"{type(p).__name__}"
            )
        if not p.is_leaf:
            raise ValueError(
                f"{where}: can't optimize a non-leaf Tensor (shape {tuple(p.shape)}, produced by "
                f"{p._node.name() if p._node else '?'}); optimize the leaf it was computed from, "
                "or use t.detach().requires_grad_() to make a new leaf"
            )
        if p.dtype.kind != "f":
            raise TypeError(
                f"{where}: can only optimize floating-point Tensors, got one of dtype {p.dtype}; "
                "convert it with .double() or .float() first"
            )
    return items, names


def _scalar_grad(g: Any, where: str, i: int) -> float:
    if is_device_array(g):  # a Python-float parameter lives on the host
        raise RuntimeError(
            f"{where}.step: parameter {i} of its group is on cpu but its gradient is on "
            f"{device_of(g)}; a gradient must be on its parameter's device"
        )
    if getattr(g, "size", 1) != 1 or getattr(g, "ndim", 0) != 0:
        raise RuntimeError(
            f"{where}.step: parameter {i} of its group is a scalar but its gradient has shape "
            f"{g.shape}; a gradient must match its parameter"
        )
    return float(g)


def _check_range(
    where: str, what: str, value: Any, low: float, high: float | None = None,
    high_open: bool = True,
) -> None:
    """ValueError unless ``low <= value`` (and ``value < high`` or ``<= high``); NaN fails."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: {what} must be a real number, got {value!r}") from None
    ok = low <= v
    if high is not None:
        ok = ok and (v < high if high_open else v <= high)
    if not ok:
        bound = f"in [{low}, {high}{')' if high_open else ']'}" if high is not None else f">= {low}"
        raise ValueError(f"{where}: invalid {what}: {value!r} (must be {bound})")


def _check_betas(where: str, group: Group) -> None:
    """ValueError unless ``group['betas']`` is a pair in [0, 1); stores it as a tuple."""
    betas = group["betas"]
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{where}: betas must be a pair (beta1, beta2), got {betas!r}")
    group["betas"] = tuple(betas)
    _check_range(where, "beta parameter at index 0", betas[0], 0.0, 1.0)
    _check_range(where, "beta parameter at index 1", betas[1], 0.0, 1.0)


def _to_python(v: Any) -> Any:
    """NumPy scalars and 0-d arrays -> Python numbers; other arrays -> lists (for options).

    Only loading a checkpoint calls it: options and step counters are host numbers, so a GPU
    array among them is read back explicitly (once per load, not per step)."""
    if isinstance(v, np.generic):
        return v.item()
    if is_array(v):
        v = to_host(v)
        return v.item() if v.ndim == 0 else v.tolist()
    return v


def _like(value: Any, current: Any) -> Any:
    """A saved option converted to the Python type of the current one (files store arrays)."""
    value = _to_python(value)
    if isinstance(current, bool):
        return bool(value)
    if isinstance(current, int) and isinstance(value, (int, float)) and float(value).is_integer():
        return int(value)
    if isinstance(current, float) and isinstance(value, (int, float)):
        return float(value)
    if isinstance(current, tuple) and isinstance(value, (list, tuple)):
        if len(value) != len(current):
            return tuple(value)
        return tuple(_like(v, c) for v, c in zip(value, current, strict=True))
    return value


def _as_list(value: Any, where: str, what: str) -> list[Any]:
    """A saved list, also accepting what a flattening file format may turn it into."""
    if isinstance(value, Mapping):  # {'0': ..., '1': ...}
        try:
            return [value[k] for k in sorted(value, key=int)]
        except (TypeError, ValueError):
            raise ValueError(f"{where}: '{what}' is not a list") from None
    if is_array(value):
        return list(to_host(value).tolist())
    if isinstance(value, (list, tuple)):
        return list(value)
    raise ValueError(f"{where}: '{what}' must be a list, got {type(value).__name__}")
