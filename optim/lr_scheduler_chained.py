"""``ChainedScheduler``: step several schedules of one optimizer together, each after the other."""

from __future__ import annotations

from collections.abc import Sequence

from .lr_scheduler import LRScheduler, _NestedSchedulers
from .lr_scheduler_plateau import ReduceLROnPlateau
from .optimizer import Optimizer

__all__ = ["ChainedScheduler"]


class ChainedScheduler(_NestedSchedulers):
    """As ``torch.optim.lr_scheduler.ChainedScheduler``: one ``step()`` steps every schedule.

    The schedules act in order on the same rates, so their effects compose through the
    chainable forms (e.g. a warm-up factor times an exponential decay)::

        ChainedScheduler([LinearLR(opt, 0.1, total_iters=5), ExponentialLR(opt, 0.9)])

    Construction steps nothing (each schedule already applied its epoch 0).  ``optimizer``
    defaults to the first schedule's; all must drive that one optimizer (ValueError otherwise).
    ``ReduceLROnPlateau`` cannot be chained (its step needs a metric: ValueError), and ``step``
    takes no epoch.  ``state_dict`` holds each schedule's state.
    """

    _unsaved = ("optimizer", "_schedulers")

    def __init__(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        scheds = list(schedulers)
        if not scheds:
            raise ValueError("ChainedScheduler: expected at least one scheduler to chain")
        for i, s in enumerate(scheds):
            if not isinstance(s, LRScheduler):
                raise TypeError(f"ChainedScheduler: schedulers[{i}] is {type(s).__name__}, not a "
                                "learning-rate scheduler")
            if isinstance(s, ReduceLROnPlateau):
                raise ValueError(
                    f"ChainedScheduler: schedulers[{i}] is a ReduceLROnPlateau, whose step needs "
                    "a metric; step it separately"
                )
        opt = optimizer if optimizer is not None else scheds[0].optimizer
        for i, s in enumerate(scheds):
            if s.optimizer is not opt:
                raise ValueError(
                    f"ChainedScheduler: schedulers[{i}] ({type(s).__name__}) drives a different "
                    "optimizer; all schedulers must belong to the same one"
                )
        self.optimizer = opt
        self._schedulers = scheds
        self._last_lr = [group["lr"] for group in opt.param_groups]

    def step(self) -> None:  # type: ignore[override]
        """Step every schedule, in order."""
        for s in self._schedulers:
            s.step()
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def __repr__(self) -> str:
        inner = ", ".join(type(s).__name__ for s in self._schedulers)
        return f"ChainedScheduler([{inner}], lr={self.get_last_lr()})"

