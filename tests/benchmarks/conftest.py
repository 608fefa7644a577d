"""``benchmarks`` lives at the repository root and is not an installed package: make it importable
however pytest was started (``python -m pytest`` adds the root already; plain ``pytest`` does not)."""

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
