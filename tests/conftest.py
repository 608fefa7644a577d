"""Hypothesis profiles: ``ci`` (default when CI=true), ``dev`` (default), ``thorough``, ``triage``;
the ``--device`` option (cpu, stand-in, cuda)."""

import importlib.util
import os
import sys

# One BLAS thread: on small CI machines threaded OpenBLAS makes small matmuls erratic and slow.
# Must happen before NumPy is first imported (pytest loads this file before any test module).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

# ``ci`` draws the same examples on every run (derandomize): a CI result depends on the code, not
# on the draw; ``dev`` and ``thorough`` keep exploring with fresh random examples.
settings.register_profile(
    "ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow],
    print_blob=True, derandomize=True,
)
settings.register_profile(
    "dev", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# ``triage``: a few examples and no shrinking, to see quickly what fails across the suite
settings.register_profile(
    "triage", max_examples=3, deadline=None, suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.reuse, Phase.generate], derandomize=True,
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") == "true" else "dev")
)


# ``benchmarks`` and ``examples`` live at the repository root and are not installed packages:
# make them importable however pytest was started (``python -m pytest`` adds the root already).
_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))


@pytest.fixture
def load_example():
    """Load a script under examples/ as a module so smoke tests can call its ``main(argv)``."""

    def load(name):
        path = _ROOT / "examples" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(f"tapegrad_example_{name}", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses/pickle look modules up by name
        spec.loader.exec_module(module)
        return module

    return load


# --------------------------------------------------------------- torch cross-checks in CI
# The PyTorch cross-check tests skip when torch is missing (``pytest.importorskip("torch")``:
# torch is no extra of the package).  ``.ci/run`` runs README's test command with
# TAPEGRAD_TORCH_SKIPS=<file>: the ids of the tests skipped for want of torch are written there,
# and after installing torch CI runs exactly those, with the same variable pointing to a second
# file that must stay empty (none may skip then).
_TORCH_SKIPS: list[str] = []


def pytest_runtest_logreport(report):
    # expecttest: torch's own test helpers (op_db's sample inputs) import it
    if report.skipped and any(f"could not import '{m}'" in str(report.longrepr)
                              for m in ("torch", "expecttest")):
        _TORCH_SKIPS.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("TAPEGRAD_TORCH_SKIPS")
    if path:
        Path(path).write_text("".join(f"{nodeid}\n" for nodeid in _TORCH_SKIPS))


# ------------------------------------------------------------------------- devices
# ``--device=stand-in`` runs the suite with "cuda" tensors on the strict stand-in device
# (autograd.testing.standin_device: no implicit host transfers, only CuPy's names);
# ``--device=cuda`` on a real GPU through CuPy.  Either way new tensors go to the GPU by
# default (autograd.set_default_device), so every test exercises the device path.
def pytest_addoption(parser):
    parser.addoption(
        "--device", choices=("cpu", "stand-in", "cuda"), default="cpu",
        help="device the suite's tensors are made on by default (cpu; stand-in: the strict "
             "stand-in GPU; cuda: a real GPU through CuPy)",
    )


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "cpu_only(reason): the test is about host memory (NumPy sharing, pickling, DataLoader "
        "workers, MPI buffers) and does not run with --device=stand-in/cuda",
    )
    dev = config.getoption("--device")
    if dev == "cpu":
        return
    import autograd
    from autograd.devices import set_cuda_backend

    if dev == "stand-in":
        from autograd.testing.standin_device import StandInBackend

        set_cuda_backend(StandInBackend())
    autograd.set_default_device("cuda")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--device") == "cpu":
        return
    for item in items:
        mark = item.get_closest_marker("cpu_only")
        if mark is not None:
            reason = mark.args[0] if mark.args else mark.kwargs.get("reason", "host memory")
            item.add_marker(pytest.mark.skip(reason=f"cpu_only: {reason}"))
        elif isinstance(item, pytest.DoctestItem):
            item.add_marker(pytest.mark.skip(reason="doctests show CPU tensors' output"))


@pytest.fixture
def standin():
    """The strict stand-in GPU as the ``cuda`` device type for one test, whatever ``--device``
    says (new tensors on the CPU unless moved); restored afterwards."""
    from autograd.testing.standin_device import registered

    with registered() as backend:
        yield backend
