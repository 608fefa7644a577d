"""``autograd.testing`` needs hypothesis (the ``test`` extra): without it, the import error says
which extra to install (as the demo and the examples do for theirs)."""

from __future__ import annotations

import importlib
import sys

import pytest


def test_import_without_hypothesis_names_the_extra(monkeypatch):
    for name in list(sys.modules):
        if name == "autograd.testing" or name.startswith("autograd.testing."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "hypothesis", None)  # `import hypothesis` raises
    with pytest.raises(ModuleNotFoundError, match=r"hypothesis.*test extra.*\.\[test\]") as e:
        importlib.import_module("autograd.testing")
    assert e.value.name == "hypothesis"


def test_import_with_hypothesis_works():
    pytest.importorskip("hypothesis")
    mod = importlib.import_module("autograd.testing")
    assert callable(mod.assert_gradients_close)
