"""``gradcheck``/``gradgradcheck`` fail on non-finite gradients: a rule that returns nan, inf or
-inf (everywhere or in one element), a forward that returns nan, in full and fast mode.  They
raise ``GradcheckError`` (or return False with ``raise_exception=False``), never pass, and never
let a NumPy RuntimeWarning escape instead (the suite turns those into errors)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
from autograd import GradcheckError
from autograd.primitive import Primitive


def _function(backward_value=None, forward_value=None, element=None):
    """A Function ``2x`` whose backward (or forward) is replaced by a non-finite value."""

    class F(ag.Function):
        @staticmethod
        def forward(ctx, x):
            if forward_value is not None:
                return x * forward_value
            return x * 2

        @staticmethod
        def backward(ctx, g):
            if backward_value is None:
                return g * 2
            if element is None:
                return g * 0 + backward_value
            bad = np.zeros(g.shape)
            bad[element] = backward_value
            return g * 2 + ag.tensor(bad)

    return F.apply


NON_FINITE = [math.nan, math.inf, -math.inf]


def _x():
    return ag.tensor([0.5, -1.5, 2.0], requires_grad=True)


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("value", NON_FINITE)
@pytest.mark.parametrize("element", [None, 1])
def test_rule_returning_non_finite_fails(value, element, fast):
    fn = _function(backward_value=value, element=element)
    with pytest.raises(GradcheckError, match="mismatch"):
        ag.gradcheck(fn, (_x(),), fast_mode=fast)
    assert ag.gradcheck(fn, (_x(),), fast_mode=fast, raise_exception=False) is False


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("value", NON_FINITE)
def test_forward_returning_non_finite_fails(value, fast):
    fn = _function(forward_value=value)
    with pytest.raises(GradcheckError):
        ag.gradcheck(fn, (_x(),), fast_mode=fast)
    assert ag.gradcheck(fn, (_x(),), fast_mode=fast, raise_exception=False) is False


@pytest.mark.parametrize("value", NON_FINITE)
def test_primitive_rule_returning_non_finite_fails(value):
    """Sibling: a primitive's rule (not a Function) that gives a non-finite gradient."""
    prim = Primitive("twice", lambda x: 2 * x, (lambda g, out, x: g * 0 + value,))
    with pytest.raises(GradcheckError):
        ag.gradcheck(prim, (_x(),))
    assert ag.gradcheck(prim, (_x(),), raise_exception=False) is False


@pytest.mark.parametrize("value", NON_FINITE)
def test_second_derivative_rule_returning_non_finite_fails(value):
    """gradgradcheck: the first derivative is right, its own derivative is not finite."""
    # cube with the correct first rule 3 x^2, written through a primitive whose rule is broken
    square3 = Primitive("square3", lambda x: 3 * x * x, (lambda g, out, x: g * 0 + value,))
    cube = Primitive("cube", lambda x: x ** 3, (lambda g, out, x: g * square3.raw(x),))
    assert ag.gradcheck(cube, (_x(),))
    with pytest.raises(GradcheckError):
        ag.gradgradcheck(cube, (_x(),))
    assert ag.gradgradcheck(cube, (_x(),), raise_exception=False) is False


def test_a_finite_rule_still_passes():
    assert ag.gradcheck(_function(), (_x(),))
    assert ag.gradcheck(_function(), (_x(),), fast_mode=True)
