"""Devices: the API (PyTorch's), cross-device errors, and no hidden host transfers.

These tests run on the strict stand-in GPU (``autograd.testing.standin_device``) whatever
``--device`` says, registering it for their own duration; with ``--device=cuda`` the suite's
other tests exercise the real GPU.
"""

import numpy as np
import pytest

import autograd as ag
from autograd import devices
from autograd.testing import assert_allclose
from autograd.testing.standin_device import (
    ImplicitTransferError,
    StandInArray,
    count_transfers,
)


# ---------------------------------------------------------------------------- device objects
@pytest.mark.parametrize("spec, type_, index, text", [
    ("cpu", "cpu", None, "cpu"),
    ("cuda", "cuda", None, "cuda"),
    ("cuda:1", "cuda", 1, "cuda:1"),
    (ag.device("cuda", 0), "cuda", 0, "cuda:0"),
])
def test_device_parses_like_torch(spec, type_, index, text):
    d = ag.device(spec)
    assert (d.type, d.index, str(d)) == (type_, index, text)
    assert d == ag.device(text) and hash(d) == hash(ag.device(text))
    assert d == text


def test_device_errors_name_the_input():
    with pytest.raises(RuntimeError, match="tpu"):
        ag.device("tpu")
    with pytest.raises(RuntimeError, match="cuda:x"):
        ag.device("cuda:x")
    with pytest.raises(ValueError, match="one place"):
        ag.device("cuda:0", 1)
    with pytest.raises(TypeError, match="string"):
        ag.device(3.5)


def test_cpu_tensors_report_the_cpu(standin):
    x = ag.tensor([1.0, 2.0])
    assert x.device == ag.device("cpu") and x.is_cpu and not x.is_cuda and x.get_device() == -1
    assert x.to("cpu") is x and x.cpu() is x
    assert ag.tensor(2.0).device == ag.device("cpu")  # the Python-float fast path is host data


def test_without_a_gpu_cuda_raises_clearly(monkeypatch):
    monkeypatch.setattr(devices, "_cuda", None)
    monkeypatch.setattr(devices, "_cuda_type", None)
    monkeypatch.setattr(devices, "_cuda_error", "ImportError: No module named 'cupy'")
    assert not ag.cuda.is_available() and ag.cuda.device_count() == 0
    with pytest.raises(RuntimeError, match=r"tapegrad\[cuda\]"):
        ag.tensor([1.0]).cuda()
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        ag.zeros(2, device="cuda")
    ag.cuda.manual_seed(0)  # a no-op without CUDA, as torch.cuda.manual_seed


# ------------------------------------------------------------------------------ moving data
def test_to_cuda_and_back(standin):
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    with count_transfers() as c:
        y = x.cuda()
    assert c == {"to_host": 0, "to_device": 1}
    assert y.device == ag.device("cuda:0") and y.is_cuda and y.get_device() == 0
    assert isinstance(y._data, StandInArray)
    assert y.to("cuda") is y and y.cuda() is y
    assert y.to("cuda:1").device == ag.device("cuda", 1)
    assert y.cuda(1).device == ag.device("cuda:1")
    back = y.cpu()
    assert type(back._data) is np.ndarray
    np.testing.assert_array_equal(back.numpy(), x.numpy())
    assert x.to(y).device == y.device  # to(other): other's device and dtype
    z = y.to("cpu", "float32")
    assert z.device == ag.device("cpu") and z.dtype == np.float32
    assert y.to(dtype="float32").is_cuda


def test_factories_take_device_and_like_keeps_it(standin):
    for t in (ag.zeros(2, 3, device="cuda"), ag.ones(2, device="cuda:1"),
              ag.empty(4, device="cuda"), ag.full((2,), 1.5, device="cuda"),
              ag.arange(5, device="cuda"), ag.linspace(0, 1, 5, device="cuda"),
              ag.eye(3, device="cuda"), ag.rand(2, device="cuda"), ag.randn(3, device="cuda"),
              ag.randint(0, 4, (3,), device="cuda"), ag.tensor([1, 2], device="cuda")):
        assert t.is_cuda, t
    x = ag.randn(2, 3, device="cuda:1")
    for f in (ag.zeros_like, ag.ones_like, ag.rand_like, ag.randn_like, ag.empty_like):
        assert f(x).device == ag.device("cuda:1")
    assert ag.full_like(x, 2.0).device == x.device
    assert ag.zeros_like(x, device="cpu").device == ag.device("cpu")
    assert_allclose(ag.arange(5, device="cuda"), np.arange(5))


def test_device_random_draws_happen_on_the_device_and_are_seeded(standin):
    ag.manual_seed(3)
    with count_transfers() as c:
        a = ag.randn(4, device="cuda")
    ag.cuda.manual_seed(3)
    b = ag.randn(4, device="cuda")
    assert c == {"to_host": 0, "to_device": 0}
    assert_allclose(a, b)


def test_gradient_flows_back_across_devices(standin):
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = ag.tensor([0.5, -1.0, 2.0], device="cuda", requires_grad=True)
    loss = (x.cuda() * w).sum()
    assert loss.is_cuda
    loss.backward()
    assert x.grad.device == ag.device("cpu") and w.grad.is_cuda
    assert_allclose(x.grad, [0.5, -1.0, 2.0])
    assert_allclose(w.grad, [1.0, 2.0, 3.0])
    assert ag.gradcheck(lambda a: (a.cuda() * a.cuda()).sum(), (ag.tensor([1.0, -2.0],
                                                                          requires_grad=True),))


def test_default_device(standin):
    ag.set_default_device("cuda")
    try:
        assert ag.get_default_device() == ag.device("cuda:0")
        assert ag.tensor([1.0]).is_cuda and ag.zeros(2).is_cuda and ag.Tensor([1.0]).is_cuda
        assert ag.tensor(1.5).is_cuda  # no Python-float shortcut off the host
        assert ag.tensor([1.0], device="cpu").is_cpu
    finally:
        ag.set_default_device(None)
    assert ag.get_default_device() == ag.device("cpu") and ag.zeros(2).is_cpu


# ------------------------------------------------------------------------------- errors
def test_mixing_devices_raises_naming_both(standin):
    a = ag.tensor([1.0, 2.0])
    b = ag.tensor([1.0, 2.0], device="cuda")
    c = ag.tensor([1.0, 2.0], device="cuda:1")
    for f in (lambda: a + b, lambda: b * a, lambda: ag.matmul(b, a), lambda: b + c,
              lambda: ag.cat([a, b]), lambda: ag.where(b > 0, a, b)):
        with pytest.raises(RuntimeError, match=r"same device.*(cpu and cuda:0|cuda:0 and cpu|"
                                               r"cuda:0 and cuda:1)"):
            f()
    # Python numbers mix with any device
    assert_allclose(b * 2 + 1.5, [3.5, 5.5])


def test_host_only_views_of_gpu_tensors_raise_and_say_cpu(standin):
    b = ag.tensor([1.0, 2.0], device="cuda")
    with pytest.raises(TypeError, match=r"\.cpu\(\)"):
        b.numpy()
    with pytest.raises(TypeError, match=r"\.cpu\(\)"):
        np.asarray(b)
    with count_transfers() as c:
        assert b.tolist() == [1.0, 2.0] and b[0].item() == 1.0 and float(b.sum()) == 3.0
        assert "device='cuda:0'" in repr(b)
    assert c["to_host"] == 4  # each one asked for: tolist, item, float, repr


def test_the_standin_refuses_hidden_host_transfers(standin):
    a = ag.zeros(3, device="cuda")._data
    for f in (lambda: float(a.sum()), lambda: bool(a.any()), lambda: a.sum().item(),
              lambda: np.asarray(a)):
        with pytest.raises(TypeError):
            f()
    with pytest.raises(ImplicitTransferError):
        int(a.sum())
    with pytest.raises(TypeError, match="Unsupported type"):
        a + np.ones(3)


# ------------------------------------------------------------------------ checkpoints, data
def test_save_load_map_location(standin, tmp_path):
    import nn

    net = nn.Linear(3, 2).to("cuda")
    path = tmp_path / "net.npz"
    nn.save(net.state_dict(), path)
    sd = nn.load(path)
    assert all(t.is_cuda for t in sd.values())
    cpu = nn.load(path, map_location="cpu")
    assert all(t.is_cpu for t in cpu.values())
    moved = nn.load(path, map_location={"cuda:0": "cuda:1"})
    assert all(t.device == ag.device("cuda:1") for t in moved.values())
    assert_allclose(cpu["weight"], net.weight)
    with pytest.raises(TypeError, match="map_location"):
        nn.load(path, map_location=3.5)


def test_load_saved_gpu_checkpoint_without_gpu_names_map_location(standin, tmp_path,
                                                                  monkeypatch):
    import nn

    path = tmp_path / "net.npz"
    nn.save(nn.Linear(2, 2).cuda().state_dict(), path)
    monkeypatch.setattr(devices, "_cuda", None)
    monkeypatch.setattr(devices, "_cuda_type", None)
    monkeypatch.setattr(devices, "_cuda_error", "no GPU")
    with pytest.raises(RuntimeError, match="map_location='cpu'"):
        nn.load(path)
    assert nn.load(path, map_location="cpu")["weight"].is_cpu


def test_module_to_moves_parameters_in_place(standin):
    import nn

    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    params = list(net.parameters())
    assert net.cuda() is net
    assert [p is q for p, q in zip(params, net.parameters())] == [True] * len(params)
    assert all(p.is_cuda for p in net.parameters())
    assert all(b.is_cuda for b in net.buffers())
    net.cpu()
    assert all(p.is_cpu for p in net.parameters())
    net.to("cuda", "float32")
    assert all(p.is_cuda and p.dtype == np.float32 for p in net.parameters())


def test_data_loader_yields_host_tensors(standin):
    from autograd.data import DataLoader, TensorDataset

    ds = TensorDataset(np.arange(12.0).reshape(6, 2), np.arange(6))
    ag.set_default_device("cuda")
    try:
        for xb, yb in DataLoader(ds, batch_size=4):
            assert xb.is_cpu and yb.is_cpu
            assert xb.to("cuda").is_cuda
    finally:
        ag.set_default_device(None)


# ----------------------------------------------------------- gradients given by the user
def test_host_gradients_for_gpu_outputs_raise_and_numbers_mix(standin):
    x = ag.tensor([3.0], device="cuda", requires_grad=True)
    with pytest.raises(RuntimeError, match=r"gradient is on cpu but the output on cuda:0"):
        ag.grad(x * 2, x, grad_outputs=np.ones(1))
    with pytest.raises(RuntimeError, match=r"gradient is on cpu but the output on cuda:0"):
        (x * 2).backward(np.ones(1))
    (g,) = ag.grad((x * 2).sum(), x, grad_outputs=np.float64(3.0))  # a number: any device
    assert g.is_cuda and g.tolist() == [6.0]
    x.register_hook(lambda g: np.array([1.0]))  # a hook may not move the gradient either
    with pytest.raises(RuntimeError, match="returned a gradient on cpu for a gradient on cuda"):
        (x * 2).sum().backward()


# ------------------------------------------------------------------------------- compile
def test_compile_runs_on_gpu_tensors_without_host_transfers(standin):
    w = ag.tensor(np.linspace(-1.0, 1.0, 12).reshape(3, 4), device="cuda", requires_grad=True)
    b = ag.tensor([0.5, -0.5, 0.25, 0.0], device="cuda", requires_grad=True)

    def f(x):  # creation calls in the generated code (a 0-d sum, a float bias) and a GPU draw
        return ((x @ w + b).tanh() * ag.rand(4, device="cuda") + 1.5).sum()

    xs = [ag.tensor(np.full((2, 3), v), device="cuda") for v in (0.1, -0.3, 0.7)]
    ag.manual_seed(0)
    want = []
    for x in xs:
        y = f(x)
        y.backward()
        want.append((y.tolist(), w.grad.tolist(), b.grad.tolist()))
        w.grad = b.grad = None
    ag.manual_seed(0)
    step = ag.compile(f, fallback=False)
    got = []
    with count_transfers() as c:
        outs = []
        for x in xs:
            y = step(x)
            y.backward()
            outs.append((y, w.grad, b.grad))
            w.grad = b.grad = None
    assert c == {"to_host": 0, "to_device": 0}  # nothing crossed while it ran
    got = [tuple(t.tolist() for t in o) for o in outs]
    assert got == want and all(t.is_cuda for o in outs for t in o)
    assert step.recompiles == 0 and "device='cuda:0'" in step.code
    # the same compiled function called with CPU tensors is another signature, run on the host
    u = ag.compile(lambda x: (x * 2.0).sum(), fallback=False)
    assert u(xs[0]).is_cuda and u(ag.tensor([1.0, 2.0], device="cpu")).is_cpu
    assert u.recompiles == 1
    assert u(xs[0].to("cuda:1")).device == ag.device("cuda:1")  # another GPU: its own trace
    assert u.recompiles == 2


# ------------------------------------------------------------------------- NumPy interop
def test_numpy_functions_and_ufuncs_on_gpu_tensors_stay_there(standin):
    x = ag.tensor([[3.0, 1.0], [0.5, 2.0]], device="cuda", requires_grad=True)
    with count_transfers() as c:
        y = np.exp(x) * np.float64(2.0) + np.var(x, axis=0).sum()  # routed, recorded
        y.sum().backward()
        q = np.argsort(x)  # a query: a GPU answer, as a tensor (no hidden copy)
    assert c == {"to_host": 0, "to_device": 0}
    assert y.is_cuda and x.grad.is_cuda and isinstance(q, ag.Tensor) and q.is_cuda
    assert q.tolist() == [[1, 0], [0, 1]]
    xh = np.array([[3.0, 1.0], [0.5, 2.0]])
    assert_allclose(y, 2 * np.exp(xh) + xh.var(axis=0).sum())
    # host arrays don't mix with GPU tensors (PyTorch raises too): no silent copy
    for f in (lambda: np.ones(2) + x, lambda: x * np.ones(2), lambda: np.maximum(x, np.ones(2))):
        with pytest.raises(RuntimeError, match="cpu and cuda:0|cuda:0 and cpu"):
            f()
    with pytest.raises(RuntimeError, match="requires grad"):
        np.asarray(x)


def test_layers_take_device_like_torch(standin):
    import nn

    layers = [nn.Linear(3, 2, device="cuda"), nn.Conv2d(1, 2, 3, device="cuda"),
              nn.ConvTranspose1d(2, 2, 3, device="cuda"), nn.BatchNorm1d(3, device="cuda"),
              nn.LayerNorm(3, device="cuda"), nn.GroupNorm(1, 2, device="cuda"),
              nn.InstanceNorm1d(2, affine=True, device="cuda"), nn.Embedding(4, 3, device="cuda"),
              nn.RNN(3, 2, device="cuda"), nn.LSTM(3, 2, device="cuda"), nn.GRU(3, 2, device="cuda"),
              nn.RNNCell(3, 2, device="cuda"), nn.LSTMCell(3, 2, device="cuda"),
              nn.GRUCell(3, 2, device="cuda"), nn.MultiheadAttention(4, 2, device="cuda:1"),
              nn.TransformerEncoderLayer(4, 2, 8, device="cuda"), nn.MLP([3, 4], device="cuda")]
    for m in layers:
        tensors = list(m.parameters()) + list(m.buffers())
        assert tensors and all(t.is_cuda for t in tensors), type(m).__name__
    assert all(p.device == ag.device("cuda:1") for p in layers[14].parameters())
    ag.manual_seed(0)
    a = nn.Linear(3, 2, device="cuda")
    ag.manual_seed(0)
    b = nn.Linear(3, 2)
    assert_allclose(a.weight, b.weight)  # the same initial values as on the host


def test_current_gpu_is_set_like_torch(standin):
    assert ag.cuda.current_device() == 0
    with ag.cuda.device(1):
        assert ag.cuda.current_device() == 1
        assert ag.zeros(2, device="cuda").device == ag.device("cuda:1")  # "cuda": the current
    assert ag.cuda.current_device() == 0
    ag.cuda.set_device("cuda:1")
    try:
        assert ag.tensor([1.0]).cuda().device == ag.device("cuda:1")
    finally:
        ag.cuda.set_device(0)
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        ag.cuda.set_device(5)


def test_new_user_findings(standin):
    import nn
    from autograd.data import DataLoader, TensorDataset

    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        ag.randn(3, device="cuda").to("tpu")  # a device string, not a dtype
    emb = nn.Embedding(5, 3, device="cuda")
    out = emb(ag.tensor([1, 2]))  # host indices: checked, then copied to the table's GPU
    assert out.is_cuda and out.shape == (2, 3)
    batches = list(DataLoader(TensorDataset(ag.randn(8, 2, device="cuda")), batch_size=4,
                              shuffle=True))
    assert len(batches) == 2 and all(b.is_cuda for (b,) in batches)  # GPU data stays there
    assert f"{ag.tensor(0.25, device='cuda'):.2f}" == "0.25" and f"{ag.tensor(3):d}" == "3"
    with pytest.raises(TypeError, match="format string"):
        f"{ag.zeros(2):.2f}"


def test_load_names_the_unavailable_map_location(standin, tmp_path):
    import nn

    path = tmp_path / "m.npz"
    nn.save(nn.Linear(2, 2, device="cuda").state_dict(), path)
    with pytest.raises(RuntimeError, match="map_location puts a tensor saved on cuda:0 on cuda:7"):
        nn.load(path, map_location="cuda:7")
