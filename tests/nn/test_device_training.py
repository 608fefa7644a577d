"""A training step of each nn layer with parameters or state on the strict stand-in GPU makes no
host transfer at all (issue 17: "the transfer counter shows zero implicit host transfers over a
training step of each nn layer").

The stand-in (autograd.testing.standin_device) refuses implicit conversions outright and counts
the explicit ones (``.get()``, host arrays copied over); this file registers it itself, so it runs
in the plain CPU suite too.  Models and batches are moved to the "GPU" before the counter starts;
inside it run the forward pass, the loss, ``backward`` and the optimizer step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
import optim
from autograd import devices
from autograd.testing.standin_device import count_transfers, registered


@pytest.fixture
def cuda():
    """The stand-in registered as the ``cuda`` device type (new tensors stay on the CPU unless
    moved); the previous backend and default device are restored afterwards."""
    with registered():
        ag.manual_seed(0)
        yield ag.device("cuda:0")


def _rng() -> np.random.Generator:
    return np.random.default_rng(0)


def _x(*shape: int) -> ag.Tensor:
    return ag.tensor(_rng().standard_normal(shape))


def _classes(n: int, c: int) -> ag.Tensor:
    return ag.tensor(_rng().integers(0, c, n))


# Each case: (model, inputs, loss from the model's output and the targets, targets).
Case = tuple[nn.Module, tuple[Any, ...], Callable[..., Any], Any]


def _mse(out: Any, target: Any) -> Any:
    return F.mse_loss(out, target)


def _ce(out: Any, target: Any) -> Any:
    return F.cross_entropy(out, target)


def _rnn_loss(out: Any, target: Any) -> Any:
    return F.mse_loss(out[0], target)


def _cases() -> dict[str, Callable[[], Case]]:
    return {
        "Linear": lambda: (nn.Linear(4, 3), (_x(5, 4),), _ce, _classes(5, 3)),
        "MLP": lambda: (nn.MLP([4, 8, 3]), (_x(5, 4),), _ce, _classes(5, 3)),
        "Conv1d": lambda: (nn.Conv1d(2, 3, 3, padding=1), (_x(2, 2, 6),), _mse, _x(2, 3, 6)),
        "Conv2d+MaxPool2d": lambda: (
            nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(12, 3)),
            (_x(2, 2, 4, 4),), _ce, _classes(2, 3)),
        "Conv3d+AvgPool3d": lambda: (
            nn.Sequential(nn.Conv3d(1, 2, 2), nn.AvgPool3d(2)), (_x(2, 1, 5, 5, 5),), _mse,
            _x(2, 2, 2, 2, 2)),
        "ConvTranspose2d": lambda: (nn.ConvTranspose2d(2, 3, 3, stride=2), (_x(2, 2, 3, 3),),
                                    _mse, _x(2, 3, 7, 7)),
        "AvgPool2d+AdaptiveAvgPool2d": lambda: (
            nn.Sequential(nn.Conv2d(1, 2, 3), nn.AvgPool2d(2, padding=1),
                          nn.AdaptiveAvgPool2d((2, 1))),
            (_x(2, 1, 7, 7),), _mse, _x(2, 2, 2, 1)),
        "MaxPool1d(ceil_mode)": lambda: (
            nn.Sequential(nn.Conv1d(1, 2, 2), nn.MaxPool1d(2, ceil_mode=True)), (_x(3, 1, 6),),
            _mse, _x(3, 2, 3)),
        "BatchNorm1d": lambda: (nn.BatchNorm1d(3), (_x(6, 3),), _mse, _x(6, 3)),
        "BatchNorm2d(momentum=None)": lambda: (nn.BatchNorm2d(2, momentum=None),
                                               (_x(3, 2, 3, 3),), _mse, _x(3, 2, 3, 3)),
        "LayerNorm": lambda: (nn.LayerNorm(4), (_x(3, 4),), _mse, _x(3, 4)),
        "GroupNorm": lambda: (nn.GroupNorm(2, 4), (_x(2, 4, 3),), _mse, _x(2, 4, 3)),
        "InstanceNorm2d": lambda: (nn.InstanceNorm2d(2, affine=True),
                                   (_x(2, 2, 3, 3),), _mse, _x(2, 2, 3, 3)),
        "Embedding": lambda: (
            nn.Sequential(nn.Embedding(10, 4, padding_idx=0), nn.Flatten(), nn.Linear(12, 2)),
            (ag.tensor(_rng().integers(0, 10, (5, 3))),), _ce, _classes(5, 2)),
        "Embedding(max_norm)": lambda: (nn.Embedding(10, 4, max_norm=1.0),
                                        (ag.tensor(_rng().integers(0, 10, 6)),), _mse, _x(6, 4)),
        "RNN": lambda: (nn.RNN(3, 4, num_layers=2, batch_first=True), (_x(2, 5, 3),), _rnn_loss,
                        _x(2, 5, 4)),
        "LSTM": lambda: (nn.LSTM(3, 4, bidirectional=True, proj_size=2), (_x(5, 2, 3),),
                         _rnn_loss, _x(5, 2, 4)),
        "GRU(dropout)": lambda: (nn.GRU(3, 4, num_layers=2, dropout=0.5), (_x(5, 2, 3),),
                                 _rnn_loss, _x(5, 2, 4)),
        "RNNCell": lambda: (nn.RNNCell(3, 4), (_x(2, 3),), _mse, _x(2, 4)),
        "LSTMCell": lambda: (nn.LSTMCell(3, 4), (_x(2, 3),), _rnn_loss, _x(2, 4)),
        "GRUCell": lambda: (nn.GRUCell(3, 4), (_x(2, 3),), _mse, _x(2, 4)),
        "MultiheadAttention": lambda: (
            nn.MultiheadAttention(4, 2, dropout=0.1, add_bias_kv=True), (_x(3, 2, 4),) * 3,
            _rnn_loss, _x(3, 2, 4)),
        "TransformerEncoder": lambda: (
            nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.1,
                                                             batch_first=True), 2),
            (_x(2, 3, 4),), _mse, _x(2, 3, 4)),
        "Dropout+Dropout2d": lambda: (
            nn.Sequential(nn.Conv2d(1, 2, 1), nn.Dropout2d(0.5), nn.Dropout(0.3)),
            (_x(2, 1, 3, 3),), _mse, _x(2, 2, 3, 3)),
        "Upsample+ReflectionPad2d": lambda: (
            nn.Sequential(nn.Conv2d(1, 1, 1), nn.Upsample(scale_factor=2, mode="bilinear"),
                          nn.ReflectionPad2d(1)),
            (_x(1, 1, 2, 2),), _mse, _x(1, 1, 6, 6)),
    }


CASES = _cases()


def _on_cuda(t: Any) -> bool:
    return t.device.type == "cuda" and devices.is_device_array(t._data)


@pytest.mark.parametrize("opt", ["SGD", "Adam"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_training_step_makes_no_host_transfer(cuda, name, opt):
    model, inputs, loss_fn, target = CASES[name]()
    model = model.to(cuda)
    inputs = tuple(t.to(cuda) for t in inputs)
    target = target.to(cuda)
    params = list(model.parameters())
    assert params and all(_on_cuda(p) for p in params)
    before = [p.detach().cpu().numpy().copy() for p in params]
    optimizer = (optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=1e-3) if opt == "SGD"
                 else optim.Adam(params, lr=0.1))
    model.train()
    with count_transfers() as moved:
        optimizer.zero_grad()
        out = model(*inputs)
        loss = loss_fn(out, target)
        loss.backward()
        optimizer.step()
    assert moved == {"to_host": 0, "to_device": 0}, f"{name}: hidden host transfers {moved}"
    assert _on_cuda(loss)
    for p in params:
        assert _on_cuda(p)
        assert p.grad is not None and _on_cuda(p.grad)
    assert all(_on_cuda(b) for b in model.buffers())
    # the step did something: every parameter that received a gradient moved
    assert np.isfinite(loss.item())
    for p, old in zip(params, before, strict=True):
        g = p.grad.cpu().numpy()
        if np.any(g != 0):
            assert not np.array_equal(p.detach().cpu().numpy(), old), f"{name}: {p.shape} stayed"


def test_modules_built_under_a_cuda_default_live_there(cuda):
    """Parameters and buffers of a module built while the default device is cuda are made
    there, and ``nn.init`` fills device parameters on the device (no host draw copied over)."""
    devices.set_default_device("cuda")
    try:
        with count_transfers() as moved:
            model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.LSTM(4, 2))
            nn.init.trunc_normal_(model[0].weight, std=0.5)
            nn.init.orthogonal_(model[2].weight_hh_l0)
            nn.init.eye_(model[0].weight)
            nn.init.xavier_normal_(model[2].weight_ih_l0)
        assert all(_on_cuda(t) for t in [*model.parameters(), *model.buffers()])
        assert moved["to_host"] == 0 and moved["to_device"] == 0, moved
    finally:
        devices._default = None
    w = model[2].weight_ih_l0.detach().cpu().numpy()
    assert np.isfinite(w).all() and w.std() > 0


def test_out_of_range_gpu_targets_give_nan_or_raise_in_anomaly_mode(cuda):
    """No read-back in the loss: out-of-range GPU class indices make their loss NaN (and the
    mean NaN); ``autograd.set_detect_anomaly(True)`` checks them (IndexError) instead."""
    z = ag.tensor(_rng().standard_normal((3, 4)), device=cuda, requires_grad=True)
    t = ag.tensor([0, 4, 2], device=cuda)
    with count_transfers() as moved:
        per = F.cross_entropy(z, t, reduction="none")
        nll = F.nll_loss(F.log_softmax(z, dim=1), t, reduction="none")
    assert moved == {"to_host": 0, "to_device": 0}
    for loss in (per, nll):
        got = loss.detach().cpu().numpy()
        assert np.isnan(got[1]) and np.isfinite(got[[0, 2]]).all()
    assert np.isnan(F.cross_entropy(z, t).item())
    ok = F.cross_entropy(z, ag.tensor([0, 3, 2], device=cuda)).item()
    ref = F.cross_entropy(z.detach().cpu(), ag.tensor([0, 3, 2])).item()
    assert ok == pytest.approx(ref, rel=1e-12)
    with ag.detect_anomaly():
        with pytest.raises(IndexError, match="out of bounds"):
            F.cross_entropy(z, t)
        checked = F.cross_entropy(z, ag.tensor([0, 3, 2], device=cuda))  # in range: as without
        assert _on_cuda(checked) and checked.item() == ok
    with pytest.raises(IndexError, match="out of bounds"):  # host targets: checked before use
        F.cross_entropy(z.detach().cpu(), ag.tensor([0, 4, 2]))


def test_embedding_with_gpu_indices_checks_them_on_the_device(cuda):
    """Out-of-range GPU indices give NaN rows and no gradient anywhere (no read-back; an
    IndexError in anomaly mode); ``max_norm`` renormalises exactly as on the host."""
    wh = _rng().standard_normal((4, 3)) * 3
    w = ag.tensor(wh, device=cuda, requires_grad=True)
    idx = ag.tensor([1, 7, -1, -9, 1], device=cuda)
    with count_transfers() as moved:
        y = F.embedding(idx, w, padding_idx=3)
        y.sum().backward()
    assert moved == {"to_host": 0, "to_device": 0}
    yh = y.detach().cpu().numpy()
    np.testing.assert_array_equal(yh[[0, 2, 4]], wh[[1, 3, 1]])
    assert np.isnan(yh[[1, 3]]).all()
    np.testing.assert_array_equal(w.grad.cpu().numpy(), [[0, 0, 0], [2, 2, 2], [0, 0, 0],
                                                         [0, 0, 0]])  # padding row 3: none
    with ag.set_detect_anomaly(True), pytest.raises(IndexError, match="out of range"):
        F.embedding(idx, w)
    host, dev = ag.tensor(wh), ag.tensor(wh, device=cuda)
    F.embedding(ag.tensor([0, 2, 2]), host, max_norm=1.0)
    F.embedding(ag.tensor([0, 2, 2], device=cuda), dev, max_norm=1.0)
    np.testing.assert_allclose(dev.cpu().numpy(), host.numpy(), rtol=1e-12)
    assert not np.allclose(host.numpy(), wh)


def test_clipping_gradients_of_gpu_parameters_makes_no_host_transfer(cuda):
    """``clip_grad_norm_`` keeps the norm on the device (PyTorch's clamped coefficient
    multiplies every gradient) and clips exactly as on the host."""
    def step(device):
        ag.manual_seed(0)
        model = nn.Linear(4, 3).to(device)
        x, t = _x(5, 4).to(device) * 10, _classes(5, 3).to(device)
        F.cross_entropy(model(x), t).backward()
        with count_transfers() as moved:
            total = nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            nn.utils.clip_grad_value_(model.parameters(), 0.1)
        return moved, total, [p.grad.cpu().numpy() for p in model.parameters()]

    moved, total, grads = step(cuda)
    _, total_host, grads_host = step("cpu")
    assert moved == {"to_host": 0, "to_device": 0}
    assert _on_cuda(total) and total.item() == pytest.approx(total_host.item(), rel=1e-12)
    for g, h in zip(grads, grads_host, strict=True):
        np.testing.assert_allclose(g, h, rtol=1e-12, atol=1e-15)
