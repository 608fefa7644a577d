"""Line searches for :class:`optim.LBFGS`: the strong Wolfe search of minFunc (as PyTorch's).

The search looks along a direction ``d`` from the point ``x`` for a step ``t`` satisfying the
strong Wolfe conditions (sufficient decrease and a small directional derivative)::

    f(x + t d) <= f(x) + c1 t g.d         |g(x + t d).d| <= -c2 g.d

It first brackets an acceptable step (growing ``t`` by cubic extrapolation), then shrinks the
bracket by safeguarded cubic interpolation ("zoom").  Scalars are Python floats, vectors 1-d
arrays; ``obj_func(x, t, d)`` returns the loss and the flat gradient at ``x + t d``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograd.backend import xp
from autograd.devices import to_host

ObjFunc = Callable[[Any, float, Any], tuple[float, Any]]


def _host(a: Any) -> float:
    """A 0-d array read back as a float (explicitly from a GPU: the search branches on it, as
    PyTorch's does with ``.item()``)."""
    return float(to_host(a))


def cubic_interpolate(
    x1: float, f1: float, g1: float, x2: float, f2: float, g2: float,
    bounds: tuple[float, float] | None = None,
) -> float:
    """Minimiser, clipped to ``bounds``, of the cubic with values ``f`` and slopes ``g`` at x1, x2.

    Without ``bounds`` the interval between x1 and x2 is used; when the cubic has no real
    minimiser (negative discriminant) the midpoint of the bounds is returned.
    """
    if bounds is None:
        lo, hi = (x1, x2) if x1 <= x2 else (x2, x1)
    else:
        lo, hi = bounds
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if d2_square >= 0:
        d2 = math.sqrt(d2_square)
        if x1 <= x2:
            pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(pos, lo), hi)
    return (lo + hi) / 2.0


def strong_wolfe(
    obj_func: ObjFunc, x: Any, t: float, d: Any, f: float, g: Any, gtd: float,
    c1: float = 1e-4, c2: float = 0.9, tolerance_change: float = 1e-9, max_ls: int = 25,
) -> tuple[float, Any, float, int]:
    """Search along ``d`` from ``x`` (loss ``f``, gradient ``g``, slope ``gtd = g.d < 0``).

    Starts from the step ``t`` and evaluates at most ``max_ls`` further points after the first.
    Returns ``(loss, gradient, t, evaluations)`` at the accepted step (the best one seen when
    the search runs out of evaluations or the bracket gets narrower than ``tolerance_change``).
    """
    d_norm = _host(xp.max(xp.abs(d))) if d.size else 0.0
    f_new, g_new = obj_func(x, t, d)
    evals = 1
    gtd_new = _host(xp.dot(g_new, d))
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done = False
    it = 0
    # Bracketing phase: grow the step until an interval is known to hold an acceptable one.
    bracket: list[float] = [0.0, t]
    bracket_f: list[float] = [f, f_new]
    bracket_g: list[Any] = [g, g_new]
    bracket_gtd: list[float] = [gtd, gtd_new]
    while it < max_ls:
        if f_new > f + c1 * t * gtd or (it > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        # extrapolate: a cubic step, at least 1% beyond t and at most 10x t
        t_next = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                                   bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new, gtd_new
        t = t_next
        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = _host(xp.dot(g_new, d))
        it += 1
    if it >= max_ls:  # out of evaluations: keep the better of the start and the last step
        bracket, bracket_f, bracket_g = [0.0, t], [f, f_new], [g, g_new]

    # Zoom phase: shrink the bracket around a point satisfying the strong Wolfe conditions.
    insufficient_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and it < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                              bracket[1], bracket_f[1], bracket_gtd[1])
        # Safeguard: a point too close to an end of the bracket makes little progress; after
        # two such points in a row (or one outside), move it to 10% inside the bracket.
        top, bottom = max(bracket), min(bracket)
        eps = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < eps:
            if insufficient_progress or t >= top or t <= bottom:
                t = top - eps if abs(t - top) < abs(t - bottom) else bottom + eps
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = _host(xp.dot(g_new, d))
        it += 1
        if f_new > f + c1 * t * gtd or f_new >= bracket_f[low]:
            bracket[high], bracket_f[high] = t, f_new
            bracket_g[high], bracket_gtd[high] = g_new, gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                # the new low point's slope points away from the old high end: drop that end
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low] = t, f_new
            bracket_g[low], bracket_gtd[low] = g_new, gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evals
