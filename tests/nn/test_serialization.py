"""nn.save / nn.load: round trips of nested state dicts, and refusal of unsafe or bad files."""

import io
import json
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
import nn
from autograd.tensor import Tensor
from autograd.testing import assert_allclose, assert_array_equal


def _same(a, b):
    """Deep equality that also checks container and leaf types."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
        assert_array_equal(a.detach().cpu().numpy(), b.detach().cpu().numpy())
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        assert_array_equal(a, b)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b)
    else:
        assert a == b


def test_optimizer_like_state_dict_roundtrip(tmp_path):
    sd = {
        "state": {0: {"exp_avg": np.arange(6.0).reshape(2, 3), "step": 3,
                      "max_sq": np.zeros(2, np.float32)},
                  1: {"momentum_buffer": None, "step": np.float32(2.5), "n": np.int64(4),
                      "f64": np.float64(0.5), "flag": np.bool_(True)}},
        "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0, 1], "nesterov": False,
                          "name": "body", "eps": float("inf"), "wd": float("nan")}],
        (1, "a"): [True, -7, 1e-300, "x"],
        None: OrderedDict([("z", 1), ("a", 2)]),
        2.5: [],
    }
    path = tmp_path / "opt.npz"
    nn.save(sd, path)
    _same(sd, nn.load(path))


def test_module_state_dict_roundtrip(tmp_path):
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(2, 3))
    net.train()
    net(ag.randn(4, 1, 3, 3))  # move the running statistics away from their defaults
    path = os.fspath(tmp_path / "net.ckpt")
    nn.save(net.state_dict(), path)
    assert os.path.exists(path)  # the path is used as given (no .npz appended)
    assert [p for p in os.listdir(tmp_path) if p.startswith(".tmp")] == []
    loaded = nn.load(path)
    assert isinstance(loaded, OrderedDict) and list(loaded) == list(net.state_dict())
    other = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(2, 3))
    other.load_state_dict(loaded)
    _same(net.state_dict(), other.state_dict())
    assert other[1].num_batches_tracked.dtype == np.int64


def test_tensors_and_parameters_keep_their_kind(tmp_path):
    obj = [nn.Parameter(np.ones(2)), ag.tensor([1.0], requires_grad=True), ag.tensor([1, 2]),
           ag.tensor(3.0)]
    f = io.BytesIO()
    nn.save(obj, f)
    f.seek(0)
    back = nn.load(f)
    assert isinstance(back[0], nn.Parameter) and back[0].requires_grad
    assert type(back[1]) is Tensor and back[1].requires_grad
    assert back[2].dtype == np.int64 and back[3].item() == 3.0


@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda kids: st.lists(kids, max_size=3) | st.tuples(kids, kids)
    | st.dictionaries(st.text(max_size=3) | st.integers(), kids, max_size=3),
    max_leaves=10,
))
def test_roundtrip_property(obj):
    f = io.BytesIO()
    nn.save(obj, f)
    f.seek(0)
    _same(obj, nn.load(f))


def test_unsupported_objects_are_refused(tmp_path):
    with pytest.raises(TypeError, match="state_dict"):
        nn.save(nn.Linear(1, 1), tmp_path / "m.npz")
    with pytest.raises(TypeError, match="cannot save an object of type set"):
        nn.save({1, 2}, tmp_path / "s.npz")
    with pytest.raises(TypeError, match="dict keys"):
        nn.save({frozenset(): 1}, tmp_path / "k.npz")
    with pytest.raises(TypeError, match="dtype"):
        nn.save({"a": np.array(["x"])}, tmp_path / "u.npz")


class _Evil:
    """Unpickling this would create the marker file (it must never happen)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _marker(tmp_path):
    return os.fspath(tmp_path / "pwned")


def test_pickled_object_array_in_npz_is_refused(tmp_path):
    marker = _marker(tmp_path)
    evil = np.empty(1, dtype=object)
    evil[0] = _Evil(marker)
    path = tmp_path / "evil.npz"
    with open(path, "wb") as f:
        np.savez(f, weight=evil)
    assert not os.path.exists(marker)
    with pytest.raises(nn.CheckpointError, match="unpickling"):
        nn.load(path)
    assert not os.path.exists(marker)


def test_object_array_next_to_a_valid_manifest_is_refused(tmp_path):
    marker = _marker(tmp_path)
    good = tmp_path / "good.npz"
    nn.save({"w": np.ones(2)}, good)
    evil = np.empty(1, dtype=object)
    evil[0] = _Evil(marker)
    buf = io.BytesIO()
    np.lib.format.write_array(buf, evil, allow_pickle=True)
    path = tmp_path / "ckpt.npz"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        dst.writestr("__tapegrad__.npy", src.read("__tapegrad__.npy"))
        dst.writestr("a0.npy", buf.getvalue())  # the manifest's array, swapped for a pickle
    with pytest.raises(nn.CheckpointError, match="unpickling"):
        nn.load(path)
    assert not os.path.exists(marker)


def test_raw_pickle_file_is_refused(tmp_path):
    marker = _marker(tmp_path)
    path = tmp_path / "model.pt"
    with open(path, "wb") as f:
        pickle.dump({"weight": _Evil(marker)}, f)
    with pytest.raises(nn.CheckpointError, match="pickle"):
        nn.load(path)
    assert not os.path.exists(marker)


def _write_npz(path, entries):
    with open(path, "wb") as f:
        np.savez(f, **entries)


def _manifest(root):
    raw = json.dumps({"format": "tapegrad", "version": 1, "root": root}).encode()
    return np.frombuffer(raw, dtype=np.uint8)


def test_bad_shape_in_manifest(tmp_path):
    path = tmp_path / "bad.npz"
    node = {"type": "array", "ref": "a0", "dtype": "<f8", "shape": [3, 3]}
    _write_npz(path, {"a0": np.zeros((2, 2)), "__tapegrad__": _manifest(node)})
    with pytest.raises(nn.CheckpointError, match=r"shape \(2, 2\) but the manifest declares"):
        nn.load(path)


@pytest.mark.parametrize("root, entries, match", [
    ({"type": "array", "ref": "a1", "dtype": "<f8", "shape": [1]}, {"a0": np.zeros(1)},
     "missing array"),
    ({"type": "array", "ref": "a0", "dtype": "<f4", "shape": [1]}, {"a0": np.zeros(1)},
     "declared float32"),
    ({"type": "list", "items": []}, {"a0": np.zeros(1)}, "unexpected entries"),
    ({"type": "list", "items": [{"type": "array", "ref": "a0", "dtype": "<f8", "shape": [1]},
                                {"type": "array", "ref": "a0", "dtype": "<f8", "shape": [1]}]},
     {"a0": np.zeros(1)}, "referenced twice"),
    ({"type": "function", "value": "os.system"}, {}, "unknown node type"),
    ({"type": "int", "value": "3"}, {}, "int node"),
    ({"type": "dict", "items": [[{"type": "list", "items": []}, {"type": "none"}]]}, {},
     "unhashable"),
    ("not a node", {}, "malformed"),
    ({"type": "tensor", "ref": "a0", "dtype": "<f8", "shape": [1], "requires_grad": "yes"},
     {"a0": np.zeros(1)}, "requires_grad"),
])
def test_malformed_manifests(tmp_path, root, entries, match):
    path = tmp_path / "bad.npz"
    _write_npz(path, {**entries, "__tapegrad__": _manifest(root)})
    with pytest.raises(nn.CheckpointError, match=match):
        nn.load(path)


def test_other_bad_files(tmp_path):
    p = tmp_path / "junk.npz"
    p.write_bytes(b"hello world")
    with pytest.raises(nn.CheckpointError, match="not a tapegrad checkpoint"):
        nn.load(p)
    p.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(nn.CheckpointError, match="corrupt"):
        nn.load(p)
    _write_npz(p, {"__tapegrad__": np.frombuffer(b"{not json", dtype=np.uint8)})
    with pytest.raises(nn.CheckpointError, match="unreadable manifest"):
        nn.load(p)
    _write_npz(p, {"__tapegrad__": np.frombuffer(b'{"format": "x"}', dtype=np.uint8)})
    with pytest.raises(nn.CheckpointError, match="unknown manifest format"):
        nn.load(p)
    raw = json.dumps({"format": "tapegrad", "version": 99, "root": {"type": "none"}}).encode()
    _write_npz(p, {"__tapegrad__": np.frombuffer(raw, dtype=np.uint8)})
    with pytest.raises(nn.CheckpointError, match="version 99"):
        nn.load(p)
    _write_npz(p, {"w": np.array([1 + 2j])})
    with pytest.raises(nn.CheckpointError, match="complex128"):
        nn.load(p)
    assert issubclass(nn.CheckpointError, ValueError)


def test_plain_npz_loads_as_flat_dict(tmp_path):
    p = tmp_path / "plain.npz"
    _write_npz(p, {"weight": np.ones((3, 2)), "bias": np.zeros(3)})
    sd = nn.load(p)
    assert set(sd) == {"weight", "bias"} and all(isinstance(v, Tensor) for v in sd.values())
    lin = nn.Linear(2, 3)
    lin.load_state_dict(sd)
    assert_array_equal(lin.weight.detach().cpu().numpy(), np.ones((3, 2)))


def test_pytorch_state_dict_converted_to_numpy(tmp_path):
    torch = pytest.importorskip("torch")
    tlin = torch.nn.Linear(4, 3)
    p = tmp_path / "torch.npz"
    _write_npz(p, {k: v.detach().cpu().numpy() for k, v in tlin.state_dict().items()})
    lin = nn.Linear(4, 3)
    lin.load_state_dict(nn.load(p))
    x = np.random.default_rng(0).standard_normal((2, 4)).astype(np.float32)
    with torch.no_grad():
        expect = tlin(torch.tensor(x)).cpu().numpy()
    assert_allclose(lin.float()(ag.tensor(x)).data, expect, rtol=1e-5, atol=1e-6)


def test_training_resumes_bit_identically_from_a_checkpoint(tmp_path):
    """Model + optimizer state through nn.save/nn.load: the resumed run matches exactly."""
    import optim

    def build():
        ag.manual_seed(0)
        m = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
        return m, optim.Adam(m.parameters(), lr=1e-2)

    rng = np.random.default_rng(0)
    x, y = ag.tensor(rng.standard_normal((16, 3))), rng.integers(0, 2, 16)

    def step(m, opt):
        opt.zero_grad()
        nn.functional.cross_entropy(m(x), y).backward()
        opt.step()

    m, opt = build()
    for _ in range(3):
        step(m, opt)
    nn.save({"model": m.state_dict(), "optim": opt.state_dict()}, tmp_path / "ck.npz")
    step(m, opt)
    ck = nn.load(tmp_path / "ck.npz")
    m2, opt2 = build()
    m2.load_state_dict(ck["model"])
    opt2.load_state_dict(ck["optim"])
    step(m2, opt2)
    for (k, a), (_, b) in zip(m.state_dict().items(), m2.state_dict().items()):
        assert_array_equal(a.detach().cpu().numpy(), b.detach().cpu().numpy(), err_msg=k)
