"""Each optimizer minimises a convex quadratic and the Rosenbrock function from fixed starts.

Gradients come from the autograd engine (the quadratic through arrays and ``@``, Rosenbrock
through two Python-float scalar tensors, the scalar fast path).  The tables state, per case, the
number of steps and the tolerance on ``max |x - x*|`` (observed errors are 5-1000x smaller).
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import optim
from optim import lr_scheduler as L

# f(x) = 1/2 x^T A x - b^T x with eigenvalues 1..10 (condition number 10), minimised at A^-1 b.
_rng = np.random.default_rng(0)
_Q, _ = np.linalg.qr(_rng.standard_normal((5, 5)))
A = _Q @ np.diag(np.linspace(1.0, 10.0, 5)) @ _Q.T
B = _rng.standard_normal(5)
X_STAR = np.linalg.solve(A, B)

QUADRATIC = [  # (id, class, options, scheduler factory or None, steps, tolerance)
    ("sgd", optim.SGD, dict(lr=0.15), None, 200, 1e-12),
    ("sgd-momentum", optim.SGD, dict(lr=0.05, momentum=0.9), None, 200, 1e-4),
    ("sgd-nesterov", optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True), None, 200, 1e-6),
    ("adam", optim.Adam, dict(lr=0.1), None, 400, 1e-8),
    ("adam-amsgrad", optim.Adam, dict(lr=0.1, amsgrad=True), None, 400, 1e-8),
    ("adamw", optim.AdamW, dict(lr=0.1, weight_decay=0.0), None, 400, 1e-8),
    ("rmsprop", optim.RMSprop, dict(lr=0.05), lambda o: L.ExponentialLR(o, 0.98), 400, 1e-7),
    ("rmsprop-centered-momentum", optim.RMSprop, dict(lr=0.05, momentum=0.5, centered=True),
     lambda o: L.ExponentialLR(o, 0.98), 400, 1e-10),
    ("adagrad", optim.Adagrad, dict(lr=0.5), None, 400, 1e-12),
    ("nadam", optim.NAdam, dict(lr=0.1), lambda o: L.ExponentialLR(o, 0.98), 400, 1e-9),
    ("nadamw", optim.NAdam, dict(lr=0.1, decoupled_weight_decay=True),
     lambda o: L.ExponentialLR(o, 0.98), 400, 1e-9),
    ("radam", optim.RAdam, dict(lr=0.1), None, 400, 1e-8),
    ("adamax", optim.Adamax, dict(lr=0.1), None, 400, 1e-9),
    ("adadelta", optim.Adadelta, dict(lr=10.0), lambda o: L.ExponentialLR(o, 0.99), 1000, 1e-12),
]


def _quadratic(cls, options, schedule, steps, a=A, b=B):
    at, bt = ag.tensor(a), ag.tensor(b)
    x = ag.tensor(np.zeros(5), requires_grad=True)
    opt = cls([x], **options)
    sched = schedule(opt) if schedule else None
    for _ in range(steps):
        opt.zero_grad()
        loss = 0.5 * (x * (at @ x)).sum() - (bt * x).sum()
        loss.backward()
        opt.step()
        if sched:
            sched.step()
    return x.detach().cpu().numpy()


@pytest.mark.parametrize("cls,options,schedule,steps,tol",
                         [c[1:] for c in QUADRATIC], ids=[c[0] for c in QUADRATIC])
def test_quadratic(cls, options, schedule, steps, tol):
    x = _quadratic(cls, options, schedule, steps)
    assert np.abs(x - X_STAR).max() < tol


@pytest.mark.parametrize("cls,options,schedule,steps,tol", [
    (optim.SGD, dict(lr=0.1, weight_decay=0.5), None, 200, 1e-12),
    (optim.Adam, dict(lr=0.1, weight_decay=0.5), None, 400, 1e-8),
    (optim.RMSprop, dict(lr=0.05, weight_decay=0.5), lambda o: L.ExponentialLR(o, 0.98), 400,
     1e-7),
    (optim.Adagrad, dict(lr=0.5, weight_decay=0.5), None, 400, 1e-12),
    (optim.NAdam, dict(lr=0.1, weight_decay=0.5), lambda o: L.ExponentialLR(o, 0.98), 400,
     1e-12),
    (optim.RAdam, dict(lr=0.1, weight_decay=0.5), None, 400, 1e-8),
    (optim.Adamax, dict(lr=0.1, weight_decay=0.5), None, 400, 1e-9),
    (optim.Adadelta, dict(lr=10.0, weight_decay=0.5), lambda o: L.ExponentialLR(o, 0.99), 1000,
     1e-12),
])
def test_quadratic_with_weight_decay_reaches_the_ridge_solution(cls, options, schedule, steps,
                                                                tol):
    """L2 weight decay lam minimises f + lam/2 |x|^2, i.e. solves (A + lam I) x = b."""
    x = _quadratic(cls, options, schedule, steps)
    assert np.abs(x - np.linalg.solve(A + 0.5 * np.eye(5), B)).max() < tol


ROSENBROCK = [  # from the classic start (-1.2, 1) to the minimum (1, 1)
    ("sgd-momentum", optim.SGD, dict(lr=1e-3, momentum=0.9), None, 4000, 1e-6),
    ("sgd-nesterov", optim.SGD, dict(lr=1e-3, momentum=0.9, nesterov=True), None, 4000, 1e-6),
    ("adam", optim.Adam, dict(lr=0.02), None, 4000, 1e-5),
    ("adam-amsgrad", optim.Adam, dict(lr=0.05, amsgrad=True), None, 4000, 1e-4),
    ("adamw", optim.AdamW, dict(lr=0.02, weight_decay=0.0), None, 4000, 1e-5),
    ("rmsprop-momentum", optim.RMSprop, dict(lr=1e-3, momentum=0.9),
     lambda o: L.CosineAnnealingLR(o, T_max=4000), 4000, 1e-8),
    ("rmsprop-centered", optim.RMSprop, dict(lr=1e-3, momentum=0.9, centered=True),
     lambda o: L.CosineAnnealingLR(o, T_max=4000), 4000, 1e-8),
    ("adagrad", optim.Adagrad, dict(lr=0.5), None, 10000, 2e-3),
]


@pytest.mark.parametrize("cls,options,schedule,steps,tol",
                         [c[1:] for c in ROSENBROCK], ids=[c[0] for c in ROSENBROCK])
def test_rosenbrock(cls, options, schedule, steps, tol):
    x = ag.tensor(-1.2, requires_grad=True)
    y = ag.tensor(1.0, requires_grad=True)
    opt = cls([x, y], **options)
    sched = schedule(opt) if schedule else None
    for _ in range(steps):
        opt.zero_grad()
        loss = (1 - x) ** 2 + 100 * (y - x * x) ** 2
        loss.backward()
        opt.step()
        if sched:
            sched.step()
    if x.device.type == "cpu":  # (on a GPU a 0-d tensor is a device array: no float path)
        assert type(x._data) is float and type(y._data) is float  # stayed on the scalar path
    assert max(abs(x.item() - 1), abs(y.item() - 1)) < tol


def test_closure_line_search_style_step():
    """step(closure) re-evaluates the loss with grad enabled and returns it."""
    x = ag.tensor(np.array([3.0, -4.0]), requires_grad=True)
    opt = optim.SGD([x], lr=0.25)
    losses = []

    def closure():
        opt.zero_grad()
        loss = (x * x).sum()
        loss.backward()
        return loss

    with ag.no_grad():  # the closure still records: step enables grad for it
        for _ in range(5):
            losses.append(opt.step(closure).item())
    assert losses == [25.0, 6.25, 1.5625, 0.390625, 0.09765625]
