"""Gradient hooks on tensors: ``register_hook`` and ``register_post_accumulate_grad_hook``.

``t.register_hook(fn)`` calls ``fn(grad)`` with the total gradient reaching ``t`` in one
``backward`` (or ``autograd.grad``) call, before it is passed on; a returned Tensor (or array)
replaces the gradient, so it is what flows to ``t``'s inputs and what a leaf accumulates.  Hooks
run in registration order, each seeing the previous one's result; ``retain_grad()`` sees the
final one.  Under ``create_graph=True`` the hook receives (and may return) a Tensor that is part
of the graph.

A leaf keeps its hooks itself; a non-leaf's hooks live on the record that produced it, keyed by
output index.  A hook registered on a tensor before it is modified in place keeps seeing the
gradient of that earlier version (as in PyTorch).

``t.register_post_accumulate_grad_hook(fn)`` (leaves only) calls ``fn(t)`` after ``t.grad`` was
updated by ``backward``; optimizers use it to step parameter by parameter.

>>> import autograd as ag
>>> x = ag.tensor([1.0, 2.0], requires_grad=True)
>>> handle = x.register_hook(lambda g: g * 10)
>>> (x * x).sum().backward()
>>> x.grad
tensor([20., 40.])
>>> handle.remove()
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from .backend import xp
from .devices import array_module, device_of, is_array
from .tensor import Tensor

_ids = itertools.count()


class RemovableHandle:
    """Returned by ``register_*hook``; ``remove()`` unregisters the hook (idempotent).

    Also a context manager: the hook is removed on leaving the ``with`` block.
    """

    __slots__ = ("_remove",)

    def __init__(self, remove: Callable[[], None]) -> None:
        self._remove = remove

    def remove(self) -> None:
        self._remove()

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def _need_grad(t: Tensor, what: str) -> None:
    if not t.requires_grad:
        raise RuntimeError(
            f"{what}: cannot register a hook on a tensor that doesn't require gradient "
            f"(shape {tuple(t.shape)}); set requires_grad=True first"
        )


def _need_callable(hook: Any, what: str) -> None:
    if not callable(hook):
        raise TypeError(f"{what}: hook must be callable, got {type(hook).__name__}")


def _hook_name(hook: Any) -> str:
    if isinstance(hook, _Entry):
        hook = hook.fn
    return getattr(hook, "__qualname__", None) or type(hook).__name__


def hook_result(hook: Any, r: Any, g: Any, create: bool) -> Any:
    """Check and convert a hook's replacement ``r`` for the gradient ``g`` (called by the walk).

    The replacement must have ``g``'s shape; it is cast to ``g``'s dtype.  Without
    ``create_graph`` the result is a private array (or float); with it, a Tensor.
    """
    if isinstance(r, Tensor):
        data = r._data
    elif (is_array(r) or isinstance(r, (float, int, np.generic))) and not isinstance(r, bool):
        data = r
    else:
        raise TypeError(
            f"hook '{_hook_name(hook)}' returned a {type(r).__name__}; a gradient hook must "
            "return a Tensor, an array or None"
        )
    gdata = g._data if isinstance(g, Tensor) else g
    gshape = () if type(gdata) is float else tuple(gdata.shape)
    rshape = tuple(xp.shape(data))
    if rshape != gshape:
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has changed the size of value: the gradient has shape "
            f"{gshape} but the hook returned shape {rshape}; a hook must return a gradient of "
            "the same shape"
        )
    gdtype = np.dtype(np.float64) if type(gdata) is float else gdata.dtype
    if is_array(data) and type(gdata) is not float and device_of(data) != device_of(gdata):
        # as PyTorch: a hook may not move the gradient to another device
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' returned a gradient on {device_of(data)} for a gradient "
            f"on {device_of(gdata)}; return it on the same device (.to(grad.device))"
        )
    if create:
        if not isinstance(r, Tensor):
            return Tensor._const(_cast(data, gdata, gdtype))
        return r if r.dtype == gdtype else r.astype(gdtype)
    if type(gdata) is float:
        return float(data)
    return _cast(data, gdata, gdtype)  # the walker copies it before passing it on


def _cast(data: Any, gdata: Any, gdtype: Any) -> Any:
    """A hook's array (or number) as an array of ``gdtype`` on the gradient's device."""
    if is_array(data):
        return data if data.dtype == gdtype else data.astype(gdtype)
    return array_module(gdata).asarray(data, dtype=gdtype)


def register_tensor_hook(t: Tensor, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
    """``t.register_hook(hook)``: see the module docstring."""
    _need_grad(t, "register_hook")
    _need_callable(hook, "register_hook")
    node = t._node
    if node is None:
        if t._extra is None:
            t._extra = {}
        hooks: dict[int, Any] = t._extra.setdefault("hooks", {})
        key = next(_ids)
        hooks[key] = hook
        return RemovableHandle(lambda: hooks.pop(key, None) and None)
    if node.hooks is None:
        node.hooks = {}
    lst: list[Any] = node.hooks.setdefault(t._idx, [])
    entry = _Entry(hook)  # a distinct object, so removing one of two equal hooks removes it
    lst.append(entry)

    def remove() -> None:
        for i, e in enumerate(lst):
            if e is entry:
                del lst[i]
                return

    return RemovableHandle(remove)


class _Entry:
    """A registered non-leaf hook (its identity tells two registrations of one function apart)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn

    def __call__(self, g: Any) -> Any:
        return self.fn(g)


def register_post_accumulate_hook(t: Tensor, hook: Callable[[Tensor], None]) -> RemovableHandle:
    """``t.register_post_accumulate_grad_hook(hook)``: see the module docstring."""
    _need_grad(t, "register_post_accumulate_grad_hook")
    _need_callable(hook, "register_post_accumulate_grad_hook")
    if t._node is not None:
        raise RuntimeError(
            "register_post_accumulate_grad_hook: post accumulate grad hooks can only be "
            f"registered on leaf tensors (this one, of shape {tuple(t.shape)}, was produced by "
            f"{t._node.name()})"
        )
    if t._extra is None:
        t._extra = {}
    hooks: dict[int, Any] = t._extra.setdefault("post_hooks", {})
    key = next(_ids)
    hooks[key] = hook
    return RemovableHandle(lambda: hooks.pop(key, None) and None)
