"""The examples in nn's docstrings run and print what they show."""

import doctest
import importlib
import pkgutil

import pytest

import nn

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(nn.__path__, "nn.")
    if not m.name.startswith("nn.utils")  # gradient clipping is documented and tested elsewhere
)


@pytest.mark.cpu_only("doctests show CPU tensors' output (conftest skips doctest items alike)")
@pytest.mark.parametrize("name", ["nn", *MODULES])
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0, f"{res.failed} doctest failure(s) in {name}"
