"""PyTorch's own sample inputs (``op_db`` OpInfos) for the ops of issue 13, run through tapegrad:
the same values, and the same gradients of ``sum(out * w)`` for float outputs.

The samples cover PyTorch's edge cases (empty and 0-d tensors, negative dims, keepdim, dtype=,
batched and empty linear-algebra inputs).  Skipped: samples whose call form cannot be expressed
here (noted per op) and decompositions whose outputs have sign freedom (tested elsewhere with
sign-invariant functions).
"""

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor
from autograd.testing import assert_allclose

torch = pytest.importorskip("torch")
pytest.importorskip("expecttest")  # op_db's module imports it
common = pytest.importorskip("torch.testing._internal.common_methods_invocations")

OPS = [
    "cumsum", "cumprod", "sort", "argsort", "topk", "kthvalue", "median", "tril", "triu", "diag",
    "diagonal", "trace", "roll", "movedim", "narrow", "index_select", "masked_select", "floor",
    "ceil", "round", "trunc", "frac", "sinh", "cosh", "asinh", "acosh", "atanh", "asin", "acos",
    "atan", "atan2", "hypot", "logaddexp", "xlogy", "clamp_min", "clamp_max", "unique", "nonzero",
    "isnan", "isinf", "isfinite", "repeat_interleave", "div", "add", "sub", "t",
    "linalg.inv", "linalg.det", "linalg.solve", "linalg.cholesky", "linalg.pinv",
    "linalg.matrix_power", "linalg.vector_norm", "linalg.matrix_norm", "linalg.norm",
    "linalg.slogdet", "linalg.eigvalsh", "linalg.svdvals",
]
# variants whose samples call a wrapper with another signature than the public function
SKIP_VARIANTS = {"linalg.pinv.singular"}


def _infos():
    out = []
    for op in common.op_db:
        name = op.name
        full = name + ("." + op.variant_test_name if op.variant_test_name else "")
        if name in OPS and full not in SKIP_VARIANTS:
            out.append(pytest.param(op, id=full))
    return out


def _ag_fn(name):
    return getattr(ag.linalg, name.split(".")[1]) if name.startswith("linalg.") else getattr(
        ag, name)


def _to_ag(v):
    if isinstance(v, torch.Tensor):
        return Tensor(v.detach().cpu().numpy().copy(), requires_grad=v.requires_grad)
    if isinstance(v, torch.dtype):
        return str(v).replace("torch.", "")
    if isinstance(v, (list, tuple)):
        return type(v)(_to_ag(a) for a in v)
    return v


def _outs(y):
    return list(y) if isinstance(y, (tuple, list)) else [y]


@pytest.mark.parametrize("op", _infos())
def test_pytorch_samples(op):
    fn = _ag_fn(op.name)
    samples = list(op.sample_inputs("cpu", torch.float64, requires_grad=True))
    assert samples
    rng = np.random.default_rng(0)
    for s in samples:
        leaves_t = [s.input] + [a for a in s.args if isinstance(a, torch.Tensor)
                                and a.requires_grad]
        x = _to_ag(s.input)
        args = _to_ag(s.args)
        kwargs = {k: _to_ag(v) for k, v in s.kwargs.items()}
        leaves_a = [x] + [a for a in args if isinstance(a, Tensor) and a.requires_grad]
        with np.errstate(all="ignore"):
            want = _outs(op(s.input, *s.args, **s.kwargs))
            got = _outs(fn(x, *args, **kwargs))
        assert len(got) == len(want), s
        for g, w in zip(got, want):
            assert_allclose(g.detach().cpu().numpy().astype(float),
                                       w.detach().cpu().numpy().astype(float), rtol=1e-7, atol=1e-8,
                                       equal_nan=True, err_msg=str(s))
        w0, g0 = want[0], got[0]
        if not (w0.requires_grad and g0.requires_grad) or not w0.numel():
            continue
        weight = rng.standard_normal(tuple(w0.shape))
        gt = torch.autograd.grad((w0 * torch.tensor(weight)).sum(), leaves_t, allow_unused=True)
        with np.errstate(all="ignore"):
            ga = ag.grad((g0 * Tensor(weight)).sum(), leaves_a, allow_unused=True)
        for a, t, leaf in zip(ga, gt, leaves_a):
            if not leaf.requires_grad:
                continue
            a = np.zeros(leaf.shape) if a is None else a.data
            t = np.zeros(leaf.shape) if t is None else t.cpu().numpy()
            assert_allclose(a, t, rtol=1e-6, atol=1e-7, equal_nan=True,
                                       err_msg=f"gradient of {s}")
