"""RNN/LSTM/GRU: PyTorch's parameter names, shapes and init range; outputs, final states and
every gradient equal PyTorch's with copied weights (layers, bias, batch_first, bidirectional,
projections, initial states, unbatched input); dropout between layers; error paths."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.testing import assert_allclose, assert_array_equal

torch = pytest.importorskip("torch")

CASES = [
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2, "bidirectional": True}),
    ("LSTM", {}),
    ("LSTM", {"num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("LSTM", {"proj_size": 2, "num_layers": 2, "bidirectional": True}),
    ("LSTM", {"bias": False, "num_layers": 3}),
    ("GRU", {}),
    ("GRU", {"num_layers": 2, "bidirectional": True, "batch_first": True, "bias": False}),
]


def _pair(name, kw, input_size=3, hidden=4):
    tm = getattr(torch.nn, name)(input_size, hidden, **kw).double()
    m = getattr(nn, name)(input_size, hidden, **kw)
    sd = {k: v.detach().cpu().numpy() for k, v in tm.state_dict().items()}
    assert list(m.state_dict()) == list(sd)  # same names, same order
    for k, v in m.state_dict().items():
        assert v.shape == sd[k].shape, k
    m.load_state_dict(sd)
    return m, tm


def _states(o):
    return list(o) if isinstance(o, tuple) else [o]


def _close(a, b):
    assert_allclose(a.detach().cpu().numpy(), b.detach().cpu().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,kw", CASES)
@pytest.mark.parametrize("with_h0", [False, True])
def test_matches_torch(name, kw, with_h0):
    m, tm = _pair(name, kw)
    rng = np.random.default_rng(0)
    seq, batch = 5, 2
    x = rng.standard_normal((batch, seq, 3) if kw.get("batch_first") else (seq, batch, 3))
    nd = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    hsz = kw.get("proj_size") or 4
    h0 = [rng.standard_normal((nd, batch, hsz))]
    if name == "LSTM":
        h0.append(rng.standard_normal((nd, batch, 4)))
    ax, tx = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ah = [ag.tensor(h, requires_grad=True) for h in h0]
    th = [torch.tensor(h, requires_grad=True) for h in h0]
    args = (tuple(ah) if name == "LSTM" else ah[0]) if with_h0 else None
    targs = (tuple(th) if name == "LSTM" else th[0]) if with_h0 else None
    out, hn = m(ax, args)
    tout, thn = tm(tx, targs)
    _close(out, tout)
    for a, b in zip(_states(hn), _states(thn), strict=True):
        _close(a, b)
    w = rng.standard_normal(tuple(tout.shape))
    loss = (out * ag.tensor(w)).sum() + sum((h * h).sum() for h in _states(hn))
    tloss = (tout * torch.tensor(w)).sum() + sum((h * h).sum() for h in _states(thn))
    loss.backward()
    tloss.backward()
    _close(ax.grad, tx.grad)
    if with_h0:
        for a, b in zip(ah, th, strict=True):
            _close(a.grad, b.grad)
    for (pn, p), tp in zip(m.named_parameters(), tm.parameters(), strict=True):
        _close(p.grad, tp.grad)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_unbatched_matches_torch(name):
    m, tm = _pair(name, {"num_layers": 2, "bidirectional": True})
    x = np.random.default_rng(1).standard_normal((6, 3))
    out, hn = m(ag.tensor(x))
    tout, thn = tm(torch.tensor(x))
    assert out.shape == (6, 8)
    _close(out, tout)
    for a, b in zip(_states(hn), _states(thn), strict=True):
        assert a.shape == (4, 4)
        _close(a, b)
    # unbatched initial states are 2-D
    h0 = np.ones((4, 4))
    hx = (ag.tensor(h0), ag.tensor(h0)) if name == "LSTM" else ag.tensor(h0)
    thx = (torch.tensor(h0), torch.tensor(h0)) if name == "LSTM" else torch.tensor(h0)
    _close(m(ag.tensor(x), hx)[0], tm(torch.tensor(x), thx)[0])


def test_init_range_and_dtype():
    m = nn.GRU(5, 16, num_layers=2, generator=0)
    bound = 1 / 4
    for name, p in m.named_parameters():
        assert p.dtype == np.float64
        v = p.detach().cpu().numpy()
        assert -bound <= v.min() and v.max() <= bound, name
        assert v.std() > bound / 3  # really spread over U(-b, b)
    assert nn.LSTM(2, 3, dtype="float32").weight_ih_l0.dtype == np.float32
    assert "num_layers=2" in repr(m)
    m.flatten_parameters()  # PyTorch's cuDNN layout call: accepted, nothing to do


def test_dropout_between_layers():
    m = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = ag.randn(5, 2, 3)
    ag.manual_seed(0)
    a = m(x)[0].detach().cpu().numpy()
    ag.manual_seed(1)
    b = m(x)[0].detach().cpu().numpy()
    assert not np.allclose(a, b)  # training: a fresh mask each call
    m.eval()
    assert_array_equal(m(x)[0].detach().cpu().numpy(), m(x)[0].detach().cpu().numpy())
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.2)


def test_errors():
    m = nn.LSTM(3, 4)
    with pytest.raises(RuntimeError, match="input_size"):
        m(ag.ones(5, 2, 2))
    with pytest.raises(ValueError, match="2-D"):
        m(ag.ones(5, 2, 3, 1))
    with pytest.raises(RuntimeError, match=r"h_0 of size \(1, 2, 4\)"):
        m(ag.ones(5, 2, 3), (ag.zeros(1, 3, 4), ag.zeros(1, 2, 4)))
    with pytest.raises(TypeError, match="tuple"):
        m(ag.ones(5, 2, 3), ag.zeros(1, 2, 4))
    with pytest.raises(RuntimeError, match="3-D"):
        nn.GRU(3, 4)(ag.ones(5, 2, 3), ag.zeros(2, 4))
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match="hidden_size"):
        nn.RNN(3, 0)
    with pytest.raises(ValueError, match="dropout"):
        nn.GRU(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="proj_size"):
        nn.LSTM(3, 4, proj_size=4)


@pytest.mark.parametrize("name,kw", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}),
                                     ("LSTMCell", {}), ("GRUCell", {}),
                                     ("GRUCell", {"bias": False})])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(name, kw, batched):
    tm = getattr(torch.nn, name)(3, 4, **kw).double()
    m = getattr(nn, name)(3, 4, **kw)
    sd = {k: v.detach().cpu().numpy() for k, v in tm.state_dict().items()}
    assert list(m.state_dict()) == list(sd)
    m.load_state_dict(sd)
    rng = np.random.default_rng(5)
    lead = (2,) if batched else ()
    x, h0, c0 = (rng.standard_normal((*lead, n)) for n in (3, 4, 4))
    ax, ah, ac = (ag.tensor(a, requires_grad=True) for a in (x, h0, c0))
    tx, th, tc = (torch.tensor(a, requires_grad=True) for a in (x, h0, c0))
    lstm = name == "LSTMCell"
    out = m(ax, (ah, ac) if lstm else ah)
    tout = tm(tx, (th, tc) if lstm else th)
    loss = sum((o * o).sum() for o in _states(out))
    tloss = sum((o * o).sum() for o in _states(tout))
    for a, b in zip(_states(out), _states(tout), strict=True):
        _close(a, b)
    loss.backward()
    tloss.backward()
    for a, b in [(ax, tx), (ah, th)] + ([(ac, tc)] if lstm else []):
        _close(a.grad, b.grad)
    for p, tp in zip(m.parameters(), tm.parameters(), strict=True):
        _close(p.grad, tp.grad)
    # default state: zeros
    for a, b in zip(_states(m(ax)), _states(tm(tx)), strict=True):
        _close(a, b)


def test_cell_errors():
    with pytest.raises(RuntimeError, match="input_size"):
        nn.GRUCell(3, 4)(ag.ones(2, 2))
    with pytest.raises(RuntimeError, match=r"\(2, 4\)"):
        nn.RNNCell(3, 4)(ag.ones(2, 3), ag.zeros(3, 4))
    with pytest.raises(TypeError, match="tuple"):
        nn.LSTMCell(3, 4)(ag.ones(2, 3), ag.zeros(2, 4))
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNNCell(3, 4, nonlinearity="gelu")
