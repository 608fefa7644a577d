"""default_collate: stacking rules and structure handling (PyTorch's default_collate semantics)."""

from collections import OrderedDict, namedtuple

import numpy as np
import pytest

import autograd as ag
from autograd.data import default_collate
from autograd.testing import assert_array_equal


def test_arrays_are_stacked_along_a_new_first_axis():
    a, b = np.arange(6.0).reshape(2, 3), np.ones((2, 3))
    out = default_collate([a, b])
    assert isinstance(out, ag.Tensor)
    assert out.shape == (2, 2, 3)
    assert_array_equal(out.detach().cpu().numpy(), np.stack([a, b]))
    assert not out.requires_grad


def test_array_dtype_is_kept():
    out = default_collate([np.zeros(2, dtype=np.float32), np.ones(2, dtype=np.float32)])
    assert out.dtype == np.float32
    out = default_collate([np.int16(3), np.int16(4)])
    assert out.dtype == np.int16 and out.tolist() == [3, 4]


def test_tensors_are_stacked_including_scalar_fast_path_tensors():
    out = default_collate([ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0])])
    assert out.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    out = default_collate([ag.tensor(1.5), ag.tensor(2.5)])
    assert out.shape == (2,) and out.tolist() == [1.5, 2.5]


@pytest.mark.parametrize(
    "batch, dtype",
    [([1, 2, 3], np.int64), ([1.0, 2, 3], np.float64), ([True, False], np.bool_),
     ([0.5, 1.5], np.float64)],
)
def test_python_numbers(batch, dtype):
    out = default_collate(batch)
    assert out.dtype == dtype
    assert out.tolist() == batch


def test_strings_stay_a_list():
    assert default_collate(["a", "b"]) == ["a", "b"]


def test_tuples_are_transposed_and_collated_field_by_field():
    x, y = default_collate([(np.array([1.0, 2.0]), 0), (np.array([3.0, 4.0]), 1)])
    assert x.shape == (2, 2) and y.tolist() == [0, 1]


def test_lists_keep_list_type_and_named_tuples_their_type():
    out = default_collate([[1.0, 2], [3.0, 4]])
    assert isinstance(out, list) and [t.tolist() for t in out] == [[1.0, 3.0], [2, 4]]
    Pair = namedtuple("Pair", "x y")
    out = default_collate([Pair(1.0, "a"), Pair(2.0, "b")])
    assert isinstance(out, Pair)
    assert out.x.tolist() == [1.0, 2.0] and out.y == ["a", "b"]


def test_dicts_nested():
    batch = [{"img": np.zeros((2, 2)), "meta": {"id": 1, "name": "u"}},
             {"img": np.ones((2, 2)), "meta": {"id": 2, "name": "v"}}]
    out = default_collate(batch)
    assert set(out) == {"img", "meta"}
    assert out["img"].shape == (2, 2, 2)
    assert out["meta"]["id"].tolist() == [1, 2] and out["meta"]["name"] == ["u", "v"]
    od = default_collate([OrderedDict(a=1.0), OrderedDict(a=2.0)])
    assert isinstance(od, OrderedDict)


def test_errors_are_clear():
    with pytest.raises(ValueError, match="empty batch"):
        default_collate([])
    with pytest.raises(RuntimeError, match="different shapes"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (1, 2, 3)])
    with pytest.raises(RuntimeError, match="same keys"):
        default_collate([{"a": 1}, {"b": 1}])
    with pytest.raises(TypeError, match="found NoneType"):
        default_collate([None, None])
    with pytest.raises(TypeError, match="dtype"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(TypeError, match="mixes"):
        default_collate([ag.tensor(1.0), 2.0])


def test_samples_that_require_grad_are_stacked_differentiably():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([3.0, 4.0], requires_grad=True)
    out = default_collate([a, b])
    assert out.requires_grad and out.shape == (2, 2)
    (out * ag.tensor([[1.0, 1.0], [2.0, 2.0]])).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [2.0, 2.0]
