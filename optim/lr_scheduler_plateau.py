"""``ReduceLROnPlateau``: cut the learning rate when a monitored metric stops improving."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, SupportsFloat

from autograd.devices import is_device_array, to_host

from .lr_scheduler import LRScheduler
from .optimizer import Optimizer

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau(LRScheduler):
    """As ``torch.optim.lr_scheduler.ReduceLROnPlateau``: ``step(metric)`` once per epoch.

    A metric is an *improvement* when it beats the best one so far by the threshold::

        mode="min", threshold_mode="rel":  metric < best * (1 - threshold)
        mode="min", threshold_mode="abs":  metric < best - threshold
        mode="max", threshold_mode="rel":  metric > best * (1 + threshold)
        mode="max", threshold_mode="abs":  metric > best + threshold

    After more than ``patience`` epochs in a row without improvement every group's rate becomes
    ``max(lr * factor, min_lr)`` (a change smaller than ``eps`` is skipped), then ``cooldown``
    epochs pass during which bad epochs are not counted.  ``min_lr`` is one number or one per
    parameter group.  The first metric is always an improvement (``best`` starts at +-inf); a
    NaN metric is never one.

    Unlike the other schedules it does not change the rate on construction and its ``step``
    takes the metric (``step(metric, epoch)`` with an explicit epoch gives PyTorch's
    deprecation warning).  Raises ValueError for ``factor >= 1``, an unknown ``mode`` or
    ``threshold_mode``, negative ``patience`` or ``cooldown``, and a ``min_lr`` list whose
    length differs from the number of groups; RuntimeError when groups were added since and
    ``min_lr`` was a list.

    >>> import autograd as ag
    >>> from optim import SGD
    >>> opt = SGD([ag.tensor([0.0], requires_grad=True)], lr=1.0)
    >>> sched = ReduceLROnPlateau(opt, factor=0.5, patience=1)
    >>> for loss in [3.0, 2.0, 2.0, 2.0, 1.0, 1.5, 1.5]:
    ...     opt.step()
    ...     sched.step(loss)
    >>> sched.get_last_lr()   # halved at epochs 4 and 7, each after 2 epochs without progress
    [0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | Sequence[float] = 0.0,
        eps: float = 1e-8,
    ) -> None:
        where = "ReduceLROnPlateau"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{where}: expected an optim.Optimizer, got {type(optimizer).__name__}")
        if not float(factor) < 1.0:
            raise ValueError(f"{where}: factor must be < 1.0, got {factor!r}")
        for name, value in (("patience", patience), ("cooldown", cooldown)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{where}: {name} must be an integer >= 0, got {value!r}")
        self.optimizer = optimizer
        self.factor = float(factor)
        n = len(optimizer.param_groups)
        if isinstance(min_lr, Sequence):
            if len(min_lr) != n:
                raise ValueError(f"{where}: expected {n} min_lr values (one per parameter group), "
                                 f"got {len(min_lr)}")
            self.default_min_lr: float | None = None
            self.min_lrs = [float(v) for v in min_lr]
        else:
            self.default_min_lr = float(min_lr)
            self.min_lrs = [float(min_lr)] * n
        self.patience = patience
        self.cooldown = cooldown
        self.eps = float(eps)
        self.last_epoch = 0
        self._step_count = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]
        self._set_comparison(mode, float(threshold), threshold_mode)
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def _set_comparison(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}"
            )
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf

    def is_better(self, a: float, best: float) -> bool:
        """Whether metric ``a`` improves on ``best`` by more than the threshold."""
        t = self.threshold
        if self.mode == "min":
            return a < (best * (1.0 - t) if self.threshold_mode == "rel" else best - t)
        return a > (best * (t + 1.0) if self.threshold_mode == "rel" else best + t)

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def step(self, metrics: SupportsFloat, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record this epoch's metric (a number or a 1-element tensor); maybe cut the rates."""
        # The metric is read on the host (PyTorch's does too): a tensor on a GPU is copied
        # explicitly by its float(); a raw GPU array the same way, through to_host.
        current = float(to_host(metrics) if is_device_array(metrics) else metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(
                "ReduceLROnPlateau.step: the epoch argument is deprecated (as in PyTorch); call "
                "step(metric) once per epoch",
                UserWarning,
                stacklevel=2,
            )
        self.last_epoch = epoch
        self._step_count += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during a cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"ReduceLROnPlateau: the optimizer now has {len(groups)} parameter groups but "
                    f"min_lr was given for {len(self.min_lrs)}; set scheduler.min_lrs to one value "
                    "per group"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, low in zip(groups, self.min_lrs, strict=True):
            old = float(group["lr"])
            new = max(old * self.factor, low)
            if old - new > self.eps:
                group["lr"] = new

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        super().load_state_dict(state_dict)
        self._set_comparison(self.mode, self.threshold, self.threshold_mode)

    def __repr__(self) -> str:
        return (f"ReduceLROnPlateau(mode={self.mode!r}, best={self.best}, "
                f"num_bad_epochs={self.num_bad_epochs}, lr={self.get_last_lr()})")
