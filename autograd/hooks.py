"""Gradient hooks on tensors: ``register_hook`` and ``register_post_accumulate_grad_hook``.

A leaf keeps its hooks itself (they run on its total gradient of one backward, before it is
accumulated); a non-leaf's hooks live on the record that produced it, keyed by output index, and
run when that record's gradient is complete.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from .tensor import Tensor

_ids = itertools.count()


class RemovableHandle:
    """Returned by ``register_*hook``; ``remove()`` unregisters the hook."""

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


def register_tensor_hook(t: Tensor, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
    _need_grad(t, "register_hook")
    if not callable(hook):
        raise TypeError(f"register_hook: hook must be callable, got {type(hook).__name__}")
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
    lst = node.hooks.setdefault(t._idx, [])
    lst.append(hook)

    def remove() -> None:
        if hook in lst:
            lst.remove(hook)

    return RemovableHandle(remove)


def register_post_accumulate_hook(t: Tensor, hook: Callable[[Tensor], None]) -> RemovableHandle:
    _need_grad(t, "register_post_accumulate_grad_hook")
    if t._node is not None:
        raise RuntimeError(
            "register_post_accumulate_grad_hook: post accumulate grad hooks can only be "
            "registered on leaf tensors"
        )
    if t._extra is None:
        t._extra = {}
    hooks: dict[int, Any] = t._extra.setdefault("post_hooks", {})
    key = next(_ids)
    hooks[key] = hook
    return RemovableHandle(lambda: hooks.pop(key, None) and None)
