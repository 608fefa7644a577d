"""Learning-rate schedules, as ``torch.optim.lr_scheduler``: call ``step()`` once per epoch.

Every scheduler sets ``group['lr']`` of its optimizer's parameter groups.  On construction it
records each group's starting rate as ``group['initial_lr']`` (``base_lrs``) and applies epoch 0.
``step()`` advances one epoch using the *chainable* form (the new rate is computed from the
group's current rate, so a rate changed by hand or by another scheduler is respected, as in
PyTorch); ``step(epoch)`` jumps to ``epoch`` using the closed form.  The cyclical schedules
(``CyclicLR``, ``OneCycleLR``, ``CosineAnnealingWarmRestarts``), ``ReduceLROnPlateau`` (stepped
with a metric) and ``ChainedScheduler`` live in their own modules and are re-exported here.
Stepping a schedule before its optimizer has ever stepped gives PyTorch's UserWarning.

>>> import autograd as ag
>>> from optim import SGD
>>> opt = SGD([ag.tensor([0.0], requires_grad=True)], lr=1.0)
>>> sched = InverseTimeDecay(opt, decay_rate=0.5)   # lr0 / (1 + 0.5 * epoch)
>>> lrs = []
>>> for epoch in range(4):
...     lrs.append(sched.get_last_lr()[0])
...     opt.step()
...     sched.step()
>>> [round(lr, 4) for lr in lrs]
[1.0, 0.6667, 0.5, 0.4]
"""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .optimizer import Optimizer, _to_python

__all__ = [
    "LRScheduler", "LambdaLR", "StepLR", "MultiStepLR", "ExponentialLR", "InverseTimeDecay",
    "PolynomialLR", "CosineAnnealingLR", "LinearLR", "SequentialLR",
]


class LRScheduler:
    """Base class: keeps ``last_epoch``, ``base_lrs`` and the rates last set (``get_last_lr()``).

    Subclasses implement ``get_lr()`` (chainable: from the groups' current rates, for the epoch
    ``last_epoch`` just reached) and ``_closed_form(base_lr, epoch)``.
    """

    _last_lr: list[float]

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: expected an optim.Optimizer, got "
                f"{type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{type(self).__name__}: param_groups[{i}] has no 'initial_lr'; resuming "
                        "with last_epoch != -1 needs the optimizer state saved by a scheduled run "
                        "(or set group['initial_lr'] yourself)"
                    )
        self.base_lrs: list[float] = [float(g["initial_lr"]) for g in optimizer.param_groups]
        self.last_epoch = int(last_epoch)
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self.step()

    def get_lr(self) -> list[float]:
        """The rates for epoch ``last_epoch``, from the current ones (the chainable form)."""
        return [
            self._chain(group["lr"], base, self.last_epoch)
            for group, base in zip(self.optimizer.param_groups, self.base_lrs, strict=True)
        ]

    def _chain(self, lr: float, base_lr: float, epoch: int) -> float:
        raise NotImplementedError(f"{type(self).__name__} does not define a schedule")

    def _closed_form(self, base_lr: float, epoch: int) -> float:
        raise NotImplementedError(f"{type(self).__name__} does not define a schedule")

    def _get_closed_form_lr(self) -> list[float]:
        return [self._closed_form(base, self.last_epoch) for base in self.base_lrs]

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (or jump to ``epoch``) and set the groups' learning rates.

        Call it after ``optimizer.step()``: the first call before any optimizer step gives
        PyTorch's UserWarning (the first rate of the schedule would be skipped).
        """
        self._warn_if_optimizer_not_stepped()
        self._step_count += 1
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = int(epoch)
            values = self._get_closed_form_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _warn_if_optimizer_not_stepped(self) -> None:
        """PyTorch's warning for ``scheduler.step()`` called before any ``optimizer.step()``.

        Checked on the first step after construction only (``_step_count == 1``).
        """
        if self._step_count == 1 and not self.optimizer._opt_called:
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`. Call them in "
                "the opposite order: `optimizer.step()` before `lr_scheduler.step()`; otherwise "
                "the first value of the learning rate schedule is skipped.",
                UserWarning,
                stacklevel=3,
            )

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last ``step`` (one per parameter group)."""
        return list(self._last_lr)

    # ---------------------------------------------------------------------- checkpoints
    _unsaved: tuple[str, ...] = ("optimizer",)

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's progress and settings (everything but the optimizer and callables)."""
        return {
            k: (list(v) if isinstance(v, list) else v)
            for k, v in self.__dict__.items()
            if k not in self._unsaved
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore :meth:`state_dict` output (possibly after ``nn.save``/``nn.load``)."""
        name = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise ValueError(f"{name}: expected a dict from scheduler.state_dict()")
        new = {}
        for key, value in state_dict.items():
            if key in self._unsaved or key not in self.__dict__:
                raise ValueError(
                    f"{name}: unexpected entry {key!r}; was the state saved from a different "
                    "kind of scheduler?"
                )
            new[key] = _restore(value, self.__dict__[key])
        self.__dict__.update(new)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, lr={self.get_last_lr()})"


def _restore(value: Any, current: Any) -> Any:
    """A saved value converted to the Python type of the current one (files store arrays)."""
    value = _to_python(value)
    if isinstance(current, bool):
        return bool(value)
    if isinstance(current, int) and not isinstance(value, bool):
        return int(value)
    if isinstance(current, float):
        return float(value)
    if isinstance(current, list) and isinstance(value, (list, tuple)):
        like = current[0] if current else None
        return [_restore(v, like) for v in value]
    return value


def _positive_int(where: str, what: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{where}: {what} must be a positive integer, got {value!r}")
    return value


class LambdaLR(LRScheduler):
    """``lr = base_lr * lr_lambda(epoch)``; one function, or one per parameter group.

    The functions are not saved by ``state_dict``: pass the same ones when rebuilding.
    """

    _unsaved = ("optimizer", "lr_lambdas")

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        n = len(optimizer.param_groups) if isinstance(optimizer, Optimizer) else 0
        if callable(lr_lambda):
            self.lr_lambdas = [lr_lambda] * n
        else:
            fns = list(lr_lambda)
            if len(fns) != n or not all(callable(f) for f in fns):
                raise ValueError(
                    f"LambdaLR: expected one function or {n} functions (one per parameter "
                    f"group), got {len(fns)} item(s)"
                )
            self.lr_lambdas = fns
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return self._get_closed_form_lr()

    def _get_closed_form_lr(self) -> list[float]:
        e = self.last_epoch
        return [base * f(e) for base, f in zip(self.base_lrs, self.lr_lambdas, strict=True)]


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs: ``base * gamma**(e // step)``."""

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size = _positive_int("StepLR", "step_size", step_size)
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def _chain(self, lr: float, base_lr: float, epoch: int) -> float:
        if epoch == 0 or epoch % self.step_size != 0:
            return lr
        return lr * self.gamma

    def _closed_form(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class MultiStepLR(LRScheduler):
    """Multiply the rate by ``gamma`` at each milestone epoch (a repeated milestone counts twice).

    ``lr = base * gamma ** (number of milestones <= epoch)``.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Sequence[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        ms = list(milestones)
        if any(isinstance(m, bool) or not isinstance(m, int) for m in ms):
            raise ValueError(f"MultiStepLR: milestones must be integers, got {ms!r}")
        self.milestones = sorted(ms)
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def _chain(self, lr: float, base_lr: float, epoch: int) -> float:
        hits = self.milestones.count(epoch)
        return lr * self.gamma**hits if hits else lr

    def _closed_form(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** bisect.bisect_right(self.milestones, epoch)


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch: ``base * gamma**epoch``."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def _chain(self, lr: float, base_lr: float, epoch: int) -> float:
        return lr if epoch == 0 else lr * self.gamma

    def _closed_form(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma**epoch


class InverseTimeDecay(LRScheduler):
    """Seed 001's decay ``lr = base / (1 + decay_rate * t)``, ``t = epoch / decay_steps``.

    With ``staircase=True``, ``t = epoch // decay_steps`` (the rate changes every
    ``decay_steps`` epochs).  (Keras names this schedule ``InverseTimeDecay``; PyTorch has no
    equivalent.)
    """

    def __init__(
        self,
        optimizer: Optimizer,
        decay_rate: float,
        decay_steps: int = 1,
        staircase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        if not float(decay_rate) >= 0:
            raise ValueError(f"InverseTimeDecay: decay_rate must be >= 0, got {decay_rate!r}")
        self.decay_rate = float(decay_rate)
        self.decay_steps = _positive_int("InverseTimeDecay", "decay_steps", decay_steps)
        self.staircase = bool(staircase)
        super().__init__(optimizer, last_epoch)

    def _t(self, epoch: int) -> float:
        if self.staircase:
            return float(epoch // self.decay_steps)
        return epoch / self.decay_steps

    def _chain(self, lr: float, base_lr: float, epoch: int) -> float:
        if epoch == 0 or self._t(epoch) == self._t(epoch - 1):
            return lr
        r = self.decay_rate
        return lr * (1 + r * self._t(epoch - 1)) / (1 + r * self._t(epoch))

    def _closed_form(self, base_lr: float, epoch: int) -> float:
        return base_lr / (1 + self.decay_rate * self._t(epoch))


class PolynomialLR(LRScheduler):
    """Decay to 0 over ``total_iters`` epochs: ``base * (1 - min(epoch, total) / total)**power``."""

    def __init__(
        self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1
    ) -> None:
        self.total_iters = _positive_int("PolynomialLR", "total_iters", total_iters)
        self.power = float(power)
        super().__init__(optimizer, last_epoch)

    def _chain(self, lr: float, base_lr: float, epoch: int) -> float:
        n = self.total_iters
        if epoch == 0 or epoch > n:
            return lr
        return lr * ((1 - epoch / n) / (1 - (epoch - 1) / n)) ** self.power

    def _closed_form(self, base_lr: float, epoch: int) -> float:
        return base_lr * (1 - min(epoch, self.total_iters) / self.total_iters) ** self.power


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from ``base`` down to ``eta_min`` over ``T_max`` epochs (then back up).

    ``lr = eta_min + (base - eta_min) * (1 + cos(pi * epoch / T_max)) / 2`` (SGDR without
    restarts; past ``T_max`` the curve continues as a cosine, like PyTorch's).
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_max = _positive_int("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = float(eta_min)
        super().__init__(optimizer, last_epoch)

    def _chain(self, lr: float, base_lr: float, epoch: int) -> float:
        T, lo = self.T_max, self.eta_min
        if epoch == 0:
            return lr
        if self._step_count == 1:  # first step of a scheduler resumed at last_epoch > 0
            return self._closed_form(base_lr, epoch)
        if (epoch - 1 - T) % (2 * T) == 0:  # leaving the minimum, where the ratio is 0/0
            return lr + (base_lr - lo) * (1 - math.cos(math.pi / T)) / 2
        ratio = (1 + math.cos(math.pi * epoch / T)) / (1 + math.cos(math.pi * (epoch - 1) / T))
        return ratio * (lr - lo) + lo

    def _closed_form(self, base_lr: float, epoch: int) -> float:
        lo = self.eta_min
        return lo + (base_lr - lo) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2


class LinearLR(LRScheduler):
    """Linear warm-up: the factor goes from ``start_factor`` to ``end_factor`` over ``total_iters``.

    ``lr = base * (start + (end - start) * min(epoch, total_iters) / total_iters)``.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if not 0 < float(start_factor) <= 1:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor!r}")
        if not 0 <= float(end_factor) <= 1:
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor!r}")
        self.start_factor = float(start_factor)
        self.end_factor = float(end_factor)
        self.total_iters = _positive_int("LinearLR", "total_iters", total_iters)
        super().__init__(optimizer, last_epoch)

    def _factor(self, epoch: int) -> float:
        s, e = self.start_factor, self.end_factor
        return s + (e - s) * min(epoch, self.total_iters) / self.total_iters

    def _chain(self, lr: float, base_lr: float, epoch: int) -> float:
        if epoch == 0:
            return lr * self.start_factor
        if epoch > self.total_iters:
            return lr
        s, e, n = self.start_factor, self.end_factor, self.total_iters
        return lr * (1 + (e - s) / (n * s + (epoch - 1) * (e - s)))

    def _closed_form(self, base_lr: float, epoch: int) -> float:
        return base_lr * self._factor(epoch)


class _NestedSchedulers(LRScheduler):
    """A schedule made of other schedules (``_schedulers``): their states are saved with it."""

    _schedulers: list[LRScheduler]

    def state_dict(self) -> dict[str, Any]:
        sd = super().state_dict()
        sd["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return sd

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        name = f"{type(self).__name__}.load_state_dict"
        sd = dict(state_dict)
        subs = sd.pop("_schedulers", None)
        if subs is None:
            raise ValueError(f"{name}: missing the '_schedulers' entry")
        if isinstance(subs, Mapping):  # {'0': ..., '1': ...} after a flattening file format
            subs = [subs[k] for k in sorted(subs, key=int)]
        if len(subs) != len(self._schedulers):
            raise ValueError(
                f"{name}: saved {len(subs)} scheduler(s), this one has {len(self._schedulers)}"
            )
        super().load_state_dict(sd)
        for s, sub in zip(self._schedulers, subs, strict=True):
            s.load_state_dict(sub)


class SequentialLR(_NestedSchedulers):
    """Run ``schedulers`` one after another, switching at the ``milestones`` epochs.

    At a milestone the next scheduler restarts at its epoch 0 (from the base rates), e.g. a
    linear warm-up then cosine decay::

        SequentialLR(opt, [LinearLR(opt, 0.1, total_iters=5), CosineAnnealingLR(opt, 95)], [5])
    """

    _unsaved = ("optimizer", "_schedulers")

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: Sequence[LRScheduler],
        milestones: Sequence[int],
        last_epoch: int = -1,
    ) -> None:
        scheds = list(schedulers)
        ms = list(milestones)
        if not scheds:
            raise ValueError("SequentialLR: expected at least one scheduler")
        for i, s in enumerate(scheds):
            if not isinstance(s, LRScheduler) or isinstance(s, SequentialLR):
                raise TypeError(
                    f"SequentialLR: schedulers[{i}] is {type(s).__name__}; expected a simple "
                    "LRScheduler (not a SequentialLR)"
                )
            if s.optimizer is not optimizer:
                raise ValueError(
                    f"SequentialLR: schedulers[{i}] belongs to a different optimizer than the one "
                    "given; all schedulers must drive the same optimizer"
                )
        if len(ms) != len(scheds) - 1:
            raise ValueError(
                f"SequentialLR: expected {len(scheds) - 1} milestone(s) for {len(scheds)} "
                f"schedulers, got {len(ms)}"
            )
        if ms != sorted(ms):
            raise ValueError(f"SequentialLR: milestones must be increasing, got {ms!r}")
        self.optimizer = optimizer
        self._schedulers = scheds
        self._milestones = [int(m) for m in ms]
        self.last_epoch = int(last_epoch) + 1
        # Building the schedulers applied each one's epoch 0; undo that and start the first.
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        for s in scheds:
            s.last_epoch -= 1
        scheds[0]._initial_step()
        self._last_lr = scheds[0].get_last_lr()

    def step(self, epoch: int | None = None) -> None:
        if epoch is not None:
            raise TypeError("SequentialLR.step() takes no epoch; call it once per epoch")
        self.last_epoch += 1
        idx = bisect.bisect_right(self._milestones, self.last_epoch)
        sched = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            sched.step(0)  # a new phase starts at its own epoch 0
        else:
            sched.step()
        self._last_lr = sched.get_last_lr()


# The newer schedules live in their own modules (they import LRScheduler from here); they are
# re-exported so that ``optim.lr_scheduler.X`` names every schedule, as in PyTorch.
from .lr_scheduler_chained import ChainedScheduler  # noqa: E402
from .lr_scheduler_cyclic import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR  # noqa: E402
from .lr_scheduler_plateau import ReduceLROnPlateau  # noqa: E402

__all__ += ["ChainedScheduler", "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR",
            "ReduceLROnPlateau"]
