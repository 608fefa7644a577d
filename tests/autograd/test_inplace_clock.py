"""In-place version checks compare a record's clock with the tensors' modification clocks:
a modification made *before* a record was made (at the same clock value) is not a modification
*after* it.  Each test puts an unrelated in-place operation between the forward and the backward
(so the walker's fast "nothing changed since" check does not short-circuit) and is deterministic
(no threads, no timing): an off-by-one (``>=`` for ``>``) in any of the comparisons fails here.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.testing import assert_allclose, assert_array_equal


def _unrelated_inplace():
    other = ag.zeros(3)
    other.add_(1)  # advances the global clock


def _leaf(values):
    return ag.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def test_update_under_no_grad_then_forward_then_unrelated_inplace():
    """The issue's case: the record reads w at the version it was recorded with."""
    w = _leaf([1.0, 2.0, 3.0])
    with ag.no_grad():
        w.add_(1)
    y = (w * w).sum()
    _unrelated_inplace()
    y.backward()
    assert_array_equal(w.grad.data, 2 * w.data)


def test_saved_output_modified_before_the_record_that_saves_it():
    """Sibling: the saved-output check (``exp`` keeps its result)."""
    w = _leaf([0.5, -1.0])
    with ag.no_grad():
        w.mul_(2)
    y = w.exp()
    _unrelated_inplace()
    y.sum().backward()
    assert_allclose(w.grad.data, np.exp(w.data))


def test_constant_input_modified_before_the_forward():
    """Sibling: the check of inputs that need no grad (their data is read by the rule)."""
    w = _leaf([1.0, 2.0])
    c = ag.tensor([3.0, 4.0])
    c.add_(1)
    y = (w * c).sum()
    _unrelated_inplace()
    y.backward()
    assert_array_equal(w.grad.data, [4.0, 5.0])


def test_recorded_inplace_before_the_forward():
    """Sibling: a recorded in-place op on a non-leaf, then a record that reads the result."""
    w = _leaf([1.0, 2.0])
    v = w * 1.0
    v.add_(1)  # recorded: v's history moves to the add_ record
    y = (v * v).sum()
    _unrelated_inplace()
    y.backward()
    assert_array_equal(w.grad.data, 2 * (w.data + 1))


def test_view_modified_before_the_forward():
    """Sibling: views share their base's history."""
    w = _leaf([1.0, 2.0, 3.0])
    base = w * 1.0
    view = base[1:]
    with ag.no_grad():
        view.mul_(2)
    y = (base * base).sum()
    _unrelated_inplace()
    y.backward()
    assert_array_equal(w.grad.data, [2.0, 8.0, 12.0])


def test_modification_after_the_forward_is_still_caught():
    """The other side of the comparison: modified after the record -> error, with versions."""
    w = _leaf([1.0, 2.0])
    y = (w * w).sum()
    _unrelated_inplace()
    with ag.no_grad():
        w.add_(1)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*is at version 1; "
                                           r"expected version 0"):
        y.backward()


def test_expected_version_counts_only_later_modifications():
    w = _leaf([1.0, 2.0])
    with ag.no_grad():
        w.add_(1)  # version 1, before the record
    y = (w * w).sum()
    with ag.no_grad():
        w.add_(1)  # version 2, after it
    with pytest.raises(RuntimeError, match=r"is at version 2; expected version 1"):
        y.backward()
