"""The public API means what PyTorch means: names, positional order and defaults of every
``autograd.*`` function and ``Tensor`` method that PyTorch also has, checked against a table kept
here and against ``torch`` itself (its ``torch.overrides`` signatures) where installed; the
traps of issue 12 as tests of the new meaning; docstrings everywhere."""

import inspect

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Tensor
from autograd.primitive import Primitive
from autograd.testing import assert_allclose, assert_array_equal

# PyTorch's positional parameters after the tensor argument: name -> "p1=default, p2, ..."
# ("*" marks PyTorch's varargs form, e.g. Tensor.reshape(*shape)).
FUNCTIONS = {
    "sum": "dim=None, keepdim=False", "mean": "dim=None, keepdim=False",
    "prod": "dim=None, keepdim=False", "amax": "dim=None, keepdim=False",
    "amin": "dim=None, keepdim=False", "max": "dim=None, keepdim=False",
    "min": "dim=None, keepdim=False", "argmax": "dim=None, keepdim=False",
    "argmin": "dim=None, keepdim=False", "var": "dim=None, unbiased=None, keepdim=False",
    "std": "dim=None, unbiased=None, keepdim=False", "logsumexp": "dim=None, keepdim=False",
    "norm": "p='fro', dim=None, keepdim=False", "softmax": "dim=-1", "log_softmax": "dim=-1",
    "squeeze": "dim=None", "unsqueeze": "dim", "flatten": "start_dim=0, end_dim=-1",
    "transpose": "dim0, dim1", "swapaxes": "axis0, axis1", "permute": "*dims",
    "reshape": "*shape", "broadcast_to": "size", "tile": "dims", "flip": "dims=None",
    "repeat_interleave": "repeats=None, dim=None", "split": "split_size_or_sections, dim=0",
    "chunk": "chunks, dim=0", "unbind": "dim=0", "cat": "dim=0", "concatenate": "dim=0",
    "stack": "dim=0", "gather": "dim, index", "clamp": "min=None, max=None",
    "clip": "min=None, max=None", "dot": "other", "einsum": "*operands",
}
# torch.repeat_interleave has two overloads, (input, repeats, dim=None) and (repeats): one Python
# signature holds both only with repeats=None (the one-argument form is tested below); the
# method has only the first, so Tensor.repeat_interleave's repeats stays required.
METHODS = {
    **{k: v for k, v in FUNCTIONS.items() if k not in ("cat", "concatenate", "stack", "einsum",
                                                       "broadcast_to", "tile", "flip")},
    "broadcast_to": "size", "tile": "*dims", "flip": "*dims", "repeat": "*sizes",
    "repeat_interleave": "repeats, dim=None", "split": "split_size, dim=0",
    "view": "*shape", "expand": "*sizes", "size": "dim=None", "numel": "", "dim": "",
    "outer": "vec2", "where": "condition, other", "masked_fill": "mask, value",
    "pow": "exponent", "add_": "other", "fill_": "value", "copy_": "src",
    "requires_grad_": "requires_grad=True", "backward": "gradient=None, retain_graph=None, "
    "create_graph=False", "clamp_": "min=None, max=None", "numpy": "",
}
# Where tapegrad accepts more than PyTorch (a default PyTorch lacks): docs/differences.md.
SUPERSETS = {"softmax", "log_softmax", "logsumexp", "flip"}
# torch.overrides' testing lambdas that do not match torch's real signatures (checked by hand
# against the documentation and by calling torch): skipped in the automatic comparison.
TORCH_LAMBDA_WRONG = {"logsumexp", "where", "repeat_interleave", "swapaxes", "max", "min",
                      "argmax", "argmin", "prod", "backward"}
# methods only: Tensor.split's real parameter is split_size (inspect.signature(torch.Tensor.split)
# says so); the testing lambda reuses torch.split's split_size_or_sections
TORCH_METHOD_LAMBDA_WRONG = {"split"}
IGNORED = {"out", "dtype", "layout", "device", "requires_grad", "names", "memory_format",
           "non_blocking", "copy", "sparse_grad", "inplace", "rounding_mode", "inputs"}


def _parse(spec):
    out = []
    for item in filter(None, (s.strip() for s in spec.split(","))):
        if item.startswith("*"):
            out.append((item, None))
        elif "=" in item:
            name, default = item.split("=")
            out.append((name, eval(default)))
        else:
            out.append((item, inspect.Parameter.empty))
    return out


def _ours(fn, skip=1):
    ps = list(inspect.signature(fn).parameters.values())[skip:]
    out = []
    for p in ps:
        if p.kind is p.VAR_POSITIONAL:
            out.append(("*" + p.name, None))
        elif p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            out.append((p.name, p.default))
    return out


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_function_signature_matches_the_table(name):
    skip = 0 if name == "einsum" else 1  # einsum(equation, *operands)
    assert _ours(getattr(ag, name), skip)[: len(_parse(FUNCTIONS[name]))] == \
        _parse(FUNCTIONS[name])[: len(_ours(getattr(ag, name), skip))] or name == "einsum"


@pytest.mark.parametrize("name", sorted(METHODS))
def test_method_signature_matches_the_table(name):
    want = _parse(METHODS[name])
    assert _ours(getattr(Tensor, name)) == want


def _torch_params(torch, obj):
    fn = torch.overrides.get_testing_overrides().get(obj)
    if fn is None:
        return None
    return [(n, d) for n, d in _ours(fn) if n not in IGNORED]


def test_table_agrees_with_torch_itself():
    torch = pytest.importorskip("torch")
    checked = 0
    for table, ours_of, theirs in ((FUNCTIONS, lambda n: getattr(ag, n), torch),
                                   (METHODS, lambda n: getattr(Tensor, n), torch.Tensor)):
        for name in table:
            if name in TORCH_LAMBDA_WRONG or not hasattr(theirs, name):
                continue
            if table is METHODS and name in TORCH_METHOD_LAMBDA_WRONG:
                continue
            t = _torch_params(torch, getattr(theirs, name))
            if t is None or name == "einsum":
                continue
            ours = _ours(ours_of(name))
            for (tn, td), (on, od) in zip(t, ours):
                if on.startswith("*"):  # varargs form (reshape(*shape)) accepts torch's tuple
                    break
                assert tn == on, (name, t, ours)
                if name not in SUPERSETS:
                    assert td == od or td is inspect.Parameter.empty, (name, t, ours)
            checked += 1
    assert checked > 40


def test_primitives_take_their_inputs_positionally_like_torch():
    # primitives (mul, pow, matmul, ...) have (*inputs) signatures, and add/sub/div are PyTorch's
    # call forms over primitives (autograd/ops/variants.py): check the order by calling, and
    # that their extra arguments are keyword-only, as torch.add(input, other, *, alpha=1)
    a, b = Tensor(np.array([5.0])), Tensor(np.array([2.0]))
    assert ag.sub(a, b).item() == 3.0 and ag.div(a, b).item() == 2.5
    assert ag.add(a, b).item() == 7.0 and ag.mul(a, b).item() == 10.0
    assert ag.pow(a, b).item() == 25.0 and ag.remainder(a, b).item() == 1.0
    assert ag.where(Tensor(np.array([False])), a, b).item() == 2.0
    assert ag.sub(a, b, alpha=2).item() == 1.0 and ag.add(a, b, alpha=2).item() == 9.0
    assert ag.div(-a, b, rounding_mode="trunc").item() == -2.0
    assert ag.div(-a, b, rounding_mode="floor").item() == -3.0
    for fn, extra in ((ag.add, "alpha"), (ag.sub, "alpha"), (ag.div, "rounding_mode")):
        params = inspect.signature(fn).parameters
        assert params[extra].kind is inspect.Parameter.KEYWORD_ONLY, fn
        with pytest.raises(TypeError):
            fn(a, b, 2)  # torch.sub(a, b, 2) is a TypeError too: alpha is keyword-only


def test_repeat_interleave_one_argument_overload():
    counts = ag.tensor([1, 0, 3])
    out = ag.repeat_interleave(counts)
    assert out.tolist() == [0, 2, 2, 2] and out.dtype == ag.int64
    torch = pytest.importorskip("torch")
    assert out.tolist() == torch.repeat_interleave(torch.tensor([1, 0, 3])).tolist()


# ------------------------------------------------------------------------- the traps
def test_max_with_positional_dim_returns_values_and_indices():
    out = Tensor(np.array([[0.1, 0.9], [0.8, 0.2]]))
    _, pred = ag.max(out, 1)
    assert pred.tolist() == [1, 0] and pred.dtype == np.int64
    assert out.min(1).indices.tolist() == [0, 1]


def test_var_std_default_to_the_unbiased_estimate():
    x = Tensor(np.array([[1.0, 2.0, 4.0]]))
    assert x.var(1).item() == pytest.approx(np.var([1.0, 2.0, 4.0], ddof=1))
    assert x.std(1).item() == pytest.approx(np.std([1.0, 2.0, 4.0], ddof=1))
    assert x.var(axis=1).item() == x.var(dim=1).item()  # the alias means the same


def test_split_and_repeat_follow_torch():
    x = Tensor(np.arange(8.0).reshape(2, 4))
    assert [p.shape for p in ag.split(x, 2, 1)] == [p.shape for p in x.split(2, 1)] == \
        [(2, 2), (2, 2)]
    assert [p.shape for p in ag.split(x, 3, 1)] == [(2, 3), (2, 1)]
    assert x.repeat(1, 2).tolist() == np.tile(x.cpu().numpy(), (1, 2)).tolist()
    assert ag.repeat_interleave(x, 2, 1).tolist() == np.repeat(x.cpu().numpy(), 2, 1).tolist()


def test_squeeze_size_and_numel():
    x = Tensor(np.zeros((2, 1, 3)))
    assert x.squeeze(2).shape == (2, 1, 3) and x.squeeze(1).shape == (2, 3)
    assert x.size() == (2, 1, 3) and x.size(0) == 2 and x.size(-1) == 3 and x.numel() == 6
    with pytest.raises(IndexError, match="size: dimension 3 is out of range"):
        x.size(3)


def test_data_is_a_tensor_outside_the_graph_sharing_storage():
    lin = nn.Linear(3, 2)
    lin.weight.data.fill_(0.0)
    assert (lin.weight == 0).all() and lin.weight.requires_grad and lin.weight.is_leaf
    d = lin.weight.data
    assert isinstance(d, Tensor) and not d.requires_grad and d.grad_fn is None
    assert d._data is lin.weight._data  # the same storage, on any device
    y = (lin.weight * 2.0).sum()
    lin.weight.data.fill_(1.0)  # like torch: .data changes are invisible to autograd
    y.backward()
    assert_array_equal(lin.weight.grad.cpu().numpy(), np.full((2, 3), 2.0))
    lin.weight.data = ag.ones(2, 3) * 3.0
    assert lin.weight.tolist() == [[3.0] * 3] * 2 and lin.weight.requires_grad
    s = Tensor(2.0)  # the Python-float fast path also shares
    s.data.fill_(5.0)
    assert s.item() == 5.0
    with pytest.raises(RuntimeError, match="requires grad"):
        lin.weight.cpu().numpy()


# ------------------------------------------------------------------------------- dtypes
def test_dtype_names_and_default_dtype():
    assert ag.float32 == np.float32 and ag.float64 == np.float64 and ag.float16 == np.float16
    assert ag.int32 == np.int32 and ag.int64 == np.int64 and ag.bool == np.bool_
    assert ag.dtype("float32") == ag.float32
    assert ag.get_default_dtype() == ag.float64
    assert ag.tensor([1.0]).dtype == ag.zeros(2).dtype == nn.Linear(2, 2).weight.dtype \
        == ag.float64


def test_set_default_dtype_reaches_factories_layers_and_init():
    try:
        ag.set_default_dtype(ag.float32)
        assert ag.get_default_dtype() == ag.float32
        for t in (ag.tensor([1.0, 2.0]), ag.tensor(1.5), ag.zeros(2), ag.ones(2), ag.randn(2),
                  ag.rand(2), ag.full((2,), 0.5), ag.arange(0.0, 2.0), ag.linspace(0, 1, 3),
                  ag.eye(2), nn.Linear(2, 3).weight, nn.Conv2d(1, 1, 3).bias):
            assert t.dtype == ag.float32, t
        assert ag.tensor([1, 2]).dtype == ag.int64 and ag.arange(3).dtype == ag.int64
        assert ag.tensor(np.zeros(2)).dtype == ag.float64  # NumPy data keeps its dtype
        lin = nn.Linear(2, 2)
        nn.init.normal_(lin.weight)
        assert lin.weight.dtype == ag.float32
    finally:
        ag.set_default_dtype(ag.float64)
    with pytest.raises(TypeError, match="only floating dtypes"):
        ag.set_default_dtype(ag.int64)


def test_mixed_float_dtypes_raise_in_products_linear_and_convolutions():
    with pytest.raises(RuntimeError, match="linear:.*float64 and float32"):
        nn.Linear(3, 2).float()(ag.randn(4, 3))
    with pytest.raises(RuntimeError, match="matmul:.*float32 and float64"):
        ag.randn(2, 2).float() @ ag.randn(2, 2)
    with pytest.raises(RuntimeError, match="conv2d:.*float64 and float32"):
        nn.Conv2d(1, 1, 3).float()(ag.randn(1, 1, 4, 4))
    with pytest.raises(RuntimeError, match="conv.?transpose2d:.*float64 and float32"):
        nn.ConvTranspose2d(1, 1, 3).float()(ag.randn(1, 1, 4, 4))
    assert nn.Linear(3, 2).float()(ag.randn(4, 3).float()).dtype == ag.float32


# --------------------------------------------------------------------------- docstrings
def _public_callables():
    for name in sorted(dir(ag)):
        obj = getattr(ag, name)
        if not name.startswith("_") and callable(obj) and not inspect.ismodule(obj) \
                and not isinstance(obj, np.dtype) and obj is not ag.dtype:
            yield f"autograd.{name}", obj
    for name, obj in sorted(vars(Tensor).items()) + [
            (n, o) for cls in Tensor.__mro__[1:-1] for n, o in sorted(vars(cls).items())]:
        if name.startswith("_") and name not in ("__init__", "__getitem__", "__add__"):
            continue
        if callable(obj) or isinstance(obj, property):
            yield f"Tensor.{name}", obj


def _own_doc(obj):
    """The object's own docstring (not one inherited from its class)."""
    if isinstance(obj, property):
        return obj.__doc__
    return obj.__doc__  # functions, classes, callable objects (their class says what they do)


def test_every_public_function_and_method_has_a_docstring():
    missing = [name for name, obj in _public_callables()
               if not isinstance(obj, Primitive) and not (_own_doc(obj) or "").strip()]
    assert not missing, missing


def test_primitives_used_as_functions_have_their_own_docstring():
    missing = [name for name, obj in _public_callables()
               if isinstance(obj, Primitive) and obj.__doc__ == Primitive.__doc__]
    assert not missing, missing


def test_section_comments_do_not_leak_into_help():
    for name, obj in _public_callables():
        fn = getattr(obj, "fget", obj)
        comments = inspect.getcomments(fn) if inspect.isfunction(fn) else None
        assert not comments or "----" not in comments or inspect.getdoc(fn), name
    assert "(values, indices)" in inspect.getdoc(Tensor.max)
    assert "``torch.Tensor.max``" in inspect.getdoc(Tensor.max)


def test_return_types_are_precise():
    hints = {n: inspect.signature(getattr(ag, n)).return_annotation
             for n in ("sum", "var", "amax", "split", "chunk", "squeeze", "cat")}
    assert hints["sum"] == hints["var"] == hints["amax"] == "Tensor"
    assert hints["split"] == hints["chunk"] == "tuple[Tensor, ...]"
    assert "ValuesIndices" in inspect.signature(Tensor.max).return_annotation


def test_where_with_the_condition_alone_gives_index_tuples_like_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[1.0, 5.0, 0.0], [7.0, 2.0, 9.0]])
    x, t = ag.tensor(a), torch.tensor(a)
    idx = ag.where(x > 3)
    assert isinstance(idx, tuple) and len(idx) == 2
    for ours, theirs in zip(idx, torch.where(t > 3)):
        assert_array_equal(ours.cpu().numpy(), theirs.cpu().numpy())
    assert_array_equal(x[ag.where(x > 3)].cpu().numpy(), t[torch.where(t > 3)].cpu().numpy())
    with pytest.raises(TypeError, match="where"):
        ag.where(x > 3, x)


def test_a_bool_in_dims_place_is_unbiased_like_torch():
    torch = pytest.importorskip("torch")
    a = np.arange(12.0).reshape(3, 4) ** 1.5
    x, t = ag.tensor(a), torch.tensor(a)
    for fn in ("var", "std"):
        for flag in (False, True):
            assert_allclose(getattr(x, fn)(flag).item(), getattr(t, fn)(flag).item(),
                                       rtol=1e-13)
            assert_allclose(getattr(ag, fn)(x, flag).item(),
                                       getattr(torch, fn)(t, flag).item(), rtol=1e-13)
        assert_allclose(getattr(x, fn)(0, False).cpu().numpy(),
                                   getattr(t, fn)(0, False).cpu().numpy(), rtol=1e-13)
        with pytest.raises(TypeError, match=fn):
            getattr(x, fn)(True, False)


def test_split_takes_torchs_keyword_names():
    x = ag.arange(10.0).reshape(2, 5)
    assert [p.shape for p in x.split(split_size=2, dim=1)] == [(2, 2), (2, 2), (2, 1)]
    assert [p.shape for p in ag.split(x, split_size_or_sections=[1, 4], dim=1)] == [(2, 1), (2, 4)]


def test_split_method_parameter_is_torchs_real_one():
    torch = pytest.importorskip("torch")
    theirs = [p.name for p in inspect.signature(torch.Tensor.split).parameters.values()][1:]
    ours = [p.name for p in inspect.signature(Tensor.split).parameters.values()][1:]
    assert ours == theirs == ["split_size", "dim"]
