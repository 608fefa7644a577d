"""Command-line helpers shared by ``autograd.demo`` and the scripts under ``examples/``.

Option types for ``argparse`` (``type=...``): a bad value becomes argparse's usual error, naming
the option, with exit status 2, instead of a traceback (or a nonsense run) later.  Plus the one
check every training loop makes: a loss that became nan or inf stops the run with a clear message.

>>> import argparse
>>> p = argparse.ArgumentParser(prog="x")
>>> _ = p.add_argument("--lr", type=positive_float)
>>> p.parse_args(["--lr", "0.1"]).lr
0.1
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
from pathlib import Path

__all__ = ["positive_int", "non_negative_int", "positive_float", "non_negative_float",
           "fraction", "output_dir", "make_output_dir", "check_finite_loss", "plural",
           "require_extras"]


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def _float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An integer >= 1 (epochs, batch sizes, layer widths, example counts)."""
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """An integer >= 0 (random seeds)."""
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0 (learning rates)."""
    value = _float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def non_negative_float(text: str) -> float:
    """A finite number >= 0 (weight decay)."""
    value = _float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def fraction(text: str) -> float:
    """A number strictly between 0 and 1 (the share of a data set held out)."""
    value = _float(text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must lie strictly between 0 and 1, got {text}")
    return value


def output_dir(text: str) -> Path:
    """A folder that exists or can be created: checked now, created when the run writes to it.

    Rejected: an existing file, a path through a file, a parent folder without write access.
    """
    path = Path(text)
    if path.exists():
        if not path.is_dir():
            raise argparse.ArgumentTypeError(f"{text!r} exists and is not a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            raise argparse.ArgumentTypeError(f"folder {text!r} is not writable")
        return path
    parent = path.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"cannot create {text!r}: {str(parent)!r} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(
            f"cannot create {text!r}: folder {str(parent)!r} is not writable"
        )
    return path


def make_output_dir(path: Path, prog: str) -> None:
    """Create ``path`` (and its parents), or stop with a message saying why it cannot be."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SystemExit(f"{prog}: cannot create the output folder {str(path)!r}: {e}") from None


def check_finite_loss(value: float, prog: str, where: str, hint: str = "lower --lr") -> float:
    """``value`` if it is finite; else stop the run (``SystemExit``, status 1) with a message.

    Without this, one nan/inf loss turns every weight into nan and the run fails later with an
    unrelated traceback, or finishes printing nonsense.

    >>> check_finite_loss(0.5, "demo", "epoch 1")
    0.5
    """
    if not math.isfinite(value):
        raise SystemExit(
            f"{prog}: the training loss became {value} at {where}; training stopped (the weights "
            f"are no longer usable). Try again with different options ({hint})."
        )
    return value


def plural(n: int, word: str) -> str:
    """``"1 epoch"``, ``"2 epochs"``.

    >>> plural(1, "epoch"), plural(30, "epoch")
    ('1 epoch', '30 epochs')
    """
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def require_extras(prog: str, extra: str, *modules: tuple[str, str]) -> None:
    """Import the optional ``(module, distribution)`` pairs now; if any is missing, stop with one
    message naming them all and the extra that installs them (instead of a ModuleNotFoundError
    from the middle of a run)."""
    missing = []
    for module, dist in modules:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(dist)
    if missing:
        raise SystemExit(
            f"{prog}: missing {', '.join(missing)}. Install the {extra} extra: "
            f"pip install -e \".[{extra}]\" (from a checkout) or pip install "
            f"\"tapegrad[{extra}]\""
        )
