"""Writing custom differentiable functions with ``autograd.Function`` and property-testing them.

Two functions whose gradient we write by hand:

* ``Softplus``: ``log(1 + exp(x))``. Written naively it overflows for large ``x`` (``exp(800)`` is
  inf) and loses all precision for very negative ``x``. The stable form
  ``max(x, 0) + log1p(exp(-|x|))`` has the derivative ``sigmoid(x)``, which ``backward`` returns.
* ``Hypot``: ``sqrt(x**2 + y**2)`` of two broadcastable tensors, with ``dr/dx = x / r`` and
  ``dr/dy = y / r``; the Function machinery sums each gradient back to its input's shape.

Each is then checked with hypothesis and ``autograd.testing``: hand-written gradients (and, since
``backward`` is itself written with differentiable Tensor operations, second derivatives) agree
with central differences on random shapes and values; the stable softplus matches the naive
formula where that one is accurate and stays finite where it overflows. Inputs of ``Hypot`` are
kept away from ``r = 0``, where it has no derivative, rather than loosening tolerances.

Run: ``python examples/custom_function.py`` (needs hypothesis, from the ``test`` extra).
"""

from __future__ import annotations

import argparse
import math
import traceback
from typing import Any

import numpy as np

import autograd as ag
from autograd._cli import positive_int, require_extras


class Softplus(ag.Function):
    """``log(1 + exp(x))`` computed stably, with the gradient ``sigmoid(x)`` written by hand."""

    @staticmethod
    def forward(ctx: Any, x: ag.Tensor) -> ag.Tensor:
        ctx.save_for_backward(x)
        return x.relu() + (-x.abs()).exp().log1p()

    @staticmethod
    def backward(ctx: Any, grad: ag.Tensor) -> ag.Tensor:
        (x,) = ctx.saved_tensors
        return grad * x.sigmoid()


class Hypot(ag.Function):
    """``sqrt(x**2 + y**2)`` for broadcastable ``x``, ``y``."""

    @staticmethod
    def forward(ctx: Any, x: ag.Tensor, y: ag.Tensor) -> ag.Tensor:
        r = (x * x + y * y).sqrt()
        ctx.save_for_backward(x, y, r)
        return r

    @staticmethod
    def backward(ctx: Any, grad: ag.Tensor) -> tuple[ag.Tensor, ag.Tensor]:
        x, y, r = ctx.saved_tensors
        # Returned in the broadcast (output) shape: autograd sums them back to x's and y's shapes.
        return grad * x / r, grad * y / r


def softplus(x: ag.Tensor) -> ag.Tensor:
    return Softplus.apply(x)


def hypot(x: ag.Tensor, y: ag.Tensor) -> ag.Tensor:
    return Hypot.apply(x, y)


def property_tests(max_examples: int) -> list[tuple[str, Any]]:
    """The hypothesis tests, each wrapped to run ``max_examples`` examples."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from autograd.testing import assert_gradients_close, broadcastable_tensors, tensors

    run = settings(max_examples=max_examples, deadline=None)

    @run
    @given(tensors(min_value=-20.0, max_value=20.0))
    def softplus_gradients(x: ag.Tensor) -> None:
        assert_gradients_close(softplus, x, check_gradgrad=True)

    @run
    @given(tensors(min_value=-30.0, max_value=30.0, requires_grad=False))
    def softplus_matches_naive_formula(x: ag.Tensor) -> None:
        naive = (1.0 + x.exp()).log()  # accurate on this range
        np.testing.assert_allclose(softplus(x).detach().cpu().numpy(), naive.detach().cpu().numpy(),
                                   rtol=1e-12, atol=1e-12)

    @run
    @given(st.floats(700.0, 1e6), st.booleans())
    def softplus_stays_finite(big: float, negative: bool) -> None:
        x = ag.tensor([-big if negative else big], requires_grad=True)
        y = softplus(x)
        y.sum().backward()
        assert x.grad is not None
        # softplus(-b) = log1p(e^-b) and sigmoid(-b) = e^-b / (1 + e^-b) both equal e^-b to
        # double precision for b >= 700 (about 1e-304 at 700, subnormal past 708, 0 past 745):
        # tiny, but not 0
        tiny = math.exp(-big)
        expected_value, expected_grad = (tiny, tiny) if negative else (big, 1.0)
        np.testing.assert_allclose(y.detach().cpu().numpy(), [expected_value], rtol=1e-15, atol=0)
        np.testing.assert_allclose(x.grad.cpu().numpy(), [expected_grad], rtol=1e-15, atol=0)

    # |x| >= 0.5 everywhere keeps r >= 0.5: far from the singular point r = 0.
    away_from_zero = st.floats(0.5, 3.0).flatmap(lambda m: st.sampled_from([m, -m]))

    @run
    @given(broadcastable_tensors(2, elements=away_from_zero))
    def hypot_gradients_with_broadcasting(xy: Any) -> None:
        x, y = xy
        assert_gradients_close(hypot, x, y, check_gradgrad=True)

    return [(f.__name__, f) for f in (softplus_gradients, softplus_matches_naive_formula,
                                      softplus_stays_finite, hypot_gradients_with_broadcasting)]


def grad_of(t: ag.Tensor) -> np.ndarray:
    if t.grad is None:
        raise RuntimeError("no gradient: was the tensor part of the graph?")
    return t.grad.cpu().numpy()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=positive_int, default=50,
                        help="hypothesis examples per property (50)")
    args = parser.parse_args(argv)
    require_extras("custom_function.py", "test", ("hypothesis", "hypothesis"))

    x = ag.tensor([-800.0, -1.0, 0.0, 1.0, 800.0], requires_grad=True)
    y = softplus(x)
    y.sum().backward()
    print(f"softplus({x.tolist()}) = {np.round(y.detach().cpu().numpy(), 4).tolist()}")
    print(f"gradient (sigmoid) = {np.round(grad_of(x), 4).tolist()}")
    xs = x.detach().cpu().numpy()
    with np.errstate(over="ignore"):
        print(f"naive log(1 + exp(x)) = {np.log1p(np.exp(xs)).tolist()}  (overflows)")

    a = ag.tensor([[3.0], [5.0]], requires_grad=True)  # (2, 1) broadcast against (3,)
    b = ag.tensor([4.0, 12.0, 0.5], requires_grad=True)
    hypot(a, b).sum().backward()
    print(f"hypot of shapes (2, 1) and (3,): gradient shapes {grad_of(a).shape} and "
          f"{grad_of(b).shape}")

    failed = 0
    for name, test in property_tests(args.max_examples):
        try:
            test()
            print(f"property {name}: passed ({args.max_examples} examples)")
        except Exception as e:  # report every property, then fail at the end
            failed += 1
            # format_exception_only includes hypothesis's note "Falsifying example: ..."
            detail = "".join(traceback.format_exception_only(e)).rstrip()
            print(f"property {name}: FAILED\n{detail}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
