"""End to end: a small MLP and a small CNN learn toy problems (plain SGD written out here, so
these tests depend on nn and autograd only)."""

import numpy as np

import autograd as ag
import nn
import nn.functional as F


def _sgd(model, lr, momentum, bufs):
    with ag.no_grad():
        for i, p in enumerate(model.parameters()):
            bufs[i] = momentum * bufs.get(i, 0.0) + p.grad  # tensors: on the model's device
            p.data -= lr * bufs[i]


def test_mlp_learns_two_moons_like_problem():
    """Two interleaved noisy circles-arcs: not linearly separable; >= 95% training accuracy."""
    ag.manual_seed(0)
    rng = np.random.default_rng(0)
    n = 200
    t = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], 1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1)
    x = np.concatenate([upper, lower]) + rng.normal(0, 0.1, (2 * n, 2))
    y = np.concatenate([np.zeros(n, np.int64), np.ones(n, np.int64)])
    model = nn.MLP([2, 32, 32, 2], activation="tanh")
    loss_fn = nn.CrossEntropyLoss()
    bufs: dict = {}
    X = ag.tensor(x)
    for _ in range(300):
        model.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        _sgd(model, 0.1, 0.9, bufs)
    with ag.no_grad():
        acc = (model(X).detach().cpu().numpy().argmax(1) == y).mean()
    assert acc >= 0.95, acc


def test_mlp_with_batchnorm_and_dropout_regression():
    ag.manual_seed(1)
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (256, 3))
    y = np.sin(2 * x[:, :1]) + x[:, 1:2] * x[:, 2:3]
    model = nn.Sequential(nn.Linear(3, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.05),
                          nn.Linear(64, 1))
    bufs: dict = {}
    first = None
    for _ in range(300):
        model.zero_grad()
        loss = F.mse_loss(model(ag.tensor(x)), ag.tensor(y))
        first = loss.item() if first is None else first
        loss.backward()
        _sgd(model, 0.05, 0.9, bufs)
    model.eval()
    with ag.no_grad():
        final = F.mse_loss(model(ag.tensor(x)), ag.tensor(y)).item()
    # predicting the mean would give about var(y) = 0.4
    assert final < 0.1 * first and final < 0.05, (first, final)


def _bars(rng, n):
    """8x8 images holding one noisy horizontal (class 0) or vertical (class 1) bar."""
    x = rng.normal(0, 0.3, (n, 1, 8, 8))
    y = rng.integers(0, 2, n)
    pos = rng.integers(1, 7, n)
    for i in range(n):  # building the data set, not library code
        if y[i] == 0:
            x[i, 0, pos[i], 1:7] += 1.5
        else:
            x[i, 0, 1:7, pos[i]] += 1.5
    return x, y


def test_cnn_learns_bar_orientation():
    """Conv -> BatchNorm -> ReLU -> MaxPool -> Conv -> global average pool -> Linear; >= 95%
    accuracy on held-out images."""
    ag.manual_seed(2)
    rng = np.random.default_rng(2)
    xtr, ytr = _bars(rng, 256)
    xte, yte = _bars(rng, 200)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(8, 2),
    ).float()
    bufs: dict = {}
    for epoch in range(6):
        order = rng.permutation(len(xtr))
        for s in range(0, len(xtr), 32):
            idx = order[s:s + 32]
            model.zero_grad()
            loss = F.cross_entropy(model(ag.tensor(xtr[idx], dtype="float32")), ytr[idx])
            loss.backward()
            _sgd(model, 0.05, 0.9, bufs)
    model.eval()
    with ag.no_grad():
        pred = model(ag.tensor(xte, dtype="float32")).detach().cpu().numpy().argmax(1)
    acc = (pred == yte).mean()
    assert acc >= 0.95, acc
    assert model[0].weight.dtype == np.float32
