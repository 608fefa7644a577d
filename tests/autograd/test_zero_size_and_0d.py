"""Zero-size dimensions and 0-d tensors: every op's forward and backward, every dim argument.

* A dimension of size 0 anywhere (batch, features, classes, groups) gives an empty result of the
  right shape and an empty gradient of the input's shape, with no error and no warning (nothing
  reshapes with -1, which is ambiguous for size 0, and no mean over nothing warns).
* A 0-d tensor has dims 0 and -1 (PyTorch) wherever the operation means something for a scalar
  (reductions, softmax, flip, transpose, gather); elsewhere the error says it is 0-d.
"""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from autograd.testing import assert_array_equal


def _leaf(*shape):
    return ag.tensor(np.zeros(shape), requires_grad=True)


def _ints(shape, value=0):
    return ag.tensor(np.full(shape, value, dtype=np.int64))


# --------------------------------------------------------------------- the inputs
def test_group_norm_of_an_empty_batch():
    x = _leaf(0, 4)
    y = F.group_norm(x, 2)
    assert y.shape == (0, 4)
    y.sum().backward()
    assert x.grad.shape == (0, 4)


def test_gather_on_a_0d_tensor():
    s = ag.tensor(np.array(3.0), requires_grad=True)
    y = ag.gather(s, 0, ag.tensor(np.array(0)))
    assert y.shape == () and y.item() == 3.0
    y.backward()
    assert s.grad.item() == 1.0
    assert ag.gather(s, -1, ag.tensor(np.array(0))).item() == 3.0
    # GPU indices are range-checked in anomaly mode only (reading them back is a sync)
    checks = ag.detect_anomaly(check_nan=False) if s.device.type != "cpu" else nullcontext()
    with checks, pytest.raises(IndexError, match="out of range"):
        ag.gather(s, 0, ag.tensor(np.array(1)))
    with pytest.raises(ValueError, match="0-d"):
        ag.gather(s, 0, ag.tensor(np.array([0])))


def test_linear_with_zero_input_features():
    x, w = _leaf(4, 0), _leaf(3, 0)
    y = F.linear(x, w)
    assert_array_equal(y.data, np.zeros((4, 3)))
    y.sum().backward()
    assert x.grad.shape == (4, 0) and w.grad.shape == (3, 0)


# --------------------------------------------- siblings: forward and backward at size 0
CASES = {
    "linear_empty_batch": (lambda x: F.linear(x, ag.ones(3, 4)), (0, 4), (0, 3)),
    "linear_batched_zero_features": (lambda x: F.linear(x, ag.ones(3, 0)), (2, 5, 0), (2, 5, 3)),
    "group_norm_empty_spatial": (lambda x: F.group_norm(x, 1), (2, 2, 0), (2, 2, 0)),
    "group_norm_empty_batch_3d": (lambda x: F.group_norm(x, 2), (0, 4, 3), (0, 4, 3)),
    "layer_norm_zero_features": (lambda x: F.layer_norm(x, (0,)), (4, 0), (4, 0)),
    "layer_norm_empty_batch": (lambda x: F.layer_norm(x, (3,)), (0, 3), (0, 3)),
    "instance_norm_empty_spatial": (lambda x: F.instance_norm(x), (2, 3, 0), (2, 3, 0)),
    "conv1d_empty_batch": (lambda x: F.conv1d(x, ag.ones(2, 3, 1)), (0, 3, 4), (0, 2, 4)),
    "conv1d_zero_in_channels": (lambda x: F.conv1d(x, ag.ones(2, 0, 1)), (2, 0, 4), (2, 2, 4)),
    "conv1d_zero_out_channels": (lambda x: F.conv1d(x, ag.ones(0, 3, 1)), (2, 3, 4), (2, 0, 4)),
    "conv_transpose1d_zero_out": (lambda x: F.conv_transpose1d(x, ag.ones(3, 0, 1)), (2, 3, 4),
                                  (2, 0, 4)),
    "max_pool_empty_batch": (lambda x: F.max_pool1d(x, 2), (0, 2, 4), (0, 2, 2)),
    "avg_pool_empty_batch": (lambda x: F.avg_pool1d(x, 2), (0, 2, 4), (0, 2, 2)),
    "cross_entropy_empty": (lambda x: F.cross_entropy(x, _ints((0,))), (0, 3), ()),
    "cross_entropy_no_classes_no_samples": (lambda x: F.cross_entropy(x, _ints((0,))), (0, 0),
                                            ()),
    "nll_empty": (lambda x: F.nll_loss(x, _ints((0,))), (0, 3), ()),
    "mse_empty": (lambda x: F.mse_loss(x, ag.zeros(0, 2)), (0, 2), ()),
    "bce_logits_empty": (lambda x: F.binary_cross_entropy_with_logits(x, ag.zeros(0)), (0,), ()),
    "matmul_zero_inner": (lambda x: x @ ag.ones(0, 3), (2, 0), (2, 3)),
    "matmul_zero_outer": (lambda x: x @ ag.ones(2, 3), (0, 2), (0, 3)),
    "outer_empty": (lambda x: ag.outer(x, ag.ones(3)), (0,), (0, 3)),
    "einsum_zero_contraction": (lambda x: ag.einsum("ij,jk->ik", x, ag.ones(0, 2)), (3, 0),
                                (3, 2)),
    "sum_over_empty_axis": (lambda x: x.sum(1), (3, 0), (3,)),
    "mean_over_empty_axis": (lambda x: x.mean(1), (3, 0), (3,)),
    "prod_over_empty_axis": (lambda x: x.prod(1), (3, 0), (3,)),
    "norm_over_empty_axis": (lambda x: ag.norm(x, 2, 1), (3, 0), (3,)),
    "norm3_over_empty_axis": (lambda x: ag.norm(x, 3, 1), (3, 0), (3,)),
    "logsumexp_over_empty_axis": (lambda x: ag.logsumexp(x, 1), (3, 0), (3,)),
    "softmax_empty": (lambda x: ag.softmax(x, 1), (0, 3), (0, 3)),
    "log_softmax_empty_axis": (lambda x: ag.log_softmax(x, 1), (2, 0), (2, 0)),
    "amax_other_axis": (lambda x: ag.amax(x, 0), (3, 0), (0,)),
    "var_empty_batch": (lambda x: x.var(0), (0, 3), (3,)),
    "cat_empty": (lambda x: ag.cat([x, x], 1), (0, 2), (0, 4)),
    "stack_empty": (lambda x: ag.stack([x, x]), (0, 2), (2, 0, 2)),
    "flip_empty": (lambda x: ag.flip(x, 1), (2, 0), (2, 0)),
    "pad_empty": (lambda x: ag.pad(x, ((1, 1), (0, 0))), (0, 2), (2, 2)),
    "tile_empty": (lambda x: ag.tile(x, (2, 1)), (0, 2), (0, 2)),
    "transpose_empty": (lambda x: x.T, (0, 2), (2, 0)),
    "reshape_empty": (lambda x: x.reshape(2, 0, 3), (0, 6), (2, 0, 3)),
    "flatten_empty": (lambda x: ag.flatten(x), (0, 3), (0,)),
    "getitem_empty_mask": (lambda x: x[x.detach() > 1], (2, 2), (0,)),
    "getitem_empty_index": (lambda x: x[[]], (3,), (0,)),
    "gather_empty_index": (lambda x: ag.gather(x, 1, _ints((2, 0))), (2, 3), (2, 0)),
    "embedding_zero_dim": (lambda w: F.embedding(_ints((2,), 1), w), (5, 0), (2, 0)),
    "embedding_no_indices": (lambda w: F.embedding(_ints((0,)), w), (5, 2), (0, 2)),
    "relu_empty": (ag.relu, (0, 3), (0, 3)),
    "hardtanh_empty": (F.hardtanh, (0,), (0,)),
    "clamp_empty": (lambda x: ag.clamp(x, 0.0, 1.0), (0,), (0,)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_zero_size_forward_and_backward(name):
    fn, in_shape, out_shape = CASES[name]
    x = _leaf(*in_shape)
    y = fn(x)  # the suite turns RuntimeWarnings into errors: none may be raised
    assert tuple(y.shape) == out_shape, name
    y.sum().backward()
    assert x.grad is not None and x.grad.shape == in_shape, name
    assert not np.isnan(x.grad.data).any()


# ------------------------------------------------------------- siblings: 0-d tensors' dims
@pytest.mark.parametrize("dim", [0, -1])
def test_a_0d_tensor_has_dims_0_and_minus_1(dim):
    s = ag.tensor(np.array(2.0), requires_grad=True)
    results = {
        "flip": ag.flip(s, dim),
        "swapaxes": ag.swapaxes(s, dim, dim),
        "transpose": s.transpose(dim, 0),
        "sum": s.sum(dim),
        "mean": s.mean(dim),
        "amax": ag.amax(s, dim),
        "logsumexp": ag.logsumexp(s, dim),
        "norm": ag.norm(s, 2, dim),
        "prod": s.prod(dim),
        "softmax": ag.softmax(s, dim),
        "log_softmax": ag.log_softmax(s, dim),
        "gather": ag.gather(s, dim, ag.tensor(np.array(0))),
    }
    expected = {"softmax": 1.0, "log_softmax": 0.0}
    for name, y in results.items():
        assert y.shape == (), name
        assert y.item() == pytest.approx(expected.get(name, 2.0)), name
    assert ag.argmax(s, dim).item() == 0
    (ag.flip(s, dim) + ag.swapaxes(s, dim, dim) + ag.gather(s, dim, ag.tensor(np.array(0)))
     ).backward()
    assert s.grad.item() == 3.0


@pytest.mark.parametrize("op", [
    lambda s: ag.split(s, 1, 0), lambda s: ag.chunk(s, 1, 0), lambda s: ag.unbind(s, 0),
    lambda s: ag.take_along_axis(s, ag.tensor(np.array(0)), 0),
])
def test_ops_without_meaning_for_a_0d_tensor_say_so(op):
    s = ag.tensor(np.array(2.0))
    with pytest.raises(ValueError, match="0-d tensor"):  # AxisError is a ValueError
        op(s)


@pytest.mark.parametrize("dim", [1, -2])
def test_a_0d_tensor_has_no_other_dims(dim):
    s = ag.tensor(np.array(2.0))
    for op in (lambda: ag.flip(s, dim), lambda: ag.gather(s, dim, ag.tensor(np.array(0))),
               lambda: ag.swapaxes(s, 0, dim), lambda: s.sum(dim)):
        with pytest.raises(ValueError, match="out of range"):
            op()
