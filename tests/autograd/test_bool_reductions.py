"""``all``/``any`` (autograd/ops/variants.py): PyTorch's ``dim``/``keepdim`` and NumPy's
``axis``/``keepdims`` spellings mean the same, for the functions and the Tensor methods alike,
on any device (the result stays on the input's device)."""

import numpy as np
import pytest

import autograd as ag
from autograd.testing import assert_array_equal

X = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])


@pytest.mark.parametrize("name", ["all", "any"])
@pytest.mark.parametrize("dim", [None, 0, 1, -1, (0, 1)])
@pytest.mark.parametrize("keep", [False, True])
def test_both_spellings_match_numpy(name, dim, keep):
    want = getattr(np, name)(X, axis=dim, keepdims=keep)
    t = ag.tensor(X)
    fn = getattr(ag, name)
    for got in (fn(t, dim, keep), fn(t, dim=dim, keepdim=keep), fn(t, axis=dim, keepdims=keep),
                getattr(t, name)(dim, keep), getattr(t, name)(axis=dim, keepdims=keep)):
        assert got.dtype == np.bool_ and got.device == t.device
        assert_array_equal(got, want)


def test_both_spellings_of_one_argument_raise():
    with pytest.raises(TypeError, match="any"):
        ag.any(ag.tensor(X), dim=0, axis=0)
