"""gradcheck / gradgradcheck: they pass on right rules and catch wrong ones, saying where."""

import warnings

import numpy as np
import pytest

import autograd as ag
from autograd import GradcheckError, Tensor
from autograd.primitive import Primitive
from autograd.testing import assert_array_equal

# a primitive with a deliberately wrong rule (d/dx x^2 reported as x instead of 2x)
_bad_square = Primitive("bad_square", lambda x: x * x, (lambda g, out, x: g * x,))
# right first derivative, wrong second: the rule treats x as a constant in create_graph mode
_bad_second = Primitive("bad_second", lambda x: x ** 3,
                        (lambda g, out, x: g * 3 * (x.detach() if isinstance(x, Tensor) else x) ** 2,))


def x64(*shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def test_passes_on_correct_function_full_and_fast():
    x, w = x64(3, 4), x64(4, 2, seed=1)
    fn = lambda x, w: ((x @ w).tanh() * 2).exp()
    assert ag.gradcheck(fn, (x, w))
    assert ag.gradcheck(fn, (x, w), fast_mode=True)
    assert ag.gradgradcheck(fn, (x, w))


def test_detects_wrong_rule_and_names_input_and_values():
    x = x64(3)
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(_bad_square, (x,))
    msg = str(info.value)
    assert "input 0, output 0" in msg and "numerical" in msg and "analytical" in msg
    assert not ag.gradcheck(_bad_square, (x,), raise_exception=False)
    with pytest.raises(GradcheckError, match="fast mode"):
        ag.gradcheck(_bad_square, (x,), fast_mode=True)


def test_gradgradcheck_detects_wrong_second_derivative():
    x = x64(3)
    assert ag.gradcheck(_bad_second, (x,))
    with pytest.raises(GradcheckError):
        ag.gradgradcheck(_bad_second, (x,))


def test_names_the_second_input():
    good = x64(2)
    with pytest.raises(GradcheckError, match="input 1"):
        ag.gradcheck(lambda a, b: a * 2 + _bad_square(b), (good, x64(2, seed=3)))


def test_warns_for_non_float64_inputs():
    x = Tensor(np.ones(2, np.float32), requires_grad=True)
    with pytest.warns(UserWarning, match="float64"):
        ag.gradcheck(lambda t: t * 2, (x,), atol=1e-2, rtol=1e-2, eps=1e-3)


def test_requires_some_input_requiring_grad():
    with pytest.raises(ValueError, match="requires grad"):
        ag.gradcheck(lambda t: t * 2, (Tensor([1.0]),))


def test_non_tensor_output_rejected():
    with pytest.raises(TypeError, match="expected Tensor"):
        ag.gradcheck(lambda t: 3.0, (x64(2),))


def test_inputs_restored_exactly():
    x = x64(2, 3)
    before = x.detach().cpu().numpy().copy()
    ag.gradcheck(lambda t: (t * t).sum(), (x,))
    assert_array_equal(x.detach().cpu().numpy(), before)


def test_scalar_fast_path_inputs():
    a, b = Tensor(0.7, requires_grad=True), Tensor(-0.3, requires_grad=True)
    assert ag.gradcheck(lambda a, b: (a * b).tanh() + a.exp() / (1.5 + b * b), (a, b))
    assert ag.gradgradcheck(lambda a, b: (a * b).tanh() + a.exp() / (1.5 + b * b), (a, b))


def test_no_warnings_for_float64():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ag.gradcheck(lambda t: t.sin(), (x64(3),))
