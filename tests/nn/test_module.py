"""Module system: registration, traversal, modes, dtype conversion, state dicts, containers."""

import copy
from collections import OrderedDict

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.tensor import Tensor
from autograd.testing import assert_allclose, assert_array_equal


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.bn = nn.BatchNorm1d(4)
        self.fc2 = nn.Linear(4, 2)
        self.scale = nn.Parameter(np.ones(2))
        self.register_buffer("steps", Tensor(np.zeros(())))
        self.register_buffer("cache", Tensor(np.zeros(3)), persistent=False)
        self.plain = 5

    def forward(self, x):
        return self.fc2(self.bn(self.fc1(x)).relu()) * self.scale


def test_registration_and_named_parameters():
    m = Net()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["scale", "fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "fc2.weight",
                     "fc2.bias"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad and p.is_leaf
               for p in m.parameters())
    assert [n for n, _ in m.named_children()] == ["fc1", "bn", "fc2"]
    assert [n for n, _ in m.named_modules()] == ["", "fc1", "bn", "fc2"]
    assert [n for n, _ in m.named_buffers()] == [
        "steps", "cache", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]
    assert m.plain == 5 and "plain" not in m._parameters
    assert len(list(m.parameters(recurse=False))) == 1


def test_missing_attribute_raises_attribute_error():
    m = Net()
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'nope'"):
        m.nope  # noqa: B018
    assert not hasattr(m, "nope")
    assert getattr(m, "nope", None) is None  # default honoured, never a silent None otherwise


def test_setattr_rules():
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'weight'"):
        m.weight = ag.zeros(2, 2)
    m.bias = None
    assert m.bias is None and "bias" in m._parameters
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    with pytest.raises(TypeError, match="cannot assign 'Identity' as parameter 'weight'"):
        m.weight = nn.Identity()
    # assigning a Parameter to a child module's name moves it between registries (as PyTorch)
    seq = nn.Sequential(nn.ReLU())
    seq.__setattr__("0", nn.Parameter(np.ones(1)))
    assert "0" in seq._parameters and "0" not in seq._modules

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(np.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()
    with pytest.raises(KeyError, match="contain"):
        nn.Module().register_parameter("a.b", None)
    x = ag.ones(2, requires_grad=True)
    p = nn.Parameter(np.ones(2))
    p._node = (x * 2)._node  # a parameter that is secretly the result of a recorded op
    with pytest.raises(ValueError, match="non-leaf"):
        nn.Module().register_parameter("p", p)


def test_delattr_and_dir():
    m = Net()
    assert "fc1" in dir(m) and "scale" in dir(m)
    del m.fc1
    assert "fc1" not in m._modules
    with pytest.raises(AttributeError):
        m.fc1  # noqa: B018


def test_shared_parameters_listed_once():
    a = nn.Linear(2, 2)
    seq = nn.Sequential(a, nn.ReLU(), a)
    assert len(list(seq.parameters())) == 2
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_train_eval_recursive():
    m = Net()
    assert m.training and m.bn.training
    assert m.eval() is m
    assert not m.training and not m.bn.training and not m.fc1.training
    m.train()
    assert m.bn.training
    with pytest.raises(ValueError, match="boolean"):
        m.train("yes")


def test_zero_grad():
    m = nn.Linear(3, 2)
    m(ag.ones(4, 3)).sum().backward()
    assert m.weight.grad is not None
    g = m.weight.grad
    m.zero_grad(set_to_none=False)
    assert m.weight.grad is g and np.all(g.detach().cpu().numpy() == 0)
    m.zero_grad()
    assert m.weight.grad is None and m.bias.grad is None


def test_call_runs_forward_and_hooks():
    m = nn.Linear(2, 2)
    seen = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h2 = m.register_forward_hook(lambda mod, args, out: seen.append(out.shape) or out + 1)
    y = m(ag.ones(3, 2))
    assert seen == [(3, 2)]
    assert_allclose(y.detach().cpu().numpy(), np.broadcast_to(m.bias.detach().cpu().numpy() + 1, (3, 2)))
    h1.remove()
    h2.remove()
    assert_allclose(m(ag.zeros(1, 2)).data, m.bias.detach().cpu().numpy()[None])
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(1)


def test_repr_tree_like_pytorch():
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 1, bias=False)))
    assert repr(net) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Linear(in_features=3, out_features=1, bias=False)\n"
        "  )\n"
        ")"
    )
    assert repr(nn.Conv2d(1, 2, 3, padding=1, bias=False)) == (
        "Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)")
    assert repr(nn.Parameter(np.zeros(2))).startswith("Parameter containing:\ntensor(")


def test_apply_and_get_submodule():
    net = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Linear(3, 1)))
    visited = []
    net.apply(lambda m: visited.append(type(m).__name__))
    assert visited == ["Linear", "Linear", "Sequential", "Sequential"]
    assert net.get_submodule("1.0") is net[1][0]
    assert net.get_parameter("1.0.bias") is net[1][0].bias
    with pytest.raises(AttributeError, match="no submodule"):
        net.get_submodule("1.5")


def test_to_dtype_keeps_parameter_identity():
    m = Net()
    params = list(m.parameters())
    m(ag.ones(5, 3)).sum().backward()
    assert m.to("float32") is m
    assert [id(p) for p in m.parameters()] == [id(p) for p in params]
    assert all(p.dtype == np.float32 for p in m.parameters())
    assert all(p.grad.dtype == np.float32 for p in m.parameters())
    assert m.bn.running_mean.dtype == np.float32
    assert m.bn.num_batches_tracked.dtype == np.int64  # integer buffers are left alone
    assert m(ag.ones(2, 3, dtype="float32")).dtype == np.float32
    m.double()
    assert all(p.dtype == np.float64 for p in m.parameters())
    assert m.to("cpu") is m
    with pytest.raises(TypeError, match="floating"):
        m.to("int32")


def test_layer_dtype_argument():
    lin = nn.Linear(2, 3, dtype="float32")
    assert lin.weight.dtype == np.float32 and lin.bias.dtype == np.float32
    assert nn.Linear(2, 3).weight.dtype == np.float64  # the project's default dtype
    with pytest.raises(TypeError):
        nn.Linear(2, 3, dtype="int64")


def test_deepcopy_module():
    m = Net()
    c = copy.deepcopy(m)
    assert c.fc1.weight is not m.fc1.weight
    assert_array_equal(c.fc1.weight.detach().cpu().numpy(), m.fc1.weight.detach().cpu().numpy())
    c.fc1.weight.data[...] = 0
    assert not np.all(m.fc1.weight.detach().cpu().numpy() == 0)
    assert isinstance(c.fc1.weight, nn.Parameter)


# ---------------------------------------------------------------------------------- state dict
def test_state_dict_keys_and_sharing():
    m = Net()
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["scale", "steps", "fc1.weight", "fc1.bias", "bn.weight", "bn.bias",
                        "bn.running_mean", "bn.running_var", "bn.num_batches_tracked",
                        "fc2.weight", "fc2.bias"]
    assert "cache" not in sd  # non-persistent buffer
    assert not sd["fc1.weight"].requires_grad
    with ag.no_grad():  # the state_dict shares the parameter's memory (on any device)
        m.fc1.weight[0, 0] = 7.0
    assert sd["fc1.weight"][0, 0].item() == 7.0
    assert m.state_dict(keep_vars=True)["fc1.weight"] is m.fc1.weight
    assert tuple(sd["fc1.weight"].shape) == (4, 3)  # PyTorch layout (out, in)


def test_load_state_dict_roundtrip_and_identity():
    a, b = Net(), Net()
    w_id = id(b.fc1.weight)
    res = b.load_state_dict(a.state_dict())
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert id(b.fc1.weight) == w_id
    for (k, va), (_, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert_array_equal(va.detach().cpu().numpy(), vb.detach().cpu().numpy(), err_msg=k)
    # numpy arrays are accepted and cast to the parameter dtype
    b.load_state_dict({k: v.detach().cpu().numpy().astype(np.float32) if v.dtype.kind == "f" else v.detach().cpu().numpy()
                       for k, v in a.state_dict().items()})
    assert b.fc1.weight.dtype == np.float64


def test_load_state_dict_strict_errors():
    m = nn.Linear(2, 3)
    sd = m.state_dict()
    bad = dict(sd)
    del bad["bias"]
    bad["extra"] = np.zeros(1)
    with pytest.raises(RuntimeError) as e:
        m.load_state_dict(bad)
    msg = str(e.value)
    assert 'Missing key(s) in state_dict: "bias"' in msg
    assert 'Unexpected key(s) in state_dict: "extra"' in msg
    res = m.load_state_dict(bad, strict=False)
    assert res.missing_keys == ["bias"] and res.unexpected_keys == ["extra"]
    with pytest.raises(RuntimeError, match=r"size mismatch for weight: copying a param with "
                                           r"shape \(2, 3\) from checkpoint, the shape in current "
                                           r"model is \(3, 2\)"):
        m.load_state_dict({"weight": np.zeros((2, 3)), "bias": np.zeros(3)})
    before = m.weight.detach().cpu().numpy().copy()
    with pytest.raises(RuntimeError, match="size mismatch"):
        m.load_state_dict({"weight": np.ones((3, 2)), "bias": np.zeros(4)}, strict=False)
    assert_array_equal(m.weight.detach().cpu().numpy(), before)  # nothing loaded on error
    with pytest.raises(RuntimeError, match="dtype"):
        m.load_state_dict({"weight": np.array([["a", "b"]] * 3), "bias": np.zeros(3)})
    with pytest.raises(TypeError, match="dict-like"):
        m.load_state_dict([1, 2])


def test_load_state_dict_bumps_version_for_graphs_in_flight():
    m = nn.Linear(2, 1)
    x = ag.ones(1, 2, requires_grad=True)
    y = m(x).sum()
    m.load_state_dict({"weight": np.ones((1, 2)), "bias": np.zeros(1)})
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_state_dict_keys_match_pytorch():
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    ours = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4, 2), nn.LayerNorm(2), nn.Embedding(5, 2),
                         nn.BatchNorm1d(3), nn.GroupNorm(1, 2), nn.Conv1d(2, 2, 1))
    theirs = tnn.Sequential(tnn.Conv2d(1, 4, 3), tnn.BatchNorm2d(4), tnn.ReLU(), tnn.Flatten(),
                            tnn.Linear(4, 2), tnn.LayerNorm(2), tnn.Embedding(5, 2),
                            tnn.BatchNorm1d(3), tnn.GroupNorm(1, 2), tnn.Conv1d(2, 2, 1))
    osd, tsd = ours.state_dict(), theirs.state_dict()
    assert list(osd) == list(tsd)
    for k in osd:
        assert tuple(osd[k].shape) == tuple(tsd[k].shape), k
    # a PyTorch state dict converted to NumPy loads as is and gives the same outputs
    ours.load_state_dict({k: v.cpu().numpy() for k, v in tsd.items()})
    x = np.random.default_rng(0).standard_normal((2, 1, 3, 3)).astype(np.float32)
    ours.eval().float()  # float32 input: mixed float dtypes raise, as in PyTorch
    theirs.eval()
    head = ours[:6]
    with torch.no_grad():
        expect = theirs[:6](torch.tensor(x)).cpu().numpy()
    assert_allclose(head(ag.tensor(x)).data, expect, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------------- containers
def test_sequential_indexing():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    sub = seq[:2]
    assert isinstance(sub, nn.Sequential) and len(sub) == 2 and sub[0] is seq[0]
    with pytest.raises(IndexError):
        seq[3]
    seq.append(nn.Sigmoid())
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    del seq[1]
    assert [type(m).__name__ for m in seq] == ["Linear", "Linear", "Sigmoid"]
    assert list(seq._modules) == ["0", "1", "2"]
    seq.insert(1, nn.Tanh())
    assert [type(m).__name__ for m in seq] == ["Linear", "Tanh", "Linear", "Sigmoid"]
    out = seq(ag.ones(4, 2))
    assert out.shape == (4, 1)
    named = nn.Sequential(OrderedDict([("enc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(named.state_dict()) == ["enc.weight", "enc.bias"]
    assert named.enc is named[0]


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.Linear(1, 1) for _ in range(3)])
    assert len(ml) == 3 and len(list(ml.parameters())) == 6
    ml.append(nn.ReLU())
    ml.extend([nn.Tanh()])
    assert isinstance(ml[-1], nn.Tanh) and isinstance(ml[1:3], nn.ModuleList)
    with pytest.raises(TypeError):
        ml.extend(nn.ReLU())
    with pytest.raises(NotImplementedError):
        ml(1)
    md = nn.ModuleDict({"a": nn.Linear(1, 2), "b": nn.ReLU()})
    assert list(md) == ["a", "b"] and "a" in md and len(md) == 2
    assert list(md.state_dict()) == ["a.weight", "a.bias"]
    md["c"] = nn.Linear(2, 2)
    assert [k for k, _ in md.items()] == ["a", "b", "c"]
    md.pop("b")
    assert list(md.keys()) == ["a", "c"]


def test_parameter_list_and_dict():
    pl = nn.ParameterList([np.ones(2), nn.Parameter(np.zeros(3))])
    assert [tuple(p.shape) for p in pl] == [(2,), (3,)]
    assert list(pl.state_dict()) == ["0", "1"]
    pd = nn.ParameterDict({"w": np.ones((2, 2))})
    assert isinstance(pd["w"], nn.Parameter) and list(pd.state_dict()) == ["w"]


def test_identity_flatten_unflatten():
    x = ag.ones(2, 3, 4, 5)
    assert nn.Identity(1, foo=2)(x) is x
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 5)
    assert nn.Flatten(-2)(x).shape == (2, 3, 20)
    assert nn.Unflatten(1, (3, 1))(ag.ones(2, 3)).shape == (2, 3, 1)
    with pytest.raises(ValueError, match="cannot come after"):
        nn.Flatten(2, 1)(x)


def test_buffer_assignment():
    m = nn.Module()
    m.stat = nn.Buffer(np.zeros(2))
    m.tmp = nn.Buffer(np.zeros(1), persistent=False)
    assert list(m.state_dict()) == ["stat"]
    assert type(m.stat) is Tensor
    m.stat = Tensor(np.ones(2))
    assert m._buffers["stat"].detach().cpu().numpy().tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="as buffer"):
        m.stat = 3


def test_mlp_convenience():
    mlp = nn.MLP([3, 8, 8, 2], activation="gelu", dropout=0.1, norm="layer")
    kinds = [type(m).__name__ for m in mlp]
    assert kinds == ["Linear", "LayerNorm", "GELU", "Dropout", "Linear", "LayerNorm", "GELU",
                     "Dropout", "Linear"]
    assert mlp(ag.ones(4, 3)).shape == (4, 2)
    assert [type(m).__name__ for m in nn.MLP([2, 2], output_activation="sigmoid")] == [
        "Linear", "Sigmoid"]
    with pytest.raises(ValueError, match="unknown activation"):
        nn.MLP([2, 2, 2], activation="swishy")
    with pytest.raises(TypeError, match="not an instance"):
        nn.MLP([2, 2, 2], activation=nn.ReLU())
    a = nn.MLP([2, 4, 4, 1], generator=3)
    b = nn.MLP([2, 4, 4, 1], generator=3)
    assert_array_equal(a[2].weight.detach().cpu().numpy(), b[2].weight.detach().cpu().numpy())
    # one random stream for the whole MLP: same-shaped layers get different weights
    assert not np.array_equal(a[2].weight.detach().cpu().numpy(), nn.MLP([4, 4], generator=3)[0].weight.detach().cpu().numpy())
