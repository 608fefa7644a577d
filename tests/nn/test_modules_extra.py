"""Issue 13's modules around the new functional ops (activations, padding, distances,
upsampling, fold) equal their PyTorch counterparts; ``Identity``/``Unflatten``;
``parameters_to_vector``/``vector_to_parameters``."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.testing import assert_allclose, assert_array_equal
from nn.utils import parameters_to_vector, vector_to_parameters

torch = pytest.importorskip("torch")

X4 = np.random.default_rng(0).standard_normal((2, 3, 4, 5)) * 3
X5 = np.random.default_rng(1).standard_normal((1, 2, 3, 4, 5))

MODULES = [
    ("LogSigmoid", (), X4), ("Softsign", (), X4), ("Softmin", (1,), X4),
    ("Hardswish", (), X4), ("Hardsigmoid", (), X4), ("GLU", (1,), X4[:, :2]),
    ("ConstantPad1d", ((1, -2), 3.5), X4), ("ConstantPad2d", (2, -1.0), X4),
    ("ConstantPad3d", ((1, 0, 0, 2, 1, 1), 0.5), X4), ("ZeroPad1d", (2,), X4),
    ("ZeroPad2d", ((1, 2, 0, -1),), X4), ("ZeroPad3d", (1,), X5),
    ("ReflectionPad1d", ((2, 3),), X4[0]), ("ReflectionPad2d", ((1, 2, 3, 0),), X4),
    ("ReflectionPad3d", (1,), X5), ("ReplicationPad1d", ((3, 1),), X4[0]),
    ("ReplicationPad2d", (2,), X4), ("ReplicationPad3d", ((1, 2, 0, 1, 2, 0),), X5),
    ("CircularPad1d", ((2, 1),), X4[0]), ("CircularPad2d", ((1, 2, 3, -1),), X4),
    ("CircularPad3d", (1,), X5),
    ("Upsample", (None, 2.0, "nearest"), X4), ("Upsample", ((7, 3), None, "bilinear"), X4),
    ("Upsample", (None, 1.5, "bilinear", True), X4), ("UpsamplingNearest2d", ((5, 9),), X4),
    ("UpsamplingBilinear2d", (None, 2), X4),
    ("Unfold", ((2, 3), 1, 1, 2), X4), ("Flatten", (), X4), ("Unflatten", (1, (3, 1)), X4),
    ("Identity", (5, "ignored"), X4),
]


@pytest.mark.parametrize("name,args,x", MODULES, ids=[m[0] for m in MODULES])
def test_module_matches_torch(name, args, x):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    a, t = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = ours(a), theirs(t)
    assert_allclose(out.detach().cpu().numpy(), tout.detach().cpu().numpy(), rtol=1e-12,
                               atol=1e-12)
    w = np.random.default_rng(2).standard_normal(tout.shape)
    (out * ag.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    # hardsigmoid: PyTorch's backward uses a float32 constant 1/6 (see test_functional_extra)
    assert_allclose(a.grad.cpu().numpy(), t.grad.cpu().numpy(), rtol=1e-7, atol=1e-12)


def test_fold_and_distance_modules_match_torch():
    cols = np.random.default_rng(3).standard_normal((2, 12, 6))
    args = ((3, 4), (2, 2), 1, 0, 1)
    assert_allclose(nn.Fold(*args)(ag.tensor(cols)).cpu().numpy(),
                               torch.nn.Fold(*args)(torch.tensor(cols)).cpu().numpy(), rtol=1e-12)
    a, b = X4[0, 0], X4[1, 1]
    for ours, theirs in [(nn.CosineSimilarity(dim=0), torch.nn.CosineSimilarity(dim=0)),
                         (nn.PairwiseDistance(p=3.0, keepdim=True),
                          torch.nn.PairwiseDistance(p=3.0, keepdim=True))]:
        assert_allclose(ours(ag.tensor(a), ag.tensor(b)).cpu().numpy(),
                                   theirs(torch.tensor(a), torch.tensor(b)).cpu().numpy(), rtol=1e-12)


def test_module_reprs_and_errors():
    assert "kernel_size=(2, 3)" in repr(nn.Unfold((2, 3)))
    assert repr(nn.ZeroPad2d(1)) == "ZeroPad2d((1, 1, 1, 1), value=0.0)"
    assert "scale_factor=2" in repr(nn.Upsample(scale_factor=2))
    with pytest.raises(ValueError, match="tuple of 4"):
        nn.ReflectionPad2d((1, 2))


def test_parameters_to_vector_round_trip():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    tnet = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(),
                               torch.nn.Linear(4, 2)).double()
    net.load_state_dict({k: v.detach().cpu().numpy() for k, v in tnet.state_dict().items()})
    v = parameters_to_vector(net.parameters())
    tv = torch.nn.utils.parameters_to_vector(tnet.parameters())
    assert_array_equal(v.detach().cpu().numpy(), tv.detach().cpu().numpy())
    # differentiable: each parameter gets its slice of the vector's gradient
    (v * ag.arange(float(v.shape[0]))).sum().backward()
    assert_array_equal(net[0].weight.grad.cpu().numpy().ravel(), np.arange(12.0))
    new = np.random.default_rng(4).standard_normal(v.shape[0])
    vector_to_parameters(ag.tensor(new), net.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), tnet.parameters())
    for p, tp in zip(net.parameters(), tnet.parameters(), strict=True):
        assert_array_equal(p.detach().cpu().numpy(), tp.detach().cpu().numpy())
        assert p.is_leaf and p.requires_grad
    with pytest.raises(ValueError, match="elements"):
        vector_to_parameters(ag.zeros(3), net.parameters())
    with pytest.raises(TypeError, match="Tensor"):
        vector_to_parameters(new, net.parameters())
    with pytest.raises(TypeError, match="one Tensor"):
        parameters_to_vector(net[0].weight)


@pytest.mark.parametrize("name,kw", [("ReLU", {}), ("LeakyReLU", {"negative_slope": 0.2}),
                                     ("ELU", {}), ("SiLU", {}), ("Mish", {}), ("ReLU6", {}),
                                     ("Hardtanh", {"min_val": -0.5, "max_val": 2.0}),
                                     ("Hardswish", {}), ("Hardsigmoid", {})])
def test_inplace_activations_write_into_the_input(name, kw):
    """``inplace=True`` changes the caller's tensor like PyTorch and keeps gradients right."""
    x0 = np.linspace(-4, 7, 12) + 0.123  # off the kinks (their conventions: issue 11)
    w, tw = ag.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
    h, th = w * 2.0, tw * 2.0
    out = getattr(nn, name)(inplace=True, **kw)(h)
    assert getattr(torch.nn, name)(inplace=True, **kw)(th) is th
    assert out is h
    assert_allclose(h.detach().cpu().numpy(), th.detach().cpu().numpy(), rtol=1e-12)
    (h * h).sum().backward()
    (th * th).sum().backward()
    assert_allclose(w.grad.cpu().numpy(), tw.grad.cpu().numpy(), rtol=1e-7, atol=1e-12)
    leaf = ag.tensor(x0, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(nn, name)(inplace=True, **kw)(leaf)
