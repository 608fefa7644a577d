"""``Module``: the base class of every layer, with PyTorch's registration rules and state dicts.

Assigning a :class:`~nn.Parameter` or a ``Module`` to an attribute registers it (in
``_parameters`` / ``_modules``); ``register_buffer`` registers non-learnable state (running
statistics) that is saved in ``state_dict`` and converted by ``to(dtype)``.

>>> import nn
>>> class Affine(nn.Module):
...     def __init__(self):
...         super().__init__()
...         self.scale = nn.Parameter([2.0])
...     def forward(self, x):
...         return x * self.scale
>>> m = Affine()
>>> [name for name, _ in m.named_parameters()]
['scale']
>>> m
Affine()
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple, TypeVar

import numpy as np

from autograd import devices as _device
from autograd import tape
from autograd.backend import xp
from autograd.grad_mode import no_grad
from autograd.hooks import RemovableHandle
from autograd.tensor import Tensor, as_dtype

from ..parameter import Buffer, Parameter

M = TypeVar("M", bound="Module")

_hook_ids = itertools.count()


class _IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` returns: keys the module expected but did not get, and extras."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def _check_name(kind: str, name: Any, owner: Module) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain ".", got {name!r}')


def _addindent(s: str, n: int) -> str:
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    return lines[0] + "\n" + "\n".join(" " * n + line for line in lines[1:])


class Module:
    """Base class for neural-network modules: subclass it, assign layers, define ``forward``.

    Missing attributes raise ``AttributeError`` (never return ``None``).  ``state_dict`` keys
    are dotted paths (``"0.weight"``, ``"encoder.bn.running_mean"``) exactly as in PyTorch.
    """

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _non_persistent_buffers: set[str]
    _modules: dict[str, Module | None]
    _forward_hooks: dict[int, Callable[..., Any]]
    _forward_pre_hooks: dict[int, Callable[..., Any]]

    def __init__(self) -> None:
        sa = object.__setattr__
        sa(self, "training", True)
        sa(self, "_parameters", {})
        sa(self, "_buffers", {})
        sa(self, "_non_persistent_buffers", set())
        sa(self, "_modules", {})
        sa(self, "_forward_hooks", {})
        sa(self, "_forward_pre_hooks", {})

    # ------------------------------------------------------------------------------ calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self._forward_pre_hooks and not self._forward_hooks:
            return self.forward(*args, **kwargs)
        for hook in list(self._forward_pre_hooks.values()):
            res = hook(self, args)
            if res is not None:
                args = res if isinstance(res, tuple) else (res,)
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            res = hook(self, args, out)
            if res is not None:
                out = res
        return out

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, args)`` runs before ``forward``; it may return replacement args."""
        return self._add_hook(self._forward_pre_hooks, hook)

    def register_forward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, args, output)`` runs after ``forward``; it may return a new output."""
        return self._add_hook(self._forward_hooks, hook)

    @staticmethod
    def _add_hook(
        store: dict[int, Callable[..., Any]], hook: Callable[..., Any]
    ) -> RemovableHandle:
        if not callable(hook):
            raise TypeError(f"hook must be callable, got {type(hook).__name__}")
        key = next(_hook_ids)
        store[key] = hook
        return RemovableHandle(lambda: store.pop(key, None) and None)

    # ------------------------------------------------------------------------ registration
    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (or ``None``: a declared but absent parameter) under ``name``."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name("parameter", name, self)
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(nn.Parameter or None required)"
            )
        if param is not None and param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                "created explicitly; wrap a detached tensor: nn.Parameter(t.detach())"
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register non-learnable state; ``persistent=False`` keeps it out of ``state_dict``."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name("buffer", name, self)
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(Tensor or None required)"
            )
        if isinstance(tensor, Buffer):
            persistent = tensor.persistent
            tensor = tensor.detach()
        if tensor is not None and type(tensor._data) is float:
            tensor = Tensor(xp.asarray(tensor._data))  # buffers are updated in place: arrays
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register a child module (``None`` allowed) under ``name``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        _check_name("module", name, self)
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = module

    register_module = add_module

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name)
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    "(nn.Parameter or None expected)"
                )
            params[name] = None
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name)
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' "
                    "(nn.Module or None expected)"
                )
            modules[name] = None
            return
        buffers = d.get("_buffers")
        if isinstance(value, Buffer):
            if buffers is None:
                raise AttributeError("cannot assign buffer before Module.__init__() call")
            self._forget(name)
            self.register_buffer(name, value)
            return
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                    "(Tensor or None expected)"
                )
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    def _forget(self, name: str) -> None:
        """Remove ``name`` from every store (before it is registered in another one)."""
        self.__dict__.pop(name, None)
        for store in ("_parameters", "_buffers", "_modules"):
            self.__dict__[store].pop(name, None)
        self._non_persistent_buffers.discard(name)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: look in the registries, else AttributeError.
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            s = d.get(store)
            if s is not None and name in s:
                return s[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in ("_parameters", "_buffers", "_modules"):
            s = self.__dict__[store]
            if name in s:
                del s[name]
                self._non_persistent_buffers.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        keys = set(super().__dir__())
        for store in ("_parameters", "_buffers", "_modules"):
            keys.update(self.__dict__[store])
        return sorted(k for k in keys if not k[0].isdigit())

    # --------------------------------------------------------------------------- traversal
    def named_modules(
        self, memo: set[int] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module and every descendant, depth first."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, m in self._modules.items():
            if m is None:
                continue
            yield from m.named_modules(memo, prefix + ("." if prefix else "") + name,
                                       remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen: set[int] = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def _named_members(
        self, store: str, prefix: str, recurse: bool, remove_duplicate: bool
    ) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        mods = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse else [(prefix, self)]
        )
        for mprefix, m in mods:
            for name, v in m.__dict__[store].items():
                if v is None:
                    continue
                if remove_duplicate:
                    if id(v) in seen:
                        continue
                    seen.add(id(v))
                yield mprefix + ("." if mprefix else "") + name, v

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs; a parameter shared by two layers is listed once."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> Module:
        """The descendant at dotted path ``target`` (``""`` is this module)."""
        if target == "":
            return self
        mod: Module = self
        for item in target.split("."):
            sub = mod._modules.get(item)
            if sub is None:
                raise AttributeError(
                    f"{type(mod).__name__} has no submodule `{item}` (looking up {target!r})"
                )
            mod = sub
        return mod

    def get_parameter(self, target: str) -> Parameter:
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        p = mod._parameters.get(name)
        if p is None:
            raise AttributeError(f"{type(mod).__name__} has no parameter `{name}`")
        return p

    def apply(self: M, fn: Callable[[Module], Any]) -> M:
        """Call ``fn`` on every descendant, then on this module (e.g. custom initialisation)."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # ---------------------------------------------------------------------------- modes
    def train(self: M, mode: bool = True) -> M:
        """Set training mode (Dropout active, BatchNorm on batch statistics) recursively."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be boolean, got {mode!r}")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self: M) -> M:
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self: M, requires_grad: bool = True) -> M:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters (to ``None`` by default, else to zeros)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            elif p.grad.requires_grad or type(p.grad._data) is float:
                p.grad = Tensor._make(xp.zeros_like(p._array), None, False)
            else:
                p.grad._data[...] = 0

    # --------------------------------------------------------------------------- dtypes
    def _apply_to_tensors(self, fn: Callable[[Any], Any], floating_only: bool) -> None:
        for m in self.modules():
            for store in ("_parameters", "_buffers"):
                for t in m.__dict__[store].values():
                    if t is None or (floating_only and t.dtype.kind != "f"):
                        continue
                    t._data = fn(t._array)
                    if t.grad is not None and not t.grad.requires_grad:
                        t.grad._data = fn(t.grad._array)

    def to(self: M, *args: Any, device: Any = None, dtype: Any = None,
           non_blocking: bool = False) -> M:
        """Move and/or cast parameters and buffers in place (same Parameter objects), as
        ``torch.nn.Module.to``: ``to(device)``, ``to(dtype)``, ``to(device, dtype)``,
        ``to(tensor)``.  ``dtype`` must be floating and casts floating tensors only; ``device``
        moves all of them, with their ``.grad``.  Returns the module.  RuntimeError for an
        unavailable device, TypeError for a non-floating dtype.
        """
        from autograd.tensor_device import _is_device_arg

        for a in args:
            if isinstance(a, Tensor):
                device, dtype = a.device, (a.dtype if a.dtype.kind == "f" else dtype)
            elif _is_device_arg(a) and device is None:
                device = a
            elif dtype is None:
                dtype = a
            else:
                raise TypeError(f"Module.to(): could not parse arguments {args!r}")
        if device is not None:
            target = _device.resolve(device)
            self._apply_to_tensors(lambda a: _device.transfer(a, target), floating_only=False)
        if dtype is None:
            return self
        dt = as_dtype(dtype, "Module.to")
        if dt.kind != "f":
            raise TypeError(f"Module.to only accepts floating point dtypes, but got {dt}")
        self._apply_to_tensors(lambda a: a.astype(dt, copy=False), floating_only=True)
        return self

    def _place_on(self, device: Any) -> None:
        """The ``device=`` argument of a layer's constructor (PyTorch's factory keyword): its
        parameters and buffers, made and initialised as on the default device, moved there."""
        if device is not None:
            self.to(device)

    def cuda(self: M, device: Any = None) -> M:
        """Move parameters and buffers to a GPU in place (``torch.nn.Module.cuda``)."""
        return self.to("cuda" if device is None else
                       (_device.device("cuda", device) if isinstance(device, int) else device))

    def cpu(self: M) -> M:
        """Move parameters and buffers to host memory in place (``torch.nn.Module.cpu``)."""
        return self.to("cpu")

    def float(self: M) -> M:
        return self.to(np.float32)

    def double(self: M) -> M:
        return self.to(np.float64)

    def half(self: M) -> M:
        return self.to(np.float16)

    # ----------------------------------------------------------------------- state dicts
    def _state_items(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """(key, tensor) for every parameter and persistent buffer, PyTorch's order and keys."""
        for name, p in self._parameters.items():
            if p is not None:
                yield prefix + name, p
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers:
                yield prefix + name, b
        for name, m in self._modules.items():
            if m is not None:
                yield from m._state_items(prefix + name + ".")

    def state_dict(
        self, destination: dict[str, Any] | None = None, prefix: str = "", keep_vars: bool = False
    ) -> dict[str, Any]:
        """An ordered dict of every parameter and persistent buffer by dotted name.

        Values share memory with the module (detached unless ``keep_vars``), as in PyTorch.
        """
        out: dict[str, Any] = OrderedDict() if destination is None else destination
        for key, t in self._state_items(prefix):
            out[key] = t if keep_vars else t.detach()
        return out

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> _IncompatibleKeys:
        """Copy values (Tensors, NumPy arrays, numbers) into the parameters and buffers.

        Nothing is modified unless every value fits: shape mismatches always raise, missing or
        unexpected keys raise when ``strict`` (else they are returned).  Values are cast to each
        parameter's dtype; parameter objects keep their identity.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"Expected state_dict to be dict-like, got {type(state_dict).__name__}."
            )
        own = OrderedDict(self._state_items())
        errors: list[str] = []
        plan: list[tuple[Tensor, Any]] = []
        for key, t in own.items():
            if key not in state_dict:
                continue
            arr = _as_array(state_dict[key], key, errors)
            if arr is None:
                continue
            if tuple(arr.shape) != tuple(t.shape):
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {tuple(arr.shape)} "
                    f"from checkpoint, the shape in current model is {tuple(t.shape)}."
                )
                continue
            plan.append((t, arr))
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in unexpected) + ". ")
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in missing) + ". ")
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        with no_grad():
            for t, arr in plan:
                if type(t._data) is float:
                    t._data = float(_device.to_host(arr))
                else:
                    # copied onto the parameter's device, as PyTorch's param.copy_(value): the
                    # caller asked for this crossing (a checkpoint's host arrays into a GPU model)
                    arr = _device.transfer(arr, _device.device_of(t._data))
                    t._data[...] = arr.astype(t._data.dtype, copy=False)
                tape.bump_version(t)
        return _IncompatibleKeys(missing, unexpected)

    # ---------------------------------------------------------------------------- printing
    def extra_repr(self) -> str:
        """Settings shown inside the parentheses of ``repr`` (override in layers)."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({name}): " + _addindent(repr(m), 2) for name, m in self._modules.items()
        ]
        lines = extra_lines + child_lines
        body = ""
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                body = extra_lines[0]
            else:
                body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"


def _as_array(value: Any, key: str, errors: list[str]) -> Any:
    """A state-dict value as an array, or None (with an error message) if it is not numeric."""
    if isinstance(value, Tensor):
        return value._array
    if _device.is_array(value):  # GPU arrays as they are (NumPy would read them back)
        arr = value
    else:
        try:
            arr = xp.asarray(value)
        except Exception as e:  # noqa: BLE001 - any conversion failure is reported per key
            errors.append(f"value for {key} cannot be converted to an array: {e}")
            return None
    if arr.dtype.kind not in "biuf":
        errors.append(
            f"value for {key} has dtype {arr.dtype}; expected a numeric array or Tensor"
        )
        return None
    return arr
