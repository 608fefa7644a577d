"""Load the scripts under examples/ as modules so smoke tests can call their ``main(argv)``."""

import importlib.util
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def load_example():
    def load(name):
        path = EXAMPLES / f"{name}.py"
        spec = importlib.util.spec_from_file_location(f"tapegrad_example_{name}", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses/pickle look modules up by name
        spec.loader.exec_module(module)
        return module

    return load
