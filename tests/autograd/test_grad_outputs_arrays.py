"""Arguments that are "a tensor or a sequence of tensors": an array (or a number) is one tensor,
never a sequence of its rows; only lists and tuples (and other non-array iterables) are sequences."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import autograd.functional as AF
from autograd.testing import assert_array_equal

# NumPy gradients are host arrays: for a GPU output they raise (PyTorch too), see
# tests/autograd/test_devices.py; these tests are about accepting them on the host
host_arrays = pytest.mark.cpu_only("NumPy grad_outputs are host arrays; a GPU output refuses them")


def _x():
    return ag.tensor([1.0, 2.0, 3.0], requires_grad=True)


@host_arrays
def test_grad_with_an_array_grad_output():
    """The issue's input."""
    x = _x()
    (g,) = ag.grad(x * 2, [x], grad_outputs=np.ones(3))
    assert_array_equal(g.data, [2.0, 2.0, 2.0])


@pytest.mark.parametrize("make", [
    pytest.param(lambda a: a, marks=host_arrays),  # ndarray
    lambda a: ag.tensor(a),           # Tensor
    pytest.param(lambda a: [a], marks=host_arrays),  # a list of one
    pytest.param(lambda a: (a,), marks=host_arrays),  # a tuple of one
    lambda a: [ag.tensor(a)],
])
def test_grad_outputs_every_spelling_of_one_gradient(make):
    x = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    v = np.arange(1.0, 7.0).reshape(2, 3)
    (g,) = ag.grad(x * x, x, grad_outputs=make(v))
    assert_array_equal(g.cpu().numpy(), 2 * x.detach().cpu().numpy() * v)


def test_grad_with_a_number_grad_output_for_a_scalar():
    x = _x()
    (g,) = ag.grad((x * x).sum(), x, grad_outputs=2.0)
    assert_array_equal(g.cpu().numpy(), 4 * x.detach().cpu().numpy())
    # a NumPy scalar is a number: it mixes with any device, as Python numbers do
    (g,) = ag.grad((x * x).sum(), x, grad_outputs=np.float64(3.0))
    assert_array_equal(g.cpu().numpy(), 6 * x.detach().cpu().numpy())


@host_arrays
def test_grad_with_several_outputs_and_array_grad_outputs():
    x = _x()
    y1, y2 = x * 2, x * 3
    g1, g2 = np.ones(3), np.full(3, 2.0)
    (g,) = ag.grad([y1, y2], x, grad_outputs=[g1, g2])
    assert_array_equal(g.data, 2 * g1 + 3 * g2)
    with pytest.raises(ValueError, match="got 2 outputs but 1 grad_outputs"):
        ag.grad([y1, y2], x, grad_outputs=np.ones(3), retain_graph=True)


@host_arrays
def test_backward_with_an_array_gradient():
    """Siblings: ``ag.backward`` with one tensor in a list, and ``Tensor.backward``."""
    x = _x()
    ag.backward([x * 2], grad_tensors=np.ones(3))
    assert_array_equal(x.grad.data, [2.0, 2.0, 2.0])
    x = _x()
    ag.backward(x * 2, np.full(3, 0.5))
    assert_array_equal(x.grad.data, [1.0, 1.0, 1.0])
    x = _x()
    (x * 2).backward(np.ones(3))
    assert_array_equal(x.grad.data, [2.0, 2.0, 2.0])


def test_inputs_may_be_a_generator():
    x = _x()
    (g,) = ag.grad((x * x).sum(), (t for t in [x]))
    assert_array_equal(g.cpu().numpy(), 2 * x.detach().cpu().numpy())


@host_arrays
def test_functional_vjp_with_an_array_cotangent():
    """Sibling in autograd.functional: ``v`` is one cotangent for one output."""
    _, vjp_fn = AF.vjp(lambda t: t * 2, ag.tensor([1.0, 2.0]))
    (g,) = vjp_fn(np.array([1.0, 3.0]))
    assert_array_equal(g.data, [2.0, 6.0])


def test_tensor_gradients_of_several_outputs_on_the_default_device():
    """The device-neutral sibling of the array tests above: gradients given as tensors."""
    x = _x()
    y1, y2 = x * 2, x * 3
    g1, g2 = ag.ones(3), ag.full((3,), 2.0)
    (g,) = ag.grad([y1, y2], x, grad_outputs=[g1, g2])
    assert_array_equal(g.cpu().numpy(), [8.0, 8.0, 8.0])
    x = _x()
    (x * 2).backward(ag.ones(3))
    assert_array_equal(x.grad.cpu().numpy(), [2.0, 2.0, 2.0])
    _, vjp_fn = AF.vjp(lambda t: t * 2, ag.tensor([1.0, 2.0]))
    (g,) = vjp_fn(ag.tensor([1.0, 3.0]))
    assert_array_equal(g.cpu().numpy(), [2.0, 6.0])
