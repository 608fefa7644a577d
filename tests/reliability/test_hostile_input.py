"""Hostile input: invalid calls raise documented exception types (TypeError / ValueError /
RuntimeError / IndexError) whose messages name the operation and the offending shapes or dtypes;
NaN/Inf data propagate (and anomaly mode catches them); nothing is silently broadcast wrong; a
checkpoint carrying pickled objects is refused without running anything."""

from __future__ import annotations

import io
import json
import os
import pickle
import re
import warnings
import zipfile
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
import nn
import nn.functional as F
import optim
from autograd.testing import assert_array_equal, shapes, value_checks


def np_shape(shape: tuple[int, ...]) -> str:
    """A shape as NumPy prints it in its messages: ``(2,3)``, ``(4,)``."""
    return "(" + ",".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def shape_re(shape: tuple[int, ...]) -> str:
    """A regex matching the shape as NumPy ``(2,3)`` or Python ``(2, 3)`` prints it."""
    return re.escape(np_shape(shape)).replace(",", r",\s?")


def leaf(shape: tuple[int, ...]) -> ag.Tensor:
    return ag.tensor(np.linspace(0.1, 1.0, int(np.prod(shape))).reshape(shape), requires_grad=True)


# ------------------------------------------------------------------- mismatched shapes
@st.composite
def non_broadcastable(draw: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two shapes that do not broadcast: one axis has different sides, neither of them 1."""
    a = draw(shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
    k = draw(st.integers(0, len(a) - 1))
    other = draw(st.integers(2, 5).filter(lambda n: n != a[k]))
    b = list(a)
    b[k] = other
    lead = draw(st.lists(st.integers(1, 3), max_size=1))  # a different rank, sometimes
    b = lead + b
    if draw(st.booleans()):
        return a, tuple(b)
    return tuple(b), a


BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b, "maximum": ag.maximum,
    "minimum": ag.minimum,
}


@given(pair=non_broadcastable(), name=st.sampled_from(sorted(BINARY)),
       as_array=st.booleans())
def test_binary_ops_with_non_broadcastable_shapes_raise_naming_op_and_shapes(pair, name,
                                                                             as_array):
    sa, sb = pair
    a = leaf(sa)
    b = ag.ones(sb)._data if as_array else leaf(sb)  # a raw array (on the suite's device)
    with pytest.raises(ValueError) as ei:
        BINARY[name](a, b)
    msg = str(ei.value)
    assert msg.startswith(f"{name}: ")
    assert re.search(shape_re(sa), msg) and re.search(shape_re(sb), msg), msg


@given(pair=non_broadcastable())
def test_where_with_non_broadcastable_shapes(pair):
    sa, sb = pair
    with pytest.raises(ValueError, match=r"^where: .*" + shape_re(sb)):
        ag.where(ag.ones(sa) > 0, leaf(sa), leaf(sb))


@given(n=st.integers(1, 4), k=st.integers(1, 4), k2=st.integers(1, 4), m=st.integers(1, 4))
def test_matmul_with_mismatched_inner_dimension(n, k, k2, m):
    if k == k2:
        k2 = k + 1
    with pytest.raises(ValueError, match=rf"^matmul: shapes \({n}, {k}\) and \({k2}, {m}\)"):
        leaf((n, k)) @ leaf((k2, m))


@given(shape=shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), extra=st.integers(1, 3))
def test_reshape_to_a_wrong_size_names_both_shapes(shape, extra):
    size = int(np.prod(shape))
    with pytest.raises(ValueError, match=rf"^reshape: .*{re.escape(str(shape))}.*\({size + extra},\)"):
        leaf(shape).reshape(size + extra)


@given(shape=shapes(min_dims=0, max_dims=3, min_side=1, max_side=3), axis=st.integers(3, 6))
def test_reduction_axis_out_of_range(shape, axis):
    for op in ("sum", "mean", "amax", "logsumexp", "var"):
        with pytest.raises(ValueError, match=rf"^{op}: axis {axis} is out of range"):
            getattr(ag, op)(leaf(shape), axis=axis)


@pytest.mark.parametrize("axis", ["x", 1.5, (0.5,), [None], object()])
def test_reduction_axis_of_wrong_type(axis):
    with pytest.raises(TypeError, match=r"^sum: dim must be an int or a sequence of ints"):
        leaf((2, 3)).sum(axis=axis)
    # NumPy integers are ints
    assert_array_equal(leaf((2, 3)).sum(axis=np.int64(1)).data,
                                  leaf((2, 3)).sum(axis=1).data)


def test_cat_and_stack_with_mismatched_shapes():
    with pytest.raises(ValueError, match=r"concatenate: .*\(2, 3\), \(2, 4\)"):
        ag.cat([leaf((2, 3)), leaf((2, 4))])
    with pytest.raises(ValueError, match=r"stack: .*\(2, 3\), \(2, 4\)"):
        ag.stack([leaf((2, 3)), leaf((2, 4))])


def test_in_place_ops_never_grow_the_target():
    a = leaf((3,)) * 1.0
    with pytest.raises(RuntimeError, match=r"add_: output with shape \(3,\) doesn't match the "
                                           r"broadcast shape \(2, 3\)"):
        a += ag.ones((2, 3))
    with pytest.raises(ValueError, match=r"^add: .*\(3,\).*\(4,\)"):
        a += ag.ones(4)
    b = ag.zeros(3)
    with pytest.raises(RuntimeError, match=r"mul_: output with shape \(3,\)"):
        b *= np.ones((2, 3))
    assert_array_equal(b.detach().cpu().numpy(), [0.0, 0.0, 0.0])  # untouched by the failed call
    with pytest.raises(RuntimeError, match=r"add_: a leaf tensor that requires grad"):
        leaf((3,)).add_(1.0)


# --------------------------------------------------------------------- wrong types
BAD_VALUES = [
    ("str", "abc"), ("None", None), ("dict", {"a": 1}), ("bytes", b"ab"),
    ("object array", np.array([object(), object()], dtype=object)),
    ("str array", np.array(["a", "b"])), ("complex", np.array([1j, 2.0])),
    ("set", {1.0, 2.0}),
]
BAD_IDS = [n for n, _ in BAD_VALUES]

UNARY = ["exp", "log", "tanh", "sigmoid", "relu", "sqrt", "abs", "neg", "softplus", "sin"]


@given(bad=st.sampled_from(BAD_VALUES), op=st.sampled_from(UNARY))
def test_unary_ops_reject_non_numeric_operands(bad, op):
    kind, value = bad
    with pytest.raises(TypeError) as ei:
        getattr(ag, op)(value)
    msg = str(ei.value)
    assert msg.startswith(f"{op}: "), msg
    assert type(value).__name__ in msg or str(getattr(value, "dtype", "?")) in msg, msg


@given(bad=st.sampled_from(BAD_VALUES), name=st.sampled_from(sorted(BINARY) + ["matmul"]),
       left=st.booleans())
def test_binary_ops_reject_non_numeric_operands(bad, name, left):
    kind, value = bad
    fn = (lambda a, b: a @ b) if name == "matmul" else BINARY[name]
    x = leaf((2,))
    with pytest.raises(TypeError) as ei:
        fn(x, value) if left else fn(value, x)
    msg = str(ei.value)
    # reflected Python operators may report through the other operand's method
    assert re.match(rf"(r?{name}|{name}): ", msg) or msg.startswith(f"{name}:"), msg
    assert type(value).__name__ in msg or str(getattr(value, "dtype", "?")) in msg, msg


@pytest.mark.parametrize("kind,value", BAD_VALUES, ids=BAD_IDS)
def test_tensor_construction_rejects_non_numeric_data(kind, value):
    with pytest.raises(TypeError, match=r"^tensor: "):
        ag.tensor(value)


def test_tensor_construction_errors():
    with pytest.raises(ValueError, match=r"^tensor: .*ragged"):
        ag.tensor([[1.0, 2.0], [3.0]])
    with pytest.raises(TypeError, match=r"^tensor: unknown dtype 'foo'"):
        ag.tensor([1.0], dtype="foo")
    with pytest.raises(TypeError, match=r"^tensor: dtype object is not supported"):
        ag.tensor([1.0], dtype=object)
    with pytest.raises(RuntimeError, match=r"only floating point tensors can require gradients, "
                                           r"got dtype int64"):
        ag.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match=r"^astype: unknown dtype 'foo'"):
        leaf((2,)).astype("foo")


@pytest.mark.parametrize("kind,value", BAD_VALUES[:4], ids=BAD_IDS[:4])
@pytest.mark.parametrize("layer", ["Linear", "Conv2d", "BatchNorm1d", "LayerNorm", "MaxPool2d",
                                   "Dropout", "Flatten", "ReLU", "Softmax", "Sequential"])
def test_layers_reject_non_numeric_input_with_a_type_error(layer, kind, value):
    m = {
        "Linear": lambda: nn.Linear(3, 2), "Conv2d": lambda: nn.Conv2d(1, 1, 3),
        "BatchNorm1d": lambda: nn.BatchNorm1d(3), "LayerNorm": lambda: nn.LayerNorm(3),
        "MaxPool2d": lambda: nn.MaxPool2d(2), "Dropout": lambda: nn.Dropout(0.5),
        "Flatten": lambda: nn.Flatten(), "ReLU": lambda: nn.ReLU(),
        "Softmax": lambda: nn.Softmax(dim=-1),
        "Sequential": lambda: nn.Sequential(nn.Linear(3, 2), nn.ReLU()),
    }[layer]()
    with pytest.raises(TypeError, match=f"{type(value).__name__}|string"):
        m(value)


def test_layers_with_wrong_feature_sizes_name_the_shapes():
    with pytest.raises(ValueError, match=r"^linear: input of shape \(2, 4\) does not match weight "
                                         r"of shape \(2, 3\)"):
        nn.Linear(3, 2)(ag.ones((2, 4)))
    with pytest.raises(ValueError, match=r"^conv2d: expected input with 3 channels .* got input "
                                         r"of shape \(1, 2, 5, 5\)"):
        nn.Conv2d(3, 2, 3)(ag.ones((1, 2, 5, 5)))
    with pytest.raises(ValueError, match=r"batch_norm: running_mean must have shape \(2,\)"):
        nn.BatchNorm1d(3)(ag.ones((4, 2)))
    with pytest.raises(TypeError, match=r"^embedding: indices must be an integer tensor, got "
                                        r"dtype float64"):
        nn.Embedding(3, 2)(ag.ones(4))
    with value_checks(), pytest.raises(IndexError, match=r"^embedding: index out of range"):
        nn.Embedding(3, 2)(ag.tensor([5]))  # (GPU indices: checked in anomaly mode)


# ------------------------------------------------------------ backward / grad arguments
@given(shape=shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
       gshape=shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
def test_backward_with_a_wrong_gradient_shape(shape, gshape):
    if gshape == shape:
        gshape = shape + (2,)
    x = leaf(shape)
    y = x * 2.0
    pat = rf"mismatch in shape: gradient has shape {re.escape(str(gshape))} but the output has " \
          rf"shape {re.escape(str(shape))}"
    with pytest.raises(RuntimeError, match=r"^backward: " + pat):
        y.backward(ag.tensor(np.ones(gshape), device=y.device))
    with pytest.raises(RuntimeError, match=r"^grad: " + pat):
        ag.grad(y, x, grad_outputs=ag.ones(gshape))
    assert x.grad is None  # nothing was accumulated by the failed calls
    y.backward(ag.tensor(np.ones(shape), device=y.device))  # the graph survived the failed calls
    assert_array_equal(x.grad.cpu().numpy(), np.full(shape, 2.0))


@pytest.mark.parametrize("kind,value", [("str", "ab"), ("None list", [None, None]),
                                        ("dict", {"a": 1}),
                                        ("object array", np.array([object(), 1.0]))])
def test_backward_with_a_non_numeric_gradient(kind, value):
    x = leaf((2,))
    with pytest.raises(TypeError, match=rf"^backward: the gradient must be .* got "
                                        rf"{type(value).__name__} of dtype"):
        (x * 2.0).backward(value)


def test_backward_and_grad_argument_errors():
    x = leaf((2,))
    with pytest.raises(RuntimeError, match=r"implicitly created only for scalar outputs; the "
                                           r"output has shape \(2,\)"):
        (x * 2.0).backward()
    with pytest.raises(RuntimeError, match=r"does not require grad"):
        ag.ones(2).sum().backward()
    with pytest.raises(TypeError, match=r"^grad: inputs\[0\] is a ndarray, expected a Tensor"):
        ag.grad((x * 2.0).sum(), [np.ones(2)])
    with pytest.raises(RuntimeError, match=r"^grad: inputs\[0\] does not require grad"):
        ag.grad((x * 2.0).sum(), [ag.ones(2)])
    with pytest.raises(RuntimeError, match=r"appears to not have been used in the graph"):
        ag.grad((x * 2.0).sum(), [x, leaf((3,))])
    with pytest.raises(ValueError, match=r"^backward: got 1 tensors but 2 gradients"):
        ag.backward([x * 2.0], [np.ones(2), np.ones(2)])


# ------------------------------------------------------------------------ NaN / Inf data
@given(shape=shapes(min_dims=1, max_dims=2, min_side=1, max_side=4), data=st.data())
def test_nan_and_inf_data_propagate_like_ieee_without_raising(shape, data):
    vals = data.draw(st.lists(st.sampled_from([np.nan, np.inf, -np.inf, 1.5, -0.5]),
                              min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    x = ag.tensor(np.array(vals).reshape(shape), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="ignore"):  # inf - inf etc. are the data's, not the library's
            y = (x * 3.0 + 1.0).sum()
            y.backward()
    assert_array_equal(x.grad.cpu().numpy(), np.full(shape, 3.0))  # linear: data-independent
    assert np.isnan(y.item()) == (np.isnan(vals).any() or (np.inf in vals and -np.inf in vals))


def test_anomaly_mode_reports_the_op_that_made_a_nan_gradient():
    x = ag.tensor(np.array([0.0, 1.0]), requires_grad=True)
    with ag.detect_anomaly():
        y = (ag.sqrt(x) * 0.0).sum()  # d sqrt at 0 is inf; inf * 0 = nan
        with pytest.raises(RuntimeError, match=r"'SqrtBackward' returned nan values in its "
                                               r"gradient for input 0"):
            y.backward()
    x2 = ag.tensor(np.array([0.0, 1.0]), requires_grad=True)
    (ag.sqrt(x2) * 0.0).sum().backward()  # outside anomaly mode: nan, silently (PyTorch too)
    assert np.isnan(x2.grad.cpu().numpy()[0]) and x2.grad.cpu().numpy()[1] == 0.0


def test_losses_on_nan_inputs():
    with value_checks(), pytest.raises(ValueError, match=r"^binary_cross_entropy: all elements "
                                                         r"of input should be between 0 and 1"):
        F.binary_cross_entropy(ag.tensor([np.nan]), ag.tensor([1.0]))
    loss = F.cross_entropy(ag.tensor(np.array([[np.nan, 1.0]]), requires_grad=True),
                           ag.tensor([0]))
    assert np.isnan(loss.item())


# --------------------------------------------------------------- silent broadcasting
WARN_LOSSES = ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "kl_div"]
RAISE_LOSSES = ["binary_cross_entropy", "binary_cross_entropy_with_logits"]


@pytest.mark.parametrize("name", WARN_LOSSES)
@given(n=st.integers(2, 6))
def test_regression_losses_warn_on_n1_vs_n_targets(name, n):
    """(N, 1) against (N,) would broadcast to (N, N): warn like PyTorch's mse_loss does."""
    x = ag.tensor(np.full((n, 1), 0.5), requires_grad=True)
    t = ag.tensor(np.full(n, 0.25))
    with pytest.warns(UserWarning, match=rf"{name}: using a target size \({n},\) that is "
                                         rf"different to the input size \({n}, 1\)"):
        getattr(F, name)(x, t)
    with warnings.catch_warnings():  # matching shapes: silent
        warnings.simplefilter("error")
        getattr(F, name)(x, t.reshape(n, 1))


@pytest.mark.parametrize("name", RAISE_LOSSES)
@given(n=st.integers(2, 6))
def test_binary_losses_raise_on_n1_vs_n_targets(name, n):
    x = ag.tensor(np.full((n, 1), 0.5), requires_grad=True)
    t = ag.tensor(np.ones(n))
    with pytest.raises(ValueError, match=rf"^{name}: target size \({n},\) must be the same as "
                                         rf"input size \({n}, 1\)"):
        getattr(F, name)(x, t)


@given(n=st.integers(1, 5), c=st.integers(2, 5))
def test_classification_losses_reject_misshaped_or_mistyped_targets(n, c):
    x = ag.tensor(np.zeros((n, c)), requires_grad=True)
    for name in ("cross_entropy", "nll_loss"):
        with pytest.raises(ValueError, match=rf"^{name}: expected target of shape \({n},\) .* got "
                                             rf"\({n}, 1\)"):
            getattr(F, name)(x, ag.tensor(np.zeros((n, 1), dtype=np.int64)))
        with value_checks(), pytest.raises(IndexError, match=rf"^{name}: target {c} is out of "
                                                             rf"bounds for {c} classes"):
            getattr(F, name)(x, ag.tensor(np.full(n, c)))
        with pytest.raises(TypeError, match=rf"^{name}: target must hold class indices"):
            getattr(F, name)(x, np.array(["a"] * n))
    with pytest.raises(TypeError, match=r"^nll_loss: target must hold class indices \(an integer "
                                        r"dtype\), got dtype float64"):
        F.nll_loss(x, ag.tensor(np.zeros(n)))
    with pytest.raises(ValueError, match=rf"^cross_entropy: probability targets must have the "
                                         rf"input's shape \({n}, {c}\), got \({n},\)"):
        F.cross_entropy(x, ag.tensor(np.zeros(n)))


@pytest.mark.parametrize("name", WARN_LOSSES + RAISE_LOSSES)
def test_n1_vs_n_behaviour_matches_pytorch(name):
    torch = pytest.importorskip("torch")
    tf = getattr(torch.nn.functional, name)
    x, t = torch.full((4, 1), 0.5, dtype=torch.float64), torch.full((4,), 0.25, dtype=torch.float64)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        try:
            tf(x, t)
            torch_raised = None
        except ValueError as e:
            torch_raised = e
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        try:
            getattr(F, name)(ag.tensor(x.cpu().numpy()), ag.tensor(t.cpu().numpy()))
            we_raised = None
        except ValueError as e:
            we_raised = e
    assert (torch_raised is None) == (we_raised is None)
    if torch_raised is None:
        assert any(issubclass(w.category, UserWarning) for w in ours)
        if name != "kl_div":  # PyTorch's kl_div broadcasts silently; tapegrad warns
            assert any(issubclass(w.category, UserWarning) for w in theirs)


def test_optimizers_refuse_gradients_of_the_wrong_shape():
    for cls in (optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad):
        p = ag.tensor(np.ones(3), requires_grad=True)
        opt = cls([p], lr=0.1)
        for bad in (np.ones(1), np.ones((3, 1))):
            p.grad = ag.tensor(bad)
            with pytest.raises(RuntimeError, match=rf"{cls.__name__}.step: parameter 0 of its "
                                                   rf"group has shape \(3,\) but its gradient has "
                                                   rf"shape {re.escape(str(bad.shape))}"):
                opt.step()
        assert_array_equal(p.detach().cpu().numpy(), np.ones(3))  # never updated by a bad step


# ------------------------------------------------------------------ hostile checkpoints
class _Marker:
    """Unpickling this creates a file: proof that pickle ran."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> Any:
        return (open, (self.path, "w"))


def _npz_bytes(**arrays: Any) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # object arrays are pickled inside the .npy members
    return buf.getvalue()


def _manifest(root: dict[str, Any]) -> np.ndarray:
    payload = json.dumps({"format": "tapegrad", "version": 1, "root": root}).encode()
    return np.frombuffer(payload, dtype=np.uint8)


def _hostile_files(marker: str) -> dict[str, bytes]:
    evil = np.empty(1, dtype=object)
    evil[0] = _Marker(marker)
    torch_like = io.BytesIO()
    with zipfile.ZipFile(torch_like, "w") as z:  # a torch.save-style zip: a pickle inside
        z.writestr("archive/data.pkl", pickle.dumps({"w": _Marker(marker)}))
        z.writestr("archive/version", "3\n")
    return {
        "raw pickle": pickle.dumps({"weight": _Marker(marker)}),
        "object array in a plain npz": _npz_bytes(weight=evil),
        "object array behind a manifest": _npz_bytes(
            __tapegrad__=_manifest({"type": "array", "ref": "a0", "dtype": "|O", "shape": [1]}),
            a0=evil),
        "object array next to a valid manifest": _npz_bytes(
            __tapegrad__=_manifest({"type": "none"}), a0=evil),
        "torch-style zip with a pickle": torch_like.getvalue(),
    }


@pytest.mark.parametrize("case", list(_hostile_files("x")))
@pytest.mark.parametrize("source", ["path", "file object"])
def test_checkpoint_with_pickled_objects_is_rejected_without_running_it(tmp_path, case, source):
    marker = str(tmp_path / "pwned")
    blob = _hostile_files(marker)[case]
    # control: this payload really does run code when unpickled
    if case == "raw pickle":
        pickle.loads(blob)
        assert os.path.exists(marker)
        os.remove(marker)
    path = tmp_path / "ckpt.npz"
    path.write_bytes(blob)
    with pytest.raises(nn.CheckpointError) as ei:
        nn.load(str(path) if source == "path" else io.BytesIO(blob))
    assert isinstance(ei.value, ValueError)  # documented: CheckpointError is a ValueError
    assert re.search(r"nn\.load: .*(pickl|not a tapegrad checkpoint|corrupt|dtype)",
                     str(ei.value)), str(ei.value)
    assert not os.path.exists(marker), "loading the checkpoint executed pickled code"


def test_checkpoint_manifest_lies_are_rejected(tmp_path):
    good = np.arange(3.0)
    cases = {
        "dtype": ({"type": "array", "ref": "a0", "dtype": "<i8", "shape": [3]}, "declared"),
        "shape": ({"type": "array", "ref": "a0", "dtype": "<f8", "shape": [4]}, "shape"),
        "missing": ({"type": "array", "ref": "a9", "dtype": "<f8", "shape": [3]}, "missing"),
        "unknown type": ({"type": "module", "ref": "a0"}, "unknown node type"),
        "unused entry": ({"type": "none"}, "unexpected entries"),
    }
    for name, (root, words) in cases.items():
        blob = _npz_bytes(__tapegrad__=_manifest(root), a0=good)
        with pytest.raises(nn.CheckpointError, match=words):
            nn.load(io.BytesIO(blob))
    with pytest.raises(nn.CheckpointError, match="not a tapegrad checkpoint"):
        nn.load(io.BytesIO(b"just some bytes"))
    with pytest.raises(nn.CheckpointError, match="corrupt"):
        nn.load(io.BytesIO(b"PK\x03\x04 truncated"))
    # and a genuine checkpoint still loads
    net = nn.Linear(2, 2)
    nn.save(net.state_dict(), str(tmp_path / "ok.npz"))
    sd = nn.load(str(tmp_path / "ok.npz"))
    assert_array_equal(sd["weight"].detach().cpu().numpy(), net.weight.detach().cpu().numpy())


def test_saving_refuses_objects_it_would_have_to_pickle(tmp_path):
    with pytest.raises(TypeError, match=r"nn\.save: cannot save an object of type _Marker"):
        nn.save({"x": _Marker(str(tmp_path / "m"))}, str(tmp_path / "c.npz"))
    with pytest.raises(TypeError, match=r"nn\.save: modules are not pickled"):
        nn.save(nn.Linear(2, 2), str(tmp_path / "c.npz"))
    assert not (tmp_path / "c.npz").exists()
