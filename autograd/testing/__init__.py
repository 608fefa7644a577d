"""Property-testing helpers for users: hypothesis strategies and gradient assertions.

>>> from hypothesis import given, settings
>>> import autograd as ag
>>> from autograd.testing import tensors, assert_gradients_close
>>> @settings(max_examples=5, deadline=None)
... @given(tensors(max_dims=2, max_side=3))
... def test_tanh(x):
...     assert_gradients_close(lambda t: t.tanh(), x)
>>> test_tanh()
"""

try:
    import hypothesis  # noqa: F401  (the strategies are hypothesis strategies)
except ImportError as e:
    raise ModuleNotFoundError(
        "autograd.testing needs hypothesis, which comes with the test extra: "
        "pip install -e \".[test]\" (from a checkout), pip install \"tapegrad[test]\", or "
        "pip install hypothesis",
        name="hypothesis",
    ) from e

from .assertions import (
    assert_allclose,
    assert_array_equal,
    assert_array_less,
    assert_gradients_close,
    value_checks,
)
from .strategies import arrays_for, broadcastable_tensors, shapes, tensors

__all__ = ["tensors", "broadcastable_tensors", "shapes", "arrays_for", "assert_gradients_close",
           "assert_allclose", "assert_array_equal", "assert_array_less", "value_checks"]
