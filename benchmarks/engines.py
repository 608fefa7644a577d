"""The engines a case can run on, whether each is installed here, and its workload builders."""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class Unsupported(Exception):
    """This engine cannot run this case in this tree (e.g. a module not written yet)."""


@dataclass(frozen=True)
class Engine:
    name: str
    module: str  # what must import for the engine to be available
    dist: str  # distribution name for the version
    builders_from: str  # benchmarks module holding BUILDERS

    def available(self) -> tuple[bool, str]:
        """(installed?, version or why not)."""
        try:
            importlib.import_module(self.module)
        except Exception as e:  # ImportError, or a broken install raising anything else
            return False, f"not installed ({type(e).__name__}: {e})"
        try:
            return True, importlib.metadata.version(self.dist)
        except importlib.metadata.PackageNotFoundError:
            return True, "unknown version"

    def builder(self, kind: str) -> Callable[[Any], Any] | None:
        mod = importlib.import_module(f"benchmarks.{self.builders_from}")
        return mod.BUILDERS.get(kind)


ENGINES: dict[str, Engine] = {
    e.name: e
    for e in (
        Engine("tapegrad", "autograd", "tapegrad", "engine_tapegrad"),
        Engine("compiled", "autograd.compile", "tapegrad", "engine_compiled"),
        Engine("numpy", "numpy", "numpy", "baselines_numpy"),
        Engine("torch", "torch", "torch", "engine_torch"),
        Engine("micrograd", "micrograd.engine", "micrograd", "engine_micrograd"),
    )
}
