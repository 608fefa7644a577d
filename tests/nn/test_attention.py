"""Attention: ``scaled_dot_product_attention`` (masks, causal, scale, GQA, dropout, fully masked
rows) by central differences and against PyTorch; ``MultiheadAttention`` and
``TransformerEncoderLayer`` equal PyTorch's outputs and gradients with copied weights."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
import nn
import nn.functional as F
from autograd.testing import arrays_for, assert_allclose, assert_array_equal, assert_gradients_close


def _close(a, b, tol=1e-10):
    assert_allclose(a.detach().cpu().numpy(), b.detach().cpu().numpy(), rtol=tol, atol=tol)


@st.composite
def _sdpa_case(draw):
    lead = draw(st.sampled_from([(), (2,), (1, 2)]))
    n_l, n_s, e, ev = (draw(st.integers(1, 3)) for _ in range(4))
    q = draw(arrays_for((*lead, n_l, e)))
    k = draw(arrays_for((*lead, n_s, e)))
    v = draw(arrays_for((*lead, n_s, ev)))
    kind = draw(st.sampled_from(["none", "causal", "bool", "float"]))
    mask = None
    if kind == "bool":
        mask = draw(arrays_for((n_l, n_s), dtype=bool))
    elif kind == "float":
        mask = draw(arrays_for((n_l, n_s)))
    return q, k, v, kind, mask


@given(_sdpa_case())
def test_sdpa_gradients(case):
    q, k, v, kind, mask = case

    def fn(a, b, c):
        return F.scaled_dot_product_attention(a, b, c, attn_mask=mask, is_causal=kind == "causal",
                                              scale=0.7)

    assert_gradients_close(fn, q, k, v, check_gradgrad=True)


def test_sdpa_matches_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((2, 4, 5, 8)), rng.standard_normal((2, 4, 6, 8)), \
        rng.standard_normal((2, 4, 6, 3))
    bmask = rng.random((5, 6)) > 0.4
    bmask[1] = False  # a fully masked query row: zeros, not NaN (PyTorch 2.x)
    cases = [{}, {"is_causal": True}, {"attn_mask": bmask}, {"scale": 0.3},
             {"attn_mask": rng.standard_normal((2, 1, 5, 6))}]
    for kw in cases:
        a = [ag.tensor(x, requires_grad=True) for x in (q, k, v)]
        t = [torch.tensor(x, requires_grad=True) for x in (q, k, v)]
        tkw = {n: torch.tensor(m) if isinstance(m, np.ndarray) else m for n, m in kw.items()}
        out = F.scaled_dot_product_attention(*a, **kw)
        tout = tf.scaled_dot_product_attention(*t, **tkw)
        _close(out, tout)
        w = rng.standard_normal(tout.shape)
        (out * ag.tensor(w)).sum().backward()
        (tout * torch.tensor(w)).sum().backward()
        for x, y in zip(a, t, strict=True):
            assert np.isfinite(x.grad.cpu().numpy()).all()
            _close(x.grad, y.grad)
    # grouped-query attention: 4 query heads share 2 key/value heads
    kv = rng.standard_normal((2, 2, 6, 8))
    out = F.scaled_dot_product_attention(ag.tensor(q), ag.tensor(kv), ag.tensor(kv),
                                         enable_gqa=True)
    tout = tf.scaled_dot_product_attention(torch.tensor(q), torch.tensor(kv), torch.tensor(kv),
                                           enable_gqa=True)
    _close(out, tout)


def test_sdpa_dropout_and_errors():
    q = ag.randn(2, 3, 4)
    a = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5, generator=0)
    b = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5, generator=0)
    c = F.scaled_dot_product_attention(q, q, q)
    assert_array_equal(a.cpu().numpy(), b.cpu().numpy())  # seeded
    assert not np.allclose(a.cpu().numpy(), c.cpu().numpy())
    # dropout_p=1 drops every weight
    assert not F.scaled_dot_product_attention(q, q, q, dropout_p=1.0).cpu().numpy().any()
    with pytest.raises(ValueError, match="not both"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((3, 3), bool), is_causal=True)
    with pytest.raises(ValueError, match=r"\(\.\.\., S, E\)"):
        F.scaled_dot_product_attention(q, ag.randn(2, 3, 5), q)
    with pytest.raises(ValueError, match="multiple"):
        F.scaled_dot_product_attention(ag.randn(1, 3, 2, 4), ag.randn(1, 2, 2, 4),
                                       ag.randn(1, 2, 2, 4), enable_gqa=True)


MHA_KW = [{}, {"kdim": 3, "vdim": 5}, {"add_bias_kv": True, "add_zero_attn": True},
          {"bias": False}]


@pytest.mark.parametrize("kw", MHA_KW)
@pytest.mark.parametrize("batch_first", [False, True])
def test_multihead_attention_matches_torch(kw, batch_first):
    torch = pytest.importorskip("torch")
    tm = torch.nn.MultiheadAttention(8, 2, batch_first=batch_first, **kw).double()
    m = nn.MultiheadAttention(8, 2, batch_first=batch_first, **kw)
    sd = {k: v.detach().cpu().numpy() for k, v in tm.state_dict().items()}
    assert list(m.state_dict()) == list(sd)
    m.load_state_dict(sd)
    rng = np.random.default_rng(1)
    n_l, n_s, n = 4, 5, 3
    kd, vd = kw.get("kdim", 8), kw.get("vdim", 8)

    def draw(length, d):
        return rng.standard_normal((n, length, d) if batch_first else (length, n, d))

    q, k, v = draw(n_l, 8), draw(n_s, kd), draw(n_s, vd)
    kpm = np.zeros((n, n_s), bool)
    kpm[0, -2:] = True
    masks = [{}, {"key_padding_mask": kpm}, {"attn_mask": rng.standard_normal((n_l, n_s))},
             {"attn_mask": np.triu(np.ones((n_l, n_s), bool), 1), "key_padding_mask": kpm},
             {"attn_mask": rng.standard_normal((n * 2, n_l, n_s)),
              "key_padding_mask": rng.standard_normal((n, n_s))}]
    for mk in masks:
        for avg in (True, False):
            a = [ag.tensor(x, requires_grad=True) for x in (q, k, v)]
            t = [torch.tensor(x, requires_grad=True) for x in (q, k, v)]
            m.zero_grad()
            tm.zero_grad()
            out, w = m(*a, average_attn_weights=avg, **mk)
            tout, tw = tm(*t, average_attn_weights=avg,
                          **{name: torch.tensor(x) for name, x in mk.items()})
            _close(out, tout)
            _close(w, tw)
            (out.sum() + (w * w).sum()).backward()
            (tout.sum() + (tw * tw).sum()).backward()
            for x, y in zip(a, t, strict=True):
                _close(x.grad, y.grad)
            for p, tp in zip(m.parameters(), tm.parameters(), strict=True):
                _close(p.grad, tp.grad)
    # unbatched (L, E) input
    sl = (0, slice(None)) if batch_first else (slice(None), 0)
    out, w = m(ag.tensor(q[sl]), ag.tensor(k[sl]), ag.tensor(v[sl]))
    tout, tw = tm(torch.tensor(q[sl]), torch.tensor(k[sl]), torch.tensor(v[sl]))
    _close(out, tout)
    _close(w, tw)
    assert m(ag.tensor(q), ag.tensor(k), ag.tensor(v), need_weights=False)[1] is None


def test_multihead_attention_init_and_errors():
    m = nn.MultiheadAttention(6, 3, generator=0)
    assert m.in_proj_weight.shape == (18, 6) and m.head_dim == 2
    assert not m.in_proj_bias.detach().cpu().numpy().any()
    assert not m.out_proj.bias.detach().cpu().numpy().any()
    bound = np.sqrt(6 / (6 + 18))  # xavier_uniform over (3E, E)
    assert np.abs(m.in_proj_weight.detach().cpu().numpy()).max() <= bound
    with pytest.raises(ValueError, match="divisible"):
        nn.MultiheadAttention(6, 4)
    x = ag.randn(2, 1, 6)
    with pytest.raises(RuntimeError, match="is_causal"):
        m(x, x, x, is_causal=True)
    with pytest.raises(RuntimeError, match="2D attn_mask"):
        m(x, x, x, attn_mask=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="expected query"):
        m(ag.randn(2, 1, 5), x, x)
    with pytest.raises(TypeError, match="bool and floating"):
        m(x, x, x, attn_mask=np.zeros((2, 2), dtype=np.int64))


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_transformer_encoder_layer_matches_torch(norm_first, activation):
    torch = pytest.importorskip("torch")
    kw = {"dim_feedforward": 16, "dropout": 0.0, "activation": activation,
          "norm_first": norm_first, "batch_first": True}
    tl = torch.nn.TransformerEncoderLayer(8, 2, **kw).double()
    layer = nn.TransformerEncoderLayer(8, 2, **kw)
    sd = {k: v.detach().cpu().numpy() for k, v in tl.state_dict().items()}
    assert list(layer.state_dict()) == list(sd)
    layer.load_state_dict(sd)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 5, 8))
    kpm = np.zeros((3, 5), bool)
    kpm[1, -1] = True
    causal = np.triu(np.ones((5, 5), bool), 1)
    ax, tx = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = layer(ax, src_mask=causal, src_key_padding_mask=kpm)
    tout = tl(tx, src_mask=torch.tensor(causal), src_key_padding_mask=torch.tensor(kpm))
    _close(out, tout)
    (out * out).sum().backward()
    (tout * tout).sum().backward()
    _close(ax.grad, tx.grad, 1e-9)
    for p, tp in zip(layer.parameters(), tl.parameters(), strict=True):
        _close(p.grad, tp.grad, 1e-9)


def test_transformer_encoder_layer_options():
    layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.5, activation=nn.GELU())
    assert isinstance(layer.activation, nn.GELU)
    x = ag.randn(3, 2, 4)
    layer.eval()
    assert_array_equal(layer(x).detach().cpu().numpy(), layer(x).detach().cpu().numpy())  # eval
    assert layer(ag.randn(3, 4)).shape == (3, 4)  # unbatched
    with pytest.raises(RuntimeError, match="relu/gelu"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")


def test_transformer_encoder_matches_torch():
    torch = pytest.importorskip("torch")
    kw = {"dim_feedforward": 16, "dropout": 0.0}
    tenc = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, **kw), 2,
                                       norm=torch.nn.LayerNorm(8),
                                       enable_nested_tensor=False).double()
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, **kw), 2, norm=nn.LayerNorm(8))
    sd = {k: v.detach().cpu().numpy() for k, v in tenc.state_dict().items()}
    assert list(enc.state_dict()) == list(sd)
    enc.load_state_dict(sd)
    # the copies are independent
    assert enc.layers[0].linear1.weight is not enc.layers[1].linear1.weight
    x = np.random.default_rng(3).standard_normal((5, 2, 8))
    causal = np.triu(np.full((5, 5), -np.inf), 1)
    ax, tx = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = enc(ax, mask=causal, is_causal=True)
    tout = tenc(tx, mask=torch.tensor(causal), is_causal=True)
    _close(out, tout)
    (out * out).sum().backward()
    (tout * tout).sum().backward()
    _close(ax.grad, tx.grad, 1e-9)
    for p, tp in zip(enc.parameters(), tenc.parameters(), strict=True):
        _close(p.grad, tp.grad, 1e-9)
