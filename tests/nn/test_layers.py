"""Layers: gradchecks w.r.t. input and every parameter (hypothesis-drawn sizes), seed formulas,
Dropout and BatchNorm train/eval behaviour, normalisation vs NumPy (and PyTorch when present)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
import nn
import nn.functional as F
from autograd.tensor import Tensor
from autograd.testing import assert_allclose, assert_array_equal

sizes = st.integers(1, 4)


def _x(rng, *shape):
    return ag.tensor(rng.standard_normal(shape), requires_grad=True)


def _check_module(m, x, second_order=False):
    """gradcheck of ``m`` w.r.t. its input and every parameter (the module's own objects)."""
    params = list(m.parameters())
    assert all(p.dtype == np.float64 for p in params)
    fn = lambda x, *ps: m(x)  # noqa: E731  (ps are m's parameters, perturbed in place)
    assert ag.gradcheck(fn, (x, *params))
    if second_order:
        assert ag.gradgradcheck(fn, (x, *params))


# -------------------------------------------------------------------------------- Linear
@given(n=sizes, fin=sizes, fout=sizes, bias=st.booleans(), seed=st.integers(0, 2**31))
def test_linear_gradcheck(n, fin, fout, bias, seed):
    m = nn.Linear(fin, fout, bias=bias, generator=seed)
    _check_module(m, _x(np.random.default_rng(seed), n, fin))


def test_linear_seed_formulas():
    """Seed 000: dL/dW = delta^T x (PyTorch layout), dL/db = sum of delta, delta_prev = delta W."""
    rng = np.random.default_rng(0)
    x = _x(rng, 5, 3)
    m = nn.Linear(3, 4)
    delta = rng.standard_normal((5, 4))
    y = m(x)
    assert_allclose(y.detach().cpu().numpy(), x.detach().cpu().numpy() @ m.weight.detach().cpu().numpy().T + m.bias.detach().cpu().numpy())
    y.backward(ag.tensor(delta))
    assert_allclose(m.weight.grad.cpu().numpy(), delta.T @ x.detach().cpu().numpy())
    assert_allclose(m.bias.grad.cpu().numpy(), delta.sum(0))
    assert_allclose(x.grad.cpu().numpy(), delta @ m.weight.detach().cpu().numpy())


def test_linear_batched_unbatched_and_second_order():
    rng = np.random.default_rng(1)
    m = nn.Linear(3, 2)
    _check_module(m, _x(rng, 2, 4, 3), second_order=True)
    _check_module(m, _x(rng, 3), second_order=True)
    with pytest.raises(ValueError, match="in_features=3"):
        m(ag.ones(2, 4))


def test_linear_default_init_bounds():
    m = nn.Linear(16, 8, generator=0)
    bound = 1 / np.sqrt(16)
    assert np.abs(m.weight.detach().cpu().numpy()).max() <= bound and np.abs(m.bias.detach().cpu().numpy()).max() <= bound
    assert m.weight.detach().cpu().numpy().std() > bound / 3  # actually spread over the interval


# ---------------------------------------------------------------------- conv modules
@given(n=st.integers(1, 2), cin=st.integers(1, 3), cout=st.integers(1, 3),
       k=st.integers(1, 3), seed=st.integers(0, 2**31))
def test_conv_modules_gradcheck(n, cin, cout, k, seed):
    rng = np.random.default_rng(seed)
    _check_module(nn.Conv2d(cin, cout, k, padding=1, generator=seed), _x(rng, n, cin, 4, 3))
    _check_module(nn.Conv1d(cin, cout, k, stride=2, generator=seed), _x(rng, n, cin, 5))


def test_conv_default_init_bounds():
    conv = nn.Conv2d(4, 6, 3, groups=2, generator=0)
    bound = 1 / np.sqrt(2 * 9)
    assert tuple(conv.weight.shape) == (6, 2, 3, 3)
    assert np.abs(conv.weight.detach().cpu().numpy()).max() <= bound and np.abs(conv.bias.detach().cpu().numpy()).max() <= bound


# --------------------------------------------------------------------------- BatchNorm
@given(n=st.integers(2, 4), c=sizes, seed=st.integers(0, 2**31))
def test_batchnorm_gradcheck_train_and_eval(n, c, seed):
    rng = np.random.default_rng(seed)
    bn = nn.BatchNorm1d(c)
    bn.weight.data[...] = rng.uniform(0.5, 2, c)
    bn.bias.data[...] = rng.standard_normal(c)
    _check_module(bn, _x(rng, n, c))
    _check_module(bn, _x(rng, n, c, 3))
    bn.eval()
    _check_module(bn, _x(rng, n, c))


def test_batchnorm2d_second_order():
    rng = np.random.default_rng(2)
    bn = nn.BatchNorm2d(2)
    bn.weight.data[...] = [0.5, 1.5]
    _check_module(bn, _x(rng, 2, 2, 2, 3), second_order=True)


def test_batchnorm_train_vs_eval_and_running_stats():
    rng = np.random.default_rng(3)
    bn = nn.BatchNorm2d(3, momentum=0.2)
    xs = [rng.standard_normal((4, 3, 2, 2)) * 3 + 1 for _ in range(3)]
    rm, rv = np.zeros(3), np.ones(3)
    for x in xs:
        y = bn(ag.tensor(x))
        mean, var = x.mean((0, 2, 3)), x.var((0, 2, 3))
        expect = (x - mean[:, None, None]) / np.sqrt(var[:, None, None] + 1e-5)
        assert_allclose(y.detach().cpu().numpy(), expect, rtol=1e-10, atol=1e-12)
        rm = 0.8 * rm + 0.2 * mean
        rv = 0.8 * rv + 0.2 * x.var((0, 2, 3), ddof=1)  # running_var uses the unbiased variance
    assert_allclose(bn.running_mean.detach().cpu().numpy(), rm)
    assert_allclose(bn.running_var.detach().cpu().numpy(), rv)
    assert bn.num_batches_tracked.item() == 3
    bn.eval()
    x = rng.standard_normal((2, 3, 2, 2))
    y = bn(ag.tensor(x))
    assert_allclose(y.detach().cpu().numpy(), (x - rm[:, None, None]) / np.sqrt(rv[:, None, None] + 1e-5))
    assert bn.num_batches_tracked.item() == 3  # eval does not touch the statistics
    assert_allclose(bn.running_mean.detach().cpu().numpy(), rm)


def test_batchnorm_momentum_none_cumulative_average():
    rng = np.random.default_rng(4)
    bn = nn.BatchNorm1d(2, momentum=None)
    xs = [rng.standard_normal((5, 2)) for _ in range(4)]
    for x in xs:
        bn(ag.tensor(x))
    assert_allclose(bn.running_mean.detach().cpu().numpy(), np.mean([x.mean(0) for x in xs], axis=0))


def test_batchnorm_without_running_stats_and_errors():
    bn = nn.BatchNorm1d(2, track_running_stats=False, affine=False)
    assert list(bn.state_dict()) == []
    x = np.random.default_rng(5).standard_normal((6, 2))
    bn.eval()  # no running statistics: batch statistics even in eval mode
    assert_allclose(bn(ag.tensor(x)).data,
                               (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), rtol=1e-10)
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(2)(ag.ones(2, 2))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(2)(ag.ones(1, 2))


def test_batchnorm_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    ours, theirs = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3).double()
    for _ in range(2):
        x = rng.standard_normal((4, 3, 3, 2))
        y = ours(ag.tensor(x))
        ty = theirs(torch.tensor(x))
        assert_allclose(y.detach().cpu().numpy(), ty.detach().cpu().numpy(), rtol=1e-10, atol=1e-10)
    for k, v in theirs.state_dict().items():
        assert_allclose(ours.state_dict()[k].detach().cpu().numpy(), v.cpu().numpy(), rtol=1e-12, err_msg=k)


# ----------------------------------------------------------------- Layer/Group/Instance norm
@given(lead=st.lists(sizes, min_size=1, max_size=2), feat=st.lists(st.integers(2, 4),
       min_size=1, max_size=2), seed=st.integers(0, 2**31))
def test_layernorm_formula_and_gradcheck(lead, feat, seed):
    rng = np.random.default_rng(seed)
    ln = nn.LayerNorm(feat)
    ln.weight.data[...] = rng.uniform(0.5, 2, feat)
    ln.bias.data[...] = rng.standard_normal(feat)
    x = _x(rng, *lead, *feat)
    axes = tuple(range(len(lead), len(lead) + len(feat)))
    xd = x.detach().cpu().numpy()
    expect = (xd - xd.mean(axes, keepdims=True)) / np.sqrt(xd.var(axes, keepdims=True) + 1e-5)
    assert_allclose(ln(x).detach().cpu().numpy(), expect * ln.weight.detach().cpu().numpy() + ln.bias.detach().cpu().numpy(), rtol=1e-10,
                               atol=1e-12)
    _check_module(ln, x)


def test_norms_second_order_and_group_instance():
    rng = np.random.default_rng(7)
    _check_module(nn.LayerNorm(3), _x(rng, 2, 3), second_order=True)
    gn = nn.GroupNorm(2, 4)
    gn.weight.data[...] = [0.5, 1, 1.5, 2]
    x = _x(rng, 2, 4, 3)
    xg = x.detach().cpu().numpy().reshape(2, 2, -1)
    expect = ((xg - xg.mean(2, keepdims=True)) / np.sqrt(xg.var(2, keepdims=True) + 1e-5))
    assert_allclose(gn(x).detach().cpu().numpy(), expect.reshape(2, 4, 3) * gn.weight.detach().cpu().numpy()[:, None],
                               rtol=1e-10)
    _check_module(gn, x)
    inorm = nn.InstanceNorm2d(2, affine=True)
    _check_module(inorm, _x(rng, 2, 2, 2, 3))


def test_layernorm_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    x = rng.standard_normal((3, 4, 5))
    w, b = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    y = F.layer_norm(ag.tensor(x), (4, 5), ag.tensor(w), ag.tensor(b))
    ty = torch.nn.functional.layer_norm(torch.tensor(x), (4, 5), torch.tensor(w),
                                        torch.tensor(b))
    assert_allclose(y.detach().cpu().numpy(), ty.cpu().numpy(), rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------- Embedding
@given(num=st.integers(2, 5), dim=sizes, seed=st.integers(0, 2**31), pad=st.booleans())
def test_embedding_gradcheck(num, dim, seed, pad):
    rng = np.random.default_rng(seed)
    emb = nn.Embedding(num, dim, padding_idx=0 if pad else None, generator=seed)
    idx = ag.tensor(rng.integers(0, num, size=(2, 3)))
    assert_array_equal(emb(idx).detach().cpu().numpy(), emb.weight.detach().cpu().numpy()[idx.detach().cpu().numpy()])
    if not pad:  # the padding row deliberately gets no gradient (PyTorch's semantics)
        assert ag.gradcheck(lambda w: F.embedding(idx, w), (emb.weight,))
    # second order: the masked scatter and the masked gather are each other's transpose
    assert ag.gradgradcheck(lambda w: F.embedding(idx, w, 0 if pad else None) ** 2,
                            (emb.weight,))


def test_embedding_padding_and_repeats():
    emb = nn.Embedding(4, 2, padding_idx=1)
    assert_array_equal(emb.weight.detach().cpu().numpy()[1], [0, 0])
    out = emb(ag.tensor([[1, 2, 2], [3, 1, 2]]))
    out.sum().backward()
    assert_array_equal(emb.weight.grad.cpu().numpy(), [[0, 0], [0, 0], [3, 3], [1, 1]])
    # GPU indices are range-checked in anomaly mode only (no read-back per step)
    with ag.set_detect_anomaly(emb.weight.device.type != "cpu"), \
            pytest.raises(IndexError, match="out of range"):
        emb(ag.tensor([4]))
    with pytest.raises(TypeError, match="integer"):
        emb(ag.tensor([1.0]))
    pre = nn.Embedding.from_pretrained(np.eye(3))
    assert not pre.weight.requires_grad and pre(ag.tensor([2])).tolist() == [[0, 0, 1]]


def test_embedding_max_norm():
    emb = nn.Embedding(3, 2, max_norm=1.0)
    emb.weight.data[...] = [[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]]
    emb(ag.tensor([0, 1]))
    assert_allclose(np.linalg.norm(emb.weight.detach().cpu().numpy(), axis=1), [1.0, 0.5, 10.0],
                               rtol=1e-6)


# ------------------------------------------------------------------------------- Dropout
def test_dropout_train_eval_scaling_and_seed():
    x = ag.ones(1000, requires_grad=True)
    d = nn.Dropout(0.25)
    ag.manual_seed(0)
    y1 = d(x)
    ag.manual_seed(0)
    y2 = d(x)
    assert_array_equal(y1.detach().cpu().numpy(), y2.detach().cpu().numpy())  # seedable through autograd.manual_seed
    vals = set(np.unique(y1.detach().cpu().numpy()).tolist())
    assert vals <= {0.0, 1 / 0.75}
    assert 0.15 < (y1.detach().cpu().numpy() == 0).mean() < 0.35
    y1.sum().backward()
    assert_array_equal(x.grad.cpu().numpy(), y1.detach().cpu().numpy())  # gradient uses the same mask
    d.eval()
    assert d(x) is x
    assert F.dropout(x, 0.0) is x
    assert np.all(F.dropout(x, 1.0).detach().cpu().numpy() == 0)
    a = F.dropout(x, 0.5, generator=np.random.default_rng(1))
    b = F.dropout(x, 0.5, generator=np.random.default_rng(1))
    assert_array_equal(a.detach().cpu().numpy(), b.detach().cpu().numpy())
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_dropout_gradcheck_with_fixed_mask():
    x = _x(np.random.default_rng(9), 3, 4)
    assert ag.gradcheck(lambda t: F.dropout(t, 0.4, generator=7), (x,))
    assert ag.gradcheck(lambda t: F.dropout2d(t.reshape(3, 4, 1, 1), 0.4, generator=7), (x,))


def test_dropout2d_drops_whole_channels():
    y = F.dropout2d(ag.ones(8, 16, 3, 3), 0.5, generator=0).detach().cpu().numpy()
    per_channel = y.reshape(8, 16, 9)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    assert nn.Dropout2d(0.5).eval()(ag.ones(1, 2, 2, 2)).data.sum() == 8


# ---------------------------------------------------------------------------- activations
@pytest.mark.parametrize("module, ref", [
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    (nn.ELU(0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(x))),
    (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    (nn.Tanh(), np.tanh),
    (nn.Softplus(2.0), lambda x: np.log1p(np.exp(2 * x)) / 2),
    (nn.SiLU(), lambda x: x / (1 + np.exp(-x))),
    (nn.GELU("tanh"), lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))),
    (nn.Softmax(dim=1), lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True)),
    (nn.LogSoftmax(dim=0), lambda x: x - np.log(np.exp(x).sum(0, keepdims=True))),
])
def test_activation_modules(module, ref):
    rng = np.random.default_rng(10)
    x = rng.uniform(0.1, 2, (3, 4)) * rng.choice([-1, 1], (3, 4))  # away from the kink at 0
    t = ag.tensor(x, requires_grad=True)
    assert_allclose(module(t).detach().cpu().numpy(), ref(x), rtol=1e-10, atol=1e-12)
    assert ag.gradcheck(module, (t,))


def test_gelu_exact_against_torch():
    torch = pytest.importorskip("torch")
    x = np.linspace(-4, 4, 17)
    assert_allclose(nn.GELU()(ag.tensor(x)).data,
                               torch.nn.functional.gelu(torch.tensor(x)).cpu().numpy(), rtol=1e-12)


def test_activation_reprs():
    assert repr(nn.LeakyReLU(0.1)) == "LeakyReLU(negative_slope=0.1)"
    assert repr(nn.Softmax(dim=-1)) == "Softmax(dim=-1)"
    assert repr(nn.Dropout(0.3)) == "Dropout(p=0.3, inplace=False)"
    assert isinstance(nn.Tanh()(ag.zeros(2)), Tensor)


def test_size_zero_batches():
    """An empty batch flows forward and backward through every layer (zero gradients)."""
    layers = [
        (nn.Linear(3, 2), (0, 3)),
        (nn.Conv2d(2, 3, 3, padding=1), (0, 2, 4, 4)),
        (nn.Conv1d(2, 3, 2), (0, 2, 4)),
        (nn.MaxPool2d(2), (0, 2, 4, 4)),
        (nn.AvgPool2d(2), (0, 2, 4, 4)),
        (nn.AdaptiveAvgPool2d(1), (0, 2, 4, 4)),
        (nn.LayerNorm(3), (0, 3)),
        (nn.Flatten(), (0, 2, 4)),
        (nn.Dropout(0.5), (0, 3)),
    ]
    for layer, shape in layers:
        x = ag.zeros(*shape, requires_grad=True)
        y = layer(x)
        assert y.shape[0] == 0
        y.sum().backward()
        assert x.grad.shape == shape
        for p in layer.parameters():
            assert np.all(p.grad.cpu().numpy() == 0)
    emb = nn.Embedding(3, 2)
    assert emb(ag.tensor(np.zeros(0, np.int64))).shape == (0, 2)
    z = ag.zeros(0, 3, requires_grad=True)
    assert np.isnan(F.cross_entropy(z, np.zeros(0, np.int64)).item())
    assert F.cross_entropy(z, np.zeros(0, np.int64), reduction="sum").item() == 0.0


@given(data=st.data())
def test_non_contiguous_inputs(data):
    """Transposed and strided views give the same values and gradients as contiguous copies."""
    from autograd.testing import arrays_for

    cases = [
        (nn.Linear(3, 2), (4, 3)),
        (nn.Conv2d(2, 2, 2, stride=2), (2, 2, 4, 5)),
        (nn.MaxPool2d(2, 1), (1, 2, 3, 4)),
        (nn.AvgPool1d(2), (2, 2, 5)),
        (nn.LayerNorm(4), (3, 4)),
        (nn.BatchNorm1d(3), (4, 3)),
    ]
    layer, shape = cases[data.draw(st.integers(0, len(cases) - 1))]
    x = data.draw(arrays_for(shape, contiguous=False, min_value=-2, max_value=2))
    assert not x.flags.c_contiguous
    a, b = ag.Tensor(x, requires_grad=True), ag.tensor(np.ascontiguousarray(x), requires_grad=True)
    ya, yb = layer(a), layer(b)
    assert_allclose(ya.detach().cpu().numpy(), yb.detach().cpu().numpy(), rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(0).standard_normal(ya.shape)
    ya.backward(ag.tensor(g))
    yb.backward(ag.tensor(g))
    assert_allclose(a.grad.cpu().numpy(), b.grad.cpu().numpy(), rtol=1e-12, atol=1e-12)
