"""Cyclical schedules: ``CyclicLR``, ``OneCycleLR`` and ``CosineAnnealingWarmRestarts``.

They are importable as ``optim.lr_scheduler.X``, like every schedule.  ``CyclicLR`` and
``OneCycleLR`` are stepped once per *batch* and may also cycle the optimizer's momentum (SGD's
or RMSprop's ``momentum``, the Adam family's ``beta1``) inversely to the rate.  Their rate is a
function of the step number alone, so ``step(epoch)`` jumps there with the same formula.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from .lr_scheduler import LRScheduler, _positive_int
from .optimizer import Optimizer

__all__ = ["CyclicLR", "OneCycleLR", "CosineAnnealingWarmRestarts"]


def _per_group(where: str, name: str, optimizer: Optimizer, value: Any) -> list[float]:
    """One value per parameter group: a list of that length, or one number for all."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(
                f"{where}: {name} has {len(value)} value(s) but the optimizer has {n} parameter "
                "group(s); give one value per group, or a single number"
            )
        return [float(v) for v in value]
    return [float(value)] * n


def _check_optimizer(where: str, optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{where}: expected an optim.Optimizer, got {type(optimizer).__name__}")


class _MomentumCycler:
    """Shared by CyclicLR and OneCycleLR: writes a momentum into every group.

    The momentum is ``group['momentum']`` (SGD, RMSprop) or ``group['betas'][0]`` (the Adam
    family), whichever the optimizer's defaults have; ``use_beta1`` records which.
    """

    use_beta1: bool

    def _setup_momentum(
        self, where: str, optimizer: Optimizer, base: Any, top: Any, last_epoch: int
    ) -> None:
        if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
            raise ValueError(
                f"{where}: cycle_momentum=True needs an optimizer with a 'momentum' or 'betas' "
                f"option, and {type(optimizer).__name__} has neither; pass cycle_momentum=False"
            )
        self.use_beta1 = "betas" in optimizer.defaults
        bases = _per_group(where, "base_momentum", optimizer, base)
        tops = _per_group(where, "max_momentum", optimizer, top)
        if last_epoch == -1:
            for b, m, group in zip(bases, tops, optimizer.param_groups, strict=True):
                group["base_momentum"], group["max_momentum"] = b, m
                self._set_momentum(group, m)
        self.base_momentums, self.max_momentums = bases, tops

    def _set_momentum(self, group: dict[str, Any], value: float) -> None:
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value


class CyclicLR(_MomentumCycler, LRScheduler):
    """Cyclical learning rates (Smith, 2017), as ``torch.optim.lr_scheduler.CyclicLR``.

    The rate goes from ``base_lr`` up to ``max_lr`` in ``step_size_up`` steps and back down in
    ``step_size_down`` (default: the same); at step ``e`` (``last_epoch``)::

        cycle = floor(1 + e / (up + down));  x = 1 + e / (up + down) - cycle     (in [0, 1))
        s = x / r  if x <= r  else  (x - 1) / (r - 1)          (r = up / (up + down))
        lr = base_lr + (max_lr - base_lr) * s * scale_fn(cycle or e)

    with ``scale_fn`` 1 (``"triangular"``), ``1 / 2**(cycle - 1)`` (``"triangular2"``: halved
    each cycle), ``gamma**e`` (``"exp_range"``), or a function of your own (its argument is the
    cycle number with ``scale_mode="cycle"``, the step with ``"iterations"``).  With
    ``cycle_momentum`` the momentum moves the opposite way, ``max_momentum - (max_momentum -
    base_momentum) * s * scale_fn(...)``.  Call ``step()`` after every batch.

    ``base_lr``, ``max_lr`` and the momenta are one number or one per parameter group.  The
    construction sets the groups' rates to ``base_lr`` (and ``base_lrs`` to it); ``scale_fn`` is
    not saved by ``state_dict`` (pass it again when rebuilding).  Raises ValueError for an
    unknown ``mode`` without ``scale_fn``, an unknown ``scale_mode``, a non-positive
    ``step_size_up`` or negative ``step_size_down``, lists of the wrong length, and
    ``cycle_momentum`` with an optimizer that has no momentum.

    >>> import autograd as ag
    >>> from optim import SGD
    >>> opt = SGD([ag.tensor([0.0], requires_grad=True)], lr=0.1, momentum=0.9)
    >>> sched = CyclicLR(opt, base_lr=0.1, max_lr=0.5, step_size_up=2)
    >>> lrs = []
    >>> for _ in range(5):
    ...     opt.step()
    ...     sched.step()
    ...     lrs.append(round(sched.get_last_lr()[0], 3))
    >>> lrs
    [0.3, 0.5, 0.3, 0.1, 0.3]
    """

    _unsaved = ("optimizer", "_scale_fn_custom")

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | Sequence[float],
        max_lr: float | Sequence[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float | Sequence[float] = 0.8,
        max_momentum: float | Sequence[float] = 0.9,
        last_epoch: int = -1,
    ) -> None:
        _check_optimizer("CyclicLR", optimizer)
        base_lrs = _per_group("CyclicLR", "base_lr", optimizer, base_lr)
        self.max_lrs = _per_group("CyclicLR", "max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = up if step_size_down is None else float(step_size_down)
        if not up > 0 or not down >= 0:
            raise ValueError(
                f"CyclicLR: step_size_up must be > 0 and step_size_down >= 0, got "
                f"{step_size_up!r} and {step_size_down!r}"
            )
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if scale_fn is None:
            if mode not in ("triangular", "triangular2", "exp_range"):
                raise ValueError(
                    f"CyclicLR: mode must be 'triangular', 'triangular2' or 'exp_range' (or pass "
                    f"scale_fn), got {mode!r}"
                )
            # the built-in policies fix their own scale mode, as in PyTorch
            scale_mode = "iterations" if mode == "exp_range" else "cycle"
        elif not callable(scale_fn):
            raise TypeError(f"CyclicLR: scale_fn must be callable, got {type(scale_fn).__name__}")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(
                f"CyclicLR: scale_mode must be 'cycle' or 'iterations', got {scale_mode!r}"
            )
        self.mode, self.gamma, self.scale_mode = mode, float(gamma), scale_mode
        self._scale_fn_custom = scale_fn
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            self._setup_momentum("CyclicLR", optimizer, base_momentum, max_momentum, last_epoch)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups, strict=True):
                group["lr"] = lr
        self._base_lrs = base_lrs
        super().__init__(optimizer, last_epoch)

    def _initial_step(self) -> None:
        self.base_lrs = list(self._base_lrs)  # the cycle's floor, whatever 'initial_lr' says
        super()._initial_step()

    def scale_fn(self, x: float) -> float:
        """The amplitude factor of the cycle at ``x`` (a cycle number or a step number)."""
        if self._scale_fn_custom is not None:
            return float(self._scale_fn_custom(x))
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self) -> list[float]:
        """Rates at step ``last_epoch``; sets the groups' momentum too (``cycle_momentum``)."""
        e = self.last_epoch
        cycle = math.floor(1 + e / self.total_size)
        x = 1.0 + e / self.total_size - cycle
        r = self.step_ratio
        s = x / r if x <= r else (x - 1) / (r - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else e)
        lrs = [b + (m - b) * s * scale for b, m in zip(self.base_lrs, self.max_lrs, strict=True)]
        if self.cycle_momentum:
            for group, b, m in zip(self.optimizer.param_groups, self.base_momentums,
                                   self.max_momentums, strict=True):
                self._set_momentum(group, m - (m - b) * s * scale)
        return lrs

    def _get_closed_form_lr(self) -> list[float]:
        return self.get_lr()


class OneCycleLR(_MomentumCycler, LRScheduler):
    """The 1cycle policy (Smith & Topin, 2018), as ``torch.optim.lr_scheduler.OneCycleLR``.

    Over ``total_steps`` steps (or ``epochs * steps_per_epoch``) the rate rises from
    ``initial_lr = max_lr / div_factor`` to ``max_lr`` during the first ``pct_start`` of the
    steps, then anneals down to ``min_lr = initial_lr / final_div_factor``.  With
    ``three_phase=True`` it comes back down to ``initial_lr`` symmetrically first, then anneals
    to ``min_lr``.  Each phase interpolates from its start to its end value with
    ``anneal_strategy`` ``"cos"`` (``end + (start - end) * (1 + cos(pi * pct)) / 2``) or
    ``"linear"``; phase ``k`` ends at step ``k * pct_start * total_steps - k`` (the last at
    ``total_steps - 1``).  With ``cycle_momentum`` the momentum (``momentum`` or ``beta1``)
    moves inversely between ``max_momentum`` and ``base_momentum``.

    Call ``step()`` after every batch; stepping past ``total_steps`` raises ValueError, as in
    PyTorch.  ``max_lr`` and the momenta are one number or one per parameter group.  The groups
    get ``initial_lr``, ``max_lr`` and ``min_lr`` entries (and ``max_momentum``,
    ``base_momentum``).  Other errors: ValueError for non-positive step counts, ``pct_start``
    outside [0, 1], an unknown ``anneal_strategy``, and ``cycle_momentum`` with an optimizer
    that has no momentum.  Unlike PyTorch, a phase of zero length (e.g. ``pct_start *
    total_steps == 1``) does not divide by zero: its single step takes the phase's end value.

    >>> import autograd as ag
    >>> from optim import SGD
    >>> opt = SGD([ag.tensor([0.0], requires_grad=True)], lr=0.1, momentum=0.9)
    >>> sched = OneCycleLR(opt, max_lr=1.0, total_steps=5, anneal_strategy="linear",
    ...                    pct_start=0.4, div_factor=10.0, final_div_factor=10.0)
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for _ in range(4):
    ...     opt.step()
    ...     sched.step()
    ...     lrs.append(round(sched.get_last_lr()[0], 4))
    >>> lrs
    [0.1, 1.0, 0.67, 0.34, 0.01]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | Sequence[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | Sequence[float] = 0.85,
        max_momentum: float | Sequence[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        _check_optimizer("OneCycleLR", optimizer)
        if total_steps is not None:
            self.total_steps = _positive_int("OneCycleLR", "total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = (_positive_int("OneCycleLR", "epochs", epochs)
                                * _positive_int("OneCycleLR", "steps_per_epoch", steps_per_epoch))
        else:
            raise ValueError(
                "OneCycleLR: give either total_steps or both epochs and steps_per_epoch"
            )
        if isinstance(pct_start, bool) or not 0 <= float(pct_start) <= 1:
            raise ValueError(f"OneCycleLR: pct_start must be in [0, 1], got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}"
            )
        self.pct_start = float(pct_start)
        self.anneal_strategy = anneal_strategy
        self.three_phase = bool(three_phase)
        max_lrs = _per_group("OneCycleLR", "max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for m, group in zip(max_lrs, optimizer.param_groups, strict=True):
                group["initial_lr"] = m / div_factor
                group["max_lr"] = m
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            self._setup_momentum("OneCycleLR", optimizer, base_momentum, max_momentum,
                                 last_epoch)
        super().__init__(optimizer, last_epoch)

    def _phases(self) -> list[tuple[float, str, str, str, str]]:
        """(last step, start rate, end rate, start momentum, end momentum) of each phase."""
        n, p = self.total_steps, self.pct_start
        if self.three_phase:
            return [
                (float(p * n) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (float(2 * p * n) - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                (n - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        return [
            (float(p * n) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
            (n - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
        ]

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        """Rates at step ``last_epoch``; sets the groups' momentum too (``cycle_momentum``)."""
        e = self.last_epoch
        if e > self.total_steps:
            raise ValueError(
                f"OneCycleLR: tried to step {e} times, but total_steps is {self.total_steps}; "
                "make total_steps (or epochs * steps_per_epoch) cover the whole run"
            )
        phases = self._phases()
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, (end, lr0, lr1, m0, m1) in enumerate(phases):
                if e <= end or i == len(phases) - 1:
                    pct = (e - start) / (end - start) if end != start else 1.0
                    lrs.append(self._anneal(group[lr0], group[lr1], pct))
                    if self.cycle_momentum:
                        self._set_momentum(group, self._anneal(group[m0], group[m1], pct))
                    break
                start = end
        return lrs

    def _get_closed_form_lr(self) -> list[float]:
        return self.get_lr()


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR: cosine annealing restarted every cycle (Loshchilov & Hutter, 2017).

    As ``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts``.  The first cycle lasts ``T_0``
    epochs, each next one ``T_mult`` times longer; within a cycle of length ``T_i``, at
    ``T_cur`` epochs since the last restart::

        lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2

    ``step()`` advances one epoch.  ``step(epoch)`` jumps to ``epoch``, which may be
    fractional (call it after each batch with ``epoch + i / iters`` to anneal within epochs);
    the cycle holding ``epoch`` is found exactly (PyTorch's floating-point logarithm can put an
    epoch right at a restart into the previous cycle when ``T_mult > 1``; here the restart
    epoch always begins the new cycle, as ``step()`` does).  Its first step before any
``optimizer.step()`` warns like the other schedules (PyTorch's override of ``step`` skips that
check for this one).  Raises ValueError for a
    non-positive ``T_0``, ``T_mult < 1`` (both integers) and a negative ``epoch``.

    >>> import autograd as ag
    >>> from optim import SGD
    >>> opt = SGD([ag.tensor([0.0], requires_grad=True)], lr=1.0)
    >>> sched = CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
    >>> lrs = [sched.get_last_lr()[0]]
    >>> for _ in range(7):
    ...     opt.step()
    ...     sched.step()
    ...     lrs.append(round(sched.get_last_lr()[0], 4))
    >>> lrs   # restarts at epochs 2 and 6
    [1.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 1.0, 0.9619]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        self.T_0 = _positive_int("CosineAnnealingWarmRestarts", "T_0", T_0)
        if isinstance(T_mult, bool) or not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(
                f"CosineAnnealingWarmRestarts: T_mult must be an integer >= 1, got {T_mult!r}"
            )
        if isinstance(eta_min, bool) or not isinstance(eta_min, (int, float)):
            raise ValueError(
                f"CosineAnnealingWarmRestarts: eta_min must be a number, got {eta_min!r}"
            )
        self.T_i: float = T_0
        self.T_mult = T_mult
        self.eta_min = float(eta_min)
        self.T_cur: float = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        lo = self.eta_min
        c = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [lo + (base - lo) * c for base in self.base_lrs]

    def _locate(self, epoch: float) -> None:
        """Set ``T_cur`` and ``T_i`` for ``epoch`` (the closed form)."""
        if epoch < self.T_0:
            self.T_i, self.T_cur = self.T_0, epoch
        elif self.T_mult == 1:
            self.T_cur = epoch % self.T_0
        else:
            # cycle n starts at T_0 (T_mult**n - 1) / (T_mult - 1): walk the integer starts
            # instead of taking a logarithm, so that a restart epoch is never misplaced
            start, length = 0, self.T_0
            while start + length <= epoch:
                start, length = start + length, length * self.T_mult
            self.T_i, self.T_cur = length, epoch - start

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or jump to ``epoch`` (a non-negative number, may be fractional)."""
        self._warn_if_optimizer_not_stepped()
        self._step_count += 1
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if not epoch >= 0:
                raise ValueError(
                    f"CosineAnnealingWarmRestarts.step: epoch must be >= 0, got {epoch!r}"
                )
            self._locate(epoch)
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
